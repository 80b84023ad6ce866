//! What the organiser's dashboard shows: where the current edition stands in its timeline, how its
//! entries stand, and the next jobs, most urgent first.

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::db::{self, DbConn};
use crate::domain::EntryStatus;
use crate::error::AppError;
use crate::models::edition::{self, Edition};
use crate::models::entry;
use crate::models::outbox as mail;
use crate::models::tally;

/// Where an edition is in its timeline.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Registration has not opened yet.
    BeforeRegistration,
    /// Units are entering innovations.
    Registration,
    /// Registration closed; the administrative check runs.
    Screening,
    /// The administrative check is over.
    AfterScreening,
}

/// A job for the organiser: an i18n key with its count, and where to do it.
#[derive(Serialize, Debug)]
pub struct Job {
    /// i18n key of the sentence (takes `{n}`).
    pub key: &'static str,
    /// How many.
    pub n: i64,
    /// Where to go.
    pub href: String,
    /// Whether it needs doing before anything else.
    pub urgent: bool,
}

/// Everything the dashboard shows.
#[derive(Serialize, Debug)]
pub struct OrganiserDashboard {
    /// The current (or latest) edition.
    pub edition: Option<Edition>,
    /// Its phase.
    pub phase: Option<Phase>,
    /// The next date of its timeline and the days left until it.
    pub next_date: Option<NaiveDateTime>,
    /// Days until `next_date`.
    pub days_left: Option<i64>,
    /// Entries by status code (drafts included).
    pub by_status: Vec<(String, i64)>,
    /// Entries waiting for the administrative check.
    pub awaiting: i64,
    /// The jobs, most urgent first.
    pub jobs: Vec<Job>,
    /// Active units.
    pub units: i64,
    /// Active users.
    pub users: i64,
    /// Invitations not yet accepted.
    pub invited: i64,
    /// Mail queued or being sent.
    pub mail_pending: i64,
    /// Mail that failed.
    pub mail_failed: i64,
}

fn phase_of(e: &Edition, now: NaiveDateTime) -> (Phase, Option<NaiveDateTime>) {
    if now < e.registration_opens_at {
        (Phase::BeforeRegistration, Some(e.registration_opens_at))
    } else if now <= e.registration_closes_at {
        (Phase::Registration, Some(e.registration_closes_at))
    } else if now <= e.screening_closes_at {
        (Phase::Screening, Some(e.screening_closes_at))
    } else {
        (Phase::AfterScreening, e.results_at.filter(|r| *r > now))
    }
}

/// Reads the dashboard in a handful of small queries.
pub fn organiser(conn: &mut DbConn) -> Result<OrganiserDashboard, AppError> {
    let now = db::now();
    // Kept by triggers with every change: reading them costs the same at any number of users.
    let counts = tally::all(conn)?;
    let count_units = tally::of(&counts, tally::UNITS_ACTIVE);
    let count_users = tally::of(&counts, tally::USERS_ACTIVE);
    let invited = tally::of(&counts, tally::USERS_INVITED);
    let mails = mail::open_counts(conn)?;
    let mail_count = |s: &str| mails.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
    let ed = edition::current(conn, now)?;
    let by_status = match &ed {
        Some(e) => entry::status_counts(conn, e.id)?,
        None => Vec::new(),
    };
    let status_count = |st: EntryStatus| {
        by_status
            .iter()
            .find(|(k, _)| k == st.code())
            .map_or(0, |(_, n)| *n)
    };
    let awaiting = status_count(EntryStatus::Submitted) + status_count(EntryStatus::Resubmitted);
    let (phase, next_date) = match &ed {
        Some(e) => {
            let (p, d) = phase_of(e, now);
            (Some(p), d)
        }
        None => (None, None),
    };
    let mut jobs = Vec::new();
    let mut job = |key, n: i64, href: String, urgent| {
        if n > 0 {
            jobs.push(Job {
                key,
                n,
                href,
                urgent,
            });
        }
    };
    match &ed {
        None => job(
            "dashboard.job_new_edition",
            1,
            "/organiser/editions/new".into(),
            true,
        ),
        Some(e) => {
            let entries = format!("/organiser/entries?edition={}", e.id);
            job(
                "dashboard.job_screen",
                awaiting,
                format!("{entries}&status=awaiting&sort=waiting"),
                true,
            );
            job(
                "dashboard.job_returned",
                status_count(EntryStatus::Returned),
                format!("{entries}&status=returned"),
                false,
            );
        }
    }
    job(
        "dashboard.job_mail_failed",
        mail_count(mail::FAILED),
        "/organiser/outbox?status=failed".into(),
        true,
    );
    job(
        "dashboard.job_invited",
        invited,
        "/organiser/users?status=invited".into(),
        false,
    );
    jobs.sort_by_key(|j| !j.urgent);
    Ok(OrganiserDashboard {
        days_left: next_date.map(|d| (d - now).num_days()),
        edition: ed,
        phase,
        next_date,
        by_status,
        awaiting,
        jobs,
        units: count_units,
        users: count_users,
        invited,
        mail_pending: mail_count(mail::PENDING) + mail_count(mail::SENDING),
        mail_failed: mail_count(mail::FAILED),
    })
}
