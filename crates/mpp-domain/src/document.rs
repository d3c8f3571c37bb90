//! A citizen's documents ("Dokumen saya"): what kind each is and whether it
//! is still valid. Uploaded once, offered again on every form that asks
//! for a document.

str_enum!(
    /// The kinds of document citizens keep. `Form` is a file uploaded on an
    /// application form (its label says what it is).
    Kind {
        Ktp = "ktp",
        Kk = "kk",
        BirthCertificate = "akta_lahir",
        Npwp = "npwp",
        Nib = "nib",
        Diploma = "ijazah",
        Photo = "pas_foto",
        Form = "form",
        Other = "lainnya",
    }
);

impl Kind {
    /// What a citizen picks from when uploading to the vault (not `Form`).
    pub const CHOSEN: &'static [Kind] =
        &[Kind::Ktp, Kind::Kk, Kind::BirthCertificate, Kind::Npwp, Kind::Nib, Kind::Diploma, Kind::Photo, Kind::Other];

    /// Its name in Indonesian and in English (the Indonesian one is also
    /// what the access log records when an officer opens such a document).
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Kind::Ktp => ("KTP", "Identity card (KTP)"),
            Kind::Kk => ("Kartu Keluarga (KK)", "Family card (KK)"),
            Kind::BirthCertificate => ("Akta kelahiran", "Birth certificate"),
            Kind::Npwp => ("NPWP", "Tax number card (NPWP)"),
            Kind::Nib => ("NIB", "Business identity number (NIB)"),
            Kind::Diploma => ("Ijazah", "Diploma"),
            Kind::Photo => ("Pas foto", "Passport photo"),
            Kind::Form => ("Berkas formulir", "File from a form"),
            Kind::Other => ("Dokumen lain", "Other document"),
        }
    }
}

/// Whether a document whose validity ends on `expires_on` (ISO date, empty
/// for none: a KTP-el is valid for life) still holds on `today`.
pub fn valid_on(expires_on: &str, today: time::Date) -> bool {
    match crate::format::parse_date(expires_on) {
        Some(end) => today <= end,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_holds_through_its_last_day_and_without_one_for_life() {
        let day = |s: &str| crate::format::parse_date(s).expect("a date");
        assert!(valid_on("", day("2099-01-01")));
        assert!(valid_on("2026-12-31", day("2026-12-31")));
        assert!(!valid_on("2026-12-31", day("2027-01-01")));
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(*k));
        }
        assert!(!Kind::CHOSEN.contains(&Kind::Form));
    }
}
