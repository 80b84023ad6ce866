//! Judging end to end through the routes: judges and their declaration, conflicts of interest (one
//! access rule, checked on every route that names an entry, its files or its sheets), automatic and
//! manual assignment, and the scoring lifecycle.

use biw::db::schema::{assignments, entries, rounds, sheets, units, users};
use biw::domain::Role;
use biw::models::rubric;
use diesel::prelude::*;

use crate::entries::{PDF, kinds, new_draft, open_edition, post_pairs, unit_team, upload};
use crate::helpers::{TestApp, location, new_client, spawn_app};
use crate::rubrics::{post_round, rubric_from};

const PASSWORD: &str = "correct horse battery";

/// A judge: id, logged-in client, address.
pub struct Judge {
    pub id: i32,
    pub client: reqwest::Client,
    pub email: String,
}

/// A judge account, optionally working for a unit of the city; logged in.
pub async fn judge(app: &TestApp, email: &str, unit: Option<&'static str>) -> Judge {
    let id = app.create_user(Role::Judge, email, PASSWORD).await;
    if let Some(unit) = unit {
        app.db(move |conn| {
            let u = biw::models::unit::find_by_name(conn, unit)
                .unwrap()
                .unwrap();
            diesel::update(users::table.find(id))
                .set(users::unit_id.eq(u.id))
                .execute(conn)
                .unwrap();
        })
        .await;
    }
    let client = new_client();
    app.login_with(&client, email, PASSWORD).await;
    Judge {
        id,
        client,
        email: email.to_string(),
    }
}

/// The organiser records that a judge now works for `unit` (the user edit form).
pub async fn move_judge(app: &TestApp, j: &Judge, unit: i32) {
    let res = app
        .post_form(
            &format!("/organiser/users/{}", j.id),
            &[
                ("name", "Test judge"),
                ("role", "judge"),
                ("unit_id", &unit.to_string()),
                ("affiliation", ""),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
}

/// The counters the database keeps for the board (each entry's live judges, each judge's load,
/// unannounced assignments, submitted sheets and drafts) agree with the rows they count, in every
/// round.
pub async fn assert_counters_agree(app: &TestApp) {
    use biw::db::schema::{round_entries, round_judges};
    use std::collections::HashMap;
    app.db(|conn| {
        let live: Vec<(i32, i32, i32, i32, bool)> = assignments::table
            .filter(assignments::withdrawn_at.is_null())
            .select((
                assignments::id,
                assignments::round_id,
                assignments::entry_id,
                assignments::judge_id,
                assignments::notified_at.is_null(),
            ))
            .load(conn)
            .unwrap();
        let status: HashMap<i32, String> = sheets::table
            .select((sheets::assignment_id, sheets::status))
            .load::<(i32, String)>(conn)
            .unwrap()
            .into_iter()
            .collect();
        let mut per_entry: HashMap<(i32, i32), i32> = HashMap::new();
        let mut per_judge: HashMap<(i32, i32), (i32, i32, i32, i32)> = HashMap::new();
        for (id, r, e, j, unannounced) in &live {
            *per_entry.entry((*r, *e)).or_default() += 1;
            let c = per_judge.entry((*r, *j)).or_default();
            c.0 += 1;
            c.1 += i32::from(*unannounced);
            match status.get(id).map(String::as_str) {
                Some("submitted") => c.2 += 1,
                Some("draft") => c.3 += 1,
                _ => {}
            }
        }
        let kept: Vec<(i32, i32, i32)> = round_entries::table
            .select((
                round_entries::round_id,
                round_entries::entry_id,
                round_entries::judges,
            ))
            .load(conn)
            .unwrap();
        for (r, e, n) in kept {
            assert_eq!(
                n,
                per_entry.get(&(r, e)).copied().unwrap_or(0),
                "judges of entry {e} in round {r}"
            );
        }
        let kept: Vec<(i32, i32, i32, i32, i32, i32)> = round_judges::table
            .select((
                round_judges::round_id,
                round_judges::judge_id,
                round_judges::assigned,
                round_judges::unannounced,
                round_judges::submitted,
                round_judges::drafts,
            ))
            .load(conn)
            .unwrap();
        for (r, j, a, u, sub, d) in kept {
            assert_eq!(
                (a, u, sub, d),
                per_judge.get(&(r, j)).copied().unwrap_or_default(),
                "counts of judge {j} in round {r}"
            );
        }
    })
    .await;
}

/// An open edition with `n` entries of Dinas Kesehatan that passed screening (the first with an
/// evidence file), a default rubric and a round open for a week. Returns (edition, round, entries).
pub async fn open_round(app: &TestApp, n: usize) -> (i32, i32, Vec<i32>) {
    app.login_as(Role::Organiser).await;
    let ed = open_edition(app).await;
    let (opd, _) = unit_team(app).await;
    let mut ids = Vec::new();
    for i in 0..n {
        let id = new_draft(app, &opd).await;
        if i == 0 {
            let kind = kinds(app, ed).await[0].id;
            let res = upload(app, &opd, id, kind, "bukti.pdf", PDF.to_vec()).await;
            assert_eq!(res.status().as_u16(), 303);
        }
        app.db(move |conn| {
            diesel::update(entries::table.find(id))
                .set((
                    entries::status.eq("passed"),
                    entries::name.eq(format!("Inovasi {i}")),
                ))
                .execute(conn)
                .unwrap()
        })
        .await;
        ids.push(id);
    }
    let rubric = rubric_from(app, ed, "preset:default").await;
    let now = biw::db::now();
    let day = chrono::Duration::days(1);
    let res = post_round(
        app,
        ed,
        "Evaluasi dokumen",
        rubric,
        (now - day, now + day * 7),
        "2",
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    let round = location(&res).rsplit('/').next().unwrap().parse().unwrap();
    (ed, round, ids)
}

pub async fn add_judges(app: &TestApp, round: i32, judges: &[&Judge]) {
    let ids: Vec<String> = judges.iter().map(|j| j.id.to_string()).collect();
    let fields: Vec<(&str, &str)> = ids.iter().map(|id| ("judge", id.as_str())).collect();
    let res = app
        .post_form(&format!("/organiser/rounds/{round}/judges"), &fields)
        .await;
    assert_eq!(res.status().as_u16(), 303);
}

pub async fn assign(
    app: &TestApp,
    round: i32,
    judge: &Judge,
    entries: &[i32],
) -> reqwest::Response {
    let judge_id = judge.id.to_string();
    let ids: Vec<String> = entries.iter().map(|e| e.to_string()).collect();
    let mut fields: Vec<(&str, &str)> = vec![("judge", judge_id.as_str())];
    fields.extend(ids.iter().map(|id| ("entry", id.as_str())));
    app.post_form(&format!("/organiser/rounds/{round}/assignments"), &fields)
        .await
}

/// Live assignments: (id, entry, judge, source).
pub async fn live(app: &TestApp, round: i32) -> Vec<(i32, i32, i32, String)> {
    app.db(move |conn| {
        assignments::table
            .filter(assignments::round_id.eq(round))
            .filter(assignments::withdrawn_at.is_null())
            .order(assignments::id)
            .select((
                assignments::id,
                assignments::entry_id,
                assignments::judge_id,
                assignments::source,
            ))
            .load(conn)
            .unwrap()
    })
    .await
}

pub async fn declare(app: &TestApp, j: &Judge, ed: i32) {
    let res = app
        .post_form_with(
            &j.client,
            &format!("/judge/declaration/{ed}"),
            &[("agree", "1")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
}

async fn status_of(app: &TestApp, j: &Judge, method: &str, path: &str) -> u16 {
    let res = if method == "GET" {
        app.get_with(&j.client, path).await
    } else {
        app.post_form_with(&j.client, path, &[("reason", "x")])
            .await
    };
    res.status().as_u16()
}

#[tokio::test]
async fn a_judge_sees_only_entries_assigned_declared_and_free_of_conflict_on_every_route() {
    let app = spawn_app().await;
    let (ed, round, ids) = open_round(&app, 2).await;
    let a = judge(&app, "a@univ.ac.id", None).await;
    let d = judge(&app, "d@univ.ac.id", None).await;
    let dinkes = judge(&app, "staf@dinkes.go.id", Some("Dinas Kesehatan")).await;
    add_judges(&app, round, &[&a, &d, &dinkes]).await;

    // The official of the submitting unit cannot be assigned: nothing is assigned.
    let res = assign(&app, round, &dinkes, &ids).await;
    assert_eq!(
        res.status().as_u16(),
        422,
        "the board again, with the reason"
    );
    let board = res.text().await.unwrap();
    assert!(board.contains("konflik kepentingan dengan salah satu"));
    assert_eq!(assign(&app, round, &a, &ids).await.status().as_u16(), 303);
    let mine = live(&app, round).await;
    assert_eq!(mine.len(), 2, "only judge A: {mine:?}");
    let (a0, a1) = (mine[0].0, mine[1].0);
    let file = app
        .db({
            let e = ids[0];
            move |conn| biw::models::entry::files(conn, e).unwrap()[0].id
        })
        .await;

    // Nothing before the declaration.
    let html = app
        .get_with(&a.client, "/judge")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("id=\"declaration-{ed}\"")));
    assert!(
        !html.contains("Inovasi 0"),
        "entries hidden until the declaration"
    );
    assert_eq!(
        status_of(&app, &a, "GET", &format!("/judge/sheets/{a0}")).await,
        404
    );
    let res = app
        .post_form_with(&a.client, &format!("/judge/declaration/{ed}"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        status_of(&app, &a, "GET", &format!("/judge/sheets/{a0}")).await,
        404,
        "the box must be ticked"
    );
    declare(&app, &a, ed).await;
    assert_eq!(app.audit_count("declaration.accept").await, 1);
    let html = app
        .get_with(&a.client, "/judge")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Inovasi 0") && html.contains("Inovasi 1"));
    assert_eq!(
        status_of(&app, &a, "GET", &format!("/judge/sheets/{a0}")).await,
        200
    );
    assert_eq!(
        status_of(
            &app,
            &a,
            "GET",
            &format!("/entries/{}/files/{file}", ids[0])
        )
        .await,
        200
    );

    // Every route that names an entry, its files or a sheet, as the route table declares them.
    let named: Vec<&biw::web::routes::RouteInfo> = biw::web::routes::ROUTES
        .iter()
        .filter(|r| r.path.contains("{id}"))
        .filter(|r| r.path.starts_with("/judge/") || r.path.starts_with("/entries/"))
        .collect();
    assert!(
        named.len() >= 4,
        "the judge's entry routes are in the table: {named:?}"
    );
    let fill = |path: &str, assignment: i32| {
        if path.starts_with("/judge/") {
            path.replace("{id}", &assignment.to_string())
        } else {
            path.replace("{id}", &ids[0].to_string())
                .replace("{file}", &file.to_string())
        }
    };
    // An unassigned judge (declared) gets "not found" for A's sheet and the entry's files.
    declare_directly(&app, &d, ed).await;
    for r in &named {
        let path = fill(r.path, a0);
        assert_eq!(
            status_of(&app, &d, r.method, &path).await,
            404,
            "unassigned: {} {path}",
            r.method
        );
    }
    // A conflict set by an organiser withdraws A's assignment: the same routes are now 404 for A.
    let conflicts = format!("/organiser/editions/{ed}/judges/{}/conflicts", a.id);
    // Refused (no entry chosen, no reason): each is named and what was typed stays.
    for (entry, reason, key) in [
        (
            String::new(),
            "Pernah menjadi konsultan",
            "judging.choose_entry",
        ),
        (ids[0].to_string(), " ", "form.required"),
    ] {
        let res = app
            .post_form(&conflicts, &[("entry", &entry), ("reason", reason)])
            .await;
        assert_eq!(res.status().as_u16(), 422);
        let html = res.text().await.unwrap();
        assert!(
            html.contains(&biw::i18n::t(biw::i18n::Lang::Id, key, &[])),
            "{key}"
        );
        assert!(html.contains(&format!(
            r#"name="reason" maxlength="500" value="{reason}""#
        )));
        if !entry.is_empty() {
            assert!(html.contains(&format!(r#"<option value="{entry}" selected>"#)));
        }
    }
    let res = app
        .post_form(
            &conflicts,
            &[
                ("entry", &ids[0].to_string()),
                ("reason", "Pernah menjadi konsultan unit ini"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    for r in &named {
        let path = fill(r.path, a0);
        assert_eq!(
            status_of(&app, &a, r.method, &path).await,
            404,
            "conflicted: {} {path}",
            r.method
        );
    }
    let html = app
        .get_with(&a.client, "/judge")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("Inovasi 0") && html.contains("Inovasi 1"),
        "lists leave it out"
    );
    assert_eq!(
        status_of(&app, &a, "GET", &format!("/judge/sheets/{a1}")).await,
        200
    );
    let judge_page = app
        .page(&format!("/organiser/editions/{ed}/judges/{}", a.id))
        .await;
    assert!(judge_page.contains("Inovasi 0: Pernah menjadi konsultan unit ini"));
    let board = app
        .page(&format!("/organiser/rounds/{round}/assignments"))
        .await;
    assert!(
        board.contains("ditarik karena konflik"),
        "the organiser is told"
    );

    // A declares a conflict on the other entry: withdrawn, out of the queue, audited.
    let res = app
        .post_form_with(
            &a.client,
            &format!("/judge/sheets/{a1}/conflict"),
            &[("reason", "Kakak saya\nbekerja di sana")],
        )
        .await;
    // A reason on one line is needed; the refusal names it and keeps what was typed.
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains(&biw::i18n::t(
        biw::i18n::Lang::Id,
        "form.control_chars",
        &[]
    )));
    assert!(html.contains("Kakak saya"));
    assert_eq!(
        status_of(&app, &a, "GET", &format!("/judge/sheets/{a1}")).await,
        200,
        "a reason is required"
    );
    let res = app
        .post_form_with(
            &a.client,
            &format!("/judge/sheets/{a1}/conflict"),
            &[("reason", "Kakak saya bekerja di sana")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        status_of(&app, &a, "GET", &format!("/judge/sheets/{a1}")).await,
        404
    );
    assert!(live(&app, round).await.is_empty());
    assert_eq!(app.audit_count("conflict.declare").await, 1);
    assert_eq!(app.audit_count("conflict.set").await, 1);
}

async fn declare_directly(app: &TestApp, j: &Judge, ed: i32) {
    let id = j.id;
    app.db(move |conn| {
        biw::services::judging::accept_declaration(conn, &biw::audit::Actor::system(), id, ed)
            .unwrap()
    })
    .await;
}

#[tokio::test]
async fn automatic_assignment_meets_every_constraint_keeps_manual_choices_and_explains_the_rest() {
    let app = spawn_app().await;
    let (_, round, ids) = open_round(&app, 8).await;
    // Two entries come from another unit, which the Dinas Kesehatan official may judge.
    let other_unit = app
        .db(|conn| {
            units::table
                .filter(units::name.ne("Dinas Kesehatan"))
                .filter(units::parent_id.is_null())
                .select(units::id)
                .first::<i32>(conn)
                .unwrap()
        })
        .await;
    let moved = vec![ids[6], ids[7]];
    let m2 = moved.clone();
    app.db(move |conn| {
        diesel::update(entries::table.filter(entries::id.eq_any(&m2)))
            .set(entries::unit_id.eq(other_unit))
            .execute(conn)
            .unwrap()
    })
    .await;
    app.db(move |conn| {
        diesel::update(rounds::table.find(round))
            .set((rounds::judges_per_entry.eq(3), rounds::max_per_judge.eq(5)))
            .execute(conn)
            .unwrap()
    })
    .await;
    let mut js = Vec::new();
    for i in 0..4 {
        js.push(judge(&app, &format!("j{i}@univ.ac.id"), None).await);
    }
    let official = judge(&app, "staf@dinkes.go.id", Some("Dinas Kesehatan")).await;
    let all: Vec<&Judge> = js.iter().chain([&official]).collect();
    add_judges(&app, round, &all).await;
    assert_eq!(
        assign(&app, round, &js[0], &[ids[0]])
            .await
            .status()
            .as_u16(),
        303
    );

    let res = app
        .post_form(&format!("/organiser/rounds/{round}/assignments/auto"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("/organiser/rounds/{round}/assignments?show=short").as_str(),
        "a run that leaves entries short shows them"
    );
    let board = app
        .page(&format!("/organiser/rounds/{round}/assignments"))
        .await;
    let got = live(&app, round).await;
    // 8 entries × 3 = 24 wanted; the four outside judges take 5 each and the official only the
    // other unit's 2 entries: 22 is the most that can be placed.
    assert_eq!(got.len(), 22, "{got:?}");
    let mut per_judge = std::collections::HashMap::new();
    let mut per_entry = std::collections::HashMap::new();
    for (_, e, j, _) in &got {
        *per_judge.entry(*j).or_insert(0) += 1;
        *per_entry.entry(*e).or_insert(0) += 1;
        if *j == official.id {
            assert!(moved.contains(e), "never a conflicted pair");
        }
    }
    assert!(
        per_judge.values().all(|n| *n <= 5),
        "no judge over the limit: {per_judge:?}"
    );
    assert!(per_entry.values().all(|n| *n <= 3));
    assert!(
        got.iter()
            .any(|(_, e, j, s)| *e == ids[0] && *j == js[0].id && s == "manual"),
        "the manual choice is kept"
    );
    let missing: i32 = ids
        .iter()
        .map(|e| 3 - per_entry.get(e).copied().unwrap_or(0))
        .sum();
    assert_eq!(missing, 2, "the two places that cannot be filled");
    assert!(board.contains("belum mendapat cukup juri"), "{board}");
    let short = app
        .get(&format!("/organiser/rounds/{round}/assignments?show=short"))
        .await
        .text()
        .await
        .unwrap();
    assert!(short.contains("<strong class=\"warn\">Kurang "));
    // Every short entry says why, on the board itself: the outside judges are at their limit of
    // 5, and the official is conflicted on the entries of their own unit.
    for e in ids
        .iter()
        .filter(|e| per_entry.get(*e).copied().unwrap_or(0) < 3)
    {
        let n = per_entry.get(e).copied().unwrap_or(0);
        let why = short
            .split(&format!("id=\"why-{e}\">"))
            .nth(1)
            .and_then(|rest| rest.split("</span>").next())
            .unwrap_or_else(|| panic!("entry {e} explained: {short}"));
        let full = 4 - js
            .iter()
            .filter(|j| got.iter().any(|x| x.1 == *e && x.2 == j.id))
            .count();
        assert_eq!(
            why.split_whitespace().collect::<Vec<_>>().join(" "),
            format!(
                "Perlu 3 juri, ada {n}. Juri lain di babak ini: {}{full} sudah penuh.",
                if moved.contains(e) {
                    ""
                } else {
                    "1 berkonflik; "
                }
            ),
            "entry {e}"
        );
    }
    assert_eq!(
        short.matches("class=\"why\"").count(),
        ids.iter()
            .filter(|e| per_entry.get(*e).copied().unwrap_or(0) < 3)
            .count()
    );

    // Running it again changes nothing.
    app.post_form(&format!("/organiser/rounds/{round}/assignments/auto"), &[])
        .await;
    assert_eq!(live(&app, round).await, got);

    // One digest per judge, listing their entries; a second press sends nothing more.
    let res = app
        .post_form(&format!("/organiser/rounds/{round}/notify"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    app.post_form(&format!("/organiser/rounds/{round}/notify"), &[])
        .await;
    for j in &all {
        let mails = app.mails_to(&j.email).await;
        assert_eq!(mails.len(), 1, "{}", j.email);
        assert_eq!(mails[0].template, "assignment_digest");
        let n = per_judge.get(&j.id).copied().unwrap_or(0);
        assert!(
            mails[0].subject.contains(&format!("{n} inovasi")),
            "{}",
            mails[0].subject
        );
    }

    // Room for more per judge. An organiser withdraws a judge from an entry: the next run fills
    // the place with someone else and never brings that judge back.
    app.db(move |conn| {
        diesel::update(rounds::table.find(round))
            .set(rounds::max_per_judge.eq(10))
            .execute(conn)
            .unwrap()
    })
    .await;
    let (taken_off, e1) = got
        .iter()
        .find(|(_, e, j, _)| *j == js[1].id && !moved.contains(e))
        .map(|(a, e, _, _)| (*a, *e))
        .unwrap();
    let res = app
        .post_form(
            &format!("/organiser/rounds/{round}/assignments/withdraw"),
            &[
                ("assignment", &taken_off.to_string()),
                ("reason", "Kenal tim pengusul"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let auto = format!("/organiser/rounds/{round}/assignments/auto");
    app.post_form(&auto, &[]).await;
    let got = live(&app, round).await;
    let on_e1: Vec<i32> = got.iter().filter(|x| x.1 == e1).map(|x| x.2).collect();
    assert_eq!(on_e1.len(), 3, "filled again: {on_e1:?}");
    assert!(!on_e1.contains(&js[1].id), "the withdrawal stands");

    // A judge deactivated before scoring holds no place: every entry they had gets another
    // judge; where only the withdrawn one is left, the reason says so.
    let gone = js[2].id;
    app.db(move |conn| {
        diesel::update(biw::db::schema::users::table.find(gone))
            .set(biw::db::schema::users::active.eq(false))
            .execute(conn)
            .unwrap()
    })
    .await;
    let had: Vec<i32> = got.iter().filter(|x| x.2 == gone).map(|x| x.1).collect();
    assert!(had.contains(&e1), "{had:?}");
    app.post_form(&auto, &[]).await;
    let board = app
        .page(&format!("/organiser/rounds/{round}/assignments"))
        .await;
    let got = live(&app, round).await;
    for e in &had {
        let active = got.iter().filter(|x| x.1 == *e && x.2 != gone).count();
        assert_eq!(active, if *e == e1 { 2 } else { 3 }, "entry {e}");
    }
    // The short view lists it too: the deactivated judge's assignment is live but fills no place.
    let short = app
        .page(&format!("/organiser/rounds/{round}/assignments?show=short"))
        .await;
    assert!(short.contains(&format!("id=\"why-{e1}\"")), "{short}");
    assert!(
        board.contains("1 ditarik panitia dari inovasi ini"),
        "explained: {board}"
    );
    assert_counters_agree(&app).await;
}

/// The criteria of the round's rubric: (id, counted).
pub async fn criteria_of(app: &TestApp, round: i32) -> Vec<(i32, bool)> {
    app.db(move |conn| {
        let r = biw::models::round::find(conn, round).unwrap().unwrap();
        rubric::criteria(conn, r.rubric_id)
            .unwrap()
            .into_iter()
            .map(|c| (c.id, c.counted))
            .collect()
    })
    .await
}

pub fn sheet_form(criteria: &[(i32, bool)], score: &str, lock: i32) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = criteria
        .iter()
        .map(|(id, _)| (format!("score.{id}"), score.to_string()))
        .collect();
    f.push((
        "comment.".to_string() + &criteria[0].0.to_string(),
        "Data sebelum-sesudah jelas".into(),
    ));
    f.push(("overall".into(), "Layak lanjut".into()));
    f.push(("lock_version".into(), lock.to_string()));
    f
}

async fn sheet_row(app: &TestApp, assignment: i32) -> Option<(String, i32, Option<i32>)> {
    app.db(move |conn| {
        sheets::table
            .filter(sheets::assignment_id.eq(assignment))
            .select((sheets::status, sheets::lock_version, sheets::total_bp))
            .first(conn)
            .optional()
            .unwrap()
    })
    .await
}

#[tokio::test]
async fn scoring_lifecycle_from_draft_to_reopening_keeps_every_version() {
    let app = spawn_app().await;
    let (ed, round, ids) = open_round(&app, 1).await;
    let a = judge(&app, "a@univ.ac.id", None).await;
    add_judges(&app, round, &[&a]).await;
    assign(&app, round, &a, &ids).await;
    declare(&app, &a, ed).await;
    let aid = live(&app, round).await[0].0;
    let crit = criteria_of(&app, round).await;
    let path = format!("/judge/sheets/{aid}");

    // A draft, saved as the judge types.
    let mut partial = sheet_form(&crit, "4", 0);
    partial.retain(|(k, _)| k != &format!("score.{}", crit[5].0));
    let res = post_pairs(&app, &a.client, &format!("{path}/autosave"), &partial).await;
    assert_eq!(res.status().as_u16(), 200);
    let j: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(j["lock_version"], 1);
    assert_eq!(sheet_row(&app, aid).await, Some(("draft".into(), 1, None)));

    // The same page open in a second tab, still at version 0: refused, nothing lost or changed.
    let res = post_pairs(
        &app,
        &a.client,
        &format!("{path}/autosave"),
        &sheet_form(&crit, "1", 0),
    )
    .await;
    assert_eq!(res.status().as_u16(), 409);
    assert_eq!(sheet_row(&app, aid).await, Some(("draft".into(), 1, None)));

    // Submitting with a counted criterion unscored is refused, with the criterion named.
    let mut submit = partial.clone();
    submit.retain(|(k, _)| k != "lock_version");
    submit.push(("lock_version".into(), "1".into()));
    submit.push(("action".into(), "submit".into()));
    let res = post_pairs(&app, &a.client, &path, &submit).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Beri nilai untuk kriteria ini sebelum mengirim."));
    assert!(
        html.contains("Data sebelum-sesudah jelas"),
        "what was typed is kept"
    );
    // Out of range, and a criterion of another rubric: clear messages, nothing changes.
    let mut bad = sheet_form(&crit, "9", 1);
    bad.push(("action".into(), "submit".into()));
    let res = post_pairs(&app, &a.client, &path, &bad).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Pilih nilai dari skala yang tersedia.")
    );
    let other = rubric_from(&app, ed, "preset:kipp").await;
    let foreign = app
        .db(move |conn| rubric::criteria(conn, other).unwrap()[0].id)
        .await;
    let mut bad = sheet_form(&crit, "3", 1);
    bad.push((format!("score.{foreign}"), "3".into()));
    let res = post_pairs(&app, &a.client, &path, &bad).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("bukan milik rubrik"));
    assert_eq!(sheet_row(&app, aid).await, Some(("draft".into(), 1, None)));

    // Submit: all 4s on a 1–5 scale is 80.
    let mut good = sheet_form(&crit, "4", 1);
    good.push(("action".into(), "submit".into()));
    let res = post_pairs(&app, &a.client, &path, &good).await;
    assert_eq!(location(&res), "/judge");
    assert_eq!(
        sheet_row(&app, aid).await,
        Some(("submitted".into(), 2, Some(8_000)))
    );
    assert_eq!(app.audit_count("sheet.submit").await, 1);
    // Edited before the window closes: still submitted, a new version.
    let mut edit = sheet_form(&crit, "5", 2);
    edit.push(("action".into(), "save".into()));
    let res = post_pairs(&app, &a.client, &path, &edit).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        sheet_row(&app, aid).await,
        Some(("submitted".into(), 3, Some(10_000)))
    );

    // A second after closing, the server refuses.
    app.db(move |conn| {
        diesel::update(rounds::table.find(round))
            .set(rounds::closes_at.eq(biw::db::now() - chrono::Duration::seconds(1)))
            .execute(conn)
            .unwrap()
    })
    .await;
    let res = post_pairs(&app, &a.client, &path, &sheet_form(&crit, "2", 3)).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("sudah ditutup"));
    assert_eq!(
        sheet_row(&app, aid).await,
        Some(("submitted".into(), 3, Some(10_000)))
    );

    // Only an organiser reopens, with a reason; the judge is emailed and may edit again.
    let sheet_id = sheet_id_of(&app, aid).await;
    // A refusal brings the sheet back with the message and what was typed.
    let reopen = format!("/organiser/sheets/{sheet_id}/reopen");
    for (reason, days, message) in [
        ("", "2", "form.required"),
        ("Salah memasukkan nilai", "90", "objections.error_days"),
    ] {
        let res = app
            .post_form(&reopen, &[("reason", reason), ("days", days)])
            .await;
        assert_eq!(res.status().as_u16(), 422);
        let html = res.text().await.unwrap();
        let message = biw::i18n::t(biw::i18n::Lang::Id, message, &[]);
        assert!(html.contains(&message), "{message}");
        assert!(html.contains(&format!(
            r#"name="reason" maxlength="500" value="{reason}""#
        )));
        assert!(html.contains(&format!(r#"value="{days}""#)));
    }
    assert_eq!(sheet_row(&app, aid).await.unwrap().0, "submitted");
    let res = app
        .post_form(
            &format!("/organiser/sheets/{sheet_id}/reopen"),
            &[("reason", "Salah memasukkan nilai kebaruan"), ("days", "2")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(sheet_row(&app, aid).await.unwrap().0, "draft");
    let mails = app.mails_to(&a.email).await;
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.template == "sheet_reopened")
            .count(),
        1
    );
    assert!(
        mails
            .last()
            .unwrap()
            .body_text
            .contains("Salah memasukkan nilai kebaruan")
    );
    // The time given runs out before the judge submits: the organisers can give it again.
    app.db(move |conn| {
        diesel::update(sheets::table.find(sheet_id))
            .set(sheets::reopened_until.eq(Some(biw::db::now() - chrono::Duration::hours(1))))
            .execute(conn)
            .unwrap()
    })
    .await;
    let paper = app.page(&format!("/organiser/sheets/{aid}")).await;
    assert!(
        paper.contains(r#"id="reopen-sheet""#),
        "the reopen form is offered again"
    );
    let res = app
        .post_form(&reopen, &[("reason", "Waktu habis"), ("days", "1")])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let until: Option<chrono::NaiveDateTime> = app
        .db(move |conn| {
            sheets::table
                .find(sheet_id)
                .select(sheets::reopened_until)
                .first(conn)
                .unwrap()
        })
        .await;
    assert!(until.unwrap() > biw::db::now());
    let mut again = sheet_form(&crit, "3", 5);
    again.push(("action".into(), "submit".into()));
    let res = post_pairs(&app, &a.client, &path, &again).await;
    assert_eq!(location(&res), "/judge");
    assert_eq!(
        sheet_row(&app, aid).await,
        Some(("submitted".into(), 6, Some(6_000)))
    );

    // A sheet the judge scores online is not typed over from paper: it is reopened for them.
    let res = paper_submit(&app, aid, &crit, "4", 6).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Juri mengisi lembar ini secara daring")
    );
    // Every version is kept: who, when, what.
    let versions = app
        .db(move |conn| biw::models::sheet::versions(conn, sheet_id).unwrap())
        .await;
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6]
    );
    assert_eq!(versions[3].note, "Salah memasukkan nilai kebaruan");
    assert_eq!(versions[4].note, "Waktu habis");
    assert!(versions.iter().all(|v| !v.on_paper));
    assert!(versions[1].content.contains("\"score\":4"));
    // A judge who scored on paper: the organiser types the sheet in, and its history says so.
    let b = judge(&app, "b@univ.ac.id", None).await;
    add_judges(&app, round, &[&b]).await;
    assign(&app, round, &b, &ids).await;
    let on_paper = live(&app, round)
        .await
        .into_iter()
        .find(|x| x.2 == b.id)
        .unwrap()
        .0;
    let res = paper_submit(&app, on_paper, &crit, "4", 0).await;
    assert_eq!(res.status().as_u16(), 303);
    let history = app.page(&format!("/organiser/sheets/{on_paper}")).await;
    assert!(history.contains("dimasukkan dari lembar kertas"));

    // Exports: one row per sheet and criterion, headers in Indonesian.
    let csv = app
        .get(&format!("/organiser/rounds/{round}/sheets.csv"))
        .await;
    assert_eq!(csv.headers()["cache-control"], "no-store");
    let text = csv.text().await.unwrap();
    assert!(text.contains("Babak,No. inovasi,Inovasi"));
    assert_eq!(text.lines().count(), 1 + 2 * crit.len(), "two sheets");
    // A criterion left blank (no score row kept) still has its row, its score cell empty.
    let blank = crit[0].0;
    app.db(move |conn| {
        use biw::db::schema::sheet_scores;
        diesel::delete(
            sheet_scores::table
                .filter(sheet_scores::sheet_id.eq(sheet_id))
                .filter(sheet_scores::criterion_id.eq(blank)),
        )
        .execute(conn)
        .unwrap()
    })
    .await;
    let text = app
        .page(&format!("/organiser/rounds/{round}/sheets.csv"))
        .await;
    assert_eq!(text.lines().count(), 1 + 2 * crit.len());
    let xlsx = app
        .get(&format!("/organiser/rounds/{round}/sheets.xlsx"))
        .await;
    assert_eq!(xlsx.status().as_u16(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    assert_counters_agree(&app).await;
}

#[tokio::test]
async fn judges_never_see_each_others_scores_and_late_judges_are_reminded_once_each() {
    let app = spawn_app().await;
    let (ed, round, ids) = open_round(&app, 2).await;
    let a = judge(&app, "a@univ.ac.id", None).await;
    let b = judge(&app, "b@univ.ac.id", None).await;
    add_judges(&app, round, &[&a, &b]).await;
    assign(&app, round, &a, &ids).await;
    assign(&app, round, &b, &ids).await;
    declare(&app, &a, ed).await;
    declare(&app, &b, ed).await;
    let crit = criteria_of(&app, round).await;
    let mine = live(&app, round).await;
    let a_first = mine.iter().find(|x| x.2 == a.id).unwrap().0;
    let b_first = mine
        .iter()
        .find(|x| x.2 == b.id && x.1 == ids[0])
        .unwrap()
        .0;
    let mut f = sheet_form(&crit, "5", 0);
    f.push(("overall".into(), "Catatan rahasia juri A".into()));
    f.push(("action".into(), "submit".into()));
    post_pairs(&app, &a.client, &format!("/judge/sheets/{a_first}"), &f).await;
    let page = app
        .get_with(&b.client, &format!("/judge/sheets/{b_first}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Catatan rahasia juri A") && !page.contains("Data sebelum-sesudah"));
    // B may not open A's sheet either.
    assert_eq!(
        app.get_with(&b.client, &format!("/judge/sheets/{a_first}"))
            .await
            .status()
            .as_u16(),
        404
    );

    // Reminding twice before the first has gone (a double click) leaves one reminder each.
    for _ in 0..2 {
        let res = app
            .post_form(&format!("/organiser/rounds/{round}/remind"), &[])
            .await;
        assert_eq!(res.status().as_u16(), 303);
    }
    let live = |mails: Vec<biw::models::outbox::OutboxMail>| -> Vec<_> {
        mails
            .into_iter()
            .filter(|m| m.template == "judge_reminder" && m.status != "withdrawn")
            .collect()
    };
    assert_eq!(
        live(app.mails_to(&a.email).await).len(),
        1,
        "A has one left"
    );
    let to_b = live(app.mails_to(&b.email).await);
    assert_eq!(to_b.len(), 1);
    let reminder = &to_b[0];
    assert!(
        reminder.subject.contains("2 lembar"),
        "{}",
        reminder.subject
    );
    assert!(reminder.body_text.contains("Inovasi 0") && reminder.body_text.contains("Inovasi 1"));
    // A reminder a worker holds may be with the mail server already, where no withdrawal reaches
    // it: reminding again leaves it to go and queues no second one; A's waiting one is replaced.
    let on_its_way = reminder.id;
    app.db(move |conn| {
        use biw::db::schema::outbox;
        diesel::update(outbox::table.find(on_its_way))
            .set(outbox::status.eq("sending"))
            .execute(conn)
            .unwrap();
    })
    .await;
    let a_before = live(app.mails_to(&a.email).await)[0].id;
    let res = app
        .post_form(&format!("/organiser/rounds/{round}/remind"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let to_b = live(app.mails_to(&b.email).await);
    assert_eq!(
        to_b.iter()
            .map(|m| (m.id, m.status.as_str()))
            .collect::<Vec<_>>(),
        [(on_its_way, "sending")]
    );
    let to_a = live(app.mails_to(&a.email).await);
    assert_eq!(to_a.len(), 1);
    assert_ne!(to_a[0].id, a_before, "replaced");
    let detail: String = app
        .db(|conn| {
            use biw::db::schema::audit_events;
            audit_events::table
                .filter(audit_events::action.eq("round.remind"))
                .order(audit_events::id.desc())
                .select(audit_events::detail)
                .first(conn)
                .unwrap()
        })
        .await;
    let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(
        (
            detail["judges"].as_i64(),
            detail["already_sending"].as_i64()
        ),
        (Some(2), Some(1))
    );

    // Two days before the round closes the worker reminds them by itself, once.
    closing_in_a_day_the_scheduler_ticks(&app, round).await;
    // (It replaces the organisers' reminder where that has not gone out yet.)
    let reminders = |mails: Vec<biw::models::outbox::OutboxMail>| {
        mails
            .iter()
            .filter(|m| m.template == "judge_reminder")
            .count()
    };
    assert_eq!(reminders(app.mails_to(&a.email).await), 4);
    assert_eq!(live(app.mails_to(&a.email).await).len(), 1);
    assert_eq!(live(app.mails_to(&b.email).await).len(), 1);
    assert_counters_agree(&app).await;
}

#[tokio::test]
async fn a_conflict_found_after_assignment_withdraws_it_and_keeps_the_draft_hidden() {
    let app = spawn_app().await;
    let (round, a, aid, _) = a_judge_with_a_draft(&app).await;

    // The organiser records that the judge now works for the submitting unit.
    let dinkes = app.unit_id("Dinas Kesehatan").await;
    move_judge(&app, &a, dinkes).await;
    assert!(live(&app, round).await.is_empty(), "withdrawn");
    let html = app.page(&format!("/organiser/users/{}", a.id)).await;
    assert!(
        html.contains("Perpindahan ini menimbulkan konflik kepentingan: 1 penugasan ditarik."),
        "{html}"
    );
    assert!(!html.contains("tetap ada"), "nothing was kept: {html}");
    assert_eq!(
        sheet_row(&app, aid).await.unwrap().0,
        "draft",
        "the draft is kept"
    );
    assert_eq!(
        app.get_with(&a.client, &format!("/judge/sheets/{aid}"))
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(app.audit_count("assignment.withdraw").await, 1);
    assert_counters_agree(&app).await;
}

/// Moving a unit under the unit a judge works for withdraws the judge's assignments on the moved
/// unit's entries, and the organiser is told on the unit's page.
#[tokio::test]
async fn a_unit_moved_under_a_judges_unit_withdraws_and_says_so() {
    let app = spawn_app().await;
    let (ed, round, ids) = open_round(&app, 2).await;
    let a = judge(&app, "a@univ.ac.id", None).await;
    add_judges(&app, round, &[&a]).await;
    assign(&app, round, &a, &ids).await;
    declare(&app, &a, ed).await;
    let (dinkes, jatiasih) = (
        app.unit_id("Dinas Kesehatan").await,
        app.unit_id("Kecamatan Jatiasih").await,
    );
    move_judge(&app, &a, jatiasih).await;
    assert_eq!(live(&app, round).await.len(), 2, "no conflict yet");
    let kind = app
        .db(move |conn| {
            biw::models::unit::find(conn, dinkes)
                .unwrap()
                .unwrap()
                .unit_type
        })
        .await;
    let page = format!("/organiser/units/{dinkes}");
    let res = app
        .post_form(
            &page,
            &[
                ("name", "Dinas Kesehatan"),
                ("unit_type", &kind),
                ("parent_id", &jatiasih.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(live(&app, round).await.is_empty(), "withdrawn");
    let html = app.page(&page).await;
    assert!(
        html.contains("Perpindahan ini menimbulkan konflik kepentingan: 2 penugasan ditarik."),
        "{html}"
    );
    assert_counters_agree(&app).await;
}

/// The queue hides an entry whose unit became the judge's unit's parent or child after the
/// assignment (a change made behind the services' backs, so no sweep withdrew it), and shows it
/// again when the units part.
#[tokio::test]
async fn the_judges_queue_hides_entries_of_a_parent_or_child_unit() {
    let app = spawn_app().await;
    let (ed, round, ids) = open_round(&app, 2).await;
    let j = judge(&app, "q@univ.ac.id", None).await;
    add_judges(&app, round, &[&j]).await;
    assert_eq!(assign(&app, round, &j, &ids).await.status().as_u16(), 303);
    declare(&app, &j, ed).await;
    let judge_id = j.id;
    let (entry_unit, other_unit) = app
        .db(move |conn| {
            let eu: i32 = entries::table
                .find(ids[0])
                .select(entries::unit_id)
                .first(conn)
                .unwrap();
            let other: i32 = units::table
                .filter(units::id.ne(eu))
                .filter(units::parent_id.is_null())
                .select(units::id)
                .first(conn)
                .unwrap();
            diesel::update(users::table.find(judge_id))
                .set(users::unit_id.eq(other))
                .execute(conn)
                .unwrap();
            (eu, other)
        })
        .await;
    let queue = |app: &TestApp| {
        let c = j.client.clone();
        let url = format!("{}/judge", app.address);
        async move { c.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let shown = queue(&app).await;
    assert!(
        shown.contains("Inovasi 0") && shown.contains("Inovasi 1"),
        "{shown}"
    );
    let set_parent = |unit: i32, parent: Option<i32>| {
        app.db(move |conn| {
            diesel::update(units::table.find(unit))
                .set(units::parent_id.eq(parent))
                .execute(conn)
                .unwrap();
        })
    };
    let was = app
        .db(move |conn| {
            units::table
                .find(entry_unit)
                .select(units::parent_id)
                .first::<Option<i32>>(conn)
                .unwrap()
        })
        .await;
    // The judge's unit over the entry's unit, then the entry's unit over the judge's unit.
    for (unit, parent, undo) in [
        (entry_unit, other_unit, None),
        (other_unit, entry_unit, Some((entry_unit, was))),
    ] {
        if let Some((u, p)) = undo {
            set_parent(u, p).await;
        }
        set_parent(unit, Some(parent)).await;
        let hidden = queue(&app).await;
        assert!(
            !hidden.contains("Inovasi 0") && !hidden.contains("Inovasi 1"),
            "{hidden}"
        );
    }
    // Apart again: listed again.
    set_parent(other_unit, None).await;
    let shown = queue(&app).await;
    assert!(
        shown.contains("Inovasi 0") && shown.contains("Inovasi 1"),
        "{shown}"
    );
}

#[tokio::test]
async fn the_demo_holds_a_judged_last_year_and_a_round_in_progress_with_every_sheet_state() {
    let app = spawn_app().await;
    let state = app.state.clone();
    app.db(move |conn| biw::services::demo::load(conn, &state).unwrap())
        .await;
    app.assert_tallies_agree().await;
    let (past_open, states) = app
        .db(|conn| {
            use biw::db::schema::{editions, rounds};
            let past: i32 = editions::table
                .filter(editions::year.eq(2025))
                .select(editions::id)
                .first(conn)
                .unwrap();
            // Live assignments of last year's rounds without a submitted sheet: none.
            let open: i64 = assignments::table
                .inner_join(rounds::table)
                .left_join(sheets::table.on(sheets::assignment_id.eq(assignments::id)))
                .filter(rounds::edition_id.eq(past))
                .filter(assignments::withdrawn_at.is_null())
                .filter(sheets::status.is_null().or(sheets::status.ne("submitted")))
                .count()
                .get_result(conn)
                .unwrap();
            let rounds_2025: i64 = rounds::table
                .filter(rounds::edition_id.eq(past))
                .count()
                .get_result(conn)
                .unwrap();
            assert_eq!(rounds_2025, 2);
            let published: i64 = rounds::table
                .filter(rounds::edition_id.eq(past))
                .filter(rounds::published_at.is_not_null())
                .count()
                .get_result(conn)
                .unwrap();
            assert_eq!(published, 2, "last year's results are published");
            // It ends with awards and a national shortlist whose first entry is under way.
            let awards = biw::services::results::awards(conn, past, false)
                .unwrap()
                .unwrap();
            assert!(awards.awards.iter().any(|a| a.kind == "unit"));
            assert!(awards.awards.iter().any(|a| a.kind == "entry"));
            let listed = biw::services::shortlist::list(conn, past).unwrap();
            assert_eq!(listed.len(), 10);
            assert!(listed.iter().all(|r| r.notified_at.is_some()));
            assert!(listed[0].readiness.score > 0);
            let judge: i32 = users::table
                .filter(users::email.eq("juri@demo.biw.id"))
                .select(users::id)
                .first(conn)
                .unwrap();
            let queue = biw::services::judging::queue(conn, judge, None).unwrap();
            let this_year = &queue[0].rounds[0];
            let mut states: Vec<String> = this_year.items.iter().map(|i| i.sheet.clone()).collect();
            states.sort();
            states.dedup();
            (open, states)
        })
        .await;
    assert_eq!(past_open, 0, "every sheet of BIW 2025 is submitted");
    assert_eq!(states, vec!["draft", "none", "submitted"]);
    // The demo judge logs in and sees it.
    let client = new_client();
    app.login_with(&client, "juri@demo.biw.id", "juri-demo-2026")
        .await;
    let html = app.get_with(&client, "/judge").await.text().await.unwrap();
    assert!(html.contains("lembar nilai dikirim"));
    assert_counters_agree(&app).await;
}

/// A one-judge round of the same edition and rubric after `round`, open for a week.
async fn following_round(app: &TestApp, round: i32) -> i32 {
    let (ed, rubric) = app
        .db(move |conn| {
            let r = biw::models::round::find(conn, round).unwrap().unwrap();
            (r.edition_id, r.rubric_id)
        })
        .await;
    let now = biw::db::now();
    let day = chrono::Duration::days(1);
    let res = post_round(
        app,
        ed,
        "Presentasi",
        rubric,
        (now - day, now + day * 7),
        "1",
    )
    .await;
    location(&res).rsplit('/').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_presentation_schedule_reaches_the_units_and_the_judges_running_order() {
    let app = spawn_app().await;
    let (ed, desk, ids) = open_round(&app, 2).await;
    let round = following_round(&app, desk).await;
    let now = biw::db::now();
    let day = chrono::Duration::days(1);
    app.db(move |conn| {
        diesel::update(rounds::table.find(round))
            .set(rounds::kind.eq("presentation"))
            .execute(conn)
            .unwrap()
    })
    .await;
    let (e0, e1) = (ids[0].to_string(), ids[1].to_string());
    app.post_form(
        &format!("/organiser/rounds/{round}/entries"),
        &[("entry", &e0), ("entry", &e1)],
    )
    .await;
    let a = judge(&app, "a@univ.ac.id", None).await;
    add_judges(&app, round, &[&a]).await;
    assign(&app, round, &a, &ids).await;
    declare(&app, &a, ed).await;

    // Bad slots: named, what was typed shown back, nothing saved.
    let path = format!("/organiser/rounds/{round}/schedule");
    let res = app
        .post_form(
            &path,
            &[
                (&format!("slot.{e0}.at"), "besok pagi"),
                (&format!("slot.{e0}.minutes"), "2"),
                (&format!("slot.{e0}.place"), "Ruang Rapat"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Lama presentasi 5 sampai 480 menit."));
    assert!(html.contains("value=\"besok pagi\""));
    let slots = app
        .db(move |conn| biw::services::judging::slots(conn, round).unwrap())
        .await;
    assert!(slots.iter().all(|s| s.3.is_none()));

    let tomorrow = (now + day).date().and_hms_opt(2, 0, 0).unwrap(); // 09:00 WIB
    let at = |h: i64| biw::time::to_jakarta_local(tomorrow + chrono::Duration::hours(h));
    let (nine, ten) = (at(0), at(1));
    let res = app
        .post_form(
            &path,
            &[
                (&format!("slot.{e0}.at"), ten.as_str()),
                (&format!("slot.{e0}.minutes"), "20"),
                (&format!("slot.{e0}.place"), "https://zoom.us/j/123"),
                (&format!("slot.{e1}.at"), nine.as_str()),
                (&format!("slot.{e1}.minutes"), ""),
                (&format!("slot.{e1}.place"), "Ruang Rapat Bappelitbangda"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let send = format!("/organiser/rounds/{round}/schedule/send");
    app.post_form(&send, &[]).await;
    app.post_form(&send, &[]).await;
    let slot_mails = |email: &'static str| {
        let app = &app;
        async move {
            app.mails_to(email)
                .await
                .into_iter()
                .filter(|m| m.template == "presentation_slot")
                .collect::<Vec<_>>()
        }
    };
    let to_staff = slot_mails("staf@dinkes.biw.id").await;
    assert_eq!(to_staff.len(), 2, "one per entry, once");
    assert!(
        to_staff
            .iter()
            .any(|m| m.body_text.contains("https://zoom.us/j/123"))
    );
    // A changed slot is announced again, alone.
    app.post_form(
        &path,
        &[
            (&format!("slot.{e0}.at"), ten.as_str()),
            (&format!("slot.{e0}.minutes"), "20"),
            (&format!("slot.{e0}.place"), "Aula Pemkot"),
            (&format!("slot.{e1}.at"), nine.as_str()),
            (&format!("slot.{e1}.minutes"), "20"),
            (&format!("slot.{e1}.place"), "Ruang Rapat Bappelitbangda"),
        ],
    )
    .await;
    app.post_form(&send, &[]).await;
    let to_staff = slot_mails("staf@dinkes.biw.id").await;
    assert_eq!(to_staff.len(), 3);
    assert!(to_staff[2].body_text.contains("Aula Pemkot"));

    // The unit sees its slots; the judge sees the running order.
    let opd = new_client();
    app.login_with(&opd, "staf@dinkes.biw.id", PASSWORD).await;
    let html = app.get_with(&opd, "/opd").await.text().await.unwrap();
    assert!(html.contains("Jadwal presentasi Anda") && html.contains("Aula Pemkot"));
    let html = app
        .get_with(&a.client, "/judge")
        .await
        .text()
        .await
        .unwrap();
    let section = &html[html.find("Presentasi</h3>").unwrap()..];
    assert!(
        section.find("Inovasi 1").unwrap() < section.find("Inovasi 0").unwrap(),
        "09:00 before 10:00"
    );
}

#[tokio::test]
async fn the_board_withdraws_ticked_assignments_together_all_or_none() {
    let app = spawn_app().await;
    let (ed, round, ids) = open_round(&app, 2).await;
    let a = judge(&app, "a@univ.ac.id", None).await;
    let b = judge(&app, "b@univ.ac.id", None).await;
    add_judges(&app, round, &[&a, &b]).await;
    assign(&app, round, &a, &ids).await;
    assign(&app, round, &b, &ids).await;
    declare(&app, &a, ed).await;
    let all = live(&app, round).await;
    assert_eq!(all.len(), 4);
    let on = |j: &Judge, e: i32| {
        all.iter()
            .find(|x| x.2 == j.id && x.1 == e)
            .unwrap()
            .0
            .to_string()
    };
    // A starts on the first entry.
    let crit = criteria_of(&app, round).await;
    let res = post_pairs(
        &app,
        &a.client,
        &format!("/judge/sheets/{}/autosave", on(&a, ids[0])),
        &sheet_form(&crit, "3", 0),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    // The board offers one checkbox per live assignment in one withdrawal form.
    let board = app
        .page(&format!("/organiser/rounds/{round}/assignments"))
        .await;
    for (id, ..) in &all {
        assert!(board.contains(&format!(
            "name=\"assignment\" value=\"{id}\" form=\"bulk-withdraw\""
        )));
    }
    let withdraw = format!("/organiser/rounds/{round}/assignments/withdraw");
    let (a0, b0, b1) = (on(&a, ids[0]), on(&b, ids[0]), on(&b, ids[1]));

    // Nothing ticked, a started sheet without a reason, or an assignment of another round:
    // refused, and nothing is withdrawn.
    // The board comes back with the message and keeps what was ticked and typed.
    let res = app
        .post_form(
            &withdraw,
            &[
                ("reason", "Juri berhalangan"),
                ("page", "1"),
                ("jpage", "1"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Centang sedikitnya satu juri"), "{html}");
    assert!(
        html.contains(r#"value="Juri berhalangan""#),
        "the reason is kept"
    );
    let res = app
        .post_form(
            &withdraw,
            &[("assignment", &b0), ("assignment", &a0), ("reason", " ")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Juri ini sudah mulai menilai: tuliskan alasannya."));
    for ticked in [&b0, &a0] {
        assert!(
            html.contains(&format!(r#"id="wd-{ticked}" checked"#)),
            "assignment {ticked} stays ticked"
        );
    }
    assert!(!html.contains(&format!(r#"id="wd-{b1}" checked"#)));
    // Assigning with entries ticked and no judge chosen: the ticks stay.
    let res = app
        .post_form(
            &format!("/organiser/rounds/{round}/assignments"),
            &[("entry", &ids[1].to_string()), ("judge", "")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!(r#"id="pick-{}" checked"#, ids[1])),
        "{html}"
    );
    assert_eq!(live(&app, round).await.len(), 4, "all or none");
    let res = app
        .post_form(
            &format!("/organiser/rounds/{}/assignments/withdraw", round + 1000),
            &[("assignment", &b0), ("reason", "x")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(live(&app, round).await.len(), 4);

    // Not started: withdrawn together without a reason; started: with one.
    let res = app
        .post_form(&withdraw, &[("assignment", &b0), ("assignment", &b1)])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(
        app.page(&format!("/organiser/rounds/{round}/assignments"))
            .await
            .contains("2 penugasan dilepas")
    );
    let res = app
        .post_form(
            &withdraw,
            &[("assignment", &a0), ("reason", "Berhalangan hadir")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let left = live(&app, round).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0.to_string(), on(&a, ids[1]));
    // An assignment already withdrawn cannot be withdrawn again.
    let res = app
        .post_form(&withdraw, &[("assignment", &a0), ("reason", "lagi")])
        .await;
    assert_eq!(res.status().as_u16(), 404);
    assert_counters_agree(&app).await;
}

#[tokio::test]
async fn withdrawing_a_started_assignment_or_taking_its_judge_off_needs_a_reason() {
    let app = spawn_app().await;
    let (ed, round, ids) = open_round(&app, 1).await;
    let a = judge(&app, "a@univ.ac.id", None).await;
    let b = judge(&app, "b@univ.ac.id", None).await;
    add_judges(&app, round, &[&a, &b]).await;
    assign(&app, round, &a, &ids).await;
    assign(&app, round, &b, &ids).await;
    declare(&app, &a, ed).await;
    let all = live(&app, round).await;
    let of = |j: &Judge| all.iter().find(|x| x.2 == j.id).unwrap().0;
    let (aa, ab) = (of(&a), of(&b));
    let crit = criteria_of(&app, round).await;
    let res = post_pairs(
        &app,
        &a.client,
        &format!("/judge/sheets/{aa}/autosave"),
        &sheet_form(&crit, "3", 0),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);

    // Not started: withdrawn without a reason.
    let res = app
        .post_form(
            &format!("/organiser/assignments/{ab}/remove"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(live(&app, round).await.len(), 1);
    // Started: refused without a reason, for the assignment and for taking the judge off the round.
    let res = app
        .post_form(
            &format!("/organiser/assignments/{aa}/remove"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let board = app
        .page(&format!("/organiser/rounds/{round}/assignments"))
        .await;
    assert!(board.contains("Juri ini sudah mulai menilai: tuliskan alasannya."));
    let remove = format!("/organiser/rounds/{round}/judges/remove");
    let a_id = a.id.to_string();
    let res = app.post_form(&remove, &[("reason", "")]).await;
    assert_eq!(res.status().as_u16(), 422, "nothing ticked");
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Centang sedikitnya satu juri untuk dikeluarkan.")
    );
    let res = app
        .post_form(&remove, &[("judge", a_id.as_str()), ("reason", "")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let board = res.text().await.unwrap();
    assert!(board.contains("Juri ini sudah mulai menilai: tuliskan alasannya."));
    assert!(
        board.contains(&format!(r#"id="rj-{a_id}" checked"#)),
        "the tick is kept"
    );
    assert_eq!(live(&app, round).await.len(), 1, "still assigned");
    // A judge who is not on the round refuses the whole request: nobody comes off.
    let res = app
        .post_form(
            &remove,
            &[
                ("judge", a_id.as_str()),
                ("judge", "999999"),
                ("reason", "Sakit"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let board = res.text().await.unwrap();
    assert!(board.contains("Salah satu juri yang dicentang sudah tidak ada di babak ini"));
    assert!(board.contains(r#"value="Sakit""#), "the reason is kept");
    assert_eq!(live(&app, round).await.len(), 1, "all or none");
    let res = app
        .post_form(
            &remove,
            &[
                ("judge", a_id.as_str()),
                ("judge", a_id.as_str()),
                ("reason", "Mengundurkan diri karena sakit"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303, "a box sent twice counts once");
    assert!(live(&app, round).await.is_empty());
    let (reason, kept) = app
        .db(move |conn| {
            let reason: String = assignments::table
                .find(aa)
                .select(assignments::withdrawn_reason)
                .first(conn)
                .unwrap();
            let kept = biw::models::sheet::for_assignment(conn, aa)
                .unwrap()
                .is_some();
            (reason, kept)
        })
        .await;
    assert_eq!(reason, "Mengundurkan diri karena sakit");
    assert!(kept, "the draft is kept");
    assert_eq!(app.audit_count("round.remove_judge").await, 1);
    assert_eq!(app.audit_count("assignment.remove").await, 1);
    assert_counters_agree(&app).await;
    // Back on the round and assigned again: the kept draft counts again.
    add_judges(&app, round, &[&a]).await;
    assert_counters_agree(&app).await;
    assign(&app, round, &a, &ids).await;
    assert_eq!(live(&app, round).await.len(), 1);
    assert_counters_agree(&app).await;
}

/// The first entry of an open round, scored and submitted by `a` through the form.
async fn submit_all(app: &TestApp, j: &Judge, assignment: i32, round: i32, score: &str) {
    let crit = criteria_of(app, round).await;
    let lock = sheet_row(app, assignment).await.map_or(0, |s| s.1);
    let mut form = sheet_form(&crit, score, lock);
    form.push(("action".into(), "submit".into()));
    let res = post_pairs(
        app,
        &j.client,
        &format!("/judge/sheets/{assignment}"),
        &form,
    )
    .await;
    assert_eq!(res.status().as_u16(), 303, "submitted");
}

#[tokio::test]
async fn a_new_rubric_version_under_an_open_sheet_keeps_what_the_judge_typed() {
    let app = spawn_app().await;
    let (ed, round, ids) = open_round(&app, 1).await;
    let a = judge(&app, "a@univ.ac.id", None).await;
    let b = judge(&app, "b@univ.ac.id", None).await;
    add_judges(&app, round, &[&a, &b]).await;
    assign(&app, round, &a, &ids).await;
    assign(&app, round, &b, &ids).await;
    declare(&app, &a, ed).await;
    declare(&app, &b, ed).await;
    let got = live(&app, round).await;
    let (aid_a, aid_b) = (got[0].0, got[1].0);
    // B's page holds the criteria of version 1; an autosave made the sheet's version 1.
    let v1_crit = criteria_of(&app, round).await;
    let res = post_pairs(
        &app,
        &b.client,
        &format!("/judge/sheets/{aid_b}/autosave"),
        &sheet_form(&v1_crit, "4", 0),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    // A submits, so the rubric is locked; the organiser's edit makes version 2.
    submit_all(&app, &a, aid_a, round, "4").await;
    let v1 = app
        .db(move |conn| {
            rounds::table
                .find(round)
                .select(rounds::rubric_id)
                .first::<i32>(conn)
                .unwrap()
        })
        .await;
    let mut form =
        crate::helpers::form_fields(&app.page(&format!("/organiser/rubrics/{v1}")).await);
    crate::rubrics::set(&mut form, "c.0.weight", "30");
    form.push(("c.5.removed".into(), "1".into()));
    let res = post_pairs(
        &app,
        &app.client,
        &format!("/organiser/rubrics/{v1}"),
        &form,
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    let v2_crit = criteria_of(&app, round).await;
    assert_eq!(v2_crit.len(), 5);
    assert!(v2_crit.iter().all(|c| !v1_crit.contains(c)), "new ids");
    assert_eq!(
        sheet_row(&app, aid_b).await.map(|s| s.1),
        Some(2),
        "the moved draft is at a new version"
    );
    // B saves from the old page: refused as out of date, what B typed is on the new criteria.
    let mut typed = sheet_form(&v1_crit, "2", 1);
    typed.push(("action".into(), "save".into()));
    let res = post_pairs(&app, &b.client, &format!("/judge/sheets/{aid_b}"), &typed).await;
    assert_eq!(res.status().as_u16(), 409);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Data sebelum-sesudah jelas"),
        "the comment follows its criterion to version 2"
    );
    assert!(
        html.contains(&format!("name=\"comment.{}\"", v2_crit[0].0)),
        "drawn on version 2"
    );
    assert_eq!(sheet_row(&app, aid_b).await.map(|s| s.1), Some(2));
    // Another rubric cannot take over once sheets are begun: totals on two rubrics do not rank
    // together. The form comes back with the choice made.
    let other = crate::rubrics::rubric_from(&app, ed, "preset:default").await;
    let mut form = app
        .db(move |conn| {
            let r = biw::models::round::find(conn, round).unwrap().unwrap();
            biw::services::rounds::RoundInput::from_round(&r)
        })
        .await;
    form.rubric_id = other.to_string();
    let res = app
        .post_form(
            &format!("/organiser/rounds/{round}"),
            &[
                ("name_id", form.name_id.as_str()),
                ("kind", &form.kind),
                ("rubric_id", &form.rubric_id),
                ("opens_at", &form.opens_at),
                ("closes_at", &form.closes_at),
                ("judges_per_entry", &form.judges_per_entry),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Juri sudah mulai mengisi lembar penilaian babak ini"));
    assert!(html.contains(&format!(r#"value="{other}" selected"#)));
    let kept = app
        .db(move |conn| biw::models::round::find(conn, round).unwrap().unwrap())
        .await;
    assert_ne!(kept.rubric_id, other);
}

#[tokio::test]
async fn a_conflict_declared_in_one_round_leaves_scores_standing_in_a_closed_one() {
    let app = spawn_app().await;
    let (ed, round1, ids) = open_round(&app, 1).await;
    let a = judge(&app, "a@univ.ac.id", None).await;
    add_judges(&app, round1, &[&a]).await;
    assign(&app, round1, &a, &ids).await;
    declare(&app, &a, ed).await;
    let aid1 = live(&app, round1).await[0].0;
    submit_all(&app, &a, aid1, round1, "4").await;
    // Round 1 closes (not frozen); the entry goes on to round 2, where A judges it again.
    let rubric = app
        .db(move |conn| {
            let now = biw::db::now();
            diesel::update(rounds::table.find(round1))
                .set(rounds::closes_at.eq(now - chrono::Duration::seconds(1)))
                .execute(conn)
                .unwrap();
            rounds::table
                .find(round1)
                .select(rounds::rubric_id)
                .first::<i32>(conn)
                .unwrap()
        })
        .await;
    let now = biw::db::now();
    let day = chrono::Duration::days(1);
    let res = post_round(&app, ed, "Presentasi", rubric, (now - day, now + day), "1").await;
    assert_eq!(res.status().as_u16(), 303);
    let round2: i32 = location(&res).rsplit('/').next().unwrap().parse().unwrap();
    let res = app
        .post_form(
            &format!("/organiser/rounds/{round2}/entries"),
            &[("entry", &ids[0].to_string())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    add_judges(&app, round2, &[&a]).await;
    assign(&app, round2, &a, &ids).await;
    let aid2 = live(&app, round2).await[0].0;
    // A field check still to come, where A is already down for the same entry.
    let window = (now + day * 3, now + day * 5);
    let res = post_round(&app, ed, "Verifikasi lapangan", rubric, window, "1").await;
    let round3: i32 = location(&res).rsplit('/').next().unwrap().parse().unwrap();
    let res = app
        .post_form(
            &format!("/organiser/rounds/{round3}/entries"),
            &[("entry", &ids[0].to_string())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    add_judges(&app, round3, &[&a]).await;
    assign(&app, round3, &a, &ids).await;
    assert_eq!(live(&app, round3).await.len(), 1);
    let res = app
        .post_form_with(
            &a.client,
            &format!("/judge/sheets/{aid2}/conflict"),
            &[("reason", "Saudara saya kepala dinasnya")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(
        live(&app, round2).await.is_empty(),
        "withdrawn where declared"
    );
    assert!(
        live(&app, round3).await.is_empty(),
        "and in the round still to come, where it would count A for an entry A cannot open"
    );
    assert_eq!(
        live(&app, round1).await.len(),
        1,
        "the closed round's submitted sheet still counts"
    );
    // The conflict is on record: the judge no longer reaches the entry in any round, and the
    // organisers decide about the closed one.
    let res = app
        .post_form_with(
            &a.client,
            &format!("/judge/sheets/{aid1}/conflict"),
            &[("reason", "Saudara saya kepala dinasnya")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(live(&app, round1).await.len(), 1);
}

/// A round frozen while its window is still open is left out of the scheduler's reminders; it
/// used to fail the scheduler's every tick from two days before its closing.
#[tokio::test]
async fn a_round_frozen_before_it_closes_neither_reminds_nor_stops_the_scheduler() {
    let app = spawn_app().await;
    let (_, round, ids) = open_round(&app, 1).await;
    let a = judge(&app, "a@univ.ac.id", None).await;
    add_judges(&app, round, &[&a]).await;
    assign(&app, round, &a, &ids).await;
    let res = app
        .post_form(&format!("/organiser/rounds/{round}/results/freeze"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    closing_in_a_day_the_scheduler_ticks(&app, round).await;
    let mails = app.mails_to(&a.email).await;
    assert!(mails.iter().all(|m| m.template != "judge_reminder"));
}

/// Moves the round's closing to 30 hours from now (inside the reminder's two days) and runs the
/// scheduler twice, as its worker would; every tick must succeed.
async fn closing_in_a_day_the_scheduler_ticks(app: &TestApp, round: i32) {
    app.db(move |conn| {
        diesel::update(rounds::table.find(round))
            .set(rounds::closes_at.eq(biw::db::now() + chrono::Duration::hours(30)))
            .execute(conn)
            .unwrap()
    })
    .await;
    for _ in 0..2 {
        let state = app.state.clone();
        app.db(move |conn| biw::scheduler::tick(conn, &state))
            .await
            .expect("the scheduler runs on");
    }
}

/// A draft the judge saved online and left when the window closed is given back to the judge by
/// reopening it (it is not typed over from paper).
#[tokio::test]
async fn a_late_judges_online_draft_is_reopened_for_them() {
    let app = spawn_app().await;
    let (round, a, aid, crit) = a_judge_with_a_draft(&app).await;
    app.db(move |conn| {
        diesel::update(rounds::table.find(round))
            .set(rounds::closes_at.eq(biw::db::now() - chrono::Duration::hours(1)))
            .execute(conn)
            .unwrap()
    })
    .await;
    let res = paper_submit(&app, aid, &crit, "4", 1).await;
    assert_eq!(res.status().as_u16(), 422);
    let page = app.page(&format!("/organiser/sheets/{aid}")).await;
    assert!(
        page.contains(" disabled>") && page.contains(" readonly>"),
        "the judge's own sheet is not offered for typing in from paper"
    );
    assert!(
        page.contains(r#"id="reopen-sheet""#),
        "the way out is offered"
    );
    let sheet_id = sheet_id_of(&app, aid).await;
    let res = app
        .post_form(
            &format!("/organiser/sheets/{sheet_id}/reopen"),
            &[("reason", "Juri terlambat"), ("days", "1")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let told = app
        .mails_to(&a.email)
        .await
        .into_iter()
        .filter(|m| m.template == "sheet_reopened")
        .count();
    assert_eq!(told, 1);
    let mut submit = sheet_form(&crit, "3", 2);
    submit.push(("action".into(), "submit".into()));
    let res = post_pairs(&app, &a.client, &format!("/judge/sheets/{aid}"), &submit).await;
    assert_eq!(location(&res), "/judge");
    assert_eq!(sheet_row(&app, aid).await.unwrap().0, "submitted");
}

async fn sheet_id_of(app: &TestApp, assignment: i32) -> i32 {
    app.db(move |conn| {
        sheets::table
            .filter(sheets::assignment_id.eq(assignment))
            .select(sheets::id)
            .first::<i32>(conn)
            .unwrap()
    })
    .await
}

/// One entry in an open round, judge A assigned and declared, with a draft saved online (lock 1).
async fn a_judge_with_a_draft(app: &TestApp) -> (i32, Judge, i32, Vec<(i32, bool)>) {
    let (ed, round, ids) = open_round(app, 1).await;
    let a = judge(app, "a@univ.ac.id", None).await;
    add_judges(app, round, &[&a]).await;
    assign(app, round, &a, &ids).await;
    declare(app, &a, ed).await;
    let aid = live(app, round).await[0].0;
    let crit = criteria_of(app, round).await;
    let res = post_pairs(
        app,
        &a.client,
        &format!("/judge/sheets/{aid}/autosave"),
        &sheet_form(&crit, "3", 0),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    (round, a, aid, crit)
}

/// An organiser types in and submits a paper sheet for the assignment, every criterion at `score`.
async fn paper_submit(
    app: &TestApp,
    assignment: i32,
    crit: &[(i32, bool)],
    score: &str,
    lock: i32,
) -> reqwest::Response {
    let mut paper = sheet_form(crit, score, lock);
    paper.push(("action".into(), "submit".into()));
    let path = format!("/organiser/sheets/{assignment}");
    post_pairs(app, &app.client, &path, &paper).await
}

#[tokio::test]
async fn a_form_naming_something_twice_or_something_gone_is_answered_without_a_500() {
    use biw::db::schema::{judge_expertise, round_entries, round_judges};
    let app = spawn_app().await;
    let (round, a, aid, _) = a_judge_with_a_draft(&app).await;
    let (ed, entry) = app
        .db(move |conn| {
            let r = biw::models::round::find(conn, round).unwrap().unwrap();
            let e: i32 = round_entries::table
                .filter(round_entries::round_id.eq(round))
                .select(round_entries::entry_id)
                .first(conn)
                .unwrap();
            (r.edition_id, e)
        })
        .await;
    let second = following_round(&app, round).await;
    let (e, j) = (entry.to_string(), a.id.to_string());

    // The same entry, judge or category twice in one form is taken once.
    let res = app
        .post_form(
            &format!("/organiser/rounds/{second}/entries"),
            &[("entry", &e), ("entry", &e)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let res = app
        .post_form(
            &format!("/organiser/rounds/{second}/judges"),
            &[("judge", &j), ("judge", &j)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let res = app
        .post_form(
            &format!("/organiser/rounds/{second}/assignments"),
            &[("judge", &j), ("entry", &e), ("entry", &e)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let cat = app
        .db(move |conn| biw::models::edition::categories(conn, ed).unwrap()[0].id)
        .await
        .to_string();
    let res = app
        .post_form(
            &format!("/organiser/editions/{ed}/judges/{}/expertise", a.id),
            &[("category", &cat), ("category", &cat)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let counts = app
        .db(move |conn| {
            let entries: i64 = round_entries::table
                .filter(round_entries::round_id.eq(second))
                .count()
                .get_result(conn)
                .unwrap();
            let judges: i64 = round_judges::table
                .filter(round_judges::round_id.eq(second))
                .count()
                .get_result(conn)
                .unwrap();
            let assigned: i64 = assignments::table
                .filter(assignments::round_id.eq(second))
                .count()
                .get_result(conn)
                .unwrap();
            let expertise: i64 = judge_expertise::table
                .filter(judge_expertise::judge_id.eq(a.id))
                .count()
                .get_result(conn)
                .unwrap();
            (entries, judges, assigned, expertise)
        })
        .await;
    assert_eq!(counts, (1, 1, 1, 1));
    // The services take a name once however they are called (the forms already drop repeats).
    let third = following_round(&app, round).await;
    let (judge_id, cat_id) = (a.id, cat.parse::<i32>().unwrap());
    let direct = app
        .db(move |conn| {
            use biw::services::judging as svc;
            let actor = biw::audit::Actor::system();
            let both = [entry, entry];
            let added = biw::services::rounds::add_entries(conn, &actor, third, &both).unwrap();
            let judges = svc::add_round_judges(conn, &actor, third, &[judge_id, judge_id]).unwrap();
            let assigned = svc::assign(conn, &actor, third, judge_id, &both).unwrap();
            svc::set_expertise(conn, &actor, judge_id, ed, &[cat_id, cat_id]).unwrap();
            (added, judges, assigned)
        })
        .await;
    assert_eq!(direct, (1, 1, 1));
    assert_counters_agree(&app).await;
    // The audit log names the round by its name and links to it, under its own family.
    let log = app.page("/organiser/audit?action=round").await;
    assert!(log.contains("Babak: Presentasi"), "{log}");
    // (tera writes the link's slashes as `&#x2F;`)
    assert!(log.contains(&format!("&#x2F;organiser&#x2F;rounds&#x2F;{second}\"")));
    assert!(!log.contains("audit_"), "no raw key");

    // An edition copied from one that does not exist: not found, and nothing is made.
    let editions = || {
        app.db(|conn| {
            biw::db::schema::editions::table
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
    };
    let before = editions().await;
    let res = app
        .post_form(
            "/organiser/editions/new",
            &[
                ("name", "BIW Salinan"),
                ("year", "2031"),
                ("registration_opens_at", "2031-04-01T08:00"),
                ("registration_closes_at", "2031-05-01T08:00"),
                ("screening_closes_at", "2031-06-01T08:00"),
                ("min_narrative_words", "250"),
                ("max_entries_per_unit", "3"),
                ("max_file_mb", "5"),
                ("reminder_days", "7,3,1"),
                ("required", "name"),
                ("copy_from", "999999"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(editions().await, before);

    // A submitted sheet whose assignment was withdrawn is not reopened, and its judge is not
    // mailed about an entry they can no longer open.
    submit_all(&app, &a, aid, round, "4").await;
    let sheet = sheet_id_of(&app, aid).await;
    app.db(move |conn| {
        diesel::update(assignments::table.find(aid))
            .set(assignments::withdrawn_at.eq(Some(biw::db::now())))
            .execute(conn)
            .unwrap()
    })
    .await;
    let res = app
        .post_form(
            &format!("/organiser/sheets/{sheet}/reopen"),
            &[("reason", "Salah memasukkan nilai"), ("days", "2")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(sheet_row(&app, aid).await.unwrap().0, "submitted");
    assert!(
        app.mails_to(&a.email)
            .await
            .iter()
            .all(|m| m.template != "sheet_reopened")
    );
}

/// (entry name, sheet, total, slot place) of each item in the judge's queue of their one round,
/// and how many are submitted.
async fn queue_items(
    app: &TestApp,
    judge_id: i32,
    round: i32,
) -> (Vec<(String, String, Option<i32>, String)>, usize) {
    app.db(move |conn| {
        let queue = biw::services::judging::queue(conn, judge_id, None).unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].rounds.len(), 1);
        let r = &queue[0].rounds[0];
        assert_eq!(r.id, round);
        let items = r
            .items
            .iter()
            .map(|i| {
                (
                    i.name.clone(),
                    i.sheet.clone(),
                    i.total_bp,
                    i.slot_place.clone(),
                )
            })
            .collect();
        (items, r.submitted)
    })
    .await
}

#[tokio::test]
async fn a_judges_queue_lists_each_live_assignment_by_name_or_slot_with_its_sheet() {
    use biw::db::schema::round_entries;
    let app = spawn_app().await;
    let (_, round, ids, judge) = crate::results::scored_round(&app).await;
    let (judge_id, names) = (
        judge.id,
        ["Sampah Pintar", "Posyandu Digital", "Antrian Daring"],
    );
    let ids2 = ids.clone();
    app.db(move |conn| {
        for (id, name) in ids2.iter().zip(names) {
            diesel::update(entries::table.find(id))
                .set(entries::name.eq(name))
                .execute(conn)
                .unwrap();
        }
        // The other judge's sheet of the first entry differs from this judge's.
        let other = diesel::update(
            sheets::table
                .filter(sheets::entry_id.eq(ids2[0]))
                .filter(sheets::judge_id.ne(judge_id)),
        )
        .set((sheets::status.eq("draft"), sheets::total_bp.eq(None::<i32>)))
        .execute(conn)
        .unwrap();
        assert_eq!(other, 1);
    })
    .await;
    // Left to do first, then by name; each with its own sheet.
    let (items, submitted) = queue_items(&app, judge_id, round).await;
    let (totals, places): (Vec<_>, Vec<_>) =
        items.iter().map(|i| (i.2.is_some(), i.3.as_str())).unzip();
    let order: Vec<(&str, &str)> = items.iter().map(|i| (i.0.as_str(), i.1.as_str())).collect();
    assert_eq!(
        order,
        [
            ("Antrian Daring", "none"),
            ("Posyandu Digital", "submitted"),
            ("Sampah Pintar", "submitted"),
        ]
    );
    assert_eq!(totals, [false, true, true]);
    assert_eq!(places, ["", "", ""]);
    assert_eq!(submitted, 2);
    // A withdrawn assignment leaves the queue; a scheduled round reads as its running order.
    let (a, b, c) = (ids[0], ids[1], ids[2]);
    app.db(move |conn| {
        diesel::update(
            assignments::table
                .filter(assignments::judge_id.eq(judge_id))
                .filter(assignments::entry_id.eq(b)),
        )
        .set(assignments::withdrawn_at.eq(Some(biw::db::now())))
        .execute(conn)
        .unwrap();
        let now = biw::db::now();
        for (entry, minutes, place) in [(a, 10, "Ruang A"), (c, 40, "Ruang C")] {
            diesel::update(
                round_entries::table
                    .filter(round_entries::round_id.eq(round))
                    .filter(round_entries::entry_id.eq(entry)),
            )
            .set((
                round_entries::slot_at.eq(Some(now + chrono::Duration::minutes(minutes))),
                round_entries::slot_place.eq(place),
            ))
            .execute(conn)
            .unwrap();
        }
    })
    .await;
    let (items, submitted) = queue_items(&app, judge_id, round).await;
    let order: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|i| (i.0.as_str(), i.1.as_str(), i.3.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("Sampah Pintar", "submitted", "Ruang A"),
            ("Antrian Daring", "none", "Ruang C"),
        ]
    );
    assert_eq!(submitted, 1);
}
