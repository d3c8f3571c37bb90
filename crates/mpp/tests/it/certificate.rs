//! Certificates end to end: a business licence issued across two agencies
//! ends in a signed PDF whose QR code an outside decoder (zbarimg, after
//! pdftoppm) reads and follows to the verification page; `mpp verify`
//! calls it valid, an altered copy forged, a revoked one revoked and an
//! old research letter expired. Revoking needs the issuing agency (or the
//! mall's managers) and a reason; other malls' staff cannot.

use crate::application::{DLH, LICENSING, PUPR, approve_next, business_licence, receipt, research_letter, steps_for};
use crate::helpers::{CITIZEN, OFFICER, TestApp, both};
use crate::visit::set_clock;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use mpp::db::sql::{self, Conn};
use reqwest::{Client, StatusCode};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Takes a business licence on the high-risk path through every stage.
async fn issued_licence(app: &TestApp) -> (Client, String) {
    let citizen = app.login(CITIZEN).await;
    let number = business_licence(app, &citizen, "high").await;
    let licensing = app.login(LICENSING).await;
    approve_next(app, &licensing, &number).await;
    approve_next(app, &licensing, &number).await;
    approve_next(app, &app.login(PUPR).await, &number).await;
    approve_next(app, &app.login(DLH).await, &number).await;
    approve_next(app, &licensing, &number).await;
    (citizen, number)
}

async fn download(app: &TestApp, c: &Client, number: &str) -> Vec<u8> {
    let r = app.get(c, &format!("/m/ttu/permohonan/{number}/sertifikat.pdf")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    r.bytes().await.unwrap().to_vec()
}

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("mpp-cert-{}-{name}", crate::helpers::unique()))
}

/// `mpp verify FILE`: the exit code and what it printed.
fn verify(pdf: &[u8]) -> (i32, String) {
    verify_with(pdf, &[])
}

fn verify_with(pdf: &[u8], args: &[&str]) -> (i32, String) {
    let file = scratch("copy.pdf");
    std::fs::write(&file, pdf).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_mpp"))
        .arg("verify")
        .arg(&file)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    std::fs::remove_file(&file).ok();
    (
        o.status.code().unwrap_or(-1),
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)),
    )
}

fn tool(name: &str) -> &str {
    let found = Command::new("sh").arg("-c").arg(format!("command -v {name}")).output().unwrap();
    assert!(found.status.success(), "{name} is needed (Debian: poppler-utils, zbar-tools; scripts/test installs them)");
    name
}

/// The QR code on the PDF's page, read by outside tools: the page
/// rasterised by pdftoppm, the code decoded by zbarimg.
fn qr_of(pdf: &[u8]) -> String {
    let file = scratch("qr.pdf");
    std::fs::write(&file, pdf).unwrap();
    let png = file.with_extension("");
    let o = Command::new(tool("pdftoppm"))
        .args(["-r", "150", "-png", "-singlefile"])
        .arg(&file)
        .arg(&png)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let image = png.with_extension("png");
    let o = Command::new(tool("zbarimg")).args(["--quiet", "--raw"]).arg(&image).output().unwrap();
    for f in [&file, &image] {
        std::fs::remove_file(Path::new(f)).ok();
    }
    assert!(o.status.success(), "zbarimg found no QR code: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

/// The PDF with `from` replaced by `to` (same length) in its page only.
fn alter_page(pdf: &[u8], from: &str, to: &str) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let (from, to) = (from.as_bytes(), to.as_bytes());
    let at = pdf.windows(from.len()).position(|w| w == from).expect("the text is on the page");
    let mut out = pdf.to_vec();
    out[at..at + to.len()].copy_from_slice(to);
    out
}

/// The PDF with its embedded signed content changed (a forger who also
/// edits what `mpp verify` reads).
fn alter_content(pdf: &[u8], from: &str, to: &str) -> Vec<u8> {
    let key = b"/MPPCertificate (";
    let start = pdf.windows(key.len()).position(|w| w == key).unwrap() + key.len();
    let len = pdf[start..].iter().position(|b| *b == b')').unwrap();
    let content = String::from_utf8(B64.decode(&pdf[start..start + len]).unwrap()).unwrap();
    assert!(content.contains(from), "{content}");
    let forged = B64.encode(content.replace(from, to));
    [&pdf[..start], forged.as_bytes(), &pdf[start + len..]].concat()
}

async fn an_issued_licence_carries_a_certificate_that_verifies(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let (citizen, number) = issued_licence(&app).await;
    let html = receipt(&app, &citizen, &number).await;
    assert!(html.contains("503/0001/DPMPTSP/XI/2026") && html.contains("sertifikat.pdf"), "{html}");
    let pdf = download(&app, &citizen, &number).await;
    assert!(pdf.starts_with(b"%PDF-"));

    // The QR code leads to the public verification page, which says valid.
    let url = qr_of(&pdf);
    assert!(url.starts_with(&app.url("/m/ttu/sertifikat/")), "{url}");
    let (status, page) = app.get_text(&app.client(), url.trim_start_matches(&app.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Sah") && page.contains("Warga (demo)") && page.contains("SERTIFIKAT STANDAR"), "{page}");
    assert!(page.contains("berlokasi di Kefamenanu Tengah, Kota Kefamenanu, Kabupaten"), "the address by name: {page}");
    // A copy whose QR carries another signature is not genuine.
    let (_, fake) = app.get_text(&app.client(), &format!("{}AAAA", url.trim_start_matches(&app.base))).await;
    assert!(fake.contains("Tidak sah") && !fake.contains("Warga (demo)"), "{fake}");
    let (status, _) = app.get_text(&app.client(), "/m/ttu/sertifikat/no-such-certificate").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // `mpp verify`: the file as issued is valid; altered, it is forged.
    let (code, out) = verify(&pdf);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("valid") && out.contains("503/0001/DPMPTSP/XI/2026"), "{out}");
    let (code, out) = verify(&alter_page(&pdf, "Kios Siti", "Kios Sita"));
    assert_eq!(code, 2, "{out}");
    assert!(
        out.starts_with("forged") && out.contains("prints \"Sita\" where the signed certificate says \"Siti\""),
        "{out}"
    );
    let (code, out) = verify(&alter_content(&pdf, "Kios Siti", "Toko Budi Besar"));
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("signature does not match"), "{out}");
    let (code, out) = verify(b"%PDF-1.7 not a certificate");
    assert_eq!(code, 2, "{out}");

    // Only its holder and the staff who may see the application print it.
    let stranger = app.login(OFFICER).await;
    let r = app.get(&stranger, &format!("/m/ttu/permohonan/{number}/sertifikat.pdf")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let licensing = app.login(LICENSING).await;
    assert_eq!(download(&app, &licensing, &number).await, pdf, "every copy is the same file");

    // The published key is the one that signed it.
    let keys: serde_json::Value =
        app.client().get(app.url("/api/v1/malls/ttu/signing-keys")).send().await.unwrap().json().await.unwrap();
    assert_eq!(keys["keys"][0]["kty"], "OKP");
    assert_eq!(keys["keys"][0]["crv"], "Ed25519");
    let kid = keys["keys"][0]["kid"].as_str().unwrap();
    assert!(verify(&pdf).1.contains(kid), "signed with the published key {kid}");
}
both!(an_issued_licence_carries_a_certificate_that_verifies);

async fn a_revoked_certificate_says_so_everywhere(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    crate::tenancy::second_mall(&app).await;
    let (citizen, number) = issued_licence(&app).await;
    let pdf = download(&app, &citizen, &number).await;
    let page = format!("/m/ttu/kotak-masuk/{number}");
    let revoke = format!("{page}/cabut");

    // DLH took part but did not issue it: it may not revoke it.
    let dlh = app.login(DLH).await;
    let r = app.post_form(&dlh, &page, &revoke, &[("reason", "Salah terbit")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Another mall's admin cannot, through the API either.
    let token = crate::api::token_for(&app, "admin@kupang.example").await;
    let r = Client::new()
        .post(app.url(&format!("/api/v1/malls/ttu/applications/{number}/certificate/revoke")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The issuing agency's officer must say why.
    let licensing = app.login(LICENSING).await;
    let (_, html) = app.get_text(&licensing, &page).await;
    assert!(html.contains("Cabut sertifikat"), "{html}");
    let r = app.post_form(&licensing, &page, &revoke, &[("reason", "  ")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("Tuliskan alasan pencabutan"));
    let r = app.post_form(&licensing, &page, &revoke, &[("reason", "Lokasi usaha ternyata di jalur hijau")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_text(&licensing, &page).await;
    assert!(!html.contains("Cabut sertifikat") && html.contains("jalur hijau"), "revoked once: {html}");
    let r = app.post_form(&licensing, &page, &revoke, &[("reason", "Lagi")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("sudah dicabut"));

    // The QR's page, the API and `mpp verify` all say revoked, with the reason.
    let url = qr_of(&pdf);
    let (_, html) = app.get_text(&app.client(), url.trim_start_matches(&app.base)).await;
    assert!(html.contains("Dicabut") && html.contains("Lokasi usaha ternyata di jalur hijau"), "{html}");
    let (code, out) = verify(&pdf);
    assert_eq!(code, 3, "{out}");
    assert!(out.starts_with("revoked") && out.contains("jalur hijau"), "{out}");
    // The API shows it on the application, and still serves the PDF.
    let token = crate::api::token_for(&app, CITIZEN).await;
    let c = Client::new();
    let view: serde_json::Value = c
        .get(app.url(&format!("/api/v1/malls/ttu/applications/{number}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["certificate"]["revoked"], true, "{view}");
    let r = c.get(app.url(view["certificate"]["pdf_path"].as_str().unwrap())).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    let status: serde_json::Value = c
        .get(app.url(&format!("/api/v1/malls/ttu/certificates/{}", view["certificate"]["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["status"], "revoked");
    assert_eq!(status["revoke_reason"], "Lokasi usaha ternyata di jalur hijau");
    // The citizen sees it in the timeline.
    let html = receipt(&app, &citizen, &number).await;
    assert!(html.contains("Sertifikat dicabut") && html.contains("jalur hijau"), "{html}");
}
both!(a_revoked_certificate_says_so_everywhere);

async fn a_research_letter_expires_after_six_months(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let number = research_letter(&app, &citizen).await;
    let licensing = app.login(LICENSING).await;
    approve_next(&app, &licensing, &number).await;
    approve_next(&app, &licensing, &number).await;
    assert!(steps_for(&app, &licensing, &number).await.is_empty(), "issued");
    let pdf = download(&app, &citizen, &number).await;
    assert_eq!(verify(&pdf).0, 0);
    // Valid through 24 May 2027, expired the day after.
    set_clock(&app, "2027-05-24T09:00:00+08:00");
    assert_eq!(verify(&pdf).0, 0);
    set_clock(&app, "2027-05-25T09:00:00+08:00");
    let (code, out) = verify(&pdf);
    assert_eq!(code, 4, "{out}");
    assert!(out.starts_with("expired"), "{out}");
}
both!(a_research_letter_expires_after_six_months);

/// The byte ranges of every text the page prints: the literal strings
/// shown with `Tj` (escapes and balanced parentheses included).
fn printed_texts(pdf: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < pdf.len() {
        if pdf[i] != b'(' {
            i += 1;
            continue;
        }
        let (start, mut depth, mut j) = (i + 1, 0, i + 1);
        while j < pdf.len() {
            match pdf[j] {
                b'\\' => j += 1,
                b'(' => depth += 1,
                b')' if depth == 0 => break,
                b')' => depth -= 1,
                _ => {}
            }
            j += 1;
        }
        if pdf[j + 1..].trim_ascii_start().starts_with(b"Tj") {
            out.push(start..j);
        }
        i = j + 1;
    }
    out
}

/// The copy with the byte at `at` (a printed letter or digit) changed to
/// another of its kind, the way a forger retypes a date or a name.
fn retype(pdf: &[u8], at: usize) -> Vec<u8> {
    let mut out = pdf.to_vec();
    out[at] = match pdf[at] {
        b'0'..=b'8' => pdf[at] + 1,
        b'9' => b'0',
        b'a'..=b'y' | b'A'..=b'Y' => pdf[at] + 1,
        _ => b'Z' - u8::from(pdf[at] == b'Z'),
    };
    out
}

/// Any change to any character the page prints makes the copy forged:
/// every printed text in turn (so the expiry and issue dates, the holder,
/// the service, the number, the statement, the labels), characters picked
/// at random across the page, an overlay appended as an incremental
/// update, and a re-drawn copy whose QR code leads to another server.
async fn no_printed_character_can_change(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let (citizen, licensing) = (app.login(CITIZEN).await, app.login(LICENSING).await);
    let pdf = issued_letter(&app, &citizen, &licensing).await;
    assert_eq!(verify(&pdf).0, 0, "the copy as issued is valid");

    let texts = printed_texts(&pdf);
    let printed: Vec<String> = texts.iter().map(|r| String::from_utf8_lossy(&pdf[r.clone()]).into_owned()).collect();
    for field in [
        "Berlaku sampai",
        "24 Mei 2027",
        "Tanggal terbit",
        "25 November 2026",
        "Warga (demo)",
        "Surat Keterangan Penelitian",
    ] {
        assert!(printed.iter().any(|t| t.contains(field)), "{field} is printed: {printed:?}");
    }
    for (range, text) in texts.iter().zip(&printed) {
        let Some(at) = range.clone().rev().find(|&i| pdf[i].is_ascii_alphanumeric()) else { continue };
        let (code, out) = verify(&retype(&pdf, at));
        assert_eq!(code, 2, "changing \"{text}\" must be forged: {out}");
        assert!(out.starts_with("forged") && out.contains("prints \""), "{out}");
    }
    // Characters anywhere in the page's text (a fixed-seed walk, so a failure repeats).
    let all: Vec<usize> = texts.iter().flat_map(Clone::clone).filter(|&i| pdf[i].is_ascii_alphanumeric()).collect();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..12 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let at = all[usize::try_from(seed % all.len() as u64).unwrap()];
        assert_eq!(verify(&retype(&pdf, at)).0, 2, "byte {at} changed");
    }
    // Text drawn over the page by an update appended to the file.
    let mut overlay = pdf.clone();
    overlay.extend_from_slice(
        b"\n8 0 obj\n<< /Length 44 >>\nstream\nBT /F2 10 Tf 194 300 Td (24 Mei 2099) Tj ET\nendstream\nendobj\n%%EOF\n",
    );
    let (code, out) = verify(&overlay);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("prints \"24\", which the signed certificate does not"), "{out}");

    // A faithful copy drawn again with a QR code to a look-alike site.
    let e = mpp::certificate::pdf::extract(&pdf).unwrap();
    let content = mpp::certificate::store::parse(&e.content).unwrap();
    let phishing = e.verify_url.replace(&app.base, "http://mpp-ttu.example.com");
    let copy = mpp::certificate::pdf::render(&content, &e.signature, &phishing);
    let (code, out) = verify_with(&copy, &["--server", &app.base]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("leads to http://mpp-ttu.example.com"), "{out}");
    let (code, out) = verify_with(&pdf, &["--server", &app.base]);
    assert_eq!(code, 0, "{out}");
}
both!(no_printed_character_can_change);

/// `mpp verify FILE | head -1`: a reader that stops reading ends the
/// command quietly, with its verdict's exit code, not a panic.
async fn verify_exits_quietly_into_a_closed_pipe(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let (citizen, licensing) = (app.login(CITIZEN).await, app.login(LICENSING).await);
    let file = scratch("pipe.pdf");
    std::fs::write(&file, issued_letter(&app, &citizen, &licensing).await).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mpp"))
        .arg("verify")
        .arg(&file)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Closed before the checks (two requests to the server) are done.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    std::fs::remove_file(&file).ok();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(o.status.code(), Some(0), "valid, whoever reads it: {stderr}");
}
both!(verify_exits_quietly_into_a_closed_pipe);

/// A research letter filed and approved through, as its PDF.
async fn issued_letter(app: &TestApp, citizen: &Client, licensing: &Client) -> Vec<u8> {
    let number = research_letter(app, citizen).await;
    approve_next(app, licensing, &number).await;
    approve_next(app, licensing, &number).await;
    download(app, citizen, &number).await
}

/// The secret half of a mall's key is never in the database: it is a key
/// file only the server's user can read. Rotating retires it (what it
/// signed still verifies); a key may also come from the environment.
async fn signing_keys_live_outside_the_database(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let licensing = app.login(LICENSING).await;
    let first = issued_letter(&app, &citizen, &licensing).await;
    let rows: Vec<(String, String, String)> = sql::query("SELECT mall_id, id, secret_key FROM signing_keys")
        .fetch_all(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let (mall_id, kid, secret) = &rows[0];
    assert_eq!(secret, "", "no secret in the database");
    let file = app.state.keys.dir.join(mall_id).join(format!("{kid}.key"));
    let seed = std::fs::read_to_string(&file).expect("the key file");
    assert_eq!(seed.trim().len(), 43, "a 32-byte seed, base64url");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // Rotated from the command line: the old certificate still verifies,
    // the next one is signed with a new key.
    let o = Command::new(env!("CARGO_BIN_EXE_mpp"))
        .args(["rotate-key", "--mall", "ttu"])
        .env("MPP_DATABASE_URL", &app.database_url)
        .env("MPP_DATA_DIR", std::env::temp_dir().join("mpp-cli-unused"))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let second = issued_letter(&app, &citizen, &licensing).await;
    let (code, out) = verify(&first);
    assert_eq!(code, 0, "signed with the retired key, still valid: {out}");
    let (code, out) = verify(&second);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains(kid.as_str()), "a new key: {out}");
    let admin = app.login(crate::helpers::ADMIN).await;
    let (_, trail) = app.get_text(&admin, "/m/ttu/admin/audit").await;
    assert!(trail.contains("mpp rotate-key (command line)"), "{trail}");

    // A key from the environment: a server started with MPP_SIGNING_KEY_TTU
    // signs with it (registered as the mall's key, the file's retired), and
    // keeps no file of it.
    let seed = B64.encode([42u8; 32]);
    let other = app.another_server(|s| s.signing_keys_from_env = [("ttu".to_string(), seed)].into()).await;
    let number = research_letter(&other, &other.login(CITIZEN).await).await;
    let officer = other.login(LICENSING).await;
    approve_next(&other, &officer, &number).await;
    approve_next(&other, &officer, &number).await;
    let third = download(&other, &other.login(CITIZEN).await, &number).await;
    let env_public = B64.encode(ed25519_dalek::SigningKey::from_bytes(&[42u8; 32]).verifying_key().as_bytes());
    let published: Vec<(String, String)> =
        sql::query("SELECT id, public_key FROM signing_keys WHERE retired_at IS NULL")
            .fetch_all(&mut Conn::Read(&app.state.db))
            .await
            .unwrap();
    assert_eq!(published.len(), 1, "{published:?}");
    assert_eq!(published[0].1, env_public);
    assert!(!other.state.keys.dir.join(mall_id).join(format!("{}.key", published[0].0)).exists());
    let (code, out) = verify(&third);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&published[0].0), "{out}");
}
both!(signing_keys_live_outside_the_database);
