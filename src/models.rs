//! Rows and plain queries, one file per table; no business rules here (those live in `services`).

pub mod audit;
pub mod edition;
pub mod entry;
pub mod iid;
pub mod judging;
pub mod login_attempt;
pub mod outbox;
pub mod round;
pub mod rubric;
pub mod session;
pub mod sheet;
pub mod tally;
pub mod token;
pub mod unit;
pub mod user;
