//! Rubrics and rounds as an organiser makes them: from a preset, edited through the real form,
//! validated (the weight sum is named), versioned once a submitted sheet uses them; rounds take the
//! entries that passed screening and check their window.

use biw::db::schema::{
    assignments, entries, rounds, rubric_criteria, rubrics, sheet_scores, sheets,
};
use biw::domain::Role;
use biw::models::rubric;
use diesel::prelude::*;

use crate::entries::{new_draft, open_edition, post_pairs, unit_team};
use crate::helpers::{TestApp, assert_redirect, form_fields, location, spawn_app};

pub fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    fields
        .iter_mut()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("the form has {name}"))
        .1 = value.to_string();
}

fn id_at_end(path: &str) -> i32 {
    path.rsplit('/').next().unwrap().parse().unwrap()
}

/// Creates a rubric from a preset through the judging page; returns its id.
pub async fn rubric_from(app: &TestApp, ed: i32, start: &str) -> i32 {
    let res = app
        .post_form(
            &format!("/organiser/editions/{ed}/rubrics"),
            &[("start", start)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    id_at_end(&location(&res))
}

/// Posts the new-round form as an organiser would fill it in.
pub async fn post_round(
    app: &TestApp,
    ed: i32,
    name: &str,
    rubric: i32,
    window: (chrono::NaiveDateTime, chrono::NaiveDateTime),
    judges: &str,
) -> reqwest::Response {
    let (opens, closes) = (
        biw::time::to_jakarta_local(window.0),
        biw::time::to_jakarta_local(window.1),
    );
    app.post_form(
        &format!("/organiser/editions/{ed}/rounds"),
        &[
            ("name_id", name),
            ("kind", "desk"),
            ("rubric_id", &rubric.to_string()),
            ("opens_at", &opens),
            ("closes_at", &closes),
            ("judges_per_entry", judges),
        ],
    )
    .await
}

async fn weights(app: &TestApp, rubric_id: i32) -> Vec<(String, i32)> {
    app.db(move |conn| {
        rubric::criteria(conn, rubric_id)
            .unwrap()
            .into_iter()
            .map(|c| (c.code, c.weight))
            .collect()
    })
    .await
}

/// A desk round open for a week from now on `rubric`, three judges an entry, for the service.
pub fn week_long_desk_round(rubric: i32) -> biw::services::rounds::RoundInput {
    let now = biw::db::now();
    biw::services::rounds::RoundInput {
        name_id: "Evaluasi dokumen".into(),
        kind: "desk".into(),
        rubric_id: rubric.to_string(),
        opens_at: biw::time::to_jakarta_local(now),
        closes_at: biw::time::to_jakarta_local(now + chrono::Duration::days(7)),
        judges_per_entry: "3".into(),
        ..Default::default()
    }
}

/// Entries that passed the administrative check (set directly: screening has its own tests).
pub async fn passed_entries(app: &TestApp, client: &reqwest::Client, n: usize) -> Vec<i32> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let id = new_draft(app, client).await;
        app.db(move |conn| {
            diesel::update(entries::table.find(id))
                .set(entries::status.eq("passed"))
                .execute(conn)
                .unwrap()
        })
        .await;
        ids.push(id);
    }
    ids
}

#[tokio::test]
async fn a_rubric_from_a_preset_is_edited_through_the_form_and_a_bad_sum_is_named() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let ed = open_edition(&app).await;
    let id = rubric_from(&app, ed, "preset:default").await;
    let before = weights(&app, id).await;
    assert_eq!(
        before.iter().map(|w| w.1).collect::<Vec<_>>(),
        vec![20, 25, 20, 15, 10, 10]
    );

    let mut form = form_fields(&app.page(&format!("/organiser/rubrics/{id}")).await);
    set(&mut form, "c.0.weight", "25");
    set(&mut form, "c.1.name_id", "");
    let res = post_pairs(
        &app,
        &app.client,
        &format!("/organiser/rubrics/{id}"),
        &form,
    )
    .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("harus 100, sekarang 105"), "the sum is named");
    assert!(
        html.contains("href=\"#c-1-name-id\""),
        "the summary links the field"
    );
    assert!(html.contains("value=\"25\""), "what was typed is kept");
    assert_eq!(weights(&app, id).await, before, "nothing saved");

    // A row tool adds a criterion and saves nothing.
    let res = post_pairs(
        &app,
        &app.client,
        &format!("/organiser/rubrics/{id}"),
        &[form.clone(), vec![("op".into(), "add".into())]].concat(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.text().await.unwrap().contains("name=\"c.6.name_id\""));
    assert_eq!(weights(&app, id).await, before);

    set(&mut form, "c.1.name_id", "Manfaat nyata");
    set(&mut form, "c.1.weight", "20");
    let res = post_pairs(
        &app,
        &app.client,
        &format!("/organiser/rubrics/{id}"),
        &form,
    )
    .await;
    assert_redirect(&res, &format!("/organiser/rubrics/{id}"));
    let after = weights(&app, id).await;
    assert_eq!(
        after.iter().map(|w| w.1).collect::<Vec<_>>(),
        vec![25, 20, 20, 15, 10, 10]
    );
    assert_eq!(after[1].0, "kemanfaatan", "the code stays");
    assert_eq!(app.audit_count("rubric.update").await, 1);

    // A criterion of another rubric cannot be edited through this one.
    let other = rubric_from(&app, ed, "preset:kipp").await;
    let foreign = app
        .db(move |conn| rubric::criteria(conn, other).unwrap()[0].id)
        .await;
    set(&mut form, "c.0.id", &foreign.to_string());
    let res = post_pairs(
        &app,
        &app.client,
        &format!("/organiser/rubrics/{id}"),
        &form,
    )
    .await;
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(weights(&app, other).await.len(), 5);

    // Nor can one criterion be named on two rows (a forged form): refused, nothing changes.
    let own = app
        .db(move |conn| rubric::criteria(conn, id).unwrap()[1].id)
        .await;
    set(&mut form, "c.0.id", &own.to_string());
    let res = post_pairs(
        &app,
        &app.client,
        &format!("/organiser/rubrics/{id}"),
        &form,
    )
    .await;
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(weights(&app, id).await, after);
}

#[tokio::test]
async fn a_rubric_that_a_submitted_sheet_uses_gets_a_new_version_and_old_scores_keep_theirs() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let ed = open_edition(&app).await;
    let (opd, _) = unit_team(&app).await;
    let judge_a = app
        .create_user(Role::Judge, "a@juri.biw.id", "correct horse battery")
        .await;
    let judge_b = app
        .create_user(Role::Judge, "b@juri.biw.id", "correct horse battery")
        .await;
    let entry = passed_entries(&app, &opd, 1).await[0];
    let v1 = rubric_from(&app, ed, "preset:default").await;
    let now = biw::db::now();
    let day = chrono::Duration::days(1);
    let res = post_round(
        &app,
        ed,
        "Evaluasi dokumen",
        v1,
        (now - day, now + day * 7),
        "3",
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    let round = id_at_end(&location(&res));
    // A second round on the same rubric, whose results are frozen.
    let res = post_round(&app, ed, "Presentasi", v1, (now - day, now + day * 7), "3").await;
    assert_eq!(res.status().as_u16(), 303);
    let frozen_round = id_at_end(&location(&res));
    app.db(move |conn| {
        diesel::update(rounds::table.find(frozen_round))
            .set(rounds::frozen_at.eq(Some(now)))
            .execute(conn)
            .unwrap();
    })
    .await;

    // One submitted sheet and one draft on version 1 (scoring itself has its own tests).
    let criteria = app
        .db(move |conn| rubric::criteria(conn, v1).unwrap())
        .await;
    let c2 = criteria.clone();
    let (submitted, _draft, frozen_draft) = app
        .db(move |conn| {
            let mut sheet = |round: i32, judge: i32, submitted: bool| -> i32 {
                let a: i32 = diesel::insert_into(assignments::table)
                    .values((
                        assignments::round_id.eq(round),
                        assignments::entry_id.eq(entry),
                        assignments::judge_id.eq(judge),
                        assignments::source.eq("manual"),
                        assignments::created_at.eq(now),
                    ))
                    .returning(assignments::id)
                    .get_result(conn)
                    .unwrap();
                let s: i32 = diesel::insert_into(sheets::table)
                    .values((
                        sheets::assignment_id.eq(a),
                        sheets::round_id.eq(round),
                        sheets::entry_id.eq(entry),
                        sheets::judge_id.eq(judge),
                        sheets::rubric_id.eq(v1),
                        sheets::status.eq(if submitted { "submitted" } else { "draft" }),
                        sheets::submitted_at.eq(submitted.then_some(now)),
                        sheets::created_at.eq(now),
                        sheets::updated_at.eq(now),
                    ))
                    .returning(sheets::id)
                    .get_result(conn)
                    .unwrap();
                for c in &c2 {
                    diesel::insert_into(sheet_scores::table)
                        .values((
                            sheet_scores::sheet_id.eq(s),
                            sheet_scores::criterion_id.eq(c.id),
                            sheet_scores::score.eq(Some(4)),
                        ))
                        .execute(conn)
                        .unwrap();
                }
                s
            };
            (
                sheet(round, judge_a, true),
                sheet(round, judge_b, false),
                sheet(frozen_round, judge_b, false),
            )
        })
        .await;

    let app_ref = &app;
    let stamp = |round: i32| {
        app_ref.db(move |conn| {
            rounds::table
                .find(round)
                .select(rounds::updated_at)
                .first::<chrono::NaiveDateTime>(conn)
                .unwrap()
        })
    };
    let before = stamp(round).await;
    let html = app.page(&format!("/organiser/rubrics/{v1}")).await;
    assert!(html.contains("id=\"locked-note\""), "the organiser is told");
    let mut form = form_fields(&html);
    set(&mut form, "c.0.weight", "30");
    form.push(("c.5.removed".into(), "1".into()));
    let res = post_pairs(
        &app,
        &app.client,
        &format!("/organiser/rubrics/{v1}"),
        &form,
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    let v2 = id_at_end(&location(&res));
    assert_ne!(v1, v2, "a new version");
    assert_eq!(
        weights(&app, v1).await.iter().map(|w| w.1).sum::<i32>(),
        100
    );
    assert_eq!(weights(&app, v1).await[0].1, 20, "version 1 is untouched");
    assert_eq!(weights(&app, v2).await.len(), 5);
    assert_eq!(weights(&app, v2).await[0], ("kebaruan".to_string(), 30));

    let (old_next, round_rubric, sheet_rubrics, scores) = app
        .db(move |conn| {
            let old_next: Option<i32> = rubrics::table
                .find(v1)
                .select(rubrics::superseded_by_id)
                .first(conn)
                .unwrap();
            let round_rubric: i32 = rounds::table
                .find(round)
                .select(rounds::rubric_id)
                .first(conn)
                .unwrap();
            let sheet_rubrics: Vec<(i32, i32)> = sheets::table
                .order(sheets::id)
                .select((sheets::id, sheets::rubric_id))
                .load(conn)
                .unwrap();
            let scores: Vec<(i32, i32)> = sheet_scores::table
                .inner_join(rubric_criteria::table)
                .select((sheet_scores::sheet_id, rubric_criteria::rubric_id))
                .load(conn)
                .unwrap();
            (old_next, round_rubric, sheet_rubrics, scores)
        })
        .await;
    assert_eq!(old_next, Some(v2));
    assert_eq!(round_rubric, v2, "the round moves on");
    assert_ne!(
        stamp(round).await,
        before,
        "its cached ranking (tie-breakers follow the rubric) is computed again"
    );
    let frozen_rubric: i32 = app
        .db(move |conn| {
            rounds::table
                .find(frozen_round)
                .select(rounds::rubric_id)
                .first(conn)
                .unwrap()
        })
        .await;
    assert_eq!(
        frozen_rubric, v1,
        "a frozen round keeps the version its results were scored on"
    );
    assert_eq!(
        sheet_rubrics[0],
        (submitted, v1),
        "the submitted sheet keeps its version"
    );
    assert_eq!(sheet_rubrics[1].1, v2, "the draft follows the round");
    assert_eq!(
        sheet_rubrics[2],
        (frozen_draft, v1),
        "a frozen round's draft stays whole on its version"
    );
    let on = |sheet: i32, r: i32| scores.iter().filter(|s| **s == (sheet, r)).count();
    assert_eq!(on(submitted, v1), 6);
    assert_eq!(on(frozen_draft, v1), 6);
    assert_eq!(
        on(sheet_rubrics[1].0, v2),
        5,
        "the removed criterion's draft score went"
    );
    assert_eq!(app.audit_count("rubric.new_version").await, 1);

    // The old version can no longer be edited.
    let res = post_pairs(
        &app,
        &app.client,
        &format!("/organiser/rubrics/{v1}"),
        &form,
    )
    .await;
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!(weights(&app, v2).await[0].1, 30);
}

#[tokio::test]
async fn rounds_take_passed_entries_check_their_window_and_take_entries_by_hand() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let ed = open_edition(&app).await;
    let (opd, _) = unit_team(&app).await;
    let passed = passed_entries(&app, &opd, 2).await;
    let draft = new_draft(&app, &opd).await;
    let rubric = rubric_from(&app, ed, "preset:default_desk").await;
    let other_edition = open_edition(&app).await;
    let foreign_rubric = rubric_from(&app, other_edition, "preset:default").await;

    let now = biw::db::now();
    let day = chrono::Duration::days(1);
    let res = post_round(
        &app,
        ed,
        "Evaluasi dokumen",
        foreign_rubric,
        (now + day * 2, now + day),
        "0",
    )
    .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Waktu tutup harus sesudah waktu buka."));
    assert!(
        html.contains("value=\"Evaluasi dokumen\""),
        "what was typed is kept"
    );
    assert!(
        html.contains("id=\"e-rubric_id\""),
        "another edition's rubric is refused"
    );
    assert!(html.contains("id=\"e-judges_per_entry\""));
    let none: i64 = app
        .db(|conn| rounds::table.count().get_result(conn).unwrap())
        .await;
    assert_eq!(none, 0);

    let window = (now + day * 2, now + day * 9);
    let first = id_at_end(&location(
        &post_round(&app, ed, "Evaluasi dokumen", rubric, window, "3").await,
    ));
    let second = id_at_end(&location(
        &post_round(&app, ed, "Presentasi", rubric, window, "3").await,
    ));
    let in_round = |r: i32| {
        let app = &app;
        async move {
            let mut v = app
                .db(move |conn| biw::models::round::entry_ids(conn, r).unwrap())
                .await;
            v.sort();
            v
        }
    };
    assert_eq!(
        in_round(first).await,
        passed,
        "round 1 takes what passed screening"
    );
    assert!(in_round(second).await.is_empty());
    let page = app.page(&format!("/organiser/rounds/{first}")).await;
    assert!(page.contains("Lolos seleksi administrasi"));

    // By hand: a passed entry is added (audited); a draft is refused and nothing is added.
    let res = app
        .post_form(
            &format!("/organiser/rounds/{second}/entries"),
            &[
                ("entry", &passed[0].to_string()),
                ("entry", &draft.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(in_round(second).await.is_empty());
    let res = app
        .post_form(
            &format!("/organiser/rounds/{second}/entries"),
            &[("entry", &passed[0].to_string())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(in_round(second).await, vec![passed[0]]);
    assert_eq!(
        app.audit_count("round.add_entries").await,
        1,
        "the refused one left no trace"
    );
    let page = app.page(&format!("/organiser/rounds/{second}")).await;
    assert!(page.contains("Ditambahkan panitia"));
    assert!(
        page.contains(&format!("id=\"add-{}\"", passed[1])),
        "the other one can still be added"
    );
}
