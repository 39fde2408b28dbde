//! TwiML: the XML an inbound-message webhook answers with (`Content-Type: text/xml`).
//! `<Message>` sends its text back to the sender; an empty `<Response/>` sends nothing.

/// The XML declaration every reply starts with.
const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// A reply that texts `text` back to the sender. The text is XML-escaped (`&`, `<`, `>`,
/// `"`, `'`, and a carriage return as `&#13;` so a parser keeps it), and the characters
/// XML 1.0 forbids (control characters other than tab, line feed and carriage return;
/// U+FFFE, U+FFFF) are removed.
pub fn message(text: &str) -> String {
    let mut xml = String::with_capacity(DECLARATION.len() + text.len() + 40);
    xml.push_str(DECLARATION);
    xml.push_str("<Response><Message>");
    for character in text.chars() {
        match character {
            '&' => xml.push_str("&amp;"),
            '<' => xml.push_str("&lt;"),
            '>' => xml.push_str("&gt;"),
            '"' => xml.push_str("&quot;"),
            '\'' => xml.push_str("&apos;"),
            '\r' => xml.push_str("&#13;"),
            other if allowed_in_xml(other) => xml.push(other),
            _ => {}
        }
    }
    xml.push_str("</Message></Response>");
    xml
}

/// A reply that sends nothing.
pub fn empty() -> String {
    format!("{DECLARATION}<Response/>")
}

/// XML 1.0's `Char` production (surrogates cannot occur in a Rust `char`).
pub fn allowed_in_xml(character: char) -> bool {
    matches!(character, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response><Message>"#;
    const TAIL: &str = "</Message></Response>";

    #[test]
    fn plain_text_is_wrapped() {
        assert_eq!(
            message("ORD-7K3M-9QX1: shipped"),
            format!("{HEAD}ORD-7K3M-9QX1: shipped{TAIL}")
        );
    }

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            message(r#"<b>Tom & "Jerry's"</b>"#),
            format!("{HEAD}&lt;b&gt;Tom &amp; &quot;Jerry&apos;s&quot;&lt;/b&gt;{TAIL}")
        );
        assert_eq!(
            message("</Message><Message>x"),
            format!("{HEAD}&lt;/Message&gt;&lt;Message&gt;x{TAIL}")
        );
        assert_eq!(message("&amp;"), format!("{HEAD}&amp;amp;{TAIL}"));
    }

    #[test]
    fn forbidden_control_characters_are_removed_and_others_kept() {
        assert_eq!(
            message("a\u{0}b\u{1B}c\u{0C}d\u{FFFE}e\u{FFFF}f"),
            format!("{HEAD}abcdef{TAIL}")
        );
        assert_eq!(
            message("line 1\nline 2\ttab\r\n📦 €"),
            format!("{HEAD}line 1\nline 2\ttab&#13;\n📦 €{TAIL}")
        );
    }

    #[test]
    fn empty_sends_nothing() {
        assert_eq!(
            empty(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#
        );
        assert_eq!(message(""), format!("{HEAD}{TAIL}"));
    }

    /// Undoes [`message`]'s escaping of the inner text.
    fn unescape(inner: &str) -> String {
        inner
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&#13;", "\r")
            .replace("&amp;", "&")
    }

    proptest! {
        #[test]
        fn the_text_round_trips_minus_forbidden_characters(text in any::<String>()) {
            let xml = message(&text);
            let inner = xml.strip_prefix(HEAD).and_then(|rest| rest.strip_suffix(TAIL));
            prop_assert!(inner.is_some());
            let inner = inner.unwrap_or_default();
            prop_assert!(!inner.contains('<') && !inner.contains('>') && !inner.contains('\r'));
            prop_assert!(inner.chars().all(allowed_in_xml));
            let kept: String = text.chars().filter(|c| allowed_in_xml(*c)).collect();
            prop_assert_eq!(unescape(inner), kept);
        }
    }
}
