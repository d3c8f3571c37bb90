//! Ids as types of their own: a mall's id is never passed where a ticket's
//! (or a slug) is meant, and the compiler says so. Each is text (a UUIDv7
//! in storage), read as `&str` where text is wanted (`Deref`), written as
//! a plain string in JSON (`serde(transparent)`).

/// Declares an id type over `String` with what every id needs.
#[macro_export]
macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

/// Whether `s` is a UUID in its canonical text form (8-4-4-4-12 hex
/// digits), as every id MPP makes is.
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_uuid_in_its_text_form_and_nothing_else() {
        assert!(super::is_uuid("01a2328f-2a71-7278-8df4-6016ec6da163"));
        assert!(super::is_uuid("01A2328F-2A71-7278-8DF4-6016EC6DA163"));
        for bad in [
            "",
            "01a2328f2a7172788df46016ec6da163",
            "01a2328f-2a71-7278-8df4-6016ec6da16",
            "01a2328f-2a71-7278-8df4_6016ec6da163",
            "01a2328f-2a71-7278-8df4-6016ec6da16g",
            "../etc/passwd",
            "01a2328f-2a71-7278-8df4-6016ec6da1630",
        ] {
            assert!(!super::is_uuid(bad), "{bad}");
        }
    }
}
