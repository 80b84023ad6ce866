//! One integration-test binary (it links once). Each test starts the real app on port 0 with a fresh
//! database: a SQLite file by default, or a new PostgreSQL database when `BIW_TEST_DATABASE_URL` is set.

mod helpers;

mod audit;
mod auth;
mod browser;
mod browser_judging;
mod browser_results;
mod cli;
mod concurrency;
mod drafts;
mod edition_lists;
mod editions;
pub mod entries;
mod entry_access;
mod entry_counts;
mod entry_rules;
mod i18n;
mod input;
mod invitations;
mod judging;
mod moderation;
mod outbox;
mod page_cache;
mod page_scopes;
mod pages;
mod password_reset;
mod permissions;
mod resilience;
pub mod results;
mod rubrics;
mod schema;
mod screening;
mod sessions;
mod smtp;
mod submission;
mod units;
mod users;
