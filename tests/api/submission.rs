//! Submission: what is missing, who submits, deadlines and extensions, withdrawing, reminders.

use biw::domain::Role;
use diesel::prelude::*;

use crate::entries::*;
use crate::helpers::{assert_redirect, spawn_app};

#[tokio::test]
async fn submission_lists_what_is_missing_and_only_the_endorser_submits() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (endorser, staff) = unit_team(&app).await;
    let id = new_draft(&app, &staff).await;
    post_pairs(
        &app,
        &staff,
        &format!("/opd/entries/{id}"),
        &full_form(0, 299),
    )
    .await;
    let res = app
        .post_form_with(&staff, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    assert_redirect(&res, &format!("/opd/entries/{id}"));
    assert!(
        app.get_with(&staff, &format!("/opd/entries/{id}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("Hanya endorser unit")
    );
    assert_eq!(status(&app, id).await, "draft");
    let res = app
        .post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("baru 299 kata, minimal 300 kata."), "{html}");
    assert!(
        html.contains("dasar hukum inovasi&quot; belum diunggah"),
        "a missing mandatory document is named"
    );
    assert_eq!(status(&app, id).await, "draft");
    // Complete it: one more word and the mandatory documents.
    post_pairs(
        &app,
        &staff,
        &format!("/opd/entries/{id}"),
        &full_form(1, 300),
    )
    .await;
    for k in kinds(&app, ed).await.iter().filter(|k| k.mandatory) {
        upload(&app, &staff, id, k.id, "bukti.pdf", PDF.to_vec()).await;
    }
    let res = app
        .post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    assert_redirect(&res, &format!("/opd/entries/{id}"));
    assert_eq!(status(&app, id).await, "submitted");
    // Both operators of the unit get the receipt.
    for who in ["endorser@dinkes.biw.id", "staf@dinkes.biw.id"] {
        let mails = app.mails_to(who).await;
        assert_eq!(mails.len(), 1, "{who}");
        assert_eq!(mails[0].subject, "Tanda terima BIW: Patriot Mantap");
        assert!(mails[0].body_text.contains("Rancang bangun: 300 kata"));
    }
    // A submitted entry is read-only.
    let res = post_pairs(
        &app,
        &staff,
        &format!("/opd/entries/{id}"),
        &full_form(99, 300),
    )
    .await;
    assert_eq!(res.status().as_u16(), 403);
    // The second tab's submit changes nothing.
    app.post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    assert_eq!(app.audit_count("entry.submitted").await, 1);
    assert_eq!(app.mails_to("staf@dinkes.biw.id").await.len(), 1);
}

#[tokio::test]
async fn deadlines_are_the_servers_and_an_extension_opens_one_unit() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (endorser, staff) = unit_team(&app).await;
    let id = ready_entry(&app, &staff, ed).await;
    // The deadline passed a second ago.
    app.db(move |conn| {
        use biw::db::schema::editions;
        diesel::update(editions::table.find(ed))
            .set(editions::registration_closes_at.eq(biw::db::now() - chrono::Duration::seconds(1)))
            .execute(conn)
            .unwrap();
    })
    .await;
    app.post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    assert_eq!(status(&app, id).await, "draft");
    assert!(
        app.get_with(&endorser, &format!("/opd/entries/{id}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("Batas waktu sudah lewat")
    );
    // An organiser grants Dinas Kesehatan two more days.
    app.login_as(Role::Organiser).await;
    let unit = app.unit_id("Dinas Kesehatan").await;
    let later = biw::time::to_jakarta_local(biw::db::now() + chrono::Duration::days(2));
    let (path, unit_id) = (
        format!("/organiser/editions/{ed}/extensions"),
        unit.to_string(),
    );
    let client = &app;
    let extend = |reason: &'static str| {
        let fields = [
            ("unit_id", unit_id.clone()),
            ("closes_at", later.clone()),
            ("reason", reason.to_string()),
        ];
        let path = path.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            client.post_form(&path, &fields).await
        }
    };
    // A refused extension names the bad field and keeps what was typed.
    let res = extend(" ").await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains(r##"<a href="#x-reason">Alasan: Wajib diisi.</a>"##));
    assert!(html.contains(&format!(r#"<option value="{unit}" selected>"#)));
    assert!(html.contains(&format!(r#"value="{later}""#)));
    let res = extend("Banjir").await;
    assert_redirect(&res, &format!("/organiser/editions/{ed}#extensions"));
    assert_eq!(app.audit_count("edition.extend_unit").await, 1);
    app.post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    assert_eq!(status(&app, id).await, "submitted");
}

#[tokio::test]
async fn withdraw_and_reopen_before_the_deadline() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (endorser, staff) = unit_team(&app).await;
    let id = ready_entry(&app, &staff, ed).await;
    app.post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    app.post_form_with(&staff, &format!("/opd/entries/{id}/withdraw"), &[])
        .await;
    assert_eq!(status(&app, id).await, "withdrawn");
    app.post_form_with(&staff, &format!("/opd/entries/{id}/reopen"), &[])
        .await;
    assert_eq!(status(&app, id).await, "draft");
}

#[tokio::test]
async fn units_with_unsubmitted_drafts_are_reminded_once_before_their_own_deadline() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    new_draft(&app, &staff).await;
    // A unit with nothing in draft is not reminded.
    let other = app
        .create_user(Role::Opd, "opd@kecamatan.biw.id", "correct horse battery")
        .await;
    app.db(move |conn| {
        use biw::db::schema::{editions, users};
        let unit = biw::models::unit::find_by_name(conn, "Kecamatan Jatiasih")
            .unwrap()
            .unwrap()
            .id;
        diesel::update(users::table.find(other))
            .set(users::unit_id.eq(unit))
            .execute(conn)
            .unwrap();
        // Two and a half days before the deadline: the 7- and 3-day reminders are both due (the
        // drafts started late), the 1-day one not yet.
        diesel::update(editions::table.find(ed))
            .set(editions::registration_closes_at.eq(biw::db::now() + chrono::Duration::hours(60)))
            .execute(conn)
            .unwrap();
    })
    .await;
    let state = app.state.clone();
    app.db(move |conn| biw::scheduler::tick(conn, &state).unwrap())
        .await;
    let state = app.state.clone();
    app.db(move |conn| biw::scheduler::tick(conn, &state).unwrap())
        .await;
    let reminders = |mails: Vec<biw::models::outbox::OutboxMail>| {
        mails
            .into_iter()
            .filter(|m| m.template == "reminder")
            .count()
    };
    assert_eq!(
        reminders(app.mails_to("staf@dinkes.biw.id").await),
        1,
        "the reminders reached together go as one mail, once"
    );
    assert_eq!(reminders(app.mails_to("endorser@dinkes.biw.id").await), 1);
    assert_eq!(reminders(app.mails_to("opd@kecamatan.biw.id").await), 0);
    let mail = app
        .mails_to("staf@dinkes.biw.id")
        .await
        .into_iter()
        .find(|m| m.template == "reminder")
        .unwrap();
    assert!(
        mail.subject.contains("batas waktu dalam 3 hari"),
        "the days actually left: {}",
        mail.subject
    );

    // The edition closes; Dinas Kesehatan has an extension to 20 hours from now, and is reminded
    // of its own deadline after the edition's.
    app.login_as(Role::Organiser).await;
    let unit = app.unit_id("Dinas Kesehatan").await;
    let extended = biw::db::now() + chrono::Duration::hours(20);
    app.db(move |conn| {
        use biw::db::schema::editions;
        diesel::update(editions::table.find(ed))
            .set(editions::registration_closes_at.eq(biw::db::now() - chrono::Duration::hours(1)))
            .execute(conn)
            .unwrap();
    })
    .await;
    let res = app
        .post_form(
            &format!("/organiser/editions/{ed}/extensions"),
            &[
                ("unit_id", &unit.to_string()),
                ("closes_at", &biw::time::to_jakarta_local(extended)),
                ("reason", "Banjir"),
            ],
        )
        .await;
    assert_redirect(&res, &format!("/organiser/editions/{ed}#extensions"));
    for _ in 0..2 {
        let state = app.state.clone();
        app.db(move |conn| biw::scheduler::tick(conn, &state).unwrap())
            .await;
    }
    let mails: Vec<_> = app
        .mails_to("staf@dinkes.biw.id")
        .await
        .into_iter()
        .filter(|m| m.template == "reminder")
        .collect();
    assert_eq!(mails.len(), 2, "one more, for the extended deadline");
    assert!(
        mails[1].subject.contains("kurang dari sehari"),
        "{}",
        mails[1].subject
    );
    let told = biw::time::format_time(extended, biw::i18n::Lang::Id);
    assert!(
        mails[1].body_text.contains(&told),
        "names the unit's own deadline {told}: {}",
        mails[1].body_text
    );
}

/// A unit's limit holds when its drafts are submitted at the same moment, on both engines: on
/// PostgreSQL each submission would otherwise count the unit's entries before the others commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn drafts_submitted_at_once_never_pass_the_units_limit() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (endorser, staff) = unit_team(&app).await;
    const DRAFTS: usize = 6;
    let mut ids = Vec::new();
    for _ in 0..DRAFTS {
        ids.push(ready_entry(&app, &staff, ed).await);
    }
    app.db(move |conn| {
        use biw::db::schema::editions;
        diesel::update(editions::table.find(ed))
            .set(editions::max_entries_per_unit.eq(2))
            .execute(conn)
            .unwrap();
    })
    .await;
    let app = std::sync::Arc::new(app);
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(DRAFTS));
    let tasks: Vec<_> = ids
        .iter()
        .map(|&id| {
            let (app, endorser, start) = (app.clone(), endorser.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                app.post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
                    .await
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert!(
        statuses.iter().all(|s| *s == 303 || *s == 422),
        "each is taken or told why not: {statuses:?}"
    );
    let mut submitted = 0;
    for &id in &ids {
        if status(&app, id).await == "submitted" {
            submitted += 1;
        }
    }
    assert_eq!(submitted, 2, "exactly the unit's limit: {statuses:?}");
}
