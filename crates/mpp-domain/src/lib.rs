//! MPP's rules and types. Nothing here does I/O: the server crate depends on
//! this one, never the other way round, so the compiler keeps rules pure.
//!
//! One module per feature, named as the server's feature folders are.

/// A closed set of values stored and sent as text (`as_str`/`parse`).
macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

pub mod auth;
pub mod booking;
pub mod calendar;
pub mod catalog;
pub mod format;
pub mod queue;
pub mod search;
pub mod speech;
pub mod tenancy;
