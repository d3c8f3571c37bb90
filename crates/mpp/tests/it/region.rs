//! The Home Affairs region list: its public API, and the picker on an
//! application form used without JS (each "show choices" re-renders the form
//! with the next level), down to a filed address shown by name.

use crate::application::NIK;
use crate::helpers::{CITIZEN, TestApp, both};
use reqwest::StatusCode;
use serde_json::Value;

async fn json(app: &TestApp, path: &str) -> (StatusCode, Option<String>, Value) {
    let r = app.get(&app.client(), path).await;
    let cache = r.headers().get("cache-control").map(|v| v.to_str().unwrap().to_string());
    (r.status(), cache, r.json().await.unwrap())
}

fn codes(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect()
}

/// The options of the select named `name`, as (code, selected).
fn options(html: &str, name: &str) -> Vec<(String, bool)> {
    let select = html.split(&format!("name=\"{name}\"")).nth(1).unwrap_or("").split("</select>").next().unwrap();
    select
        .split("<option value=\"")
        .skip(2) // before the first option, and "— choose —"
        .map(|o| (o.split('"').next().unwrap().to_string(), o.split('>').next().unwrap().contains("selected")))
        .collect()
}

async fn regions_are_served_and_picked_down_to_the_village(app: TestApp) {
    let (status, cache, body) = json(&app, "/api/v1/regions").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache.as_deref(), Some("public, max-age=86400"));
    assert_eq!(body["children"].as_array().unwrap().len(), 38);
    assert!(codes(&body["children"]).contains(&"53"));

    let (status, _, ttu) = json(&app, "/api/v1/regions/53.03").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((ttu["name"].as_str(), ttu["level"].as_str()), (Some("Kabupaten Timor Tengah Utara"), Some("regency")));
    assert_eq!(codes(&ttu["path"]), vec!["53", "53.03"]);
    assert!(codes(&ttu["children"]).contains(&"53.03.05"), "Kota Kefamenanu is a district of TTU");
    let (_, _, village) = json(&app, "/api/v1/regions/53.03.05.1003").await;
    assert_eq!(village["name"], "Kefamenanu Tengah");
    assert_eq!(village["children"].as_array().map(Vec::len), Some(0));
    let (status, _, problem) = json(&app, "/api/v1/regions/53.99").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(problem["status"], 404);

    // Without JS: each press of "show choices" brings the next level.
    let citizen = app.login(CITIZEN).await;
    let page = "/m/ttu/layanan/IZIN-USAHA-MIKRO/ajukan";
    let (_, html) = app.get_text(&citizen, page).await;
    assert_eq!(options(&html, "village__province").len(), 38, "the provinces are there from the start");
    assert!(options(&html, "village__regency").is_empty());
    assert!(html.contains("src=\"/static/region."), "the picker's script, by its fingerprinted name");
    let mut form = vec![("business_name", "Kios Siti"), ("owner_nik", NIK), ("village__province", "53")];
    form.push(("_region", "village"));
    let r = app.post_form(&citizen, page, page, &form).await;
    assert_eq!(r.status(), StatusCode::OK, "re-rendered, not filed");
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"Kios Siti\""), "what was typed stays");
    assert!(!html.contains("field-error"), "no errors yet: {html}");
    let regencies = options(&html, "village__regency");
    assert!(regencies.contains(&("53.03".to_string(), false)) && regencies.iter().all(|(c, _)| c.starts_with("53.")));

    form.extend([("village__regency", "53.03"), ("village__district", "53.03.05")]);
    let html = app.post_form(&citizen, page, page, &form).await.text().await.unwrap();
    assert!(options(&html, "village__district").contains(&("53.03.05".to_string(), true)));
    let villages = options(&html, "village");
    assert!(villages.contains(&("53.03.05.1003".to_string(), false)), "{villages:?}");

    // A province changed afterwards drops the stale choices below it.
    let stale = [("village__province", "35"), ("village__regency", "53.03"), ("_region", "village")];
    let html = app.post_form(&citizen, page, page, &stale).await.text().await.unwrap();
    assert!(options(&html, "village__regency").iter().all(|(c, chosen)| c.starts_with("35.") && !chosen));
    assert!(options(&html, "village").is_empty());

    // Stopping at the district is not an address.
    form.retain(|(k, _)| *k != "_region");
    form.extend([("sector", "Kuliner"), ("capital", "5000000"), ("workers", "2"), ("risk", "low")]);
    let r = app.post_form(&citizen, page, page, &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Pilih desa/kelurahan dari daftar wilayah Kemendagri."), "{html}");
    assert!(options(&html, "village__district").contains(&("53.03.05".to_string(), true)), "the choice so far stays");

    form.push(("village", "53.03.05.1003"));
    form.extend(crate::helpers::ticked());
    let r = app.post_form(&citizen, page, page, &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let receipt = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = app.get_text(&citizen, &receipt).await;
    assert!(
        html.contains("Kefamenanu Tengah, Kota Kefamenanu, Kabupaten Timor Tengah Utara, Nusa Tenggara Timur"),
        "the address by name: {html}"
    );
}
both!(regions_are_served_and_picked_down_to_the_village);
