//! The `outbox` table: every email, written in the transaction of the change that causes it.
//!
//! Each write goes through `db::write`: called outside a transaction (the request gate, the mail
//! worker, housekeeping), it takes this process's turn at SQLite's single writer.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::outbox;
use crate::db::{DbConn, PageDsl};

/// Waiting to be sent (first try or a retry after a failure).
pub const PENDING: &str = "pending";
/// Claimed by a worker; if the worker dies the lease runs out and another worker takes it.
pub const SENDING: &str = "sending";
/// Accepted by the SMTP server (or written to a file).
pub const SENT: &str = "sent";
/// Gave up: a permanent SMTP error or too many tries. An organiser can retry.
pub const FAILED: &str = "failed";
/// Not sent because the decision it reported changed before it went out (see [`withdraw`]).
pub const WITHDRAWN: &str = "withdrawn";

/// An outbox row, in column order.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = outbox)]
pub struct OutboxMail {
    /// Primary key.
    pub id: i32,
    /// Recipient address.
    pub to_email: String,
    /// Recipient name.
    pub to_name: String,
    /// Which email template, e.g. `invitation`.
    pub template: String,
    /// Language it was rendered in.
    pub lang: String,
    /// Rendered subject.
    pub subject: String,
    /// Rendered plain text.
    pub body_text: String,
    /// Rendered HTML.
    pub body_html: String,
    /// The Message-ID, fixed at enqueue time so a resend after a crash is recognisably the same mail.
    pub message_id: String,
    /// One of the status constants.
    pub status: String,
    /// Tries so far.
    pub attempts: i32,
    /// Not before this time.
    pub next_attempt_at: NaiveDateTime,
    /// While `sending`, the worker's lease.
    pub locked_until: Option<NaiveDateTime>,
    /// The last SMTP error.
    pub last_error: Option<String>,
    /// When it was enqueued.
    pub created_at: NaiveDateTime,
    /// When it was delivered.
    pub sent_at: Option<NaiveDateTime>,
    /// The decision it reports (empty for mail that no decision can overtake).
    pub topic: String,
}

/// A rendered email to enqueue.
#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = outbox)]
pub struct NewMail {
    /// Recipient address.
    pub to_email: String,
    /// Recipient name.
    pub to_name: String,
    /// Template name.
    pub template: String,
    /// Language code.
    pub lang: String,
    /// Subject.
    pub subject: String,
    /// Text body.
    pub body_text: String,
    /// HTML body.
    pub body_html: String,
    /// Message-ID.
    pub message_id: String,
    /// Always [`PENDING`].
    pub status: String,
    /// Enqueue time.
    pub next_attempt_at: NaiveDateTime,
    /// Enqueue time.
    pub created_at: NaiveDateTime,
    /// The decision it reports, so it can be withdrawn if that decision changes first.
    pub topic: String,
}

impl NewMail {
    /// The same mail, tied to the decision `topic` it reports.
    pub fn about(mut self, topic: String) -> NewMail {
        self.topic = topic;
        self
    }

    /// The same mail, going out no sooner than `at` (the end of a lease on a mail it follows).
    pub fn not_before(mut self, at: NaiveDateTime) -> NewMail {
        self.next_attempt_at = self.next_attempt_at.max(at);
        self
    }
}

/// Inserts a mail and returns its id.
pub fn insert(conn: &mut DbConn, new: &NewMail) -> QueryResult<i32> {
    diesel::insert_into(outbox::table)
        .values(new)
        .returning(outbox::id)
        .get_result(conn)
}

/// The oldest mail due now: pending and due, or sending with an expired lease (its worker died).
/// Two index seeks rather than one `OR`, which the planners answer by walking every sent mail.
pub fn next_due(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Option<i32>> {
    let pending: Option<i32> = outbox::table
        .filter(outbox::status.eq(PENDING))
        .filter(outbox::next_attempt_at.le(now))
        .order(outbox::id.asc())
        .select(outbox::id)
        .first(conn)
        .optional()?;
    let abandoned: Option<i32> = outbox::table
        .filter(outbox::status.eq(SENDING))
        .filter(outbox::locked_until.lt(now))
        .order(outbox::id.asc())
        .select(outbox::id)
        .first(conn)
        .optional()?;
    Ok(match (pending, abandoned) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}

type DueFilter = diesel::dsl::Or<
    diesel::dsl::And<
        diesel::dsl::Eq<outbox::status, &'static str>,
        diesel::dsl::LtEq<outbox::next_attempt_at, NaiveDateTime>,
    >,
    diesel::dsl::And<
        diesel::dsl::Eq<outbox::status, &'static str>,
        diesel::dsl::Lt<diesel::dsl::Nullable<outbox::locked_until>, NaiveDateTime>,
    >,
>;

fn due(now: NaiveDateTime) -> DueFilter {
    outbox::status
        .eq(PENDING)
        .and(outbox::next_attempt_at.le(now))
        .or(outbox::status
            .eq(SENDING)
            .and(outbox::locked_until.nullable().lt(now)))
}

/// Claims a due mail for one worker until `lease_until`. Only one of several racing workers (or
/// instances) changes the row, so only that one sends it.
pub fn claim(
    conn: &mut DbConn,
    id: i32,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> QueryResult<Option<OutboxMail>> {
    crate::db::write(conn, |conn| {
        let n = diesel::update(outbox::table.filter(outbox::id.eq(id)).filter(due(now)))
            .set((
                outbox::status.eq(SENDING),
                outbox::locked_until.eq(Some(lease_until)),
                outbox::attempts.eq(outbox::attempts + 1),
            ))
            .execute(conn)?;
        if n == 0 {
            return Ok(None);
        }
        find(conn, id)
    })
}

/// Finds a mail.
pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<OutboxMail>> {
    outbox::table
        .find(id)
        .select(OutboxMail::as_select())
        .get_result(conn)
        .optional()
}

/// What a worker's claim on a mail set: the attempt count and the lease. Its outcome is recorded
/// only while both are still the row's. The count alone is not enough: an organiser's retry puts
/// it back to 0, so a worker whose lease lapsed long ago could hold the same count as the claim
/// made after the retry; the lease's end is new at every claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claim {
    /// `attempts` as the claim set it.
    pub attempt: i32,
    /// `locked_until` as the claim set it.
    pub lease: Option<NaiveDateTime>,
}

impl OutboxMail {
    /// The claim this row, just claimed, records.
    pub fn claim(&self) -> Claim {
        Claim {
            attempt: self.attempts,
            lease: self.locked_until,
        }
    }
}

/// Marks a claimed mail delivered, if this worker's claim still stands: a worker whose lease ran
/// out and whose mail another worker took again records nothing. A mail withdrawn while it was on
/// its way is recorded as sent too, because it went.
pub fn mark_sent(
    conn: &mut DbConn,
    id: i32,
    claim: Claim,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    crate::db::write(conn, |conn| {
        diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::attempts.eq(claim.attempt))
                .filter(
                    outbox::status
                        .eq(SENDING)
                        .and(outbox::locked_until.eq(claim.lease))
                        .or(outbox::status.eq(WITHDRAWN)),
                ),
        )
        .set((
            outbox::status.eq(SENT),
            outbox::sent_at.eq(Some(now)),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
    })
}

/// Puts a claimed mail back for a later try, or gives up on it (`retry_at` none), if this worker's
/// claim still stands and the mail was not withdrawn meanwhile: a withdrawn mail stays
/// withdrawn, so a failed try never brings back a mail whose decision changed. A withdrawn one
/// loses the lease it kept, which said it might have gone out: now it is known that it did not.
pub fn mark_failed(
    conn: &mut DbConn,
    id: i32,
    claim: Claim,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    crate::db::write(conn, |conn| {
        let (status, next) = match retry_at {
            Some(at) => (PENDING, at),
            None => (FAILED, crate::db::now()),
        };
        let mine = outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::attempts.eq(claim.attempt))
            .filter(outbox::locked_until.eq(claim.lease));
        let n = diesel::update(mine.filter(outbox::status.eq(SENDING)))
            .set((
                outbox::status.eq(status),
                outbox::next_attempt_at.eq(next),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(Some(error)),
            ))
            .execute(conn)?;
        if n == 0 {
            diesel::update(mine.filter(outbox::status.eq(WITHDRAWN)))
                .set((
                    outbox::locked_until.eq(None::<NaiveDateTime>),
                    outbox::last_error.eq(Some(error)),
                ))
                .execute(conn)?;
        }
        Ok(n)
    })
}

/// Sends a failed mail again from the start (an organiser's retry); false if it was not failed.
pub fn requeue(conn: &mut DbConn, id: i32) -> QueryResult<bool> {
    crate::db::write(conn, |conn| {
        let n = diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::status.eq(FAILED)),
        )
        .set((
            outbox::status.eq(PENDING),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
        Ok(n == 1)
    })
}

/// Mail about a topic starting with `prefix` (a decision and everything under it).
fn about(prefix: &str) -> diesel::dsl::Escape<diesel::dsl::Like<outbox::topic, String>> {
    use diesel::EscapeExpressionMethods as _;
    outbox::topic
        .like(format!("{}%", crate::db::escape_like(prefix)))
        .escape('\\')
}

/// Withdraws every mail about a topic starting with `prefix` that has not gone out; returns how
/// many. A mail a worker holds is withdrawn too: if its try fails it is not tried again (see
/// [`mark_failed`]); if the server had already taken it, it is recorded as sent. It keeps its
/// lease, which says it may have gone out all the same (see [`gone`]).
pub fn withdraw(conn: &mut DbConn, prefix: &str) -> QueryResult<usize> {
    withdraw_in(conn, prefix, &[PENDING, FAILED, SENDING])
}

/// Withdraws the mail about a topic starting with `prefix` that no worker holds (waiting or
/// failed); returns how many.
pub fn withdraw_queued(conn: &mut DbConn, prefix: &str) -> QueryResult<usize> {
    withdraw_in(conn, prefix, &[PENDING, FAILED])
}

fn withdraw_in(conn: &mut DbConn, prefix: &str, statuses: &[&str]) -> QueryResult<usize> {
    crate::db::write(conn, |conn| {
        diesel::update(
            outbox::table
                .filter(about(prefix))
                .filter(outbox::status.eq_any(statuses)),
        )
        .set(outbox::status.eq(WITHDRAWN))
        .execute(conn)
    })
}

/// Whether a worker holds a mail about a topic starting with `prefix` (it may be on its way to
/// the server now).
pub fn sending(conn: &mut DbConn, prefix: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        outbox::table
            .filter(about(prefix))
            .filter(outbox::status.eq(SENDING)),
    ))
    .get_result(conn)
}

/// A mail about a decision that went out, or may have.
#[derive(Debug, Clone)]
pub struct Gone {
    /// The row.
    pub id: i32,
    /// Its reader.
    pub to_email: String,
    /// Its topic.
    pub topic: String,
    /// Withdrawn while a worker held it: whether it reached the server is not known yet.
    pub held: bool,
}

/// The mail about a topic starting with `prefix` that went out or may have: sent, held by a
/// worker (it may be with the server now), or withdrawn while one held it (its kept lease says
/// so; a failed try of it drops the lease, see [`mark_failed`]).
pub fn gone(conn: &mut DbConn, prefix: &str) -> QueryResult<Vec<Gone>> {
    let rows: Vec<(i32, String, String, String, Option<NaiveDateTime>)> = outbox::table
        .filter(about(prefix))
        .filter(outbox::status.eq_any([SENT, SENDING, WITHDRAWN]))
        .select((
            outbox::id,
            outbox::to_email,
            outbox::topic,
            outbox::status,
            outbox::locked_until,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, _, status, lease)| status != WITHDRAWN || lease.is_some())
        .map(|(id, to_email, topic, status, _)| Gone {
            id,
            to_email,
            topic,
            held: status == WITHDRAWN,
        })
        .collect())
}

/// Locks the mails about a topic starting with `prefix` that were withdrawn while a worker held
/// them, so that worker's outcome (sent, or a failed try dropping the lease) is either already
/// committed and seen by what the caller reads next, or waits for the caller's commit. SQLite's
/// writers already take turns; on PostgreSQL this is what makes the read and a later
/// [`revive_held`] see the same rows.
pub fn lock_held(conn: &mut DbConn, prefix: &str) -> QueryResult<usize> {
    crate::db::write(conn, |conn| {
        diesel::update(
            outbox::table
                .filter(about(prefix))
                .filter(outbox::status.eq(WITHDRAWN))
                .filter(outbox::locked_until.is_not_null()),
        )
        .set(outbox::locked_until.eq(outbox::locked_until))
        .execute(conn)
    })
}

/// Puts mails withdrawn while a worker held them back to `sending`, their lease and try
/// unchanged: the decision they carry holds again, so the worker's outcome counts as for any
/// held mail (a failed try is retried, a lapsed lease lets another worker send it).
pub fn revive_held(conn: &mut DbConn, ids: &[i32]) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    crate::db::write(conn, |conn| {
        diesel::update(
            outbox::table
                .filter(outbox::id.eq_any(ids))
                .filter(outbox::status.eq(WITHDRAWN))
                .filter(outbox::locked_until.is_not_null()),
        )
        .set(outbox::status.eq(SENDING))
        .execute(conn)
    })
}

/// The readers whose newest mail about a topic starting with `prefix` is known never to have
/// left: withdrawn before any worker held it (or after a failed try), or given up.
pub fn never_left(
    conn: &mut DbConn,
    prefix: &str,
) -> QueryResult<std::collections::BTreeSet<String>> {
    let rows: Vec<(i32, String, String, Option<NaiveDateTime>)> = outbox::table
        .filter(about(prefix))
        .order(outbox::id.asc())
        .select((
            outbox::id,
            outbox::to_email,
            outbox::status,
            outbox::locked_until,
        ))
        .load(conn)?;
    let mut newest = std::collections::BTreeMap::new();
    for (_, to, status, lease) in rows {
        newest.insert(to, (status, lease));
    }
    Ok(newest
        .into_iter()
        .filter(|(_, (status, lease))| (status == WITHDRAWN && lease.is_none()) || status == FAILED)
        .map(|(to, _)| to)
        .collect())
}

/// The end of the latest lease on a mail about a topic starting with `prefix` that a worker may
/// still be handing to the server (held, or withdrawn while held), if it lies ahead of `now`.
pub fn held_until(
    conn: &mut DbConn,
    prefix: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    outbox::table
        .filter(about(prefix))
        .filter(outbox::status.eq_any([SENDING, WITHDRAWN]))
        .filter(outbox::locked_until.gt(now))
        .select(diesel::dsl::max(outbox::locked_until))
        .get_result(conn)
}

/// When mail following the mail about any of `prefixes` may go: at the end of the latest lease
/// a worker may still hold on one ([`held_until`]), or `now`.
pub fn clear_after(
    conn: &mut DbConn,
    prefixes: &[&str],
    now: NaiveDateTime,
) -> QueryResult<NaiveDateTime> {
    let mut at = now;
    for prefix in prefixes {
        at = at.max(held_until(conn, prefix, now)?.unwrap_or(now));
    }
    Ok(at)
}

/// Puts every failed mail back in the queue from the start; returns how many.
///
/// On PostgreSQL rows another transaction holds are skipped rather than waited for: withdrawing
/// a decision's mail locks its rows in no set order, and waiting here while holding others could
/// deadlock with it. A row skipped that way is being withdrawn (or requeued by another organiser)
/// at that moment.
pub fn requeue_all_failed(conn: &mut DbConn) -> QueryResult<usize> {
    if let DbConn::Postgresql(_) = conn {
        use diesel::sql_types::{Text, Timestamp};
        return diesel::sql_query(
            "UPDATE outbox SET status = $1, attempts = 0, next_attempt_at = $2 \
             WHERE id IN (SELECT id FROM outbox WHERE status = $3 FOR UPDATE SKIP LOCKED)",
        )
        .bind::<Text, _>(PENDING)
        .bind::<Timestamp, _>(crate::db::now())
        .bind::<Text, _>(FAILED)
        .execute(conn);
    }
    crate::db::write(conn, |conn| {
        diesel::update(outbox::table.filter(outbox::status.eq(FAILED)))
            .set((
                outbox::status.eq(PENDING),
                outbox::attempts.eq(0),
                outbox::next_attempt_at.eq(crate::db::now()),
            ))
            .execute(conn)
    })
}

/// A page of mail, newest first, optionally of one status; and whether more follow.
pub fn list(
    conn: &mut DbConn,
    status: Option<&str>,
    to: Option<&str>,
    page: i64,
    per_page: i64,
) -> QueryResult<(Vec<OutboxMail>, bool)> {
    let build = || {
        let mut q = outbox::table.into_boxed();
        if let Some(s) = status {
            q = q.filter(outbox::status.eq(s.to_string()));
        }
        if let Some(t) = to {
            q = q.filter(
                outbox::to_email
                    .like(crate::db::contains_pattern(&t.to_lowercase()))
                    .escape('\\'),
            );
        }
        q
    };
    let mut rows = build()
        .order(outbox::id.desc())
        .select(OutboxMail::as_select())
        .paged(per_page + 1, crate::db::page_offset(page, per_page))
        .load(conn)?;
    let more = rows.len() as i64 > per_page;
    rows.truncate(per_page as usize);
    Ok((rows, more))
}

/// How many mails wait, are being sent, or failed. Sent mail is not counted: it only grows, and
/// counting it on every page view would cost more than it tells.
pub fn open_counts(conn: &mut DbConn) -> QueryResult<Vec<(String, i64)>> {
    [PENDING, SENDING, FAILED]
        .into_iter()
        .map(|s| {
            outbox::table
                .filter(outbox::status.eq(s))
                .count()
                .get_result(conn)
                .map(|n| (s.to_string(), n))
        })
        .collect()
}
