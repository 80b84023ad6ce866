//! Forgotten passwords: the same answer for every address, a single-use link that expires.

use biw::domain::Role;
use diesel::prelude::*;

use crate::helpers::{assert_redirect, new_client, spawn_app};

#[tokio::test]
async fn reset_link_sets_a_new_password_once_and_ends_other_sessions() {
    let app = spawn_app().await;
    app.create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    let old_session = new_client();
    app.login_with(&old_session, "juri@x.biw.id", "correct horse battery")
        .await;
    let res = app
        .post_form("/password/forgot", &[("email", "JURI@x.biw.id")])
        .await;
    assert_redirect(&res, "/login");
    let known_answer = app.page("/login").await;
    let res = app
        .post_form_with(
            &new_client(),
            "/password/forgot",
            &[("email", "nobody@x.biw.id")],
        )
        .await;
    assert_redirect(&res, "/login");
    assert!(known_answer.contains("Jika email tersebut terdaftar"));
    assert!(app.mails_to("nobody@x.biw.id").await.is_empty());
    let mails = app.mails_to("juri@x.biw.id").await;
    assert_eq!(mails.len(), 1);
    let link = app.link_in(&mails[0], "/password/reset/");
    let res = app
        .post_form_with(
            &new_client(),
            &link,
            &[
                ("password", "my brand new password"),
                ("confirm", "my brand new password"),
            ],
        )
        .await;
    assert_redirect(&res, "/judge");
    assert_redirect(
        &app.get_with(&old_session, "/judge").await,
        "/login?next=%2Fjudge",
    );
    let res = app
        .post_form_with(
            &new_client(),
            &link,
            &[
                ("password", "yet another password"),
                ("confirm", "yet another password"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 410);
    app.login_with(&new_client(), "juri@x.biw.id", "my brand new password")
        .await;
    let res = app
        .try_login("juri@x.biw.id", "correct horse battery")
        .await;
    assert_eq!(res.status().as_u16(), 422);
}

#[tokio::test]
async fn an_expired_reset_link_offers_a_new_one() {
    let app = spawn_app().await;
    app.create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    app.post_form("/password/forgot", &[("email", "juri@x.biw.id")])
        .await;
    let link = app.link_in(&app.mails_to("juri@x.biw.id").await[0], "/password/reset/");
    app.db(|conn| {
        use biw::db::schema::user_tokens;
        diesel::update(user_tokens::table)
            .set(user_tokens::expires_at.eq(biw::db::now() - chrono::Duration::minutes(1)))
            .execute(conn)
            .unwrap();
    })
    .await;
    let res = app.get_with(&new_client(), &link).await;
    assert_eq!(res.status().as_u16(), 410);
    let html = res.text().await.unwrap();
    assert!(html.contains("kedaluwarsa"));
    assert!(html.contains("href=\"/password/forgot\""));
}

#[tokio::test]
async fn a_malformed_address_is_pointed_out() {
    let app = spawn_app().await;
    let res = app
        .post_form("/password/forgot", &[("email", "juri at x")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Masukkan alamat email yang benar"));
    assert!(html.contains("value=\"juri at x\""));
}

#[tokio::test]
async fn reset_mails_to_one_account_are_limited() {
    let app = spawn_app().await;
    app.create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    for _ in 0..6 {
        let res = app
            .post_form_with(
                &new_client(),
                "/password/forgot",
                &[("email", "juri@x.biw.id")],
            )
            .await;
        assert_redirect(&res, "/login");
    }
    assert_eq!(
        app.mails_to("juri@x.biw.id").await.len(),
        biw::services::accounts::MAX_RESETS_PER_HOUR as usize
    );
}

#[tokio::test]
async fn setting_a_password_by_reset_voids_a_pending_invitation() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    app.post_form(
        "/organiser/users/new",
        &[
            ("email", "new@x.biw.id"),
            ("name", "New"),
            ("role", "judge"),
        ],
    )
    .await;
    let invite = app.link_in(&app.mails_to("new@x.biw.id").await[0], "/invite/");
    app.post_form_with(
        &new_client(),
        "/password/forgot",
        &[("email", "new@x.biw.id")],
    )
    .await;
    let reset = app.link_in(&app.mails_to("new@x.biw.id").await[1], "/password/reset/");
    let res = app
        .post_form_with(
            &new_client(),
            &reset,
            &[
                ("password", "chosen by reset link"),
                ("confirm", "chosen by reset link"),
            ],
        )
        .await;
    assert_redirect(&res, "/judge");
    assert_eq!(
        app.get_with(&new_client(), &invite).await.status().as_u16(),
        410
    );
}
