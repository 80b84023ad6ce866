//! The organiser's (panitia's) pages.

pub mod assignments;
pub mod audit;
pub mod awards;
pub mod editions;
pub mod entries;
pub mod judges;
pub mod moderation;
pub mod outbox;
pub mod results;
pub mod rounds;
pub mod rubrics;
pub mod sheets;
pub mod shortlist;
pub mod units;
pub mod users;

use serde::Serialize;

/// Rows per page in organiser lists.
pub const PER_PAGE: i64 = 50;

/// Page links for a list.
#[derive(Serialize)]
pub struct Pager {
    /// Current page (1-based).
    pub page: i64,
    /// Last page, when the total is counted.
    pub pages: Option<i64>,
    /// Rows in all, when counted (not for the audit log and the outbox, which grow without bound).
    pub total: Option<i64>,
    /// Whether a next page exists.
    pub has_next: bool,
    /// The query string without `page`, to build links.
    pub query: String,
}

fn query_without_page(filters: &impl Serialize) -> String {
    serde_urlencoded::to_string(filters)
        .unwrap_or_default()
        .split('&')
        .filter(|kv| !kv.starts_with("page=") && !kv.ends_with('=') && !kv.is_empty())
        .collect::<Vec<_>>()
        .join("&")
}

impl Pager {
    /// A pager for `total` rows at `page`, keeping the other filters in `query`.
    pub fn new(page: Option<i64>, total: i64, filters: &impl Serialize) -> Pager {
        let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
        let page = page.unwrap_or(1).clamp(1, pages.min(crate::db::MAX_PAGE));
        Pager {
            page,
            pages: Some(pages),
            total: Some(total),
            has_next: page < pages,
            query: query_without_page(filters),
        }
    }

    /// A pager that knows only whether another page follows (the list fetched one row more than a page).
    pub fn open_ended(page: Option<i64>, has_next: bool, filters: &impl Serialize) -> Pager {
        Pager {
            page: page.unwrap_or(1).clamp(1, crate::db::MAX_PAGE),
            pages: None,
            total: None,
            has_next,
            query: query_without_page(filters),
        }
    }
}
