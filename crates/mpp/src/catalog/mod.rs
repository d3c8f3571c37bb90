//! The public service catalogue: agencies, services with their published
//! standard, counters and facilities. Public pages, the back office, the
//! JSON API and the linked-data exports all read through `store`.

pub mod admin;
pub mod agencies;
pub mod counters;
pub mod facilities;

pub mod linked_data;
pub mod public;
pub mod store;
