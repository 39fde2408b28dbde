//! How many SMS segments a text costs, counted the way Twilio and the carriers count them.
//!
//! A text whose every character is in the GSM 03.38 default alphabet goes as GSM-7: 160
//! septets in a single message, 153 per part once it must be split (the rest of each part
//! is the concatenation header). The characters of the extension table (`^ { } [ ] ~ \ |
//! €` and form feed) cost two septets (escape + code), and an escape pair is never split
//! across parts. Any other character makes the whole text UCS-2: 70 UTF-16 units alone, 67
//! per part, a character outside the Basic Multilingual Plane (most emoji) costs two units,
//! and a surrogate pair is never split across parts.

/// The encoding a text must be sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// GSM 03.38 default alphabet and its extension table, seven bits a character.
    Gsm7,
    /// UTF-16, for any text with a character outside GSM-7.
    Ucs2,
}

impl Encoding {
    /// Units (septets or UTF-16 units) that fit a message sent in one piece.
    pub fn single_capacity(self) -> usize {
        match self {
            Encoding::Gsm7 => GSM7_SINGLE,
            Encoding::Ucs2 => UCS2_SINGLE,
        }
    }

    /// Units that fit each part of a split message.
    pub fn part_capacity(self) -> usize {
        match self {
            Encoding::Gsm7 => GSM7_PART,
            Encoding::Ucs2 => UCS2_PART,
        }
    }
}

/// Septets in a GSM-7 message sent in one piece.
pub const GSM7_SINGLE: usize = 160;
/// Septets in each part of a split GSM-7 message.
pub const GSM7_PART: usize = 153;
/// UTF-16 units in a UCS-2 message sent in one piece.
pub const UCS2_SINGLE: usize = 70;
/// UTF-16 units in each part of a split UCS-2 message.
pub const UCS2_PART: usize = 67;

/// What a text costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    /// The encoding the text needs.
    pub encoding: Encoding,
    /// Septets (GSM-7) or UTF-16 units (UCS-2) of the whole text.
    pub units: usize,
    /// Segments (billed messages); an empty text is one empty message.
    pub parts: usize,
}

/// Counts the encoding, units and parts of `text`. Linear in its length.
pub fn count(text: &str) -> Segments {
    let encoding = if text.chars().all(|c| gsm7_septets(c).is_some()) {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    };
    let cost = |c: char| match encoding {
        Encoding::Gsm7 => gsm7_septets(c).unwrap_or(1),
        Encoding::Ucs2 => c.len_utf16(),
    };
    let units: usize = text.chars().map(cost).sum();
    let parts = if units <= encoding.single_capacity() {
        1
    } else {
        pack(text.chars().map(cost), encoding.part_capacity())
    };
    Segments {
        encoding,
        units,
        parts,
    }
}

/// Whether `text` goes in at most `max_parts` segments.
pub fn fit(text: &str, max_parts: usize) -> bool {
    count(text).parts <= max_parts
}

/// Parts needed when characters costing `costs` fill parts of `capacity` units in order,
/// none split across two parts.
fn pack(costs: impl Iterator<Item = usize>, capacity: usize) -> usize {
    let mut parts = 1;
    let mut used = 0;
    for cost in costs {
        if used + cost > capacity {
            parts += 1;
            used = 0;
        }
        used += cost;
    }
    parts
}

/// Septets `c` costs in GSM-7: one for the default alphabet, two for the extension table,
/// `None` if GSM-7 cannot carry it.
pub fn gsm7_septets(c: char) -> Option<usize> {
    match c {
        '[' | '\\' | ']' | '^' | '{' | '|' | '}' | '~' | '€' | '\u{0C}' => Some(2),
        // Every other printable ASCII character is in the default alphabet but the backtick.
        '`' => None,
        ' '..='~' | '\n' | '\r' => Some(1),
        '£' | '¥' | 'è' | 'é' | 'ù' | 'ì' | 'ò' | 'Ç' | 'Ø' | 'ø' | 'Å' | 'å' | 'Δ' | 'Φ' | 'Γ'
        | 'Λ' | 'Ω' | 'Π' | 'Ψ' | 'Σ' | 'Θ' | 'Ξ' | 'Æ' | 'æ' | 'ß' | 'É' | '¤' | '¡' | 'Ä'
        | 'Ö' | 'Ñ' | 'Ü' | '§' | '¿' | 'ä' | 'ö' | 'ñ' | 'ü' | 'à' => Some(1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn gsm(units: usize, parts: usize) -> Segments {
        Segments {
            encoding: Encoding::Gsm7,
            units,
            parts,
        }
    }

    fn ucs2(units: usize, parts: usize) -> Segments {
        Segments {
            encoding: Encoding::Ucs2,
            units,
            parts,
        }
    }

    #[test]
    fn gsm_lengths_at_the_boundaries() {
        assert_eq!(count(""), gsm(0, 1));
        assert_eq!(count("Your order ORD-7K3M-9QX1 has shipped."), gsm(37, 1));
        assert_eq!(count(&"a".repeat(160)), gsm(160, 1));
        assert_eq!(count(&"a".repeat(161)), gsm(161, 2));
        assert_eq!(count(&"a".repeat(306)), gsm(306, 2));
        assert_eq!(count(&"a".repeat(307)), gsm(307, 3));
        assert_eq!(count(&"a".repeat(459)), gsm(459, 3));
        assert_eq!(count(&"a".repeat(460)), gsm(460, 4));
    }

    #[test]
    fn extension_characters_cost_two_septets() {
        for c in ['^', '{', '}', '[', ']', '~', '\\', '|', '€', '\u{0C}'] {
            assert_eq!(count(&c.to_string()), gsm(2, 1), "{c:?}");
        }
        assert_eq!(count(&format!("{}€", "a".repeat(158))), gsm(160, 1));
        assert_eq!(count(&format!("{}€", "a".repeat(159))), gsm(161, 2));
    }

    #[test]
    fn an_escape_pair_is_not_split_across_parts() {
        // 152 septets, then `€` (2) does not fit the first part's 153: it opens the second.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(152));
        assert_eq!(count(&text), gsm(306, 3));
        // The same 306 septets with the pair inside the first part: two full parts.
        let text = format!("{}€{}", "a".repeat(151), "a".repeat(153));
        assert_eq!(count(&text), gsm(306, 2));
    }

    #[test]
    fn gsm_letters_outside_ascii_stay_gsm_and_others_do_not() {
        assert_eq!(count("Ça coûte 5 €").encoding, Encoding::Ucs2); // û is not GSM
        assert_eq!(count("Ça marche, 5 € à payer").encoding, Encoding::Gsm7);
        assert_eq!(count("Grüße aus Köln").encoding, Encoding::Gsm7);
        assert_eq!(count("ç").encoding, Encoding::Ucs2); // only capital Ç is GSM
        assert_eq!(count("`").encoding, Encoding::Ucs2);
        assert_eq!(count("ΔΦΓΛΩΠΨΣΘΞ"), gsm(10, 1));
    }

    #[test]
    fn one_emoji_makes_the_text_ucs2_and_costs_two_units() {
        assert_eq!(count("Shipped 📦"), ucs2(10, 1));
        assert_eq!(count(&format!("{}📦", "a".repeat(158))), ucs2(160, 3));
    }

    #[test]
    fn ucs2_lengths_at_the_boundaries() {
        assert_eq!(count(&"ж".repeat(70)), ucs2(70, 1));
        assert_eq!(count(&"ж".repeat(71)), ucs2(71, 2));
        assert_eq!(count(&"ж".repeat(134)), ucs2(134, 2));
        assert_eq!(count(&"ж".repeat(135)), ucs2(135, 3));
        assert_eq!(count(&"📦".repeat(35)), ucs2(70, 1));
        assert_eq!(count(&"📦".repeat(36)), ucs2(72, 2));
    }

    #[test]
    fn an_emoji_is_not_split_across_parts() {
        // 66 units, then an emoji (2) does not fit the first part's 67.
        let text = format!("{}📦{}", "ж".repeat(66), "ж".repeat(66));
        assert_eq!(count(&text), ucs2(134, 3));
        let text = format!("{}📦{}", "ж".repeat(65), "ж".repeat(67));
        assert_eq!(count(&text), ucs2(134, 2));
    }

    #[test]
    fn fit_is_about_parts() {
        assert!(fit("", 1));
        assert!(fit(&"a".repeat(459), 3));
        assert!(!fit(&"a".repeat(460), 3));
        assert!(!fit("a", 0));
    }

    /// GSM 03.38 default alphabet in code order (ESC at 0x1B shown as NUL, never matched).
    const GSM_TABLE: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{0}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
        ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    /// The extension table reachable through ESC.
    const GSM_EXTENSION: &str = "\u{0C}^{}\\[~]|€";

    /// A second, simple-minded count: costs per character, then parts by filling them.
    fn reference_count(text: &str) -> Segments {
        let gsm_cost = |c: char| {
            if c != '\u{0}' && GSM_TABLE.contains(c) {
                Some(1)
            } else if GSM_EXTENSION.contains(c) {
                Some(2)
            } else {
                None
            }
        };
        let gsm_costs: Option<Vec<usize>> = text.chars().map(gsm_cost).collect();
        let (encoding, costs, single, part) = match gsm_costs {
            Some(costs) => (Encoding::Gsm7, costs, 160, 153),
            None => (
                Encoding::Ucs2,
                text.chars().map(char::len_utf16).collect(),
                70,
                67,
            ),
        };
        let units: usize = costs.iter().sum();
        let parts = if units <= single {
            1
        } else {
            let mut parts: Vec<usize> = vec![0];
            for cost in costs {
                if *parts.last().unwrap() + cost > part {
                    parts.push(0);
                }
                *parts.last_mut().unwrap() += cost;
            }
            parts.len()
        };
        Segments {
            encoding,
            units,
            parts,
        }
    }

    #[test]
    fn the_table_has_127_characters_and_the_extension_10() {
        assert_eq!(GSM_TABLE.chars().count(), 128);
        assert_eq!(GSM_EXTENSION.chars().count(), 10);
        let all = GSM_TABLE
            .chars()
            .filter(|c| *c != '\u{0}')
            .chain(GSM_EXTENSION.chars());
        for c in all {
            assert!(gsm7_septets(c).is_some(), "{c:?}");
        }
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        let gsm = proptest::sample::select(
            GSM_TABLE
                .chars()
                .filter(|c| *c != '\u{0}')
                .collect::<Vec<_>>(),
        );
        let extension = proptest::sample::select(GSM_EXTENSION.chars().collect::<Vec<_>>());
        let other = prop_oneof![Just('ж'), Just('📦'), Just('ç'), Just('`'), any::<char>()];
        let character = prop_oneof![20 => gsm, 3 => extension, 1 => other];
        prop_oneof![
            proptest::collection::vec(character.clone(), 0..500),
            // Mostly GSM, to reach multi-part GSM texts often.
            proptest::collection::vec(
                prop_oneof![50 => character.clone(), 1 => Just('📦')],
                0..500
            ),
        ]
        .prop_map(|chars| chars.into_iter().collect())
    }

    proptest! {
        #[test]
        fn count_agrees_with_the_reference_model(text in text_strategy()) {
            prop_assert_eq!(count(&text), reference_count(&text));
        }

        #[test]
        fn count_agrees_on_any_string(text in any::<String>()) {
            prop_assert_eq!(count(&text), reference_count(&text));
        }

        #[test]
        fn fit_is_consistent_with_count(text in text_strategy(), max_parts in 0usize..6) {
            let parts = count(&text).parts;
            prop_assert_eq!(fit(&text, max_parts), parts <= max_parts);
            prop_assert!(fit(&text, parts));
            prop_assert!(!fit(&text, parts - 1));
        }

        #[test]
        fn parts_grow_with_text(text in text_strategy(), extra in text_strategy()) {
            let longer = format!("{text}{extra}");
            let (short, long) = (count(&text), count(&longer));
            if short.encoding == long.encoding {
                prop_assert!(long.parts >= short.parts);
            }
        }
    }
}
