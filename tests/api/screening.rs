//! The administrative check: returned, revised, resubmitted, passed, with the history kept.

use biw::domain::Role;

use crate::entries::*;
use crate::helpers::{assert_redirect, spawn_app};

#[tokio::test]
async fn returned_revised_resubmitted_and_passed_with_the_history_kept() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (endorser, staff) = unit_team(&app).await;
    let id = ready_entry(&app, &staff, ed).await;
    app.post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    app.login_as(Role::Organiser).await;
    // Every filter, sort and page number parses (numbers in a query string once broke the list).
    for q in [
        "?page=2&sort=unit",
        "?category=1&stage=penerapan&unit_type=dinas&sort=submitted",
        "?status=submitted&page=1",
    ] {
        assert_eq!(
            app.get(&format!("/organiser/entries{q}"))
                .await
                .status()
                .as_u16(),
            200,
            "{q}"
        );
    }
    let list = app.page("/organiser/entries?q=patriot").await;
    assert!(list.contains("Patriot Mantap") && list.contains("Dinas Kesehatan"));
    // The search ignores case either way, on the entry's name and on its unit's.
    for q in ["MANTAP", "dinas%20KESEHATAN"] {
        let list = app.page(&format!("/organiser/entries?q={q}")).await;
        assert!(list.contains("Patriot Mantap"), "{q}");
    }
    let none = app.page("/organiser/entries?q=tidak-ada-yang-cocok").await;
    assert!(!none.contains("Patriot Mantap"));
    // Nothing is pre-ticked: a decision without a verdict on every item is refused, per item, and
    // what was typed comes back.
    let res = app
        .post_form(
            &format!("/organiser/entries/{id}/check"),
            &[
                ("reason_video", "Video terlalu panjang"),
                ("decision", "pass"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    let codes = item_codes(&app, ed).await;
    for code in &codes {
        assert!(
            html.contains(&format!("id=\"e-item_{code}\"")),
            "{code} needs a verdict"
        );
        assert!(
            html.contains(&format!("href=\"#f-item_{code}\"")),
            "the summary links to {code}"
        );
    }
    assert!(
        html.contains("value=\"Video terlalu panjang\""),
        "the reason typed is kept"
    );
    for code in &codes {
        for v in ["pass", "fail"] {
            let ticked = format!("name=\"item_{code}\" value=\"{v}\" checked");
            assert!(!html.contains(&ticked), "no item starts ticked: {code}");
        }
    }
    // Returning without a reason for the unmet item is refused.
    let res = app
        .post_form(
            &format!("/organiser/entries/{id}/check"),
            &verdicts(
                &codes,
                &[
                    ("item_video", "fail"),
                    ("reason_video", ""),
                    ("decision", "return"),
                ],
            ),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let res = app
        .post_form(
            &format!("/organiser/entries/{id}/check"),
            &verdicts(&codes, &[("item_video", "fail"), ("decision", "pass")]),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let res = app
        .post_form(
            &format!("/organiser/entries/{id}/check"),
            &verdicts(
                &codes,
                &[
                    ("item_video", "fail"),
                    ("reason_video", "Video lebih dari 5 menit"),
                    ("decision", "return"),
                    ("note", "Mohon diperbaiki"),
                ],
            ),
        )
        .await;
    assert_redirect(&res, &format!("/organiser/entries/{id}"));
    assert_eq!(status(&app, id).await, "returned");
    let mail = app.mails_to("staf@dinkes.biw.id").await.pop().unwrap();
    assert!(mail.subject.contains("dikembalikan"));
    assert!(mail.body_text.contains("Video lebih dari 5 menit"));
    let page = app
        .get_with(&staff, &format!("/opd/entries/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Video lebih dari 5 menit") && page.contains("Mohon diperbaiki"));
    let mut form = full_form(0, 320);
    let lock = app
        .db(move |conn| {
            biw::models::entry::find(conn, id)
                .unwrap()
                .unwrap()
                .lock_version
        })
        .await;
    form.retain(|(k, _)| k != "lock_version");
    form.push(("lock_version".into(), lock.to_string()));
    form[13].1 = "https://youtu.be/pendek".into();
    assert_eq!(
        post_pairs(&app, &staff, &format!("/opd/entries/{id}"), &form)
            .await
            .status()
            .as_u16(),
        303
    );
    app.post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    assert_eq!(status(&app, id).await, "resubmitted");
    // The first round is made before screening ends: what passes afterwards joins it.
    let rubric = crate::rubrics::rubric_from(&app, ed, "preset:default_desk").await;
    let now = biw::db::now();
    let window = (now, now + chrono::Duration::days(7));
    let res = crate::rubrics::post_round(&app, ed, "Evaluasi dokumen", rubric, window, "3").await;
    let round: i32 = crate::helpers::location(&res)
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let res = app
        .post_form(
            &format!("/organiser/entries/{id}/check"),
            &verdicts(&codes, &[("decision", "pass")]),
        )
        .await;
    assert_redirect(&res, &format!("/organiser/entries/{id}"));
    assert_eq!(status(&app, id).await, "passed");
    let joined = app
        .db(move |conn| biw::models::round::entry_ids(conn, round).unwrap())
        .await;
    assert_eq!(
        joined,
        vec![id],
        "round 1 takes what passes after it was made"
    );
    let page = app.page(&format!("/organiser/rounds/{round}")).await;
    assert!(page.contains("Lolos seleksi administrasi"));
    let html = app.page(&format!("/organiser/entries/{id}")).await;
    for s in [
        "Terkirim",
        "Dikembalikan untuk perbaikan",
        "Dikirim ulang",
        "Lolos seleksi administrasi",
        "Video lebih dari 5 menit",
    ] {
        assert!(html.contains(s), "{s}");
    }
    let csv = app.get("/organiser/entries/export.csv?status=passed").await;
    assert_eq!(csv.status().as_u16(), 200);
    let text = csv.text().await.unwrap();
    assert!(
        text.contains("Patriot Mantap")
            && text.contains("Lolos seleksi administrasi")
            && text.contains("Dinas Kesehatan")
    );
    assert!(
        text.contains("Administrasi kependudukan dan pencatatan sipil"),
        "option labels, not codes"
    );
    let xlsx = app
        .get("/organiser/entries/export.xlsx?status=passed")
        .await;
    assert_eq!(xlsx.status().as_u16(), 200);
    let bytes = xlsx.bytes().await.unwrap();
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx is a zip file");
    let mut strings = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/sharedStrings.xml").unwrap(),
        &mut strings,
    )
    .unwrap();
    assert!(
        strings.contains("Patriot Mantap")
            && strings.contains("Dinas Kesehatan")
            && strings.contains("Nama inovasi")
    );
    assert_eq!(app.audit_count("entry.passed").await, 1);
}
