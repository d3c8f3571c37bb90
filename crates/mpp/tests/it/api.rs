//! The JSON API: the OpenAPI document (checked by an outside validator and
//! by calling every operation it lists), token-authenticated writes, and
//! problem documents for every kind of bad request.

use crate::helpers::{ADMIN, AGENCY_ADMIN, TestApp, both, run_checker};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// Logs in on the page and makes an API token, as a user would on /akun.
pub async fn token_for(app: &TestApp, email: &str) -> String {
    let c = app.login(email).await;
    let r = app.post_form(&c, "/akun", "/akun/token", &[("name", "integration test")]).await;
    let html = r.text().await.unwrap();
    html.split("<code class=\"token\">").nth(1).unwrap().split('<').next().unwrap().to_string()
}

fn service(code: &str, agency: &str) -> Value {
    json!({
        "agency": agency, "code": code, "name_id": "Layanan Lewat API", "name_en": "Service via the API",
        "aliases": "lewat api", "requirements_id": "KTP\nKK", "procedure_id": "Daftar\nTunggu",
        "completion_time_id": "2 hari kerja", "sla_days": 2, "cost_rupiah": 0, "product_id": "Surat",
        "complaint_id": "SP4N-LAPOR!", "channels": ["online", "counter"], "queue_prefix": "Q", "active": true
    })
}

async fn the_openapi_document_is_valid_and_complete(app: TestApp) {
    let c = Client::new();
    let doc: Value = c.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let file = std::env::temp_dir().join(format!("mpp-openapi-{}.json", crate::helpers::unique()));
    std::fs::write(&file, doc.to_string()).unwrap();
    run_checker(&["-m", "openapi_spec_validator", file.to_str().unwrap()]);
    let _ = std::fs::remove_file(&file);
    // Every documented operation exists: public reads answer 200, the rest
    // ask for a token (401) — none is 404 or 405.
    let facility = c.get(app.url("/api/v1/malls/ttu/facilities")).send().await.unwrap().json::<Value>().await.unwrap()
        [0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A real ticket, so that reading one answers 200.
    crate::visit::set_clock(&app, crate::visit::WEDNESDAY_MORNING);
    let ticket = crate::visit::kiosk_ticket(&app, "KTP-EL", "none").await;
    // Each parameter is named for what it picks, the same name wherever
    // that collection appears, and filled here by the collection before it.
    let mut names: std::collections::BTreeMap<String, String> = Default::default();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let segments: Vec<&str> = path.split('/').collect();
        let mut here = Vec::new();
        for (i, segment) in segments.iter().enumerate() {
            let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                here.push(segment.to_string());
                continue;
            };
            let collection = segments[i - 1];
            let known = names.entry(collection.to_string()).or_insert_with(|| name.to_string());
            assert_eq!(known, name, "{path}: `{collection}/{{{name}}}` is `{{{known}}}` elsewhere");
            here.push(match collection {
                "malls" => "ttu".to_string(),
                "services" => "KTP-EL".into(),
                "agencies" => "dukcapil".into(),
                "counters" => "1".into(),
                "facilities" => facility.clone(),
                "calendar-days" => "2026-08-17".into(),
                "tickets" => ticket.clone(),
                "regions" => "53.03".into(),
                "appointments" => "ABCD-EFGH".into(),
                "bundles" => "KELAHIRAN".into(),
                _ => "any".into(),
            });
        }
        let path_here = here.join("/");
        let query = if path.ends_with("/slots") { "?date=2026-11-26" } else { "" };
        let url = app.url(&format!("{path_here}{query}"));
        for (method, op) in item.as_object().unwrap().iter().filter(|(m, _)| *m != "parameters") {
            operations += 1;
            // No security, or `{}` among the choices: a token is optional.
            let public = op["security"].as_array().is_none_or(|s| s.is_empty() || s.contains(&json!({})));
            let r = c.request(method.to_uppercase().parse().unwrap(), &url).json(&json!({})).send().await.unwrap();
            let want = if method == "get" && public { StatusCode::OK } else { StatusCode::UNAUTHORIZED };
            assert_eq!(r.status(), want, "{method} {path}");
        }
    }
    assert!(operations >= 30, "{operations} operations documented");
}
both!(the_openapi_document_is_valid_and_complete);

async fn an_integrator_manages_services_with_a_token(app: TestApp) {
    let token = token_for(&app, ADMIN).await;
    let c = Client::new();
    let base = app.url("/api/v1/malls/ttu/services");
    let r = c.post(&base).bearer_auth(&token).json(&service("API-1", "dpmptsp")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["location"], "/api/v1/malls/ttu/services/API-1");
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["requirements_id"], "KTP\nKK");
    // It is public at once: the API, the search and the page.
    let got: Value = c.get(format!("{base}/API-1")).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["name_id"], "Layanan Lewat API");
    let hits: Value =
        c.get(app.url("/api/v1/malls/ttu/search?q=lewat%20api")).send().await.unwrap().json().await.unwrap();
    assert_eq!(hits[0]["code"], "API-1");
    let (status, _) = app.get_text(&app.client(), "/m/ttu/layanan/API-1").await;
    assert_eq!(status, StatusCode::OK);
    // Replace, then delete; both audited.
    let mut changed = service("API-1", "dpmptsp");
    changed["cost_rupiah"] = json!(25000);
    let r = c.put(format!("{base}/API-1")).bearer_auth(&token).json(&changed).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["cost_rupiah"], 25000);
    let r = c.delete(format!("{base}/API-1")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(c.get(format!("{base}/API-1")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let (_, audit) = app.get_text(&app.login(ADMIN).await, "/m/ttu/admin/audit").await;
    assert!(audit.contains("delete service") && audit.contains("API-1"));
}
both!(an_integrator_manages_services_with_a_token);

/// Every record the API can replace reads in the shape it is written: a
/// record read with GET and sent back with PUT changes nothing, and the
/// fields it only shows are marked read-only in the document.
async fn every_record_read_can_be_written_back_as_it_is(app: TestApp) {
    let token = token_for(&app, ADMIN).await;
    let c = Client::new();
    let doc: Value = c.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let replaceable: Vec<&String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, item)| path.ends_with('}') && item.get("put").is_some() && item.get("get").is_some())
        .map(|(path, _)| path)
        .collect();
    assert!(replaceable.len() >= 6, "{replaceable:?}");
    for path in replaceable {
        let list = app.url(path.replace("{slug}", "ttu").rsplit_once('/').unwrap().0);
        let records: Value = c.get(&list).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        let first = records.as_array().and_then(|r| r.first()).unwrap_or_else(|| panic!("no record at {list}"));
        // The key is one of the record's own fields: the one that finds it.
        let mut found = None;
        for v in ["code", "number", "id", "day"].iter().filter_map(|k| first.get(*k)) {
            let key = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
            let r = c.get(format!("{list}/{key}")).bearer_auth(&token).send().await.unwrap();
            if r.status() == StatusCode::OK {
                found = Some((format!("{list}/{key}"), r.json::<Value>().await.unwrap()));
                break;
            }
        }
        let (one, read) = found.unwrap_or_else(|| panic!("no field of {first} finds it at {list}"));
        let r = c.put(&one).bearer_auth(&token).json(&read).send().await.unwrap();
        let status = r.status();
        let written: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{path}: {written}");
        let again: Value = c.get(&one).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        let without_time = |v: &Value| {
            let mut v = v.clone();
            v.as_object_mut().unwrap().remove("updated_at");
            v
        };
        assert_eq!(without_time(&again), without_time(&read), "{path}: written back, nothing changed");
        // What the write does not take is read-only in the schema.
        let schema_name =
            doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap();
        let input_name = doc["paths"][path]["put"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap();
        let input = &doc["components"]["schemas"][input_name]["properties"];
        let schema = doc["components"]["schemas"][schema_name].to_string();
        for field in read.as_object().unwrap().keys() {
            let in_input = input.get(field).is_some();
            let marked = schema.contains(&format!(r#""{field}":{{"#)) && {
                let at = schema.find(&format!(r#""{field}":{{"#)).unwrap();
                schema[at..].split('}').next().unwrap().contains(r#""readOnly":true"#)
            };
            assert!(
                in_input != marked,
                "{path}: `{field}` is {} in the input and {}read-only",
                in_input,
                if marked { "" } else { "not " }
            );
        }
    }
}
both!(every_record_read_can_be_written_back_as_it_is);

/// Found by schemathesis: a service named twice on a counter gave 500, and a
/// switched-off counter answered 404 as if it did not exist.
async fn a_counter_takes_a_service_named_twice_and_says_when_it_is_off(app: TestApp) {
    let token = token_for(&app, ADMIN).await;
    let c = Client::new();
    let url = app.url("/api/v1/malls/ttu/counters");
    let body = json!({"agency": "dukcapil", "number": 450, "services": ["KTP-EL", "KTP-EL", "KIA"], "active": false});
    let r = c.post(&url).bearer_auth(&token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let made: Value = r.json().await.unwrap();
    assert_eq!(made["services"], json!(["KIA", "KTP-EL"]), "each once");
    let state = app.url("/api/v1/malls/ttu/counters/450/state");
    let r = c.put(&state).bearer_auth(&token).json(&json!({"status": "open"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "there, but switched off");
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/counter-inactive", "{problem}");
    let r = c.put(app.url("/api/v1/malls/ttu/counters/451/state")).bearer_auth(&token).json(&json!({"status": "open"}));
    assert_eq!(r.send().await.unwrap().status(), StatusCode::NOT_FOUND, "not there at all");
}
both!(a_counter_takes_a_service_named_twice_and_says_when_it_is_off);

/// What an agency system does: generate a client from the document with
/// openapi-python-client (no operation or schema may be skipped) and work
/// through it (`generated_client.py`).
async fn a_client_generated_from_the_document_works(app: TestApp) {
    crate::visit::set_clock(&app, crate::visit::WEDNESDAY_MORNING);
    let (manager, officer) = (token_for(&app, ADMIN).await, token_for(&app, crate::helpers::OFFICER).await);
    let doc = Client::new().get(app.url("/api/openapi.json")).send().await.unwrap().text().await.unwrap();
    let dir = std::env::temp_dir().join(format!("mpp-client-{}", crate::helpers::unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let (doc_file, config) = (dir.join("openapi.json"), dir.join("config.yaml"));
    std::fs::write(&doc_file, doc).unwrap();
    // A PDF is bytes to the client (it knows no `application/pdf` of its
    // own); no formatter runs afterwards (post_hooks).
    let settings = "package_name_override: mpp_client\npost_hooks: []\n\
                    content_type_overrides:\n  application/pdf: application/octet-stream\n";
    std::fs::write(&config, settings).unwrap();
    let package = dir.join("mpp_client");
    let said = run_checker(&[
        "-m",
        "openapi_python_client",
        "generate",
        "--path",
        doc_file.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--output-path",
        package.to_str().unwrap(),
        "--meta",
        "none",
    ]);
    assert!(!said.contains("Warning") && !said.contains("Unable"), "the generator skipped something:\n{said}");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/generated_client.py");
    let said = run_checker(&[script, dir.to_str().unwrap(), &app.base, &manager, &officer]);
    assert!(said.trim_end().ends_with("ok"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}
both!(a_client_generated_from_the_document_works);

async fn bad_api_requests_get_problem_documents_and_change_nothing(app: TestApp) {
    let token = token_for(&app, ADMIN).await;
    let c = Client::new();
    let base = app.url("/api/v1/malls/ttu/services");
    let problem = |r: reqwest::Response| async move {
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let status = r.status();
        let doc: Value = r.json().await.unwrap();
        assert_eq!(doc["status"], status.as_u16());
        (status, doc)
    };
    // No token, a wrong token.
    let r = c.post(&base).json(&service("X-1", "dukcapil")).send().await.unwrap();
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    assert_eq!(problem(r).await.0, StatusCode::UNAUTHORIZED);
    let r = c.post(&base).bearer_auth("mpp_wrong").json(&service("X-1", "dukcapil")).send().await.unwrap();
    assert_eq!(problem(r).await.0, StatusCode::UNAUTHORIZED);
    // Broken JSON, not JSON at all, a wrong type, an unknown field.
    let r = c
        .post(&base)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"code\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.0, StatusCode::BAD_REQUEST);
    let r = c.post(&base).bearer_auth(&token).body("code=X").send().await.unwrap();
    assert_eq!(problem(r).await.0, StatusCode::BAD_REQUEST);
    let mut wrong = service("X-1", "dukcapil");
    wrong["sla_days"] = json!("dua");
    let (status, doc) = problem(c.post(&base).bearer_auth(&token).json(&wrong).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(doc["errors"][0]["field"], "sla_days");
    let mut unknown = service("X-1", "dukcapil");
    unknown["colour"] = json!("red");
    let (status, doc) = problem(c.post(&base).bearer_auth(&token).json(&unknown).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(doc["errors"][0]["field"], "colour");
    // Rule violations, in Indonesian when asked.
    let mut bad = service("KTP-EL", "dukcapil");
    bad["name_id"] = json!("x".repeat(300));
    bad["channels"] = json!([]);
    let r = c.post(&base).bearer_auth(&token).header("accept-language", "id").json(&bad).send().await.unwrap();
    let (status, doc) = problem(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(doc["detail"], "Isian belum benar. Periksa kembali kolom yang ditandai.");
    let fields: Vec<&str> = doc["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"name_id") && fields.contains(&"channels"), "{doc}");
    let (status, doc) =
        problem(c.post(&base).bearer_auth(&token).json(&service("KTP-EL", "dukcapil")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(doc["errors"][0]["code"], "service.code_taken");
    // Nothing of that changed the catalogue.
    let got: Value = c.get(format!("{base}/KTP-EL")).send().await.unwrap().json().await.unwrap();
    assert_ne!(got["name_id"], "Layanan Lewat API");
    assert_eq!(c.get(format!("{base}/X-1")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let r = c.get(app.url("/api/v1/malls/nowhere/services")).send().await.unwrap();
    assert_eq!(problem(r).await.0, StatusCode::NOT_FOUND);
}
both!(bad_api_requests_get_problem_documents_and_change_nothing);

async fn api_tokens_carry_their_owners_roles(app: TestApp) {
    let c = Client::new();
    let dk = token_for(&app, AGENCY_ADMIN).await;
    let base = app.url("/api/v1/malls/ttu/services");
    let r = c.post(&base).bearer_auth(&dk).json(&service("API-DK", "dukcapil")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = c.post(&base).bearer_auth(&dk).json(&service("API-IM", "imigrasi")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c
        .put(format!("{base}/PASPOR-BARU"))
        .bearer_auth(&dk)
        .json(&service("PASPOR-BARU", "dukcapil"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Agreements are not public: a token with the right role is needed.
    let agreements = app.url("/api/v1/malls/ttu/agreements");
    assert_eq!(c.get(&agreements).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let mine: Value = c.get(&agreements).bearer_auth(&dk).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 1, "the agency admin sees their own agreement only");
    let admin = token_for(&app, ADMIN).await;
    let all: Value = c.get(&agreements).bearer_auth(&admin).send().await.unwrap().json().await.unwrap();
    assert!(all.as_array().unwrap().len() > 5);
    // Inactive services are not public through the API either.
    let mut hidden = service("API-OFF", "dukcapil");
    hidden["active"] = json!(false);
    assert_eq!(c.post(&base).bearer_auth(&dk).json(&hidden).send().await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(c.get(format!("{base}/API-OFF")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let list: Value = c.get(&base).send().await.unwrap().json().await.unwrap();
    assert!(list.as_array().unwrap().iter().all(|s| s["code"] != "API-OFF"));
    let r = c.get(format!("{base}/API-OFF")).bearer_auth(&dk).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "its agency admin still reads it with a token");
}
both!(api_tokens_carry_their_owners_roles);
