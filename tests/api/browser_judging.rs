//! Judging in a real browser: an organiser builds a round from the default rubric and assigns
//! automatically; a judge on a phone accepts the declaration, declares a conflict on one entry,
//! scores another (the draft survives a reload) and submits.

use std::time::Duration;

use biw::domain::Role;
use fantoccini::Locator;

use crate::browser::{Browser, a11y, browser, login, wait_for_text};
use crate::helpers::spawn_app;
use crate::judging::judge;

use crate::browser::PASSWORD;

/// Taps a score as a person would: on its label, scrolled into the middle of the screen (WebDriver
/// scrolls a target to the bottom edge, under the sticky save bar, where no finger would tap).
async fn tap_label(b: &Browser, id: &str) {
    b.client
        .execute(
            "document.getElementById(arguments[0]).scrollIntoView({block: 'center'});",
            vec![serde_json::json!(id)],
        )
        .await
        .unwrap();
    b.client
        .find(Locator::Css(&format!("label[for='{id}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn an_organiser_builds_a_round_and_a_judge_scores_on_a_phone() {
    let Some(desk) = browser(1280, 900).await else {
        return;
    };
    let app = spawn_app().await;
    let ed = crate::entries::open_edition(&app).await;
    let (opd, _) = crate::entries::unit_team(&app).await;
    for name in ["Layanan Kesehatan Keliling", "Posyandu Digital"] {
        let id = crate::entries::new_draft(&app, &opd).await;
        let name = name.to_string();
        app.db(move |conn| {
            use biw::db::schema::entries;
            use diesel::prelude::*;
            diesel::update(entries::table.find(id))
                .set((entries::status.eq("passed"), entries::name.eq(name)))
                .execute(conn)
                .unwrap()
        })
        .await;
    }
    let juri = judge(&app, "juri@unisma.ac.id", None).await;
    let second = judge(&app, "juri2@ui.ac.id", None).await;
    app.create_user(Role::Organiser, "panitia@x.biw.id", PASSWORD)
        .await;

    // The organiser: a rubric from the default, a round, judges, automatic assignment.
    login(&desk, &app, "panitia@x.biw.id", "/organiser").await;
    desk.open(&app, &format!("/organiser/editions/{ed}/judging"))
        .await;
    desk.click("create-rubric").await;
    wait_for_text(&desk, "Jumlah bobot yang dihitung: 100").await;
    desk.open(&app, &format!("/organiser/editions/{ed}/judging"))
        .await;
    desk.fill("f-name_id", "Evaluasi dokumen").await;
    let rubric = desk
        .client
        .execute(
            "return document.querySelector('#f-rubric_id option:nth-child(2)').value;",
            vec![],
        )
        .await
        .unwrap();
    desk.select("f-rubric_id", rubric.as_str().unwrap()).await;
    let now = biw::db::now();
    for (id, at) in [
        ("f-opens_at", now - chrono::Duration::days(1)),
        ("f-closes_at", now + chrono::Duration::days(7)),
    ] {
        // Typing into a date-time control depends on the browser's locale; set it as a script would.
        desk.client
            .execute(
                &format!("document.getElementById('{id}').value = arguments[0];"),
                vec![serde_json::json!(biw::time::to_jakarta_local(at))],
            )
            .await
            .unwrap();
    }
    desk.fill("f-judges_per_entry", "1").await;
    desk.click("create-round").await;
    wait_for_text(&desk, "Lolos seleksi administrasi").await;
    desk.click("open-board").await;
    wait_for_text(&desk, "Tambahkan juri ke babak").await;
    for j in [&juri, &second] {
        desk.click(&format!("j-{}", j.id)).await;
    }
    desk.click("add-judges").await;
    wait_for_text(&desk, "2 juri ditambahkan").await;
    desk.click("auto-assign").await;
    wait_for_text(&desk, "2 penugasan baru dibuat").await;
    a11y(&desk, "assignment board").await;
    // A form refused with a message over the page it came from gives back what was typed: a
    // conflict's reason typed without choosing the entry.
    desk.open(
        &app,
        &format!("/organiser/editions/{ed}/judges/{}", second.id),
    )
    .await;
    desk.fill("coi-reason", "Pernah membina unit ini").await;
    desk.click("set-conflict").await;
    wait_for_text(&desk, "Pilih inovasi.").await;
    let typed = desk
        .client
        .execute(
            "return document.getElementById('coi-reason').value;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(typed.as_str(), Some("Pernah membina unit ini"));
    desk.close().await;

    // The judge, on a phone.
    let Some(b) = browser(360, 740).await else {
        return;
    };
    // Give both entries to the first judge, so one can be declared and the other scored.
    let round = app
        .db(|conn| {
            use biw::db::schema::rounds;
            use diesel::prelude::*;
            rounds::table.select(rounds::id).first::<i32>(conn).unwrap()
        })
        .await;
    let entry_ids = app
        .db(move |conn| biw::models::round::entry_ids(conn, round).unwrap())
        .await;
    let juri_id = juri.id;
    app.db(move |conn| {
        biw::services::judging::assign(
            conn,
            &biw::audit::Actor::system(),
            round,
            juri_id,
            &entry_ids,
        )
        .unwrap()
    })
    .await;
    login(&b, &app, "juri@unisma.ac.id", "/judge").await;
    a11y(&b, "judge dashboard before the declaration").await;
    b.click(&format!("agree-{ed}")).await;
    b.click(&format!("accept-{ed}")).await;
    wait_for_text(&b, "Pernyataan diterima").await;
    a11y(&b, "judge queue").await;
    let links = b.client.find_all(Locator::Css("ul.queue a")).await.unwrap();
    assert_eq!(links.len(), 2);
    let first = links[0].attr("href").await.unwrap().unwrap();
    let other = links[1].attr("href").await.unwrap().unwrap();

    // A conflict on the first one.
    b.open(&app, &first).await;
    b.fill("conflict-reason", "Saya pernah menjadi konsultan unit ini")
        .await;
    b.click("declare-conflict").await;
    wait_for_text(&b, "Konflik kepentingan dicatat").await;
    assert_eq!(
        b.client
            .find_all(Locator::Css("ul.queue a"))
            .await
            .unwrap()
            .len(),
        1
    );

    // Score the other: pick three levels, wait for the autosave, reload, the picks are still there.
    b.open(&app, &other).await;
    a11y(&b, "scoring page at 360px").await;
    let radios = b
        .client
        .execute(
            "return Array.from(document.querySelectorAll('fieldset.criterion')).map(f => f.querySelector('input[type=radio]').name);",
            vec![],
        )
        .await
        .unwrap();
    let names: Vec<String> = serde_json::from_value(radios).unwrap();
    let id_of =
        |name: &str, level: u32| format!("score-{}-{level}", name.trim_start_matches("score."));
    for n in &names[..3] {
        tap_label(&b, &id_of(n, 4)).await;
    }
    let comment = format!("comment-{}", names[0].trim_start_matches("score."));
    b.client
        .execute(
            "document.getElementById(arguments[0]).scrollIntoView({block: 'center'});",
            vec![serde_json::json!(comment)],
        )
        .await
        .unwrap();
    b.fill(&comment, "Data manfaat lengkap").await;
    for _ in 0..100 {
        let said = b
            .client
            .find(Locator::Id("autosave-status"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if said.contains("Tersimpan") || said.contains("disimpan") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.client.refresh().await.unwrap();
    let kept = b
        .client
        .execute(
            "return document.querySelectorAll('input[type=radio]:checked').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(kept.as_u64(), Some(3), "the draft survives a reload");
    b.screenshot("scoring-360-id").await;
    for n in &names[3..] {
        tap_label(&b, &id_of(n, 3)).await;
    }
    let total = b
        .client
        .find(Locator::Id("sheet-total"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(total.contains("Nilai total"), "{total}");
    b.click("submit-sheet").await;
    b.wait_for_path("/judge").await;
    wait_for_text(&b, "Lembar nilai terkirim").await;
    assert!(
        b.main_text()
            .await
            .contains("1 dari 1 lembar nilai dikirim")
    );
    b.close().await;
}
