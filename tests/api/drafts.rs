//! Drafts: saving as the operator types, evidence files, entering an earlier entry again.

use biw::domain::Role;
use diesel::prelude::*;

use crate::entries::*;
use crate::helpers::{assert_redirect, new_client, spawn_app};

#[tokio::test]
async fn a_draft_survives_and_autosave_guards_against_another_tab() {
    let app = spawn_app().await;
    open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    let id = new_draft(&app, &staff).await;
    let res = post_pairs(
        &app,
        &staff,
        &format!("/opd/entries/{id}/autosave"),
        &full_form(0, 12),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let body: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(body["lock_version"], 1);
    // A second tab still at version 0 does not overwrite it, and is told so.
    let mut stale = full_form(0, 5);
    stale[0].1 = "Nama dari tab lama".into();
    let res = post_pairs(&app, &staff, &format!("/opd/entries/{id}/autosave"), &stale).await;
    assert_eq!(res.status().as_u16(), 409);
    let res = post_pairs(&app, &staff, &format!("/opd/entries/{id}"), &stale).await;
    assert_eq!(res.status().as_u16(), 409);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Nama dari tab lama"),
        "what the stale tab typed is shown back, not lost"
    );
    // A new session (another day) finds the draft as saved.
    let later = new_client();
    app.login_with(&later, "staf@dinkes.biw.id", "correct horse battery")
        .await;
    let html = app
        .get_with(&later, &format!("/opd/entries/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("value=\"Patriot Mantap\""));
    assert!(html.contains("12 kata (minimal 300)"));
}

#[tokio::test]
async fn evidence_is_typed_by_its_bytes_sized_and_private() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    let id = new_draft(&app, &staff).await;
    let all = kinds(&app, ed).await;
    let pdf_only = all.iter().find(|k| k.accepts == "pdf").unwrap().id;
    let image_only = all.iter().find(|k| k.accepts == "image").unwrap().id;
    // A PDF named .jpg is a PDF: fine where PDFs go, refused where only images go.
    let res = upload(&app, &staff, id, pdf_only, "scan.jpg", PDF.to_vec()).await;
    assert_redirect(&res, &format!("/opd/entries/{id}#evidence"));
    let res = upload(&app, &staff, id, image_only, "foto.jpg", PDF.to_vec()).await;
    assert_eq!(res.status().as_u16(), 303);
    let html = app
        .get_with(&staff, &format!("/opd/entries/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Jenis berkas tidak diterima"));
    // An executable renamed .pdf is refused; so is a file over the edition's 1 MB.
    upload(
        &app,
        &staff,
        id,
        pdf_only,
        "virus.pdf",
        b"MZ\x90\x00\x03".to_vec(),
    )
    .await;
    assert!(
        app.get_with(&staff, &format!("/opd/entries/{id}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("Jenis berkas tidak diterima")
    );
    let mut big = PDF.to_vec();
    big.resize(2 * 1024 * 1024, b' ');
    upload(&app, &staff, id, pdf_only, "besar.pdf", big).await;
    assert!(
        app.get_with(&staff, &format!("/opd/entries/{id}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("Berkas terlalu besar")
    );
    // A path in the name never becomes a path.
    upload(
        &app,
        &staff,
        id,
        pdf_only,
        "../../etc/passwd.pdf",
        PDF.to_vec(),
    )
    .await;
    let files = app
        .db(move |conn| biw::models::entry::files(conn, id).unwrap())
        .await;
    assert_eq!(files.len(), 1, "the replacement replaced");
    assert_eq!(files[0].original_name, "passwd.pdf");
    assert!(!files[0].stored_name.contains('/'));
    let url = format!("/entries/{id}/files/{}", files[0].id);
    let res = app.get_with(&staff, &url).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/pdf"
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    // Another unit's operator, a judge and a visitor cannot have it.
    let other = app
        .create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    let _ = other;
    let judge = new_client();
    app.login_with(&judge, "juri@x.biw.id", "correct horse battery")
        .await;
    assert_eq!(app.get_with(&judge, &url).await.status().as_u16(), 404);
    assert_eq!(
        app.get_with(&new_client(), &url).await.status().as_u16(),
        303
    );
    assert_eq!(app.audit_count("entry.file_replace").await, 1);
}

#[tokio::test]
async fn an_earlier_entry_can_be_entered_again_once() {
    let app = spawn_app().await;
    let first = open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    let old = new_draft(&app, &staff).await;
    post_pairs(
        &app,
        &staff,
        &format!("/opd/entries/{old}"),
        &full_form(0, 300),
    )
    .await;
    // Last year's edition is over; this year's is open.
    app.db(move |conn| {
        use biw::db::schema::editions;
        let past = biw::db::now() - chrono::Duration::days(400);
        diesel::update(editions::table.find(first))
            .set((
                editions::registration_opens_at.eq(past),
                editions::registration_closes_at.eq(past),
                editions::screening_closes_at.eq(past),
                editions::year.eq(2025),
            ))
            .execute(conn)
            .unwrap();
    })
    .await;
    open_edition(&app).await;
    let res = app
        .post_form_with(&staff, &format!("/opd/entries/{old}/reenter"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let new_id: i32 = crate::helpers::location(&res)
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let new = app
        .db(move |conn| biw::models::entry::find(conn, new_id).unwrap().unwrap())
        .await;
    assert_eq!(new.name, "Patriot Mantap");
    assert_eq!(new.previous_entry_id, Some(old));
    assert_eq!(new.status, "draft");
}
