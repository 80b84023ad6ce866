//! The typed words of judging: a round's kind, a sheet's status, how an assignment or a round's entry
//! came about. Stored as codes; an unknown code is an error, never silently a default.

use serde::Serialize;

macro_rules! coded_enum {
    ($(#[$doc:meta])* $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $code:literal, )* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )*
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stored code.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }

            /// Parses a stored or posted code.
            pub fn parse(code: &str) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

coded_enum! {
    /// What happens in a round.
    RoundKind {
        /// Judges read the documents (desk evaluation).
        Desk = "desk",
        /// Units present and are interviewed, in scheduled slots.
        Presentation = "presentation",
        /// Judges visit the innovation (field check).
        Field = "field",
    }
}

coded_enum! {
    /// Where a score sheet stands.
    SheetStatus {
        /// Being filled in; saved as the judge types.
        Draft = "draft",
        /// Submitted; the judge may still edit it until the window closes.
        Submitted = "submitted",
    }
}

coded_enum! {
    /// How an entry came into a round.
    EntrySource {
        /// It passed the administrative check (round 1).
        Screening = "screening",
        /// An organiser added it by hand.
        Manual = "manual",
        /// It was promoted from the previous round.
        Promotion = "promotion",
    }
}

coded_enum! {
    /// How a judge came to an entry.
    AssignmentSource {
        /// Automatic assignment.
        Auto = "auto",
        /// An organiser's choice, kept by later automatic runs.
        Manual = "manual",
    }
}

coded_enum! {
    /// Who recorded a conflict of interest (those that follow from the units are computed).
    ConflictSource {
        /// The judge declared it.
        Declared = "declared",
        /// An organiser set it.
        Organiser = "organiser",
    }
}

impl RoundKind {
    /// The i18n key of its name.
    pub fn label_key(self) -> String {
        format!("rounds.kind_{}", self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for k in RoundKind::ALL {
            assert_eq!(RoundKind::parse(k.code()), Some(*k));
        }
        for s in SheetStatus::ALL {
            assert_eq!(SheetStatus::parse(s.code()), Some(*s));
        }
        assert_eq!(SheetStatus::parse("Submitted"), None);
        assert_eq!(RoundKind::parse(""), None);
    }
}
