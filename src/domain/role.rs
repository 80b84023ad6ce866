//! Who a user is to the platform, and who may use a route.

use serde::Serialize;

/// A user's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Panitia: sets up editions, manages users and units, screens entries.
    Organiser,
    /// An OPD operator: belongs to a unit and registers its entries.
    Opd,
    /// A judge: scores assigned entries; may be affiliated with a unit.
    Judge,
}

impl Role {
    /// Every role, in the order shown in forms.
    pub const ALL: [Role; 3] = [Role::Organiser, Role::Opd, Role::Judge];

    /// The code stored in the database and used in CSV files.
    pub fn code(self) -> &'static str {
        match self {
            Role::Organiser => "organiser",
            Role::Opd => "opd",
            Role::Judge => "judge",
        }
    }

    /// Parses a stored or imported code.
    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == code.trim().to_lowercase())
    }

    /// Where this role lands after logging in.
    pub fn home(self) -> &'static str {
        match self {
            Role::Organiser => "/organiser",
            Role::Opd => "/opd",
            Role::Judge => "/judge",
        }
    }
}

/// Who may use a route; every route in [`crate::web::routes`] declares one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Static files and the health check: anyone, and no session is looked at.
    Open,
    /// Anyone, logged in or not.
    Public,
    /// Any logged-in user.
    User,
    /// Only this role.
    Only(Role),
}

impl Access {
    /// Whether a user with `role` (or nobody) passes.
    pub fn allows(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Access::Open | Access::Public, _) => true,
            (Access::User, Some(_)) => true,
            (Access::Only(want), Some(have)) => want == have,
            (_, None) => false,
        }
    }
}
