//! Several users writing at once: no request fails because another is writing (SQLite's lock).

use biw::db;
use biw::domain::Role;
use diesel::prelude::*;

use crate::helpers::{new_client, spawn_app};

/// Organisers each add units at the same moment; every request succeeds and every unit is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn organisers_adding_units_at_once_all_succeed() {
    let app = spawn_app().await;
    let before = app.db(|conn| biw::models::unit::count(conn).unwrap()).await;
    const ORGANISERS: usize = 6;
    const EACH: usize = 10;
    let mut clients = Vec::new();
    for i in 0..ORGANISERS {
        let email = format!("panitia{i}@test.biw.id");
        app.create_user(Role::Organiser, &email, "correct horse battery")
            .await;
        let client = new_client();
        app.login_with(&client, &email, "correct horse battery")
            .await;
        clients.push(client);
    }
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for (i, client) in clients.into_iter().enumerate() {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for j in 0..EACH {
                let name = format!("Unit Uji {i}-{j}");
                let res = app
                    .post_form_with(
                        &client,
                        "/organiser/units/new",
                        &[("name", &name), ("unit_type", "badan"), ("parent_id", "")],
                    )
                    .await;
                statuses.push(res.status().as_u16());
            }
            statuses
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.extend(t.await.unwrap());
    }
    assert!(
        statuses.iter().all(|s| *s == 303),
        "every write succeeds: {statuses:?}"
    );
    let after = app.db(|conn| biw::models::unit::count(conn).unwrap()).await;
    assert_eq!(after - before, (ORGANISERS * EACH) as i64);
}

/// Transactions that read before they write, from many threads at once: none fails, none is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_then_write_transactions_wait_their_turn() {
    let app = spawn_app().await;
    let pool = app.state.pool.clone();
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                let mut failures = Vec::new();
                for i in 0..25 {
                    let r = db::transaction(&mut conn, |conn| -> QueryResult<()> {
                        // The read takes SQLite's shared lock first: the case a plain BEGIN cannot retry.
                        let n = biw::models::unit::count(conn)?;
                        let input = biw::services::units::UnitInput {
                            name: format!("Unit Paralel {t}-{i}-{n}"),
                            unit_type: "badan".into(),
                            parent_id: None,
                        };
                        biw::services::units::create(conn, &biw::audit::Actor::system(), &input)
                            .map_err(|e| {
                                diesel::result::Error::QueryBuilderError(e.to_string().into())
                            })?;
                        Ok(())
                    });
                    if let Err(e) = r {
                        failures.push(e.to_string());
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert!(failures.is_empty(), "no transaction fails: {failures:?}");
    let made = app
        .db(|conn| {
            use biw::db::schema::units;
            units::table
                .filter(units::name.like("Unit Paralel %"))
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(made, 200);
}
