//! The catalogue as linked data: schema.org `GovernmentService` embedded in
//! each service page, for search engines and the national portal.

use super::store::{Agency, Service};
use crate::i18n::Tr;
use crate::tenancy::Mall;
use mpp_domain::catalog::{Channel, lines};
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
