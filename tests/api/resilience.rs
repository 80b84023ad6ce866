//! When the database is away or held, a request is answered 503 with `Retry-After` and the friendly
//! page, not 500; once it is back, the same request works.

use biw::domain::Role;
use diesel::prelude::*;

use crate::helpers::{pg_admin_url, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_is_away_answers_503_with_retry_after() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let url = app.state.settings.database_url.clone();
    let form = [
        ("name", "Badan Sementara"),
        ("unit_type", "badan"),
        ("parent_id", ""),
    ];
    let token = app.csrf_for(&app.client).await;
    let send = || {
        let mut all = form.to_vec();
        all.push(("csrf", token.as_str()));
        app.client
            .post(format!("{}/organiser/units/new", app.address))
            .form(&all)
            .send()
    };
    let res = match pg_admin_url() {
        Some(admin) => {
            // The database refuses new connections and drops the app's current ones.
            let name = url.rsplit('/').next().unwrap().to_string();
            let mut c = diesel::PgConnection::establish(&admin).unwrap();
            diesel::sql_query(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
                .execute(&mut c)
                .unwrap();
            diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            ))
            .execute(&mut c)
            .unwrap();
            let res = send().await.unwrap();
            diesel::sql_query(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
                .execute(&mut c)
                .unwrap();
            res
        }
        None => {
            // Another process holds SQLite's write lock past the busy timeout.
            let path = url.trim_start_matches("sqlite://").to_string();
            let (locked_tx, locked_rx) = std::sync::mpsc::channel();
            let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
            let holder = std::thread::spawn(move || {
                use diesel::connection::SimpleConnection;
                let mut c = diesel::SqliteConnection::establish(&path).unwrap();
                c.batch_execute("BEGIN EXCLUSIVE").unwrap();
                locked_tx.send(()).unwrap();
                release_rx.recv().unwrap();
                c.batch_execute("ROLLBACK").unwrap();
            });
            locked_rx.recv().unwrap();
            let res = send().await.unwrap();
            release_tx.send(()).unwrap();
            holder.join().unwrap();
            res
        }
    };
    assert_eq!(res.status().as_u16(), 503);
    assert_eq!(
        res.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Tidak ada yang hilang"),
        "the friendly page says what to do"
    );
    // Back again: the same request succeeds.
    let res = send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
}

/// When PostgreSQL drops every connection (a restart, a failover), one request meets a dropped
/// connection and answers 503; from then on connections are checked before use, so the next ones
/// get fresh connections instead of failing one request per stale connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_postgresql_drops_every_connection_only_one_request_fails() {
    let Some(admin) = pg_admin_url() else {
        return; // SQLite has no connections to lose.
    };
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    // Every pooled connection in use at once, so each is open.
    let pages: Vec<_> = (0..8).map(|_| app.get("/organiser")).collect();
    for res in futures_util::future::join_all(pages).await {
        assert_eq!(res.status().as_u16(), 200);
    }
    let name = app
        .state
        .settings
        .database_url
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let mut c = diesel::PgConnection::establish(&admin).unwrap();
    diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ))
    .execute(&mut c)
    .unwrap();
    let mut failed = 0;
    for _ in 0..8 {
        let res = app.get("/organiser").await;
        match res.status().as_u16() {
            200 => {}
            503 => failed += 1,
            other => panic!("answered {other}"),
        }
    }
    assert!(failed <= 1, "{failed} requests met a dropped connection");
}
