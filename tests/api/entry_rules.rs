//! Rules around entries that hold whatever the user does: an inactive unit changes nothing, files
//! replaced in a draft leave no bytes behind, uploads have a bound, and the size message names the
//! edition's real limit.

use diesel::prelude::*;

use crate::entries::{
    PDF, full_form, kinds, new_draft, open_edition, post_pairs, ready_entry, status, unit_team,
    upload,
};
use crate::helpers::{TestApp, spawn_app};

async fn page_of(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    app.get_with(client, path).await.text().await.unwrap()
}

fn files_on_disk(app: &TestApp) -> usize {
    std::fs::read_dir(&app.state.settings.upload_dir)
        .map(|d| d.count())
        .unwrap_or(0)
}

#[tokio::test]
async fn operators_of_an_inactive_unit_can_read_but_change_nothing() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (endorser, staff) = unit_team(&app).await;
    let id = ready_entry(&app, &staff, ed).await;
    let pdf_kind = kinds(&app, ed).await[0].id;
    app.db(|conn| {
        use biw::db::schema::units;
        diesel::update(units::table.filter(units::name.eq("Dinas Kesehatan")))
            .set(units::active.eq(false))
            .execute(conn)
            .unwrap();
    })
    .await;
    let path = format!("/opd/entries/{id}");
    assert_eq!(
        app.get_with(&staff, &path).await.status().as_u16(),
        200,
        "still readable"
    );
    let before = app.audit_count("entry.create").await;
    app.post_form_with(&staff, "/opd/entries/new", &[]).await;
    assert_eq!(
        app.audit_count("entry.create").await,
        before,
        "no new draft"
    );
    assert!(
        page_of(&app, &staff, "/opd")
            .await
            .contains("dinonaktifkan oleh panitia")
    );
    let res = post_pairs(
        &app,
        &staff,
        &format!("{path}/autosave"),
        &full_form(2, 300),
    )
    .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("dinonaktifkan oleh panitia")
    );
    let uploads = app.audit_count("entry.file_replace").await;
    upload(&app, &staff, id, pdf_kind, "bukti.pdf", PDF.to_vec()).await;
    assert_eq!(
        app.audit_count("entry.file_replace").await,
        uploads,
        "no file changed"
    );
    app.post_form_with(&endorser, &format!("{path}/submit"), &[])
        .await;
    assert_eq!(status(&app, id).await, "draft", "not submitted");
    assert!(
        page_of(&app, &endorser, &path)
            .await
            .contains("dinonaktifkan oleh panitia")
    );
}

#[tokio::test]
async fn files_replaced_in_a_draft_leave_no_bytes_and_uploads_are_bounded() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    let id = new_draft(&app, &staff).await;
    let kind = kinds(&app, ed)
        .await
        .into_iter()
        .find(|k| k.accepts.contains("pdf"))
        .unwrap()
        .id;
    for _ in 0..3 {
        upload(&app, &staff, id, kind, "bukti.pdf", PDF.to_vec()).await;
    }
    assert_eq!(files_on_disk(&app), 1, "only the live file's bytes remain");
    let file_id = app
        .db(move |conn| biw::models::entry::files(conn, id).unwrap()[0].id)
        .await;
    app.post_form_with(
        &staff,
        &format!("/opd/entries/{id}/files/{file_id}/delete"),
        &[],
    )
    .await;
    assert_eq!(
        files_on_disk(&app),
        0,
        "a deleted draft file's bytes are gone"
    );
    // The bound: after UPLOADS_PER_ENTRY uploads in all, the next is refused with a message.
    for _ in 4..=biw::services::evidence::UPLOADS_PER_ENTRY {
        upload(&app, &staff, id, kind, "bukti.pdf", PDF.to_vec()).await;
    }
    let res = upload(&app, &staff, id, kind, "lagi.pdf", PDF.to_vec()).await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(
        page_of(&app, &staff, &format!("/opd/entries/{id}"))
            .await
            .contains("Batas unggahan")
    );
    assert_eq!(files_on_disk(&app), 1);
}

#[tokio::test]
async fn a_file_too_large_is_told_the_editions_real_limit() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await; // 1 MB per file
    let (_, staff) = unit_team(&app).await;
    let id = new_draft(&app, &staff).await;
    let kind = kinds(&app, ed).await[0].id;
    let mut big = PDF.to_vec();
    big.resize(1024 * 1024 + 10, b' ');
    upload(&app, &staff, id, kind, "besar.pdf", big).await;
    let html = page_of(&app, &staff, &format!("/opd/entries/{id}")).await;
    assert!(
        html.contains("maksimal 1 MB per berkas"),
        "the limit is named"
    );
}
