//! The OpenAPI 3.1 document at `/api/openapi.json`, assembled from the
//! routes: each record resource contributes its five operations, schemas
//! come from the Rust types (utoipa), so the document cannot drift from
//! what the code accepts and returns. A test validates it with an outside
//! checker and calls every documented path.

use crate::agreements::Agreements;
use crate::calendar::admin::Days;
use crate::catalog::api::MallInfo;
use crate::catalog::{agencies::Agencies, counters::Counters, facilities::Facilities, services::Services};
use crate::crud::Resource;
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
    let read_security = if R::PUBLIC { json!([]) } else { security.clone() };
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
                                  "401": problem("No valid bearer token."), "404": problem("No such mall.")}},
            "post": {"operationId": format!("create_{}", R::API_SEGMENT.replace('-', "_")), "tags": [tag],
                     "summary": format!("Create one of {}", R::API_SEGMENT), "security": security,
                     "requestBody": body, "responses": write_errors(created)},
        }),
    );
    paths.insert(
        format!("{base}/{{key}}"),
        json!({
            "parameters": [param("slug", SLUG), param("key", key_doc)],
            "get": {"operationId": format!("get_{}", R::API_SEGMENT.replace('-', "_")), "tags": [tag],
                    "summary": format!("Read one of {}", R::API_SEGMENT), "security": read_security,
                    "responses": {"200": ok("The record.", row), "401": problem("No valid bearer token."),
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
                              {"name": "q", "in": "query", "required": false, "schema": {"type": "string", "maxLength": 100},
                               "description": "Words, abbreviations or codes (case- and accent-insensitive)."}],
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
    crate::visit::api::document(&mut paths);
    crate::booking::api::document(&mut paths);
    crate::application::api::document(&mut paths);
    crate::application::setup::document(&mut paths);
    crate::certificate::api::document(&mut paths);
    crate::payment::webhook::document(&mut paths);
    crate::region::api::document(&mut paths);

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
        .schema_from::<crate::visit::TicketView>()
        .schema_from::<crate::visit::api::TicketRequest>()
        .schema_from::<crate::visit::api::QueueLine>()
        .schema_from::<crate::visit::api::CounterStateInput>()
        .schema_from::<crate::visit::console::ActionInput>()
        .schema_from::<crate::visit::store::Call>()
        .schema_from::<mpp_domain::queue::SettingsInput>()
        .schema_from::<crate::booking::DayOffer>()
        .schema_from::<crate::booking::Slot>()
        .schema_from::<crate::booking::api::BookingRequest>()
        .schema_from::<crate::booking::api::BookingView>()
        .schema_from::<crate::application::api::ApplicationRequest>()
        .schema_from::<crate::application::api::Resubmission>()
        .schema_from::<crate::application::api::StepAction>()
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
    let mut schemas =
        serde_json::to_value(&components).ok().and_then(|c| c.get("schemas").cloned()).unwrap_or(json!({}));
    mark_shown_only::<Services>(&mut schemas);
    mark_shown_only::<Agencies>(&mut schemas);
    mark_shown_only::<Counters>(&mut schemas);
    mark_shown_only::<Facilities>(&mut schemas);
    mark_shown_only::<Days>(&mut schemas);
    mark_shown_only::<Agreements>(&mut schemas);
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
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "MPP — Mal Pelayanan Publik API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The public service catalogue of each mall on this deployment. Reads of public records need no token; writes need `Authorization: Bearer <token>` (made on the account page, /akun). Errors are RFC 9457 problem documents.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"}
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": "Malls"}, {"name": "Services"}, {"name": "Agencies"}, {"name": "Counters"},
                 {"name": "Facilities"}, {"name": "Calendar"}, {"name": "Agreements"}, {"name": "Queue"}, {"name": "Appointments"}, {"name": "Applications"},
                 {"name": "Certificates"}, {"name": "Payments"}, {"name": "Regions"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "An API token from /akun."},
                                "gatewaySignature": {"type": "apiKey", "in": "header", "name": "X-MPP-Signature",
                                                     "description": "HMAC-SHA256 with the mall's gateway secret (see the payment callback)."}}
        }
    })
}
