//! A citizen browsing the mall: home page, search, a service's standard,
//! the language toggle.

use crate::helpers::{TestApp, both};
use reqwest::StatusCode;

async fn home_shows_the_mall(app: TestApp) {
    let c = app.client();
    let r = app.get(&c, "/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "one mall: / goes to it");
    assert_eq!(r.headers()["location"], "/m/ttu");
    let (status, html) = app.get_text(&c, "/m/ttu").await;
    assert_eq!(status, StatusCode::OK);
    for needle in [
        "MPP Kabupaten Timor Tengah Utara",
        "data contoh",
        "Dinas Kependudukan",
        "Jam layanan",
        "WITA",
        "Fasilitas",
        "laktasi",
        "Musala",
    ] {
        assert!(html.to_lowercase().contains(&needle.to_lowercase()), "home lacks {needle}");
    }
    assert!(html.contains("<html lang=\"id\""));
}
both!(home_shows_the_mall);

/// Search is case- and accent-insensitive and knows abbreviations and full names.
async fn search_finds_services_by_any_name(app: TestApp) {
    let c = app.client();
    for (query, expected) in [
        ("ktp", "KTP"),
        ("KTP", "KTP"),
        ("kartu tanda penduduk", "KTP"),
        ("paspor", "Paspor"),
        ("PÁSPOR", "Paspor"),
        ("passport", "Paspor"),
        ("izin usaha", "Berusaha"),
        ("skck", "SKCK"),
        ("Surat Keterangan Catatan Kepolisian", "SKCK"),
        // Typos and the other spelling are forgiven, the right service first.
        ("pasport", "Paspor"),
        ("paspr", "Paspor"),
        ("ktpp", "KTP"),
        ("kependudkan", "Kependudukan"),
        ("business licence", "Berusaha"),
        ("business license", "Berusaha"),
    ] {
        let (status, html) = app.get_text(&c, &format!("/m/ttu/layanan?q={}", urlencode(query))).await;
        assert_eq!(status, StatusCode::OK);
        let first = html.split("<ul class=\"services\">").nth(1).and_then(|s| s.split("</h3>").next()).unwrap_or("");
        assert!(first.contains(expected), "first hit for {query:?} should mention {expected}: {first}");
    }
    // The general service before its variants.
    let (_, html) = app.get_text(&c, "/m/ttu/layanan?q=KTP").await;
    let first = html.split("href=\"/m/ttu/layanan/").nth(1).unwrap().split('"').next().unwrap();
    assert_eq!(first, "KTP-EL");
    let (_, html) = app.get_text(&c, "/m/ttu/layanan?q=PASPR").await;
    let first = html.split("href=\"/m/ttu/layanan/").nth(1).unwrap().split('"').next().unwrap();
    assert_eq!(first, "PASPOR-BARU", "the general passport service first, typo or not");
    let (_, html) = app.get_text(&c, "/m/ttu/layanan?q=zzzqqq").await;
    assert!(html.contains("Tidak ada layanan yang cocok"));
}
both!(search_finds_services_by_any_name);

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") }).collect()
}

async fn service_page_shows_the_whole_standard(app: TestApp) {
    let c = app.client();
    let (status, html) = app.get_text(&c, "/m/ttu/layanan?q=ktp").await;
    assert_eq!(status, StatusCode::OK);
    let href = html.split("href=\"/m/ttu/layanan/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let (status, html) = app.get_text(&c, &format!("/m/ttu/layanan/{href}")).await;
    assert_eq!(status, StatusCode::OK);
    for section in [
        "Persyaratan",
        "Prosedur",
        "Waktu penyelesaian",
        "Biaya / tarif",
        "Gratis",
        "Produk layanan",
        "Pengaduan, saran, dan masukan",
        "Dasar hukum",
        "Loket di MPP",
    ] {
        assert!(html.contains(section), "service page lacks {section}");
    }
    let ld = html.split("<script type=\"application/ld+json\">").nth(1).unwrap().split("</script>").next().unwrap();
    let ld: serde_json::Value = serde_json::from_str(ld).unwrap();
    assert_eq!(ld["@type"], "GovernmentService");
    assert_eq!(ld["offers"]["price"], 0);
    assert!(ld["provider"]["name"].as_str().unwrap().contains("Kependudukan"));
}
both!(service_page_shows_the_whole_standard);

async fn english_toggle_is_remembered(app: TestApp) {
    let c = app.client();
    let r = app.get(&c, "/bahasa/en?next=/m/ttu/layanan").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/m/ttu/layanan");
    let (_, html) = app.get_text(&c, "/m/ttu/layanan").await;
    assert!(html.contains("<html lang=\"en\"") && html.contains("Service catalogue"));
    let (_, html) = app.get_text(&c, "/m/ttu").await;
    assert!(html.contains("Opening hours"), "still English on the next page");
    // Redirects never leave the site.
    let r = app.get(&c, "/bahasa/id?next=//evil.example").await;
    assert_eq!(r.headers()["location"], "/");
    let (_, html) = app.get_text(&c, "/m/ttu").await;
    assert!(html.contains("Jam layanan"));
}
both!(english_toggle_is_remembered);

/// The plain catalogue and a service page are rendered once for all
/// anonymous visitors in a language (web::render_shared): never another
/// visitor's language or session, and every admin write shows at once.
async fn a_shared_page_keeps_to_its_language_and_follows_every_write(app: TestApp) {
    let (id, en) = (app.client(), app.client());
    app.get(&en, "/bahasa/en?next=/").await;
    let (_, html) = app.get_text(&id, "/m/ttu/layanan").await;
    assert!(html.contains("<html lang=\"id\"") && html.contains("Katalog layanan"), "Indonesian first");
    let (_, html) = app.get_text(&en, "/m/ttu/layanan").await;
    assert!(html.contains("<html lang=\"en\"") && html.contains("Service catalogue"), "English after it");
    let admin = app.login(crate::helpers::ADMIN).await;
    let (_, mine) = app.get_text(&admin, "/m/ttu/layanan").await;
    assert!(mine.contains("action=\"/keluar\""), "a signed-in visitor gets a page of their own");
    let (_, anonymous) = app.get_text(&id, "/m/ttu/layanan").await;
    assert!(!anonymous.contains("action=\"/keluar\"") && !anonymous.contains(&crate::helpers::csrf_of(&mine)));
    let form = crate::admin::new_service("UJI-2", "Layanan Uji Dua", "dpmptsp");
    let r = app.post_form(&admin, "/m/ttu/admin/layanan/baru", "/m/ttu/admin/layanan/baru", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_text(&id, "/m/ttu/layanan").await;
    assert!(html.contains("Layanan Uji Dua"), "the new service is in the catalogue at once");
    let (status, html) = app.get_text(&id, "/m/ttu/layanan/UJI-2").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Layanan Uji Dua"));
}
both!(a_shared_page_keeps_to_its_language_and_follows_every_write);
