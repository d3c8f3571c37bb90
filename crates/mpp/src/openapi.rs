//! The OpenAPI 3.1 document at `/api/openapi.json`, assembled from the
//! routes: each record resource contributes its five operations, schemas
//! come from the Rust types (utoipa), so the document cannot drift from
//! what the code accepts and returns. A test validates it with an outside
//! checker and calls every documented path.

use crate::agreements::Agreements;
use crate::bundle::definition::Bundles;
use crate::calendar::admin::Days;
use crate::catalog::api::MallInfo;
use crate::catalog::{agencies::Agencies, counters::Counters, facilities::Facilities, services::Services};
use crate::crud::Resource;
use crate::exchange::clients::Clients as ExchangeClients;
use axum::Json;
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use utoipa::openapi::ComponentsBuilder;

pub async fn document() -> impl IntoResponse {
    Json(spec())
}

pub(crate) fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

pub(crate) fn problem(description: &str) -> Value {
    json!({"description": description, "content": {"application/problem+json": {"schema": schema_ref("Problem")}}})
}

pub(crate) fn ok(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

pub(crate) fn param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}})
}

/// The properties a schema names, through `allOf` and references.
fn property_names<T: ToSchema>() -> std::collections::BTreeSet<String> {
    let mut named = Vec::new();
    T::schemas(&mut named);
    let components: Map<String, Value> =
        named.into_iter().filter_map(|(name, s)| Some((name, serde_json::to_value(s).ok()?))).collect();
    let mut out = std::collections::BTreeSet::new();
    let root = serde_json::to_value(T::schema()).unwrap_or_default();
    collect_properties(&root, &components, &mut out);
    out
}

fn collect_properties(schema: &Value, components: &Map<String, Value>, out: &mut std::collections::BTreeSet<String>) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        out.extend(props.keys().cloned());
    }
    for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        collect_properties(part, components, out);
    }
    let target = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next());
    if let Some(found) = target.and_then(|name| components.get(name)) {
        collect_properties(found, components, out);
    }
}

/// What a record of `R` shows but a write does not take: its id, the
/// agency's id beside its code, file details. Marked `readOnly` in the
/// document, and dropped when a client sends a record back as read.
pub(crate) fn shown_only<R: Resource>() -> Vec<String> {
    let taken = property_names::<R::Input>();
    property_names::<R::Row>().into_iter().filter(|p| !taken.contains(p)).collect()
}

/// Marks what a record of `R` only shows as `readOnly`, so generated clients
/// leave it out of writes (references are inlined, so a shared schema stays
/// as it is elsewhere).
fn mark_shown_only<R: Resource>(schemas: &mut Value) {
    let shown_only = shown_only::<R>();
    let all = schemas.as_object().cloned().unwrap_or_default();
    if let Some(row) = schemas.get_mut(R::Row::name().as_ref()) {
        mark(row, &all, &shown_only);
    }
}

fn mark(schema: &mut Value, components: &Map<String, Value>, names: &[String]) {
    if let Some(target) = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()) {
        *schema = components.get(target).cloned().unwrap_or_default();
    }
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, prop) in props.iter_mut() {
            if names.contains(name) {
                prop["readOnly"] = json!(true);
            }
        }
    }
    for part in schema.get_mut("allOf").and_then(Value::as_array_mut).into_iter().flatten() {
        mark(part, components, names);
    }
}

pub(crate) const SLUG: &str = "The mall's slug, e.g. `ttu`.";

/// The five operations of one record resource.
fn resource<R: Resource>(paths: &mut Map<String, Value>, tag: &str, key_doc: &str) {
    let base = format!("/api/v1/malls/{{slug}}/{}", R::API_SEGMENT);
    let row = schema_ref(&R::Row::name());
    let input = schema_ref(&R::Input::name());
    let security = json!([{"bearer": []}]);
    // Public records need no token; with one, its owner's unpublished ones too.
    let read_security = if R::PUBLIC { json!([{}, {"bearer": []}]) } else { security.clone() };
    let read_401 = if R::PUBLIC { "A bearer token was sent and is not valid." } else { "No valid bearer token." };
    let write_errors = |mut responses: Map<String, Value>| {
        responses.insert("400".into(), problem("The body is not JSON."));
        responses.insert("401".into(), problem("No valid bearer token."));
        responses.insert("403".into(), problem("The token's owner may not change this."));
        responses.insert("404".into(), problem("No such mall or record."));
        responses.insert("422".into(), problem("Invalid input; `errors` names each field."));
        Value::Object(responses)
    };
    let body = json!({"required": true, "content": {"application/json": {"schema": input}}});
    let mut created = Map::new();
    created.insert("201".into(), ok("Created; `Location` points at the new record.", row.clone()));
    let mut replaced = Map::new();
    replaced.insert("200".into(), ok("Replaced.", row.clone()));
    let mut deleted = Map::new();
    deleted.insert("204".into(), json!({"description": "Deleted."}));
    paths.insert(
        base.clone(),
        json!({
            "parameters": [param("slug", SLUG)],
            "get": {"operationId": format!("list_{}", R::API_SEGMENT.replace('-', "_")), "tags": [tag],
                    "summary": format!("List {}", R::API_SEGMENT), "security": read_security,
                    "responses": {"200": ok("The records.", json!({"type": "array", "items": row})),
                                  "401": problem(read_401), "404": problem("No such mall.")}},
            "post": {"operationId": format!("create_{}", R::API_SEGMENT.replace('-', "_")), "tags": [tag],
                     "summary": format!("Create one of {}", R::API_SEGMENT), "security": security,
                     "requestBody": body, "responses": write_errors(created)},
        }),
    );
    paths.insert(
        format!("{base}/{{{}}}", R::KEY),
        json!({
            "parameters": [param("slug", SLUG), param(R::KEY, key_doc)],
            "get": {"operationId": format!("get_{}", R::API_SEGMENT.replace('-', "_")), "tags": [tag],
                    "summary": format!("Read one of {}", R::API_SEGMENT), "security": read_security,
                    "responses": {"200": ok("The record.", row), "401": problem(read_401),
                                  "404": problem("No such mall or record.")}},
            "put": {"operationId": format!("replace_{}", R::API_SEGMENT.replace('-', "_")), "tags": [tag],
                    "summary": format!("Replace one of {}", R::API_SEGMENT), "security": security,
                    "requestBody": body, "responses": write_errors(replaced)},
            "delete": {"operationId": format!("delete_{}", R::API_SEGMENT.replace('-', "_")), "tags": [tag],
                       "summary": format!("Delete one of {}", R::API_SEGMENT), "security": security,
                       "responses": write_errors(deleted)},
        }),
    );
}

pub fn spec() -> Value {
    let mut paths = Map::new();
    paths.insert(
        "/api/v1/malls".into(),
        json!({"get": {"operationId": "list_malls", "tags": ["Malls"], "summary": "The malls of this deployment",
               "responses": {"200": ok("The malls.", json!({"type": "array", "items": schema_ref("MallInfo")}))}}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}".into(),
        json!({"parameters": [param("slug", SLUG)],
               "get": {"operationId": "get_mall", "tags": ["Malls"], "summary": "One mall with its opening hours",
                       "responses": {"200": ok("The mall.", schema_ref("MallInfo")), "404": problem("No such mall.")}}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/search".into(),
        json!({"parameters": [param("slug", SLUG),
                              {"name": "q", "in": "query", "required": false, "schema": {"type": "string"},
                               "description": "Words, abbreviations or codes (case- and accent-insensitive); only the first 100 characters count."}],
               "get": {"operationId": "search_services", "tags": ["Services"],
                       "summary": "Active services matching every word, best first",
                       "responses": {"200": ok("Matching services.", json!({"type": "array", "items": schema_ref("Service")})),
                                     "404": problem("No such mall.")}}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/cpsv-ap".into(),
        json!({"parameters": [param("slug", SLUG)],
               "get": {"operationId": "get_cpsv_ap", "tags": ["Malls"],
                       "summary": "The mall's catalogue as CPSV-AP 3.2.0 JSON-LD",
                       "responses": {"200": {"description": "JSON-LD conforming to the CPSV-AP 3.2.0 SHACL shapes.",
                                             "content": {"application/ld+json": {"schema": {"type": "object"}}}},
                                     "404": problem("No such mall.")}}}),
    );
    resource::<Services>(&mut paths, "Services", "The service code, e.g. `KTP-EL`.");
    resource::<Agencies>(&mut paths, "Agencies", "The agency code, e.g. `dukcapil`.");
    resource::<Counters>(&mut paths, "Counters", "The counter number.");
    resource::<Facilities>(&mut paths, "Facilities", "The facility id.");
    resource::<Days>(&mut paths, "Calendar", "The date, `YYYY-MM-DD`.");
    resource::<Agreements>(&mut paths, "Agreements", "The agreement id.");
    resource::<Bundles>(&mut paths, "Bundles", "The bundle code, e.g. `KELAHIRAN`.");
    resource::<ExchangeClients>(&mut paths, "Exchange", "The system's id (its `kid`).");
    crate::exchange::document(&mut paths);
    crate::visit::api::document(&mut paths);
    crate::booking::api::document(&mut paths);
    crate::application::api::document(&mut paths);
    crate::application::setup::document(&mut paths);
    crate::certificate::api::document(&mut paths);
    crate::audit::routes::document(&mut paths);
    crate::payment::webhook::document(&mut paths);
    crate::region::api::document(&mut paths);

    let mut schemas = components();
    mark_shown_only::<Services>(&mut schemas);
    mark_shown_only::<Agencies>(&mut schemas);
    mark_shown_only::<Counters>(&mut schemas);
    mark_shown_only::<Facilities>(&mut schemas);
    mark_shown_only::<Days>(&mut schemas);
    mark_shown_only::<Agreements>(&mut schemas);
    mark_shown_only::<Bundles>(&mut schemas);
    mark_shown_only::<ExchangeClients>(&mut schemas);
    for (schema, property, rule) in constraints() {
        // (A typo here is caught by `every_constraint_names_a_field`.)
        let target = &mut schemas[schema]["properties"][property];
        // serde's default (0, "") is not a value the rule allows: a client must send one.
        if let Some(t) = target.as_object_mut() {
            t.remove("default");
        }
        for (k, v) in rule.as_object().into_iter().flatten() {
            target[k] = v.clone();
        }
    }
    for (schema, required) in required_fields() {
        for property in &required {
            let p = &mut schemas[schema]["properties"][*property];
            let free_text = p["type"] == "string" && ["enum", "pattern", "format"].iter().all(|k| p.get(*k).is_none());
            if free_text {
                p["pattern"] = json!(FILLED_TEXT);
            }
            if let Some(p) = p.as_object_mut() {
                p.remove("default");
            }
        }
        schemas[schema]["required"] = json!(required);
    }
    schemas["ApplicationSetup"] = crate::application::setup::schema();
    schemas["Problem"] = json!({
        "type": "object",
        "description": "An RFC 9457 problem document. `detail` and `errors[].message` follow Accept-Language (id or en).",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object", "required": ["field", "code", "message"],
                       "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}}}
        }
    });
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "MPP — Mal Pelayanan Publik API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The public service catalogue of each mall on this deployment. Reads of public records need no token; writes need `Authorization: Bearer <token>` (made on the account page, /akun). Errors are RFC 9457 problem documents.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"}
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": "Malls"}, {"name": "Services"}, {"name": "Agencies"}, {"name": "Counters"},
                 {"name": "Facilities"}, {"name": "Calendar"}, {"name": "Agreements"}, {"name": "Bundles"}, {"name": "Exchange"}, {"name": "Queue"}, {"name": "Appointments"}, {"name": "Applications"},
                 {"name": "Certificates"}, {"name": "Payments"}, {"name": "Regions"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "An API token from /akun."},
                                "agencySignature": {"type": "apiKey", "in": "header", "name": "X-MPP-Signature",
                                                    "description": "A detached JWS by the agency system's registered Ed25519 key (see the exchange)."},
                                "gatewaySignature": {"type": "apiKey", "in": "header", "name": "X-MPP-Signature",
                                                     "description": "HMAC-SHA256 with the mall's gateway secret (see the payment callback)."}}
        }
    });
    finish(&mut doc);
    doc
}

/// The schemas the Rust types give (before `constraints`).
fn components() -> Value {
    let components = ComponentsBuilder::new()
        .schema_from::<MallInfo>()
        .schema_from::<crate::calendar::store::Hours>()
        .schema_from::<crate::catalog::store::Counter>()
        .schema_from::<<Services as Resource>::Row>()
        .schema_from::<<Services as Resource>::Input>()
        .schema_from::<<Agencies as Resource>::Row>()
        .schema_from::<<Agencies as Resource>::Input>()
        .schema_from::<<Counters as Resource>::Row>()
        .schema_from::<<Counters as Resource>::Input>()
        .schema_from::<<Facilities as Resource>::Row>()
        .schema_from::<<Facilities as Resource>::Input>()
        .schema_from::<<Days as Resource>::Row>()
        .schema_from::<<Days as Resource>::Input>()
        .schema_from::<<Agreements as Resource>::Row>()
        .schema_from::<<Agreements as Resource>::Input>()
        .schema_from::<<Bundles as Resource>::Row>()
        .schema_from::<<Bundles as Resource>::Input>()
        .schema_from::<<ExchangeClients as Resource>::Row>()
        .schema_from::<<ExchangeClients as Resource>::Input>()
        .schema_from::<mpp_domain::exchange::Request>()
        .schema_from::<crate::visit::TicketView>()
        .schema_from::<crate::visit::api::TicketRequest>()
        .schema_from::<crate::visit::api::QueueLine>()
        .schema_from::<crate::visit::api::CounterStateInput>()
        .schema_from::<crate::visit::console::ActionInput>()
        .schema_from::<crate::visit::store::Call>()
        .schema_from::<mpp_domain::visit::SettingsInput>()
        .schema_from::<crate::booking::DayOffer>()
        .schema_from::<crate::booking::Slot>()
        .schema_from::<crate::booking::api::BookingRequest>()
        .schema_from::<crate::booking::api::BookingView>()
        .schema_from::<crate::application::api::ApplicationRequest>()
        .schema_from::<crate::application::api::Resubmission>()
        .schema_from::<crate::application::api::StepAction>()
        .schema_from::<crate::audit::head::Jws>()
        .schema_from::<crate::application::api::ApplicationView>()
        .schema_from::<crate::application::api::StepView>()
        .schema_from::<crate::application::api::EventView>()
        .schema_from::<crate::application::api::InboxLine>()
        .schema_from::<crate::application::api::CertificateRef>()
        .schema_from::<crate::certificate::api::CertificateStatus>()
        .schema_from::<crate::certificate::api::Revocation>()
        .schema_from::<crate::payment::webhook::Callback>()
        .schema_from::<crate::payment::webhook::PaymentView>()
        .schema_from::<crate::region::api::RegionView>()
        .schema_from::<crate::region::api::RegionDetail>()
        .build();
    serde_json::to_value(&components).ok().and_then(|c| c.get("schemas").cloned()).unwrap_or(json!({}))
}

/// The values of a closed set, as the API sends and takes them.
fn one_of<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Value {
    json!({"type": "string", "enum": all.iter().map(|v| name(*v)).collect::<Vec<_>>()})
}

/// A value that may also be absent (`null`).
fn nullable(mut schema: Value) -> Value {
    schema["type"] = json!([schema["type"].clone(), "null"]);
    if let Some(values) = schema["enum"].as_array_mut() {
        values.push(Value::Null);
    }
    schema
}

/// What the Rust types cannot say of their fields: the closed sets of
/// values (from the domain's `ALL` lists, so they cannot drift), the forms
/// of codes and dates, and ranges — the rules `validate` enforces, so a
/// client generated from the document sends what the server takes.
fn constraints() -> Vec<(&'static str, &'static str, Value)> {
    use mpp_domain::tenancy::TimeZone;
    use mpp_domain::{application as app, calendar::DayKind, catalog, certificate::Verdict, payment, region, visit};
    let date = json!({"type": "string", "format": "date"});
    let agency_kind = one_of(catalog::AgencyKind::ALL, catalog::AgencyKind::as_str);
    let facility_kind = one_of(catalog::FacilityKind::ALL, catalog::FacilityKind::as_str);
    let day_kind = one_of(&DayKind::ALL, DayKind::as_str);
    let agreement_kind = one_of(catalog::AgreementKind::ALL, catalog::AgreementKind::as_str);
    let channels = json!({"type": "array", "minItems": 1, "uniqueItems": true,
                          "items": one_of(catalog::Channel::ALL, catalog::Channel::as_str)});
    let priority = one_of(visit::Priority::ALL, visit::Priority::as_str);
    let service_code = json!({"type": "string", "pattern": "^[A-Z0-9][A-Z0-9-]{0,18}[A-Z0-9]$"});
    let agency_code = json!({"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,28}[a-z0-9]$"});
    let counter_number = json!({"type": "integer", "minimum": 1, "maximum": 999});
    // `HH:MM` (or `HH.MM`), or empty for none.
    let clock = json!({"type": "string", "pattern": "^$|^([01]?[0-9]|2[0-3])[:.][0-5][0-9]$"});
    vec![
        ("AgencyInput", "code", agency_code.clone()),
        ("AgencyInput", "kind", agency_kind.clone()),
        ("Agency", "kind", agency_kind),
        ("FacilityInput", "kind", facility_kind.clone()),
        ("Facility", "kind", facility_kind),
        ("DayInput", "kind", day_kind.clone()),
        ("DayInput", "day", date.clone()),
        ("DayInput", "name_id", json!({"type": "string", "maxLength": 200})),
        ("CalendarDay", "kind", day_kind),
        ("CalendarDay", "day", date.clone()),
        ("AgreementInput", "kind", agreement_kind.clone()),
        ("AgreementInput", "agency", agency_code.clone()),
        ("Agreement", "kind", agreement_kind),
        ("ServiceInput", "code", service_code.clone()),
        ("ServiceInput", "agency", agency_code.clone()),
        ("ServiceInput", "channels", channels.clone()),
        ("ServiceInput", "queue_prefix", json!({"type": "string", "pattern": "^[A-Z]$"})),
        ("ServiceInput", "sla_days", json!({"type": "integer", "minimum": 0, "maximum": 365})),
        ("ServiceInput", "cost_rupiah", json!({"type": "integer", "minimum": 0})),
        ("ServiceInput", "booking_quota", json!({"type": "integer", "minimum": 0, "maximum": 10000})),
        ("Service", "channels", channels),
        ("CounterInput", "agency", agency_code.clone()),
        ("CounterInput", "number", counter_number),
        ("CounterInput", "services", json!({"type": "array", "uniqueItems": true, "items": service_code.clone()})),
        ("BundleInput", "code", service_code.clone()),
        ("ClientInput", "agency", agency_code),
        ("ClientInput", "public_key", json!({"type": "string", "pattern": "^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$"})),
        (
            "ExchangeRequest",
            "want",
            json!({"type": "array", "minItems": 1, "maxItems": mpp_domain::exchange::MAX_WANTS,
                                   "items": {"type": "string", "pattern": "^(profile|documents|document:[a-z_]+)$"}}),
        ),
        (
            "BundleInput",
            "services",
            json!({"type": "array", "uniqueItems": true, "items": service_code,
                   "minItems": mpp_domain::bundle::MIN_SERVICES, "maxItems": mpp_domain::bundle::MAX_SERVICES}),
        ),
        ("CounterStateInput", "status", json!({"type": "string", "enum": ["open", "paused", "closed"]})),
        ("ActionInput", "action", json!({"type": "string", "enum": crate::visit::console::ACTIONS})),
        ("ActionInput", "outcome", {
            let mut o = one_of(visit::Outcome::ALL, visit::Outcome::as_str);
            if let Some(e) = o["enum"].as_array_mut() {
                e.push(json!(""));
            }
            o
        }),
        ("TicketRequest", "priority", priority.clone()),
        ("TicketView", "priority", priority),
        ("TicketView", "status", one_of(visit::TicketStatus::ALL, visit::TicketStatus::as_str)),
        ("TicketView", "issued_at", json!({"type": "string", "format": "date-time"})),
        ("StepAction", "act", one_of(app::Act::ALL, app::Act::as_str)),
        ("ApplicationView", "status", one_of(app::Status::ALL, app::Status::as_str)),
        ("InboxLine", "status", one_of(app::Status::ALL, app::Status::as_str)),
        ("StepView", "status", one_of(app::StepStatus::ALL, app::StepStatus::as_str)),
        ("StepView", "kind", one_of(app::StepKind::ALL, app::StepKind::as_str)),
        ("ApplicationView", "due_day", date.clone()),
        ("StepView", "due_day", json!({"type": ["string", "null"], "format": "date"})),
        ("InboxLine", "due_day", json!({"type": ["string", "null"], "format": "date"})),
        ("BookingRequest", "date", date.clone()),
        ("BookingView", "date", date.clone()),
        ("DayOffer", "date", date.clone()),
        ("MallInfo", "timezone", one_of(&TimeZone::ALL, TimeZone::as_str)),
        ("CertificateStatus", "status", one_of(Verdict::ALL, Verdict::as_str)),
        ("PaymentView", "status", json!({"type": "string", "enum": ["paid", "unpaid"]})),
        ("PaymentView", "channel", nullable(one_of(payment::Channel::ALL, payment::Channel::as_str))),
        ("RegionView", "level", one_of(region::Level::ALL, region::Level::as_str)),
        ("ApplicationRequest", "risk", nullable(one_of(app::Risk::ALL, app::Risk::as_str))),
        ("ApplicationView", "risk", nullable(one_of(app::Risk::ALL, app::Risk::as_str))),
        ("AgreementInput", "signed_on", date.clone()),
        ("AgreementInput", "valid_from", date.clone()),
        ("AgreementInput", "valid_until", date),
        ("TicketRequest", "services", json!({"type": "array", "minItems": 1, "items": service_code.clone()})),
        ("SettingsInput", "priority_run", json!({"type": "integer", "minimum": 1, "maximum": 10})),
        ("SettingsInput", "quick_run", json!({"type": "integer", "minimum": 1, "maximum": 10})),
        ("SettingsInput", "recall_limit", json!({"type": "integer", "minimum": 1, "maximum": 5})),
        ("SettingsInput", "bookings_per_citizen", json!({"type": "integer", "minimum": 1, "maximum": 5})),
        (
            "SettingsInput",
            "anonymous_kiosk_per_hour",
            json!({"type": "integer", "minimum": 0, "maximum": mpp_domain::device::MAX_ANONYMOUS_PER_HOUR}),
        ),
        ("SettingsInput", "daily_break_from", clock.clone()),
        ("SettingsInput", "daily_break_to", clock.clone()),
        ("SettingsInput", "friday_break_from", clock.clone()),
        ("SettingsInput", "friday_break_to", clock),
        ("SettingsInput", "board_text_id", json!({"type": "string", "maxLength": 300})),
        ("SettingsInput", "board_text_en", json!({"type": "string", "maxLength": 300})),
    ]
}

/// The fields a write must carry: those `validate` refuses in an empty
/// input (so the list follows the rules), and the two lists a ticket and a
/// revocation cannot do without.
fn required_fields() -> Vec<(&'static str, Vec<&'static str>)> {
    use mpp_domain::calendar::DayInput;
    use mpp_domain::catalog::{AgencyInput, AgreementInput, CounterInput, FacilityInput, Problem, ServiceInput};
    let refused = |problems: Vec<Problem>| {
        let mut fields: Vec<&'static str> = problems.into_iter().map(|p| p.field).collect();
        fields.dedup();
        fields
    };
    vec![
        ("AgencyInput", refused(AgencyInput::default().validate())),
        ("FacilityInput", refused(FacilityInput::default().validate())),
        ("DayInput", refused(DayInput::default().validate())),
        ("AgreementInput", refused(AgreementInput::default().validate())),
        ("ServiceInput", refused(ServiceInput::default().validate())),
        ("CounterInput", refused(CounterInput::default().validate(&[]))),
        ("BundleInput", refused(mpp_domain::bundle::BundleInput::default().validate(&[]))),
        ("ClientInput", refused(mpp_domain::exchange::ClientInput::default().validate())),
        ("ExchangeRequest", vec!["nik", "want"]),
        ("Revocation", vec!["reason"]),
        ("TicketRequest", vec!["services"]),
    ]
}

/// A booking code as `booking::parse_booking_code` reads it: 8 of Crockford's
/// base 32 (O, I and L read as 0, 1, 1), an optional hyphen in the middle.
const BOOKING_CODE: &str = "^[0-9A-TV-Za-tv-z]{4}-?[0-9A-TV-Za-tv-z]{4}$";
/// Text without control characters (tab and line breaks allowed) and not
/// blank: what `validate` takes for a required text.
const FILLED_TEXT: &str = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$";

/// What every operation has in common, said once for all of them, so that
/// a route added later cannot forget it:
/// - 400 for a request the edge cannot read (`input.rs`, `api::ApiJson`,
///   a path or query parameter not of its type);
/// - strings without control characters (the edge refuses them; tab and
///   line breaks are allowed inside JSON text);
/// - `Location` on every 201, and `Idempotency-Replayed` on the answers of
///   operations that take an `Idempotency-Key` (whose form is declared).
fn finish(doc: &mut Value) {
    const NO_CONTROL: &str = "^[^\\u0000-\\u001f\\u007f]*$";
    const NO_CONTROL_TEXT: &str = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$";
    let unreadable = problem(
        "The request could not be read: a body that is not JSON, a parameter not of its type, or a control character.",
    );
    let location = json!({"description": "The new record's address.", "schema": {"type": "string"}});
    let replayed = json!({"description": "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.",
                          "schema": {"type": "string", "enum": ["true"]}});
    for item in doc["paths"].as_object_mut().into_iter().flat_map(|p| p.values_mut()) {
        for param in item.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
            // The same segment has the same form on every route.
            match param["name"].as_str() {
                Some("number") => param["schema"] = json!({"type": "integer", "minimum": 1, "maximum": 999}),
                Some("booking") => param["schema"] = json!({"type": "string", "pattern": BOOKING_CODE}),
                _ => {}
            }
            forbid_control(&mut param["schema"], NO_CONTROL);
        }
        for (method, op) in item.as_object_mut().into_iter().flatten() {
            if method == "parameters" {
                continue;
            }
            let mut idempotent = false;
            for param in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                if param["name"] == "Idempotency-Key" {
                    idempotent = true;
                    param["schema"] = json!({"type": "string", "pattern": "^[!-~]{1,200}$",
                                             "description": "1 to 200 visible ASCII characters."});
                }
                forbid_control(&mut param["schema"], NO_CONTROL);
            }
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { continue };
            responses.entry("400").or_insert_with(|| unreadable.clone());
            for (status, answer) in responses.iter_mut() {
                if status == "201" {
                    answer["headers"]["Location"] = location.clone();
                }
                if idempotent && status.starts_with('2') {
                    answer["headers"]["Idempotency-Replayed"] = replayed.clone();
                }
            }
        }
    }
    for schema in doc["components"]["schemas"].as_object_mut().into_iter().flat_map(|s| s.values_mut()) {
        forbid_control(schema, NO_CONTROL_TEXT);
    }
}

/// Adds `pattern` to every free-text string in a schema (not to enums,
/// formatted strings or strings that already have a pattern).
fn forbid_control(schema: &mut Value, pattern: &str) {
    let Some(object) = schema.as_object_mut() else { return };
    let is_string =
        object.get("type").is_some_and(|t| t == "string" || t.as_array().is_some_and(|a| a.contains(&json!("string"))));
    let constrained = ["enum", "const", "format", "pattern", "$ref"].iter().any(|k| object.contains_key(*k));
    if is_string && !constrained {
        object.insert("pattern".into(), json!(pattern));
    }
    // An open object's keys are text too.
    let open =
        object.get("type").is_some_and(|t| t == "object") && object.get("additionalProperties") != Some(&json!(false));
    if open && !object.contains_key("propertyNames") {
        object.insert("propertyNames".into(), json!({"pattern": pattern}));
    }
    for (key, value) in object.iter_mut() {
        match key.as_str() {
            "properties" | "patternProperties" | "$defs" => {
                for v in value.as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
                    forbid_control(v, pattern);
                }
            }
            "items" | "additionalProperties" | "propertyNames" | "not" => forbid_control(value, pattern),
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                for v in value.as_array_mut().into_iter().flatten() {
                    forbid_control(v, pattern);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_constraint_names_a_field() {
        let schemas = components();
        for (schema, property, _) in constraints() {
            assert!(schemas[schema]["properties"].get(property).is_some(), "{schema}.{property}");
        }
        for (schema, required) in required_fields() {
            for property in required {
                assert!(schemas[schema]["properties"].get(property).is_some(), "{schema}.{property}");
            }
        }
    }
}
