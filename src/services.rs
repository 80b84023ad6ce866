//! Use cases: each owns its transaction, checks its rules, writes the audit event and enqueues mail.

pub mod accounts;
pub mod dashboard;
pub mod demo;
pub mod demo_edition;
pub mod demo_judging;
pub mod edition_lists;
pub mod editions;
pub mod entries;
pub mod evidence;
pub mod import;
pub mod judging;
pub mod results;
pub mod round_cache;
pub mod rounds;
pub mod rubrics;
pub mod screening;
pub mod shortlist;
pub mod units;
