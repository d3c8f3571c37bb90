//! Malls, the tenants: looking one up by slug, listing them, and the
//! deployment-wide overview a national supervisor reads.

pub mod store;

pub use store::Mall;
