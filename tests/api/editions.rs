//! Editions: validated settings, copying last year's, the open call sent once.

use biw::domain::Role;
use biw::models::edition;
use diesel::prelude::*;

use crate::entries::*;
use crate::helpers::spawn_app;

#[tokio::test]
async fn editions_validate_copy_settings_and_send_the_open_call_once() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let res = app
        .post_form(
            "/organiser/editions/new",
            &[
                ("name", "BIW 2027"),
                ("year", "2027"),
                ("registration_opens_at", "2027-04-01T08:00"),
                ("registration_closes_at", "2027-03-01T08:00"),
                ("screening_closes_at", "2027-06-01T08:00"),
                ("min_narrative_words", "300"),
                ("max_entries_per_unit", "5"),
                ("max_file_mb", "500"),
                ("reminder_days", "7,x"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Harus sesudah pendaftaran dibuka.")
            && html.contains("Tulis angka hari dipisah koma")
    );
    // A number out of range says what range.
    assert!(html.contains("Batas ukuran berkas antara 1 dan 50 MB."));
    assert!(html.contains("value=\"500\""));
    assert!(html.contains("value=\"BIW 2027\""), "typed values are kept");
    let first = open_edition(&app).await;
    app.db(move |conn| {
        use biw::db::schema::categories;
        diesel::update(categories::table.filter(categories::edition_id.eq(first)))
            .set(categories::name_id.eq("Kategori khusus"))
            .execute(conn)
            .unwrap();
    })
    .await;
    let res = app
        .post_form(
            "/organiser/editions/new",
            &[
                ("name", "BIW 2027"),
                ("year", "2027"),
                ("registration_opens_at", "2027-04-01T08:00"),
                ("registration_closes_at", "2027-05-01T08:00"),
                ("screening_closes_at", "2027-06-01T08:00"),
                ("min_narrative_words", "250"),
                ("max_entries_per_unit", "3"),
                ("max_file_mb", "5"),
                ("reminder_days", "7,3,1"),
                ("required", "name"),
                ("required", "narrative"),
                ("copy_from", &first.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let second: i32 = crate::helpers::location(&res)
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (cats, e) = app
        .db(move |conn| {
            (
                edition::categories(conn, second).unwrap(),
                edition::find(conn, second).unwrap().unwrap(),
            )
        })
        .await;
    assert!(cats.iter().all(|c| c.name_id == "Kategori khusus"));
    assert_eq!(e.required_fields, "name,narrative");
    assert_eq!(e.copied_from_id, Some(first));
    // Registration of the first edition is open: the open call goes to active operators, once.
    app.create_user(Role::Opd, "opd1@x.biw.id", "correct horse battery")
        .await;
    let state = app.state.clone();
    let n = app
        .db(move |conn| biw::scheduler::tick(conn, &state).unwrap())
        .await;
    assert_eq!(n, 1);
    let state = app.state.clone();
    assert_eq!(
        app.db(move |conn| biw::scheduler::tick(conn, &state).unwrap())
            .await,
        0
    );
    assert!(
        app.mails_to("opd1@x.biw.id").await[0]
            .subject
            .contains("pendaftaran inovasi dibuka")
    );
}
