//! The staff page: a manager adds an officer with a password link, places
//! them at a counter and removes them when they leave; an agency admin
//! manages only their own agency; nobody changes themselves; every change
//! is on the audit trail; a grant cannot exist without its user.

use crate::helpers::{ADMIN, AGENCY_ADMIN, CITIZEN, DEMO_PASSWORD, OFFICER, SUPERVISOR, TestApp, both};
use mpp::db::sql::{self, Conn};
use reqwest::{Client, StatusCode};

const PAGE: &str = "/m/ttu/admin/staf";

/// Adds someone on the staff page as `by`; returns the answer.
async fn add(app: &TestApp, by: &Client, email: &str, name: &str, role: &str, agency: &str) -> reqwest::Response {
    app.post_form(by, PAGE, PAGE, &[("email", email), ("name", name), ("role", role), ("agency", agency)]).await
}

/// The password link shown once on a member's page.
fn link_on(html: &str) -> Option<String> {
    Some(html.split("<code class=\"token\">").nth(1)?.split('<').next()?.to_string())
}

/// (counter id, number) of the checkboxes on a member's page.
fn counters_on(html: &str) -> Vec<(String, String)> {
    html.split("name=\"counter\" value=\"")
        .skip(1)
        .map(|s| {
            let id = s.split('"').next().unwrap().to_string();
            let number = s.split("Loket ").nth(1).unwrap().split(' ').next().unwrap().to_string();
            (id, number)
        })
        .collect()
}

async fn a_manager_adds_places_and_removes_an_officer(app: TestApp) {
    let admin = app.login(ADMIN).await;
    let r = add(&app, &admin, "Siti@TTU.go.id", "Siti Nurhaliza", "officer", "dukcapil").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let member = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = app.get_text(&admin, &member).await;
    let link = link_on(&html).expect("the new member's password link is shown once");
    assert!(html.contains("Siti Nurhaliza") && html.contains("siti@ttu.go.id") && html.contains("Petugas loket"));
    let (_, again) = app.get_text(&admin, &member).await;
    assert!(link_on(&again).is_none(), "and only once");

    // The new officer sets a password with the link and works a counter.
    let siti = app.client();
    let path = link.trim_start_matches(&app.base).to_string();
    let fields = [("password", DEMO_PASSWORD), ("password_again", DEMO_PASSWORD)];
    assert_eq!(app.post_form(&siti, &path, &path, &fields).await.status(), StatusCode::SEE_OTHER);
    let siti = app.login("siti@ttu.go.id").await;
    let (status, choose) = app.get_text(&siti, "/m/ttu/loket").await;
    assert_eq!(status, StatusCode::OK);
    assert!(choose.contains("/m/ttu/loket/1") && choose.contains("/m/ttu/loket/2"), "any Dukcapil counter");
    assert!(!choose.contains("/m/ttu/loket/6\""), "not Samsat's");

    // Placed at counter 2 only.
    let offered = counters_on(&again);
    assert_eq!(offered.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(), ["1", "2", "3"], "Dukcapil's counters");
    let two = offered.iter().find(|(_, n)| n == "2").unwrap().0.clone();
    let r = app.post_form(&admin, &member, &format!("{member}/loket"), &[("counter", &two)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get(&siti, "/m/ttu/loket/2").await.status(), StatusCode::OK);
    assert_eq!(app.get(&siti, "/m/ttu/loket/1").await.status(), StatusCode::FORBIDDEN, "only where placed");
    let (_, list) = app.get_text(&admin, PAGE).await;
    assert!(list.contains("Siti Nurhaliza"), "{list}");
    // A counter of another agency cannot be hers.
    let samsat: String =
        sql::query("SELECT id FROM counters WHERE number = 6").fetch_one(&mut Conn::Read(&app.state.db)).await.unwrap();
    let r = app.post_form(&admin, &member, &format!("{member}/loket"), &[("counter", &samsat)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // She leaves: roles, counters, session and API tokens go.
    let token = crate::api::token_for(&app, "siti@ttu.go.id").await;
    let r = app.post_form(&admin, &member, &format!("{member}/keluarkan"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, list) = app.get_text(&admin, r.headers()["location"].to_str().unwrap()).await;
    assert!(list.contains("siti@ttu.go.id telah dikeluarkan"), "{list}");
    let (_, again) = app.get_text(&admin, PAGE).await;
    assert!(!again.contains("telah dikeluarkan"), "said once");
    let (_, forged) = app.get_text(&admin, &format!("{PAGE}?keluar=Admin+MPP")).await;
    assert!(!forged.contains("telah dikeluarkan"), "an address cannot make the page say it");
    assert!(!list.contains(&member), "no longer listed");
    assert_ne!(app.get(&siti, "/m/ttu/loket/2").await.status(), StatusCode::OK, "her session ended");
    let api = Client::new().get(app.url("/api/v1/malls/ttu/queue-settings")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED, "her token ended");
    let placed: i64 =
        sql::query("SELECT COUNT(*) FROM staff_counters").fetch_one(&mut Conn::Read(&app.state.db)).await.unwrap();
    assert_eq!(placed, 0, "no placement outlives the role");

    // Every change is on the trail, with before and after.
    let trail: Vec<(String, String, String)> =
        sql::query("SELECT action, before_json, after_json FROM audit_events WHERE entity = 'staff' ORDER BY at, id")
            .fetch_all(&mut Conn::Read(&app.state.db))
            .await
            .unwrap();
    let actions: Vec<&str> = trail.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(actions, ["create", "update", "delete"], "{trail:?}");
    assert!(trail[1].2.contains(&two) && trail[2].1.contains("officer") && trail[2].2.is_empty(), "{trail:?}");
}
both!(a_manager_adds_places_and_removes_an_officer);

/// A fraudster's way into a citizen's account: add them as staff, then ask
/// for a password link. The link goes to the citizen's email only.
async fn a_password_link_for_an_account_in_use_is_never_shown(app: TestApp) {
    let admin = app.login(ADMIN).await;
    let r = add(&app, &admin, CITIZEN, "", "officer", "dukcapil").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "an existing account gets the role");
    let member = r.headers()["location"].to_str().unwrap().to_string();
    let (_, page) = app.get_text(&admin, &member).await;
    assert!(link_on(&page).is_none(), "no link for an account that has a password");
    let r = app.post_form(&admin, &member, &format!("{member}/sandi"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_text(&admin, &member).await;
    assert!(link_on(&page).is_none() && page.contains("Tautan kata sandi dikirim ke warga@demo.mpp.id"), "{page}");
    assert!(!page.contains("/atur-sandi/"), "not anywhere on the page");
    // The citizen's own password still works.
    app.login(CITIZEN).await;
}
both!(a_password_link_for_an_account_in_use_is_never_shown);

async fn an_agency_admin_manages_only_their_agency(app: TestApp) {
    let admin = app.login(ADMIN).await;
    let r = add(&app, &admin, "budi@samsat.go.id", "Budi", "officer", "samsat").await;
    let budi = r.headers()["location"].to_str().unwrap().to_string();
    let dukcapil = app.login(AGENCY_ADMIN).await;
    let (status, list) = app.get_text(&dukcapil, PAGE).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!list.contains("Budi"), "another agency's officer is not theirs to see");
    assert!(!list.contains("role-mall_admin"), "no manager role offered");
    assert_eq!(app.get(&dukcapil, &budi).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.post_form(&dukcapil, PAGE, &format!("{budi}/keluarkan"), &[]).await.status(), StatusCode::NOT_FOUND);
    for (role, agency) in [("mall_admin", ""), ("officer", "samsat"), ("national_supervisor", "")] {
        let r = add(&app, &dukcapil, "ani@ttu.go.id", "Ani", role, agency).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{role} at {agency}");
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"ani@ttu.go.id\"") && html.contains("value=\"Ani\""), "what was typed stays");
    }
    let r = add(&app, &dukcapil, "ani@ttu.go.id", "Ani", "officer", "dukcapil").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "their own agency's officer");
    let ani = r.headers()["location"].to_str().unwrap().to_string();
    // Budi also works for Dukcapil now: still not the Dukcapil admin's to remove.
    let r =
        app.post_form(&admin, &budi, &format!("{budi}/peran"), &[("role", "officer"), ("agency", "dukcapil")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.post_form(&dukcapil, PAGE, &format!("{budi}/keluarkan"), &[]).await.status(), StatusCode::FORBIDDEN);
    let (_, page) = app.get_text(&dukcapil, &budi).await;
    assert!(!page.contains("/keluarkan") && page.contains("/peran/cabut"), "may take back only the Dukcapil role");
    assert_eq!(app.post_form(&dukcapil, &ani, &format!("{ani}/keluarkan"), &[]).await.status(), StatusCode::SEE_OTHER);
}
both!(an_agency_admin_manages_only_their_agency);

async fn nobody_changes_themselves_and_others_only_read(app: TestApp) {
    let admin = app.login(ADMIN).await;
    let me: String = sql::query("SELECT id FROM users WHERE email = $1")
        .bind(ADMIN)
        .fetch_one(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
    let mine = format!("{PAGE}/{me}");
    for (action, fields) in [("keluarkan", vec![]), ("peran/cabut", vec![("role", "mall_admin"), ("agency_id", "")])] {
        let r = app.post_form(&admin, &mine, &format!("{mine}/{action}"), &fields).await;
        assert_eq!(r.status(), StatusCode::CONFLICT, "{action}");
    }
    let r = add(&app, &admin, ADMIN, "", "officer", "dukcapil").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "nor through the add form");
    let officer = app.login(OFFICER).await;
    assert_eq!(app.get(&officer, PAGE).await.status(), StatusCode::FORBIDDEN);
    let supervisor = app.login(SUPERVISOR).await;
    let (status, list) = app.get_text(&supervisor, PAGE).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(ADMIN) && !list.contains("name=\"email\""), "reads everyone, adds nobody");
    assert_eq!(add(&app, &supervisor, "x@ttu.go.id", "X", "officer", "dukcapil").await.status(), StatusCode::FORBIDDEN);
    // A grant cannot exist without its user.
    let orphan = app
        .state
        .db
        .run(sql::query(
            "INSERT INTO mall_roles (mall_id, user_id, role, agency_id) SELECT id, 'nobody', 'officer', '' FROM malls",
        ))
        .await;
    assert!(orphan.is_err(), "the database refuses a grant for no user");
}
both!(nobody_changes_themselves_and_others_only_read);
