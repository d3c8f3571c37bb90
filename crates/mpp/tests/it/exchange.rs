//! The exchange between agencies' systems: a BPJS system registered with
//! its key asks, through `mpp exchange`, for what the citizen gave once;
//! it is answered under the citizen's live consent for its application or
//! under the legal basis the mall gave it, refused otherwise; every read is
//! on the citizen's access log and every answered request is logged with
//! both signatures. Forged, replayed, stale and misaddressed requests are
//! refused before anything is read.

use crate::application::NIK;
use crate::cli::{mpp, text};
use crate::helpers::{ADMIN, CITIZEN, TestApp, both, csrf_of};
use crate::visit::set_clock;
use mpp::db::sql::{self, Conn};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const NOW: &str = "2026-11-25T09:00:00+08:00";

fn pdf(name: &str) -> Part {
    let bytes = format!("%PDF-1.4\n% {name}\n%%EOF\n").into_bytes();
    Part::bytes(bytes).file_name(format!("{name}.pdf")).mime_str("application/pdf").unwrap()
}

/// The demo citizen with her NIK verified by the (stand-in) register, a KK
/// kept, and the birth bundle filed with it and consented: the number of
/// the BPJS application.
async fn citizen_with_a_bundle(app: &TestApp) -> String {
    let register = crate::profile::stand_in_register().await;
    let server = crate::profile::with_register(app, &register, "register-token-for-tests").await;
    let citizen = server.login(CITIZEN).await;
    let details = [
        ("nik", NIK),
        ("full_name", "Maria Bano"),
        ("birth_date", "1990-03-12"),
        ("kk", "5304011220000007"),
        ("region", "53.03.05.1003"),
        ("street", "Jl. Sonbai RT 01/RW 02"),
        ("phone", "0812 3456 7890"),
    ];
    let r = server.post_form(&citizen, "/akun/profil", "/akun/profil", &details).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_text(&citizen, "/akun/dokumen").await;
    let form = Form::new().text("kind", "kk").text("expires_on", "").part("file", pdf("kk-maria"));
    let r =
        citizen.post(app.url(&format!("/akun/dokumen?_csrf={}", csrf_of(&html)))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = "/m/ttu/paket/KELAHIRAN/ajukan";
    let (_, html) = app.get_text(&citizen, page).await;
    let kept = html.split("id=\"f-doc_kk-kept\"").nth(1).unwrap().split("<option value=\"").nth(2).unwrap();
    let kept = kept.split('"').next().unwrap().to_string();
    let form = crate::helpers::ticked().into_iter().fold(Form::new(), |f, (k, v)| f.text(k, v));
    let form = form
        .text("applicant_nik", NIK)
        .text("kk_number", "5304011220000007")
        .text("child_name", "Yohana Bano")
        .text("child_birth_date", "2026-11-20")
        .text("child_sex", "Perempuan")
        .text("birth_place", "53.03.05.1003")
        .text("mother_name", "Maria Bano")
        .text("faskes", "Puskesmas Sasi")
        .text("jkn_class", "Kelas 3")
        .text("doc_kk", kept)
        .text("consent", "1")
        .part("doc_birth_letter", pdf("surat-lahir"))
        .part("doc_parent_ktp", pdf("ktp"));
    let r = citizen.post(app.url(&format!("{page}?_csrf={}", csrf_of(&html)))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    sql::query(
        "SELECT a.number FROM applications a JOIN services s ON s.mall_id = a.mall_id AND s.id = a.service_id
         WHERE s.code = 'JKN-DAFTAR'",
    )
    .fetch_one(&mut Conn::Read(&app.state.db))
    .await
    .unwrap()
}

/// A system of BPJS Kesehatan registered by the mall's manager through
/// the API, with a key `mpp exchange keygen` made: (its id, its key file).
async fn bpjs_system(app: &TestApp, legal_basis: &str) -> (String, std::path::PathBuf) {
    system(app, "bpjs-kes", legal_basis).await
}

async fn system(app: &TestApp, agency: &str, legal_basis: &str) -> (String, std::path::PathBuf) {
    let key = app.dir.join(format!("{agency}-{}.key", crate::helpers::unique()));
    let o = mpp(app, &["exchange", "keygen", "--out", key.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let public = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let token = crate::api::token_for(app, ADMIN).await;
    let name = if agency == "bpjs-kes" { "Sistem Kepesertaan JKN" } else { "Sistem lain" };
    let body = json!({"agency": agency, "name": name, "public_key": public,
                      "legal_basis": legal_basis, "active": true});
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/malls/ttu/exchange-clients"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let row: Value = r.json().await.unwrap();
    (row["id"].as_str().unwrap().to_string(), key)
}

fn ask(app: &TestApp, client: &str, key: &std::path::Path, wants: &[&str], application: Option<&str>) -> (i32, String) {
    ask_about(app, client, key, NIK, wants, application)
}

fn ask_about(
    app: &TestApp,
    client: &str,
    key: &std::path::Path,
    nik: &str,
    wants: &[&str],
    application: Option<&str>,
) -> (i32, String) {
    let mut args = vec![
        "exchange", "request", "--server", &app.base, "--mall", "ttu", "--client", client, "--nik", nik, "--at", NOW,
    ];
    let key = key.to_str().unwrap();
    args.extend(["--key", key]);
    for w in wants {
        args.extend(["--want", w]);
    }
    if let Some(number) = application {
        args.extend(["--application", number]);
    }
    let o = mpp(app, &args);
    (o.status.code().unwrap_or(-1), text(&o))
}

async fn exchanges(app: &TestApp) -> Vec<(i64, String, String, String)> {
    sql::query("SELECT status, basis, request_signature, response_signature FROM exchanges ORDER BY at, id")
        .fetch_all(&mut Conn::Read(&app.state.db))
        .await
        .unwrap()
}

async fn reads_by_systems(app: &TestApp) -> Vec<(String, String, String)> {
    sql::query("SELECT what, purpose, reader_name FROM access_log WHERE reader_id LIKE 'exchange:%' ORDER BY seq")
        .fetch_all(&mut Conn::Read(&app.state.db))
        .await
        .unwrap()
}

async fn a_system_reads_under_a_consent_or_a_legal_basis_and_never_without(app: TestApp) {
    set_clock(&app, NOW);
    let number = citizen_with_a_bundle(&app).await;
    let (client, key) = bpjs_system(&app, "").await;

    // Under the consent the citizen gave BPJS for its application: the
    // kept document she chose on it, and nothing beyond.
    let (code, out) = ask(&app, &client, &key, &["document:kk"], Some(&number));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("signature verified") && !out.contains("full_name"), "{out}");
    let content = out.split("\"content\": \"").nth(1).unwrap().split('"').next().unwrap();
    let file = mpp::certificate::keys::decode(content).unwrap();
    assert_eq!(file, b"%PDF-1.4\n% kk-maria\n%%EOF\n", "the kept KK, opened from the vault");
    let reads = reads_by_systems(&app).await;
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert!(reads.iter().all(|(_, purpose, who)| purpose == "consent" && who == "Sistem Kepesertaan JKN"));
    let logged = exchanges(&app).await;
    assert_eq!(logged.len(), 1);
    assert!(logged[0].0 == 200 && logged[0].2.contains("..") && logged[0].3.contains(".."), "{logged:?}");
    for beyond in [&["profile"][..], &["documents"], &["document:kk", "profile"]] {
        let (code, out) = ask(&app, &client, &key, beyond, Some(&number));
        assert!(
            code == 1 && out.contains("status 409") && out.contains("exchange-beyond_consent"),
            "{beyond:?}: {out}"
        );
    }
    assert_eq!(reads_by_systems(&app).await.len(), 1, "nothing beyond the consent was read");

    // The citizen reads who it was, what, and why.
    let citizen = app.login(CITIZEN).await;
    let (_, history) = app.get_text(&citizen, "/akun/riwayat-akses").await;
    assert!(
        history.contains("Sistem Kepesertaan JKN")
            && history.contains(&format!("persetujuan yang Anda berikan untuk permohonan {number}")),
        "{history}"
    );

    // Without an application (and no legal basis), for one whose consent
    // is not this agency's, or for a NIK nobody verified: one refusal,
    // signed and logged, nothing read (a system cannot tell who has an account).
    let (code, out) = ask(&app, &client, &key, &["document:kk"], None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("status 409") && out.contains("signature verified"), "{out}");
    let dukcapil: String = sql::query("SELECT purpose_ref FROM consents c JOIN agencies g ON g.mall_id = c.mall_id AND g.id = c.agency_id WHERE g.code = 'dukcapil' LIMIT 1")
        .fetch_one(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
    let (code, same) = ask(&app, &client, &key, &["document:kk"], Some(&dukcapil));
    assert_eq!(code, 1);
    let detail = |out: &str| out.split("\"detail\"").nth(1).unwrap().split('\n').next().unwrap().to_string();
    assert_eq!(detail(&same), detail(&out));
    let (code, nobody) = ask_about(&app, &client, &key, "5304011507850002", &["document:kk"], Some(&number));
    assert!(code == 1 && detail(&nobody) == detail(&out), "{nobody}");
    assert_eq!(reads_by_systems(&app).await.len(), 1);

    // The consent withdrawn: the next request is refused at once.
    let consent: String = sql::query("SELECT c.id FROM consents c JOIN agencies g ON g.mall_id = c.mall_id AND g.id = c.agency_id WHERE g.code = 'bpjs-kes'")
        .fetch_one(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
    let r = app.post_form(&citizen, "/akun/persetujuan", &format!("/akun/persetujuan/{consent}/tarik"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (code, _) = ask(&app, &client, &key, &["document:kk"], Some(&number));
    assert_eq!(code, 1);
    assert_eq!(reads_by_systems(&app).await.len(), 1);

    // A system the mall gave a legal basis reads without a consent the
    // citizens its agency serves here, and the log names the law.
    let (lawful, lawful_key) = bpjs_system(&app, "Perpres 82/2018 Pasal 13").await;
    let (code, out) = ask(&app, &lawful, &lawful_key, &["profile", "documents"], None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\"full_name\": \"Maria Bano\"") && out.contains("\"kind\": \"kk\""), "{out}");
    assert!(!out.contains("\"content\""), "the list, not the files: {out}");
    let reads = reads_by_systems(&app).await;
    assert_eq!(reads.len(), 3);
    assert_eq!(reads.last().unwrap().1, "legal_basis");
    let (_, history) = app.get_text(&citizen, "/akun/riwayat-akses").await;
    assert!(history.contains("Perpres 82/2018 Pasal 13") && history.contains("data diri (NIK"), "{history}");
    // Not a citizen the agency does not serve here: the tax office's system,
    // with a legal basis of its own, has no application of hers.
    let (tax, tax_key) = system(&app, "pajak", "UU KUP Pasal 35A").await;
    let (code, out) = ask(&app, &tax, &tax_key, &["profile"], None);
    assert!(code == 1 && detail(&out) == detail(&same), "{out}");

    // A kind the citizen does not keep: not found, nothing read.
    let (code, out) = ask(&app, &lawful, &lawful_key, &["document:npwp"], None);
    assert!(code == 1 && out.contains("status 404"), "{out}");
    assert_eq!(reads_by_systems(&app).await.len(), 3);

    // The citizen's export holds the requests about them and the bundle they filed.
    let zip = app.get(&citizen, "/akun/data-saya/arsip.zip").await.bytes().await.unwrap().to_vec();
    let has = |s: &str| zip.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(
        has("\"exchanges\"") && has("Sistem Kepesertaan JKN") && has(&logged[0].2),
        "the export names the system and keeps its signature"
    );
    assert!(has("KELAHIRAN") && has(&number), "the bundle and its applications");

    // The mall's managers read the exchange log, hashes and signatures; officers do not.
    let admin = app.login(ADMIN).await;
    let (status, page) = app.get_text(&admin, "/m/ttu/admin/pertukaran").await;
    assert_eq!(status, StatusCode::OK);
    let first = &exchanges(&app).await[0];
    assert!(page.contains("Sistem Kepesertaan JKN") && page.contains(&first.2) && page.contains(&first.3), "{page}");
    assert!(!page.contains(NIK), "whom it was about is not on the log page");
    let officer = app.login(crate::helpers::OFFICER).await;
    assert_eq!(app.get(&officer, "/m/ttu/admin/pertukaran").await.status(), StatusCode::FORBIDDEN);

    // Both chains still hold.
    let o = mpp(&app, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
}
both!(a_system_reads_under_a_consent_or_a_legal_basis_and_never_without);

async fn forged_replayed_stale_or_misaddressed_requests_read_nothing(app: TestApp) {
    set_clock(&app, NOW);
    citizen_with_a_bundle(&app).await;
    let (client, key_file) = bpjs_system(&app, "Perpres 82/2018 Pasal 13").await;
    let key = mpp::exchange::client::load_key(&key_file).unwrap();
    let iat =
        time::OffsetDateTime::parse(NOW, &time::format_description::well_known::Rfc3339).unwrap().unix_timestamp();
    let body = serde_json::to_vec(&json!({"nik": NIK, "want": ["profile"]})).unwrap();
    let http = reqwest::Client::new();
    let url = app.url("/api/v1/malls/ttu/exchange");
    let send = |signature: Option<String>, body: Vec<u8>, url: String| {
        let mut r = http.post(url).header("content-type", "application/json").body(body);
        if let Some(s) = signature {
            r = r.header("x-mpp-signature", s);
        }
        r.send()
    };
    let sign = |jti: &str, iat: i64, body: &[u8]| mpp::exchange::client::sign(&key, &client, iat, jti, body).unwrap();

    let good = sign("j-1", iat, &body);
    let answered = send(Some(good.clone()), body.clone(), url.clone()).await.unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    // An outside JOSE library checks both signatures: the request's with
    // the system's key, the answer's with the key the mall publishes.
    let reply = answered.headers()["x-mpp-signature"].to_str().unwrap().to_string();
    let answer = answered.bytes().await.unwrap();
    let jwks: Value = http.get(app.url("/api/v1/malls/ttu/signing-keys")).send().await.unwrap().json().await.unwrap();
    let public = mpp::certificate::keys::encode(key.verifying_key().as_bytes());
    let dir = app.dir.join("jws");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in [
        ("request.json", body.as_slice()),
        ("request.jws", good.as_bytes()),
        ("answer.json", &answer[..]),
        ("answer.jws", reply.as_bytes()),
        ("jwks.json", jwks.to_string().as_bytes()),
        ("system.key", public.as_bytes()),
    ] {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let script = "import base64,json,sys,os\n\
        from joserfc import jws\nfrom joserfc.jwk import OKPKey\nfrom joserfc.jws import JWSRegistry\n\
        d=sys.argv[1]; r=lambda n: open(os.path.join(d,n),'rb').read()\n\
        b64=lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()\n\
        from joserfc.registry import HeaderParameter as P\n\
        reg=JWSRegistry(algorithms=['Ed25519'], header_registry={'iat': P('issued at', 'int', True), 'jti': P('request id', 'str'), 'in_reply_to': P('answers', 'str')})\n\
        def check(sig, body, x): h,_,s=sig.decode().split('.'); return jws.deserialize_compact(h+'.'+b64(body)+'.'+s, OKPKey.import_key({'kty':'OKP','crv':'Ed25519','x':x}), registry=reg).headers()\n\
        q=check(r('request.jws'), r('request.json'), r('system.key').decode())\n\
        kid=json.loads(base64.urlsafe_b64decode(r('answer.jws').decode().split('.')[0]+'=='))['kid']\n\
        x=[k['x'] for k in json.loads(r('jwks.json'))['keys'] if k['kid']==kid][0]\n\
        a=check(r('answer.jws'), r('answer.json'), x)\n\
        print('request', q['jti'], 'answer in reply to', a['in_reply_to'])\n";
    let said = crate::helpers::run_checker(&["-c", script, dir.to_str().unwrap()]);
    assert!(said.contains("request j-1 answer in reply to j-1"), "{said}");
    // The same request again: refused, nothing read.
    let again = send(Some(good), body.clone(), url.clone()).await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    // Unsigned; signed over another body; a stale or future iat; another
    // system's id; signed with a key the mall does not know.
    let other = serde_json::to_vec(&json!({"nik": NIK, "want": ["profile", "documents"]})).unwrap();
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let cases = [
        (None, body.clone()),
        (Some(sign("j-2", iat, &body)), other.clone()),
        (Some(sign("j-3", iat - 301, &body)), body.clone()),
        (Some(sign("j-4", iat + 301, &body)), body.clone()),
        (Some(mpp::exchange::client::sign(&key, "no-such-system", iat, "j-5", &body).unwrap()), body.clone()),
        (Some(mpp::exchange::client::sign(&stranger, &client, iat, "j-6", &body).unwrap()), body.clone()),
        (Some(sign("", iat, &body)), body.clone()),
        (Some("not a jws".to_string()), body.clone()),
    ];
    for (i, (signature, body)) in cases.into_iter().enumerate() {
        let r = send(signature, body, url.clone()).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "case {i}");
        let problem: Value = r.json().await.unwrap();
        assert!(problem["type"].as_str().unwrap().starts_with("/problems/exchange-"), "{problem}");
    }
    // A request for another mall's address: its system is not registered there.
    let lain = sql::query("SELECT COUNT(*) FROM malls WHERE slug = 'lain'")
        .fetch_one::<i64>(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
    let elsewhere =
        send(Some(sign("j-7", iat, &body)), body.clone(), app.url("/api/v1/malls/lain/exchange")).await.unwrap();
    assert_eq!(elsewhere.status(), if lain > 0 { StatusCode::UNAUTHORIZED } else { StatusCode::NOT_FOUND });
    // Two requests with one jti at once: one answer, one refusal, read once.
    let twice = sign("j-10", iat, &body);
    let (a, b) = tokio::join!(
        send(Some(twice.clone()), body.clone(), url.clone()),
        send(Some(twice), body.clone(), url.clone())
    );
    let mut statuses = [a.unwrap().status(), b.unwrap().status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    // Not JSON (the edge checks only JSON text for control characters): refused before anything.
    let plain = http
        .post(url.clone())
        .header("content-type", "text/plain")
        .header("x-mpp-signature", sign("j-11", iat, b"{\"nik\":\"\\u0000\"}"))
        .body(b"{\"nik\":\"\\u0000\"}".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::BAD_REQUEST);
    // A body that is not the request: refused, signed and logged.
    let junk = b"{\"nik\": 1}".to_vec();
    let r = send(Some(sign("j-8", iat, &junk)), junk, url.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().contains_key("x-mpp-signature"));

    assert_eq!(reads_by_systems(&app).await.len(), 2, "only the two answered requests read anything");
    let statuses: Vec<i64> = exchanges(&app).await.into_iter().map(|e| e.0).collect();
    assert_eq!(statuses, [200, 200, 400]);
    // A small-order point is not a key anyone may register: anyone could sign as it.
    let token = crate::api::token_for(&app, ADMIN).await;
    let weak = json!({"agency": "bpjs-kes", "name": "Kunci lemah", "active": true,
                      "public_key": "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"});
    let r =
        http.post(app.url("/api/v1/malls/ttu/exchange-clients")).bearer_auth(&token).json(&weak).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A system turned off is refused.
    let row: Value = http
        .get(app.url(&format!("/api/v1/malls/ttu/exchange-clients/{client}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut input = row.clone();
    for k in ["id", "updated_at"] {
        input.as_object_mut().unwrap().remove(k);
    }
    input["active"] = json!(false);
    let r = http
        .put(app.url(&format!("/api/v1/malls/ttu/exchange-clients/{client}")))
        .bearer_auth(&token)
        .json(&input)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let r = send(Some(sign("j-9", iat, &body)), body.clone(), url.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The demo's system signs with the key file the walkthrough names.
    let listed: Value = http
        .get(app.url("/api/v1/malls/ttu/exchange-clients"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let demo = listed.as_array().unwrap().iter().find(|c| c["name"].as_str().unwrap().ends_with("(demo)")).unwrap();
    let demo_key = mpp::exchange::client::load_key(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/demo/bpjs-system.key"
    )));
    assert_eq!(demo["public_key"], mpp::certificate::keys::encode(demo_key.unwrap().verifying_key().as_bytes()));
    // Systems are the managers' to register: an officer's token is refused, and nobody lists them without one.
    let officer = crate::api::token_for(&app, crate::helpers::OFFICER).await;
    let r = http.get(app.url("/api/v1/malls/ttu/exchange-clients")).bearer_auth(&officer).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = http.get(app.url("/api/v1/malls/ttu/exchange-clients")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
both!(forged_replayed_stale_or_misaddressed_requests_read_nothing);
