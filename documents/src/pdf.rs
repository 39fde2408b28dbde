//! PDF drawing on printpdf 0.12 with the built-in fonts, and the flow of [`Line`]s onto A4
//! pages. Byte-identical output: printpdf's random trailer `/ID` is replaced with one
//! derived from the document's own bytes.

use printpdf::{
    BuiltinFont, Color, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, Rect, Rgb, TextItem, WindingOrder,
};

use crate::content::{Line, Style};

/// A4 width in millimetres.
pub(crate) const A4_WIDTH_MM: f32 = 210.0;
/// A4 height in millimetres.
pub(crate) const A4_HEIGHT_MM: f32 = 297.0;
/// Page margin of flowing documents.
const MARGIN_MM: f32 = 18.0;
/// Most pages a flowing document gets (a bound on a bound: lists are bounded upstream).
const MAX_PAGES: usize = 500;

/// A font of the 14 built-in ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Font {
    /// Helvetica.
    Regular,
    /// Helvetica Bold.
    Bold,
    /// Courier (monospaced).
    Mono,
    /// Courier Bold.
    MonoBold,
}

impl Font {
    fn builtin(self) -> BuiltinFont {
        match self {
            Font::Regular => BuiltinFont::Helvetica,
            Font::Bold => BuiltinFont::HelveticaBold,
            Font::Mono => BuiltinFont::Courier,
            Font::MonoBold => BuiltinFont::CourierBold,
        }
    }
}

/// One page being drawn (origin bottom left, millimetres).
pub(crate) struct Page {
    width_mm: f32,
    height_mm: f32,
    ops: Vec<Op>,
}

impl Page {
    /// An empty page.
    pub(crate) fn new(width_mm: f32, height_mm: f32) -> Page {
        Page {
            width_mm,
            height_mm,
            ops: vec![Op::SetFillColor {
                col: Color::Rgb(Rgb {
                    r: 0.0,
                    g: 0.0,
                    b: 0.0,
                    icc_profile: None,
                }),
            }],
        }
    }

    /// Writes `text` with its baseline starting at (`x_mm`, `y_mm`).
    pub(crate) fn text(&mut self, x_mm: f32, y_mm: f32, font: Font, size_pt: f32, text: &str) {
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::Builtin(font.builtin()),
                size: Pt(size_pt),
            },
            Op::SetTextCursor {
                pos: Point::new(Mm(x_mm), Mm(y_mm)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_string())],
            },
            Op::EndTextSection,
        ]);
    }

    /// A filled black rectangle with its lower left corner at (`x_mm`, `y_mm`).
    pub(crate) fn fill_rect(&mut self, x_mm: f32, y_mm: f32, width_mm: f32, height_mm: f32) {
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Mm(x_mm).into(),
                y: Mm(y_mm).into(),
                width: Mm(width_mm).into(),
                height: Mm(height_mm).into(),
                // `None` paints nothing: a bar must be filled.
                mode: Some(PaintMode::Fill),
                winding_order: Some(WindingOrder::NonZero),
            },
        });
    }

    /// A horizontal rule `thickness_mm` thick across the page between the margins.
    pub(crate) fn rule(&mut self, y_mm: f32, margin_mm: f32, thickness_mm: f32) {
        let width = self.width_mm - 2.0 * margin_mm;
        self.fill_rect(margin_mm, y_mm, width, thickness_mm);
    }
}

/// The PDF of `pages`, titled `title`.
pub(crate) fn render(title: &str, pages: Vec<Page>) -> Vec<u8> {
    let mut document = PdfDocument::new(title);
    document.with_pages(
        pages
            .into_iter()
            .map(|page| PdfPage::new(Mm(page.width_mm), Mm(page.height_mm), page.ops))
            .collect(),
    );
    let mut warnings = Vec::new();
    let mut bytes = document.save(&PdfSaveOptions::default(), &mut warnings);
    stable_trailer_id(&mut bytes);
    bytes
}

/// Replaces the two 32-character strings of the trailer's `/ID` (random in printpdf) with
/// characters derived from everything before them, so equal input gives equal bytes. The
/// lengths do not change, so no offset moves.
fn stable_trailer_id(bytes: &mut [u8]) {
    let Some(at) = find_last(bytes, b"/ID") else {
        return;
    };
    let (head, tail) = bytes.split_at_mut(at);
    let mut digest = fnv1a(head);
    let mut inside = false;
    for byte in tail.iter_mut() {
        match *byte {
            b'(' => inside = true,
            b')' if inside => inside = false,
            b']' => break,
            _ if inside => {
                digest = digest.rotate_left(5) ^ 0x9e37_79b9_7f4a_7c15;
                digest = digest.wrapping_mul(0x0100_0000_01b3);
                // Letters only: never a parenthesis or a backslash inside a PDF string.
                let letter = (digest % 26) as u8;
                *byte = b'A' + letter;
            }
            _ => {}
        }
    }
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The size, font and leading of a style.
fn style_metrics(style: Style) -> (Font, f32, f32) {
    match style {
        Style::Title => (Font::Bold, 18.0, 10.0),
        Style::Heading => (Font::Bold, 11.0, 7.0),
        Style::Body => (Font::Regular, 10.0, 5.2),
        Style::Table => (Font::Mono, 9.0, 4.6),
        Style::Gap => (Font::Regular, 10.0, 3.0),
    }
}

/// `lines` flowed onto A4 pages (a new page when one is full), as PDF bytes.
pub(crate) fn flow(title: &str, lines: &[Line]) -> Vec<u8> {
    let mut pages = Vec::new();
    let mut page = Page::new(A4_WIDTH_MM, A4_HEIGHT_MM);
    let mut y = A4_HEIGHT_MM - MARGIN_MM;
    for line in lines {
        let (font, size, leading) = style_metrics(line.style);
        if y - leading < MARGIN_MM && pages.len() < MAX_PAGES {
            pages.push(std::mem::replace(
                &mut page,
                Page::new(A4_WIDTH_MM, A4_HEIGHT_MM),
            ));
            y = A4_HEIGHT_MM - MARGIN_MM;
        }
        y -= leading;
        if line.style != Style::Gap {
            page.text(MARGIN_MM, y, font, size, &line.text);
        }
        if line.style == Style::Title {
            page.rule(y - 2.5, MARGIN_MM, 0.4);
            y -= 3.0;
        }
    }
    pages.push(page);
    render(title, pages)
}
