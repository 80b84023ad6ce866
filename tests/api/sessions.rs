//! Server-side sessions: logout ends the session for good; users see and end their other sessions.

use biw::domain::Role;

use crate::helpers::{TestApp, csrf_in, location, new_client, spawn_app};

/// A client that keeps no cookies, so the test holds the cookie itself (as an attacker copying it).
pub(crate) fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("biw_session="))
        .map(|v| v.split(';').next().unwrap().to_string())
}

pub(crate) async fn get_with_cookie(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    bare_client()
        .get(format!("{}{path}", app.address))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

/// Logs in by hand; returns the session cookie.
pub(crate) async fn login_cookie(app: &TestApp, email: &str, password: &str) -> String {
    let res = bare_client()
        .get(format!("{}/login", app.address))
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&res).expect("a session cookie for the login form");
    let csrf = csrf_in(&res.text().await.unwrap());
    let res = bare_client()
        .post(format!("{}/login", app.address))
        .header("cookie", &cookie)
        .header(
            "user-agent",
            "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36",
        )
        .form(&[("email", email), ("password", password), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    session_cookie(&res).expect("a renewed session cookie")
}

#[tokio::test]
async fn a_cookie_copied_before_logout_is_anonymous_after_it() {
    let app = spawn_app().await;
    app.create_user(Role::Opd, "ani@test.biw.id", "correct horse battery")
        .await;
    let cookie = login_cookie(&app, "ani@test.biw.id", "correct horse battery").await;
    let res = get_with_cookie(&app, "/account", &cookie).await;
    assert_eq!(res.status().as_u16(), 200);
    let csrf = csrf_in(&res.text().await.unwrap());
    let res = bare_client()
        .post(format!("{}/logout", app.address))
        .header("cookie", &cookie)
        .form(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login");
    // The attacker replays the cookie exactly as it was before the logout.
    for path in ["/account", "/opd"] {
        let res = get_with_cookie(&app, path, &cookie).await;
        assert_eq!(res.status().as_u16(), 303, "{path}");
        assert!(
            location(&res).starts_with("/login"),
            "{path} asks to log in"
        );
    }
}

#[tokio::test]
async fn users_see_their_sessions_and_end_the_others() {
    let app = spawn_app().await;
    app.create_user(Role::Judge, "juri@test.biw.id", "correct horse battery")
        .await;
    let phone = login_cookie(&app, "juri@test.biw.id", "correct horse battery").await;
    let laptop = new_client();
    app.login_with(&laptop, "juri@test.biw.id", "correct horse battery")
        .await;
    let html = app
        .get_with(&laptop, "/account")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Chrome di Android"), "the phone is described");
    assert_eq!(
        html.matches("/end\"").count(),
        1,
        "one other session to end"
    );
    // Another user cannot end it.
    let stranger = new_client();
    app.create_user(Role::Judge, "lain@test.biw.id", "correct horse battery")
        .await;
    app.login_with(&stranger, "lain@test.biw.id", "correct horse battery")
        .await;
    let start = html.find("/account/sessions/").unwrap();
    let end_path = html[start..].split('"').next().unwrap().to_string();
    let res = app.post_form_with(&stranger, &end_path, &[]).await;
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(
        get_with_cookie(&app, "/account", &phone)
            .await
            .status()
            .as_u16(),
        200
    );
    // The owner can.
    let res = app.post_form_with(&laptop, &end_path, &[]).await;
    assert_eq!(location(&res), "/account");
    let res = get_with_cookie(&app, "/account", &phone).await;
    assert!(
        location(&res).starts_with("/login"),
        "the phone is logged out"
    );
    assert_eq!(
        app.get_with(&laptop, "/account").await.status().as_u16(),
        200
    );
    // "End all others" leaves only this one.
    let phone = login_cookie(&app, "juri@test.biw.id", "correct horse battery").await;
    let res = app
        .post_form_with(&laptop, "/account/sessions/end-others", &[])
        .await;
    assert_eq!(location(&res), "/account");
    assert!(location(&get_with_cookie(&app, "/judge", &phone).await).starts_with("/login"));
    assert_eq!(app.get_with(&laptop, "/judge").await.status().as_u16(), 200);
    // Logging in again in the same browser replaces its session: the device is listed once.
    app.login_with(&laptop, "juri@test.biw.id", "correct horse battery")
        .await;
    let open = app
        .db(|conn| {
            let u = biw::models::user::find_by_email(conn, "juri@test.biw.id")
                .unwrap()
                .unwrap();
            biw::models::session::list_open(conn, u.id).unwrap().len()
        })
        .await;
    assert_eq!(open, 1);
}

#[tokio::test]
async fn redirect_targets_are_local_paths_or_the_dashboard() {
    let app = spawn_app().await;
    app.create_user(Role::Organiser, "p@test.biw.id", "correct horse battery")
        .await;
    let hostile = [
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\t/evil.example",
        "/\r\nSet-Cookie: x=1",
        "/%0d%0aX: y",
        "/ruang kosong",
        "/é",
        "",
    ];
    for next in hostile {
        let client = new_client();
        let res = app
            .post_form_with(
                &client,
                "/login",
                &[
                    ("email", "p@test.biw.id"),
                    ("password", "correct horse battery"),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303, "{next:?}");
        let to = location(&res);
        assert!(to == "/organiser", "{next:?} went to {to:?}");
        let res = app
            .post_form_with(&client, "/lang", &[("lang", "en"), ("next", next)])
            .await;
        assert_eq!(res.status().as_u16(), 303, "language switch with {next:?}");
        assert_eq!(location(&res), "/organiser", "{next:?}");
    }
    // A hostile Referer is no way around it either.
    let client = new_client();
    app.login_with(&client, "p@test.biw.id", "correct horse battery")
        .await;
    let token = app.csrf_for(&client).await;
    let res = client
        .post(format!("{}/lang", app.address))
        .header("referer", "http://127.0.0.1//evil.example/")
        .form(&[("lang", "id"), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/organiser");
    // A local path is kept.
    let res = app
        .post_form_with(
            &new_client(),
            "/login",
            &[
                ("email", "p@test.biw.id"),
                ("password", "correct horse battery"),
                ("next", "/organiser/units?page=2"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/organiser/units?page=2");
}

/// A page that changes nothing in the session sends no new cookie: every rendered page used to
/// encrypt and send the whole session again (it "took" an absent flash message).
#[tokio::test]
async fn a_page_that_changes_nothing_in_the_session_sends_no_cookie() {
    let app = spawn_app().await;
    app.create_user(Role::Opd, "ani@test.biw.id", "correct horse battery")
        .await;
    let mut cookie = login_cookie(&app, "ani@test.biw.id", "correct horse battery").await;
    // The first page may still take a message queued at login; it then sends the emptied session.
    let res = get_with_cookie(&app, "/opd", &cookie).await;
    assert_eq!(res.status().as_u16(), 200);
    if let Some(newer) = session_cookie(&res) {
        cookie = newer;
    }
    for path in ["/opd", "/account"] {
        let res = get_with_cookie(&app, path, &cookie).await;
        assert_eq!(res.status().as_u16(), 200, "{path}");
        assert_eq!(session_cookie(&res), None, "{path} re-sent the session");
    }
}

/// A session that ended elsewhere (a password change, "end the others", its age) leaves its cookie
/// behind: the login form drawn for that cookie works the first time, and logging out keeps the
/// visitor's language.
#[tokio::test]
async fn a_stale_cookie_never_costs_a_refused_form() {
    use diesel::prelude::*;
    let app = spawn_app().await;
    app.create_user(Role::Judge, "juri@test.biw.id", "correct horse battery")
        .await;
    let phone = new_client();
    app.login_with(&phone, "juri@test.biw.id", "correct horse battery")
        .await;
    // Every session of the user ends on the server.
    app.db(|conn| {
        use biw::db::schema::users;
        diesel::update(users::table)
            .set(users::session_epoch.eq(users::session_epoch + 1))
            .execute(conn)
            .unwrap();
    })
    .await;
    // The phone opens the login page with its stale cookie and logs in at the first try.
    app.login_with(&phone, "juri@test.biw.id", "correct horse battery")
        .await;
    assert_eq!(
        app.get_with(&phone, "/account").await.status().as_u16(),
        200
    );
    // English chosen, then logged out: the login page stays in English and still works.
    let res = app
        .post_form_with(&phone, "/lang", &[("lang", "en"), ("next", "/account")])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let res = app.post_form_with(&phone, "/logout", &[]).await;
    assert_eq!(location(&res), "/login");
    let html = app.get_with(&phone, "/login").await.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    app.login_with(&phone, "juri@test.biw.id", "correct horse battery")
        .await;
}
