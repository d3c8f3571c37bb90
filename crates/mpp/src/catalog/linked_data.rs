//! The catalogue as linked data: schema.org `GovernmentService` embedded in
//! each service page, for search engines and the national portal; and the
//! whole mall as CPSV-AP 3.2.0 JSON-LD, the EU's public-service vocabulary.

use super::store::{Agency, Service};
use crate::i18n::Tr;
use crate::tenancy::Mall;
use mpp_domain::catalog::{Channel, lines};
use mpp_domain::format::{Lang, clock, parse_clock, rupiah, weekday_name};
use serde_json::{Value, json};

/// schema.org `GovernmentService` for one service page.
pub fn schema_org_service(mall: &Mall, agency: &Agency, s: &Service, t: &Tr) -> Value {
    let channels: Vec<Value> = s
        .channel_list()
        .iter()
        .map(|c| {
            let kind = match c {
                Channel::Online => "OnlineService",
                _ => "ServiceChannel",
            };
            json!({"@type": "ServiceChannel", "name": t.t(&format!("channel.{}", c.as_str())), "additionalType": kind,
                   "serviceLocation": {"@type": "GovernmentOffice", "name": mall.name, "address": mall.address}})
        })
        .collect();
    json!({
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "identifier": s.code,
        "name": t.pick(&s.name_id, &s.name_en),
        "alternateName": s.alias_list(),
        "description": t.pick(&s.summary_id, &s.summary_en),
        "serviceType": t.pick(&s.product_id, &s.product_en),
        "provider": {"@type": "GovernmentOrganization", "name": t.pick(&agency.name_id, &agency.name_en),
                     "telephone": agency.phone},
        "serviceOperator": {"@type": "GovernmentOrganization", "name": mall.name, "email": mall.email,
                            "telephone": mall.phone, "address": mall.address},
        "areaServed": {"@type": "AdministrativeArea", "name": mall.name, "identifier": mall.region_code},
        "availableChannel": channels,
        "termsOfService": lines(&s.legal_basis),
        "offers": {"@type": "Offer", "price": s.cost_rupiah, "priceCurrency": "IDR"},
        "inLanguage": t.code(),
    })
}

/// Everything the CPSV-AP export of one mall describes.
pub struct MallCatalogue<'a> {
    pub mall: &'a Mall,
    /// The absolute base URL of this deployment, e.g. `https://mpp.ttukab.go.id`.
    pub base_url: &'a str,
    pub agencies: &'a [Agency],
    /// Active services only.
    pub services: &'a [Service],
    pub hours: &'a [crate::calendar::store::Hours],
    /// (counter number, zone, agency id, service ids) of active counters.
    pub counters: &'a [(i64, String, String, Vec<String>)],
}

/// The profile this export follows.
const CPSV_AP: &str = "https://semiceu.github.io/CPSV-AP/releases/3.2.0/";
/// EU Publications Office authority tables (currency, country, frequency).
const EU_AUTHORITY: &str = "http://publications.europa.eu/resource/authority";

/// CPSV-AP 3.2.0 JSON-LD for one mall: the mall and its agencies as public
/// organisations, every active service as a `cpsv:PublicService` carrying the
/// published service standard (requirements with their evidence, procedure,
/// completion time, cost, product, complaint handling, legal basis) and its
/// channels. The context is inline, so a reader needs no network.
pub fn cpsv_ap(c: &MallCatalogue<'_>) -> Value {
    let m = c.mall;
    let base = c.base_url.trim_end_matches('/');
    let mall_iri = format!("{base}/m/{}", m.slug);
    let doc_iri = format!("{base}/api/v1/malls/{}/cpsv-ap", m.slug);
    let region_iri = format!("{mall_iri}#wilayah");
    let country_iri = format!("{EU_AUTHORITY}/country/IDN");
    let ids = Tr::new(Lang::Id);
    let ens = Tr::new(Lang::En);

    let hours: Vec<Value> = c.hours.iter().map(|h| opening_hours(&mall_iri, m, h)).collect();
    let hour_refs: Vec<Value> = hours.iter().map(|h| json!({"@id": h["@id"]})).collect();

    let mut graph = vec![
        json!({
            "@id": doc_iri,
            "@type": "dcat:Dataset",
            "dct:title": lang(&format!("Katalog layanan {} (CPSV-AP 3.2.0)", m.name),
                              &format!("Service catalogue of {} (CPSV-AP 3.2.0)", m.name)),
            "dct:description": lang_or(&m.description_id, &m.description_en, &m.name),
            "dct:publisher": {"@id": mall_iri},
            "dct:conformsTo": {"@id": CPSV_AP},
            "dcat:landingPage": {"@id": format!("{mall_iri}/layanan"), "@type": "foaf:Document"},
            "dct:hasPart": c.services.iter().map(|s| json!({"@id": service_iri(&mall_iri, s)})).collect::<Vec<_>>(),
        }),
        json!({
            "@id": mall_iri,
            "@type": ["cv:PublicOrganisation", "org:Organization", "foaf:Agent"],
            "dct:identifier": m.slug,
            "dct:title": lang(&m.name, ""),
            "skos:prefLabel": lang(&m.name, ""),
            "dct:description": lang(&m.description_id, &m.description_en),
            "dct:spatial": {"@id": region_iri},
            "locn:address": {"@type": "locn:Address", "locn:fullAddress": lang(&m.address, "")},
            "schema:telephone": m.phone,
            "schema:email": m.email,
            "schema:openingHoursSpecification": hour_refs,
        }),
        json!({
            "@id": region_iri,
            "@type": "dct:Location",
            "dct:identifier": m.region_code,
            "dct:description": lang(&format!("Wilayah administrasi berkode Kemendagri {}", m.region_code),
                                    &format!("Administrative area with Kemendagri code {}", m.region_code)),
            "dct:isPartOf": {"@id": country_iri},
        }),
        json!({"@id": country_iri, "@type": "dct:Location", "skos:prefLabel": lang("Indonesia", "Indonesia")}),
        concept(
            &format!("{EU_AUTHORITY}/currency/IDR"),
            &format!("{EU_AUTHORITY}/currency"),
            "IDR",
            "Rupiah Indonesia",
            "Indonesian rupiah",
        ),
        concept(
            &format!("{EU_AUTHORITY}/frequency/WEEKLY"),
            &format!("{EU_AUTHORITY}/frequency"),
            "WEEKLY",
            "mingguan",
            "weekly",
        ),
        json!({
            "@id": format!("{base}/kosakata/saluran"),
            "@type": "skos:ConceptScheme",
            "skos:prefLabel": lang("Saluran pelayanan MPP", "MPP service channels"),
        }),
    ];
    for ch in Channel::ALL {
        let key = format!("channel.{}", ch.as_str());
        graph.push(concept(
            &channel_type_iri(base, *ch),
            &format!("{base}/kosakata/saluran"),
            ch.as_str(),
            ids.t(&key),
            ens.t(&key),
        ));
    }
    graph.extend(hours);
    for a in c.agencies {
        graph.push(json!({
            "@id": agency_iri(&mall_iri, a),
            "@type": ["cv:PublicOrganisation", "org:Organization", "foaf:Agent"],
            "dct:identifier": a.code,
            "dct:title": lang(&a.name_id, &a.name_en),
            "skos:prefLabel": lang(&a.name_id, &a.name_en),
            "dct:description": lang(&a.description_id, &a.description_en),
            "dct:spatial": {"@id": region_iri},
            "schema:telephone": a.phone,
        }));
    }
    let ctx =
        ServiceContext { base, mall_iri: &mall_iri, doc_iri: &doc_iri, region_iri: &region_iri, hours: &hour_refs };
    graph.extend(c.services.iter().map(|s| public_service(c, &ctx, s)));

    let mut doc = json!({"@context": context(), "@graph": graph});
    prune(&mut doc);
    doc
}

/// The inline JSON-LD context: prefixes only, so every key reads as its IRI.
fn context() -> Value {
    json!({
        "adms": "http://www.w3.org/ns/adms#",
        "cpsv": "http://purl.org/vocab/cpsv#",
        "cv": "http://data.europa.eu/m8g/",
        "dcat": "http://www.w3.org/ns/dcat#",
        "dct": "http://purl.org/dc/terms/",
        "eli": "http://data.europa.eu/eli/ontology#",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "locn": "http://www.w3.org/ns/locn#",
        "org": "http://www.w3.org/ns/org#",
        "schema": "http://schema.org/",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "time": "http://www.w3.org/2006/time#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    })
}

/// What every service node links to.
struct ServiceContext<'a> {
    base: &'a str,
    mall_iri: &'a str,
    doc_iri: &'a str,
    region_iri: &'a str,
    /// References to the mall's opening hours.
    hours: &'a [Value],
}

fn service_iri(mall_iri: &str, s: &Service) -> String {
    format!("{mall_iri}/layanan/{}", s.code)
}

fn agency_iri(mall_iri: &str, a: &Agency) -> String {
    format!("{mall_iri}/instansi/{}", a.code)
}

fn channel_type_iri(base: &str, ch: Channel) -> String {
    format!("{base}/kosakata/saluran/{}", ch.as_str())
}

/// One service with its standard (UU 25/2009 art. 21) in CPSV-AP terms.
fn public_service(c: &MallCatalogue<'_>, x: &ServiceContext<'_>, s: &Service) -> Value {
    let iri = service_iri(x.mall_iri, s);
    let code = &s.code;
    let (ids, ens) = (Tr::new(Lang::Id), Tr::new(Lang::En));
    // The competent authority is the service's agency; the mall stands in
    // only if the agency is missing, so the required link is never dangling.
    let authority = c
        .agencies
        .iter()
        .find(|a| a.id == s.agency_id)
        .map_or_else(|| x.mall_iri.to_string(), |a| agency_iri(x.mall_iri, a));

    let description = |summary: &str, completion: &str, t: &Tr| -> String {
        let summary = if summary.trim().is_empty() { t.pick(&s.name_id, &s.name_en) } else { summary };
        if completion.trim().is_empty() {
            summary.to_string()
        } else {
            format!("{summary}\n{}: {completion}", t.t("service.completion_time"))
        }
    };
    let desc_id = description(&s.summary_id, &s.completion_time_id, &ids);
    let desc_en = if s.summary_en.trim().is_empty() {
        String::new()
    } else {
        description(&s.summary_en, &s.completion_time_en, &ens)
    };

    let requirements: Vec<Value> = paired_lines(&s.requirements_id, &s.requirements_en)
        .iter()
        .enumerate()
        .map(|(i, (id, en))| {
            let n = i + 1;
            let req = format!("{iri}#persyaratan-{n}");
            json!({
                "@id": req,
                "@type": "cv:Requirement",
                "dct:identifier": format!("{code}/persyaratan/{n}"),
                "dct:title": lang(id, en),
                "cv:hasSupportingEvidence": {
                    "@id": format!("{iri}#bukti-{n}"),
                    "@type": "cv:Evidence",
                    "dct:identifier": format!("{code}/bukti/{n}"),
                    "dct:title": lang(id, en),
                    "cv:supportsRequirement": {"@id": req},
                },
            })
        })
        .collect();
    let inputs: Vec<Value> =
        requirements.iter().map(|r| json!({"@id": r["cv:hasSupportingEvidence"]["@id"]})).collect();

    let legal: Vec<Value> = lines(&s.legal_basis)
        .iter()
        .enumerate()
        .map(|(i, title)| {
            json!({"@id": format!("{iri}#dasar-hukum-{}", i + 1), "@type": "eli:LegalResource", "dct:title": lang(title, "")})
        })
        .collect();
    let legal_refs: Vec<Value> = legal.iter().map(|l| json!({"@id": l["@id"]})).collect();

    let procedure = |text: &str| -> String {
        lines(text).iter().enumerate().map(|(i, step)| format!("{}. {step}", i + 1)).collect::<Vec<_>>().join("\n")
    };
    let rule = (!lines(&s.procedure_id).is_empty() || !lines(&s.procedure_en).is_empty()).then(|| {
        json!({
            "@id": format!("{iri}#prosedur"),
            "@type": "cpsv:Rule",
            "dct:identifier": format!("{code}/prosedur"),
            "dct:title": lang(&format!("{}: {}", ids.t("service.procedure"), s.name_id),
                              &format!("{}: {}", ens.t("service.procedure"), if s.name_en.is_empty() { &s.name_id } else { &s.name_en })),
            "dct:description": lang_or(&procedure(&s.procedure_id), &procedure(&s.procedure_en), ""),
            "cpsv:implements": legal_refs,
        })
    });

    let channels: Vec<Value> = s.channel_list().into_iter().map(|ch| channel(c, x, s, &iri, ch)).collect();

    let (free_id, free_en) = (ids.t("service.free"), ens.t("service.free"));
    let amount = rupiah(s.cost_rupiah);
    let cost_note = |note: &str, free: &str| -> String {
        match (note.trim().is_empty(), s.cost_rupiah == 0) {
            (false, _) => note.trim().to_string(),
            (true, true) => free.to_string(),
            (true, false) => amount.clone(),
        }
    };
    let cost = json!({
        "@id": format!("{iri}#biaya"),
        "@type": "cv:Cost",
        "dct:identifier": format!("{code}/biaya"),
        // Whole rupiah; the profile types the value as a double.
        "cv:hasValue": {"@value": s.cost_rupiah as f64, "@type": "xsd:double"},
        "cv:currency": {"@id": format!("{EU_AUTHORITY}/currency/IDR")},
        "dct:description": lang(&cost_note(&s.cost_note_id, free_id), &cost_note(&s.cost_note_en, free_en)),
    });

    let output = (!s.product_id.trim().is_empty() || !s.product_en.trim().is_empty()).then(|| {
        json!({
            "@id": format!("{iri}#produk"),
            "@type": "cv:Output",
            "dct:identifier": format!("{code}/produk"),
            "dct:title": lang(&s.product_id, &s.product_en),
        })
    });

    let contact = json!({
        "@id": format!("{iri}#pengaduan"),
        "@type": "cv:ContactPoint",
        "dct:title": lang(ids.t("service.complaint"), ens.t("service.complaint")),
        "dct:description": lang(&s.complaint_id, &s.complaint_en),
        "cv:telephone": c.mall.phone,
        "cv:email": c.mall.email,
        "cv:openingHours": x.hours,
    });

    json!({
        "@id": iri,
        "@type": "cpsv:PublicService",
        "dct:identifier": code,
        "dct:title": lang(&s.name_id, &s.name_en),
        "dct:description": lang(&desc_id, &desc_en),
        "dct:isPartOf": {"@id": x.doc_iri},
        "dct:spatial": {"@id": x.region_iri},
        "cv:hasCompetentAuthority": {"@id": authority},
        "cv:holdsRequirement": requirements,
        "cpsv:hasInput": inputs,
        "cpsv:follows": rule,
        "cv:hasLegalResource": legal,
        "cv:processingTime": {"@value": processing_time(s.sla_days), "@type": "xsd:duration"},
        "cv:hasCost": cost,
        "cpsv:produces": output,
        "cv:contactPoint": contact,
        "cv:hasChannel": channels,
    })
}

/// One way to obtain a service. The counter and the kiosk are the mall's,
/// open in its hours; the counter also says which counters serve it.
fn channel(c: &MallCatalogue<'_>, x: &ServiceContext<'_>, s: &Service, service_iri: &str, ch: Channel) -> Value {
    let key = format!("channel.{}", ch.as_str());
    let (mut desc_id, mut desc_en) = (Tr::new(Lang::Id).t(&key).to_string(), Tr::new(Lang::En).t(&key).to_string());
    let in_mall = matches!(ch, Channel::Counter | Channel::Kiosk);
    if ch == Channel::Counter {
        let mut at: Vec<&(i64, String, String, Vec<String>)> =
            c.counters.iter().filter(|(_, _, _, served)| served.contains(&s.id)).collect();
        at.sort_by_key(|(n, ..)| *n);
        if !at.is_empty() {
            let list =
                |word: &str| {
                    at.iter()
                        .map(|(n, zone, ..)| {
                            if zone.trim().is_empty() { format!("{word} {n}") } else { format!("{word} {n} ({zone})") }
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                };
            desc_id = format!("{desc_id}: {}", list("loket"));
            desc_en = format!("{desc_en}: {}", list("counter"));
        }
    }
    json!({
        "@id": format!("{service_iri}#saluran-{}", ch.as_str()),
        "@type": "cv:Channel",
        "dct:identifier": format!("{}/saluran/{}", s.code, ch.as_str()),
        "dct:type": {"@id": channel_type_iri(x.base, ch)},
        "dct:description": lang(&desc_id, &desc_en),
        "cv:ownedBy": in_mall.then(|| json!({"@id": x.mall_iri})),
        "cv:openingHours": if in_mall { x.hours.to_vec() } else { Vec::new() },
    })
}

/// The mall's hours on one weekday, as an OWL-Time entity (what CPSV-AP
/// asks for) that is also a schema.org opening-hours specification.
fn opening_hours(mall_iri: &str, m: &Mall, h: &crate::calendar::store::Hours) -> Value {
    let zone = m.zone();
    let day = u8::try_from(h.weekday.clamp(1, 7)).unwrap_or(1);
    let day_en = weekday_name(day, Lang::En);
    let (opens, closes) = (parse_clock(&h.opens), parse_clock(&h.closes));
    let shown = |t: Option<time::Time>, raw: &str, l: Lang| t.map_or_else(|| raw.to_string(), |t| clock(t, l));
    let offset = format!("+{:02}:00", zone.offset().whole_hours());
    let xsd_time = |t: Option<time::Time>| {
        t.map(|t| json!({"@value": format!("{:02}:{:02}:00{offset}", t.hour(), t.minute()), "@type": "xsd:time"}))
    };
    let instant = |t: Option<time::Time>| {
        t.map(|t| {
            json!({"@type": "time:Instant", "time:inDateTime": {
                "@type": "time:DateTimeDescription",
                "time:unitType": {"@id": "time:unitMinute"},
                "time:dayOfWeek": {"@id": format!("time:{day_en}")},
                "time:hour": {"@value": t.hour(), "@type": "xsd:nonNegativeInteger"},
                "time:minute": {"@value": t.minute(), "@type": "xsd:nonNegativeInteger"},
            }})
        })
    };
    json!({
        "@id": format!("{mall_iri}#jam-buka-{day}"),
        "@type": ["time:TemporalEntity", "schema:OpeningHoursSpecification"],
        "dct:description": lang(
            &format!("{} {}–{} {}", weekday_name(day, Lang::Id), shown(opens, &h.opens, Lang::Id), shown(closes, &h.closes, Lang::Id), zone.as_str()),
            &format!("{day_en} {}–{} {} ({})", shown(opens, &h.opens, Lang::En), shown(closes, &h.closes, Lang::En), zone.as_str(), zone.iana()),
        ),
        "cv:frequency": {"@id": format!("{EU_AUTHORITY}/frequency/WEEKLY")},
        "schema:dayOfWeek": {"@id": format!("schema:{day_en}")},
        "schema:opens": xsd_time(opens),
        "schema:closes": xsd_time(closes),
        "time:hasBeginning": instant(opens),
        "time:hasEnd": instant(closes),
    })
}

/// `P{n}D` from the standard's completion time in (working) days; a
/// same-visit service (0 days) is done within the hour.
fn processing_time(sla_days: i64) -> String {
    if sla_days > 0 { format!("P{sla_days}D") } else { "PT1H".to_string() }
}

/// A SKOS concept in a scheme, labelled in both languages.
fn concept(iri: &str, scheme: &str, notation: &str, label_id: &str, label_en: &str) -> Value {
    json!({
        "@id": iri,
        "@type": "skos:Concept",
        "skos:inScheme": {"@id": scheme},
        "skos:notation": notation,
        "skos:prefLabel": lang(label_id, label_en),
    })
}

/// Indonesian and English lines side by side (the English may be shorter or missing).
fn paired_lines<'a>(id: &'a str, en: &'a str) -> Vec<(&'a str, &'a str)> {
    let (id, en) = (lines(id), lines(en));
    (0..id.len().max(en.len())).map(|i| (id.get(i).copied().unwrap_or(""), en.get(i).copied().unwrap_or(""))).collect()
}

/// Language-tagged strings; empty texts are left out.
fn lang(id: &str, en: &str) -> Value {
    let tagged = [("id", id), ("en", en)]
        .into_iter()
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|(tag, text)| json!({"@value": text.trim(), "@language": tag}))
        .collect();
    Value::Array(tagged)
}

/// Like [`lang`], with an Indonesian fallback when both texts are empty.
fn lang_or(id: &str, en: &str, fallback: &str) -> Value {
    if id.trim().is_empty() && en.trim().is_empty() { lang(fallback, "") } else { lang(id, en) }
}

/// Drops empty values (null, "", [], {}) so optional facts a mall has not
/// written do not appear as empty statements.
fn prune(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                prune(child);
            }
            map.retain(|_, child| !is_empty(child));
        }
        Value::Array(items) => {
            for child in items.iter_mut() {
                prune(child);
            }
            items.retain(|child| !is_empty(child));
        }
        _ => {}
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}
