//! The content model of flowing documents: styled lines, rendered as text or PDF.

/// How a line is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// The document's title.
    Title,
    /// A section heading.
    Heading,
    /// Running text.
    Body,
    /// Table rows (monospaced, so columns line up on paper as on a terminal).
    Table,
    /// An empty line.
    Gap,
}

/// One line of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// How it is set.
    pub style: Style,
    /// What it says.
    pub text: String,
}

impl Line {
    /// A title line.
    pub fn title(text: impl Into<String>) -> Line {
        Line {
            style: Style::Title,
            text: text.into(),
        }
    }
    /// A heading line.
    pub fn heading(text: impl Into<String>) -> Line {
        Line {
            style: Style::Heading,
            text: text.into(),
        }
    }
    /// A body line.
    pub fn body(text: impl Into<String>) -> Line {
        Line {
            style: Style::Body,
            text: text.into(),
        }
    }
    /// A table row.
    pub fn table(text: impl Into<String>) -> Line {
        Line {
            style: Style::Table,
            text: text.into(),
        }
    }
    /// An empty line.
    pub fn gap() -> Line {
        Line {
            style: Style::Gap,
            text: String::new(),
        }
    }
}

/// The lines as terminal text, one per line, ending with a newline.
pub fn to_text(lines: &[Line]) -> String {
    let mut out = String::new();
    for line in lines {
        out.push_str(line.text.trim_end());
        out.push('\n');
    }
    out
}

/// `text` cut to `width` characters (ending in `~` when cut), then padded to `width`.
pub(crate) fn cell(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count > width {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('~');
        cut
    } else {
        format!("{text:<width$}")
    }
}
