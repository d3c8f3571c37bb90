//! MPP's rules and types. Nothing here does I/O: the server crate depends on
//! this one, never the other way round, so the compiler keeps rules pure.
//!
//! One module per feature, named as the server's feature folders are.

/// A closed set of values stored and sent as text (`as_str`/`parse`).
macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        /// As stored and as pages name it (a CSS class, a form value).
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown value: {s}")))
            }
        }
    };
}

pub mod access;
pub mod application;
pub mod auth;
pub mod booking;
pub mod breach;
pub mod bundle;
pub mod calendar;
pub mod catalog;
pub mod certificate;
pub mod consent;
pub mod device;
pub mod document;
pub mod exchange;
pub mod form;
pub mod format;
pub mod id;
pub mod payment;
pub mod policy;
pub mod profile;
pub mod region;
pub mod rights;
pub mod search;
pub mod setup;
pub mod speech;
pub mod staff;
pub mod survey;
pub mod tenancy;
pub mod throttle;
pub mod visit;
