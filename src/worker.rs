//! The background worker of each instance: drains the outbox over its lanes, and once a minute
//! enqueues the timed mail of [`crate::scheduler`] and tidies old rows. It sits above both, so the
//! outbox knows nothing of the scheduler that feeds it.

use std::time::Duration;

use tokio::sync::watch;

use crate::db::{self, DbPool};
use crate::outbox::{Step, send_next};

/// How often an idle lane looks for due mail.
const POLL: Duration = Duration::from_secs(2);

/// Drains the outbox until `stop` turns true, `mail_lanes` mails at a time, and once a minute enqueues
/// the timed mail of [`crate::scheduler`]. Mails being sent when the stop comes are finished first.
pub async fn run(state: crate::state::AppState, stop: watch::Receiver<bool>) {
    let n = state.settings.mail_lanes.max(1);
    tracing::info!(lanes = n, "outbox worker started");
    let lanes: Vec<_> = (0..n)
        .map(|lane| tokio::spawn(run_lane(state.clone(), stop.clone(), lane == 0)))
        .collect();
    for lane in lanes {
        if let Err(e) = lane.await {
            tracing::error!(error = %e, "outbox lane ended abnormally");
        }
    }
    tracing::info!("outbox worker stopped");
}

/// One sender; the first lane also runs the scheduler and the housekeeping.
async fn run_lane(state: crate::state::AppState, mut stop: watch::Receiver<bool>, first: bool) {
    let (pool, mailer, from) = (
        state.pool.clone(),
        state.mailer.clone(),
        state.settings.mail_from.clone(),
    );
    let mut last_prune = std::time::Instant::now() - Duration::from_secs(3600);
    let mut last_tick = std::time::Instant::now() - Duration::from_secs(60);
    while !*stop.borrow() {
        if first && last_tick.elapsed() >= Duration::from_secs(60) {
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
                if first && last_prune.elapsed() > Duration::from_secs(3600) {
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
}

async fn housekeeping(pool: &DbPool) {
    let result = db::run(pool, |conn| {
        let cutoff = db::now() - chrono::Duration::days(1);
        crate::models::login_attempt::prune(conn, cutoff)?;
        db::optimize(conn)?;
        // Ended sessions stay a month, for the record of where an account was used.
        Ok(crate::models::session::prune(
            conn,
            db::now() - chrono::Duration::days(30),
        )?)
    })
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "housekeeping failed");
    }
}
