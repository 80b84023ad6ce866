//! Accounts: login with throttling, invitations, password reset and change, activation.
//!
//! One file per use case: `login`, `invitations`, `passwords`, `users`.

mod invitations;
mod login;
mod passwords;
mod users;

pub use invitations::*;
pub use login::*;
pub use passwords::*;
pub use users::*;

/// Days an invitation link stays valid.
pub const INVITE_DAYS: i64 = 7;
/// Minutes a password-reset link stays valid.
pub const RESET_MINUTES: i64 = 60;

/// Reset emails one account can be sent in an hour.
pub const MAX_RESETS_PER_HOUR: i64 = 3;

pub(crate) const INVITE: &str = "invite";
pub(crate) const RESET: &str = "reset";
