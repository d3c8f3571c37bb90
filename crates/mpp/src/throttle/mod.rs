//! Failures counted in the database (rules: `mpp_domain::throttle`), so
//! that several server processes share them: a guesser cannot spread
//! attempts over processes, nor wait for a restart. The counting is one
//! statement each (`store.rs`), so concurrent attempts are all counted.

mod store;

pub use store::{blocked, clear, count, purge};
