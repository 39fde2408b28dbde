//! Shared checks for text that comes from outside: lengths, control characters, emptiness.
//!
//! Each domain type calls these from its `parse` constructor, so validation happens once,
//! in ordo-core, whatever adapter the input came through.

use crate::error::{Error, Result};

/// Limits on sizes of things that come from outside.
pub mod limits {
    /// Most lines in one order.
    pub const MAX_LINES_PER_ORDER: usize = 100;
    /// Most units on one order line.
    pub const MAX_QUANTITY: u32 = 10_000;
    /// Longest product or customer name.
    pub const MAX_NAME_CHARS: usize = 120;
    /// Longest free text (description, note, reason).
    pub const MAX_TEXT_CHARS: usize = 2_000;
    /// Most specification entries or media items on a product.
    pub const MAX_LIST_ITEMS: usize = 50;
    /// Most price tiers in one price list.
    pub const MAX_TIERS: usize = 20;
    /// Longest URL.
    pub const MAX_URL_CHARS: usize = 2_000;
    /// Most orders moved by one batch status change.
    pub const MAX_ORDERS_PER_BATCH: usize = 100;
}

/// Trims `value` and checks it is non-empty, at most `max_chars` long, and free of
/// control characters.
///
/// # Errors
/// `Validation` naming `field`.
pub fn required_text(field: &str, value: &str, max_chars: usize) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    bounded_text(field, trimmed, max_chars)
}

/// Like [`required_text`] but an empty value is allowed (returns an empty string).
///
/// # Errors
/// `Validation` naming `field`.
pub fn optional_text(field: &str, value: &str, max_chars: usize) -> Result<String> {
    bounded_text(field, value.trim(), max_chars)
}

/// Free text where newlines and tabs are allowed (descriptions, notes).
///
/// # Errors
/// `Validation` naming `field`.
pub fn multiline_text(field: &str, value: &str, max_chars: usize) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.chars().count() > max_chars {
        return Err(Error::invalid(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(trimmed.to_string())
}

fn bounded_text(field: &str, trimmed: &str, max_chars: usize) -> Result<String> {
    if trimmed.chars().count() > max_chars {
        return Err(Error::invalid(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(trimmed.to_string())
}

/// Checks an order-line quantity: at least 1, at most [`limits::MAX_QUANTITY`].
///
/// # Errors
/// `Validation` naming `field`.
pub fn quantity(field: &str, value: i64) -> Result<u32> {
    if value < 1 {
        return Err(Error::invalid(field, "must be at least 1"));
    }
    u32::try_from(value)
        .ok()
        .filter(|q| *q <= limits::MAX_QUANTITY)
        .ok_or_else(|| Error::invalid(field, format!("must be at most {}", limits::MAX_QUANTITY)))
}

/// Checks an http(s) URL for media: scheme, no spaces or control characters, bounded length.
///
/// # Errors
/// `Validation` naming `field`.
pub fn url(field: &str, value: &str) -> Result<String> {
    let value = required_text(field, value, limits::MAX_URL_CHARS)?;
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(|| Error::invalid(field, "must start with https:// or http://"))?;
    if rest.is_empty() || rest.starts_with('/') || value.chars().any(char::is_whitespace) {
        return Err(Error::invalid(field, "is not a valid URL"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        assert_eq!(required_text("name", "  Ada ", 10).unwrap(), "Ada");
        assert!(required_text("name", "   ", 10).is_err());
        assert!(required_text("name", "a\u{0}b", 10).is_err());
        assert!(required_text("name", "abcdefghijk", 10).is_err());
        assert_eq!(optional_text("note", "", 10).unwrap(), "");
        assert!(multiline_text("desc", "line\nline", 20).is_ok());
        assert!(multiline_text("desc", "bell\u{7}", 20).is_err());
    }

    #[test]
    fn quantity_rules() {
        assert_eq!(quantity("quantity", 1).unwrap(), 1);
        assert!(quantity("quantity", 0).is_err());
        assert!(quantity("quantity", -3).is_err());
        assert!(quantity("quantity", 10_001).is_err());
        assert_eq!(
            quantity("quantity for SKU TEE", 0).unwrap_err().to_string(),
            "quantity for SKU TEE must be at least 1"
        );
    }

    #[test]
    fn url_rules() {
        assert!(url("photo", "https://cdn.example.com/a.jpg").is_ok());
        assert!(url("photo", "ftp://x").is_err());
        assert!(url("photo", "https://").is_err());
        assert!(url("photo", "https://a b").is_err());
    }
}
