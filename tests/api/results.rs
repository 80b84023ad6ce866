//! A round's results through the routes: the ranking computed from the submitted sheets of live
//! assignments, all three scores side by side, disagreement flagged, ties explained, settings
//! checked with every bad field named, the CSV, and each judge's leniency.

use biw::db::schema::{audit_events, entries, rounds};
use biw::domain::Role;
use biw::models::outbox::OutboxMail;
use diesel::prelude::*;

use crate::entries::post_pairs;
use crate::helpers::{TestApp, new_client, spawn_app};
use crate::judging::{
    Judge, add_judges, assert_counters_agree, assign, criteria_of, declare, judge, live,
    move_judge, open_round, sheet_form,
};

/// Submits a sheet with the same score on every criterion (total = score × 20).
pub async fn submit(app: &TestApp, j: &Judge, round: i32, entry: i32, score: u8) {
    submit_scores(app, j, round, entry, [score; 6]).await
}

/// Submits a sheet with a score per criterion of the default rubric, in its order (novelty 20,
/// benefit 25, maturity 20, sustainability 15, collaboration 10, presentation 10).
async fn submit_scores(app: &TestApp, j: &Judge, round: i32, entry: i32, scores: [u8; 6]) {
    let aid = live(app, round)
        .await
        .into_iter()
        .find(|a| a.1 == entry && a.2 == j.id)
        .unwrap()
        .0;
    let crit = criteria_of(app, round).await;
    let mut form = sheet_form(&crit, "1", 0);
    for ((id, _), score) in crit.iter().zip(scores) {
        let key = format!("score.{id}");
        form.iter_mut().find(|f| f.0 == key).unwrap().1 = score.to_string();
    }
    form.push(("action".into(), "submit".into()));
    let res = post_pairs(app, &j.client, &format!("/judge/sheets/{aid}"), &form).await;
    assert_eq!(
        res.status().as_u16(),
        303,
        "sheet for entry {entry} submitted"
    );
}

/// The first worksheet of an XLSX download, read as a spreadsheet program would.
fn workbook_sheet(bytes: &[u8]) -> calamine::Range<calamine::Data> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    book.worksheet_range_at(0).unwrap().unwrap()
}

/// Entry ids in the order the ranking table lists them.
fn order(html: &str) -> Vec<i32> {
    html.split("<tr id=\"entry-")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect()
}

#[tokio::test]
async fn a_round_is_ranked_from_its_submitted_sheets_with_flags_ties_and_settings() {
    let app = spawn_app().await;
    let (ed, round, ids) = open_round(&app, 5).await;
    let judges = [
        judge(&app, "a@univ.ac.id", None).await,
        judge(&app, "b@brin.go.id", None).await,
        judge(&app, "c@bskdn.go.id", None).await,
    ];
    add_judges(&app, round, &judges.iter().collect::<Vec<_>>()).await;
    for j in &judges {
        assert_eq!(assign(&app, round, j, &ids).await.status().as_u16(), 303);
        declare(&app, j, ed).await;
    }
    // Entry 3 was submitted by its unit before entry 2 (the last tie-breaker).
    let (e2, e3) = (ids[2], ids[3]);
    app.db(move |conn| {
        let t = biw::db::now();
        for (id, at) in [(e2, t), (e3, t - chrono::Duration::hours(1))] {
            diesel::update(entries::table.find(id))
                .set(entries::submitted_at.eq(Some(at)))
                .execute(conn)
                .unwrap();
        }
    })
    .await;
    // Scores per entry from judges a, b, c (total = score × 20); entry 4 gets no sheet.
    let scores: [[u8; 3]; 4] = [[5, 5, 4], [5, 2, 4], [3, 3, 3], [3, 3, 3]];
    for (e, s) in scores.iter().enumerate() {
        for (j, score) in judges.iter().zip(s) {
            if e == 2 && j.id == judges[0].id {
                // The same total (60) with novelty 4 and maturity 2: entries 2 and 3 tie.
                submit_scores(&app, j, round, ids[e], [4, 3, 2, 3, 3, 3]).await;
            } else {
                submit(&app, j, round, ids[e], *score).await;
            }
        }
    }

    let path = format!("/organiser/rounds/{round}/results");
    let html = app.page(&path).await;
    // Means 93.33, 73.33, 60, 60: benefit (the first tie-breaker, the heaviest criterion) is equal,
    // novelty decides for entry 2 (mean 3.33 against 3.00); the unscored entry comes last.
    assert_eq!(order(&html), [ids[0], ids[1], ids[2], ids[3], ids[4]]);
    assert!(html.contains("93,33"), "mean in Indonesian format");
    // The charts, each with its text: scores 93.33, 73.33, 60, 60 fall in the 90s, 70s and 60s.
    assert!(html.contains(
        "Sebaran nilai 4 inovasi per rentang 10 poin dari 0 sampai 100: 0, 0, 0, 0, 0, 0, 2, 1, 0, 1."
    ));
    assert!(html.contains("4 inovasi di 100 besar menurut salah satu cara"));
    let progress = app
        .get(&format!("/organiser/rounds/{round}/progress"))
        .await;
    assert_eq!(progress.status().as_u16(), 200);
    let progress = progress.text().await.unwrap();
    let today = biw::time::to_jakarta_local(biw::db::now())[..10].to_string();
    assert!(
        progress.contains(&format!(
            "Lembar nilai terkirim per hari, dari {today} sampai {today}"
        )),
        "every sheet went today"
    );
    assert!(
        html.contains("ditentukan oleh kriteria Kebaruan &amp; Orisinalitas (3,33 lawan 3,00)")
    );
    // Entry 1: 100, 40, 80 is 60 points apart; entry 0 (100, 100, 80) is 20 apart: not over 20.
    assert!(html.contains("1 inovasi dinilai sangat berbeda"));
    assert!(html.contains("selisih 60,00"));
    // Four sheets each are too few to correct a judge: said, and the normalised score stays raw.
    assert!(html.contains("3 juri menilai kurang dari 5 inovasi"));
    assert!(html.contains("Peringkat memakai nilai ternormalisasi"));
    let flagged = app.page(&format!("{path}?show=flagged")).await;
    assert_eq!(order(&flagged), [ids[1]]);

    // Bad settings: every problem named, what was typed kept, nothing stored.
    let bad = vec![
        ("ranking".to_string(), "best".to_string()),
        ("normalisation".into(), "fitted".into()),
        ("spread_threshold".into(), "banyak".into()),
        ("final_weight".into(), "130".into()),
        ("tie".into(), "kebaruan".into()),
        ("tie".into(), "kebaruan".into()),
    ];
    let res = post_pairs(&app, &app.client, &format!("{path}/settings"), &bad).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    for msg in [
        "Pilih salah satu pilihan yang tersedia.",
        "Isi batas perbedaan dengan angka 0 sampai 100.",
        "Isi bobot dengan angka 0 sampai 100.",
        "Setiap kriteria hanya boleh dipilih sekali sebagai penentu.",
    ] {
        assert!(html.contains(msg), "{msg}");
    }
    assert!(html.contains("value=\"banyak\""), "what was typed is kept");
    let stored = app
        .db(move |conn| {
            rounds::table
                .find(round)
                .select((
                    rounds::ranking,
                    rounds::spread_threshold,
                    rounds::tie_breakers,
                ))
                .first::<(String, i32, String)>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(stored, ("normalised".into(), 20, String::new()));

    // Rank by the median, flag only over 70 points, break ties on maturity alone.
    let good = vec![
        ("ranking".to_string(), "median".to_string()),
        ("normalisation".into(), "zscore".into()),
        ("spread_threshold".into(), "70".into()),
        ("final_weight".into(), "30".into()),
        ("tie".into(), "kematangan".into()),
        ("tie".into(), "".into()),
    ];
    let res = post_pairs(&app, &app.client, &format!("{path}/settings"), &good).await;
    assert_eq!(res.status().as_u16(), 303);
    let html = app.page(&path).await;
    assert!(html.contains("Peringkat memakai nilai tengah (median)"));
    assert!(
        !html.contains("dinilai sangat berbeda"),
        "60 apart is under 70"
    );
    // Medians 100, 80, 60, 60; maturity now decides the tie the other way (3.00 against 2.67).
    assert_eq!(order(&html), [ids[0], ids[1], ids[3], ids[2], ids[4]]);
    assert!(html.contains(
        "ditentukan oleh kriteria Kematangan Penerapan &amp; Bukti Dukung (3,00 lawan 2,67)"
    ));
    // With no criterion left to decide, the earlier submission goes first.
    let only_submission = vec![
        ("ranking".to_string(), "median".to_string()),
        ("normalisation".into(), "zscore".into()),
        ("spread_threshold".into(), "70".into()),
        ("final_weight".into(), "30".into()),
        ("tie".into(), "presentasi".into()),
    ];
    let res = post_pairs(
        &app,
        &app.client,
        &format!("{path}/settings"),
        &only_submission,
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    let html = app.page(&path).await;
    assert_eq!(order(&html), [ids[0], ids[1], ids[3], ids[2], ids[4]]);
    assert!(html.contains("yang dikirim lebih dulu ditempatkan di atas"));
    let audited = app
        .db(|conn| {
            audit_events::table
                .filter(audit_events::action.eq("results.settings"))
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(audited, 2);

    // A withdrawn assignment's sheet no longer counts: judge b off entry 1 (a reason is needed).
    let b_on_1 = live(&app, round)
        .await
        .into_iter()
        .find(|a| a.1 == ids[1] && a.2 == judges[1].id)
        .unwrap()
        .0;
    let res = app
        .post_form(
            &format!("/organiser/assignments/{b_on_1}/remove"),
            &[("reason", "Ternyata pernah membina unit ini")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let csv = app.get(&format!("{path}.csv")).await;
    assert_eq!(csv.status().as_u16(), 200);
    let body = csv.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "Peringkat");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 5);
    let one = rows.iter().find(|r| r[1] == ids[1].to_string()).unwrap();
    assert_eq!(&one[4], "2", "two sheets left on entry 1");
    assert_eq!(&one[5], "90,00", "mean of 100 and 80");
    assert_eq!(&rows[4][0], "", "the unscored entry has no rank");
    // The same ranking as a workbook.
    let bytes = app
        .get(&format!("{path}.xlsx"))
        .await
        .bytes()
        .await
        .unwrap();
    let sheet = workbook_sheet(&bytes);
    assert_eq!(sheet.get_value((0, 0)).unwrap().to_string(), "Peringkat");
    let row = (1..sheet.height())
        .find(|&r| sheet.get_value((r as u32, 1)).unwrap().to_string() == ids[1].to_string())
        .unwrap();
    assert_eq!(
        sheet.get_value((row as u32, 5)).unwrap().to_string(),
        "90,00"
    );

    // Each judge against the cohort, in English too.
    let res = app.get(&format!("{path}/judges")).await;
    assert_eq!(res.status().as_u16(), 200);
    let html = res.text().await.unwrap();
    for j in &judges {
        assert!(html.contains(&format!("id=\"judge-{}\"", j.id)));
    }
    assert!(html.contains("terlalu sedikit lembar: tidak dikoreksi"));
    assert!(
        html.contains("role=\"img\""),
        "the box plot has a text alternative"
    );
    app.post_form("/lang", &[("lang", "en"), ("next", "/")])
        .await;
    let html = app.page(&path).await;
    assert!(html.contains("Ranked by the median of the judges&#x27; totals"));
}

/// A round of three entries of one unit, scored by judges a and b: entry 1 full marks (100), entry
/// 0 four of five everywhere (80), entry 2 no sheet. Returns (edition, round, entries, judge a).
#[tokio::test]
async fn the_live_ranking_follows_every_change_to_its_sheets_and_assignments() {
    let app = spawn_app().await;
    let (ed, round, ids) = open_round(&app, 2).await;
    let a = judge(&app, "a@univ.ac.id", None).await;
    let b = judge(&app, "b@brin.go.id", None).await;
    add_judges(&app, round, &[&a, &b]).await;
    for j in [&a, &b] {
        assert_eq!(assign(&app, round, j, &ids).await.status().as_u16(), 303);
        declare(&app, j, ed).await;
    }
    submit(&app, &a, round, ids[0], 5).await;
    submit(&app, &b, round, ids[0], 5).await;
    submit(&app, &a, round, ids[1], 3).await;
    let path = format!("/organiser/rounds/{round}/results");
    // Viewed twice (the second from what was kept), then a new sheet: 60 → (60 + 80) / 2.
    assert!(app.page(&path).await.contains("60,00"));
    let html = app.page(&path).await;
    assert!(html.contains("60,00"));
    // The criterion-by-category grid's text: every criterion scored 5, 5 and 3.
    let grid = |html: &str| {
        let from = &html[html
            .find("Rata-rata nilai per kriteria dan kategori: ")
            .unwrap()..];
        from[..from.find('"').unwrap()].to_string()
    };
    assert_eq!(grid(&html).matches(" 4,33").count(), 6, "{}", grid(&html));
    let progress = format!("/organiser/rounds/{round}/progress");
    let today = biw::time::to_jakarta_local(biw::db::now())[..10].to_string();
    assert!(app.page(&progress).await.contains(&format!("{today} 3")));
    submit(&app, &b, round, ids[1], 4).await;
    let html = app.page(&path).await;
    assert!(html.contains("70,00"));
    assert_eq!(
        grid(&html).matches(" 4,25").count(),
        6,
        "the grid follows: (5 + 5 + 3 + 4) / 4"
    );
    assert!(app.page(&progress).await.contains(&format!("{today} 4")));

    // A edits the submitted sheet (3 → 5): (100 + 80) / 2.
    let aid = live(&app, round)
        .await
        .into_iter()
        .find(|x| x.1 == ids[1] && x.2 == a.id)
        .unwrap()
        .0;
    let lock: i32 = app
        .db(move |conn| {
            biw::db::schema::sheets::table
                .filter(biw::db::schema::sheets::assignment_id.eq(aid))
                .select(biw::db::schema::sheets::lock_version)
                .first(conn)
                .unwrap()
        })
        .await;
    let crit = criteria_of(&app, round).await;
    let mut form = sheet_form(&crit, "5", lock);
    form.push(("action".into(), "submit".into()));
    let res = post_pairs(&app, &a.client, &format!("/judge/sheets/{aid}"), &form).await;
    assert_eq!(res.status().as_u16(), 303);
    let html = app.page(&path).await;
    assert!(
        html.contains("90,00") && !html.contains("70,00"),
        "the edit counts"
    );

    // B's assignment on it withdrawn: only A's 100 is left.
    let bid = live(&app, round)
        .await
        .into_iter()
        .find(|x| x.1 == ids[1] && x.2 == b.id)
        .unwrap()
        .0
        .to_string();
    let res = app
        .post_form(
            &format!("/organiser/rounds/{round}/assignments/withdraw"),
            &[("assignment", &bid), ("reason", "Konflik kepentingan")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let html = app.page(&path).await;
    assert!(
        !html.contains("90,00"),
        "the withdrawn sheet no longer counts"
    );
    assert!(html.matches("100,00").count() >= 2, "both entries at 100");
}

pub async fn scored_round(app: &TestApp) -> (i32, i32, Vec<i32>, Judge) {
    let (ed, round, ids) = open_round(app, 3).await;
    let a = judge(app, "a@univ.ac.id", None).await;
    let b = judge(app, "b@brin.go.id", None).await;
    add_judges(app, round, &[&a, &b]).await;
    for j in [&a, &b] {
        assign(app, round, j, &ids).await;
        declare(app, j, ed).await;
    }
    for (e, score) in [(ids[0], 4), (ids[1], 5)] {
        submit(app, &a, round, e, score).await;
        submit(app, &b, round, e, score).await;
    }
    (ed, round, ids, a)
}

async fn stage_of(app: &TestApp, round: i32) -> (bool, bool, bool) {
    app.db(move |conn| {
        rounds::table
            .find(round)
            .select((
                rounds::frozen_at.is_not_null(),
                rounds::signed_off_at.is_not_null(),
                rounds::published_at.is_not_null(),
            ))
            .first(conn)
            .unwrap()
    })
    .await
}

/// Adds a presentation round after `round`, open for a week, with the same rubric.
async fn next_round(app: &TestApp, ed: i32, round: i32) -> i32 {
    let rubric = app
        .db(move |conn| {
            biw::models::round::find(conn, round)
                .unwrap()
                .unwrap()
                .rubric_id
        })
        .await;
    let now = biw::db::now();
    let res = crate::rubrics::post_round(
        app,
        ed,
        "Presentasi",
        rubric,
        (now, now + chrono::Duration::days(7)),
        "1",
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    crate::helpers::location(&res)
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

pub async fn step(app: &TestApp, round: i32, action: &str, fields: &[(&str, &str)]) -> String {
    let path = format!("/organiser/rounds/{round}/results");
    let res = app.post_form(&format!("{path}/{action}"), fields).await;
    if res.status().as_u16() != 303 {
        let html = res.text().await.unwrap();
        let summary = html.find("form-error-summary").map_or("", |i| &html[i..]);
        panic!("{action}: {}", &summary[..summary.len().min(600)]);
    }
    app.page(&path).await
}

/// A stage change the page refuses: it comes back (422) with the message and what was typed.
async fn refused(app: &TestApp, round: i32, action: &str, fields: &[(&str, &str)]) -> String {
    let path = format!("/organiser/rounds/{round}/results/{action}");
    let res = app.post_form(&path, fields).await;
    assert_eq!(res.status().as_u16(), 422, "{action}");
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="form-error-summary""#), "{action}");
    html
}

#[tokio::test]
async fn a_conflict_found_after_freezing_is_recorded_but_keeps_the_frozen_rounds_assignments() {
    let app = spawn_app().await;
    let (ed, round, ids, a) = scored_round(&app).await;
    let html = step(&app, round, "freeze", &[]).await;
    assert!(html.contains("Hasil dibekukan."));
    let before = live(&app, round).await;
    let judge_page = format!("/organiser/editions/{ed}/judges/{}", a.id);
    let entry = ids[2].to_string();
    let (conflicts, fields) = (
        format!("{judge_page}/conflicts"),
        [
            ("entry", entry.as_str()),
            ("reason", "Saudara kandung kepala unit"),
        ],
    );
    let res = app.post_form(&conflicts, &fields).await;
    assert_eq!(res.status().as_u16(), 303);
    // The organiser is told what was kept and how to withdraw it.
    let html = app.page(&judge_page).await;
    assert!(
        html.contains(
            "0 penugasan ditarik. 1 penugasan di babak yang hasilnya sudah dibekukan tetap ada"
        ),
        "{html}"
    );
    // The conflict is recorded, the kept ranking's assignments are not touched.
    assert_eq!(live(&app, round).await, before);
    let (judge, on) = (a.id, ids[2]);
    let recorded = app
        .db(move |conn| {
            use biw::db::schema::conflicts;
            conflicts::table
                .filter(conflicts::judge_id.eq(judge))
                .filter(conflicts::entry_id.eq(on))
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(recorded, 1);
    // Reopened, the round loses the assignment the conflict forbids, and says so.
    let html = step(&app, round, "unfreeze", &[("reason", "Konflik ditemukan")]).await;
    assert!(
        html.contains("Penilaian dibuka kembali; 1 penugasan yang berkonflik kepentingan ditarik."),
        "{html}"
    );
    assert_eq!(stage_of(&app, round).await, (false, false, false));
    let after = live(&app, round).await;
    assert_eq!(after.len(), before.len() - 1);
    assert!(!after.iter().any(|x| x.1 == on && x.2 == judge));
    // Recording it again finds nothing left to withdraw.
    let res = app.post_form(&conflicts, &fields).await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(
        app.page(&judge_page)
            .await
            .contains("Konflik kepentingan dicatat; 0 penugasan ditarik.")
    );
    assert_eq!(live(&app, round).await, after);
}

/// A judge moved into the submitting unit while the round is frozen keeps the frozen round's
/// assignments (the organiser is told), and loses them when the round is reopened.
#[tokio::test]
async fn a_judge_moved_into_a_conflict_keeps_a_frozen_rounds_assignments_until_it_reopens() {
    let app = spawn_app().await;
    let (_, round, _, a) = scored_round(&app).await;
    step(&app, round, "freeze", &[]).await;
    let before = live(&app, round).await;
    let mine = before.iter().filter(|x| x.2 == a.id).count();
    assert_eq!(mine, 3);
    let dinkes = app.unit_id("Dinas Kesehatan").await;
    let user_page = format!("/organiser/users/{}", a.id);
    move_judge(&app, &a, dinkes).await;
    let html = app.page(&user_page).await;
    assert!(
        html.contains(
            "0 penugasan ditarik. 3 penugasan di babak yang hasilnya sudah dibekukan tetap ada"
        ),
        "{html}"
    );
    assert_eq!(live(&app, round).await, before);

    let html = step(&app, round, "unfreeze", &[("reason", "Juri pindah unit")]).await;
    assert!(
        html.contains("3 penugasan yang berkonflik kepentingan ditarik."),
        "{html}"
    );
    let after = live(&app, round).await;
    assert_eq!(after.len(), before.len() - mine);
    assert!(after.iter().all(|x| x.2 != a.id));
    assert_counters_agree(&app).await;
}

#[tokio::test]
async fn a_frozen_ranking_is_kept_signed_off_published_and_only_reopened_with_a_reason() {
    let app = spawn_app().await;
    let (_, round, ids, a) = scored_round(&app).await;
    let path = format!("/organiser/rounds/{round}/results");

    // Nothing can be signed off or published before the results are frozen.
    let html = refused(&app, round, "sign-off", &[("confirm", "1")]).await;
    assert!(html.contains("hasil babak ini belum dibekukan"));
    let html = refused(&app, round, "publish", &[]).await;
    assert!(html.contains("hasil babak ini belum dibekukan"));
    assert_eq!(stage_of(&app, round).await, (false, false, false));

    // Frozen: the ranking is kept, sheets cannot change (judge, paper, reopen), nor the settings.
    let html = step(&app, round, "freeze", &[]).await;
    assert!(html.contains("Hasil dibekukan."));
    assert_eq!(order(&html), [ids[1], ids[0], ids[2]]);
    let kept = app
        .db(move |conn| {
            biw::db::schema::round_results::table
                .filter(biw::db::schema::round_results::round_id.eq(round))
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(kept, 3);
    let a_on_2 = live(&app, round)
        .await
        .into_iter()
        .find(|x| x.1 == ids[2] && x.2 == a.id)
        .unwrap()
        .0;
    let crit = criteria_of(&app, round).await;
    let res = post_pairs(
        &app,
        &a.client,
        &format!("/judge/sheets/{a_on_2}"),
        &sheet_form(&crit, "5", 0),
    )
    .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("sudah dibekukan panitia")
    );
    let res = post_pairs(
        &app,
        &app.client,
        &format!("/organiser/sheets/{a_on_2}"),
        &sheet_form(&crit, "5", 0),
    )
    .await;
    assert_eq!(res.status().as_u16(), 422, "not even a paper sheet");
    // Nor who judges what: every board action is refused with the reason, and nothing moves.
    let before = live(&app, round).await;
    let (a_id, entry, on) = (a.id.to_string(), ids[2].to_string(), a_on_2.to_string());
    let frozen = "Hasil babak ini sudah dibekukan";
    for (action, fields) in [
        ("judges", vec![("judge", a_id.as_str())]),
        (
            "judges/remove",
            vec![("judge", a_id.as_str()), ("reason", "Sakit")],
        ),
        (
            "assignments",
            vec![("judge", a_id.as_str()), ("entry", entry.as_str())],
        ),
        (
            "assignments/withdraw",
            vec![("assignment", on.as_str()), ("reason", "Sakit")],
        ),
    ] {
        let res = app
            .post_form(&format!("/organiser/rounds/{round}/{action}"), &fields)
            .await;
        assert_eq!(res.status().as_u16(), 422, "{action}");
        assert!(res.text().await.unwrap().contains(frozen), "{action}");
    }
    for to in [
        format!("/organiser/rounds/{round}/assignments/auto"),
        format!("/organiser/assignments/{a_on_2}/remove"),
    ] {
        let res = app.post_form(&to, &[("reason", "Sakit")]).await;
        assert_eq!(res.status().as_u16(), 303, "{to}");
        let board = app
            .page(&format!("/organiser/rounds/{round}/assignments"))
            .await;
        assert!(board.contains(frozen), "{to}");
    }
    // Nor which entries it holds.
    let res = app
        .post_form(
            &format!("/organiser/rounds/{round}/entries"),
            &[("entry", &ids[0].to_string())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(
        app.page(&format!("/organiser/rounds/{round}"))
            .await
            .contains("tidak ada inovasi yang bisa ditambahkan")
    );
    // A judge cannot take a submitted sheet out of the frozen results by declaring a conflict.
    let res = app
        .post_form_with(
            &a.client,
            &format!("/judge/sheets/{a_on_2}/conflict"),
            &[("reason", "Saudara kandung")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let sheet = res.text().await.unwrap();
    assert!(sheet.contains(r##"<a href="#form-error-summary">"##));
    assert!(sheet.contains("Masa penilaian sudah ditutup"), "{sheet}");
    assert_eq!(live(&app, round).await, before);
    // Nor are judges reminded of sheets they can no longer change.
    let res = app
        .post_form(&format!("/organiser/rounds/{round}/remind"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let progress = app
        .page(&format!("/organiser/rounds/{round}/progress"))
        .await;
    assert!(
        progress.contains(frozen),
        "reminder refused with the reason"
    );
    let mails = app.mails_to("a@univ.ac.id").await;
    assert!(mails.iter().all(|m| m.template != "judge_reminder"));
    let res = post_pairs(
        &app,
        &app.client,
        &format!("{path}/settings"),
        &[
            ("ranking".into(), "mean".into()),
            ("normalisation".into(), "fitted".into()),
            ("spread_threshold".into(), "20".into()),
            ("final_weight".into(), "0".into()),
        ],
    )
    .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("sudah dibekukan"));
    // What is shown is what was kept, even if a row changed underneath.
    let (first, second) = (ids[0], ids[1]);
    app.db(move |conn| {
        use biw::db::schema::sheets;
        for (entry, total) in [(first, 10_000), (second, 5_000)] {
            diesel::update(sheets::table)
                .filter(sheets::entry_id.eq(entry))
                .set(sheets::total_bp.eq(Some(total)))
                .execute(conn)
                .unwrap();
        }
    })
    .await;
    let html = app.page(&path).await;
    assert_eq!(order(&html), [ids[1], ids[0], ids[2]]);

    // Sign-off needs the box ticked; the note is kept with who and when.
    let html = refused(&app, round, "sign-off", &[("note", "Rapat tim 3 Juli")]).await;
    assert!(html.contains("Centang pernyataan bahwa peringkat sudah diperiksa."));
    assert!(html.contains(r#"name="note" rows="3" maxlength="2000">Rapat tim 3 Juli</textarea>"#));
    let html = step(
        &app,
        round,
        "sign-off",
        &[("confirm", "1"), ("note", "Rapat tim 3 Juli")],
    )
    .await;
    assert!(html.contains("Hasil disahkan."));
    assert!(html.contains("Rapat tim 3 Juli"));
    let html = step(&app, round, "publish", &[]).await;
    assert!(html.contains("Hasil diumumkan."));
    assert_eq!(stage_of(&app, round).await, (true, true, true));
    // Published results cannot be reopened; unpublishing needs a reason.
    let html = refused(&app, round, "unfreeze", &[("reason", "Salah hitung")]).await;
    assert!(html.contains("hasil babak ini sudah diumumkan"));
    let html = refused(&app, round, "unpublish", &[("reason", " ")]).await;
    assert!(html.contains(&biw::i18n::t(biw::i18n::Lang::Id, "form.required", &[])));
    assert_eq!(stage_of(&app, round).await, (true, true, true));
    step(&app, round, "unpublish", &[("reason", "Ada sanggahan")]).await;
    assert_eq!(stage_of(&app, round).await, (true, true, false));
    // Reopening judging drops the kept ranking and the sign-off; sheets can change again.
    step(&app, round, "unfreeze", &[("reason", "Juri B salah input")]).await;
    assert_eq!(stage_of(&app, round).await, (false, false, false));
    let res = post_pairs(
        &app,
        &a.client,
        &format!("/judge/sheets/{a_on_2}"),
        &sheet_form(&crit, "5", 0),
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    let html = app.page(&path).await;
    assert_eq!(
        order(&html)[0],
        ids[0],
        "computed live again, from the changed row"
    );
    let actions: Vec<String> = app
        .db(|conn| {
            audit_events::table
                .filter(audit_events::action.like("results.%"))
                .order(audit_events::id)
                .select(audit_events::action)
                .load(conn)
                .unwrap()
        })
        .await;
    assert_eq!(
        actions,
        [
            "results.freeze",
            "results.sign_off",
            "results.publish",
            "results.unpublish",
            "results.unfreeze"
        ]
    );
}

#[tokio::test]
async fn the_top_of_each_category_is_promoted_into_the_next_round_with_the_rule_recorded() {
    use biw::db::schema::{categories, promotion_entries, promotions, round_entries};
    let app = spawn_app().await;
    let (ed, round, ids) = open_round(&app, 4).await;
    // Entries 0 and 1 in the first category, 2 and 3 in the second.
    let (first_two, last_two) = ((ids[0], ids[1]), (ids[2], ids[3]));
    app.db(move |conn| {
        let cats: Vec<i32> = categories::table
            .filter(categories::edition_id.eq(ed))
            .order(categories::position)
            .select(categories::id)
            .limit(2)
            .load(conn)
            .unwrap();
        for (pair, cat) in [(first_two, cats[0]), (last_two, cats[1])] {
            diesel::update(entries::table.filter(entries::id.eq_any([pair.0, pair.1])))
                .set(entries::category_id.eq(Some(cat)))
                .execute(conn)
                .unwrap();
        }
    })
    .await;
    let a = judge(&app, "a@univ.ac.id", None).await;
    add_judges(&app, round, &[&a]).await;
    assign(&app, round, &a, &ids).await;
    declare(&app, &a, ed).await;
    for (e, score) in ids.iter().zip([5, 4, 3, 2]) {
        submit(&app, &a, round, *e, score).await;
    }
    step(&app, round, "freeze", &[]).await;
    step(&app, round, "sign-off", &[("confirm", "1")]).await;
    let path = format!("/organiser/rounds/{round}/results");

    // No next round yet: said, with the way to make one.
    let html = app.page(&path).await;
    assert!(html.contains("Belum ada babak berikutnya"));
    let res = app
        .post_form(
            &format!("{path}/promote"),
            &[("rule", "top"), ("count", "2")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let next = next_round(&app, ed, round).await;

    // A bad number is named and kept; nothing is recorded.
    let res = app
        .post_form(
            &format!("{path}/promote"),
            &[("rule", "top_per_category"), ("count", "nol")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Isi jumlah dengan angka 1 sampai 10.000."));
    assert!(html.contains("value=\"nol\""));
    assert!(html.contains("id=\"rule-top_per_category\" value=\"top_per_category\" checked"));

    // The top one of each category: entries 0 and 2.
    let res = app
        .post_form(
            &format!("{path}/promote"),
            &[("rule", "top_per_category"), ("count", "1")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let html = app.page(&path).await;
    assert!(html.contains("2 inovasi dipromosikan ke babak berikutnya."));
    assert!(html.contains("Aturan: 1 teratas per kategori."));
    let (rule, went, kept, in_next) = app
        .db(move |conn| {
            let rule: (String, i32, i32, String) = promotions::table
                .filter(promotions::round_id.eq(round))
                .select((
                    promotions::rule,
                    promotions::rule_value,
                    promotions::next_round_id,
                    promotions::ranking,
                ))
                .first(conn)
                .unwrap();
            let went: Vec<(i32, Option<i32>, bool)> = promotion_entries::table
                .order(promotion_entries::position)
                .select((
                    promotion_entries::entry_id,
                    promotion_entries::position,
                    promotion_entries::promoted,
                ))
                .load(conn)
                .unwrap();
            let kept = went.len();
            let in_next: Vec<(i32, String)> = round_entries::table
                .filter(round_entries::round_id.eq(next))
                .order(round_entries::entry_id)
                .select((round_entries::entry_id, round_entries::source))
                .load(conn)
                .unwrap();
            (rule, went, kept, in_next)
        })
        .await;
    assert_eq!(
        rule,
        ("top_per_category".into(), 1, next, "normalised".into())
    );
    assert_eq!(kept, 4, "the whole ranking is recorded");
    assert_eq!(
        went,
        [
            (ids[0], Some(1), true),
            (ids[1], Some(2), false),
            (ids[2], Some(3), true),
            (ids[3], Some(4), false)
        ]
    );
    assert_eq!(
        in_next,
        [
            (ids[0], "promotion".to_string()),
            (ids[2], "promotion".to_string())
        ]
    );
    // One promotion per round.
    let res = app
        .post_form(
            &format!("{path}/promote"),
            &[("rule", "top"), ("count", "3")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Babak ini sudah dipromosikan.")
    );
    // Nor can its judging be reopened under the promoted entries.
    let html = refused(&app, round, "unfreeze", &[("reason", "Salah input")]).await;
    assert!(html.contains("sudah dipromosikan ke babak berikutnya"));
    assert!(
        html.contains(r#"value="Salah input""#),
        "the reason typed is kept"
    );
    assert_eq!(stage_of(&app, round).await, (true, true, false));

    // Undone with a reason: the entries leave the next round, the record stays.
    let html = refused(&app, round, "promotion/undo", &[("reason", " ")]).await;
    assert!(html.contains(&biw::i18n::t(biw::i18n::Lang::Id, "form.required", &[])));
    let html = step(
        &app,
        round,
        "promotion/undo",
        &[("reason", "Kategori salah diisi")],
    )
    .await;
    assert!(html.contains("Promosi dibatalkan."));
    let in_next = || {
        app.db(move |conn| {
            round_entries::table
                .filter(round_entries::round_id.eq(next))
                .order(round_entries::entry_id)
                .select(round_entries::entry_id)
                .load::<i32>(conn)
                .unwrap()
        })
    };
    assert!(in_next().await.is_empty());
    let undone: (Option<chrono::NaiveDateTime>, String) = app
        .db(move |conn| {
            promotions::table
                .filter(promotions::round_id.eq(round))
                .select((promotions::undone_at, promotions::undo_reason))
                .first(conn)
                .unwrap()
        })
        .await;
    assert!(undone.0.is_some());
    assert_eq!(undone.1, "Kategori salah diisi");
    // Picked by hand: only the ticked entries go, in ranking order; nothing ticked is refused.
    // The whole ranking can be shown on one page to pick from; a refusal comes back whole.
    let whole = app.page(&format!("{path}?all=1")).await;
    for e in &ids {
        assert!(
            whole.contains(&format!(r#"name="entry" value="{e}""#)),
            "{e}"
        );
    }
    assert!(!whole.contains(r#"class="pager""#));
    let res = app
        .post_form(&format!("{path}/promote"), &[("rule", "chosen")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Centang minimal satu inovasi")
    );
    let (d, b) = (ids[3].to_string(), ids[1].to_string());
    let res = app
        .post_form(
            &format!("{path}/promote"),
            &[("rule", "chosen"), ("entry", &d), ("entry", &b)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(in_next().await, [ids[1], ids[3]]);
    let html = app.page(&path).await;
    assert!(html.contains("Aturan: 2 inovasi dipilih panitia."));
    // Once a judge is assigned there, the promotion stays.
    let b_judge = judge(&app, "b@brin.go.id", None).await;
    add_judges(&app, next, &[&b_judge]).await;
    assign(&app, next, &b_judge, &[ids[1]]).await;
    let html = refused(
        &app,
        round,
        "promotion/undo",
        &[("reason", "Berubah pikiran")],
    )
    .await;
    assert!(html.contains("juri sudah ditugaskan"));
    assert!(html.contains(r#"<details open>"#) && html.contains(r#"value="Berubah pikiran""#));
    assert_eq!(in_next().await, [ids[1], ids[3]]);
    assert_eq!(app.audit_count("promotion.undo").await, 1);
}

/// A logged-in client of the Dinas Kesehatan operator that `open_round` created.
pub async fn unit_operator(app: &TestApp) -> reqwest::Client {
    let c = crate::helpers::new_client();
    app.login_with(&c, "staf@dinkes.biw.id", "correct horse battery")
        .await;
    c
}

/// The statuses of the results mail sent to an address, oldest first.
async fn results_mail(app: &TestApp, to: &str) -> Vec<(String, String)> {
    app.mails_to(to)
        .await
        .into_iter()
        .filter(|m| m.template == "results_published")
        .map(|m| (m.status, m.body_text))
        .collect()
}

#[tokio::test]
async fn each_unit_gets_its_outcome_by_mail_and_a_feedback_report_and_withdrawn_results_withdraw_their_mail()
 {
    let app = spawn_app().await;
    let (_, round, ids, a) = scored_round(&app).await;
    let (e0, e1) = (ids[0], ids[1]);
    app.db(move |conn| {
        diesel::insert_into(biw::db::schema::entry_events::table)
            .values((
                biw::db::schema::entry_events::entry_id.eq(e0),
                biw::db::schema::entry_events::from_status.eq("submitted"),
                biw::db::schema::entry_events::to_status.eq("passed"),
                biw::db::schema::entry_events::note.eq("Lampiran SK sudah lengkap"),
                biw::db::schema::entry_events::created_at.eq(biw::db::now()),
            ))
            .execute(conn)
            .unwrap();
    })
    .await;
    let opd = unit_operator(&app).await;
    let report = |e: i32| format!("/opd/entries/{e}/feedback");
    let read = |c: &reqwest::Client, path: String| {
        let c = c.clone();
        let app = &app;
        async move {
            let res = app.get_with(&c, &path).await;
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };

    // Before publication the unit sees no score, frozen and signed off or not; organisers preview.
    for action in ["", "freeze", "sign-off"] {
        if !action.is_empty() {
            step(&app, round, action, &[("confirm", "1")]).await;
        }
        let (status, html) = read(&opd, report(e0)).await;
        assert_eq!(status, 200);
        assert!(html.contains("belum diumumkan"), "{action}");
        assert!(!html.contains("Peringkat") && !html.contains("Layak lanjut"));
        let (_, page) = read(&opd, format!("/opd/entries/{e0}")).await;
        assert!(!page.contains("feedback-link"));
    }
    let preview = app.page(&format!("/organiser/entries/{e0}/feedback")).await;
    assert!(preview.contains("Peringkat 2 dari 2"));
    assert!(preview.contains("belum diumumkan"));
    assert!(results_mail(&app, "staf@dinkes.biw.id").await.is_empty());

    // Published: every operator of the unit is mailed each entry's outcome and report link.
    step(&app, round, "publish", &[]).await;
    for to in ["staf@dinkes.biw.id", "endorser@dinkes.biw.id"] {
        let mails = results_mail(&app, to).await;
        assert_eq!(mails.len(), 1, "{to}");
        assert_eq!(mails[0].0, "pending");
        assert!(
            mails[0]
                .1
                .contains("Inovasi 1: peringkat 1 dari 2, nilai 100,00.")
        );
        assert!(
            mails[0]
                .1
                .contains("Inovasi 0: peringkat 2 dari 2, nilai 80,00.")
        );
        assert!(
            mails[0]
                .1
                .contains("Inovasi 2: tidak dinilai pada babak ini.")
        );
        assert!(mails[0].1.contains(&report(e1)));
    }
    // Withdrawn before the mail went out: the mail is withdrawn, and publishing again sends one
    // mail with the outcome as it now stands.
    step(&app, round, "unpublish", &[("reason", "Ada sanggahan")]).await;
    let mails = results_mail(&app, "staf@dinkes.biw.id").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, "withdrawn");
    let (_, html) = read(&opd, report(e0)).await;
    assert!(html.contains("belum diumumkan"), "unpublished again");
    step(&app, round, "publish", &[]).await;
    app.drain_outbox().await;
    let statuses: Vec<String> = results_mail(&app, "staf@dinkes.biw.id")
        .await
        .into_iter()
        .map(|m| m.0)
        .collect();
    assert_eq!(statuses, ["withdrawn", "sent"]);

    // The report: rank, percentile per criterion, where points were lost, judges' words without
    // their names, the administrative remarks.
    let (_, page) = read(&opd, format!("/opd/entries/{e0}")).await;
    assert!(page.contains("feedback-link"));
    let (status, html) = read(&opd, report(e0)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Peringkat 2 dari 2 inovasi yang dinilai, nilai 80,00"));
    assert!(html.contains("persentil ke-25"), "lower of two: a quarter");
    assert!(
        html.contains("kehilangan 5,00 poin"),
        "benefit weighs 25: 20% of it"
    );
    assert!(html.contains("Layak lanjut") && html.contains("Data sebelum-sesudah jelas"));
    assert!(html.contains("Juri 1") && html.contains("Juri 2"));
    assert!(!html.contains(&a.email) && !html.contains("Test judge"));
    assert!(html.contains("Lampiran SK sudah lengkap"));
    let (_, best) = read(&opd, report(e1)).await;
    assert!(best.contains("persentil ke-75"));
    assert!(
        !best.contains("paling banyak mengurangi"),
        "full marks lose nothing"
    );
    // A judge who wrote nothing is not numbered: the one who did is "Juri 1", not "Juri 2".
    let (judge_a, entry) = (a.id, e1);
    app.db(move |conn| {
        use biw::db::schema::{sheet_scores, sheets};
        let sheet: i32 = sheets::table
            .filter(sheets::judge_id.eq(judge_a))
            .filter(sheets::entry_id.eq(entry))
            .select(sheets::id)
            .first(conn)
            .unwrap();
        diesel::update(sheets::table.find(sheet))
            .set(sheets::overall_comment.eq(""))
            .execute(conn)
            .unwrap();
        diesel::update(sheet_scores::table.filter(sheet_scores::sheet_id.eq(sheet)))
            .set(sheet_scores::comment.eq(""))
            .execute(conn)
            .unwrap();
    })
    .await;
    let (_, best) = read(&opd, report(e1)).await;
    assert!(
        best.contains("Juri 1") && !best.contains("Juri 2"),
        "{best}"
    );

    // Another unit's operator does not learn the entry exists.
    app.create_user(Role::Opd, "staf@dishub.biw.id", "correct horse battery")
        .await;
    app.db(|conn| {
        use biw::db::schema::{units, users};
        let other: i32 = units::table
            .filter(units::name.ne("Dinas Kesehatan"))
            .select(units::id)
            .first(conn)
            .unwrap();
        diesel::update(users::table.filter(users::email.eq("staf@dishub.biw.id")))
            .set(users::unit_id.eq(other))
            .execute(conn)
            .unwrap();
    })
    .await;
    let stranger = crate::helpers::new_client();
    app.login_with(&stranger, "staf@dishub.biw.id", "correct horse battery")
        .await;
    assert_eq!(read(&stranger, report(e0)).await.0, 404);
    assert_eq!(
        read(&a.client, report(e0)).await.0,
        403,
        "judges are not units"
    );

    // In English.
    app.post_form_with(&opd, "/lang", &[("lang", "en"), ("next", "/")])
        .await;
    let (_, html) = read(&opd, report(e0)).await;
    assert!(html.contains("Rank 2 of 2 scored innovations, score 80.00"));
    assert!(html.contains("25th percentile"));
}

/// The status, subject and text of each mail of `template` to an address, oldest first.
async fn mail_of(app: &TestApp, to: &str, template: &str) -> Vec<(String, String, String)> {
    app.mails_to(to)
        .await
        .into_iter()
        .filter(|m| m.template == template)
        .map(|m| (m.status, m.subject, m.body_text))
        .collect()
}

/// A worker's lease five minutes from now, in whole seconds (PostgreSQL keeps microseconds).
fn lease_ahead() -> chrono::NaiveDateTime {
    chrono::Timelike::with_nanosecond(&(biw::db::now() + chrono::Duration::minutes(5)), 0).unwrap()
}

/// Every mail of `template` to an address, oldest first.
async fn mails_of(app: &TestApp, to: &str, template: &str) -> Vec<OutboxMail> {
    app.mails_to(to)
        .await
        .into_iter()
        .filter(|m| m.template == template)
        .collect()
}

/// Sets every mail of `template` still waiting as held by a worker (on its way) until `lease`.
async fn hold_pending(app: &TestApp, template: &'static str, lease: chrono::NaiveDateTime) {
    app.db(move |conn| {
        use biw::db::schema::outbox;
        diesel::update(
            outbox::table
                .filter(outbox::template.eq(template))
                .filter(outbox::status.eq("pending")),
        )
        .set((
            outbox::status.eq("sending"),
            outbox::attempts.eq(1),
            outbox::locked_until.eq(Some(lease)),
        ))
        .execute(conn)
        .unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_reader_who_may_have_read_withdrawn_results_is_told_once_that_they_no_longer_stand() {
    let app = spawn_app().await;
    let (_, round, _) = signed_off_round(&app).await;
    // One reader of the unit reads English.
    app.db(|conn| {
        use biw::db::schema::users;
        diesel::update(users::table.filter(users::email.eq("endorser@dinkes.biw.id")))
            .set(users::lang.eq("en"))
            .execute(conn)
            .unwrap();
    })
    .await;
    let statuses = |to: &'static str, template: &'static str| {
        let app = &app;
        async move {
            mail_of(app, to, template)
                .await
                .into_iter()
                .map(|m| m.0)
                .collect::<Vec<_>>()
        }
    };
    // Published and mailed; an operator joins the unit after that; then the results are
    // withdrawn: every reader who had them is told, in their language, without the organisers'
    // reason, and the newcomer, who never read them, is not.
    step(&app, round, "publish", &[]).await;
    app.drain_outbox().await;
    app.create_user(Role::Opd, "baru@dinkes.biw.id", "correct horse battery")
        .await;
    app.db(|conn| {
        use biw::db::schema::{units, users};
        let unit: i32 = units::table
            .filter(units::name.eq("Dinas Kesehatan"))
            .select(units::id)
            .first(conn)
            .unwrap();
        diesel::update(users::table.filter(users::email.eq("baru@dinkes.biw.id")))
            .set(users::unit_id.eq(unit))
            .execute(conn)
            .unwrap();
    })
    .await;
    step(
        &app,
        round,
        "unpublish",
        &[("reason", "Salah hitung juri 3")],
    )
    .await;
    let id = mail_of(&app, "staf@dinkes.biw.id", "results_withdrawn").await;
    assert_eq!(id.len(), 1);
    assert_eq!(id[0].0, "pending");
    assert!(id[0].1.starts_with("Pengumuman hasil"), "{}", id[0].1);
    assert!(id[0].2.contains("tidak berlaku lagi"));
    assert!(id[0].2.contains("Dinas Kesehatan"));
    assert!(!id[0].2.contains("Salah hitung"));
    let en = mail_of(&app, "endorser@dinkes.biw.id", "results_withdrawn").await;
    assert_eq!(en.len(), 1);
    assert!(en[0].1.starts_with("Results of") && en[0].1.ends_with("withdrawn"));
    assert!(en[0].2.contains("no longer stand"));
    assert!(
        mail_of(&app, "baru@dinkes.biw.id", "results_withdrawn")
            .await
            .is_empty()
    );
    app.drain_outbox().await;

    // Published again and withdrawn before that mail went out: their last word is already that
    // the results do not stand, so nothing more is sent.
    step(&app, round, "publish", &[]).await;
    step(&app, round, "unpublish", &[("reason", "Masih salah")]).await;
    assert_eq!(
        statuses("staf@dinkes.biw.id", "results_published").await,
        ["sent", "withdrawn"]
    );
    assert_eq!(
        statuses("staf@dinkes.biw.id", "results_withdrawn").await,
        ["sent"]
    );

    // Published again, and withdrawn while a worker holds the mail (it may reach them): they are
    // told again, and the notice waits for the worker's lease, so it cannot arrive first.
    step(&app, round, "publish", &[]).await;
    let lease = lease_ahead();
    hold_pending(&app, "results_published", lease).await;
    step(&app, round, "unpublish", &[("reason", "Sekali lagi")]).await;
    assert_eq!(
        statuses("staf@dinkes.biw.id", "results_published").await,
        ["sent", "withdrawn", "withdrawn"]
    );
    let notices = mails_of(&app, "staf@dinkes.biw.id", "results_withdrawn").await;
    assert_eq!(notices.len(), 2);
    assert_eq!(notices[1].status, "pending");
    assert!(notices[1].next_attempt_at >= lease);
    let html = app
        .page(&format!("/organiser/outbox/{}", notices[1].id))
        .await;
    assert!(
        html.contains(r#"id="mail-waits""#),
        "the outbox says it waits"
    );
    assert_eq!(
        statuses("baru@dinkes.biw.id", "results_withdrawn").await,
        ["pending"],
        "the newcomer had that mail too"
    );
    // The worker's try goes through: it is recorded as sent.
    app.db(move |conn| {
        use biw::db::schema::outbox;
        diesel::update(
            outbox::table
                .filter(outbox::status.eq("withdrawn"))
                .filter(outbox::locked_until.eq(Some(lease))),
        )
        .set((
            outbox::status.eq("sent"),
            outbox::locked_until.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)
        .unwrap();
    })
    .await;
    // Published once more before the notice went out: it would arrive after the outcome now
    // published, so it is withdrawn, and the new results mail goes.
    step(&app, round, "publish", &[]).await;
    app.drain_outbox().await;
    assert_eq!(
        statuses("staf@dinkes.biw.id", "results_withdrawn").await,
        ["sent", "withdrawn"]
    );
    assert_eq!(
        statuses("staf@dinkes.biw.id", "results_published").await,
        ["sent", "withdrawn", "sent", "sent"]
    );
    // Withdrawn again (told: a third notice), and published again while a worker holds that
    // notice: the new results wait for the notice's lease, so they arrive after it.
    step(&app, round, "unpublish", &[("reason", "Terakhir")]).await;
    let later = lease + chrono::Duration::minutes(1);
    hold_pending(&app, "results_withdrawn", later).await;
    step(&app, round, "publish", &[]).await;
    let mail = app.mails_to("staf@dinkes.biw.id").await;
    let newest = mail
        .iter()
        .rfind(|m| m.template == "results_published")
        .unwrap();
    assert_eq!(newest.status, "pending");
    assert!(newest.next_attempt_at >= later);
    assert_eq!(
        statuses("staf@dinkes.biw.id", "results_withdrawn").await,
        ["sent", "withdrawn", "withdrawn"],
        "the held notice is withdrawn: a failed try of it is not tried again"
    );
    // Withdrawn once more before those results leave: the reader's last word may be the held
    // notice, which says exactly this, so no fourth one is queued; the notice is held again, and
    // when the worker's try fails it is tried again instead of leaving the reader untold.
    step(&app, round, "unpublish", &[("reason", "Lagi")]).await;
    assert_eq!(
        statuses("staf@dinkes.biw.id", "results_withdrawn").await,
        ["sent", "withdrawn", "sending"]
    );
    let held = mails_of(&app, "staf@dinkes.biw.id", "results_withdrawn").await[2].clone();
    app.db(move |conn| {
        let claim = biw::models::outbox::Claim {
            attempt: held.attempts,
            lease: held.locked_until,
        };
        let n = biw::models::outbox::mark_failed(
            conn,
            held.id,
            claim,
            "421 try later",
            Some(biw::db::now()),
        )
        .unwrap();
        assert_eq!(n, 1);
    })
    .await;
    assert_eq!(
        statuses("staf@dinkes.biw.id", "results_withdrawn").await,
        ["sent", "withdrawn", "pending"]
    );
    app.drain_outbox().await;
    assert_eq!(
        statuses("staf@dinkes.biw.id", "results_withdrawn").await,
        ["sent", "withdrawn", "sent"]
    );
    assert_eq!(app.audit_count("results.unpublish").await, 5);
}

#[tokio::test]
async fn a_reader_who_read_only_the_objection_notice_is_told_when_the_results_are_withdrawn() {
    let app = spawn_app().await;
    let (_, round, _) = signed_off_round(&app).await;
    step(&app, round, "publish", &[]).await;
    // The results mail meets a passing refusal and waits an hour for its next try; meanwhile the
    // objection window opens and its notice goes out.
    app.db(|conn| {
        use biw::db::schema::outbox;
        diesel::update(outbox::table.filter(outbox::template.eq("results_published")))
            .set((
                outbox::attempts.eq(1),
                outbox::next_attempt_at.eq(biw::db::now() + chrono::Duration::hours(1)),
            ))
            .execute(conn)
            .unwrap();
    })
    .await;
    step(&app, round, "objections", &[("days", "5")]).await;
    app.drain_outbox().await;
    let status = |template: &'static str| {
        let app = &app;
        async move {
            mails_of(app, "staf@dinkes.biw.id", template)
                .await
                .into_iter()
                .map(|m| m.status)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(status("results_published").await, ["pending"]);
    assert_eq!(status("objection").await, ["sent"]);
    // Withdrawn: the results mail never left, but the reader was told a window is open on those
    // results, so they are told the results no longer stand.
    step(&app, round, "unpublish", &[("reason", "Salah hitung")]).await;
    assert_eq!(status("results_published").await, ["withdrawn"]);
    let told = mail_of(&app, "staf@dinkes.biw.id", "results_withdrawn").await;
    assert_eq!(told.len(), 1);
    assert!(told[0].2.contains("Dinas Kesehatan"), "{}", told[0].2);
    app.drain_outbox().await;
    assert_eq!(status("results_withdrawn").await, ["sent"]);
}

/// A round of three entries of one unit scored by two judges (entry 1: 100, entry 0: 80, entry 2
/// unscored), frozen and signed off but not published. Returns (edition, round, entries).
async fn signed_off_round(app: &TestApp) -> (i32, i32, Vec<i32>) {
    let (ed, round, ids, _) = scored_round(app).await;
    step(app, round, "freeze", &[]).await;
    step(app, round, "sign-off", &[("confirm", "1")]).await;
    (ed, round, ids)
}

#[tokio::test]
async fn no_route_outside_the_organisers_shows_a_result_before_publication() {
    use biw::domain::Access;
    use biw::web::routes::ROUTES;
    let app = spawn_app().await;
    let (ed, round, ids) = signed_off_round(&app).await;
    let opd = unit_operator(&app).await;
    let visitor = crate::helpers::new_client();
    // Every readable route that is not the organisers', with the edition and an entry filled in.
    let paths: Vec<(String, Access)> = ROUTES
        .iter()
        .filter(|r| r.method == "GET" && r.access != Access::Only(Role::Organiser))
        .filter(|r| r.path.contains("{id}") || r.path == "/results" || r.path == "/opd")
        .filter(|r| !r.path.starts_with("/judge") && !r.path.contains("{file}"))
        .flat_map(|r| {
            let filled = |id: i32| {
                r.path
                    .replace("{id}", &id.to_string())
                    .replace("{entry}", &ids[1].to_string())
            };
            // `{id}` is an edition under /results and an entry elsewhere.
            let ids_here = if r.path.starts_with("/results") {
                vec![ed]
            } else {
                vec![ids[0], ids[1]]
            };
            ids_here.into_iter().map(move |id| (filled(id), r.access))
        })
        .collect();
    assert!(paths.iter().any(|(p, _)| p.ends_with("/feedback")));
    assert!(paths.iter().any(|(p, _)| p.ends_with("results.json")));
    // A score, a rank sentence or the promoted/ranking table gives a result away.
    let leaks = [
        "100,00",
        "80,00",
        "100.00",
        "80.00",
        "public-ranking",
        "Peringkat 1",
    ];
    let read = |c: reqwest::Client, path: String| {
        let app = &app;
        async move {
            let res = app.get_with(&c, &path).await;
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    for (path, access) in &paths {
        for (who, client) in [("visitor", &visitor), ("unit", &opd)] {
            if *access == Access::Only(Role::Opd) && who == "visitor" {
                continue;
            }
            let (status, body) = read(client.clone(), path.clone()).await;
            assert!(status < 500, "{who} {path}: {status}");
            for leak in leaks {
                assert!(
                    !body.contains(leak),
                    "{who} {path} shows {leak} before publication"
                );
            }
        }
    }
    // Once published, the same routes show it.
    step(&app, round, "publish", &[]).await;
    let mut shown = 0;
    for (path, access) in &paths {
        for (who, client) in [("visitor", &visitor), ("unit", &opd)] {
            if *access == Access::Only(Role::Opd) && who == "visitor" {
                continue;
            }
            let (status, body) = read(client.clone(), path.clone()).await;
            assert!(status < 500, "{who} {path}: {status}");
            if leaks.iter().any(|l| body.contains(l)) {
                shown += 1;
            }
        }
    }
    assert!(
        shown >= 6,
        "published results reach the public and the unit ({shown})"
    );
}

#[tokio::test]
async fn the_public_page_lists_winners_promoted_and_each_entry_with_csv_and_json() {
    let app = spawn_app().await;
    let (ed, round, ids) = signed_off_round(&app).await;
    step(&app, round, "publish", &[]).await;
    let visitor = crate::helpers::new_client();
    let get = |path: String| {
        let c = visitor.clone();
        let app = &app;
        async move {
            let res = app.get_with(&c, &path).await;
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let (status, html) = get("/results".into()).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("/results/{ed}")));
    let (status, html) = get(format!("/results/{ed}")).await;
    assert_eq!(status, 200);
    assert_eq!(order(&html), [ids[1], ids[0]], "ranked only, best first");
    assert!(html.contains("Inovasi 1") && html.contains("100,00"));
    // The entry's page says where it stands and gives a link to share.
    let (status, html) = get(format!("/results/{ed}/entries/{}", ids[0])).await;
    assert_eq!(status, 200);
    assert!(html.contains("peringkat 2, nilai 80,00"));
    assert!(html.contains(&format!("/results/{ed}/entries/{}\"", ids[0])));
    // An unscored entry of a published round has a page; an entry of another edition does not.
    assert_eq!(
        get(format!("/results/{ed}/entries/{}", ids[2])).await.0,
        200
    );
    assert_eq!(
        get(format!("/results/{}/entries/{}", ed + 1, ids[0]))
            .await
            .0,
        404
    );
    // CSV and JSON carry the same ranking.
    let res = app
        .get_with(&visitor, &format!("/results/{ed}/results.csv"))
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap();
    let mut csv = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    assert_eq!(csv.headers().unwrap().get(1), Some("Peringkat"));
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (&rows[0][1], &rows[0][2], &rows[0][5]),
        ("1", "Inovasi 1", "100,00")
    );
    let json: serde_json::Value = serde_json::from_str(
        &app.get_with(&visitor, &format!("/results/{ed}/results.json"))
            .await
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let entries = json["rounds"][0]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["entry_id"], ids[0]);
    assert_eq!(entries[1]["score"], 80.0);
    assert_eq!(entries[1]["position"], 2);
    // In English.
    app.post_form_with(&visitor, "/lang", &[("lang", "en"), ("next", "/")])
        .await;
    let (_, html) = get(format!("/results/{ed}/entries/{}", ids[0])).await;
    assert!(html.contains("rank 2, score 80.00"));
    let (_, html) = get(format!("/results/{ed}")).await;
    assert!(html.contains(r#"id="award-"#), "winners named");
    // A later round not yet published: the standing is provisional, and no winner is named.
    next_round(&app, ed, round).await;
    let (_, html) = get(format!("/results/{ed}")).await;
    assert!(!html.contains(r#"id="award-"#));
    assert!(html.contains("The winners are announced once every round"));
    assert_eq!(
        order(&html),
        [ids[1], ids[0]],
        "the published round still shows"
    );
}

#[tokio::test]
async fn awards_follow_the_edition_rule_and_print_as_certificates() {
    let app = spawn_app().await;
    let (ed, round, _) = signed_off_round(&app).await;
    let path = format!("/organiser/editions/{ed}/awards");
    // Frozen, not published: organisers preview, the public sees nothing yet.
    let html = app.page(&path).await;
    assert!(html.contains("belum diumumkan"));
    let visitor = crate::helpers::new_client();
    assert_eq!(
        app.get_with(&visitor, &format!("/results/{ed}"))
            .await
            .status()
            .as_u16(),
        404
    );
    // Certificates printed now say they are a draft.
    let certificates = format!("/organiser/editions/{ed}/awards/certificates");
    let html = app.page(&certificates).await;
    assert!(html.contains(r#"id="provisional-note""#));
    assert_eq!(
        html.matches(r#"class="piagam-draft""#).count(),
        html.matches(r#"class="piagam""#).count()
    );
    step(&app, round, "publish", &[]).await;
    // Best innovation: 1 then 0; Dinas Kesehatan adds up its best two (100 + 80).
    let html = app.page(&path).await;
    let best = &html[html.find("Inovasi Terbaik").unwrap()..];
    assert!(best.find("Inovasi 1").unwrap() < best.find("Inovasi 0").unwrap());
    assert!(html.contains("Perangkat Daerah Terinovatif"));
    assert!(html.contains("180,00"));
    // The rule: every bad number named, what was typed kept; then one place, one entry a unit.
    let res = app
        .post_form(&path, &[("places", "0"), ("unit_best", "dua")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert_eq!(
        html.matches("Isi angka 1 sampai 10.").count(),
        2 * 2,
        "summary and fields"
    );
    assert!(html.contains("value=\"dua\""));
    let res = app
        .post_form(&path, &[("places", "1"), ("unit_best", "1")])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let html = app.page(&path).await;
    assert!(!html.contains("180,00") && !html.contains("Inovasi 0"));
    // One certificate per winner, each on its own printed page.
    let html = app.page(&certificates).await;
    assert!(html.contains("PIAGAM PENGHARGAAN"));
    assert!(!html.contains("piagam-draft") && !html.contains("provisional-note"));
    assert_eq!(html.matches("class=\"piagam\"").count(), 2);
    assert!(html.contains("Juara 1") && html.contains("Dinas Kesehatan"));
    // The public page carries the awards.
    let public = format!("/results/{ed}");
    let public_page = || async { app.get_with(&visitor, &public).await.text().await.unwrap() };
    let html = public_page().await;
    assert!(html.contains("Inovasi Terbaik") && html.contains("Inovasi 1"));
    assert_eq!(app.audit_count("awards.rule").await, 1);
    // A unit and an entry renamed by an instance whose clock runs behind the others' (their
    // change times stay as they were, under the newest): the kept awards are computed again all
    // the same, for organisers and the public.
    app.db(|conn| {
        use biw::db::schema::units;
        diesel::update(units::table.filter(units::name.eq("Dinas Kesehatan")))
            .set(units::name.eq("Dinas Kesehatan Kota"))
            .execute(conn)
            .unwrap();
        diesel::update(entries::table.filter(entries::name.eq("Inovasi 1")))
            .set(entries::name.eq("Inovasi Kesatu"))
            .execute(conn)
            .unwrap();
    })
    .await;
    let html = app.page(&certificates).await;
    assert!(html.contains("Dinas Kesehatan Kota") && html.contains("Inovasi Kesatu"));
    let html = public_page().await;
    assert!(html.contains("Inovasi Kesatu") && !html.contains("Inovasi 1<"));
}

#[tokio::test]
async fn the_national_shortlist_tells_units_what_they_lack_and_they_complete_it() {
    let app = spawn_app().await;
    let (ed, round, ids) = signed_off_round(&app).await;
    let path = format!("/organiser/editions/{ed}/shortlist");
    // Before publication there is nothing to shortlist from.
    let res = app.post_form(&format!("{path}/add"), &[("top", "2")]).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Belum ada hasil babak yang diumumkan"));
    assert!(html.contains(r#"value="2""#), "the number typed is kept");
    step(&app, round, "publish", &[]).await;
    let html = app.page(&path).await;
    assert!(html.contains(&format!("name=\"entry\" value=\"{}\"", ids[1])));
    // The top one, then a chosen one; an unscored entry cannot be chosen.
    let res = app.post_form(&format!("{path}/add"), &[("top", "1")]).await;
    assert_eq!(res.status().as_u16(), 303);
    let chosen = ids[0].to_string();
    let res = app
        .post_form(
            &format!("{path}/add"),
            &[("entry", &chosen), ("entry", &chosen)],
        )
        .await;
    assert_eq!(
        res.status().as_u16(),
        303,
        "the same entry twice is added once"
    );
    let unscored = ids[2].to_string();
    let res = app
        .post_form(&format!("{path}/add"), &[("entry", &unscored)])
        .await;
    assert_eq!(res.status().as_u16(), 404);
    let html = app.page(&path).await;
    assert!(html.contains("2 inovasi dalam daftar pendek."));
    assert!(html.contains("0 / 111"), "nothing declared yet");
    // The units are told what they lack; a removal before the mail went out withdraws it.
    app.post_form(&format!("{path}/notify"), &[]).await;
    let mails: Vec<_> = app
        .mails_to("staf@dinkes.biw.id")
        .await
        .into_iter()
        .filter(|m| m.template == "shortlisted")
        .collect();
    assert_eq!(mails.len(), 2);
    assert!(mails[0].body_text.contains("Regulasi inovasi daerah"));
    assert!(mails[0].body_text.contains("0 dari 111"));
    // The shortlist stands on the published results: they cannot be withdrawn under it.
    let html = refused(&app, round, "unpublish", &[("reason", "Ada sanggahan")]).await;
    assert!(html.contains("keluarkan dulu dari daftar usulan"));
    assert!(html.contains(r#"<details class="danger-zone" open>"#));
    assert!(
        html.contains(r#"value="Ada sanggahan""#),
        "the reason typed is kept"
    );
    assert!(html.contains(r#"id="published-note""#), "still published");
    // Refused forms come back with the page, the message and what was typed.
    let res = app
        .post_form(&format!("{path}/add"), &[("top", "5000")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Isi angka 1 sampai 1000."));
    assert!(html.contains(r#"value="5000""#), "the number typed is kept");
    let long = "Belum dua tahun ".repeat(40);
    let first = ids[0].to_string();
    let res = app
        .post_form(
            &format!("{path}/remove"),
            &[("entry", first.as_str()), ("reason", long.as_str())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!(r#"value="{long}""#)),
        "the reason typed is kept"
    );
    assert!(
        html.contains(&format!(
            r#"id="rm-{first}" aria-labelledby="pick-col name-{first}" aria-describedby="rm-hint" checked"#
        )),
        "its row stays ticked"
    );
    let res = app
        .post_form(
            &format!("{path}/remove"),
            &[("reason", "Belum dua tahun diterapkan")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422, "nothing ticked");
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Pilih minimal satu inovasi.")
    );
    let res = app
        .post_form(
            &format!("{path}/remove"),
            &[
                ("entry", first.as_str()),
                ("reason", "Belum dua tahun diterapkan"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let statuses: Vec<(String, String)> = app
        .mails_to("staf@dinkes.biw.id")
        .await
        .into_iter()
        .filter(|m| m.template == "shortlisted")
        .map(|m| (m.subject, m.status))
        .collect();
    assert!(statuses.contains(&(
        "Inovasi 0 masuk daftar pendek nasional (IGA)".into(),
        "withdrawn".into()
    )));
    assert!(statuses.contains(&(
        "Inovasi 1 masuk daftar pendek nasional (IGA)".into(),
        "pending".into()
    )));
    assert!(
        mail_of(&app, "staf@dinkes.biw.id", "shortlist_removed")
            .await
            .is_empty(),
        "the unit never read that it was on the list"
    );
    // One entry not on the list refuses the whole removal: the other stays listed.
    let second = ids[1].to_string();
    let res = app
        .post_form(
            &format!("{path}/remove"),
            &[
                ("entry", second.as_str()),
                ("entry", first.as_str()),
                ("reason", "Dua sekaligus"),
            ],
        )
        .await;
    // (As when another organiser took it off a moment before: the list comes back current,
    // with the ticks and the reason.)
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Salah satu inovasi yang dicentang sudah tidak ada di daftar pendek"));
    assert!(html.contains(&format!(r#"id="rm-{second}" aria-labelledby="pick-col name-{second}" aria-describedby="rm-hint" checked"#)));
    assert!(html.contains(r#"value="Dua sekaligus""#));
    let html = app.get(&path).await.text().await.unwrap();
    assert!(html.contains(&format!(r#"id="listed-{second}""#)));
    assert!(!html.contains(&format!(r#"id="listed-{first}""#)));

    // The unit completes its readiness; a level needs its evidence, and nothing typed is lost.
    let opd = unit_operator(&app).await;
    let form_path = format!("/opd/entries/{}/iid", ids[1]);
    assert_eq!(
        app.get_with(&opd, &format!("/opd/entries/{}/iid", ids[0]))
            .await
            .status()
            .as_u16(),
        404,
        "no longer shortlisted"
    );
    let html = app.get_with(&opd, &form_path).await.text().await.unwrap();
    let first: i32 = {
        let at = html.find("name=\"ind\" value=\"").unwrap() + 18;
        html[at..at + html[at..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    let (lvl, ev) = (format!("lvl-{first}"), format!("ev-{first}"));
    let first_s = first.to_string();
    let level_3 = |evidence: &'static str| {
        let fields = [
            ("ind", first_s.clone()),
            (lvl.as_str(), "3".to_string()),
            (ev.as_str(), evidence.to_string()),
        ];
        let (app, opd, form_path) = (&app, &opd, &form_path);
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form_with(opd, form_path, &fields).await
        }
    };
    let res = level_3(" ").await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Sebutkan atau unggah bukti dukung untuk tingkat yang dipilih."));
    assert!(html.contains(&format!("name=\"{lvl}\" value=\"3\" checked")));
    let res = level_3("Perda Kota Bekasi No. 5 Tahun 2024").await;
    assert_eq!(res.status().as_u16(), 303);
    let html = app.get_with(&opd, &form_path).await.text().await.unwrap();
    assert!(
        html.contains("Kesiapan saat ini: 9 dari 111"),
        "weight 3 × level 3"
    );
    assert!(
        !html[..html.find("<form method=\"post\" action=\"/opd").unwrap()]
            .contains("<li>Regulasi inovasi daerah</li>")
    );
    let dash = app.get_with(&opd, "/opd").await.text().await.unwrap();
    assert!(dash.contains("Lengkapi kesiapan IID: Inovasi 1 (9 dari 111)"));

    // Exports read back: CSV and a workbook, Indonesian headers (for an organiser reading in
    // English too: they are archived and sent on as they are).
    app.post_form("/lang", &[("lang", "en")]).await;
    let text = app
        .page(&format!("/organiser/editions/{ed}/shortlist.csv"))
        .await;
    let mut csv = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(csv.headers().unwrap().get(5), Some("Kesiapan IID"));
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (&rows[0][1], &rows[0][5], &rows[0][6]),
        ("Inovasi 1", "9", "111")
    );
    let bytes = app
        .get(&format!("/organiser/editions/{ed}/shortlist.xlsx"))
        .await
        .bytes()
        .await
        .unwrap();
    let sheet = workbook_sheet(&bytes);
    assert_eq!(sheet.get_value((0, 1)).unwrap().to_string(), "Inovasi");
    assert_eq!(sheet.get_value((1, 1)).unwrap().to_string(), "Inovasi 1");
    assert_eq!(sheet.get_value((1, 5)).unwrap().to_string(), "9");
    for export in [
        format!("/organiser/rounds/{round}/results.csv"),
        format!("/organiser/rounds/{round}/sheets.csv"),
    ] {
        let text = app.page(&export).await;
        assert!(text.contains("Inovasi"), "{export}: {text}");
        assert!(!text.contains("Innovation"), "{export}: {text}");
    }
    app.post_form("/lang", &[("lang", "id")]).await;
    let print = app.page(&format!("{path}/print")).await;
    assert!(print.contains("Daftar pendek nasional") && print.contains("Inovasi 1"));
}

#[tokio::test]
async fn a_unit_told_its_entry_is_shortlisted_is_told_when_it_is_taken_off() {
    let app = spawn_app().await;
    let (ed, round, ids) = signed_off_round(&app).await;
    let path = format!("/organiser/editions/{ed}/shortlist");
    step(&app, round, "publish", &[]).await;
    let first = ids[1].to_string();
    let add = [("entry", first.as_str())];
    assert_eq!(
        app.post_form(&format!("{path}/add"), &add)
            .await
            .status()
            .as_u16(),
        303
    );
    app.post_form(&format!("{path}/notify"), &[]).await;
    app.drain_outbox().await;
    let remove = [
        ("entry", first.as_str()),
        ("reason", "Belum dua tahun diterapkan"),
    ];
    assert_eq!(
        app.post_form(&format!("{path}/remove"), &remove)
            .await
            .status()
            .as_u16(),
        303
    );
    let notices = mail_of(&app, "staf@dinkes.biw.id", "shortlist_removed").await;
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].0, "pending");
    assert_eq!(
        notices[0].1,
        "Inovasi 1 tidak lagi masuk daftar pendek nasional (IGA)"
    );
    assert!(notices[0].2.contains("tidak berlaku lagi"));
    assert!(
        !notices[0].2.contains("Belum dua tahun"),
        "the reason stays inside"
    );
    // Put back before the notice went out: the notice is withdrawn, and the unit, told again,
    // reads that it is on the list.
    app.post_form(&format!("{path}/add"), &add).await;
    app.post_form(&format!("{path}/notify"), &[]).await;
    app.drain_outbox().await;
    let notices = mail_of(&app, "staf@dinkes.biw.id", "shortlist_removed").await;
    assert_eq!(notices[0].0, "withdrawn");
    let listed: Vec<String> = mail_of(&app, "staf@dinkes.biw.id", "shortlisted")
        .await
        .into_iter()
        .map(|m| m.0)
        .collect();
    assert_eq!(listed, ["sent", "sent"]);
    // Taken off again once that went out: told again.
    app.post_form(&format!("{path}/remove"), &remove).await;
    let notices = mail_of(&app, "staf@dinkes.biw.id", "shortlist_removed").await;
    assert_eq!(
        notices.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(),
        ["withdrawn", "pending"]
    );
    app.drain_outbox().await;
    // Put back, its mail held by a worker when it is taken off again: the unit is told, after
    // that worker's lease.
    app.post_form(&format!("{path}/add"), &add).await;
    app.post_form(&format!("{path}/notify"), &[]).await;
    let lease = lease_ahead();
    hold_pending(&app, "shortlisted", lease).await;
    app.post_form(&format!("{path}/remove"), &remove).await;
    let notices = mails_of(&app, "staf@dinkes.biw.id", "shortlist_removed").await;
    assert_eq!(notices.len(), 3);
    assert_eq!(notices[2].status, "pending");
    assert!(notices[2].next_attempt_at >= lease);
}

#[tokio::test]
async fn organisers_edit_this_years_iid_indicators_with_every_bad_field_named() {
    let app = spawn_app().await;
    let (ed, _, _) = open_round(&app, 1).await;
    let path = format!("/organiser/editions/{ed}/iid-indicators");
    let html = app.page(&path).await;
    assert_eq!(
        html.matches("name=\"ind\"").count(),
        20,
        "seeded from the catalogue"
    );
    let mut form = crate::helpers::form_fields(&html);
    // Selects are not read by `form_fields`: every weight is chosen here.
    let inds: Vec<String> = form
        .iter()
        .filter(|f| f.0 == "ind")
        .map(|f| f.1.clone())
        .collect();
    for id in &inds {
        form.push((format!("weight-{id}"), "2".into()));
    }
    let first = inds[0].clone();
    for f in form.iter_mut() {
        if f.0 == format!("weight-{first}") {
            f.1 = "9".into();
        }
        if f.0 == format!("level2-{first}") {
            f.1 = String::new();
        }
        if f.0 == format!("name-{first}") {
            f.1 = "Regulasi inovasi daerah (2027)".into();
        }
    }
    let res = crate::entries::post_pairs(&app, &app.client, &path, &form).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Pilih bobot 1 sampai 4."));
    assert!(
        html.contains("Regulasi inovasi daerah (2027)"),
        "typed text kept"
    );
    for f in form.iter_mut() {
        if f.0 == format!("weight-{first}") {
            f.1 = "4".into();
        }
        if f.0 == format!("level2-{first}") {
            f.1 = "Peraturan Wali Kota".into();
        }
    }
    let res = crate::entries::post_pairs(&app, &app.client, &path, &form).await;
    assert_eq!(res.status().as_u16(), 303);
    let html = app.page(&path).await;
    assert!(
        html.contains("Regulasi inovasi daerah (2027)") && html.contains("Peraturan Wali Kota")
    );
    assert!(html.contains("<option value=\"4\" selected>"));
}

/// The id of the one objection that stands (not superseded by a withdrawn publication).
async fn standing_objection(app: &TestApp) -> i32 {
    app.db(|conn| {
        use biw::db::schema::objections;
        objections::table
            .filter(objections::superseded_at.is_null())
            .select(objections::id)
            .first(conn)
            .unwrap()
    })
    .await
}

/// Ends the round's objection window an hour ago.
async fn end_objection_window(app: &TestApp, round: i32) {
    app.db(move |conn| {
        diesel::update(rounds::table.find(round))
            .set(rounds::objections_until.eq(Some(biw::db::now() - chrono::Duration::hours(1))))
            .execute(conn)
            .unwrap();
    })
    .await;
}

/// The unit's operator objects to `entry`'s result in `round`.
async fn object_to(
    app: &TestApp,
    opd: &reqwest::Client,
    (entry, round): (i32, i32),
    reason: &str,
) -> reqwest::Response {
    let path = format!("/opd/entries/{entry}/objections");
    let round = round.to_string();
    app.post_form_with(opd, &path, &[("round", round.as_str()), ("reason", reason)])
        .await
}

#[tokio::test]
async fn an_objection_window_takes_objections_answers_each_and_then_the_results_are_final() {
    let app = spawn_app().await;
    let (_, round, ids) = signed_off_round(&app).await;
    step(&app, round, "publish", &[]).await;
    let opd = unit_operator(&app).await;
    let report = format!("/opd/entries/{}/feedback", ids[0]);
    let object = |reason: &'static str| object_to(&app, &opd, (ids[0], round), reason);
    // Not open yet: no form, and a forged post is refused with the reason kept.
    let html = app.get_with(&opd, &report).await.text().await.unwrap();
    assert!(!html.contains("Ajukan sanggahan"));
    let res = object("Nilai kriteria manfaat keliru").await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("sudah berakhir atau belum dibuka"));
    // Opened for five days: the unit is told.
    let html = refused(&app, round, "objections", &[("days", "0")]).await;
    assert!(html.contains("Isi angka 1 sampai 30."));
    let html = step(&app, round, "objections", &[("days", "5")]).await;
    assert!(html.contains("Masa sanggah sampai"));
    let told: Vec<String> = app
        .mails_to("staf@dinkes.biw.id")
        .await
        .into_iter()
        .filter(|m| m.template == "objection")
        .map(|m| m.subject)
        .collect();
    assert_eq!(told, ["Masa sanggah hasil Evaluasi dokumen dibuka"]);
    // Set again before its notice went: the unit is told the new deadline only.
    let html = step(&app, round, "objections", &[("days", "4")]).await;
    assert!(html.contains("Masa sanggah sampai"));
    let notices: Vec<String> = app
        .mails_to("staf@dinkes.biw.id")
        .await
        .into_iter()
        .filter(|m| m.template == "objection")
        .map(|m| m.status)
        .collect();
    assert_eq!(notices, ["withdrawn", "pending"]);
    let html = refused(&app, round, "final", &[]).await;
    assert!(html.contains("Masa sanggah masih berjalan"));
    // A unit the organisers deactivated cannot object.
    let set_active = |active: bool| {
        app.db(move |conn| {
            use biw::db::schema::units;
            diesel::update(units::table.filter(units::name.eq("Dinas Kesehatan")))
                .set(units::active.eq(active))
                .execute(conn)
                .unwrap();
        })
    };
    set_active(false).await;
    let res = object("Nilai kriteria manfaat keliru").await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Unit Anda sedang dinonaktifkan")
    );
    set_active(true).await;
    // The unit objects once, with a reason; it gets a receipt.
    let html = app.get_with(&opd, &report).await.text().await.unwrap();
    assert!(html.contains("Ajukan sanggahan"));
    let res = object("  ").await;
    assert_eq!(res.status().as_u16(), 422);
    let res = object("Nilai kriteria manfaat keliru").await;
    assert_eq!(res.status().as_u16(), 303);
    let res = object("Sekali lagi").await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("sudah mengajukan sanggahan")
    );
    let html = app
        .page(&format!("/organiser/rounds/{round}/results"))
        .await;
    assert!(html.contains("Nilai kriteria manfaat keliru"));
    let objection: i32 = standing_objection(&app).await;
    // Answered: a decision and a reason are both needed; upheld, the unit's queued results mail
    // is withdrawn (its outcome may change) and the answer is mailed.
    let answer = format!("/organiser/objections/{objection}/answer");
    let res = app
        .post_form(&answer, &[("answer", "Sudah diperiksa")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Pilih salah satu dari daftar."));
    assert!(
        html.contains(">Sudah diperiksa</textarea>"),
        "the answer typed is kept"
    );
    // One reader's results mail has already gone (the server took it); the other's waits.
    app.db(|conn| {
        use biw::db::schema::outbox;
        diesel::update(
            outbox::table
                .filter(outbox::to_email.eq("endorser@dinkes.biw.id"))
                .filter(outbox::template.eq("results_published")),
        )
        .set(outbox::status.eq("sent"))
        .execute(conn)
        .unwrap();
    })
    .await;
    let res = app
        .post_form(
            &answer,
            &[("upheld", "yes"), ("answer", "Nilai juri B salah input")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let read_it = app
        .mails_to("endorser@dinkes.biw.id")
        .await
        .into_iter()
        .find(|m| m.subject.starts_with("Jawaban atas sanggahan"))
        .unwrap();
    assert!(
        !read_it.body_text.contains("belum sempat terkirim"),
        "the results mail reached this reader: the answer does not say it did not"
    );
    let mails: Vec<(String, String, String)> = app
        .mails_to("staf@dinkes.biw.id")
        .await
        .into_iter()
        .filter(|m| m.template != "invitation")
        .map(|m| (m.template, m.status, m.subject))
        .collect();
    assert!(
        mails
            .iter()
            .any(|m| m.0 == "results_published" && m.1 == "withdrawn")
    );
    assert!(
        mails
            .iter()
            .any(|m| m.0 == "objection" && m.2.starts_with("Sanggahan untuk"))
    );
    assert!(
        mails
            .iter()
            .any(|m| m.0 == "objection" && m.2.starts_with("Jawaban atas sanggahan"))
    );
    // The answer takes the withdrawn results mail's place: it says so, and links the report.
    let answer_mail = app
        .mails_to("staf@dinkes.biw.id")
        .await
        .into_iter()
        .find(|m| m.subject.starts_with("Jawaban atas sanggahan"))
        .unwrap();
    for body in [&answer_mail.body_text, &answer_mail.body_html] {
        assert!(
            body.contains(
                "Email hasil babak ini yang belum sempat terkirim kepada Anda dibatalkan"
            ),
            "{body}"
        );
        assert!(body.contains("/feedback"));
    }
    // It is answered once: a second answer (another organiser, a double click) is refused and
    // nothing more is mailed.
    let res = app
        .post_form(
            &answer,
            &[("upheld", "no"), ("answer", "Nilai sudah sesuai")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("sudah dijawab"));
    let answers = app
        .mails_to("staf@dinkes.biw.id")
        .await
        .into_iter()
        .filter(|m| m.subject.starts_with("Jawaban atas sanggahan"))
        .count();
    assert_eq!(answers, 1);
    let html = app.get_with(&opd, &report).await.text().await.unwrap();
    assert!(html.contains("Nilai juri B salah input") && html.contains("Diterima"));
    // Once the window has ended, the results are declared final.
    end_objection_window(&app, round).await;
    let html = step(&app, round, "final", &[]).await;
    assert!(html.contains("Hasil final sejak"));
    assert_eq!(app.audit_count("round.final").await, 1);
}

#[tokio::test]
async fn an_objection_to_a_withdrawn_publication_gives_way_to_one_against_the_next() {
    let app = spawn_app().await;
    let (_, round, ids) = signed_off_round(&app).await;
    step(&app, round, "publish", &[]).await;
    step(&app, round, "objections", &[("days", "5")]).await;
    let opd = unit_operator(&app).await;
    let report = format!("/opd/entries/{}/feedback", ids[0]);
    let object = |reason: &'static str| {
        let res = object_to(&app, &opd, (ids[0], round), reason);
        async move { res.await.status().as_u16() }
    };
    assert_eq!(object("Nilai kriteria manfaat keliru").await, 303);
    let first: i32 = standing_objection(&app).await;
    // The publication is withdrawn and made again: the objection answered the old one.
    step(&app, round, "unpublish", &[("reason", "Salah input nilai")]).await;
    let html = step(&app, round, "publish", &[]).await;
    assert!(!html.contains("Nilai kriteria manfaat keliru"));
    let res = app
        .post_form(
            &format!("/organiser/objections/{first}/answer"),
            &[("upheld", "no"), ("answer", "Tetap")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 404, "nothing left to answer");
    let html = app.get_with(&opd, &report).await.text().await.unwrap();
    assert!(!html.contains("Nilai kriteria manfaat keliru"));
    // A new window: the unit objects to the new results, once.
    step(&app, round, "objections", &[("days", "3")]).await;
    assert_eq!(object("Nilai baru juga keliru").await, 303);
    assert_eq!(object("Sekali lagi").await, 422);
    let html = app.get_with(&opd, &report).await.text().await.unwrap();
    assert!(html.contains("Nilai baru juga keliru"));
    // Only the standing objection holds the results back from being final.
    end_objection_window(&app, round).await;
    let html = refused(&app, round, "final", &[]).await;
    assert!(html.contains("Masih ada sanggahan yang belum dijawab."));
    let second: i32 = standing_objection(&app).await;
    assert_ne!(first, second);
    let res = app
        .post_form(
            &format!("/organiser/objections/{second}/answer"),
            &[("upheld", "no"), ("answer", "Nilai sudah sesuai")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let html = step(&app, round, "final", &[]).await;
    assert!(html.contains("Hasil final sejak"));
    // Both are kept.
    let kept: i64 = app
        .db(|conn| {
            biw::db::schema::objections::table
                .count()
                .get_result(conn)
                .unwrap()
        })
        .await;
    assert_eq!(kept, 2);
}

/// A multipart post of the IID form: the CSRF token first (as the page sends it), then the fields,
/// then each document for its indicator.
async fn post_iid(
    app: &TestApp,
    client: &reqwest::Client,
    entry: i32,
    fields: &[(String, String)],
    files: &[(i32, &str, &[u8])],
) -> reqwest::Response {
    let token = app.csrf_for(client).await;
    let mut form = reqwest::multipart::Form::new().text("csrf", token);
    for (k, v) in fields {
        form = form.text(k.clone(), v.clone());
    }
    for (ind, name, bytes) in files {
        let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string());
        form = form.part(format!("file-{ind}"), part);
    }
    client
        .post(format!("{}/opd/entries/{entry}/iid", app.address))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn iid_evidence_documents_count_as_evidence_and_reach_only_those_who_may_see_the_entry() {
    let app = spawn_app().await;
    let (ed, round, ids) = signed_off_round(&app).await;
    step(&app, round, "publish", &[]).await;
    let path = format!("/organiser/editions/{ed}/shortlist");
    let res = app.post_form(&format!("{path}/add"), &[("top", "1")]).await;
    assert_eq!(res.status().as_u16(), 303);
    let entry = ids[1];
    let opd = unit_operator(&app).await;
    let form_path = format!("/opd/entries/{entry}/iid");
    let html = app.get_with(&opd, &form_path).await.text().await.unwrap();
    assert!(html.contains("enctype=\"multipart/form-data\""));
    let inds: Vec<i32> = html
        .match_indices("name=\"ind\" value=\"")
        .map(|(at, m)| {
            let rest = &html[at + m.len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect();
    let (first, second) = (inds[0], inds[1]);
    let answer = |ind: i32, level: &str, evidence: &str| {
        vec![
            ("ind".to_string(), ind.to_string()),
            (format!("lvl-{ind}"), level.to_string()),
            (format!("ev-{ind}"), evidence.to_string()),
        ]
    };
    let pdf: &[u8] = b"%PDF-1.7 Perwal inovasi";
    let uploads = app.state.settings.upload_dir.clone();
    let count = move || {
        std::fs::read_dir(&uploads)
            .map(|d| d.count())
            .unwrap_or_default()
    };
    // The entries' own evidence files are there already.
    let before = count();
    let stored = move || count() - before;

    // A good document and a file that is not one: the good one is kept, the other is named, and
    // every level chosen comes back as chosen.
    let mut fields = answer(first, "3", "");
    fields.extend(answer(second, "2", ""));
    let res = post_iid(
        &app,
        &opd,
        entry,
        &fields,
        &[
            (first, "perwal.pdf", pdf),
            (second, "virus.exe", b"MZ\x90\x00"),
        ],
    )
    .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Unggah PDF atau gambar (JPG, PNG); isi berkas ini bukan keduanya."));
    assert!(html.contains("perwal.pdf"), "the good document is kept");
    assert!(html.contains(&format!("name=\"lvl-{first}\" value=\"3\" checked")));
    assert!(html.contains(&format!("name=\"lvl-{second}\" value=\"2\" checked")));
    assert_eq!(stored(), 1);
    assert_eq!(app.audit_count("iid_readiness.file_upload").await, 1);

    // The document alone is the evidence of its level.
    let res = post_iid(&app, &opd, entry, &answer(first, "3", ""), &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    let html = app.get_with(&opd, &form_path).await.text().await.unwrap();
    assert!(html.contains("Kesiapan saat ini: 9 dari 111"));
    let file: i32 = {
        let key = format!("/entries/{entry}/iid/files/");
        let at = html.find(&key).unwrap() + key.len();
        html[at..at + html[at..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    let doc = format!("/entries/{entry}/iid/files/{file}");

    // The organisers read the declaration and open the document; no one else can.
    let review = app.page(&format!("/organiser/entries/{entry}/iid")).await;
    assert!(review.contains("perwal.pdf") && review.contains(&doc));
    assert!(
        !review.contains("type=\"file\""),
        "the organisers' view is read-only"
    );
    let shortlist = app.page(&path).await;
    assert!(shortlist.contains(&format!("/organiser/entries/{entry}/iid")));
    let res = app.get(&doc).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().as_ref(), pdf);
    assert_eq!(app.get_with(&opd, &doc).await.status().as_u16(), 200);
    let stranger = new_client();
    app.db(|conn| {
        let unit = biw::models::unit::find_by_name(conn, "Dinas Pendidikan")
            .unwrap()
            .unwrap()
            .id;
        let hash = biw::auth::password::hash("correct horse battery").unwrap();
        let now = biw::db::now();
        biw::models::user::insert(
            conn,
            &biw::models::user::NewUser {
                email: "staf@disdik.biw.id",
                name: "Staf Disdik",
                password_hash: Some(&hash),
                role: "opd",
                unit_id: Some(unit),
                affiliation: None,
                lang: "id",
                created_at: now,
                updated_at: now,
            },
        )
        .unwrap();
    })
    .await;
    app.login_with(&stranger, "staf@disdik.biw.id", "correct horse battery")
        .await;
    assert_eq!(app.get_with(&stranger, &doc).await.status().as_u16(), 404);
    assert_eq!(
        app.get_with(&stranger, &form_path).await.status().as_u16(),
        404
    );
    let res = post_iid(
        &app,
        &stranger,
        entry,
        &answer(first, "1", ""),
        &[(first, "x.pdf", pdf)],
    )
    .await;
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(stored(), 1, "nothing stored for another unit's entry");
    // Another entry's id with this entry's file: not found.
    assert_eq!(
        app.get(&format!("/entries/{}/iid/files/{file}", ids[0]))
            .await
            .status()
            .as_u16(),
        404
    );

    // Replacing keeps one document on disk; deleting the only evidence of a level is refused for
    // that level, and the document is gone.
    let res = post_iid(
        &app,
        &opd,
        entry,
        &answer(first, "3", ""),
        &[(first, "perwal-2.pdf", pdf)],
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(stored(), 1, "the replaced document's bytes are removed");
    assert_eq!(
        app.get(&doc).await.status().as_u16(),
        404,
        "the old one is gone"
    );
    let html = app.get_with(&opd, &form_path).await.text().await.unwrap();
    assert!(html.contains("perwal-2.pdf"));
    let file: String = {
        let at = html.find("name=\"drop\" value=\"").unwrap() + 19;
        html[at..at + html[at..].find('"').unwrap()].to_string()
    };
    let mut fields = answer(first, "3", "");
    fields.push(("drop".into(), file));
    let res = post_iid(&app, &opd, entry, &fields, &[]).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Sebutkan atau unggah bukti dukung untuk tingkat yang dipilih."));
    assert!(!html.contains("perwal-2.pdf"));
    assert_eq!(stored(), 0);
    assert_eq!(app.audit_count("iid_readiness.file_delete").await, 1);
    assert_eq!(app.audit_count("iid_readiness.file_replace").await, 1);
}

#[tokio::test]
async fn a_slot_in_the_next_round_reaches_the_unit_only_once_its_promotion_is_published() {
    let app = spawn_app().await;
    let (ed, round, ids) = signed_off_round(&app).await;
    let next = next_round(&app, ed, round).await;
    let now = biw::db::now();
    // Signed off, not published: the top one goes on, and the organisers set its slot.
    let res = app
        .post_form(
            &format!("/organiser/rounds/{round}/results/promote"),
            &[("rule", "top"), ("count", "3")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let at = biw::time::to_jakarta_local(now + chrono::Duration::days(2));
    let e = ids[0];
    let res = app
        .post_form(
            &format!("/organiser/rounds/{next}/schedule"),
            &[
                (&format!("slot.{e}.at"), at.as_str()),
                (&format!("slot.{e}.minutes"), "20"),
                (&format!("slot.{e}.place"), "Aula Pemkot"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let send = format!("/organiser/rounds/{next}/schedule/send");
    app.post_form(&send, &[]).await;
    let slot_mails = || async {
        app.mails_to("staf@dinkes.biw.id")
            .await
            .into_iter()
            .filter(|m| m.template == "presentation_slot")
            .count()
    };
    assert_eq!(slot_mails().await, 0, "not before publication");
    let opd = unit_operator(&app).await;
    let html = app.get_with(&opd, "/opd").await.text().await.unwrap();
    assert!(!html.contains("Aula Pemkot"), "not on the unit's dashboard");
    // Published: the dashboard shows it, and the organisers' next send mails it.
    step(&app, round, "publish", &[]).await;
    let html = app.get_with(&opd, "/opd").await.text().await.unwrap();
    assert!(html.contains("Aula Pemkot"));
    app.post_form(&send, &[]).await;
    assert_eq!(slot_mails().await, 1);
}

/// Rounds are published in order: a round's list of entries is who went through from the round
/// before, so it waits for that round's publication, and that one cannot be withdrawn under it.
#[tokio::test]
async fn rounds_are_published_in_order_and_withdrawn_in_reverse() {
    let app = spawn_app().await;
    let (ed, round, _) = signed_off_round(&app).await;
    let next = next_round(&app, ed, round).await;
    let res = app
        .post_form(
            &format!("/organiser/rounds/{round}/results/promote"),
            &[("rule", "top"), ("count", "2")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    // The next round's results, signed off (its judging is not what this is about).
    app.db(move |conn| {
        use biw::db::schema::rounds;
        let now = biw::db::now();
        diesel::update(rounds::table.find(next))
            .set((
                rounds::frozen_at.eq(Some(now)),
                rounds::signed_off_at.eq(Some(now)),
            ))
            .execute(conn)
            .unwrap()
    })
    .await;
    let html = refused(&app, next, "publish", &[]).await;
    assert!(html.contains("Hasil babak sebelumnya belum diumumkan"));
    step(&app, round, "publish", &[]).await;
    step(&app, next, "publish", &[]).await;
    let html = refused(&app, round, "unpublish", &[("reason", "Salah input")]).await;
    assert!(html.contains("Hasil babak sesudahnya sudah diumumkan"));
    assert!(html.contains(r#"value="Salah input""#));
    step(&app, next, "unpublish", &[("reason", "Salah input")]).await;
    step(&app, round, "unpublish", &[("reason", "Salah input")]).await;
}
