//! The access log's rules: what a read of a citizen's data by someone
//! else showed, and on what ground. Officers see a citizen's data only
//! through an application, a ticket being served or a live consent (or a
//! legal basis the mall configured, for agencies' systems); every such
//! read is on record before it is shown, and the citizen sees the record.

str_enum!(
    /// Why a reader may see the data.
    Basis {
        /// An application the reader's agency works on (its number).
        Application = "application",
        /// The visitor being served at the reader's counter (the ticket).
        Ticket = "ticket",
        /// A consent the citizen gave (its id).
        Consent = "consent",
        /// A legal basis the mall configured for an agency (its citation).
        LegalBasis = "legal_basis",
        /// A correction the citizen asked the reader's agency for (its id).
        Correction = "correction",
    }
);

/// What a read showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// An application as filed: the applicant's name, the form (NIK
    /// masked), the list of documents.
    Application,
    /// One field in full (its label when read), revealed with a reason.
    Field(String),
    /// One document's file (its label when read).
    Document(String),
    /// The citizen's profile (NIK, name, date of birth, KK, address,
    /// phone), through the agencies' exchange.
    Profile,
    /// The list of the citizen's kept documents (kinds, names, hashes,
    /// validity), through the agencies' exchange.
    Documents,
    /// A correction request: what the citizen says is wrong and what is right.
    Correction,
}

impl What {
    /// As stored: `application`, `field:<label>`, `document:<label>`.
    pub fn as_text(&self) -> String {
        match self {
            What::Application => "application".into(),
            What::Field(label) => format!("field:{label}"),
            What::Document(label) => format!("document:{label}"),
            What::Profile => "profile".into(),
            What::Documents => "documents".into(),
            What::Correction => "correction".into(),
        }
    }

    pub fn parse(text: &str) -> Option<What> {
        match text.split_once(':') {
            None if text == "application" => Some(What::Application),
            None if text == "profile" => Some(What::Profile),
            None if text == "documents" => Some(What::Documents),
            None if text == "correction" => Some(What::Correction),
            Some(("field", label)) => Some(What::Field(label.into())),
            Some(("document", label)) => Some(What::Document(label.into())),
            _ => None,
        }
    }
}

/// The reason an officer gives to see a masked field in full: their own
/// words, long enough to mean something (the citizen reads them).
pub fn reveal_reason(raw: &str) -> Result<String, &'static str> {
    let reason = raw.trim();
    match reason.chars().count() {
        0 => Err("access.reason_required"),
        1..10 => Err("access.reason_short"),
        10..=300 => Ok(reason.to_string()),
        _ => Err("access.reason_long"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_read_reads_back_as_it_was_stored() {
        let all = [
            What::Application,
            What::Field("NIK pemilik".into()),
            What::Document("KTP: a:b".into()),
            What::Profile,
            What::Documents,
            What::Correction,
        ];
        for w in all {
            assert_eq!(What::parse(&w.as_text()), Some(w));
        }
        assert_eq!(What::parse("applications"), None);
        assert_eq!(What::parse("nik:x"), None);
    }

    #[test]
    fn a_reveal_needs_a_reason_of_some_words() {
        assert_eq!(reveal_reason("  "), Err("access.reason_required"));
        assert_eq!(reveal_reason("cek"), Err("access.reason_short"));
        assert_eq!(reveal_reason(" Mencocokkan dengan KTP asli "), Ok("Mencocokkan dengan KTP asli".into()));
        assert_eq!(reveal_reason(&"a".repeat(301)), Err("access.reason_long"));
        assert!(reveal_reason(&"a".repeat(300)).is_ok() && reveal_reason(&"a".repeat(10)).is_ok());
    }
}
