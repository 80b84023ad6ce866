//! The outbox: retries with backoff, failure after the last try, organiser retry, crash recovery,
//! and no double sending when several workers drain at once.

use biw::domain::Role;
use biw::outbox::{MAX_ATTEMPTS, Step};
use diesel::prelude::*;

use crate::helpers::{TestApp, assert_redirect, spawn_app, spawn_app_with};

/// A port with nothing listening on it: an SMTP server that is down.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

async fn invite(app: &TestApp, email: &str) {
    let res = app
        .post_form(
            "/organiser/users/new",
            &[("email", email), ("name", "Someone"), ("role", "judge")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
}

async fn make_due(app: &TestApp) {
    app.db(|conn| {
        use biw::db::schema::outbox;
        diesel::update(outbox::table)
            .set(outbox::next_attempt_at.eq(biw::db::now() - chrono::Duration::seconds(1)))
            .execute(conn)
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn smtp_down_means_retry_later_then_failed_then_organiser_retry() {
    let port = closed_port();
    let app = spawn_app_with(|s| s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    app.login_as(Role::Organiser).await;
    invite(&app, "juri@brin.go.id").await;
    let steps = app.drain_outbox().await;
    assert!(matches!(steps.as_slice(), [Step::Retry(_)]), "{steps:?}");
    let mail = app.mails_to("juri@brin.go.id").await.remove(0);
    assert_eq!(mail.status, "pending");
    assert_eq!(mail.attempts, 1);
    assert!(mail.last_error.is_some());
    assert!(
        mail.next_attempt_at > biw::db::now(),
        "backs off before the next try"
    );
    assert!(app.drain_outbox().await.is_empty(), "not due yet");
    for _ in 1..MAX_ATTEMPTS {
        make_due(&app).await;
        app.drain_outbox().await;
    }
    let mail = app.mails_to("juri@brin.go.id").await.remove(0);
    assert_eq!(mail.status, "failed");
    assert_eq!(mail.attempts, MAX_ATTEMPTS);
    let list = app.page("/organiser/outbox?status=failed").await;
    assert!(list.contains("juri@brin.go.id"));
    assert!(
        app.page("/organiser")
            .await
            .contains("email gagal terkirim")
    );
    let res = app
        .post_form(&format!("/organiser/outbox/{}/retry", mail.id), &[])
        .await;
    assert_redirect(&res, &format!("/organiser/outbox/{}", mail.id));
    let mail = app.mails_to("juri@brin.go.id").await.remove(0);
    assert_eq!((mail.status.as_str(), mail.attempts), ("pending", 0));
    assert_eq!(app.audit_count("mail.retry").await, 1);
    // Retrying a mail that is not failed changes nothing.
    app.post_form(&format!("/organiser/outbox/{}/retry", mail.id), &[])
        .await;
    assert_eq!(app.audit_count("mail.retry").await, 1);
}

#[tokio::test]
async fn a_mail_left_sending_by_a_dead_worker_is_sent_after_its_lease() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    invite(&app, "a@x.biw.id").await;
    // A worker claimed it and died: the lease is still running, so nobody else sends it.
    app.db(|conn| {
        use biw::db::schema::outbox;
        diesel::update(outbox::table)
            .set((
                outbox::status.eq("sending"),
                outbox::locked_until.eq(Some(biw::db::now() + chrono::Duration::minutes(4))),
            ))
            .execute(conn)
            .unwrap();
    })
    .await;
    assert!(app.drain_outbox().await.is_empty());
    app.db(|conn| {
        use biw::db::schema::outbox;
        diesel::update(outbox::table)
            .set(outbox::locked_until.eq(Some(biw::db::now() - chrono::Duration::seconds(1))))
            .execute(conn)
            .unwrap();
    })
    .await;
    let steps = app.drain_outbox().await;
    assert!(matches!(steps.as_slice(), [Step::Sent(_)]), "{steps:?}");
    assert_eq!(app.mails_to("a@x.biw.id").await[0].status, "sent");
}

/// A decision that changes while its mail is on its way: the mail is withdrawn all the same, a
/// failed try does not bring it back, and a try that went out is recorded as sent. A worker whose
/// lease ran out records nothing over the worker that took the mail after it.
#[tokio::test]
async fn a_mail_withdrawn_while_on_its_way_stays_withdrawn_and_a_lapsed_claim_records_nothing() {
    use biw::models::outbox as rows;
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    invite(&app, "a@x.biw.id").await;
    invite(&app, "b@x.biw.id").await;
    invite(&app, "c@x.biw.id").await;
    let mut ids = Vec::new();
    for e in ["a@x.biw.id", "b@x.biw.id", "c@x.biw.id"] {
        ids.push(app.mails_to(e).await[0].id);
    }
    let statuses = app
        .db(move |conn| {
            let now = biw::db::now();
            let lease = now + chrono::Duration::minutes(5);
            let claimed: Vec<_> = ids
                .iter()
                .map(|&id| rows::claim(conn, id, now, lease).unwrap().unwrap())
                .collect();
            // All three are on their way when their decision changes.
            use biw::db::schema::outbox;
            diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
                .set(outbox::topic.eq("decision:1:x"))
                .execute(conn)
                .unwrap();
            assert_eq!(rows::withdraw(conn, "decision:1:").unwrap(), 3);
            assert_eq!(
                rows::gone(conn, "decision:1:").unwrap().len(),
                3,
                "withdrawn while held: each may have gone"
            );
            // a: the server refused for now; b: the server had taken it; c: given up for good.
            let (a, b, c) = (&claimed[0], &claimed[1], &claimed[2]);
            let later = Some(now + chrono::Duration::minutes(1));
            assert_eq!(
                rows::mark_failed(conn, a.id, a.claim(), "421", later).unwrap(),
                0
            );
            assert_eq!(rows::mark_sent(conn, b.id, b.claim(), now).unwrap(), 1);
            assert_eq!(
                rows::mark_failed(conn, c.id, c.claim(), "550", None).unwrap(),
                0
            );
            let gone: Vec<i32> = rows::gone(conn, "decision:1:")
                .unwrap()
                .into_iter()
                .map(|g| g.id)
                .collect();
            assert_eq!(gone, [b.id], "a failed try is known not to have gone");
            ids.iter()
                .map(|&id| rows::find(conn, id).unwrap().unwrap().status)
                .collect::<Vec<_>>()
        })
        .await;
    assert_eq!(statuses, ["withdrawn", "sent", "withdrawn"]);
    assert!(
        app.drain_outbox().await.is_empty(),
        "nothing withdrawn goes"
    );

    // A worker whose lease lapsed, and whose mail another worker claimed again, records nothing.
    invite(&app, "d@x.biw.id").await;
    let id = app.mails_to("d@x.biw.id").await[0].id;
    let status = app
        .db(move |conn| {
            let now = biw::db::now();
            let first = rows::claim(conn, id, now, now + chrono::Duration::seconds(1))
                .unwrap()
                .unwrap();
            let after = now + chrono::Duration::seconds(2);
            let second = rows::claim(conn, id, after, after + chrono::Duration::minutes(5))
                .unwrap()
                .expect("taken again after the lease");
            assert_eq!(rows::mark_sent(conn, id, second.claim(), after).unwrap(), 1);
            let retry = Some(after + chrono::Duration::minutes(1));
            assert_eq!(
                rows::mark_failed(conn, id, first.claim(), "late", retry).unwrap(),
                0
            );
            rows::find(conn, id).unwrap().unwrap().status
        })
        .await;
    assert_eq!(
        status, "sent",
        "the lapsed worker's failure did not undo the delivery"
    );

    // The same after an organiser's retry, which counts the tries from 0 again: the claim made
    // after it has the lapsed worker's count, not its lease.
    invite(&app, "e@x.biw.id").await;
    let id = app.mails_to("e@x.biw.id").await[0].id;
    let status = app
        .db(move |conn| {
            let now = biw::db::now();
            let lapsed = rows::claim(conn, id, now, now + chrono::Duration::seconds(1))
                .unwrap()
                .unwrap();
            let after = now + chrono::Duration::seconds(2);
            let second = rows::claim(conn, id, after, after + chrono::Duration::minutes(5))
                .unwrap()
                .unwrap();
            assert_eq!(
                rows::mark_failed(conn, id, second.claim(), "550", None).unwrap(),
                1
            );
            assert!(rows::requeue(conn, id).unwrap());
            let later = after + chrono::Duration::seconds(1);
            let third = rows::claim(conn, id, later, later + chrono::Duration::minutes(5))
                .unwrap()
                .unwrap();
            assert_eq!(third.attempts, lapsed.attempts, "the count came round");
            assert_eq!(
                rows::mark_sent(conn, id, lapsed.claim(), later).unwrap(),
                0,
                "the lapsed worker records nothing"
            );
            let retry = Some(later + chrono::Duration::minutes(1));
            assert_eq!(
                rows::mark_failed(conn, id, lapsed.claim(), "late", retry).unwrap(),
                0
            );
            assert_eq!(
                rows::find(conn, id).unwrap().unwrap().status,
                "sending",
                "still the third claim's"
            );
            assert_eq!(rows::mark_sent(conn, id, third.claim(), later).unwrap(), 1);
            rows::find(conn, id).unwrap().unwrap().status
        })
        .await;
    assert_eq!(status, "sent");
}

#[tokio::test]
async fn concurrent_workers_send_each_mail_exactly_once() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    for i in 0..12 {
        invite(&app, &format!("judge{i}@x.biw.id")).await;
    }
    let (a, b, c) = tokio::join!(app.drain_outbox(), app.drain_outbox(), app.drain_outbox());
    let sent: usize = [a, b, c]
        .iter()
        .map(|steps| steps.iter().filter(|s| matches!(s, Step::Sent(_))).count())
        .sum();
    assert_eq!(sent, 12);
    let files = std::fs::read_dir(app.state.settings.mail_dir())
        .unwrap()
        .count();
    assert_eq!(files, 12, "one file per mail");
    for i in 0..12 {
        let mails = app.mails_to(&format!("judge{i}@x.biw.id")).await;
        assert_eq!(
            (mails.len(), mails[0].status.as_str(), mails[0].attempts),
            (1, "sent", 1)
        );
    }
}

#[tokio::test]
async fn a_failed_change_enqueues_no_mail() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    invite(&app, "dup@x.biw.id").await;
    let res = app
        .post_form(
            "/organiser/users/new",
            &[
                ("email", "dup@x.biw.id"),
                ("name", "Again"),
                ("role", "judge"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!(app.mails_to("dup@x.biw.id").await.len(), 1);
}

#[tokio::test]
async fn a_long_outage_keeps_retrying_for_days_and_organisers_retry_all_at_once() {
    let port = closed_port();
    let app = spawn_app_with(|s| s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    app.login_as(Role::Organiser).await;
    for i in 0..3 {
        invite(&app, &format!("juri{i}@brin.go.id")).await;
    }
    // Connection refused for two days of tries: still queued, never more than 30 minutes apart.
    let mut total_wait = chrono::Duration::zero();
    for _ in 0..100 {
        make_due(&app).await;
        app.drain_outbox().await;
        let mail = app.mails_to("juri0@brin.go.id").await.remove(0);
        assert_eq!(
            mail.status, "pending",
            "a transient failure keeps the mail queued"
        );
        let wait = mail.next_attempt_at - biw::db::now();
        assert!(wait <= chrono::Duration::minutes(30));
        total_wait += wait;
    }
    assert!(total_wait >= chrono::Duration::hours(40), "{total_wait}");
    // When it does fail for good, one button requeues every failed mail.
    app.db(|conn| {
        use biw::db::schema::outbox;
        diesel::update(outbox::table)
            .set(outbox::status.eq("failed"))
            .execute(conn)
            .unwrap();
    })
    .await;
    let list = app.page("/organiser/outbox").await;
    assert!(list.contains("retry-all"), "the button is offered");
    let res = app.post_form("/organiser/outbox/retry-failed", &[]).await;
    assert_redirect(&res, "/organiser/outbox");
    for i in 0..3 {
        let mail = app.mails_to(&format!("juri{i}@brin.go.id")).await.remove(0);
        assert_eq!((mail.status.as_str(), mail.attempts), ("pending", 0));
    }
    assert_eq!(app.audit_count("mail.retry_all").await, 1);
}

#[tokio::test]
async fn the_outbox_view_never_shows_a_secret_link() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    invite(&app, "juri@brin.go.id").await;
    let mail = app.mails_to("juri@brin.go.id").await.remove(0);
    let link = app.link_in(&mail, "/invite/");
    let token = link.trim_start_matches("/invite/");
    assert!(token.len() >= 32);
    let html = app.page(&format!("/organiser/outbox/{}", mail.id)).await;
    assert!(!html.contains(token), "the token is not on the page");
    assert!(
        html.contains("[tautan rahasia disembunyikan]"),
        "the page says a link was there"
    );
    let list = app.page("/organiser/outbox").await;
    assert!(!list.contains(token));
}

#[tokio::test]
async fn retrying_every_failed_mail_never_waits_on_a_row_another_transaction_holds() {
    // PostgreSQL only: SQLite's writers take turns and hold no row locks.
    if crate::helpers::pg_admin_url().is_none() {
        return;
    }
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    for i in 0..3 {
        invite(&app, &format!("juri{i}@brin.go.id")).await;
    }
    let ids: Vec<i32> = app
        .db(|conn| {
            use biw::db::schema::outbox;
            diesel::update(outbox::table)
                .set(outbox::status.eq("failed"))
                .execute(conn)
                .unwrap();
            outbox::table
                .order(outbox::id)
                .select(outbox::id)
                .load(conn)
                .unwrap()
        })
        .await;
    // Another transaction (withdrawing a decision's mail, say) holds the first row.
    let url = app.state.settings.database_url.clone();
    let first = ids[0];
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        use diesel::connection::{Connection, SimpleConnection};
        let mut c = diesel::PgConnection::establish(&url).unwrap();
        c.batch_execute(&format!(
            "BEGIN; SELECT id FROM outbox WHERE id = {first} FOR UPDATE;"
        ))
        .unwrap();
        held_tx.send(()).unwrap();
        done_rx.recv().unwrap();
        c.batch_execute("COMMIT").unwrap();
    });
    held_rx.recv().unwrap();
    // A wait would be an error here (lock_timeout), not a hang.
    let n = app
        .db(|conn| {
            use diesel::connection::SimpleConnection;
            let biw::db::DbConn::Postgresql(c) = conn else {
                unreachable!()
            };
            c.batch_execute("SET lock_timeout = '5s'").unwrap();
            let n = biw::models::outbox::requeue_all_failed(conn);
            let biw::db::DbConn::Postgresql(c) = conn else {
                unreachable!()
            };
            c.batch_execute("RESET lock_timeout").unwrap();
            n.unwrap()
        })
        .await;
    assert_eq!(n, 2, "the held row is left to its holder");
    done_tx.send(()).unwrap();
    holder.join().unwrap();
    let statuses: Vec<String> = app
        .db(|conn| {
            use biw::db::schema::outbox;
            outbox::table
                .order(outbox::id)
                .select(outbox::status)
                .load(conn)
                .unwrap()
        })
        .await;
    assert_eq!(statuses, ["failed", "pending", "pending"]);
}
