//! An entry belongs to its unit: another unit's operator can neither see nor touch it.

use biw::domain::Role;
use diesel::prelude::*;

use crate::entries::*;
use crate::helpers::{new_client, spawn_app};

#[tokio::test]
async fn another_units_operator_cannot_see_or_touch_the_entry() {
    let app = spawn_app().await;
    open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    let id = new_draft(&app, &staff).await;
    let stranger_id = app
        .create_user(Role::Opd, "opd@kecamatan.biw.id", "correct horse battery")
        .await;
    app.db(move |conn| {
        use biw::db::schema::users;
        let unit = biw::models::unit::find_by_name(conn, "Kecamatan Jatiasih")
            .unwrap()
            .unwrap()
            .id;
        diesel::update(users::table.find(stranger_id))
            .set((users::unit_id.eq(unit), users::is_endorser.eq(true)))
            .execute(conn)
            .unwrap();
    })
    .await;
    let stranger = new_client();
    app.login_with(&stranger, "opd@kecamatan.biw.id", "correct horse battery")
        .await;
    assert_eq!(
        app.get_with(&stranger, &format!("/opd/entries/{id}"))
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        post_pairs(
            &app,
            &stranger,
            &format!("/opd/entries/{id}"),
            &full_form(0, 300)
        )
        .await
        .status()
        .as_u16(),
        404
    );
    assert_eq!(
        app.post_form_with(&stranger, &format!("/opd/entries/{id}/submit"), &[])
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(status(&app, id).await, "draft");
}
