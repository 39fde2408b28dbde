//! Generated documentation pages kept equal to the code (`docs/permissions.md`,
//! `docs/errors.md`): a test compares, and `ORDO_BLESS_DOCS=1` rewrites the page's table.

/// Checks that the page at `path` (relative to the workspace root) holds `table`; with
/// `ORDO_BLESS_DOCS` set, first replaces the page's one table (its lines starting with `|`)
/// by `table`.
///
/// # Panics
/// When the page is out of date (this is a test helper).
pub fn assert_page_holds(path: &str, table: &str) {
    let path = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    let mut page = std::fs::read_to_string(&path).unwrap_or_default();
    if std::env::var_os("ORDO_BLESS_DOCS").is_some() {
        let (before, rest) = page.split_once("\n|").unwrap_or((&page, ""));
        let after = rest
            .split_once("\n\n")
            .map_or(String::new(), |(_, after)| format!("\n{after}"));
        page = format!("{before}\n{table}{after}");
        std::fs::write(&path, &page).unwrap();
    }
    assert!(
        page.contains(table),
        "{path} is out of date; run the test with ORDO_BLESS_DOCS=1 or paste in:\n{table}"
    );
}
