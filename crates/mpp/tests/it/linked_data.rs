//! The CPSV-AP 3.2.0 export: the whole mall as JSON-LD, checked by an outside
//! SHACL validator (pyshacl) against the shapes SEMIC publishes, and read back
//! for the facts of the service standard it must carry.

use crate::helpers::{TestApp, both, python, run_checker};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use std::path::PathBuf;

/// The published CPSV-AP 3.2.0 shapes, kept unchanged in the repository
/// (data/standards, with their source and licence).
fn shapes() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/standards/cpsv-ap-3.2.0/cpsv-ap-SHACL.ttl");
    assert!(path.exists(), "SHACL shapes missing at {}", path.display());
    path.to_str().unwrap().to_string()
}

async fn export(app: &TestApp) -> Value {
    let r = Client::new().get(app.url("/api/v1/malls/ttu/cpsv-ap")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/ld+json");
    r.json().await.unwrap()
}

/// Writes a document to a fresh temporary file (removed when dropped).
struct TempDoc(PathBuf);

impl TempDoc {
    fn new(doc: &Value) -> TempDoc {
        let file = std::env::temp_dir().join(format!("mpp-cpsv-ap-{}.jsonld", crate::helpers::unique()));
        std::fs::write(&file, doc.to_string()).unwrap();
        TempDoc(file)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempDoc {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// pyshacl on one JSON-LD file; it prints "Conforms: True" or exits non-zero.
fn pyshacl_args<'a>(shapes: &'a str, file: &'a str) -> [&'a str; 9] {
    ["-m", "pyshacl", "-s", shapes, "-df", "json-ld", "-sf", "turtle", file]
}

fn graph(doc: &Value) -> &Vec<Value> {
    doc["@graph"].as_array().expect("a @graph array")
}

fn node<'a>(doc: &'a Value, id: &str) -> &'a Value {
    graph(doc).iter().find(|n| n["@id"] == id).unwrap_or_else(|| panic!("no node {id}"))
}

fn types(n: &Value) -> Vec<&str> {
    match &n["@type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// The text in one language of a language-tagged property.
fn text<'a>(n: &'a Value, property: &str, lang: &str) -> &'a str {
    let values = n[property].as_array().unwrap_or_else(|| panic!("{property} is not a list in {n}"));
    values.iter().find(|v| v["@language"] == lang).and_then(|v| v["@value"].as_str()).unwrap_or("")
}

/// A property's values as a list, whether one value or many were written.
fn all<'a>(n: &'a Value, property: &str) -> Vec<&'a Value> {
    match &n[property] {
        Value::Array(vs) => vs.iter().collect(),
        Value::Null => vec![],
        v => vec![v],
    }
}

fn service<'a>(doc: &'a Value, code: &str) -> &'a Value {
    graph(doc)
        .iter()
        .find(|n| n["dct:identifier"] == code && types(n).contains(&"cpsv:PublicService"))
        .unwrap_or_else(|| panic!("no public service {code}"))
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

async fn the_cpsv_ap_export_conforms_to_the_shapes(app: TestApp) {
    let doc = export(&app).await;
    // The context is inline (this machine has no internet, and a remote
    // context would make every reader fetch it).
    let context = doc["@context"].as_object().expect("an inline @context object");
    assert_eq!(context["cv"], "http://data.europa.eu/m8g/");
    assert_eq!(context["cpsv"], "http://purl.org/vocab/cpsv#");
    assert!(context.values().all(|v| v.as_str().is_some_and(|iri| iri.starts_with("http"))), "{context:?}");

    let file = TempDoc::new(&doc);
    let shapes = shapes();
    let report = run_checker(&pyshacl_args(&shapes, file.path()));
    assert!(report.contains("Conforms: True"), "{report}");

    // Every active service is there, as a public service of the catalogue.
    let c = Client::new();
    let services: Vec<Value> = c.get(app.url("/api/v1/malls/ttu/services")).send().await.unwrap().json().await.unwrap();
    let exported = graph(&doc).iter().filter(|n| types(n).contains(&"cpsv:PublicService")).count();
    assert_eq!(exported, services.len());
    let mall = format!("{}/m/ttu", app.base);

    // KTP-EL: Dukcapil is its competent authority.
    let ktp_api: Value =
        c.get(app.url("/api/v1/malls/ttu/services/KTP-EL")).send().await.unwrap().json().await.unwrap();
    let ktp = service(&doc, "KTP-EL");
    assert_eq!(ktp["@id"], format!("{mall}/layanan/KTP-EL"));
    assert_eq!(text(ktp, "dct:title", "id"), ktp_api["name_id"]);
    assert_eq!(text(ktp, "dct:title", "en"), ktp_api["name_en"]);
    let authority = ktp["cv:hasCompetentAuthority"]["@id"].as_str().unwrap();
    assert_eq!(authority, format!("{mall}/instansi/dukcapil"));
    let dukcapil = node(&doc, authority);
    assert!(types(dukcapil).contains(&"cv:PublicOrganisation"));
    assert!(text(dukcapil, "skos:prefLabel", "id").contains("Kependudukan dan Pencatatan Sipil"));
    assert!(text(dukcapil, "skos:prefLabel", "en").contains("Civil Registration"));

    // One requirement per line, each with its supporting evidence.
    let wanted = lines(ktp_api["requirements_id"].as_str().unwrap());
    let requirements = all(ktp, "cv:holdsRequirement");
    assert_eq!(requirements.len(), wanted.len());
    assert!(wanted.len() >= 3);
    for (r, line) in requirements.iter().zip(&wanted) {
        assert!(types(r).contains(&"cv:Requirement"));
        assert_eq!(text(r, "dct:title", "id"), *line);
        let evidence = &r["cv:hasSupportingEvidence"];
        assert!(types(evidence).contains(&"cv:Evidence"), "{r}");
        assert_eq!(text(evidence, "dct:title", "id"), *line);
        assert_eq!(evidence["cv:supportsRequirement"]["@id"], r["@id"]);
    }

    // "Gratis" is a cost of zero rupiah, not a missing cost.
    assert_eq!(ktp_api["cost_rupiah"], 0);
    let cost = &ktp["cv:hasCost"];
    assert!(types(cost).contains(&"cv:Cost"));
    assert_eq!(cost["cv:hasValue"]["@value"].as_f64(), Some(0.0));
    assert_eq!(cost["cv:hasValue"]["@type"], "xsd:double");
    assert_eq!(cost["cv:currency"]["@id"], "http://publications.europa.eu/resource/authority/currency/IDR");
    assert!(text(cost, "dct:description", "id").starts_with("Gratis"), "{cost}");
    // A paid service carries its amount.
    let passport = &service(&doc, "PASPOR-BARU")["cv:hasCost"];
    assert_eq!(passport["cv:hasValue"]["@value"].as_f64(), Some(350_000.0));

    // Product, completion time, procedure and legal basis.
    assert_eq!(text(&ktp["cpsv:produces"], "dct:title", "id"), ktp_api["product_id"]);
    assert_eq!(ktp["cv:processingTime"]["@value"], format!("P{}D", ktp_api["sla_days"]));
    assert_eq!(ktp["cv:processingTime"]["@type"], "xsd:duration");
    assert_eq!(service(&doc, "KIA")["cv:processingTime"]["@value"], "PT1H", "done on the spot");
    let procedure = text(&ktp["cpsv:follows"], "dct:description", "id");
    assert!(procedure.starts_with("1. "), "{procedure}");
    assert_eq!(procedure.lines().count(), lines(ktp_api["procedure_id"].as_str().unwrap()).len());
    let legal = all(ktp, "cv:hasLegalResource");
    assert_eq!(legal.len(), lines(ktp_api["legal_basis"].as_str().unwrap()).len());
    assert!(legal.iter().all(|l| types(l).contains(&"eli:LegalResource")));
    assert!(text(legal[0], "dct:title", "id").starts_with("UU No. 24 Tahun 2013"));

    // Channels: one per channel of the service; the counter is the mall's,
    // names its counters and opens in the mall's hours.
    let channels = all(ktp, "cv:hasChannel");
    let wanted: Vec<String> = ktp_api["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ch| format!("{}/kosakata/saluran/{}", app.base, ch.as_str().unwrap()))
        .collect();
    let got: Vec<&str> = channels.iter().map(|ch| ch["dct:type"]["@id"].as_str().unwrap()).collect();
    assert_eq!(got, wanted);
    let counter = channels.iter().find(|ch| ch["dct:type"]["@id"].as_str().unwrap().ends_with("/counter")).unwrap();
    assert_eq!(counter["cv:ownedBy"]["@id"], mall);
    assert!(text(counter, "dct:description", "id").contains("loket 1"), "{counter}");
    assert!(all(counter, "cv:openingHours").iter().any(|h| h["@id"] == format!("{mall}#jam-buka-1")));
    assert!(types(node(&doc, &mall)).contains(&"org:Organization"));

    // The mall's opening hours, in its own zone (WITA, UTC+8).
    let monday = node(&doc, &format!("{mall}#jam-buka-1"));
    assert!(types(monday).contains(&"time:TemporalEntity"));
    assert_eq!(text(monday, "dct:description", "id"), "Senin 08.00–15.00 WITA");
    assert!(text(monday, "dct:description", "en").contains("Asia/Makassar"));
    assert_eq!(monday["schema:opens"]["@value"], "08:00:00+08:00");
    assert_eq!(monday["schema:closes"]["@value"], "15:00:00+08:00");
    let friday = node(&doc, &format!("{mall}#jam-buka-5"));
    assert_eq!(friday["schema:closes"]["@value"], "15:30:00+08:00");

    // Complaints go to a contact point with the mall's phone, e-mail and hours.
    let contact = &ktp["cv:contactPoint"];
    assert!(types(contact).contains(&"cv:ContactPoint"));
    assert!(text(contact, "dct:description", "id").contains("SP4N-LAPOR!"));
    assert_eq!(contact["cv:telephone"], "(0388) 31800");
    assert_eq!(contact["cv:email"], "mpp@ttukab.go.id");
    assert_eq!(all(contact, "cv:openingHours").len(), 6);
}
both!(the_cpsv_ap_export_conforms_to_the_shapes);

/// The checker really checks: without its competent authority (required by
/// the profile) a public service does not conform.
async fn a_service_without_its_authority_does_not_conform(app: TestApp) {
    let mut doc = export(&app).await;
    let ktp = doc["@graph"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|n| n["dct:identifier"] == "KTP-EL" && n["@type"] == "cpsv:PublicService")
        .unwrap();
    assert!(ktp.as_object_mut().unwrap().remove("cv:hasCompetentAuthority").is_some());
    let file = TempDoc::new(&doc);
    let shapes = shapes();
    let out = std::process::Command::new(python())
        .args(pyshacl_args(&shapes, file.path()))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} ({e}); run ./scripts/test, which installs the checkers", python()));
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "pyshacl accepted a service without its authority:\n{report}");
    assert!(report.contains("Conforms: False"), "{report}");
    assert!(report.contains("http://data.europa.eu/m8g/hasCompetentAuthority"), "{report}");
    assert!(report.contains(&format!("{}/m/ttu/layanan/KTP-EL", app.base)), "{report}");
}
both!(a_service_without_its_authority_does_not_conform);
