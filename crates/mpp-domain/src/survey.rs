//! The satisfaction survey (Survei Kepuasan Masyarakat, SKM) and its index
//! (Indeks Kepuasan Masyarakat, IKM) exactly as PermenPANRB 14/2017
//! computes them: nine elements answered on a 1–4 scale, each element's
//! average (nilai rata-rata, NRR), their weighted sum on the 1–4 scale,
//! that times 25 on the 25–100 scale, and the grade A–D by the interval
//! table in the regulation's appendix (copied into [`Grade::of`]).
//!
//! The regulation weighs each element 1/9; published reports often use the
//! rounded 0.111 instead. Both are offered ([`Weight`]); a report says which
//! it used, and the grade is read from the regulation's interval table on
//! the 1–4 value.

/// The nine elements, in the regulation's order (U1–U9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Element {
    Requirements,
    Procedure,
    Time,
    Cost,
    Product,
    Competence,
    Behaviour,
    Complaints,
    Facilities,
}

impl Element {
    pub const ALL: [Element; 9] = [
        Element::Requirements,
        Element::Procedure,
        Element::Time,
        Element::Cost,
        Element::Product,
        Element::Competence,
        Element::Behaviour,
        Element::Complaints,
        Element::Facilities,
    ];

    /// `U1` … `U9`.
    pub fn code(self) -> String {
        format!("U{}", self as usize + 1)
    }

    /// Its name in Indonesian and in English (reports name each element,
    /// not only its number: some swap U8 and U9).
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Element::Requirements => ("Persyaratan", "Requirements"),
            Element::Procedure => ("Sistem, mekanisme dan prosedur", "Systems, mechanisms and procedures"),
            Element::Time => ("Waktu penyelesaian", "Completion time"),
            Element::Cost => ("Biaya/tarif", "Cost/fee"),
            Element::Product => ("Produk spesifikasi jenis pelayanan", "Product specification"),
            Element::Competence => ("Kompetensi pelaksana", "Officer competence"),
            Element::Behaviour => ("Perilaku pelaksana", "Officer behaviour"),
            Element::Complaints => {
                ("Penanganan pengaduan, saran dan masukan", "Handling of complaints, suggestions and feedback")
            }
            Element::Facilities => ("Sarana dan prasarana", "Facilities"),
        }
    }
}

/// One respondent's answers, U1–U9, each 1 (not good) to 4 (very good).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answers([u8; 9]);

impl Answers {
    /// Nine answers, each 1–4; `None` otherwise (a survey is answered whole).
    pub fn new(values: [u8; 9]) -> Option<Answers> {
        values.iter().all(|v| (1..=4).contains(v)).then_some(Answers(values))
    }

    pub fn get(&self, e: Element) -> u8 {
        self.0[e as usize]
    }
}

/// How the element averages are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// 1/9 each, as the regulation defines it.
    Exact,
    /// 0.111 each, as many published reports print it.
    Published,
}

impl Weight {
    fn of(self) -> f64 {
        match self {
            Weight::Exact => 1.0 / 9.0,
            Weight::Published => 0.111,
        }
    }
}

/// The grade (mutu pelayanan) and what it means (kinerja unit pelayanan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grade {
    /// Tidak Baik.
    D,
    /// Kurang Baik.
    C,
    /// Baik.
    B,
    /// Sangat Baik.
    A,
}

impl Grade {
    /// By the regulation's table on the 1–4 value: D below 2.60, C below
    /// 3.0644, B below 3.5324, A from there (its printed intervals leave
    /// gaps of a ten-thousandth between grades; a value in a gap takes the
    /// grade below it, as the intervals' lower bounds say).
    pub fn of(index: f64) -> Grade {
        if index < 2.60 {
            Grade::D
        } else if index < 3.0644 {
            Grade::C
        } else if index < 3.5324 {
            Grade::B
        } else {
            Grade::A
        }
    }

    /// `A` … `D`.
    pub fn letter(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        }
    }

    /// What it means, in Indonesian and in English.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Grade::A => ("Sangat Baik", "Very good"),
            Grade::B => ("Baik", "Good"),
            Grade::C => ("Kurang Baik", "Fair"),
            Grade::D => ("Tidak Baik", "Poor"),
        }
    }
}

/// A survey's index.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub respondents: u64,
    /// Each element's average (NRR), U1–U9.
    pub averages: [f64; 9],
    pub weight: Weight,
    /// The weighted sum on the 1–4 scale.
    pub value: f64,
    /// `value` × 25, on the 25–100 scale.
    pub unit: f64,
    pub grade: Grade,
}

/// The index of a set of answers; `None` without any.
pub fn index<'a>(answers: impl IntoIterator<Item = &'a Answers>, weight: Weight) -> Option<Index> {
    let mut sums = [0u64; 9];
    let mut respondents = 0u64;
    for a in answers {
        for e in Element::ALL {
            sums[e as usize] += u64::from(a.get(e));
        }
        respondents += 1;
    }
    (respondents > 0).then(|| from_sums(sums, respondents, weight))
}

/// The index from each element's sum of answers and the number of
/// respondents (what a report's tables print).
pub fn from_sums(sums: [u64; 9], respondents: u64, weight: Weight) -> Index {
    let averages = sums.map(|s| s as f64 / respondents as f64);
    from_averages(averages, respondents, weight)
}

/// The index from the element averages.
pub fn from_averages(averages: [f64; 9], respondents: u64, weight: Weight) -> Index {
    let value: f64 = averages.iter().map(|a| a * weight.of()).sum();
    Index { respondents, averages, weight, value, unit: value * 25.0, grade: Grade::of(value) }
}

impl Index {
    /// The `n` elements with the lowest averages, lowest first (ties in
    /// the regulation's order): where to improve first.
    pub fn weakest(&self, n: usize) -> Vec<(Element, f64)> {
        let mut all: Vec<(Element, f64)> = Element::ALL.iter().map(|e| (*e, self.averages[*e as usize])).collect();
        all.sort_by(|a, b| a.1.total_cmp(&b.1));
        all.truncate(n);
        all
    }
}

/// The sample a survey needs for a population served (Krejcie and Morgan,
/// 1970: χ² 3.841 for one degree of freedom at 95 %, P 0.5, error 5 %),
/// which the regulation's sample table follows: 80 of 100, 278 of 1,000,
/// 370 of 10,000, 384 of a million.
pub fn sample_size(population: u64) -> u64 {
    if population == 0 {
        return 0;
    }
    let (chi, p, d) = (3.841_f64, 0.5_f64, 0.05_f64);
    let n = population as f64;
    let needed = chi * n * p * (1.0 - p) / (d * d * (n - 1.0) + chi * p * (1.0 - p));
    // Rounded to the nearest whole respondent, as the table prints it
    // (100 → 79.5 → 80, 500 → 217.47 → 217).
    needed.round().min(n) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKED: [f64; 9] = [3.2, 3.1, 3.0, 3.4, 3.3, 3.5, 3.6, 3.2, 3.1];

    #[test]
    fn the_glossarys_worked_example() {
        let i = from_averages(WORKED, 100, Weight::Exact);
        assert!((i.value - 3.2667).abs() < 0.0001, "{}", i.value);
        assert!((i.unit - 81.67).abs() < 0.01, "{}", i.unit);
        assert_eq!(i.grade, Grade::B);
        let published = from_averages(WORKED, 100, Weight::Published);
        assert!((published.value - 3.2634).abs() < 0.0001, "29.4 × 0.111: {}", published.value);
        assert_eq!(published.grade, Grade::B);
        assert_eq!(i.weakest(3), [(Element::Time, 3.0), (Element::Procedure, 3.1), (Element::Facilities, 3.1)]);
    }

    /// Published reports, as printed. DPM & PTSP Provinsi Sumatera Barat,
    /// "Indek Kepuasan Masyarakat Semester I"
    /// (dpmptsp.sumbarprov.go.id/details/news/82): nine averages, weighted
    /// by 0.111 in its table (3,200 × 0,111 = 0,355 …), printed as 81,71,
    /// grade B. Its own averages give 3.3048 × 25 = 82.62 (by 1/9, 82.70):
    /// the printed 81,71 does not follow from them, the grade does. Its
    /// eighth element is "pungutan tidak resmi" where the regulation has
    /// facilities: the index does not depend on the names.
    #[test]
    fn published_reports_figures() {
        let sumbar = [3.200, 3.216, 2.936, 3.530, 3.136, 3.200, 3.316, 3.916, 3.323];
        let published = from_averages(sumbar, 0, Weight::Published);
        assert!((published.value - 3.3048).abs() < 0.0001 && (published.unit - 82.62).abs() < 0.01);
        assert_eq!(published.grade, Grade::B, "B, as printed");
        assert!((from_averages(sumbar, 0, Weight::Exact).unit - 82.70).abs() < 0.01);
        assert_eq!(from_averages(sumbar, 0, Weight::Exact).weakest(1), [(Element::Time, 2.936)]);
        // Dukcapil Kabupaten Tulang Bawang Barat, 2023 semester 1
        // (e-smile.tubaba.go.id/main/skm/laporan/online): one respondent,
        // 4 on every element, printed 100, Sangat Baik; by 0.111 it is 99.9.
        let all_four = Answers::new([4; 9]).expect("1–4");
        let exact = index([&all_four], Weight::Exact).expect("one respondent");
        assert!((exact.unit - 100.0).abs() < 1e-9 && exact.grade == Grade::A);
        let rounded = index([&all_four], Weight::Published).expect("one respondent");
        assert!((rounded.unit - 99.9).abs() < 1e-9 && rounded.grade == Grade::A);
    }

    #[test]
    fn answers_make_averages_and_the_same_index() {
        let one = Answers::new([4, 3, 3, 4, 3, 4, 4, 3, 3]).expect("1–4");
        let two = Answers::new([3, 3, 2, 4, 3, 3, 4, 3, 2]).expect("1–4");
        let i = index([&one, &two], Weight::Exact).expect("two respondents");
        assert_eq!(i.respondents, 2);
        assert_eq!(i.averages, [3.5, 3.0, 2.5, 4.0, 3.0, 3.5, 4.0, 3.0, 2.5]);
        assert_eq!(i, from_sums([7, 6, 5, 8, 6, 7, 8, 6, 5], 2, Weight::Exact));
        assert!(index([], Weight::Exact).is_none(), "no respondents, no index");
        assert!(Answers::new([0, 3, 3, 4, 3, 4, 4, 3, 3]).is_none() && Answers::new([5; 9]).is_none());
    }

    #[test]
    fn grades_follow_the_regulations_table() {
        for (value, grade) in [
            (1.0, Grade::D),
            (2.5996, Grade::D),
            (2.5999, Grade::D),
            (2.60, Grade::C),
            (3.064, Grade::C),
            (3.0643, Grade::C),
            (3.0644, Grade::B),
            (3.532, Grade::B),
            (3.5324, Grade::A),
            (4.0, Grade::A),
        ] {
            assert_eq!(Grade::of(value), grade, "{value}");
        }
        // Every answer "very good" is 100, every answer "not good" 25.
        let best = from_averages([4.0; 9], 1, Weight::Exact);
        assert!((best.unit - 100.0).abs() < 1e-9 && best.grade == Grade::A);
        let worst = from_averages([1.0; 9], 1, Weight::Exact);
        assert!((worst.unit - 25.0).abs() < 1e-9 && worst.grade == Grade::D);
    }

    #[test]
    fn the_sample_follows_krejcie_and_morgan() {
        for (population, sample) in
            [(10, 10), (100, 80), (200, 132), (500, 217), (1_000, 278), (10_000, 370), (100_000, 383), (1_000_000, 384)]
        {
            assert_eq!(sample_size(population), sample, "of {population}");
        }
        assert_eq!(sample_size(0), 0);
        assert_eq!(sample_size(1), 1);
    }

    #[test]
    fn every_element_is_named_and_numbered() {
        let codes: Vec<String> = Element::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(codes.first().map(String::as_str), Some("U1"));
        assert_eq!(codes.last().map(String::as_str), Some("U9"));
        assert_eq!(Element::Facilities.names().0, "Sarana dan prasarana");
    }
}
