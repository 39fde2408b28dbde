//! Typed identifiers and order reference numbers.
//!
//! Internal ids are store-assigned integers wrapped in one type per entity, so an order id
//! can never be passed where a product id is expected. Reference numbers are what customers
//! see: short, typable, checked, random (not sequential, not guessable).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::random::RandomSource;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name(pub u64);

        impl $name {
            /// The raw number.
            pub fn get(self) -> u64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

typed_id!(
    /// Identifies a product.
    ProductId
);
typed_id!(
    /// Identifies a customer.
    CustomerId
);
typed_id!(
    /// Identifies an order.
    OrderId
);
typed_id!(
    /// Identifies a staff user.
    UserId
);
typed_id!(
    /// Identifies a message in the communication log.
    MessageId
);
typed_id!(
    /// Identifies a notification delivery.
    DeliveryId
);
typed_id!(
    /// Identifies a customer-service ticket.
    TicketId
);
typed_id!(
    /// Identifies a shipment (a parcel handed to a carrier).
    ShipmentId
);
typed_id!(
    /// Identifies a return (units of a delivered order coming back).
    ReturnId
);

/// Crockford base-32 alphabet: no I, L, O, U, so misreadings are rare.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Random characters in a reference (the eighth is the check character): 35 bits.
const REFERENCE_RANDOM_CHARS: usize = 7;

fn generate_body(random: &dyn RandomSource) -> [u8; 8] {
    let bits = random.next_u64();
    let mut digits = [0u8; REFERENCE_RANDOM_CHARS];
    for (i, digit) in digits.iter_mut().enumerate() {
        // Each character takes five bits; masking keeps the index below 32.
        *digit = ((bits >> (5 * i)) & 31) as u8;
    }
    let check = luhn_check_digit(&digits);
    let mut body = [b'0'; 8];
    for (slot, digit) in body
        .iter_mut()
        .zip(digits.iter().chain(std::iter::once(&check)))
    {
        *slot = crockford_char(*digit);
    }
    body
}

/// Parses a checked code: case-insensitive, prefix and dashes/spaces optional, `O` read as
/// `0` and `I`/`L` as `1` (Crockford's rules), check character verified.
fn parse_body(text: &str, prefix: &str, field: &str, example: &str) -> Result<[u8; 8]> {
    let mut cleaned: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b'-' | b' ' | b'\t'))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if cleaned.len() == 8 + prefix.len() && cleaned.starts_with(prefix.as_bytes()) {
        cleaned.drain(..prefix.len());
    }
    if cleaned.len() != 8 {
        return Err(Error::invalid(
            field,
            format!("{text:?} should look like {example}"),
        ));
    }
    let mut digits = [0u8; 8];
    for (slot, byte) in digits.iter_mut().zip(cleaned.iter()) {
        *slot = crockford_value(*byte).ok_or_else(|| {
            Error::invalid(
                field,
                format!("{text:?} contains a character that is not allowed"),
            )
        })?;
    }
    let (data, check) = digits.split_at(REFERENCE_RANDOM_CHARS);
    if check.first() != Some(&luhn_check_digit(data)) {
        return Err(Error::invalid(
            field,
            format!("{text:?} has a typo (check character does not match)"),
        ));
    }
    let mut body = [0u8; 8];
    for (slot, digit) in body.iter_mut().zip(digits.iter()) {
        *slot = crockford_char(*digit);
    }
    Ok(body)
}

macro_rules! checked_code {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $field:literal, $example:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name {
            /// The eight characters without prefix or dash.
            body: [u8; 8],
        }

        impl $name {
            /// A fresh random code drawn from `random`.
            pub fn generate(random: &dyn RandomSource) -> $name {
                $name { body: generate_body(random) }
            }

            #[doc = concat!("Parses what a person typed, e.g. `", $example, "`: case-insensitive, `", $prefix, "` prefix and dashes optional, `O` read as `0` and `I`/`L` as `1`.")]
            ///
            /// # Errors
            /// `Validation` if the text is not eight base-32 characters or the check fails.
            pub fn parse(text: &str) -> Result<$name> {
                parse_body(text, $prefix, $field, $example).map(|body| $name { body })
            }

            /// The eight characters, used as the index key.
            pub fn compact(&self) -> &[u8; 8] {
                &self.body
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let text = String::from_utf8_lossy(&self.body);
                write!(f, "{}-{}-{}", $prefix, text.get(..4).unwrap_or(""), text.get(4..).unwrap_or(""))
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(value: String) -> Result<Self> {
                $name::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.to_string()
            }
        }
    };
}

checked_code!(
    /// An order's public reference number, e.g. `ORD-7K3M-9QX1`.
    ///
    /// Seven random Crockford base-32 characters (35 bits) and one Luhn mod 32 check
    /// character, which catches every single-character typo and adjacent transpositions.
    OrderReference,
    "ORD",
    "order reference",
    "ORD-7K3M-9QX1"
);

checked_code!(
    /// A customer's permanent Registration ID, e.g. `CUS-4F7Q-2M9T`: random, checked, never
    /// reused (unique index).
    RegistrationId,
    "CUS",
    "registration id",
    "CUS-4F7Q-2M9T"
);

fn crockford_char(digit: u8) -> u8 {
    CROCKFORD
        .get(usize::from(digit & 31))
        .copied()
        .unwrap_or(b'0')
}

fn crockford_value(byte: u8) -> Option<u8> {
    let byte = match byte {
        b'O' => b'0',
        b'I' | b'L' => b'1',
        other => other,
    };
    CROCKFORD
        .iter()
        .position(|c| *c == byte)
        .and_then(|p| u8::try_from(p).ok())
}

/// Luhn mod N (N = 32) check digit over base-32 digits.
fn luhn_check_digit(digits: &[u8]) -> u8 {
    let n: u32 = 32;
    let mut sum: u32 = 0;
    let mut factor: u32 = 2;
    for digit in digits.iter().rev() {
        let addend = factor * u32::from(*digit);
        sum += addend / n + addend % n;
        factor = if factor == 2 { 1 } else { 2 };
    }
    ((n - sum % n) % n) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SeededRandom;
    use proptest::prelude::*;

    #[test]
    fn generated_references_round_trip_and_look_right() {
        let random = SeededRandom::new(7);
        for _ in 0..1000 {
            let r = OrderReference::generate(&random);
            let shown = r.to_string();
            assert_eq!(shown.len(), 13, "{shown}");
            assert!(shown.starts_with("ORD-"));
            assert_eq!(OrderReference::parse(&shown).unwrap(), r);
            assert_eq!(OrderReference::parse(&shown.to_lowercase()).unwrap(), r);
            assert_eq!(OrderReference::parse(&shown.replace('-', "")).unwrap(), r);
        }
    }

    #[test]
    fn documented_examples_are_valid() {
        assert!(OrderReference::parse("ORD-7K3M-9QX1").is_ok());
        assert!(RegistrationId::parse("CUS-4F7Q-2M9T").is_ok());
    }

    #[test]
    fn references_are_not_sequential() {
        let random = SeededRandom::new(1);
        let a = OrderReference::generate(&random);
        let b = OrderReference::generate(&random);
        assert_ne!(a, b);
        let shared_prefix = a
            .compact()
            .iter()
            .zip(b.compact())
            .take_while(|(x, y)| x == y)
            .count();
        assert!(shared_prefix < 7);
    }

    #[test]
    fn rejects_garbage() {
        assert!(RegistrationId::parse("ORD-0000-0000").is_err());
        let id = RegistrationId::generate(&SeededRandom::new(3));
        assert!(id.to_string().starts_with("CUS-"));
        assert_eq!(RegistrationId::parse(&id.to_string()).unwrap(), id);
        for bad in [
            "",
            "ORD",
            "ORD-1234",
            "ORD-1234-567U",
            "ORD-ÄÄÄÄ-ÄÄÄÄ",
            "XYZ-1234-5678-9",
        ] {
            assert!(OrderReference::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn every_single_character_typo_is_caught(seed in any::<u64>(), pos in 0usize..8, delta in 1u8..32) {
            let r = OrderReference::generate(&SeededRandom::new(seed));
            let mut body = *r.compact();
            let old = crockford_value(body[pos]).unwrap();
            body[pos] = crockford_char((old + delta) % 32);
            let typed = String::from_utf8(body.to_vec()).unwrap();
            prop_assert!(OrderReference::parse(&typed).is_err());
        }

        #[test]
        fn adjacent_transpositions_are_caught(seed in any::<u64>(), pos in 0usize..7) {
            let r = OrderReference::generate(&SeededRandom::new(seed));
            let mut body = *r.compact();
            prop_assume!(body[pos] != body[pos + 1]);
            // Luhn mod N misses exactly one pair class: digits whose doubled values wrap alike.
            let (a, b) = (crockford_value(body[pos]).unwrap(), crockford_value(body[pos + 1]).unwrap());
            prop_assume!(!((a == 0 && b == 31) || (a == 31 && b == 0)));
            body.swap(pos, pos + 1);
            let typed = String::from_utf8(body.to_vec()).unwrap();
            prop_assert!(OrderReference::parse(&typed).is_err());
        }

        #[test]
        fn parse_never_panics(text in ".{0,40}") {
            let _ = OrderReference::parse(&text);
        }
    }
}
