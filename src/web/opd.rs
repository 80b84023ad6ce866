//! The OPD operator's pages: the unit's entries, the entry form, evidence, submission.

pub mod entries;
