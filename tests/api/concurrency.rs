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

/// A judge's first autosave still on its way when the same sheet is saved again, many times at
/// once: one sheet, each refused save a clear 409 (never a 500), and an organiser's double click
/// on "notify judges" and racing assignments send each judge one digest and pass no limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn first_saves_notices_and_assignments_sent_at_once_stay_single() {
    use crate::judging::{
        add_judges, assign, criteria_of, declare, judge, live, open_round, sheet_form,
    };
    let app = spawn_app().await;
    let (ed, round, ids) = open_round(&app, 4).await;
    let a = judge(&app, "a@univ.ac.id", None).await;
    let b = judge(&app, "b@univ.ac.id", None).await;
    add_judges(&app, round, &[&a, &b]).await;
    assign(&app, round, &a, &ids[..1]).await;
    declare(&app, &a, ed).await;
    let aid = live(&app, round).await[0].0;
    let mut form = sheet_form(&criteria_of(&app, round).await, "4", 0);
    form.push(("csrf".into(), app.csrf_for(&a.client).await));
    let path = format!("{}/judge/sheets/{aid}/autosave", app.address);
    let saves = (0..6).map(|_| a.client.post(&path).form(&form).send());
    let statuses: Vec<u16> = futures_util::future::join_all(saves)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [200, 409].contains(s)),
        "{statuses:?}"
    );

    // A double click on "assign automatically", at most 2 entries a judge: each entry gets its
    // judges once and no judge passes the limit (a hand assignment may; that is the organiser's
    // own choice, so none is made here).
    app.db(move |conn| {
        diesel::update(biw::db::schema::rounds::table.find(round))
            .set(biw::db::schema::rounds::max_per_judge.eq(2))
            .execute(conn)
            .unwrap()
    })
    .await;
    let auto = format!("/organiser/rounds/{round}/assignments/auto");
    let (x, y) = tokio::join!(app.post_form(&auto, &[]), app.post_form(&auto, &[]));
    assert!(
        x.status().as_u16() < 500 && y.status().as_u16() < 500,
        "{} {}",
        x.status(),
        y.status()
    );
    let placed = live(&app, round).await;
    for j in [a.id, b.id] {
        let load = placed.iter().filter(|x| x.2 == j).count();
        assert!(load <= 2, "judge {j} has {load}");
    }
    for e in &ids {
        assert!(
            placed.iter().filter(|x| x.1 == *e).count() <= 2,
            "entry {e}"
        );
    }

    // A double click on "notify judges": one digest each.
    let notify = format!("/organiser/rounds/{round}/notify");
    let (x, y) = tokio::join!(app.post_form(&notify, &[]), app.post_form(&notify, &[]));
    assert!(x.status().as_u16() < 500 && y.status().as_u16() < 500);
    for j in [&a, &b] {
        let digests = app
            .mails_to(&j.email)
            .await
            .into_iter()
            .filter(|m| m.template == "assignment_digest")
            .count();
        assert_eq!(digests, 1, "{}", j.email);
    }

    // A double click on "send the schedule": each unit is told its slot once.
    let at = biw::time::to_jakarta_local(biw::db::now() + chrono::Duration::days(3));
    let e = ids[0];
    let res = app
        .post_form(
            &format!("/organiser/rounds/{round}/schedule"),
            &[
                (&format!("slot.{e}.at"), at.as_str()),
                (&format!("slot.{e}.place"), "Aula Pemkot"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let send = format!("/organiser/rounds/{round}/schedule/send");
    let (x, y) = tokio::join!(app.post_form(&send, &[]), app.post_form(&send, &[]));
    assert!(x.status().as_u16() < 500 && y.status().as_u16() < 500);
    let told: Vec<String> = app
        .db(|conn| {
            use biw::db::schema::outbox;
            outbox::table
                .filter(outbox::template.eq("presentation_slot"))
                .select(outbox::to_email)
                .load(conn)
                .unwrap()
        })
        .await;
    let mut once = told.clone();
    once.sort();
    once.dedup();
    assert!(!told.is_empty());
    assert_eq!(told.len(), once.len(), "{told:?}");
}

/// An entry that passes the administrative check while the edition's first round is being made
/// joins that round: either the round's making reads it as passed, or the check waits for the
/// round and puts it in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_passed_while_the_first_round_is_made_joins_it() {
    use biw::services::rounds;
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let ed = crate::entries::open_edition(&app).await;
    let (opd, _) = crate::entries::unit_team(&app).await;
    let entry = crate::entries::new_draft(&app, &opd).await;
    let rubric = crate::rubrics::rubric_from(&app, ed, "preset:default_desk").await;
    let input = crate::rubrics::week_long_desk_round(rubric);
    let (made, was_made) = std::sync::mpsc::channel();
    let pool = app.state.pool.clone();
    // The round is made and its transaction left open a moment, past the point where it read
    // which entries passed.
    let maker = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        db::transaction(&mut conn, |conn| {
            let round = rounds::create(conn, &biw::audit::Actor::system(), ed, &input)?;
            made.send(()).unwrap();
            // Time for the check below to reach the edition. Were it slower, it would find the
            // round committed: the test would then prove less, never fail wrongly.
            std::thread::sleep(std::time::Duration::from_millis(300));
            Ok::<_, biw::error::AppError>(round)
        })
        .unwrap()
    });
    was_made.recv().unwrap();
    let pool = app.state.pool.clone();
    let joined = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        db::transaction(&mut conn, |conn| {
            diesel::update(biw::db::schema::entries::table.find(entry))
                .set(biw::db::schema::entries::status.eq("passed"))
                .execute(conn)?;
            rounds::take_passed(conn, &biw::audit::Actor::system(), ed, entry)
        })
        .unwrap()
    })
    .join()
    .unwrap();
    let round = maker.join().unwrap();
    assert!(joined, "the check found the round once it was made");
    let inside = app
        .db(move |conn| biw::models::round::has_entry(conn, round, entry).unwrap())
        .await;
    assert!(inside, "the entry is in the first round");
}
