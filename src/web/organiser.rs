//! The organiser's (panitia's) pages.

pub mod audit;
pub mod outbox;
pub mod units;
pub mod users;

use serde::Serialize;

/// Rows per page in organiser lists.
pub const PER_PAGE: i64 = 50;

/// Page numbers for a list.
#[derive(Serialize)]
pub struct Pager {
    /// Current page (1-based).
    pub page: i64,
    /// Last page.
    pub pages: i64,
    /// Rows in all.
    pub total: i64,
    /// The query string without `page`, to build links.
    pub query: String,
}

impl Pager {
    /// A pager for `total` rows at `page`, keeping the other filters in `query`.
    pub fn new(page: Option<i64>, total: i64, filters: &impl Serialize) -> Pager {
        let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
        let query = serde_urlencoded::to_string(filters).unwrap_or_default();
        let query = query
            .split('&')
            .filter(|kv| !kv.starts_with("page=") && !kv.ends_with('=') && !kv.is_empty())
            .collect::<Vec<_>>()
            .join("&");
        Pager {
            page: page.unwrap_or(1).clamp(1, pages),
            pages,
            total,
            query,
        }
    }
}
