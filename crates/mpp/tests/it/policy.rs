//! One policy, checked on every route: the test walks every route the
//! server's router has (from the same list it is built from, not a list
//! kept here) as every kind of caller, through pages and the API, and
//! expects exactly the refusals the policy table gives. A route cannot be
//! added without an action (the router is built from `policy::Routes`),
//! and the source is checked for routes built around it.

use crate::helpers::{ADMIN, AGENCY_ADMIN, CITIZEN, OFFICER, SUPERVISOR, TestApp, both, csrf_of};
use mpp::db::sql::{self, Conn};
use mpp_domain::policy::{Who, allows, needs_login};
use reqwest::{Client, Method, StatusCode};

/// A caller: who they are in the demo mall, and how they call.
struct Caller {
    name: &'static str,
    holds: Vec<Who>,
    pages: Client,
    token: Option<String>,
    csrf: String,
}

async fn caller(app: &TestApp, name: &'static str, email: Option<&str>, roles: &[Who]) -> Caller {
    let (pages, token) = match email {
        Some(e) => (app.login(e).await, Some(crate::api::token_for(app, e).await)),
        None => (app.client(), None),
    };
    let (_, html) = app.get_text(&pages, if email.is_some() { "/akun" } else { "/masuk" }).await;
    let mut holds = vec![Who::Anyone];
    if email.is_some() {
        holds.push(Who::Citizen);
    }
    holds.extend_from_slice(roles);
    Caller { name, holds, pages, token, csrf: csrf_of(&html) }
}

/// A route's path with plausible values in its parameters.
fn concrete(template: &str) -> String {
    template
        .replace("{slug}", "ttu")
        .replace("{number}", "1")
        .replace("{registration}", "TTU-261125-0001")
        .replace("{booking}", "ABCD-EFGH")
        .replace("{code}", "KTP-EL")
        .replace("{name}", "site.css")
        .replace("{key}", "tidak-ada")
        .replace("{day}", "2026-08-17")
        .replace("{user}", "tidak-ada")
        .replace("{id}", "tidak-ada")
        .replace("{step}", "tidak-ada")
}

async fn every_route_refuses_whom_the_policy_refuses(app: TestApp) {
    crate::visit::set_clock(&app, crate::visit::WEDNESDAY_MORNING);
    crate::tenancy::second_mall(&app).await;
    let callers = [
        caller(&app, "anonymous", None, &[]).await,
        caller(&app, "citizen", Some(CITIZEN), &[]).await,
        caller(&app, "officer", Some(OFFICER), &[Who::Officer]).await,
        caller(&app, "agency admin", Some(AGENCY_ADMIN), &[Who::AgencyAdmin]).await,
        caller(&app, "mall admin", Some(ADMIN), &[Who::MallAdmin]).await,
        caller(&app, "national supervisor", Some(SUPERVISOR), &[Who::NationalSupervisor]).await,
        // Roles in another mall count for nothing here.
        caller(&app, "another mall's admin", Some("admin@kupang.example"), &[]).await,
    ];
    let mut routes = mpp::server::routes().entries().to_vec();
    // Logging out ends the caller's session: last.
    routes.sort_by_key(|e| e.path == "/keluar");
    assert!(routes.len() > 100, "the whole router: {} routes", routes.len());
    let mut refused = 0;
    for route in &routes {
        let path = concrete(&route.path);
        let api = path.starts_with("/api/");
        for c in &callers {
            let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
            let mut req = if api {
                let client = Client::new();
                let req = client.request(method.clone(), app.url(&path));
                let req = match &c.token {
                    Some(t) => req.bearer_auth(t),
                    None => req,
                };
                if method == Method::GET || method == Method::DELETE { req } else { req.json(&serde_json::json!({})) }
            } else {
                let req = c.pages.request(method.clone(), app.url(&path));
                if method == Method::GET { req } else { req.form(&[("_csrf", c.csrf.as_str())]) }
            };
            req = req.header("accept-language", "id");
            let r = req.send().await.unwrap();
            let status = r.status();
            let what = format!("{} {} as {} ({:?})", route.method, route.path, c.name, route.action);
            assert!(!status.is_server_error(), "{what}: {status}");
            if allows(&c.holds, route.action) {
                continue;
            }
            refused += 1;
            let login = c.token.is_none() && needs_login(route.action);
            match (api, login) {
                (true, true) => assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}"),
                (true, false) | (false, false) => assert_eq!(status, StatusCode::FORBIDDEN, "{what}"),
                (false, true) => {
                    assert_eq!(status, StatusCode::SEE_OTHER, "{what}");
                    assert!(r.headers()["location"].to_str().unwrap().starts_with("/masuk?next="), "{what}");
                }
            }
            if api {
                let kind = r.headers()["content-type"].to_str().unwrap().to_string();
                assert_eq!(kind, "application/problem+json", "{what}");
            }
        }
    }
    assert!(refused > 300, "{refused} refusals checked");
}
both!(every_route_refuses_whom_the_policy_refuses);

/// The router is built from `policy::Routes` alone: no module routes
/// around it, so no route can exist without an action in the table.
#[test]
fn no_route_bypasses_the_policy() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src];
    let mut offenders = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_str().unwrap();
            // stand_in.rs is not MPP's router: it is the stand-in population
            // register, a server of its own (`mpp stand-in-register`).
            if name != "policy.rs"
                && name != "stand_in.rs"
                && (text.contains("axum::routing") || text.contains(".route(") || text.contains("Router::new()"))
            {
                offenders.push(path.display().to_string());
            }
        }
    }
    assert!(offenders.is_empty(), "routes built outside policy::Routes: {offenders:?}");
}

/// The national supervisor, read-only by definition, was refused by the
/// greeter page but could issue tickets through the API: both doors are
/// one action now.
async fn the_supervisor_issues_no_ticket_through_any_door(app: TestApp) {
    crate::visit::set_clock(&app, crate::visit::WEDNESDAY_MORNING);
    let issue_as = |email: &'static str| {
        let app = &app;
        async move {
            let token = crate::api::token_for(app, email).await;
            let body = serde_json::json!({"services": ["KTP-EL"]});
            let r = Client::new().post(app.url("/api/v1/malls/ttu/tickets")).bearer_auth(&token).json(&body);
            r.send().await.unwrap().status()
        }
    };
    assert_eq!(issue_as(SUPERVISOR).await, StatusCode::FORBIDDEN);
    let supervisor = app.login(SUPERVISOR).await;
    assert_eq!(app.get(&supervisor, "/m/ttu/penyambut").await.status(), StatusCode::FORBIDDEN);
    // Staff still can, through both.
    assert_eq!(issue_as(OFFICER).await, StatusCode::CREATED);
}
both!(the_supervisor_issues_no_ticket_through_any_door);

/// Every route that may change something names an action that writes,
/// and every such action leaves a trail (the audit trail, or the thing's
/// own append-only records, named in docs/POLICY.md).
#[test]
fn every_write_route_is_a_writing_action() {
    for route in mpp::server::routes().entries() {
        if route.method != axum::http::Method::GET {
            assert!(mpp_domain::policy::writes(route.action), "{} {} is {:?}", route.method, route.path, route.action);
        }
    }
}

/// The rows the guard wrote for requests: (mall id, route).
async fn requests_on_record(app: &TestApp) -> Vec<(String, String)> {
    sql::query("SELECT mall_id, entity_id FROM audit_events WHERE entity = 'request'")
        .fetch_all(&mut Conn::Read(&app.state.db))
        .await
        .unwrap()
}

/// The changes the outside check found unrecorded (an API token made, a
/// counter closed with visitors waiting), then every write route whose
/// changes go to the audit trail, called by a caller allowed to: a success
/// leaves its row (or the handler's own detailed one), a refusal none.
async fn every_audited_write_is_on_record(app: TestApp) {
    use mpp_domain::policy::{Trail, trail};
    crate::visit::set_clock(&app, crate::visit::WEDNESDAY_MORNING);
    // An API token made on the account page: on the deployment's record.
    let citizen = app.login(CITIZEN).await;
    let r = app.post_form(&citizen, "/akun", "/akun/token", &[("name", "aplikasi desa")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let rows = requests_on_record(&app).await;
    assert!(rows.iter().any(|(m, r)| m.is_empty() && r == "POST /akun/token"), "{rows:?}");

    // A counter closed by the mall's admin while visitors wait.
    crate::visit::kiosk_ticket(&app, "KTP-EL", "none").await;
    let admin = app.login(ADMIN).await;
    for status in ["open", "closed"] {
        let r = app.post_form(&admin, "/m/ttu/loket/1", "/m/ttu/loket/1/status", &[("status", status)]).await;
        assert!(r.status().is_redirection(), "{status}: {}", r.status());
    }
    let closes: i64 = sql::query(
        "SELECT COUNT(*) FROM audit_events WHERE entity = 'request' AND entity_id = 'POST /m/{slug}/loket/{number}/status' AND actor_name LIKE '%admin@demo.mpp.id%'",
    )
    .fetch_one(&mut Conn::Read(&app.state.db))
    .await
    .unwrap();
    assert_eq!(closes, 2, "opening and closing are on record");
    let (_, trail_page) = app.get_text(&admin, "/m/ttu/admin/audit").await;
    assert!(trail_page.contains("/m/ttu/loket/1/status"), "the audit page shows it: {trail_page}");

    // Then every audited write route (an empty form may close the mall's
    // hours: the specific cases above came first).
    let callers = [
        caller(&app, "mall admin", Some(ADMIN), &[Who::MallAdmin]).await,
        caller(&app, "officer", Some(OFFICER), &[Who::Officer]).await,
    ];
    let mut audited = 0;
    for route in mpp::server::routes().entries() {
        if route.method == axum::http::Method::GET || trail(route.action) != Trail::Audit || route.path == "/keluar" {
            continue;
        }
        let Some(c) = callers.iter().find(|c| allows(&c.holds, route.action)) else { continue };
        let path = concrete(&route.path);
        let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let before = requests_on_record(&app).await.len();
        let r = if path.starts_with("/api/") {
            Client::new()
                .request(method, app.url(&path))
                .bearer_auth(c.token.as_ref().unwrap())
                .json(&serde_json::json!({}))
                .send()
                .await
                .unwrap()
        } else {
            c.pages.request(method, app.url(&path)).form(&[("_csrf", c.csrf.as_str())]).send().await.unwrap()
        };
        let rows = requests_on_record(&app).await;
        let key = format!("{} {}", route.method, route.path);
        let mine = rows[before..].iter().filter(|(_, r)| *r == key).count();
        let changed = r.status().is_success() || r.status().is_redirection();
        let detailed: i64 = sql::query("SELECT COUNT(*) FROM audit_events WHERE entity <> 'request'")
            .fetch_one(&mut Conn::Read(&app.state.db))
            .await
            .unwrap();
        assert!(!changed || mine == 1 || detailed > 0, "{key} answered {} and left no trail", r.status());
        assert!(changed || mine == 0, "{key} was refused ({}) but recorded", r.status());
        audited += 1;
    }
    assert!(audited > 30, "{audited} audited write routes called");
}
both!(every_audited_write_is_on_record);
