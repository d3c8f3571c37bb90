//! The public service catalogue: agencies, services with their published
//! standard, counters and facilities. Public pages, the back office, the
//! JSON API and the linked-data exports all read through `store`.

pub mod agencies;
pub mod api;
pub mod counters;
pub mod facilities;
pub mod linked_data;
pub mod public;
pub mod services;
pub mod store;
