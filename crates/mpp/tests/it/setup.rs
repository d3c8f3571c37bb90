//! Configuring how a service takes applications, as its admins do: the
//! admin page (a mistake refused and kept, then saved and audited), the new
//! form and workflow used by a citizen and the officers, a step left to the
//! agency's head, who may open and change which setup, and the API.

use crate::api::token_for;
use crate::application::{act, steps_for};
use crate::helpers::{ADMIN, AGENCY_ADMIN, CITIZEN, OFFICER, SUPERVISOR, TestApp, both};
use crate::visit::set_clock;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const PAGE: &str = "/m/ttu/admin/layanan/KTP-EL/permohonan";

/// A two-step workflow for KTP-EL: the officers check the papers, the
/// agency's head approves; the form asks for the address and a purpose.
fn ktp_setup(second_agency: &str) -> Vec<(&str, &str)> {
    vec![
        ("field.0.present", "1"),
        ("field.0.key", "alamat"),
        ("field.0.kind", "region"),
        ("field.0.label_id", "Alamat domisili"),
        ("field.0.label_en", "Home address"),
        ("field.0.required", "1"),
        ("field.1.present", "1"),
        ("field.1.key", "keperluan"),
        ("field.1.kind", "text"),
        ("field.1.label_id", "Keperluan"),
        ("field.1.label_en", "Purpose"),
        ("field.2.present", "1"),
        ("step.0.present", "1"),
        ("step.0.stage", "1"),
        ("step.0.kind", "verification"),
        ("step.0.name_id", "Verifikasi berkas"),
        ("step.0.name_en", "Document check"),
        ("step.0.agency", "dukcapil"),
        ("step.0.role", "officer"),
        ("step.0.sla_days", "1"),
        ("step.1.present", "1"),
        ("step.1.stage", "2"),
        ("step.1.kind", "approval"),
        ("step.1.name_id", "Persetujuan kepala dinas"),
        ("step.1.name_en", "Head's approval"),
        ("step.1.agency", second_agency),
        ("step.1.role", "agency_admin"),
        ("step.1.sla_days", "2"),
        ("fee.rule", "free"),
        ("tier.0.present", "1"),
        ("cert.title", "SURAT KETERANGAN PEREKAMAN KTP-EL"),
        ("cert.statement", "Diberikan kepada {holder}, beralamat di {form.alamat}."),
        ("cert.valid_months", "6"),
    ]
}

async fn an_agency_admin_sets_up_a_service_and_its_head_decides_the_last_step(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let admin = app.login(AGENCY_ADMIN).await;
    let (_, edit) = app.get_text(&admin, "/m/ttu/admin/layanan/KTP-EL").await;
    assert!(edit.contains(&format!("href=\"{PAGE}\"")), "the service's page links to its setup: {edit}");
    let (status, html) = app.get_text(&admin, PAGE).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Pengaturan permohonan") && html.contains("name=\"step.0.present\""), "{html}");

    // A mistake: the head's step names no agency. Refused, every value kept.
    let r = app.post_form(&admin, PAGE, PAGE, &ktp_setup("")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#step-2\">Langkah 2</a>: Pilih instansi yang memutuskan langkah ini."), "{html}");
    assert!(html.contains("value=\"keperluan\"") && html.contains("value=\"Persetujuan kepala dinas\""), "{html}");
    let (_, form) = app.get_text(&app.login(CITIZEN).await, "/m/ttu/layanan/KTP-EL/ajukan").await;
    assert!(!form.contains("keperluan"), "nothing was saved");

    let r = app.post_form(&admin, PAGE, PAGE, &ktp_setup("dukcapil")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let (_, html) = app.get_text(&admin, &format!("{PAGE}?tersimpan=1")).await;
    assert!(html.contains("role=\"status\"") && html.contains("value=\"Persetujuan kepala dinas\""));
    let (_, audit) = app.get_text(&app.login(ADMIN).await, "/m/ttu/admin/audit").await;
    assert!(audit.contains("application_setup"), "the change is audited: {audit}");

    // A citizen files with the new form.
    let citizen = app.login(CITIZEN).await;
    let page = "/m/ttu/layanan/KTP-EL/ajukan";
    let (_, form) = app.get_text(&citizen, page).await;
    assert!(form.contains("Alamat domisili") && form.contains("name=\"alamat__province\""), "{form}");
    let mut filed = vec![("alamat", "53.03.05.1003"), ("keperluan", "Pindah kerja")];
    filed.extend(crate::helpers::ticked());
    let r = app.post_form(&citizen, page, page, &filed).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let number = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string();

    // The officers check the papers; the head's step is not theirs.
    let officer = app.login(OFFICER).await;
    crate::application::approve_next(&app, &officer, &number).await;
    let head_step = steps_for(&app, &admin, &number).await.first().cloned().expect("the head's step");
    let r = act(&app, &officer, &number, &head_step, "claim", "").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("diputuskan oleh admin atau kepala instansi"));
    let (_, seen) = app.get_text(&officer, &format!("/m/ttu/kotak-masuk/{number}")).await;
    assert!(seen.contains("(admin atau kepala instansi)"), "the step says who decides it: {seen}");
    assert_eq!(act(&app, &admin, &number, &head_step, "claim", "").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(act(&app, &admin, &number, &head_step, "approve", "").await.status(), StatusCode::SEE_OTHER);
    let receipt = crate::application::receipt(&app, &citizen, &number).await;
    assert!(receipt.contains("Selesai, dokumen terbit"), "issued once the head approved: {receipt}");
    assert!(receipt.contains("Kefamenanu Tengah, Kota Kefamenanu"), "{receipt}");
}
both!(an_agency_admin_sets_up_a_service_and_its_head_decides_the_last_step);

async fn only_the_services_admins_change_its_setup(app: TestApp) {
    // Dukcapil's admin may not touch the licensing office's PBG.
    let dukcapil = app.login(AGENCY_ADMIN).await;
    let pbg = "/m/ttu/admin/layanan/PBG/permohonan";
    assert_eq!(app.get(&dukcapil, pbg).await.status(), StatusCode::FORBIDDEN);
    let r = app.post_form(&dukcapil, PAGE, pbg, &ktp_setup("dukcapil")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Officers and citizens see no setup at all; a supervisor reads it only.
    for who in [OFFICER, CITIZEN] {
        assert_eq!(app.get(&app.login(who).await, pbg).await.status(), StatusCode::FORBIDDEN, "{who}");
    }
    let supervisor = app.login(SUPERVISOR).await;
    let (status, html) = app.get_text(&supervisor, pbg).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<fieldset disabled>") && !html.contains("type=\"submit\" class=\"button big\""), "{html}");
    let r = app.post_form(&supervisor, pbg, pbg, &ktp_setup("dukcapil")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
both!(only_the_services_admins_change_its_setup);

async fn the_setup_is_read_and_replaced_through_the_api(app: TestApp) {
    let token = token_for(&app, ADMIN).await;
    let c = Client::new();
    let url = app.url("/api/v1/malls/ttu/services/PBG/application-setup");
    let mut setup: Value = c.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(setup["fees"]["rule"]["kind"], "per_unit", "{setup}");
    assert!(setup["steps"].as_array().unwrap().iter().any(|s| s["agency"] == "pupr"), "{setup}");
    setup["steps"][0]["sla_days"] = json!(4);
    let r = c.put(&url).bearer_auth(&token).json(&setup).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let saved: Value = r.json().await.unwrap();
    assert_eq!(saved["steps"][0]["sla_days"], 4);
    assert_eq!(saved, setup, "read back as written");

    // Problems are named where they are; nothing changes.
    let mut bad = setup.clone();
    bad["steps"][1]["agency"] = json!("nowhere");
    bad["certificate"]["statement"] = json!("{form.nothing}");
    let r = c.put(&url).bearer_auth(&token).json(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = r.json().await.unwrap();
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["steps.2.agency", "certificate.statement"], "{problem}");
    let now: Value = c.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(now, setup);
    // Another agency's admin is refused.
    let dukcapil = token_for(&app, AGENCY_ADMIN).await;
    let r = c.put(&url).bearer_auth(&dukcapil).json(&setup).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
both!(the_setup_is_read_and_replaced_through_the_api);
