//! The per-status entry counters the database keeps (for the list's total and the dashboard) agree
//! with the entries themselves after every kind of change, including concurrent ones.

use std::collections::BTreeMap;

use biw::db::DbConn;
use biw::db::schema::entries;
use biw::domain::Role;
use diesel::prelude::*;

use crate::entries::{new_draft, open_edition, unit_team};
use crate::helpers::spawn_app;

fn counted(conn: &mut DbConn, edition: i32) -> BTreeMap<String, i64> {
    entries::table
        .filter(entries::edition_id.eq(edition))
        .group_by(entries::status)
        .select((entries::status, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)
        .unwrap()
        .into_iter()
        .collect()
}

fn kept(conn: &mut DbConn, edition: i32) -> BTreeMap<String, i64> {
    biw::models::entry::status_counts(conn, edition)
        .unwrap()
        .into_iter()
        .collect()
}

fn set_status(conn: &mut DbConn, id: i32, status: &str) {
    diesel::update(entries::table.find(id))
        .set(entries::status.eq(status))
        .execute(conn)
        .unwrap();
}

#[tokio::test]
async fn counters_follow_inserts_moves_and_deletes() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let other = open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(new_draft(&app, &staff).await);
    }
    let ids2 = ids.clone();
    let steps = app
        .db(move |conn| {
            let ids = ids2;
            let mut seen = Vec::new();
            let mut check = |conn: &mut DbConn, step: &str| {
                for e in [ed, other] {
                    seen.push((step.to_string(), e, counted(conn, e), kept(conn, e)));
                }
            };
            check(conn, "drafts");
            set_status(conn, ids[0], "submitted");
            set_status(conn, ids[1], "submitted");
            check(conn, "submitted");
            set_status(conn, ids[0], "returned");
            set_status(conn, ids[1], "submitted"); // no change
            check(conn, "returned");
            diesel::update(entries::table.find(ids[2]))
                .set(entries::edition_id.eq(other))
                .execute(conn)
                .unwrap();
            check(conn, "moved to another edition");
            diesel::delete(entries::table.find(ids[3]))
                .execute(conn)
                .unwrap();
            check(conn, "deleted");
            seen
        })
        .await;
    for (step, edition, counted, kept) in steps {
        assert_eq!(kept, counted, "edition {edition} after {step}");
    }
    // The entry list's total reads the counters: 2 of the 4 left are past draft.
    app.login_as(Role::Organiser).await;
    let html = app.page(&format!("/organiser/entries?edition={ed}")).await;
    assert!(html.contains(">2 data<"), "{html}");
}

#[tokio::test]
async fn concurrent_moves_in_opposite_directions_keep_the_counters_and_never_deadlock() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    let mut ids = Vec::new();
    for _ in 0..8 {
        ids.push(new_draft(&app, &staff).await);
    }
    let pool = app.state.pool.clone();
    let workers: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (pool, id) = (pool.clone(), *id);
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                // Half walk draft → submitted → returned → resubmitted, half walk the cycle the
                // other way round, so pairs of counters are taken in opposite orders.
                let path = if i % 2 == 0 {
                    ["submitted", "returned", "resubmitted", "draft"]
                } else {
                    ["resubmitted", "returned", "submitted", "draft"]
                };
                for round in 0..10 {
                    for status in &path {
                        biw::db::transaction(&mut conn, |conn| {
                            set_status(conn, id, status);
                            Ok::<_, biw::error::AppError>(())
                        })
                        .unwrap_or_else(|e| panic!("entry {id} round {round}: {e}"));
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let (counted, kept) = app
        .db(move |conn| (counted(conn, ed), kept(conn, ed)))
        .await;
    assert_eq!(kept, counted);
    assert_eq!(counted.get("draft"), Some(&8));
}

/// The entry list by unit, page after page: every entry past draft exactly once, each unit's
/// entries together and in the order they came, the units in the database's name order.
#[tokio::test]
async fn the_list_by_unit_shows_every_entry_once_grouped_by_unit() {
    use biw::db::schema::units;
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    let template = new_draft(&app, &staff).await;
    let (expected_units, listed) = app
        .db(move |conn| {
            let unit_ids: Vec<i32> = units::table
                .order(units::id)
                .select(units::id)
                .limit(7)
                .load(conn)
                .unwrap();
            // Copies of one real draft spread over seven units, in an order that is neither the
            // units' ids nor their names; every fifth stays a draft.
            for i in 0..130usize {
                let unit = unit_ids[(i * 3) % unit_ids.len()];
                let status = if i % 5 == 0 { "draft" } else { "submitted" };
                diesel::sql_query(format!(
                    "INSERT INTO entries (edition_id, unit_id, category_id, name, stage, initiator, \
                     inno_type, inno_form, theme, urusan, narrative, purpose, benefits, results, \
                     video_url, contact_name, contact_phone, status, lock_version, created_at, \
                     updated_at) SELECT edition_id, {unit}, category_id, 'Urut {i:03}', stage, \
                     initiator, inno_type, inno_form, theme, urusan, narrative, purpose, benefits, \
                     results, video_url, contact_name, contact_phone, '{status}', 0, created_at, \
                     updated_at FROM entries WHERE id = {template}"
                ))
                .execute(conn)
                .unwrap();
            }
            let in_name_order: Vec<i32> = units::table
                .order((units::name, units::id))
                .select(units::id)
                .load(conn)
                .unwrap();
            let listed: Vec<(i32, i32)> = entries::table
                .filter(entries::edition_id.eq(ed))
                .filter(entries::status.ne("draft"))
                .select((entries::id, entries::unit_id))
                .load(conn)
                .unwrap();
            (in_name_order, listed)
        })
        .await;
    let unit_of: std::collections::HashMap<i32, i32> = listed.iter().copied().collect();
    app.login_as(Role::Organiser).await;
    let mut shown = Vec::new();
    for page in 1..=(listed.len() as i64 + 49) / 50 {
        let html = app
            .page(&format!(
                "/organiser/entries?edition={ed}&sort=unit&page={page}"
            ))
            .await;
        shown.extend(
            html.split("<a href=\"/organiser/entries/")
                .skip(1)
                .filter_map(|s| s.split('"').next()?.parse::<i32>().ok()),
        );
    }
    let mut once = shown.clone();
    once.sort_unstable();
    once.dedup();
    assert_eq!(once.len(), shown.len(), "no entry twice: {shown:?}");
    assert_eq!(
        shown.len(),
        listed.len(),
        "every entry past draft, no draft"
    );
    let rank = |unit: i32| expected_units.iter().position(|u| *u == unit).unwrap();
    for pair in shown.windows(2) {
        let (a, b) = (
            (rank(unit_of[&pair[0]]), pair[0]),
            (rank(unit_of[&pair[1]]), pair[1]),
        );
        assert!(
            a < b,
            "{a:?} then {b:?}: units in name order, entries in id order"
        );
    }
}
