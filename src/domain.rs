//! Value types with their parsing rules: what is valid input is decided here, once.

pub mod assignment;
pub mod awards;
pub mod charts;
pub mod edition_defaults;
pub mod email;
pub mod feedback;
pub mod iid;
pub mod judging;
pub mod password;
pub mod results;
pub mod role;
pub mod rubric;
pub mod text;
pub mod unit_type;

pub use email::Email;
pub use password::Password;
pub use role::{Access, Role};
pub use unit_type::UnitType;
pub mod entry_status;
pub use entry_status::{EntryStatus, Mover};
