//! What every download writes: spreadsheet cells that cannot run as formulas, and generated names
//! (sheets, files) that every program accepts.

use std::borrow::Cow;

use actix_web::HttpResponse;
use actix_web::http::header;

use crate::error::AppError;

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

/// A table (header row first) as a CSV download: cells neutralised, UTF-8 with a BOM so that
/// spreadsheet programs read it right, never cached.
pub fn csv_response(table: &[Vec<String>], filename: &str) -> Result<HttpResponse, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in table {
        w.write_record(row.iter().map(|c| csv_cell(c).into_owned()))
            .map_err(|e| AppError::internal("csv", e))?;
    }
    let bytes = w.into_inner().map_err(|e| AppError::internal("csv", e))?;
    let mut body = b"\xef\xbb\xbf".to_vec();
    body.extend(bytes);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// A table (header row first, in bold, frozen) as an XLSX download on one worksheet.
pub async fn xlsx_response(
    table: Vec<Vec<String>>,
    sheet: String,
    filename: &str,
) -> Result<HttpResponse, AppError> {
    let bytes =
        tokio::task::spawn_blocking(move || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
            let mut book = rust_xlsxwriter::Workbook::new();
            let ws = book.add_worksheet();
            ws.set_name(sheet)?;
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (r, row) in table.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    // Excel refuses cells over 32,767 characters.
                    let text: String = cell.chars().take(32_000).collect();
                    if r == 0 {
                        ws.write_string_with_format(r as u32, c as u16, &text, &bold)?;
                    } else {
                        ws.write_string(r as u32, c as u16, &text)?;
                    }
                }
            }
            ws.set_freeze_panes(1, 0)?;
            book.save_to_buffer()
        })
        .await
        .map_err(|e| AppError::internal("xlsx task", e))?
        .map_err(|e| AppError::internal("xlsx", e))?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
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
