//! Accepted input is valid: every one-line name refuses control characters wherever it enters
//! (forms, edits, CSV imports, drafts), NUL never reaches the database, and imports check what
//! the forms check.

use biw::domain::Role;

use crate::entries::{full_form, new_draft, open_edition, post_pairs, unit_team};
use crate::helpers::{TestApp, assert_redirect, spawn_app};

const ONE_LINE_ID: &str = "harus satu baris";

/// Names that would split a mail header or hide what they say.
const BAD_NAMES: [&str; 5] = [
    "Ani\nBcc: curian@contoh.id",
    "Ani\r\nX",
    "Ani\tRahma",
    "Ani\u{1b}[31m",
    "Ani\u{202e}amhaR",
];

async fn user_count(app: &TestApp) -> i64 {
    app.db(|conn| {
        use biw::db::schema::users;
        use diesel::prelude::*;
        users::table.count().get_result::<i64>(conn).unwrap()
    })
    .await
}

#[tokio::test]
async fn every_name_field_refuses_control_characters_with_a_clear_message() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let judge = app
        .create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    let users_before = user_count(&app).await;
    let units_before = app.db(|conn| biw::models::unit::count(conn).unwrap()).await;
    for (i, bad) in BAD_NAMES.iter().enumerate() {
        // The invitation form.
        let email = format!("baru{i}@x.biw.id");
        let res = app
            .post_form(
                "/organiser/users/new",
                &[
                    ("email", &email),
                    ("name", bad),
                    ("role", "judge"),
                    ("lang", "id"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422, "invite {bad:?}");
        let html = res.text().await.unwrap();
        assert!(html.contains(ONE_LINE_ID), "invite {bad:?} says why");
        assert!(html.contains(&email), "what was typed is kept");
        // The user edit, name and affiliation.
        for field in ["name", "affiliation"] {
            let mut form = vec![
                ("name", "Dr. Juri"),
                ("role", "judge"),
                ("affiliation", "BRIN"),
            ];
            form.retain(|(k, _)| *k != field);
            form.push((field, bad));
            let res = app
                .post_form(&format!("/organiser/users/{judge}"), &form)
                .await;
            assert_eq!(res.status().as_u16(), 422, "edit {field} {bad:?}");
            assert!(res.text().await.unwrap().contains(ONE_LINE_ID));
        }
        // The user import.
        let csv = format!("email,name,role\nimpor{i}@x.biw.id,\"{bad}\",judge\n");
        let res = app
            .upload("/organiser/users/import", "users.csv", csv.into_bytes())
            .await;
        assert_eq!(res.status().as_u16(), 422, "user import {bad:?}");
        assert!(res.text().await.unwrap().contains(ONE_LINE_ID));
        // The unit form and the unit import.
        let res = app
            .post_form(
                "/organiser/units/new",
                &[("name", bad), ("unit_type", "badan"), ("parent_id", "")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422, "unit {bad:?}");
        assert!(res.text().await.unwrap().contains(ONE_LINE_ID));
        let csv = format!("name,type\n\"{bad}\",badan\n");
        let res = app
            .upload("/organiser/units/import", "units.csv", csv.into_bytes())
            .await;
        assert_eq!(res.status().as_u16(), 422, "unit import {bad:?}");
        assert!(res.text().await.unwrap().contains(ONE_LINE_ID));
        // The edition's name.
        let mut input = biw::services::editions::SettingsInput::new_for_year(2030);
        input.name = bad.to_string();
        match biw::services::editions::validate(&input) {
            Err(biw::error::AppError::Invalid(errors)) => {
                assert_eq!(errors["name"], "form.control_chars")
            }
            _ => panic!("edition name {bad:?} accepted"),
        }
    }
    assert_eq!(user_count(&app).await, users_before, "nobody was added");
    let units_after = app.db(|conn| biw::models::unit::count(conn).unwrap()).await;
    assert_eq!(units_after, units_before, "no unit was added");
    let name = app
        .db(move |conn| biw::models::user::find(conn, judge).unwrap().unwrap().name)
        .await;
    assert_eq!(name, "Test judge", "the edits changed nothing");
    assert!(app.mails_to("baru0@x.biw.id").await.is_empty());
}

#[tokio::test]
async fn drafts_refuse_multi_line_names_and_links_that_are_not_web_addresses() {
    let app = spawn_app().await;
    open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    let id = new_draft(&app, &staff).await;
    for (field, value, message) in [
        ("name", "Patriot\nMantap", ONE_LINE_ID),
        ("contact_name", "Budi\u{0007}", ONE_LINE_ID),
        ("video_url", "javascript:alert(1)", "diawali http"),
        ("video_url", "ftp://contoh.id/v.mp4", "diawali http"),
        ("stage", "bukan_pilihan", "Pilih salah satu dari daftar."),
        (
            "urusan",
            "urusan_edisi_lain",
            "Pilih salah satu dari daftar.",
        ),
        ("trial_date", "1800-01-01", "Masukkan tanggal yang benar"),
        (
            "implementation_date",
            "2024-01-01",
            "tidak boleh sebelum waktu uji coba",
        ),
    ] {
        let mut form = full_form(0, 12);
        form.iter_mut().find(|(k, _)| k == field).unwrap().1 = value.into();
        for path in [
            format!("/opd/entries/{id}/autosave"),
            format!("/opd/entries/{id}"),
        ] {
            let res = post_pairs(&app, &staff, &path, &form).await;
            assert_eq!(res.status().as_u16(), 422, "{path} {field}={value:?}");
            assert!(
                res.text().await.unwrap().contains(message),
                "{path} {field} says why"
            );
        }
    }
    let res = post_pairs(
        &app,
        &staff,
        &format!("/opd/entries/{id}/autosave"),
        &full_form(0, 12),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200, "a valid draft still saves");
}

#[tokio::test]
async fn nul_in_a_query_or_a_form_is_refused_not_a_server_error() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    for path in [
        "/organiser/units?q=a%00b",
        "/organiser/users?q=%00",
        "/organiser/outbox?to=%00",
    ] {
        assert_eq!(app.get(path).await.status().as_u16(), 400, "{path}");
    }
    let res = app
        .post_form(
            "/organiser/units/new",
            &[
                ("name", "Unit\u{0}Baru"),
                ("unit_type", "badan"),
                ("parent_id", ""),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 400);
}

#[tokio::test]
async fn editing_users_does_not_depend_on_any_address_being_free() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    // The address the edit form once used as a placeholder now belongs to someone.
    app.create_user(Role::Judge, "probe@biw.invalid", "correct horse battery")
        .await;
    let id = app
        .create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    let res = app
        .post_form(
            &format!("/organiser/users/{id}"),
            &[("name", "Dr. Juri Baru"), ("role", "judge")],
        )
        .await;
    assert_redirect(&res, &format!("/organiser/users/{id}"));
}

/// A NUL in any cell of either import is refused with a message, on both engines (PostgreSQL
/// cannot store one), and nothing is imported.
#[tokio::test]
async fn imports_refuse_a_nul_in_any_cell_with_a_message() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    for (path, csv) in [
        (
            "/organiser/units/import",
            "name,type,parent\nBadan\0X,badan,\n",
        ),
        (
            "/organiser/units/import",
            "name,type,parent\nBadan Y,badan,Dinas\0X\n",
        ),
        (
            "/organiser/users/import",
            "email,name,role,unit\na@b.id,A,opd,Dinas\0X\n",
        ),
    ] {
        let res = app.upload(path, "data.csv", csv.as_bytes().to_vec()).await;
        assert_eq!(res.status().as_u16(), 422, "{path} {csv:?}");
        assert!(
            res.text().await.unwrap().contains("karakter NUL"),
            "{path} {csv:?}"
        );
    }
    let none = app
        .db(|conn| biw::models::unit::find_by_name(conn, "Badan Y").unwrap())
        .await;
    assert!(none.is_none(), "nothing imported");
}

#[tokio::test]
async fn a_unit_import_refuses_a_unit_as_its_own_parent_and_cycles() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    for csv in [
        "name,type,parent\nBadan Satu,badan,Badan Satu\n",
        "name,type,parent\nBadan A,badan,Badan B\nBadan B,badan,Badan C\nBadan C,badan,Badan A\n",
    ] {
        let res = app
            .upload(
                "/organiser/units/import",
                "units.csv",
                csv.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(res.status().as_u16(), 422, "{csv}");
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("tidak dapat menjadi induk")
        );
    }
    let none = app
        .db(|conn| biw::models::unit::find_by_name(conn, "Badan A").unwrap())
        .await;
    assert!(none.is_none(), "nothing imported");
    // A chain without a cycle imports, child before parent.
    let res = app
        .upload(
            "/organiser/units/import",
            "units.csv",
            b"name,type,parent\nUPT Anak,badan,Badan Induk\nBadan Induk,badan,\n".to_vec(),
        )
        .await;
    assert_redirect(&res, "/organiser/units");
}

#[test]
fn an_editions_timeline_must_run_in_order() {
    let mut input = biw::services::editions::SettingsInput::new_for_year(2030);
    input.results_at = "2030-06-01T09:00".into(); // before the check ends on 30 June
    match biw::services::editions::validate(&input) {
        Err(biw::error::AppError::Invalid(errors)) => {
            assert_eq!(errors["results_at"], "editions.results_before_screening")
        }
        _ => panic!("results before the end of screening accepted"),
    }
    input.results_at = String::new();
    assert!(
        biw::services::editions::validate(&input).is_ok(),
        "results may be left open"
    );
}

/// An entry of Dinas Kesehatan ("Patriot Mantap"), submitted so organisers' lists show it.
async fn submitted_entry(app: &TestApp) -> i32 {
    let ed = open_edition(app).await;
    let (endorser, staff) = unit_team(app).await;
    let entry = crate::entries::ready_entry(app, &staff, ed).await;
    app.post_form_with(&endorser, &format!("/opd/entries/{entry}/submit"), &[])
        .await;
    entry
}

/// A search finds any part of a name or address in any case, finds rows by their current names
/// only, and takes quotes as text, on both engines.
#[tokio::test]
async fn searches_find_any_part_in_any_case_and_by_current_names() {
    let app = spawn_app().await;
    let entry = submitted_entry(&app).await;
    app.login_as(Role::Organiser).await;
    let judge = app
        .create_user(
            Role::Judge,
            "ratna.dewi@univ.ac.id",
            "correct horse battery",
        )
        .await;
    let rename = |name: &'static str| {
        let path = format!("/organiser/users/{judge}");
        let app = &app;
        async move {
            let fields = [
                ("name", name),
                ("role", "judge"),
                ("unit_id", ""),
                ("affiliation", ""),
            ];
            assert_eq!(app.post_form(&path, &fields).await.status().as_u16(), 303);
        }
    };
    rename("Ratna Sari Dewi").await;
    let rows_of = |html: String| html.split("<tbody").nth(1).unwrap_or("").to_string();
    let finds = |list: &'static str, q: &'static str| {
        let app = &app;
        async move {
            let res = app.get(&format!("{list}?q={q}")).await;
            assert_eq!(res.status().as_u16(), 200, "{list}?q={q}");
            rows_of(res.text().await.unwrap())
        }
    };
    for q in ["sari%20DEW", "RATNA", "univ.ac", "Dewi"] {
        assert!(
            finds("/organiser/users", q)
                .await
                .contains("ratna.dewi@univ.ac.id"),
            "{q}"
        );
    }
    assert!(
        !finds("/organiser/users", "sari%20ratna")
            .await
            .contains("ratna.dewi")
    );
    rename("Budi Santoso").await;
    assert!(
        !finds("/organiser/users", "Ratna%20Sari")
            .await
            .contains("ratna.dewi")
    );
    assert!(
        finds("/organiser/users", "santoso")
            .await
            .contains("ratna.dewi@univ.ac.id")
    );
    // A quote is a character like any other, not query syntax.
    for q in ["%22santoso", "san%22toso%22", "%22%22%22"] {
        let res = app.get(&format!("/organiser/users?q={q}")).await;
        assert_eq!(res.status().as_u16(), 200, "{q}");
        assert!(
            !rows_of(res.text().await.unwrap()).contains("ratna.dewi"),
            "{q}"
        );
    }

    // Entries: by a part of their name, or of their unit's.
    for q in ["triot%20MAN", "kesehatan", "PATRIOT"] {
        assert!(
            finds("/organiser/entries", q)
                .await
                .contains("Patriot Mantap"),
            "{q}"
        );
    }
    app.db(move |conn| {
        use biw::db::schema::entries;
        use diesel::prelude::*;
        diesel::update(entries::table.find(entry))
            .set(entries::name.eq("Layanan Jemput Bola"))
            .execute(conn)
            .unwrap();
    })
    .await;
    assert!(
        finds("/organiser/entries", "jemput")
            .await
            .contains("Layanan Jemput Bola")
    );
    assert!(
        !finds("/organiser/entries", "triot%20man")
            .await
            .contains("Layanan Jemput Bola")
    );
}

/// `%`, `_` and `\` typed into a search are those characters, not `LIKE` wildcards, in every list
/// that searches text: users, units, entries, the outbox and the audit log.
#[tokio::test]
async fn search_wildcards_are_taken_literally_in_every_list() {
    let app = spawn_app().await;
    submitted_entry(&app).await;
    app.login_as(Role::Organiser).await;
    app.create_user(Role::Judge, "nilai_100@x.biw.id", "correct horse battery")
        .await;
    app.create_user(Role::Judge, "nilaix100@x.biw.id", "correct horse battery")
        .await;
    // Every list shows something before the wildcards are typed.
    let shown = [
        ("/organiser/users?q=", "nilaix100@x.biw.id"),
        ("/organiser/units?q=", "Dinas Kesehatan"),
        ("/organiser/entries?q=", "Patriot Mantap"),
        ("/organiser/audit?actor=", "organiser@test.biw.id"),
        ("/organiser/outbox?to=", "@"),
    ];
    let rows_of = |html: String| html.split("<tbody").nth(1).unwrap_or("").to_string();
    for (list, row) in shown {
        let rows = rows_of(app.page(list).await);
        assert!(rows.contains(row), "{list} shows {row}");
    }
    // Nothing in these lists holds a `%` or a backslash, so nothing is found.
    for q in ["%25", "%5C", "%25%25", "a%25"] {
        for (list, row) in shown {
            let rows = rows_of(app.page(&format!("{list}{q}")).await);
            assert!(!rows.contains(row), "{list}{q} found {row}");
        }
    }
    // An underscore is an underscore.
    let html = app.page("/organiser/users?q=nilai_1").await;
    assert!(html.contains("nilai_100@x.biw.id"));
    assert!(!html.contains("nilaix100@x.biw.id"));
}
