//! Moderation of an entry whose judges disagree: its sheets side by side, panel notes kept in full
//! and shown on the ranking, a judge added by hand without a conflict, nothing after publication.

use biw::db::schema::panel_notes;
use diesel::prelude::*;

use crate::helpers::{TestApp, spawn_app};
use crate::judging::{add_judges, assign, declare, judge, live};
use crate::results::{step, submit};

fn notes_path(round: i32, entry: i32) -> String {
    format!("/organiser/rounds/{round}/results/entries/{entry}/notes")
}

async fn note_count(app: &TestApp, round: i32) -> i64 {
    app.db(move |conn| {
        panel_notes::table
            .filter(panel_notes::round_id.eq(round))
            .count()
            .get_result(conn)
            .unwrap()
    })
    .await
}

#[tokio::test]
async fn a_flagged_entry_is_moderated_with_notes_and_an_extra_judge_until_publication() {
    let app = spawn_app().await;
    let (ed, round, ids) = crate::judging::open_round(&app, 3).await;
    let a = judge(&app, "a@univ.ac.id", None).await;
    let b = judge(&app, "b@brin.go.id", None).await;
    let c = judge(&app, "c@bskdn.go.id", None).await;
    let spare = judge(&app, "d@itb.ac.id", None).await;
    // Works for the entries' own unit: never offered, and refused if forced.
    let official = judge(&app, "staf@dinkes.go.id", Some("Dinas Kesehatan")).await;
    add_judges(&app, round, &[&a, &b, &c, &spare, &official]).await;
    for j in [&a, &b, &c] {
        assign(&app, round, j, &ids).await;
        declare(&app, j, ed).await;
    }
    // Entry 0: 100, 40, 80 (60 apart, flagged); entries 1 and 2 agree.
    for (j, s) in [(&a, [5, 3, 3]), (&b, [2, 3, 4]), (&c, [4, 3, 4])] {
        // Last entry first: sheet ids then differ from assignment ids, which name the sheet page.
        for (e, score) in ids.iter().zip(s).rev() {
            submit(&app, j, round, *e, score).await;
        }
    }
    let (flagged, calm) = (ids[0], ids[1]);
    let results = format!("/organiser/rounds/{round}/results");
    let page = format!("{results}/entries/{flagged}");
    let html = app.page(&results).await;
    assert!(html.contains("1 inovasi dinilai sangat berbeda"));
    assert!(html.contains("0 di antaranya sudah diberi catatan panel."));
    assert!(
        html.contains(&format!("href=\"{page}\"")),
        "flagged row links"
    );
    assert!(
        !html.contains(&format!("{results}/entries/{calm}\"")),
        "an entry the judges agree on has no moderation link"
    );

    // The sheets side by side, highest first, with the spread; the spare judge can be added.
    let html = app.page(&page).await;
    let totals: Vec<usize> = ["100,00", "80,00", "40,00"]
        .iter()
        .map(|t| html.find(t).unwrap_or_else(|| panic!("{t} in {html}")))
        .collect();
    assert!(totals.windows(2).all(|w| w[0] < w[1]), "highest first");
    assert!(html.contains("terendah dari lembar yang sudah dikirim: 60,00"));
    for (aid, _, _, _) in live(&app, round).await.iter().filter(|x| x.1 == flagged) {
        assert!(
            html.contains(&format!("href=\"/organiser/sheets/{aid}\"")),
            "{aid}"
        );
    }
    let select = &html[html.find("id=\"f-judge\"").unwrap()..];
    let select = &select[..select.find("</select>").unwrap()];
    assert!(select.contains(&format!("value=\"{}\"", spare.id)));
    for j in [&a, &b, &c, &official] {
        assert!(
            !select.contains(&format!("value=\"{}\"", j.id)),
            "{}",
            j.email
        );
    }

    // Bad notes: the message, the text kept, nothing stored.
    let res = app
        .post_form(&notes_path(round, flagged), &[("note", "  ")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("id=\"form-error-summary\""));
    assert!(body.contains("href=\"#f-note\""));
    assert!(body.contains("Wajib diisi."));
    let typed = "Juri B salah membaca\nbukti dukung\u{7}";
    let res = app
        .post_form(&notes_path(round, flagged), &[("note", typed)])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("karakter tak terlihat"), "why");
    assert!(body.contains("Juri B salah membaca\nbukti dukung"), "kept");
    let long = "a".repeat(2001);
    let res = app
        .post_form(&notes_path(round, flagged), &[("note", &long)])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("maksimal 2.000 karakter")
    );
    assert_eq!(note_count(&app, round).await, 0);

    // Two notes: both kept, newest first; the ranking shows the newest and counts the entry.
    for note in [
        "Juri B membaca bukti dukung versi lama.",
        "Panel: nilai juri B tetap dipakai; bukti baru diunggah setelah batas.",
    ] {
        let res = app
            .post_form(&notes_path(round, flagged), &[("note", note)])
            .await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(res.headers()["location"], page.as_str());
    }
    let html = app.page(&page).await;
    assert!(html.contains("Catatan panel disimpan."));
    let newest = html.find("nilai juri B tetap dipakai").unwrap();
    let oldest = html.find("membaca bukti dukung versi lama").unwrap();
    assert!(newest < oldest, "newest first");
    let html = app.page(&results).await;
    assert!(html.contains("1 di antaranya sudah diberi catatan panel."));
    assert!(html.contains("Sudah dimoderasi:</strong> Panel: nilai juri B tetap dipakai"));
    assert_eq!(app.audit_count("round.panel_note").await, 2);
    // The export carries the newest note in its own column, on the entry's row alone.
    let csv = app
        .page(&format!("/organiser/rounds/{round}/results.csv"))
        .await;
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().ends_with(",Catatan panel"), "{csv}");
    let noted: Vec<&str> = lines
        .filter(|l| l.contains("nilai juri B tetap dipakai"))
        .collect();
    assert_eq!(noted.len(), 1, "{csv}");
    assert!(noted[0].contains(&format!(",{flagged},")), "{csv}");
    assert!(!csv.contains("membaca bukti dukung versi lama"), "{csv}");

    // An extra judge: a forced conflicted choice and an empty one are refused on the page.
    let judges = format!("{page}/judges");
    for (value, says) in [
        (official.id.to_string(), "konflik kepentingan"),
        (String::new(), "Pilih"),
    ] {
        let res = app.post_form(&judges, &[("judge", &value)]).await;
        assert_eq!(res.status().as_u16(), 422, "{value}");
        let body = res.text().await.unwrap();
        assert!(body.contains("href=\"#f-judge\""), "{value}");
        assert!(
            body.to_lowercase().contains(&says.to_lowercase()),
            "{value}: {says}"
        );
    }
    let res = app
        .post_form(&judges, &[("judge", &spare.id.to_string())])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(
        live(&app, round)
            .await
            .iter()
            .any(|x| x.1 == flagged && x.2 == spare.id && x.3 == "manual"),
        "the spare judge scores the flagged entry"
    );
    let html = app.page(&page).await;
    assert!(
        html.contains("id=\"no-addable\""),
        "no one else can be added"
    );
    // Sent twice (a double click): said, nothing new, no second audit.
    let before = app.audit_count("assignment.manual").await;
    let res = app
        .post_form(&judges, &[("judge", &spare.id.to_string())])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(app.page(&page).await.contains("sudah menilai inovasi ini"));
    assert_eq!(app.audit_count("assignment.manual").await, before);

    // Outside the round, or another round's entry: not found.
    let other = app
        .db(move |conn| {
            use biw::db::schema::entries;
            entries::table
                .filter(diesel::dsl::not(
                    entries::id.eq_any(vec![ids[0], ids[1], ids[2]]),
                ))
                .select(entries::id)
                .first::<i32>(conn)
                .optional()
                .unwrap()
                .unwrap_or(999_999)
        })
        .await;
    let res = app.get(&format!("{results}/entries/{other}")).await;
    assert_eq!(res.status().as_u16(), 404);
    let res = app
        .post_form(&notes_path(round, other), &[("note", "x")])
        .await;
    assert_eq!(res.status().as_u16(), 404);
    let res = app
        .post_form(&notes_path(round + 1000, flagged), &[("note", "x")])
        .await;
    assert_eq!(res.status().as_u16(), 404);

    // Frozen: notes still go in (the panel reviews the frozen ranking), judges no longer.
    step(&app, round, "freeze", &[]).await;
    let res = app
        .post_form(
            &notes_path(round, flagged),
            &[("note", "Dibahas lagi saat pembekuan.")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let html = app.page(&page).await;
    assert!(!html.contains("id=\"f-judge\""));
    let html = app.page(&results).await;
    assert!(html.contains("Sudah dimoderasi:</strong> Dibahas lagi saat pembekuan."));
    step(&app, round, "sign-off", &[("confirm", "1")]).await;
    step(&app, round, "publish", &[]).await;
    // Published: the notes are read, not added to.
    let html = app.page(&page).await;
    assert!(html.contains("id=\"notes-closed\""));
    assert!(!html.contains("id=\"f-note\""));
    let res = app
        .post_form(&notes_path(round, flagged), &[("note", "Terlambat.")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("sudah diumumkan"));
    assert!(
        body.contains("href=\"#notes-closed\""),
        "the summary points at what is shown"
    );
    assert_eq!(note_count(&app, round).await, 3);
}
