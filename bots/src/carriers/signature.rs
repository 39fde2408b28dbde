//! `X-Ordo-Signature: sha256=<hex>`: proof that a tracking event comes from the carrier.
//!
//! The carrier signs the raw request body with HMAC-SHA256 keyed by its secret
//! (`carriers.NAME.secret`) and sends the lower- or upper-case hex of the MAC after
//! `sha256=`. The MAC is compared in constant time (`Mac::verify_slice`). The secret is
//! never logged and never put in an error.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The header carriers sign with.
pub const HEADER: &str = "x-ordo-signature";

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `X-Ordo-Signature` header (answered 401).
    #[error("no X-Ordo-Signature header")]
    Missing,
    /// A header that is not `sha256=` and 64 hex digits (answered 403).
    #[error("X-Ordo-Signature is not sha256=<64 hex digits>")]
    Malformed,
    /// A well-formed signature that does not sign this body with this secret (403).
    #[error("X-Ordo-Signature does not match the body")]
    Mismatch,
}

/// The header value signing `body` with `secret`: `sha256=` and the MAC's lower-case hex.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let Ok(mut mac) = HmacSha256::new_from_slice(secret) else {
        // HMAC takes keys of any length; nothing to sign with otherwise.
        return String::new();
    };
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256=");
    for byte in bytes {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Checks `header` (the `X-Ordo-Signature` value, if any) against `body` and `secret`.
///
/// # Errors
/// [`SignatureError::Missing`] without a header, [`SignatureError::Malformed`] for
/// another shape, and [`SignatureError::Mismatch`] for a wrong MAC or an empty secret
/// (with which anyone could sign).
pub fn verify(secret: &[u8], body: &[u8], header: Option<&str>) -> Result<(), SignatureError> {
    let header = header.map(str::trim).unwrap_or("");
    if header.is_empty() {
        return Err(SignatureError::Missing);
    }
    let hex = header
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed)?;
    let signature = decode_hex(hex).ok_or(SignatureError::Malformed)?;
    if secret.is_empty() {
        return Err(SignatureError::Mismatch);
    }
    let mut mac = HmacSha256::new_from_slice(secret).map_err(|_| SignatureError::Mismatch)?;
    mac.update(body);
    mac.verify_slice(&signature)
        .map_err(|_| SignatureError::Mismatch)
}

/// 64 hex digits as 32 bytes.
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let [high, low] = pair else {
                return None;
            };
            let high = char::from(*high).to_digit(16)?;
            let low = char::from(*low).to_digit(16)?;
            u8::try_from(high * 16 + low).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"carrier-secret";
    const BODY: &[u8] = br#"{"tracking_number":"JD0000000001"}"#;

    #[test]
    fn a_signature_made_with_the_secret_over_the_body_passes() {
        let header = sign(SECRET, BODY);
        assert!(
            header.starts_with("sha256=") && header.len() == 71,
            "{header}"
        );
        assert_eq!(verify(SECRET, BODY, Some(&header)), Ok(()));
        assert_eq!(
            verify(
                SECRET,
                BODY,
                Some(&header.to_ascii_uppercase().replace("SHA256=", "sha256="))
            ),
            Ok(())
        );
    }

    #[test]
    fn matches_a_known_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn missing_malformed_and_wrong_signatures_are_refused() {
        let good = sign(SECRET, BODY);
        assert_eq!(verify(SECRET, BODY, None), Err(SignatureError::Missing));
        assert_eq!(
            verify(SECRET, BODY, Some("  ")),
            Err(SignatureError::Missing)
        );
        let hex = good.trim_start_matches("sha256=");
        for malformed in [
            hex.to_string(),
            format!("sha1={hex}"),
            format!("sha256={}", &hex[2..]),
            format!("sha256={}zz", &hex[2..]),
        ] {
            assert_eq!(
                verify(SECRET, BODY, Some(&malformed)),
                Err(SignatureError::Malformed),
                "{malformed}"
            );
        }
        assert_eq!(
            verify(b"other", BODY, Some(&good)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, b"{}", Some(&good)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"", b"", Some(&sign(b"", b""))),
            Err(SignatureError::Mismatch)
        );
    }
}
