//! Results in a real browser: an organiser reviews the ranking and its flags, freezes, signs off,
//! publishes and promotes the top; the unit reads its feedback report on a phone; a visitor sees
//! the winners on the public page; one entry leaves the shortlist
//! and its export downloads.

use biw::domain::Role;
use biw::i18n::{Lang, t};

use fantoccini::Locator;

use crate::browser::{a11y, browser, login, wait_for_text};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_round_goes_from_review_to_publication_and_reaches_the_unit_and_the_public() {
    let Some(b) = browser(1280, 900).await else {
        return;
    };
    let app = spawn_app().await;
    let (ed, round, ids, a) = crate::results::scored_round(&app).await;
    // Judge a saw entry 0 very differently from judge b: the judges disagree on it.
    let (e0, a_id) = (ids[0], a.id);
    app.db(move |conn| {
        use biw::db::schema::sheets;
        use diesel::prelude::*;
        diesel::update(sheets::table)
            .filter(sheets::entry_id.eq(e0))
            .filter(sheets::judge_id.eq(a_id))
            .set(sheets::total_bp.eq(Some(4000)))
            .execute(conn)
            .unwrap();
    })
    .await;
    // A presentation round to promote into.
    let rubric = crate::rubrics::rubric_from(&app, ed, "preset:default").await;
    let now = biw::db::now();
    let day = chrono::Duration::days(1);
    let res = crate::rubrics::post_round(
        &app,
        ed,
        "Presentasi",
        rubric,
        (now + day * 8, now + day * 10),
        "1",
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    app.create_user(
        Role::Organiser,
        "panitia@x.biw.id",
        crate::browser::PASSWORD,
    )
    .await;

    // The organiser reviews the flags, freezes, signs off, publishes and promotes the top one.
    login(&b, &app, "panitia@x.biw.id", "/organiser").await;
    b.open(&app, &format!("/organiser/rounds/{round}/results"))
        .await;
    wait_for_text(&b, "Inovasi 1").await;
    a11y(&b, "results page").await;
    // The criterion-by-category chart is drawn (kept as a picture to look at).
    let grid = b
        .client
        .find(fantoccini::Locator::Css("#criterion-grid svg"))
        .await
        .expect("the criterion grid");
    let png = grid.screenshot().await.unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("criterion-grid.png"), png).unwrap();
    b.click("show-flagged").await;
    wait_for_text(&b, &t(Lang::Id, "results.flagged_title", &[])).await;
    assert!(b.main_text().await.contains("Inovasi 0"));
    b.open(&app, &format!("/organiser/rounds/{round}/results"))
        .await;
    b.click("freeze").await;
    wait_for_text(&b, "Hasil dibekukan.").await;
    b.click("f-confirm").await;
    b.fill("f-note", "Rapat pleno tim penilai").await;
    b.click("sign-off").await;
    wait_for_text(&b, "Hasil disahkan.").await;
    b.click("publish").await;
    wait_for_text(&b, "Hasil diumumkan.").await;
    b.fill("p-count", "1").await;
    b.click("promote").await;
    wait_for_text(&b, "1 inovasi dipromosikan").await;
    a11y(&b, "published results").await;
    // Awards and the shortlist; its export downloads with the organiser's session.
    b.open(&app, &format!("/organiser/editions/{ed}/shortlist"))
        .await;
    b.fill("f-top", "2").await;
    b.click("add-top").await;
    wait_for_text(&b, "2 inovasi ditambahkan").await;
    a11y(&b, "shortlist").await;
    // One is taken off: ticked in the table, one reason, one button below it.
    b.client
        .find(Locator::Css("#shortlist input[type=checkbox]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.fill("rm-reason", "Belum dua tahun diterapkan").await;
    b.click("remove-chosen").await;
    wait_for_text(&b, "1 inovasi dikeluarkan").await;
    let download = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(document.getElementById('shortlist-xlsx').href)
               .then(r => r.arrayBuffer().then(buf => done([r.status, r.headers.get('content-type'), buf.byteLength])));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(download[0], 200);
    assert!(download[1].as_str().unwrap().contains("spreadsheetml"));
    assert!(download[2].as_u64().unwrap() > 1000);
    b.close().await;

    // The unit reads its feedback report on a phone.
    let Some(phone) = browser(360, 740).await else {
        return;
    };
    login(&phone, &app, "staf@dinkes.biw.id", "/opd").await;
    phone.open(&app, &format!("/opd/entries/{}", ids[0])).await;
    phone.click("feedback-link").await;
    wait_for_text(&phone, "Peringkat 2 dari 2").await;
    assert!(phone.main_text().await.contains("Layak lanjut"));
    a11y(&phone, "feedback report at 360px").await;
    phone.screenshot("feedback-report-phone").await;
    phone.close().await;

    // A visitor sees the promoted list; the winners wait for the last round.
    let Some(visitor) = browser(360, 740).await else {
        return;
    };
    visitor.open(&app, &format!("/results/{ed}")).await;
    wait_for_text(&visitor, "Pemenang diumumkan setelah hasil semua babak").await;
    let text = visitor.main_text().await;
    assert!(
        text.contains("Inovasi 1") && text.contains("Lolos dari Evaluasi dokumen ke Presentasi")
    );
    a11y(&visitor, "public results at 360px").await;
    visitor.close().await;
}
