//! What the display board says when it calls a ticket: numbers read the
//! Indonesian way ("dua belas", "seratus", "seribu") or the English way,
//! and the whole announcement sentence. The same words drive the browser's
//! speech synthesis and the server's fallback audio, so both say the same.

use crate::format::Lang;

const ONES_ID: [&str; 10] = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"];

/// A whole number in Indonesian words: 11 → "sebelas", 100 → "seratus", 1000 → "seribu".
pub fn number_id(n: u64) -> String {
    if n == 0 {
        return ONES_ID[0].to_string();
    }
    let mut parts: Vec<String> = Vec::new();
    let mut rest = n;
    // Scales above a thousand take a count: "satu juta", not "sejuta" (the
    // spoken form officials use on announcements).
    for (size, name) in [(1_000_000_000_000u64, "triliun"), (1_000_000_000, "miliar"), (1_000_000, "juta")] {
        if rest >= size {
            parts.push(format!("{} {name}", below_thousand_id(rest / size)));
            rest %= size;
        }
    }
    if rest >= 1000 {
        let thousands = rest / 1000;
        parts.push(if thousands == 1 {
            "seribu".to_string()
        } else {
            format!("{} ribu", below_thousand_id(thousands))
        });
        rest %= 1000;
    }
    if rest > 0 {
        parts.push(below_thousand_id(rest));
    }
    parts.join(" ")
}

fn below_thousand_id(n: u64) -> String {
    let (hundreds, rest) = (n / 100, n % 100);
    let mut parts: Vec<String> = Vec::new();
    match hundreds {
        0 => {}
        1 => parts.push("seratus".into()),
        h => parts.push(format!("{} ratus", ONES_ID[h as usize])),
    }
    match rest {
        0 => {}
        1..=9 => parts.push(ONES_ID[rest as usize].into()),
        10 => parts.push("sepuluh".into()),
        11 => parts.push("sebelas".into()),
        12..=19 => parts.push(format!("{} belas", ONES_ID[(rest - 10) as usize])),
        _ => {
            parts.push(format!("{} puluh", ONES_ID[(rest / 10) as usize]));
            if rest % 10 > 0 {
                parts.push(ONES_ID[(rest % 10) as usize].into());
            }
        }
    }
    parts.join(" ")
}

const ONES_EN: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS_EN: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

/// A whole number in English words: 112 → "one hundred twelve".
pub fn number_en(n: u64) -> String {
    if n == 0 {
        return ONES_EN[0].to_string();
    }
    let mut parts: Vec<String> = Vec::new();
    let mut rest = n;
    for (size, name) in
        [(1_000_000_000_000u64, "trillion"), (1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand")]
    {
        if rest >= size {
            parts.push(format!("{} {name}", below_thousand_en(rest / size)));
            rest %= size;
        }
    }
    if rest > 0 {
        parts.push(below_thousand_en(rest));
    }
    parts.join(" ")
}

fn below_thousand_en(n: u64) -> String {
    let (hundreds, rest) = (n / 100, (n % 100) as usize);
    let mut parts: Vec<String> = Vec::new();
    if hundreds > 0 {
        parts.push(format!("{} hundred", ONES_EN[hundreds as usize]));
    }
    match rest {
        0 => {}
        1..=19 => parts.push(ONES_EN[rest].into()),
        _ if rest % 10 == 0 => parts.push(TENS_EN[rest / 10].into()),
        _ => parts.push(format!("{}-{}", TENS_EN[rest / 10], ONES_EN[rest % 10])),
    }
    parts.join(" ")
}

pub fn number(n: u64, lang: Lang) -> String {
    match lang {
        Lang::Id => number_id(n),
        Lang::En => number_en(n),
    }
}

/// The sentence the board speaks for a call: "Nomor antrian A dua belas,
/// silakan menuju loket tiga". The prefix letter is spoken as written.
pub fn announcement(prefix: &str, seq: u64, counter: u64, lang: Lang) -> String {
    match lang {
        Lang::Id => format!("Nomor antrian {prefix} {}, silakan menuju loket {}", number_id(seq), number_id(counter)),
        Lang::En => format!("Ticket number {prefix} {}, please go to counter {}", number_en(seq), number_en(counter)),
    }
}

/// The announcement as separate spoken words, lower case and without
/// punctuation: what the server's audio fallback strings clips together for.
pub fn words(sentence: &str) -> Vec<String> {
    sentence
        .split(|c: char| c.is_whitespace() || c == ',' || c == '-')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_numbers_read_as_people_say_them() {
        let cases = [
            (0, "nol"),
            (1, "satu"),
            (10, "sepuluh"),
            (11, "sebelas"),
            (12, "dua belas"),
            (19, "sembilan belas"),
            (20, "dua puluh"),
            (21, "dua puluh satu"),
            (99, "sembilan puluh sembilan"),
            (100, "seratus"),
            (101, "seratus satu"),
            (111, "seratus sebelas"),
            (250, "dua ratus lima puluh"),
            (1000, "seribu"),
            (1001, "seribu satu"),
            (1100, "seribu seratus"),
            (2000, "dua ribu"),
            (12_345, "dua belas ribu tiga ratus empat puluh lima"),
            (100_000, "seratus ribu"),
            (1_000_000, "satu juta"),
            (2_500_000, "dua juta lima ratus ribu"),
        ];
        for (n, words) in cases {
            assert_eq!(number_id(n), words, "{n}");
        }
    }

    #[test]
    fn english_numbers() {
        assert_eq!(number_en(12), "twelve");
        assert_eq!(number_en(45), "forty-five");
        assert_eq!(number_en(100), "one hundred");
        assert_eq!(number_en(1012), "one thousand twelve");
    }

    #[test]
    fn the_board_sentence() {
        assert_eq!(announcement("A", 12, 3, Lang::Id), "Nomor antrian A dua belas, silakan menuju loket tiga");
        assert_eq!(announcement("C", 7, 11, Lang::En), "Ticket number C seven, please go to counter eleven");
        assert_eq!(
            words("Nomor antrian A dua belas, silakan menuju loket tiga"),
            ["nomor", "antrian", "a", "dua", "belas", "silakan", "menuju", "loket", "tiga"]
        );
    }

    /// Reads Indonesian number words back, to check `number_id` round-trips.
    fn parse_id(words: &str) -> u64 {
        let (mut total, mut group, mut digit) = (0u64, 0u64, 0u64);
        for w in words.split(' ') {
            match w {
                "sepuluh" => group += 10,
                "sebelas" => group += 11,
                "seratus" => group += 100,
                "seribu" => total += 1000,
                "belas" => {
                    group += 10 + digit;
                    digit = 0;
                }
                "puluh" => {
                    group += 10 * digit;
                    digit = 0;
                }
                "ratus" => {
                    group += 100 * digit;
                    digit = 0;
                }
                "ribu" | "juta" | "miliar" | "triliun" => {
                    let scale = match w {
                        "ribu" => 1000,
                        "juta" => 1_000_000,
                        "miliar" => 1_000_000_000,
                        _ => 1_000_000_000_000,
                    };
                    total += (group + digit) * scale;
                    (group, digit) = (0, 0);
                }
                _ => digit = ONES_ID.iter().position(|d| *d == w).expect("a digit word") as u64,
            }
        }
        total + group + digit
    }

    proptest::proptest! {
        #[test]
        fn indonesian_words_round_trip(n in 0u64..5_000_000_000) {
            let w = number_id(n);
            proptest::prop_assert!(!w.contains("  ") && w.trim() == w);
            proptest::prop_assert_eq!(parse_id(&w), n);
        }
    }
}
