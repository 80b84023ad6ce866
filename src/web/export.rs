//! What every download writes: spreadsheet cells that cannot run as formulas, and generated names
//! (sheets, files) that every program accepts.

use std::borrow::Cow;

/// A CSV cell that a spreadsheet program shows as text: a cell starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return would otherwise be read as a formula (CSV injection), so it gets a
/// leading apostrophe, which spreadsheets hide.
pub fn csv_cell(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A worksheet name Excel accepts: none of `[]:*?/\`, no control characters, no apostrophe at
/// either end, at most 31 characters, never empty (then `fallback`).
pub fn sheet_name(raw: &str, fallback: &str) -> String {
    let cleaned: String = raw
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c) && !c.is_control())
        .collect();
    let name: String = cleaned
        .trim()
        .trim_matches('\'')
        .trim()
        .chars()
        .take(31)
        .collect();
    let name = name.trim_end().trim_end_matches('\'').to_string();
    // "History" is reserved by Excel.
    if name.is_empty() || name.eq_ignore_ascii_case("history") {
        fallback.to_string()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::{csv_cell, sheet_name};

    #[test]
    fn formulas_become_text() {
        for bad in [
            "=1+1",
            "+62812",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"http://x\")",
        ] {
            assert!(csv_cell(bad).starts_with('\''), "{bad:?}");
        }
        for ok in ["Patriot Mantap", "0812-3456", "a=b", ""] {
            assert_eq!(csv_cell(ok), ok);
        }
    }

    #[test]
    fn sheet_names_are_always_valid() {
        assert_eq!(sheet_name("[:*?/\\]", "Inovasi"), "Inovasi");
        assert_eq!(sheet_name("BIW 2026", "Inovasi"), "BIW 2026");
        assert_eq!(sheet_name("'Kutip'", "Inovasi"), "Kutip");
        assert_eq!(sheet_name("History", "Inovasi"), "Inovasi");
        assert_eq!(sheet_name(&"a".repeat(40), "x").len(), 31);
        assert_eq!(sheet_name("Baris\nbaru", "x"), "Barisbaru");
    }
}
