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

/// A stored status that is none of [`EntryStatus::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStatus(pub String);

impl std::fmt::Display for UnknownStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown entry status {:?} in the database", self.0)
    }
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

    /// Reads a status from the database, where anything unknown is corruption to report, never
    /// a draft by default.
    pub fn stored(code: &str) -> Result<EntryStatus, UnknownStatus> {
        EntryStatus::parse(code).ok_or_else(|| UnknownStatus(code.to_string()))
    }

    /// The stored codes of every status for which `keep` holds, for `IN (…)` filters.
    pub fn codes_where(keep: impl Fn(EntryStatus) -> bool) -> Vec<&'static str> {
        EntryStatus::ALL
            .into_iter()
            .filter(|s| keep(*s))
            .map(EntryStatus::code)
            .collect()
    }

    /// Whether the entry counts against the unit's limit of entries per edition.
    pub fn counts_against_limit(self) -> bool {
        matches!(
            self,
            EntryStatus::Submitted
                | EntryStatus::Returned
                | EntryStatus::Resubmitted
                | EntryStatus::Passed
        )
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
    fn every_code_reads_back_and_nothing_else_does() {
        for s in super::EntryStatus::ALL {
            assert_eq!(super::EntryStatus::stored(s.code()), Ok(s));
        }
        assert!(super::EntryStatus::stored("Draft").is_err());
        assert!(super::EntryStatus::stored("").is_err());
    }

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
