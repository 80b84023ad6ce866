//! The mail outbox: `enqueue` inside the caller's transaction, and a worker that drains it.
//!
//! A mail is claimed with a lease before sending, so several workers or app instances never send the
//! same row together, and a row whose worker died is taken again when the lease runs out. The one gap
//! left is a crash between the SMTP server's "250 OK" and the row being marked sent: the mail then goes
//! again with the same Message-ID, which mail clients use to fold duplicates.

use std::time::Duration;

use chrono::NaiveDateTime;
use tokio::sync::watch;

use crate::db::{self, DbConn, DbPool};
use crate::email::{Mailer, SendError};
use crate::error::AppError;
use crate::models::outbox::{self as rows, NewMail};

/// How long a claimed mail stays reserved for its worker.
const LEASE: Duration = Duration::from_secs(5 * 60);
/// Tries before a mail is marked failed.
pub const MAX_ATTEMPTS: i32 = 8;
/// How often an idle worker looks for due mail.
const POLL: Duration = Duration::from_secs(2);

/// Stores a rendered mail in the caller's transaction.
pub fn enqueue(conn: &mut DbConn, mail: &NewMail) -> Result<i32, AppError> {
    Ok(rows::insert(conn, mail)?)
}

/// Waiting time before try `attempt + 1`: 1, 2, 4 … minutes, at most an hour.
pub fn backoff(attempt: i32) -> chrono::Duration {
    let minutes = 1i64 << attempt.clamp(1, 7).saturating_sub(1);
    chrono::Duration::minutes(minutes.min(60))
}

/// What one step of the worker did.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing is due.
    Idle,
    /// A mail was delivered.
    Sent(i32),
    /// A mail failed and will be tried again.
    Retry(i32),
    /// A mail failed for good.
    Failed(i32),
}

/// Claims and sends the oldest due mail, if any.
pub async fn send_next(pool: &DbPool, mailer: &Mailer, from: &str) -> Result<Step, AppError> {
    let claimed = db::run(pool, |conn| {
        let now = db::now();
        let lease_until = now + chrono::Duration::from_std(LEASE).expect("small duration");
        // Another worker may win the claim; then look at the next due row.
        for _ in 0..10 {
            let Some(id) = rows::next_due(conn, now)? else {
                return Ok(None);
            };
            if let Some(mail) = rows::claim(conn, id, now, lease_until)? {
                return Ok(Some(mail));
            }
        }
        Ok(None)
    })
    .await?;
    let Some(mail) = claimed else {
        return Ok(Step::Idle);
    };
    let id = mail.id;
    let outcome = mailer.send(from, &mail).await;
    let attempts = mail.attempts;
    db::run(pool, move |conn| {
        let now = db::now();
        Ok(match outcome {
            Ok(()) => {
                rows::mark_sent(conn, id, now)?;
                Step::Sent(id)
            }
            Err(SendError::Transient(e)) if attempts < MAX_ATTEMPTS => {
                tracing::warn!(mail = id, attempts, error = %e, "mail not sent, will retry");
                rows::mark_failed(conn, id, &e, Some(retry_at(now, attempts)))?;
                Step::Retry(id)
            }
            Err(SendError::Transient(e) | SendError::Permanent(e)) => {
                tracing::error!(mail = id, attempts, error = %e, "mail failed for good");
                rows::mark_failed(conn, id, &e, None)?;
                Step::Failed(id)
            }
        })
    })
    .await
}

fn retry_at(now: NaiveDateTime, attempts: i32) -> NaiveDateTime {
    now + backoff(attempts)
}

/// Sends every mail that is due now; returns what each step did (tests call this instead of waiting).
pub async fn drain(pool: &DbPool, mailer: &Mailer, from: &str) -> Result<Vec<Step>, AppError> {
    let mut steps = Vec::new();
    loop {
        match send_next(pool, mailer, from).await? {
            Step::Idle => return Ok(steps),
            s => steps.push(s),
        }
    }
}

/// Drains the outbox until `stop` turns true, and once a minute enqueues the timed mail of
/// [`crate::scheduler`]. A mail being sent when the stop comes is finished first.
pub async fn run_worker(state: crate::state::AppState, mut stop: watch::Receiver<bool>) {
    tracing::info!("outbox worker started");
    let (pool, mailer, from) = (
        state.pool.clone(),
        state.mailer.clone(),
        state.settings.mail_from.clone(),
    );
    let mut last_prune = std::time::Instant::now() - Duration::from_secs(3600);
    let mut last_tick = std::time::Instant::now() - Duration::from_secs(60);
    while !*stop.borrow() {
        if last_tick.elapsed() >= Duration::from_secs(60) {
            last_tick = std::time::Instant::now();
            let s = state.clone();
            match db::run(&pool, move |conn| crate::scheduler::tick(conn, &s)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(mails = n, "scheduled mail enqueued"),
                Err(e) => tracing::error!(error = %e, "scheduler failed"),
            }
        }
        match send_next(&pool, &mailer, &from).await {
            Ok(Step::Idle) => {
                if last_prune.elapsed() > Duration::from_secs(3600) {
                    last_prune = std::time::Instant::now();
                    housekeeping(&pool).await;
                }
                tokio::select! {
                    _ = tokio::time::sleep(POLL) => {}
                    _ = stop.changed() => {}
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "outbox worker error");
                tokio::select! {
                    _ = tokio::time::sleep(POLL * 5) => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }
    tracing::info!("outbox worker stopped");
}

async fn housekeeping(pool: &DbPool) {
    let result = db::run(pool, |conn| {
        let cutoff = db::now() - chrono::Duration::days(1);
        Ok(crate::models::login_attempt::prune(conn, cutoff)?)
    })
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "housekeeping failed");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(super::backoff(1).num_minutes(), 1);
        assert_eq!(super::backoff(2).num_minutes(), 2);
        assert_eq!(super::backoff(4).num_minutes(), 8);
        assert_eq!(super::backoff(30).num_minutes(), 60);
    }
}
