//! The lists editor: every item keeps its id, so renaming, moving, retiring and adding items never
//! moves an entry, a file or a screening result to another item.

use biw::domain::Role;
use biw::models::edition;
use diesel::prelude::*;

use crate::entries::{PDF, kinds, new_draft, open_edition, post_pairs, unit_team, upload};
use crate::helpers::{TestApp, assert_redirect, form_fields, spawn_app};

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|(n, _)| n == name) {
        Some(f) => f.1 = value.to_string(),
        None => fields.push((name.to_string(), value.to_string())),
    }
}

fn unset(fields: &mut Vec<(String, String)>, name: &str) {
    fields.retain(|(n, _)| n != name);
}

fn value<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

async fn post_lists(app: &TestApp, ed: i32, fields: &[(String, String)]) -> reqwest::Response {
    post_pairs(
        app,
        &app.client,
        &format!("/organiser/editions/{ed}/lists"),
        fields,
    )
    .await
}

/// Entries in the first two categories: (entry id, category id) pairs.
async fn entries_in_categories(
    app: &TestApp,
    ed: i32,
    client: &reqwest::Client,
) -> Vec<(i32, i32)> {
    let cats = app
        .db(move |conn| edition::categories(conn, ed).unwrap())
        .await;
    assert!(
        cats.len() >= 2,
        "the default edition has several categories"
    );
    let mut placed = Vec::new();
    for cat in [cats[0].id, cats[1].id, cats[1].id, cats[0].id] {
        let id = new_draft(app, client).await;
        app.db(move |conn| {
            use biw::db::schema::entries;
            diesel::update(entries::table.find(id))
                .set(entries::category_id.eq(cat))
                .execute(conn)
                .unwrap();
        })
        .await;
        placed.push((id, cat));
    }
    placed
}

#[tokio::test]
async fn renaming_moving_retiring_and_adding_items_moves_no_entry() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    let placed = entries_in_categories(&app, ed, &staff).await;
    let kind = kinds(&app, ed).await[0].id;
    let with_file = placed[0].0;
    let res = upload(&app, &staff, with_file, kind, "bukti.pdf", PDF.to_vec()).await;
    assert_eq!(res.status().as_u16(), 303);
    let before = app
        .db(move |conn| edition::categories(conn, ed).unwrap())
        .await;
    app.login_as(Role::Organiser).await;

    let html = app.page(&format!("/organiser/editions/{ed}/lists")).await;
    assert!(
        html.contains("dipakai 2 inovasi"),
        "an item in use says how much"
    );
    assert!(!html.contains(" | "), "no code | label syntax to type");
    let mut fields = form_fields(&html);
    assert_eq!(
        value(&fields, "categories.0.id"),
        Some(before[0].id.to_string().as_str())
    );

    // Row tools work without saving and keep what was typed.
    set(&mut fields, "categories.1.label_id", "Tata kelola digital");
    fields.push(("op".into(), "up:categories:1".into()));
    let res = post_lists(&app, ed, &fields).await;
    assert_eq!(res.status().as_u16(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("autofocus"), "focus follows the moved row");
    let mut fields = form_fields(&html);
    assert_eq!(
        value(&fields, "categories.0.label_id"),
        Some("Tata kelola digital")
    );
    assert_eq!(
        value(&fields, "categories.0.id"),
        Some(before[1].id.to_string().as_str())
    );
    assert_eq!(
        app.db(move |conn| edition::categories(conn, ed).unwrap())
            .await,
        before,
        "a row tool saves nothing"
    );
    fields.push(("op".into(), "add:categories".into()));
    let html = post_lists(&app, ed, &fields).await.text().await.unwrap();
    let mut fields = form_fields(&html);
    let new_row = before.len();
    assert_eq!(
        value(&fields, &format!("categories.{new_row}.id")),
        Some("")
    );
    set(
        &mut fields,
        &format!("categories.{new_row}.label_id"),
        "Inovasi desa",
    );
    // The first category (now second) is retired; a stage option is added by its label alone.
    set(&mut fields, "categories.1.retired", "1");
    let stages = fields
        .iter()
        .filter(|(n, _)| n.starts_with("stage.") && n.ends_with(".id"))
        .count();
    set(&mut fields, &format!("stage.{stages}.id"), "");
    set(
        &mut fields,
        &format!("stage.{stages}.label_id"),
        "Purwarupa baru",
    );
    let res = post_lists(&app, ed, &fields).await;
    assert_redirect(&res, &format!("/organiser/editions/{ed}/lists"));

    let (after, options, files) = app
        .db(move |conn| {
            use biw::db::schema::entry_files;
            (
                edition::categories(conn, ed).unwrap(),
                edition::options(conn, ed).unwrap(),
                entry_files::table
                    .filter(entry_files::entry_id.eq(with_file))
                    .select(entry_files::evidence_kind_id)
                    .load::<i32>(conn)
                    .unwrap(),
            )
        })
        .await;
    for (entry, cat) in &placed {
        let now = app
            .db({
                let entry = *entry;
                move |conn| {
                    biw::models::entry::find(conn, entry)
                        .unwrap()
                        .unwrap()
                        .category_id
                }
            })
            .await;
        assert_eq!(now, Some(*cat), "entry {entry} stays in its category");
    }
    assert_eq!(files, [kind], "the file keeps its evidence kind");
    assert_eq!(after.len(), before.len() + 1, "nothing deleted");
    assert_eq!(
        (after[0].id, after[0].name_id.as_str()),
        (before[1].id, "Tata kelola digital")
    );
    assert_eq!((after[1].id, after[1].active), (before[0].id, false));
    assert!(
        after
            .iter()
            .any(|c| c.name_id == "Inovasi desa" && c.active)
    );
    assert!(
        options
            .iter()
            .any(|o| o.list == "stage" && o.code == "purwarupa_baru" && o.active),
        "a code is made from the label"
    );
    assert_eq!(app.audit_count("edition.lists").await, 1);

    // Operators are no longer offered the retired category; the entry in it still opens.
    let form = app
        .get_with(&staff, &format!("/opd/entries/{}", placed[1].0))
        .await
        .text()
        .await
        .unwrap();
    assert!(form.contains("Inovasi desa"));
    let retired_name = &before[0].name_id;
    assert!(
        !form.contains(&format!(">{retired_name}</option>")),
        "{retired_name} is no longer offered"
    );
    let res = app
        .get_with(&staff, &format!("/opd/entries/{}", placed[0].0))
        .await;
    assert_eq!(res.status().as_u16(), 200);
}

#[tokio::test]
async fn bad_rows_are_named_and_nothing_is_saved_or_lost() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    app.login_as(Role::Organiser).await;
    let before = app
        .db(move |conn| biw::services::edition_lists::current(conn, ed).unwrap())
        .await;
    let mut fields = form_fields(&app.page(&format!("/organiser/editions/{ed}/lists")).await);
    set(&mut fields, "categories.0.label_id", "");
    set(&mut fields, "categories.0.label_en", "Kept as typed");
    let second = value(&fields, "categories.1.label_id").unwrap().to_string();
    set(&mut fields, "categories.2.label_id", &second.to_uppercase());
    unset(&mut fields, "evidence.0.pdf");
    unset(&mut fields, "evidence.0.image");
    for (name, _) in fields.clone() {
        if name.starts_with("theme.") && name.ends_with(".id") {
            let row = name.trim_end_matches(".id").to_string();
            set(&mut fields, &format!("{row}.retired"), "1");
        }
    }
    let res = post_lists(&app, ed, &fields).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    for expected in [
        "Kategori, butir 1: Wajib diisi",
        "Kategori, butir 3: Nama ini sudah dipakai butir lain",
        "Bukti dukung, butir 1: Pilih sedikitnya satu jenis berkas",
        "Tematik: Daftar ini memerlukan sedikitnya satu pilihan",
        "href=\"#f-categories-0-label_id\"",
        "href=\"#f-theme\"",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    assert!(html.contains("Kept as typed"), "what was typed stays");
    assert!(
        html.contains("Ada 4 isian"),
        "the summary counts every problem"
    );
    let now = app
        .db(move |conn| biw::services::edition_lists::current(conn, ed).unwrap())
        .await;
    assert_eq!(now, before, "nothing saved");
    assert_eq!(app.audit_count("edition.lists").await, 0);
}

#[tokio::test]
async fn an_item_of_another_edition_cannot_be_edited_through_this_one() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let other = open_edition(&app).await;
    app.login_as(Role::Organiser).await;
    let theirs = app
        .db(move |conn| edition::categories(conn, other).unwrap())
        .await;
    let mut fields = form_fields(&app.page(&format!("/organiser/editions/{ed}/lists")).await);
    set(&mut fields, "categories.0.id", &theirs[0].id.to_string());
    set(&mut fields, "categories.0.label_id", "Diambil alih");
    let res = post_lists(&app, ed, &fields).await;
    assert_eq!(res.status().as_u16(), 400);
    let now = app
        .db(move |conn| edition::categories(conn, other).unwrap())
        .await;
    assert_eq!(now, theirs);
    let mine = app
        .db(move |conn| edition::categories(conn, ed).unwrap())
        .await;
    assert!(
        mine.iter().all(|c| c.name_id != "Diambil alih"),
        "all or nothing"
    );
}
