//! A judge's pages are kept against what they read (migration `page_scopes`, `web::page_cache`):
//! kept while operators autosave drafts and other judges score, drawn again after any change they
//! show. The class: every table a judge's page reads moves the judge's stamp, checked by recording
//! every statement those pages run.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, Once};

use biw::db::schema::{entries, units};
use diesel::connection::{Instrumentation, InstrumentationEvent, set_default_instrumentation};
use diesel::prelude::*;

use crate::entries::{PDF, full_form, kinds, new_draft, post_pairs, upload};
use crate::helpers::{TestApp, new_client, spawn_app, spawn_app_with};
use crate::judging::{Judge, add_judges, assign, criteria_of, declare, judge, live, open_round};

/// Tables no judge page reads (or the gate reads on every request, before any kept page), so a
/// change to them leaves judges' pages kept. Every other table must move a page scope.
const UNWATCHED: [(&str, &str); 11] = [
    (
        "user_sessions",
        "checked by the gate on every request, never taken from a kept page",
    ),
    (
        "user_tokens",
        "invitation and reset links: never shown on a judge page",
    ),
    ("login_attempts", "sign-in throttling"),
    ("outbox", "mail: the worker writes it all the time"),
    ("audit_events", "the audit log: organisers only"),
    (
        "round_stamps",
        "another cache's counter, moved with the sheets it counts",
    ),
    (
        "results_stamps",
        "another cache's counter, moved with the rows it counts",
    ),
    ("entry_counts", "the organisers' counts by status"),
    ("tallies", "the organisers' tallies"),
    ("page_scopes", "the judges' stamp itself"),
    ("page_changes", "the judges' stamp itself"),
];

fn minute() -> i64 {
    biw::db::now().and_utc().timestamp().div_euclid(60)
}

/// Waits out the last seconds of a minute, so that what follows (a few views and a commit) falls
/// within one: a new minute is a new key, drawn again whatever changed.
async fn settle_minute() {
    let second = biw::db::now().and_utc().timestamp().rem_euclid(60);
    if second >= 50 {
        tokio::time::sleep(std::time::Duration::from_secs((61 - second) as u64)).await;
    }
}

/// Views `path` until a copy is kept at the current stamp (a first view may show a message).
async fn keep(app: &TestApp, client: &reqwest::Client, path: &str) {
    for _ in 0..5 {
        if view(app, client, path).await {
            return;
        }
    }
    panic!("{path} is never kept while nothing changes");
}

/// Views `path`: whether the view came from the cache.
async fn view(app: &TestApp, client: &reqwest::Client, path: &str) -> bool {
    let served = app.state.pages.served();
    let res = app.get_with(client, path).await;
    assert_eq!(res.status().as_u16(), 200, "{path}");
    app.state.pages.served() > served
}

/// Whether the view of `path` after `change` commits comes from the cache. A view that fell in a
/// new minute (a new key, drawn whatever changed) is tried again.
async fn kept_after<F, Fut>(app: &TestApp, client: &reqwest::Client, path: &str, change: F) -> bool
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..3 {
        settle_minute().await;
        let before = minute();
        keep(app, client, path).await;
        change().await;
        if view(app, client, path).await {
            return true;
        }
        if minute() == before {
            return false;
        }
    }
    panic!("three views of {path} fell across a new minute");
}

/// Asserts that the view of `path` after `change` commits (once) is drawn again.
async fn drawn_again_after<Fut>(app: &TestApp, client: &reqwest::Client, path: &str, change: Fut)
where
    Fut: std::future::Future<Output = ()>,
{
    settle_minute().await;
    keep(app, client, path).await;
    change.await;
    assert!(!view(app, client, path).await, "{path} is drawn again");
}

async fn nothing() {}

/// Two judges, each with an entry to score, and an operator whose unit is drafting another.
struct Setting {
    a: Judge,
    b: Judge,
    a_sheet: String,
    b_sheet: String,
    round: i32,
    operator: reqwest::Client,
    draft: i32,
    edition: i32,
}

async fn setting(app: &TestApp) -> Setting {
    let (ed, round, ids) = open_round(app, 2).await;
    // Judge A works for a unit, so the pages also look for conflicts with units.
    let a = judge(app, "a@univ.ac.id", Some("Kecamatan Jatiasih")).await;
    let b = judge(app, "b@univ.ac.id", None).await;
    add_judges(app, round, &[&a, &b]).await;
    assign(app, round, &a, &ids[..1]).await;
    assign(app, round, &b, &ids[1..]).await;
    declare(app, &a, ed).await;
    declare(app, &b, ed).await;
    let live = live(app, round).await;
    let sheet_of = |j: &Judge| {
        let aid = live.iter().find(|l| l.2 == j.id).unwrap().0;
        format!("/judge/sheets/{aid}")
    };
    let (a_sheet, b_sheet) = (sheet_of(&a), sheet_of(&b));
    let operator = new_client();
    app.login_with(&operator, "staf@dinkes.biw.id", "correct horse battery")
        .await;
    let draft = new_draft(app, &operator).await;
    Setting {
        a,
        b,
        a_sheet,
        b_sheet,
        round,
        operator,
        draft,
        edition: ed,
    }
}

/// Saves a judge's sheet with every criterion at `score` (an autosave, as the page does).
async fn autosave_sheet(app: &TestApp, j: &Judge, sheet: &str, round: i32, score: &str) {
    let crit = criteria_of(app, round).await;
    let lock = app
        .get_with(&j.client, sheet)
        .await
        .text()
        .await
        .unwrap()
        .split("name=\"lock_version\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map_or(0, |v| v.parse().unwrap());
    let form = crate::judging::sheet_form(&crit, score, lock);
    let res = post_pairs(app, &j.client, &format!("{sheet}/autosave"), &form).await;
    assert_eq!(res.status().as_u16(), 200, "autosaved");
}

#[tokio::test]
async fn a_judges_pages_stay_kept_while_others_write_and_are_drawn_again_after_what_they_show() {
    let app = spawn_app().await;
    let s = setting(&app).await;
    let (a, b) = (&s.a, &s.b);

    // Nothing committed: the second view is the kept copy.
    assert!(kept_after(&app, &a.client, "/judge", nothing).await);

    // An operator autosaving a draft, and another judge scoring, leave judge A's pages kept.
    let saves = std::sync::atomic::AtomicI32::new(0);
    let operator_saves = || async {
        let lock = saves.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let res = post_pairs(
            &app,
            &s.operator,
            &format!("/opd/entries/{}/autosave", s.draft),
            &full_form(lock, 12),
        )
        .await;
        assert_eq!(res.status().as_u16(), 200, "the draft was autosaved");
    };
    assert!(kept_after(&app, &a.client, "/judge", operator_saves).await);
    assert!(kept_after(&app, &a.client, &s.a_sheet, operator_saves).await);
    let kind = kinds(&app, s.edition).await[0].id;
    let operator_uploads = || async {
        let res = upload(&app, &s.operator, s.draft, kind, "bukti.pdf", PDF.to_vec()).await;
        assert_eq!(
            res.status().as_u16(),
            303,
            "the file was added to the draft"
        );
    };
    assert!(kept_after(&app, &a.client, &s.a_sheet, operator_uploads).await);
    let b_scores = || autosave_sheet(&app, b, &s.b_sheet, s.round, "3");
    assert!(kept_after(&app, &a.client, "/judge", b_scores).await);
    assert!(kept_after(&app, &a.client, &s.a_sheet, b_scores).await);

    // Judge A's own save: both pages are drawn again and show it.
    let a_scores = || autosave_sheet(&app, a, &s.a_sheet, s.round, "4");
    drawn_again_after(&app, &a.client, "/judge", a_scores()).await;
    let sheet = app
        .get_with(&a.client, &s.a_sheet)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        sheet.contains("value=\"4\" checked") || sheet.contains("value=\"4\" selected"),
        "the sheet shows the score saved"
    );
    drawn_again_after(&app, &a.client, &s.a_sheet, a_scores()).await;

    // A change to an entry in the round, from outside the app: drawn again with it.
    let entry = live(&app, s.round)
        .await
        .into_iter()
        .find(|l| l.2 == a.id)
        .unwrap()
        .1;
    let rename = move |conn: &mut biw::db::DbConn| {
        diesel::update(entries::table.find(entry))
            .set(entries::name.eq("Inovasi Berganti Nama"))
            .execute(conn)
            .unwrap()
    };
    drawn_again_showing(&app, a, "/judge", rename, "Inovasi Berganti Nama").await;

    // A unit renamed, and the judge's own name changed: drawn again.
    let unit_renamed = |conn: &mut biw::db::DbConn| {
        diesel::update(units::table.filter(units::name.eq("Dinas Kesehatan")))
            .set(units::name.eq("Dinas Kesehatan Kota"))
            .execute(conn)
            .unwrap()
    };
    drawn_again_showing(&app, a, &s.a_sheet, unit_renamed, "Dinas Kesehatan Kota").await;
    let a_id = a.id;
    let judge_renamed = move |conn: &mut biw::db::DbConn| {
        use biw::db::schema::users;
        diesel::update(users::table.find(a_id))
            .set(users::name.eq("Juri Berganti Nama"))
            .execute(conn)
            .unwrap()
    };
    drawn_again_showing(&app, a, "/judge", judge_renamed, "Juri Berganti Nama").await;
}

/// After `change` (one row) commits from outside the app, the judge's `path` is drawn again and
/// shows `shows`.
async fn drawn_again_showing<F>(app: &TestApp, j: &Judge, path: &str, change: F, shows: &str)
where
    F: FnOnce(&mut biw::db::DbConn) -> usize + Send + 'static,
{
    let commit = async move { assert_eq!(app.db(move |conn| change(conn)).await, 1) };
    drawn_again_after(app, &j.client, path, commit).await;
    let html = app.get_with(&j.client, path).await.text().await.unwrap();
    assert!(html.contains(shows), "{path} shows {shows}");
}

/// The statements run on each recorded database, by its URL.
static RECORDED: Mutex<Option<HashMap<String, Vec<String>>>> = Mutex::new(None);

/// Whether any database is being recorded.
static RECORDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn recorder() -> Option<Box<dyn Instrumentation>> {
    let mut url: Option<String> = None;
    Some(Box::new(
        move |event: InstrumentationEvent<'_>| match event {
            InstrumentationEvent::StartEstablishConnection { url: u, .. } => {
                url = Some(u.to_string());
            }
            InstrumentationEvent::StartQuery { query, .. } => {
                // The other tests' statements pass by at the cost of one load.
                if !RECORDING.load(std::sync::atomic::Ordering::Relaxed) {
                    return;
                }
                let Some(url) = &url else { return };
                let mut recorded = RECORDED.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(statements) = recorded.as_mut().and_then(|r| r.get_mut(url)) {
                    statements.push(query.to_string());
                }
            }
            _ => {}
        },
    ))
}

/// The tables a statement names after FROM, JOIN, INTO or UPDATE, quoted or not.
fn tables_in(sql: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let words: Vec<String> = sql
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words
        .windows(2)
        .filter(|w| matches!(w[0].as_str(), "from" | "join" | "into" | "update"))
        .map(|w| w[1].clone())
        .filter(|t| known.contains(t))
        .collect()
}

/// The tables of the database, and those with the page triggers.
async fn tables_and_watched(app: &TestApp) -> (BTreeSet<String>, BTreeSet<String>) {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    app.db(|conn| {
        let pg = matches!(conn, biw::db::DbConn::Postgresql(_));
        let (tables, triggers) = if pg {
            (
                "SELECT table_name::text AS name FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
                // Each of insert, update and delete.
                "SELECT event_object_table::text AS name FROM information_schema.triggers \
                 WHERE trigger_name LIKE 'page\\_changes\\_%' GROUP BY event_object_table \
                 HAVING COUNT(DISTINCT event_manipulation) = 3",
            )
        } else {
            (
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                "SELECT tbl_name AS name FROM sqlite_master WHERE type = 'trigger' \
                 AND name LIKE 'page\\_changes\\_%' ESCAPE '\\' GROUP BY tbl_name HAVING COUNT(*) = 3",
            )
        };
        let names = |sql: &str, conn: &mut biw::db::DbConn| -> BTreeSet<String> {
            diesel::sql_query(sql)
                .load::<Name>(conn)
                .unwrap()
                .into_iter()
                .map(|n| n.name)
                .filter(|n| !n.starts_with("__diesel"))
                .collect()
        };
        (names(tables, conn), names(triggers, conn))
    })
    .await
}

#[tokio::test]
async fn every_table_a_judges_page_reads_moves_the_judges_stamp() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| set_default_instrumentation(recorder).unwrap());
    let mut url = String::new();
    let app = spawn_app_with(|s| url = s.database_url.clone()).await;
    let s = setting(&app).await;
    autosave_sheet(&app, &s.a, &s.a_sheet, s.round, "3").await;

    let (tables, watched) = tables_and_watched(&app).await;
    let unwatched: BTreeSet<String> = UNWATCHED.iter().map(|(t, _)| t.to_string()).collect();
    for t in &unwatched {
        assert!(
            tables.contains(t),
            "{t} is listed as unwatched but is no table"
        );
        assert!(
            !watched.contains(t),
            "{t} is listed as unwatched but has the triggers"
        );
    }
    // Every other table, however new, has the triggers: on insert, update and delete.
    let missing: Vec<&String> = tables
        .iter()
        .filter(|t| !unwatched.contains(*t) && !watched.contains(*t))
        .collect();
    assert!(
        missing.is_empty(),
        "tables without the page triggers: {missing:?}"
    );

    // Folding the rows appended on PostgreSQL into the counters leaves every count as it was,
    // and the scheduler's minute tick folds what has come since.
    let judge = s.a.id;
    let state = app.state.clone();
    let (pg, before, after, ticked) = app
        .db(move |conn| {
            let pg = matches!(conn, biw::db::DbConn::Postgresql(_));
            let before = biw::db::judge_stamp(conn, judge).unwrap();
            biw::db::fold_page_changes(conn).unwrap();
            let after = biw::db::judge_stamp(conn, judge).unwrap();
            diesel::update(units::table.filter(units::name.eq("Kecamatan Jatiasih")))
                .set(units::name.eq("Kecamatan Jatiasih Lama"))
                .execute(conn)
                .unwrap();
            biw::scheduler::tick(conn, &state).unwrap();
            (
                pg,
                before,
                after,
                biw::db::judge_stamp(conn, judge).unwrap(),
            )
        })
        .await;
    assert_eq!(before.0, after.0, "the count is kept across a fold");
    assert_eq!(after.1, 0, "nothing waits after a fold");
    assert!(before.0 > 0 && (!pg || before.1 > 0), "{before:?}");
    assert!(ticked.0 > after.0, "the rename counted");
    assert_eq!(ticked.1, 0, "the tick folded it");

    // A change rolled back to a savepoint, then another in the same transaction, still moves it.
    let (before, after) = app
        .db(move |conn| {
            let before = biw::db::judge_stamp(conn, judge).unwrap().0;
            let rename = |conn: &mut biw::db::DbConn, to: &str| {
                diesel::update(units::table.filter(units::name.like("Kecamatan Jatiasih%")))
                    .set(units::name.eq(to))
                    .execute(conn)
                    .map(|_| ())
            };
            biw::db::transaction(conn, |conn| {
                let undone: Result<(), diesel::result::Error> =
                    biw::db::transaction(conn, |conn| {
                        rename(conn, "Kecamatan Jatiasih Sementara")?;
                        Err(diesel::result::Error::RollbackTransaction)
                    });
                assert!(undone.is_err());
                rename(conn, "Kecamatan Jatiasih Baru")
            })
            .unwrap();
            (before, biw::db::judge_stamp(conn, judge).unwrap().0)
        })
        .await;
    assert!(
        after > before,
        "a write after a savepoint rolled back moves the stamp"
    );

    // What the judge's pages read, statement by statement.
    RECORDED
        .lock()
        .unwrap()
        .get_or_insert_with(HashMap::new)
        .insert(url.clone(), Vec::new());
    RECORDING.store(true, std::sync::atomic::Ordering::Relaxed);
    for path in ["/judge", s.a_sheet.as_str(), "/judge", s.a_sheet.as_str()] {
        let res = app.get_with(&s.a.client, path).await;
        assert_eq!(res.status().as_u16(), 200, "{path}");
    }
    let statements = RECORDED
        .lock()
        .unwrap()
        .as_mut()
        .unwrap()
        .remove(&url)
        .unwrap();
    RECORDING.store(false, std::sync::atomic::Ordering::Relaxed);
    let read: BTreeSet<String> = statements
        .iter()
        .flat_map(|sql| tables_in(sql, &tables))
        .collect();
    for t in ["assignments", "sheets", "entries", "rounds", "page_scopes"] {
        assert!(read.contains(t), "the recording saw {t} read: {read:?}");
    }
    let outside: Vec<&String> = read
        .iter()
        .filter(|t| !watched.contains(*t) && *t != "user_sessions" && !t.starts_with("page_"))
        .collect();
    assert!(
        outside.is_empty(),
        "a judge's page reads tables that do not move the judges' stamp: {outside:?}"
    );
}
