//! Use cases: each owns its transaction, checks its rules, writes the audit event and enqueues mail.

pub mod accounts;
pub mod demo;
pub mod import;
pub mod units;
