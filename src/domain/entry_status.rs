//! The life of an entry, and which moves between states exist. The moves themselves happen only in
//! `services::entries::transition`, so later states (judging rounds) slot in at one place.

use serde::Serialize;

/// Where an entry stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryStatus {
    /// Being written by the unit; editable.
    Draft,
    /// Submitted by the unit's endorser; read-only, waiting for the administrative check.
    Submitted,
    /// Sent back by the organisers with reasons; editable again.
    Returned,
    /// Submitted again after a return.
    Resubmitted,
    /// Passed the administrative check.
    Passed,
    /// Rejected as ineligible.
    Rejected,
    /// Withdrawn by the unit before the deadline.
    Withdrawn,
}

/// Who makes a move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mover {
    /// An OPD operator of the entry's unit.
    Operator,
    /// The unit's endorser (an operator with the endorsement flag).
    Endorser,
    /// An organiser.
    Organiser,
}

impl EntryStatus {
    /// Every status, in the order of the cycle.
    pub const ALL: [EntryStatus; 7] = [
        EntryStatus::Draft,
        EntryStatus::Submitted,
        EntryStatus::Returned,
        EntryStatus::Resubmitted,
        EntryStatus::Passed,
        EntryStatus::Rejected,
        EntryStatus::Withdrawn,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            EntryStatus::Draft => "draft",
            EntryStatus::Submitted => "submitted",
            EntryStatus::Returned => "returned",
            EntryStatus::Resubmitted => "resubmitted",
            EntryStatus::Passed => "passed",
            EntryStatus::Rejected => "rejected",
            EntryStatus::Withdrawn => "withdrawn",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<EntryStatus> {
        EntryStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the unit may change the entry's content.
    pub fn editable(self) -> bool {
        matches!(self, EntryStatus::Draft | EntryStatus::Returned)
    }

    /// Whether the entry waits for the organisers' administrative check.
    pub fn awaiting_check(self) -> bool {
        matches!(self, EntryStatus::Submitted | EntryStatus::Resubmitted)
    }

    /// Whether `mover` may take the entry from `self` to `to` (deadlines are checked elsewhere).
    pub fn can_move(self, to: EntryStatus, mover: Mover) -> bool {
        use EntryStatus::*;
        use Mover::*;
        match (self, to) {
            (Draft, Submitted) | (Returned, Resubmitted) => mover == Endorser,
            (Submitted | Resubmitted, Withdrawn) => matches!(mover, Operator | Endorser),
            (Withdrawn, Draft) => matches!(mover, Operator | Endorser),
            (Submitted | Resubmitted, Returned | Passed | Rejected) => mover == Organiser,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{EntryStatus::*, Mover::*};

    #[test]
    fn only_the_endorser_submits_and_only_organisers_decide() {
        assert!(Draft.can_move(Submitted, Endorser));
        assert!(!Draft.can_move(Submitted, Operator));
        assert!(!Draft.can_move(Submitted, Organiser));
        assert!(Submitted.can_move(Returned, Organiser));
        assert!(!Submitted.can_move(Passed, Endorser));
        assert!(Returned.can_move(Resubmitted, Endorser));
        assert!(Resubmitted.can_move(Passed, Organiser));
        assert!(!Passed.can_move(Withdrawn, Operator));
        assert!(!Rejected.can_move(Draft, Organiser));
        assert!(Submitted.can_move(Withdrawn, Operator));
    }
}
