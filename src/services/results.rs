//! Results: a round's ranking computed from its submitted sheets (read once, then
//! [`crate::domain::results`]), and the organiser's choices of how it is computed. One file per use
//! case.

use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::{self, DbConn};
use crate::error::{AppError, FieldErrors};
use crate::models::round::{self, ResultSettings, Round};

mod announce;
mod awards;
mod feedback;
mod moderation;
mod objections;
mod promotion;
mod public;
mod publication;
mod round_results;
mod settings;
mod snapshot;

use announce::{announce, take_back_announcement, withdraw_announcement};
pub use announce::{
    objections_topic, results_topic, unit_objections_topic, unit_results_topic, withdrawn_topic,
};
pub use awards::*;
pub use feedback::*;
pub use moderation::*;
pub use objections::*;
pub use promotion::*;
pub use public::*;
pub use publication::*;
pub use round_results::*;
pub use settings::*;
pub use snapshot::*;
