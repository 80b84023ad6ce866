//! Login, logout, sessions, throttling, password change, deactivation, CSRF.

use biw::domain::Role;

use crate::helpers::{assert_redirect, location, new_client, spawn_app};

#[tokio::test]
async fn login_lands_each_role_on_its_dashboard() {
    let app = spawn_app().await;
    for (role, home) in [
        (Role::Organiser, "/organiser"),
        (Role::Opd, "/opd"),
        (Role::Judge, "/judge"),
    ] {
        let email = format!("{}@x.biw.id", role.code());
        app.create_user(role, &email, "correct horse battery").await;
        let client = new_client();
        let res = app
            .post_form_with(
                &client,
                "/login",
                &[("email", &email), ("password", "correct horse battery")],
            )
            .await;
        assert_redirect(&res, home);
        let page = app.get_with(&client, home).await;
        assert_eq!(page.status().as_u16(), 200);
        assert!(page.text().await.unwrap().contains("Halo, Test"));
        // `/` sends a logged-in user home too.
        assert_redirect(&app.get_with(&client, "/").await, home);
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer_and_keep_the_email() {
    let app = spawn_app().await;
    app.create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    let wrong = app
        .post_form(
            "/login",
            &[("email", "juri@x.biw.id"), ("password", "nope nope nope")],
        )
        .await;
    assert_eq!(wrong.status().as_u16(), 422);
    let wrong = wrong.text().await.unwrap();
    let unknown = app
        .post_form(
            "/login",
            &[("email", "nobody@x.biw.id"), ("password", "nope nope nope")],
        )
        .await;
    assert_eq!(unknown.status().as_u16(), 422);
    let unknown = unknown.text().await.unwrap();
    assert!(wrong.contains("Email atau kata sandi salah."));
    assert!(unknown.contains("Email atau kata sandi salah."));
    assert!(
        wrong.contains("value=\"juri@x.biw.id\""),
        "the typed email is kept"
    );
    assert!(
        !wrong.contains("nope nope nope"),
        "the password is never echoed"
    );
    assert_eq!(app.audit_count("auth.login").await, 0);
}

#[tokio::test]
async fn login_is_case_insensitive_on_email_and_audited() {
    let app = spawn_app().await;
    app.create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    let res = app
        .post_form(
            "/login",
            &[
                ("email", "  JURI@X.biw.id "),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_redirect(&res, "/judge");
    assert_eq!(app.audit_count("auth.login").await, 1);
}

#[tokio::test]
async fn five_failures_pause_the_account_with_a_clear_message() {
    let app = spawn_app().await;
    app.create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    for _ in 0..5 {
        let res = app
            .post_form(
                "/login",
                &[("email", "juri@x.biw.id"), ("password", "wrong password!")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422);
    }
    // Even the right password is refused now, from any address.
    let res = app
        .try_login("juri@x.biw.id", "correct horse battery")
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Terlalu banyak percobaan masuk"), "{html}");
    assert!(html.contains("15 menit") || html.contains("16 menit"));
    // Other accounts are not affected by this account's pause.
    app.create_user(Role::Opd, "opd@x.biw.id", "correct horse battery")
        .await;
    let res = app
        .post_form_with(
            &new_client(),
            "/login",
            &[
                ("email", "opd@x.biw.id"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_redirect(&res, "/opd");
}

#[tokio::test]
async fn guesses_sent_all_at_once_get_no_more_tries_than_guesses_sent_one_by_one() {
    let app = spawn_app().await;
    app.create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    // Fifteen browsers, each with its login form open, send a wrong password at the same moment.
    let mut forms = Vec::new();
    for _ in 0..15 {
        let client = new_client();
        let token = app.csrf_for(&client).await;
        forms.push((client, token));
    }
    let guesses = forms.iter().map(|(client, token)| {
        client
            .post(format!("{}/login", app.address))
            .form(&[
                ("email", "juri@x.biw.id"),
                ("password", "wrong password!"),
                ("csrf", token.as_str()),
            ])
            .send()
    });
    let mut paused = 0;
    for res in futures_util::future::join_all(guesses).await {
        let res = res.unwrap();
        assert_eq!(res.status().as_u16(), 422);
        if res
            .text()
            .await
            .unwrap()
            .contains("Terlalu banyak percobaan masuk")
        {
            paused += 1;
        }
    }
    assert!(
        paused >= 10,
        "at most five guesses were checked, {paused} paused"
    );
    let res = app
        .try_login("juri@x.biw.id", "correct horse battery")
        .await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Terlalu banyak percobaan masuk"),
        "the account is paused"
    );
}

#[tokio::test]
async fn many_failures_from_one_address_pause_that_address() {
    let app = spawn_app().await;
    app.create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    for i in 0..20 {
        let email = format!("guess{i}@x.biw.id");
        app.post_form(
            "/login",
            &[("email", &email), ("password", "wrong password!")],
        )
        .await;
    }
    let res = app
        .post_form(
            "/login",
            &[
                ("email", "juri@x.biw.id"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Terlalu banyak percobaan masuk")
    );
}

/// Behind a proxy the address is the one the proxy added last: what a client writes in front of
/// it, or in a `Forwarded` header, neither pauses someone else's address nor frees its own.
#[tokio::test]
async fn behind_a_proxy_a_client_cannot_choose_its_address() {
    let app = crate::helpers::spawn_app_with(|s| s.trust_proxy = true).await;
    app.create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    let behind_proxy = |chain: &str| {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", chain.parse().unwrap());
        headers.insert("forwarded", "for=10.9.9.9".parse().unwrap());
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap()
    };
    // The attacker (203.0.113.7, as the proxy saw it) claims the victim's 10.9.9.9, a new
    // address in front each time.
    for i in 0..20 {
        let attacker = behind_proxy(&format!("10.9.9.9, 198.51.100.{i}, 203.0.113.7"));
        let email = format!("guess{i}@x.biw.id");
        app.post_form_with(
            &attacker,
            "/login",
            &[("email", &email), ("password", "wrong password!")],
        )
        .await;
    }
    let victim = behind_proxy("10.9.9.9");
    app.login_with(&victim, "juri@x.biw.id", "correct horse battery")
        .await;
    let attacker = behind_proxy("192.0.2.1, 203.0.113.7");
    let res = app
        .post_form_with(
            &attacker,
            "/login",
            &[
                ("email", "juri@x.biw.id"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(
        res.status().as_u16(),
        422,
        "the attacker's own address is paused"
    );
}

#[tokio::test]
async fn login_renews_the_session_cookie_and_logout_ends_it() {
    let app = spawn_app().await;
    app.create_user(Role::Organiser, "p@x.biw.id", "correct horse battery")
        .await;
    let before = app.get("/login").await;
    let cookie_before = before
        .headers()
        .get("set-cookie")
        .map(|c| c.to_str().unwrap().to_string());
    let res = app
        .post_form(
            "/login",
            &[
                ("email", "p@x.biw.id"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    let cookie_after = res
        .headers()
        .get("set-cookie")
        .map(|c| c.to_str().unwrap().to_string())
        .expect("new cookie");
    assert_ne!(cookie_before, Some(cookie_after.clone()));
    assert!(cookie_after.contains("HttpOnly"));
    assert!(cookie_after.contains("SameSite=Lax"));
    assert_eq!(app.get("/organiser").await.status().as_u16(), 200);
    let res = app.post_form("/logout", &[]).await;
    assert_redirect(&res, "/login");
    let res = app.get("/organiser").await;
    assert_redirect(&res, "/login?next=%2Forganiser");
}

#[tokio::test]
async fn login_returns_to_the_page_asked_for_but_never_off_site() {
    let app = spawn_app().await;
    app.create_user(Role::Organiser, "p@x.biw.id", "correct horse battery")
        .await;
    let res = app.get("/organiser/units").await;
    assert_eq!(location(&res), "/login?next=%2Forganiser%2Funits");
    let res = app
        .post_form(
            "/login",
            &[
                ("email", "p@x.biw.id"),
                ("password", "correct horse battery"),
                ("next", "/organiser/units"),
            ],
        )
        .await;
    assert_redirect(&res, "/organiser/units");
    let other = new_client();
    let res = app
        .post_form_with(
            &other,
            "/login",
            &[
                ("email", "p@x.biw.id"),
                ("password", "correct horse battery"),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_redirect(&res, "/organiser");
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused() {
    let app = spawn_app().await;
    app.create_user(Role::Organiser, "p@x.biw.id", "correct horse battery")
        .await;
    app.get("/login").await;
    let res = app
        .client
        .post(format!("{}/login", app.address))
        .form(&[
            ("email", "p@x.biw.id"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let html = res.text().await.unwrap();
    assert!(html.contains("Formulir ini sudah kedaluwarsa"), "{html}");
    let res = app
        .client
        .post(format!("{}/login", app.address))
        .form(&[
            ("email", "p@x.biw.id"),
            ("password", "correct horse battery"),
            ("csrf", "forged"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_but_keeps_this_one() {
    let app = spawn_app().await;
    app.create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    let phone = new_client();
    app.login_with(&app.client, "juri@x.biw.id", "correct horse battery")
        .await;
    app.login_with(&phone, "juri@x.biw.id", "correct horse battery")
        .await;
    let res = app
        .post_form(
            "/account/password",
            &[
                ("current", "wrong one!!"),
                ("password", "a new long password"),
                ("confirm", "a new long password"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Kata sandi saat ini salah.")
    );
    let res = app
        .post_form(
            "/account/password",
            &[
                ("current", "correct horse battery"),
                ("password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("minimal 10 karakter"));
    let res = app
        .post_form(
            "/account/password",
            &[
                ("current", "correct horse battery"),
                ("password", "a new long password"),
                ("confirm", "a new long password"),
            ],
        )
        .await;
    assert_redirect(&res, "/account");
    assert_eq!(
        app.get("/judge").await.status().as_u16(),
        200,
        "this session stays"
    );
    assert_redirect(
        &app.get_with(&phone, "/judge").await,
        "/login?next=%2Fjudge",
    );
    app.login_with(&new_client(), "juri@x.biw.id", "a new long password")
        .await;
    assert_eq!(app.audit_count("user.change_password").await, 1);

    // A borrowed session cannot guess the current password without limit: after five wrong
    // ones even the right one waits, as at login.
    let change = |current: &'static str| {
        let app = &app;
        async move {
            app.post_form(
                "/account/password",
                &[
                    ("current", current),
                    ("password", "yet another password"),
                    ("confirm", "yet another password"),
                ],
            )
            .await
        }
    };
    for _ in 0..5 {
        assert_eq!(change("a guess!!!").await.status().as_u16(), 422);
    }
    let res = change("a new long password").await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("terlalu sering salah"));
    assert_eq!(app.audit_count("user.change_password").await, 1);
}

#[tokio::test]
async fn a_deactivated_user_is_logged_out_and_cannot_log_in() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let judge_id = app
        .create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    let judge = new_client();
    app.login_with(&judge, "juri@x.biw.id", "correct horse battery")
        .await;
    let res = app
        .post_form(
            &format!("/organiser/users/{judge_id}/active"),
            &[("active", "false")],
        )
        .await;
    assert_redirect(&res, &format!("/organiser/users/{judge_id}"));
    app.assert_tallies_agree().await;
    assert_redirect(
        &app.get_with(&judge, "/judge").await,
        "/login?next=%2Fjudge",
    );
    let res = app
        .post_form_with(
            &judge,
            "/login",
            &[
                ("email", "juri@x.biw.id"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("dinonaktifkan"));
    // Reactivated, the user can log in again.
    app.post_form(
        &format!("/organiser/users/{judge_id}/active"),
        &[("active", "true")],
    )
    .await;
    app.login_with(&judge, "juri@x.biw.id", "correct horse battery")
        .await;
    assert_eq!(app.audit_count("user.deactivate").await, 1);
    assert_eq!(app.audit_count("user.activate").await, 1);
    app.assert_tallies_agree().await;
}

#[tokio::test]
async fn an_organiser_cannot_deactivate_themselves() {
    let app = spawn_app().await;
    let me = app.login_as(Role::Organiser).await;
    let res = app
        .post_form(
            &format!("/organiser/users/{me}/active"),
            &[("active", "false")],
        )
        .await;
    assert_redirect(&res, &format!("/organiser/users/{me}"));
    assert!(
        app.page(&format!("/organiser/users/{me}"))
            .await
            .contains("tidak dapat menonaktifkan akun Anda sendiri")
    );
    assert_eq!(app.get("/organiser").await.status().as_u16(), 200);
}
