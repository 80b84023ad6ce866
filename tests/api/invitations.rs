//! An organiser invites a user; the user sets a password through the emailed link.

use biw::domain::Role;
use diesel::prelude::*;

use crate::helpers::{assert_redirect, new_client, spawn_app};

async fn unit_id(app: &crate::helpers::TestApp, name: &'static str) -> String {
    app.db(move |conn| {
        biw::models::unit::find_by_name(conn, name)
            .unwrap()
            .unwrap()
            .id
            .to_string()
    })
    .await
}

#[tokio::test]
async fn invitation_email_link_sets_a_password_and_logs_in() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let unit = unit_id(&app, "Dinas Kesehatan").await;
    let res = app
        .post_form(
            "/organiser/users/new",
            &[
                ("email", "Ani@BekasiKota.go.id"),
                ("name", "Ani Rahmawati"),
                ("role", "opd"),
                ("unit_id", &unit),
                ("lang", "en"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let mails = app.mails_to("ani@bekasikota.go.id").await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(
        mail.subject, "Your invitation to BIW: activate your account",
        "written in the invitee's language"
    );
    assert!(mail.body_text.contains("OPD operator"));
    assert!(mail.body_html.contains("<a href=\"http://127.0.0.1"));
    assert_eq!(mail.status, "pending");
    let link = app.link_in(mail, "/invite/");

    let invitee = new_client();
    let form = app.get_with(&invitee, &link).await;
    assert_eq!(form.status().as_u16(), 200);
    let form = form.text().await.unwrap();
    assert!(form.contains("ani@bekasikota.go.id"));
    assert!(
        form.contains("Activate your account"),
        "the page speaks the invitee's language"
    );
    // A too-short password is refused with the reason, and the link stays usable.
    let res = app
        .post_form_with(
            &invitee,
            &link,
            &[("password", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let res = app
        .post_form_with(
            &invitee,
            &link,
            &[
                ("password", "a long enough secret"),
                ("confirm", "a different secret!"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("tidak sama"));
    let res = app
        .post_form_with(
            &invitee,
            &link,
            &[
                ("password", "a long enough secret"),
                ("confirm", "a long enough secret"),
            ],
        )
        .await;
    assert_redirect(&res, "/opd");
    let dash = app.get_with(&invitee, "/opd").await.text().await.unwrap();
    assert!(
        dash.contains("Welcome to BIW, Ani Rahmawati"),
        "the user's language is English"
    );
    assert!(dash.contains("Dinas Kesehatan"));
    // The link works once.
    let again = app.get_with(&new_client(), &link).await;
    assert_eq!(again.status().as_u16(), 410);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("sudah pernah digunakan")
    );
    let res = app
        .post_form_with(
            &new_client(),
            &link,
            &[
                ("password", "another long secret"),
                ("confirm", "another long secret"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 410);
    app.login_with(
        &new_client(),
        "ani@bekasikota.go.id",
        "a long enough secret",
    )
    .await;
    assert_eq!(app.audit_count("user.invite").await, 1);
    assert_eq!(app.audit_count("user.accept_invite").await, 1);
    app.assert_tallies_agree().await;
}

#[tokio::test]
async fn an_expired_or_unknown_invitation_link_is_refused_clearly() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    app.post_form(
        "/organiser/users/new",
        &[
            ("email", "juri@brin.go.id"),
            ("name", "Dr. Juri"),
            ("role", "judge"),
        ],
    )
    .await;
    let mail = app.mails_to("juri@brin.go.id").await.remove(0);
    let link = app.link_in(&mail, "/invite/");
    app.db(|conn| {
        use biw::db::schema::user_tokens;
        diesel::update(user_tokens::table)
            .set(user_tokens::expires_at.eq(biw::db::now() - chrono::Duration::seconds(1)))
            .execute(conn)
            .unwrap();
    })
    .await;
    let res = app.get_with(&new_client(), &link).await;
    assert_eq!(res.status().as_u16(), 410);
    assert!(res.text().await.unwrap().contains("kedaluwarsa"));
    let res = app
        .post_form_with(
            &new_client(),
            &link,
            &[
                ("password", "a long enough secret"),
                ("confirm", "a long enough secret"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 410);
    let res = app
        .get_with(&new_client(), "/invite/not-a-real-token")
        .await;
    assert_eq!(res.status().as_u16(), 410);
    assert!(res.text().await.unwrap().contains("tidak dikenal"));
}

#[tokio::test]
async fn resending_an_invitation_replaces_the_old_link() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    app.post_form(
        "/organiser/users/new",
        &[
            ("email", "juri@brin.go.id"),
            ("name", "Dr. Juri"),
            ("role", "judge"),
        ],
    )
    .await;
    let id: i32 = app
        .db(|conn| {
            biw::models::user::find_by_email(conn, "juri@brin.go.id")
                .unwrap()
                .unwrap()
                .id
        })
        .await;
    let res = app
        .post_form(&format!("/organiser/users/{id}/resend"), &[])
        .await;
    assert_redirect(&res, &format!("/organiser/users/{id}"));
    let mails = app.mails_to("juri@brin.go.id").await;
    assert_eq!(mails.len(), 2);
    let old = app.link_in(&mails[0], "/invite/");
    let new = app.link_in(&mails[1], "/invite/");
    assert_ne!(old, new);
    assert_eq!(
        app.get_with(&new_client(), &old).await.status().as_u16(),
        410
    );
    assert_eq!(
        app.get_with(&new_client(), &new).await.status().as_u16(),
        200
    );
}

#[tokio::test]
async fn bad_invitations_show_every_error_and_keep_what_was_typed() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    app.create_user(Role::Judge, "taken@x.biw.id", "correct horse battery")
        .await;
    let res = app
        .post_form(
            "/organiser/users/new",
            &[("email", "not-an-email"), ("name", "  "), ("role", "opd")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Masukkan alamat email yang benar"));
    assert!(html.contains("Wajib diisi."));
    assert!(html.contains("Operator OPD harus terhubung ke perangkat daerah."));
    assert!(html.contains("value=\"not-an-email\""));
    assert!(html.contains("<option value=\"opd\" selected>"));
    let res = app
        .post_form(
            "/organiser/users/new",
            &[
                ("email", "TAKEN@x.biw.id"),
                ("name", "Someone"),
                ("role", "judge"),
                ("affiliation", "BRIN"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Email ini sudah dipakai akun lain."));
    assert!(html.contains("value=\"BRIN\""));
    let res = app
        .post_form(
            "/organiser/users/new",
            &[
                ("email", "a@x.biw.id"),
                ("name", "A"),
                ("role", "superuser"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(app.mails_to("a@x.biw.id").await.is_empty());
}
