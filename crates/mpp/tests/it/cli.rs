//! The `mpp` command line, run as an operator would, against the same
//! database the test server uses.

use crate::helpers::{TestApp, both};
use mpp::db::sql::{self, Conn};
use reqwest::StatusCode;
use std::process::{Command, Output};

pub(crate) fn mpp(app: &TestApp, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mpp"))
        .args(args)
        .env("MPP_DATABASE_URL", &app.database_url)
        .env("MPP_DATA_DIR", std::env::temp_dir().join("mpp-cli-unused"))
        .env("MPP_ADMIN_PASSWORD", "kata-sandi-kupang")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

pub(crate) fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

async fn an_operator_adds_a_mall_and_its_admin(app: TestApp) {
    let o = mpp(&app, &["migrate"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("applied 0 migration(s)"), "already migrated: {}", text(&o));
    let o = mpp(
        &app,
        &[
            "create-mall",
            "--slug",
            "kota-kupang",
            "--name",
            "MPP Kota Kupang",
            "--timezone",
            "wita",
            "--region-code",
            "53.71",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("copied"), "{}", text(&o));
    // Mistakes are explained and change nothing.
    for (args, says) in [
        (vec!["create-mall", "--slug", "kota-kupang", "--name", "Lagi", "--timezone", "WITA"], "taken"),
        (vec!["create-mall", "--slug", "Bad Slug", "--name", "X", "--timezone", "WITA"], "slug"),
        (vec!["create-mall", "--slug", "sumba", "--name", "X", "--timezone", "CET"], "WIB, WITA or WIT"),
        (
            vec!["create-mall", "--slug", "sumba", "--name", "X", "--timezone", "WITA", "--region-code", "53.99"],
            "53.99",
        ),
        (vec!["create-admin", "--email", "a@b.id", "--name", "A", "--mall", "nowhere"], "no mall"),
        (
            vec!["create-admin", "--email", "a@b.id", "--name", "A", "--role", "agency_admin", "--mall", "kota-kupang"],
            "--agency",
        ),
    ] {
        let o = mpp(&app, &args);
        assert!(!o.status.success(), "{args:?} should fail");
        assert!(text(&o).contains(says), "{args:?}: {}", text(&o));
    }
    let o = mpp(
        &app,
        &["create-admin", "--email", "admin@kupang.example", "--name", "Admin Kupang", "--mall", "kota-kupang"],
    );
    assert!(o.status.success(), "{}", text(&o));
    // The new admin logs in on the running server and manages the new mall only.
    let c = app.client();
    let fields =
        [("email", "admin@kupang.example"), ("password", "kata-sandi-kupang"), ("next", "/m/kota-kupang/admin")];
    let r = app.post_form(&c, "/masuk", "/masuk", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get(&c, "/m/kota-kupang/admin").await.status(), StatusCode::OK);
    assert_eq!(app.get(&c, "/m/ttu/admin").await.status(), StatusCode::FORBIDDEN);
    // The grant is on the new mall's audit trail, made by the command line.
    let (_, trail) = app.get_text(&c, "/m/kota-kupang/admin/audit").await;
    assert!(trail.contains("mpp create-admin (command line)") && trail.contains("mall_admin"), "{trail}");
    let (_, cal) = app.get_text(&c, "/m/kota-kupang/admin/kalender").await;
    assert!(cal.contains("Kalender nasional"), "the national calendar was copied in");
    // A draft: public to nobody but its staff, until its manager publishes it.
    for path in ["/m/kota-kupang", "/m/kota-kupang/layanan", "/m/kota-kupang/kiosk", "/api/v1/malls/kota-kupang"] {
        assert_eq!(app.get(&app.client(), path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let listed = reqwest::get(app.url("/api/v1/malls")).await.unwrap().text().await.unwrap();
    assert!(!listed.contains("kota-kupang"), "not listed: {listed}");
    let (status, preview) = app.get_text(&c, "/m/kota-kupang").await;
    assert_eq!(status, StatusCode::OK, "its manager previews it");
    assert!(preview.contains("MPP Kota Kupang"));
    let (_, dashboard) = app.get_text(&c, "/m/kota-kupang/admin").await;
    assert!(dashboard.contains("Mal ini masih draf"), "{dashboard}");
    let r = app.post_form(&c, "/m/kota-kupang/admin", "/m/kota-kupang/admin/terbitkan", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, home) = app.get_text(&app.client(), "/m/kota-kupang").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("MPP Kota Kupang"));
    let (_, trail) = app.get_text(&c, "/m/kota-kupang/admin/audit").await;
    assert!(trail.contains("/admin/terbitkan"), "publishing is on the audit trail");
}
both!(an_operator_adds_a_mall_and_its_admin);

/// Changing the gateway's secret from the command line is on the mall's
/// audit trail (that it changed and by which command), never the secret.
async fn a_new_gateway_secret_is_on_record_without_its_value(app: TestApp) {
    let secret = "rahasia-bank-ntt-yang-panjang-sekali-2026";
    let o = Command::new(env!("CARGO_BIN_EXE_mpp"))
        .args(["gateway-secret", "--mall", "ttu"])
        .env("MPP_DATABASE_URL", &app.database_url)
        .env("MPP_DATA_DIR", std::env::temp_dir().join("mpp-cli-unused"))
        .env("MPP_GATEWAY_SECRET", secret)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let admin = app.login(crate::helpers::ADMIN).await;
    let (_, trail) = app.get_text(&admin, "/m/ttu/admin/audit").await;
    assert!(trail.contains("mpp gateway-secret (command line)") && trail.contains("gateway_secret"), "{trail}");
    let rows: Vec<(String, String)> = sql::query("SELECT before_json, after_json FROM audit_events")
        .fetch_all(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
    assert!(rows.iter().all(|(b, a)| !b.contains(secret) && !a.contains(secret)));
}
both!(a_new_gateway_secret_is_on_record_without_its_value);

/// Row counts of every table of a SQLite file, by name.
async fn counts(database_url: &str) -> Vec<(String, i64)> {
    let db = mpp::db::Db::connect(database_url).await.unwrap();
    let c = &mut Conn::Read(&db);
    let tables: Vec<String> =
        sql::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .fetch_all(c)
            .await
            .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let n: i64 = sql::query(format!("SELECT COUNT(*) FROM \"{t}\"")).fetch_one(c).await.unwrap();
        out.push((t, n));
    }
    out
}

/// An operator backs up a serving mall and restores it on another machine:
/// the restored mall is the one of the backup's instant, files and all, and
/// a damaged backup is refused before anything is touched.
async fn a_mall_is_backed_up_while_serving_and_restored_whole(app: TestApp) {
    let backup = std::env::temp_dir().join(format!("mpp-backup-{}", crate::helpers::unique()));
    let run = |args: &[&str], data_dir: &std::path::Path, url: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mpp"));
        c.args(args).env("MPP_DATA_DIR", data_dir).env("RUST_LOG", "warn").env_remove("MPP_DATABASE_URL");
        if let Some(url) = url {
            c.env("MPP_DATABASE_URL", url);
        }
        c.output().unwrap()
    };
    let to = backup.to_str().unwrap();
    if app.database_url.starts_with("postgres") {
        let o = run(&["backup", "--to", to], &app.dir, Some(&app.database_url));
        assert!(!o.status.success() && text(&o).contains("pg_dump"), "PostgreSQL: its own tools: {}", text(&o));
        return;
    }
    // Something in the file store: an agreement's signed scan.
    let admin = app.login(crate::helpers::ADMIN).await;
    let (_, form) = app.get_text(&admin, "/m/ttu/admin/perjanjian/baru").await;
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let part = reqwest::multipart::Part::bytes(pdf.clone()).file_name("pks.pdf").mime_str("application/pdf").unwrap();
    let fields = reqwest::multipart::Form::new()
        .text("agency", "bank-ntt")
        .text("kind", "PKS")
        .text("number", "PKS/1/2026")
        .text("title_id", "Layanan bank")
        .text("signed_on", "2026-11-01")
        .text("valid_from", "2026-11-01")
        .text("valid_until", "2029-10-31")
        .part("file", part);
    let url = app.url(&format!("/m/ttu/admin/perjanjian/baru?_csrf={}", crate::helpers::csrf_of(&form)));
    let r = admin.post(&url).multipart(fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let saved = r.headers()["location"].to_str().unwrap().trim_end_matches("?disimpan=1").to_string();
    let before = counts(&app.database_url).await;

    let o = run(&["backup", "--to", to], &app.dir, Some(&app.database_url));
    assert!(o.status.success(), "{}", text(&o));
    // Written after the backup: not in it.
    crate::visit::set_clock(&app, crate::visit::WEDNESDAY_MORNING);
    crate::visit::kiosk_ticket(&app, "KTP-EL", "none").await;
    let o = run(&["backup", "--to", to], &app.dir, Some(&app.database_url));
    assert!(!o.status.success() && text(&o).contains("not empty"), "never over another backup: {}", text(&o));

    let elsewhere = std::env::temp_dir().join(format!("mpp-restored-{}", crate::helpers::unique()));
    let o = run(&["restore", "--from", to], &elsewhere, None);
    assert!(o.status.success(), "{}", text(&o));
    let restored_url = format!("sqlite://{}?mode=rwc", elsewhere.join("mpp.db").display());
    assert_eq!(counts(&restored_url).await, before, "every table as it was at the backup");
    let o = run(&["restore", "--from", to], &elsewhere, None);
    assert!(!o.status.success() && text(&o).contains("--replace"), "{}", text(&o));

    // The restored mall serves the same file.
    let restored = app
        .another_server(|s| {
            s.data_dir = elsewhere.clone();
            s.database_url = restored_url.clone();
        })
        .await;
    let admin = restored.login(crate::helpers::ADMIN).await;
    let r = restored.get(&admin, &format!("{saved}/berkas")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);

    // A damaged backup is refused, and the data directory left as it is.
    let served = counts(&restored_url).await;
    let scan = files_in(&backup.join("files"))[0].clone();
    std::fs::write(&scan, b"%PDF-1.4 altered").unwrap();
    let o = run(&["restore", "--from", to, "--replace"], &elsewhere, None);
    assert!(!o.status.success() && text(&o).contains("not as it was backed up"), "{}", text(&o));
    assert_eq!(counts(&restored_url).await, served);
    let _ = std::fs::remove_dir_all(&backup);
    let _ = std::fs::remove_dir_all(&elsewhere);
}
both!(a_mall_is_backed_up_while_serving_and_restored_whole);

/// Every file under a folder.
fn files_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(files_in(&p)) } else { out.push(p) }
    }
    out
}

/// Three changes on the demo mall's audit trail, made from the command line.
fn three_audited_changes(app: &TestApp) {
    for n in 0..3 {
        let o = Command::new(env!("CARGO_BIN_EXE_mpp"))
            .args(["gateway-secret", "--mall", "ttu"])
            .env("MPP_DATABASE_URL", &app.database_url)
            .env("MPP_DATA_DIR", std::env::temp_dir().join("mpp-cli-unused"))
            .env("MPP_GATEWAY_SECRET", format!("rahasia-bank-ntt-yang-panjang-{n}-2026"))
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
    }
}

/// The audit trail is a hash chain per mall: after real changes `mpp audit
/// verify` says every chain holds; an entry edited in the database, one
/// moved, and the last one removed are each named, and verify exits 1.
async fn the_audit_chain_holds_and_names_the_first_tampered_entry(app: TestApp) {
    three_audited_changes(&app);
    let db = &app.state.db;
    let mall_id: String =
        sql::query("SELECT id FROM malls WHERE slug = 'ttu'").fetch_one(&mut Conn::Read(db)).await.unwrap();
    let chain: Vec<(i64, String, String)> =
        sql::query("SELECT seq, id, after_json FROM audit_events WHERE mall_id = $1 AND seq IS NOT NULL ORDER BY seq")
            .bind(&mall_id)
            .fetch_all(&mut Conn::Read(db))
            .await
            .unwrap();
    assert!(chain.len() >= 3, "{chain:?}");
    assert_eq!(chain.iter().map(|(s, _, _)| *s).collect::<Vec<_>>(), (1..=chain.len() as i64).collect::<Vec<_>>());
    let verify = || mpp(&app, &["audit", "verify"]);
    let o = verify();
    assert!(
        o.status.success()
            && text(&o).contains(&format!("mall {mall_id}, audit trail: {} entries, the chain holds", chain.len())),
        "{}",
        text(&o)
    );

    // Edited where it lies: the entry is named; put back, the chain holds again.
    let (seq, id, after) = chain[1].clone();
    let set = |v: String| {
        sql::query("UPDATE audit_events SET after_json = $3 WHERE mall_id = $1 AND id = $2")
            .bind(&mall_id)
            .bind(&id)
            .bind(v)
    };
    db.run(set(format!("{after} "))).await.unwrap();
    let o = verify();
    assert!(
        !o.status.success() && text(&o).contains(&format!("entry {seq} ({id}) was altered or moved")),
        "{}",
        text(&o)
    );
    db.run(set(after)).await.unwrap();
    assert!(verify().status.success());

    // Two entries swapped in place (through -1: the numbers are unique).
    let (a, b) = (&chain[0].1, &chain[1].1);
    let mall = &mall_id;
    let renumber = |moves: [(String, i64); 3]| async move {
        for (id, to) in moves {
            let statement = sql::query("UPDATE audit_events SET seq = $3 WHERE mall_id = $1 AND id = $2");
            db.run(statement.bind(mall).bind(id).bind(to)).await.unwrap();
        }
    };
    renumber([(a.clone(), -1), (b.clone(), 1), (a.clone(), 2)]).await;
    let o = verify();
    assert!(!o.status.success() && text(&o).contains(&format!("entry 1 ({b}) was altered or moved")), "{}", text(&o));
    renumber([(a.clone(), -1), (b.clone(), 2), (a.clone(), 1)]).await;
    assert!(verify().status.success());

    // The last entry removed: the head still names it.
    let (last, last_id, _) = chain.last().unwrap().clone();
    db.run(sql::query("DELETE FROM audit_events WHERE mall_id = $1 AND id = $2").bind(&mall_id).bind(&last_id))
        .await
        .unwrap();
    let o = verify();
    assert!(
        !o.status.success()
            && text(&o).contains(&format!("the chain ends at entry {}, its head says {last}", last - 1)),
        "{}",
        text(&o)
    );
}
both!(the_audit_chain_holds_and_names_the_first_tampered_entry);

/// Twenty audited changes of one mall at once, through two server
/// processes, still make one unbroken chain: each takes the mall's head in
/// turn.
async fn audited_changes_at_once_keep_one_chain(app: TestApp) {
    let other = app.another_server(|_| {}).await;
    let token = crate::api::token_for(&app, crate::helpers::ADMIN).await;
    let url = |app: &TestApp| app.url("/api/v1/malls/ttu/services/KTP-EL");
    let c = reqwest::Client::new();
    let record: serde_json::Value = c.get(url(&app)).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let changes = (0..20).map(|n| {
        let mut input = record.clone();
        input["booking_quota"] = serde_json::json!(100 + n);
        let target = if n % 2 == 0 { url(&app) } else { url(&other) };
        let (c, token) = (c.clone(), token.clone());
        async move { c.put(target).bearer_auth(&token).json(&input).send().await.unwrap().status() }
    });
    for status in futures_util::future::join_all(changes).await {
        assert_eq!(status, StatusCode::OK);
    }
    let o = mpp(&app, &["audit", "verify"]);
    assert!(o.status.success() && text(&o).contains("the chain holds"), "{}", text(&o));
    let numbered: i64 = sql::query("SELECT COUNT(*) FROM audit_events WHERE seq IS NOT NULL")
        .fetch_one(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
    assert!(numbered >= 20, "{numbered}");
}
both!(audited_changes_at_once_keep_one_chain);

/// The chains' heads are signed once a day; whoever kept the statements
/// catches a chain recomputed after an edit (which `mpp audit verify` alone
/// cannot: the chain is consistent again), and a statement edited after
/// signing is refused. An outside JOSE library (joserfc) verifies a
/// statement with the mall's published key.
async fn signed_daily_heads_prove_a_recomputed_chain_was_rewritten(app: TestApp) {
    use mpp::audit::chain::{Chained, Link};
    crate::visit::set_clock(&app, "2026-11-25T09:00:00+08:00");
    three_audited_changes(&app);
    // (The server's housekeeping signs too, every half minute: count what is stored.)
    let db = &app.state.db;
    let made_on = |day: &'static str| async move {
        let (signed, malls): (i64, i64) =
            sql::query("SELECT (SELECT COUNT(*) FROM chain_statements WHERE day = $1), (SELECT COUNT(*) FROM malls)")
                .bind(day)
                .fetch_one(&mut Conn::Read(db))
                .await
                .unwrap();
        (signed, 2 * malls)
    };
    mpp::audit::head::sign_due(&app.state).await.unwrap();
    let (signed, due) = made_on("2026-11-25").await;
    assert_eq!(signed, due, "both chains of every mall");
    assert_eq!(mpp::audit::head::sign_due(&app.state).await.unwrap(), 0, "once a day");
    crate::visit::set_clock(&app, "2026-11-26T09:00:00+08:00");
    mpp::audit::head::sign_due(&app.state).await.unwrap();
    let (signed, due) = made_on("2026-11-26").await;
    assert_eq!(signed, due, "and again the next day");

    let listed: serde_json::Value =
        reqwest::get(app.url("/api/v1/malls/ttu/chain-heads")).await.unwrap().json().await.unwrap();
    let statements = listed["statements"].as_array().unwrap().clone();
    assert!(statements.len() >= 4, "two days, two chains (and the server's start): {listed}");
    let dir = std::env::temp_dir().join(format!("mpp-heads-{}", crate::helpers::unique()));
    std::fs::create_dir_all(&dir).unwrap();
    for (n, s) in statements.iter().enumerate() {
        std::fs::write(dir.join(format!("{n}.json")), s.to_string()).unwrap();
    }
    // An outside library checks the first with the key the mall publishes.
    let jwks: serde_json::Value =
        reqwest::get(app.url(listed["keys"].as_str().unwrap())).await.unwrap().json().await.unwrap();
    let keys = dir.join("jwks.txt");
    std::fs::write(&keys, jwks.to_string()).unwrap();
    let script = "import json,sys\n\
        from joserfc import jws\nfrom joserfc.jwk import OKPKey\nfrom joserfc.jws import JWSRegistry\n\
        s=json.load(open(sys.argv[1])); kid=json.loads(__import__('base64').urlsafe_b64decode(s['protected']+'==')).get('kid')\n\
        k=[k for k in json.load(open(sys.argv[2]))['keys'] if k['kid']==kid][0]\n\
        key=OKPKey.import_key({'kty':'OKP','crv':'Ed25519','x':k['x']})\n\
        p=json.loads(jws.deserialize_json(s, key, registry=JWSRegistry(algorithms=['Ed25519'])).payload)\n\
        print('verified', p['mall'], p['trail'], p['day'], p['seq'])\n";
    let said =
        crate::helpers::run_checker(&["-c", script, dir.join("0.json").to_str().unwrap(), keys.to_str().unwrap()]);
    assert!(said.contains("verified ttu"), "{said}");

    let with_statements = || mpp(&app, &["audit", "verify", "--statements", dir.to_str().unwrap()]);
    let o = with_statements();
    assert!(o.status.success() && text(&o).matches("as signed").count() == statements.len(), "{}", text(&o));

    // Someone with the database edits the first entry and recomputes the whole chain and its head.
    let mall_id: String =
        sql::query("SELECT id FROM malls WHERE slug = 'ttu'").fetch_one(&mut Conn::Read(db)).await.unwrap();
    let rows: Vec<sql::Row> = sql::query(
        "SELECT mall_id, seq, id, at, actor_id, actor_name, action, entity, entity_id, before_json, after_json
         FROM audit_events WHERE mall_id = $1 AND seq IS NOT NULL ORDER BY seq",
    )
    .bind(&mall_id)
    .fetch_all(&mut Conn::Read(db))
    .await
    .unwrap();
    let mut links: Vec<Link> = rows
        .iter()
        .map(|r| Link {
            mall_id: mpp_domain::tenancy::MallId::new(r.text("mall_id").unwrap()),
            seq: r.int("seq").unwrap(),
            id: r.text("id").unwrap(),
            at: r.int("at").unwrap(),
            actor_id: r.text("actor_id").unwrap(),
            actor_name: r.text("actor_name").unwrap(),
            action: r.text("action").unwrap(),
            entity: r.text("entity").unwrap(),
            entity_id: r.text("entity_id").unwrap(),
            before_json: r.text("before_json").unwrap(),
            after_json: r.text("after_json").unwrap(),
        })
        .collect();
    links[0].actor_name = "Orang lain".into();
    let mut previous = String::new();
    for l in &links {
        previous = l.hash(&previous);
        let statement = sql::query("UPDATE audit_events SET actor_name = $3, hash = $4 WHERE mall_id = $1 AND id = $2");
        db.run(statement.bind(&mall_id).bind(&l.id).bind(&l.actor_name).bind(&previous)).await.unwrap();
    }
    db.run(sql::query("UPDATE audit_heads SET hash = $2 WHERE mall_id = $1").bind(&mall_id).bind(&previous))
        .await
        .unwrap();
    let o = mpp(&app, &["audit", "verify"]);
    assert!(o.status.success(), "a recomputed chain is consistent: {}", text(&o));
    let o = with_statements();
    assert!(!o.status.success() && text(&o).contains("the chain was rewritten"), "{}", text(&o));

    // A statement edited after signing is no statement.
    let first: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("0.json")).unwrap()).unwrap();
    let payload = mpp::certificate::keys::decode(first["payload"].as_str().unwrap()).unwrap();
    let edited = String::from_utf8(payload).unwrap().replace("\"seq\":", "\"seq\":1");
    let mut forged = first.clone();
    forged["payload"] = mpp::certificate::keys::encode(edited.as_bytes()).into();
    let only = std::env::temp_dir().join(format!("mpp-heads-{}", crate::helpers::unique()));
    std::fs::create_dir_all(&only).unwrap();
    std::fs::write(only.join("forged.json"), forged.to_string()).unwrap();
    let o = mpp(&app, &["audit", "verify", "--statements", only.to_str().unwrap()]);
    assert!(!o.status.success() && text(&o).contains("not a statement signed by the mall's key"), "{}", text(&o));
}
both!(signed_daily_heads_prove_a_recomputed_chain_was_rewritten);
