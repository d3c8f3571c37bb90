//! MPP's rules and types. Nothing here does I/O: the server crate depends on
//! this one, never the other way round, so the compiler keeps rules pure.
//!
//! One module per feature, named as the server's feature folders are.

pub mod auth;
pub mod calendar;
pub mod catalog;
pub mod format;
pub mod search;
pub mod tenancy;
