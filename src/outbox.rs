//! The mail outbox: `enqueue` inside the caller's transaction, and a worker that drains it.
//!
//! A mail is claimed with a lease before sending, so several workers or app instances never send the
//! same row together, and a row whose worker died is taken again when the lease runs out. The one gap
//! left is a crash between the SMTP server's "250 OK" and the row being marked sent: the mail then goes
//! again with the same Message-ID, which mail clients use to fold duplicates.

use std::time::Duration;

use chrono::NaiveDateTime;

use crate::db::{self, DbConn, DbPool};
use crate::email::{Mailer, SendError};
use crate::error::AppError;
use crate::models::outbox::{self as rows, NewMail};

/// How long a claimed mail stays reserved for its worker.
const LEASE: Duration = Duration::from_secs(5 * 60);
/// Tries before a mail is marked failed: with [`backoff`] about three days of retrying, so a long
/// SMTP outage (a weekend) loses nothing.
pub const MAX_ATTEMPTS: i32 = 150;
/// The longest wait between two tries.
const MAX_BACKOFF_MINUTES: i64 = 30;
/// Mails sent at once by one worker unless `BIW_MAIL_LANES` says otherwise, each over its own SMTP
/// connection. On PostgreSQL two hide the SMTP round trips. On SQLite one: a second lane only waits
/// for the single writer, and that wait lengthens the moment between the server's "250 OK" and the
/// commit in which a crash sends a mail twice (see `BENCHMARKS.md`).
pub fn default_lanes(database_url: &str) -> usize {
    if db::is_postgres_url(database_url) {
        2
    } else {
        1
    }
}

/// Stores a rendered mail in the caller's transaction.
pub fn enqueue(conn: &mut DbConn, mail: &NewMail) -> Result<i32, AppError> {
    Ok(rows::insert(conn, mail)?)
}

/// Queues `mail` in place of its topic's mail not sent yet (a second click, or the organisers
/// reminding just after the scheduler did), in the caller's transaction; returns whether it was
/// queued. Not while a worker holds one: that one may be with the server already, where no
/// withdrawal reaches it, and the two would both arrive. Withdrawn first, then looked for, so a
/// worker's claim landing in between is seen.
pub fn replace(conn: &mut DbConn, mail: &NewMail) -> Result<bool, AppError> {
    rows::withdraw_queued(conn, &mail.topic)?;
    if rows::sending(conn, &mail.topic)? {
        return Ok(false);
    }
    enqueue(conn, mail)?;
    Ok(true)
}

/// What taking back a changed decision's mail found.
#[derive(Debug)]
pub struct TakenBack {
    /// Mails withdrawn.
    pub withdrawn: usize,
    /// Each address that may have read a mail about the decision (it went out, or was on its way)
    /// and has had no correction since, with the topic of the newest such mail.
    pub readers: Vec<(String, String)>,
    /// A correction goes out no sooner: until then a worker may still be handing the old mail to
    /// the server, and the correction must not arrive before what it corrects.
    pub not_before: NaiveDateTime,
}

/// Takes back the mail about topics starting with any of `topics` whose decision changed (the
/// decision's own mail and any mail that followed from it), in the caller's transaction, and says
/// who must be told it no longer holds (each reader once: not those whose newest such mail is
/// older than a correction about `corrected` that may have gone to them). Everything is withdrawn
/// first, then looked at: a mail withdrawn while a worker held it keeps that worker's lease, so
/// what may have gone is still seen, and no claim can come in between (a withdrawn mail is never
/// due).
pub fn take_back(
    conn: &mut DbConn,
    topics: &[&str],
    corrected: &str,
) -> Result<TakenBack, AppError> {
    use std::collections::BTreeMap;
    let mut withdrawn = 0;
    let mut told = Vec::new();
    for topic in topics {
        withdrawn += rows::withdraw(conn, topic)?;
    }
    for topic in topics {
        told.extend(rows::gone(conn, topic)?);
    }
    // Each reader's newest correction that may have gone, and whether a worker held it when it
    // was withdrawn (the decision it corrected had come back). Those held are locked first, so a
    // worker finishing one now cannot change it between this read and its revival below.
    rows::lock_held(conn, corrected)?;
    let mut fixed: BTreeMap<String, (i32, bool)> = BTreeMap::new();
    for c in rows::gone(conn, corrected)? {
        let at = fixed.entry(c.to_email).or_default();
        if c.id > at.0 {
            *at = (c.id, c.held);
        }
    }
    let now = db::now();
    let not_before = rows::clear_after(conn, topics, now)?;
    let mut newest: BTreeMap<String, (i32, String)> = BTreeMap::new();
    for g in told {
        let at = newest.entry(g.to_email).or_insert((g.id, g.topic.clone()));
        if g.id > at.0 {
            *at = (g.id, g.topic);
        }
    }
    let mut readers = Vec::new();
    let mut revive = Vec::new();
    for (to, (id, topic)) in newest {
        match fixed.get(&to) {
            // Already told since their newest mail. A correction withdrawn while a worker held it
            // tells them only if that try succeeds, so it is held again for this decision: a
            // failed try is then retried instead of leaving the reader untold.
            Some(&(c, held)) if c > id => {
                if held {
                    revive.push(c);
                }
            }
            _ => readers.push((to, topic)),
        }
    }
    rows::revive_held(conn, &revive)?;
    Ok(TakenBack {
        withdrawn,
        readers,
        not_before,
    })
}

/// Waiting time before try `attempt + 1`: 1, 2, 4 … minutes, at most half an hour.
pub fn backoff(attempt: i32) -> chrono::Duration {
    let minutes = 1i64 << attempt.clamp(1, 7).saturating_sub(1);
    chrono::Duration::minutes(minutes.min(MAX_BACKOFF_MINUTES))
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
    let (id, attempts, claim) = (mail.id, mail.attempts, mail.claim());
    // A panic while building or sending one mail must not stop the worker or leave the row claimed:
    // it becomes that mail's failure, and the next mail goes on.
    let outcome = {
        use futures_util::FutureExt;
        match std::panic::AssertUnwindSafe(mailer.send(from, &mail))
            .catch_unwind()
            .await
        {
            Ok(outcome) => outcome,
            Err(panic) => {
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(mail = id, panic = %why, "sending a mail panicked");
                Err(SendError::Permanent(format!(
                    "internal error while sending: {why}"
                )))
            }
        }
    };
    let record = |conn: &mut DbConn| -> Result<Step, AppError> {
        let now = db::now();
        let (step, n) = match &outcome {
            Ok(()) => (Step::Sent(id), rows::mark_sent(conn, id, claim, now)?),
            Err(SendError::Transient(e)) if attempts < MAX_ATTEMPTS => {
                tracing::warn!(mail = id, attempts, error = %e, "mail not sent, will retry");
                let at = Some(retry_at(now, attempts));
                (Step::Retry(id), rows::mark_failed(conn, id, claim, e, at)?)
            }
            Err(SendError::Transient(e) | SendError::Permanent(e)) => {
                tracing::error!(mail = id, attempts, error = %e, "mail failed for good");
                (
                    Step::Failed(id),
                    rows::mark_failed(conn, id, claim, e, None)?,
                )
            }
        };
        if n == 0 {
            // Withdrawn while this try failed, or the lease ran out and another worker holds it
            // (perhaps after an organiser's retry).
            tracing::info!(
                mail = id,
                attempts,
                "mail's outcome not recorded: no longer ours"
            );
        }
        Ok(step)
    };
    // Between the server's "250 OK" and this commit, a crash would send the mail twice. On a
    // multi-threaded runtime the commit runs right here, without the hop to the blocking pool.
    // A commit that fails (the database briefly gone, or busy past its timeout) is tried again: a
    // mail left "sending" would go a second time when its lease ends.
    let attempt = || {
        let result = pool
            .get()
            .map_err(AppError::from)
            .and_then(|mut conn| record(&mut conn));
        if let Err(e) = &result {
            db::note_error(e);
        }
        result
    };
    let mut tries = 0;
    loop {
        let result = if tokio::runtime::Handle::current().runtime_flavor()
            == tokio::runtime::RuntimeFlavor::MultiThread
        {
            tokio::task::block_in_place(attempt)
        } else {
            attempt()
        };
        match result {
            Err(e) if tries < RECORD_TRIES => {
                tries += 1;
                tracing::warn!(mail = id, error = %e, "recording a mail's outcome failed, trying again");
                tokio::time::sleep(Duration::from_millis(200 << tries)).await;
            }
            result => return result,
        }
    }
}

/// Further tries at recording a sent mail's outcome (over about 12 s) before the lease is left
/// to send it again.
const RECORD_TRIES: u32 = 5;

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

/// [`drain`] over `lanes` concurrent senders, as the background worker sends.
pub async fn drain_parallel(
    pool: &DbPool,
    mailer: &Mailer,
    from: &str,
    lanes: usize,
) -> Result<Vec<Step>, AppError> {
    let tasks: Vec<_> = (0..lanes.max(1))
        .map(|_| {
            let (pool, mailer, from) = (pool.clone(), mailer.clone(), from.to_string());
            tokio::spawn(async move { drain(&pool, &mailer, &from).await })
        })
        .collect();
    let mut steps = Vec::new();
    for t in tasks {
        steps.extend(
            t.await
                .map_err(|e| AppError::Internal(format!("outbox lane failed: {e}")))??,
        );
    }
    Ok(steps)
}

/// The text of a mail as an organiser may see it: every secret link token (a run of 32 or more
/// URL-safe characters, as [`crate::auth::token::new_token`] makes) replaced by `placeholder`. An
/// invitation or reset link shown in full would let any organiser take over that account.
pub fn redact_secrets(text: &str, placeholder: &str) -> String {
    const MIN_SECRET: usize = 32;
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= MIN_SECRET {
            out.push_str(placeholder);
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if is_token_char(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// An organiser sends a failed mail again from the start; false if it was not failed.
pub fn retry(conn: &mut DbConn, actor: &crate::audit::Actor, id: i32) -> Result<bool, AppError> {
    db::transaction(conn, |conn| {
        rows::find(conn, id)?.ok_or(AppError::NotFound)?;
        let ok = rows::requeue(conn, id)?;
        if ok {
            crate::audit::record(
                conn,
                actor,
                "mail.retry",
                ("mail", Some(id)),
                serde_json::json!({"before": {"status": "failed"}, "after": {"status": "pending"}}),
            )?;
        }
        Ok(ok)
    })
}

/// An organiser sends every failed mail again (after an outage); returns how many.
pub fn retry_all_failed(conn: &mut DbConn, actor: &crate::audit::Actor) -> Result<usize, AppError> {
    db::transaction(conn, |conn| {
        let n = rows::requeue_all_failed(conn)?;
        if n > 0 {
            crate::audit::record(
                conn,
                actor,
                "mail.retry_all",
                ("mail", None),
                serde_json::json!({"after": {"requeued": n}}),
            )?;
        }
        Ok(n)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(super::backoff(1).num_minutes(), 1);
        assert_eq!(super::backoff(2).num_minutes(), 2);
        assert_eq!(super::backoff(4).num_minutes(), 8);
        assert_eq!(super::backoff(30).num_minutes(), 30);
    }

    #[test]
    fn secrets_in_links_are_hidden_and_the_rest_kept() {
        let token = crate::auth::token::new_token();
        let text =
            format!("Buka https://biw.id/invite/{token} sebelum 7 hari.\nSalam, panitia-biw_2026");
        let shown = super::redact_secrets(&text, "[rahasia]");
        assert_eq!(
            shown,
            "Buka https://biw.id/invite/[rahasia] sebelum 7 hari.\nSalam, panitia-biw_2026"
        );
        assert!(!shown.contains(&token));
    }
}
