//! Pages kept for their sign-in (`web::page_cache`): served again only while nothing was committed,
//! wherever the change came from, and never to anyone else, another sign-in of the same user
//! included.

use biw::db::schema::units;
use biw::domain::Role;
use diesel::prelude::*;

use crate::helpers::{TestApp, csrf_in, location, new_client, spawn_app, spawn_instance_on};

async fn rename_in_database(app: &TestApp, from: &str, to: &str) {
    let (from, to) = (from.to_string(), to.to_string());
    let renamed = app
        .db(move |conn| {
            diesel::update(units::table.filter(units::name.eq(from)))
                .set(units::name.eq(to))
                .execute(conn)
                .unwrap()
        })
        .await;
    assert_eq!(renamed, 1);
}

/// Views `path` until a view comes from the cache, and answers that page. A view may be drawn
/// again for reasons outside the test: on PostgreSQL the stamp covers the whole server, which
/// the tests running alongside commit to, and a new minute is a new key.
async fn view_kept(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    for _ in 0..50 {
        let served = app.state.pages.served();
        let res = app.get_with(client, path).await;
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let html = res.text().await.unwrap();
        if app.state.pages.served() > served {
            return html;
        }
    }
    panic!("{path} was never served from the cache");
}

#[tokio::test]
async fn a_kept_page_is_served_until_anything_is_committed_from_anywhere() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let list = "/organiser/units?q=Jatiasih";
    let unit = "Kecamatan Jatiasih";
    let kept = view_kept(&app, &app.client, list).await;
    assert!(kept.contains(unit));

    // A write through another connection: the next view sees it.
    rename_in_database(&app, unit, "Kecamatan Jatiasih Berganti Nama").await;
    let after = app.page(list).await;
    assert!(
        after.contains("Kecamatan Jatiasih Berganti Nama"),
        "the rename shows"
    );
    assert!(!after.contains(&format!("{unit}<")), "the old name is gone");

    // A change made through another instance of the app on the same database.
    let other = spawn_instance_on(&app).await;
    other
        .login_with(
            &other.client,
            "organiser@test.biw.id",
            "correct horse battery",
        )
        .await;
    let id = app.unit_id("Kecamatan Jatiasih Berganti Nama").await;
    view_kept(&app, &app.client, list).await;
    let fields = [
        ("name", "Kecamatan Jatiasih Dari Instansi Lain"),
        ("unit_type", "kecamatan"),
        ("parent_id", ""),
    ];
    let res = other
        .post_form(&format!("/organiser/units/{id}"), &fields)
        .await;
    assert_eq!(res.status().as_u16(), 303, "the edit was saved");
    let seen = app.page(list).await;
    assert!(
        seen.contains("Kecamatan Jatiasih Dari Instansi Lain"),
        "this instance sees the other's change at once"
    );
}

#[tokio::test]
async fn a_kept_page_is_never_served_to_another_sign_in_nor_after_logout() {
    use crate::sessions::{bare_client, get_with_cookie, login_cookie};
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    app.create_user(
        Role::Organiser,
        "kedua@test.biw.id",
        "correct horse battery",
    )
    .await;
    let cookie = login_cookie(&app, "kedua@test.biw.id", "correct horse battery").await;
    // The first organiser's page is kept; the second's view right after is drawn for them.
    let mine = view_kept(&app, &app.client, "/organiser/units").await;
    let theirs = get_with_cookie(&app, "/organiser/units", &cookie).await;
    assert_eq!(theirs.status().as_u16(), 200);
    let theirs = theirs.text().await.unwrap();
    assert_ne!(
        csrf_in(&mine),
        csrf_in(&theirs),
        "each sign-in has its own page"
    );
    // Logging out ends the sign-in: a replayed cookie is not shown the kept page.
    let res = bare_client()
        .post(format!("{}/logout", app.address))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf_in(&theirs))])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login");
    let res = get_with_cookie(&app, "/organiser/units", &cookie).await;
    assert_eq!(
        res.status().as_u16(),
        303,
        "sent to log in, not shown the kept page"
    );
}

#[tokio::test]
async fn a_visitors_page_is_kept_for_that_visitor_alone() {
    let app = spawn_app().await;
    let visitor = new_client();
    let stranger = new_client();
    // A first view gives each session its CSRF token; from then on the page can be kept.
    app.get_with(&stranger, "/login").await;
    app.get_with(&visitor, "/login").await;
    let kept = view_kept(&app, &visitor, "/login").await;
    let theirs = app
        .get_with(&stranger, "/login")
        .await
        .text()
        .await
        .unwrap();
    assert_ne!(
        csrf_in(&theirs),
        csrf_in(&kept),
        "another visitor's own page"
    );
    // The visitor's language choice is a change of session: the page is drawn in English.
    let res = visitor
        .post(format!("{}/lang", app.address))
        .form(&[
            ("lang", "en"),
            ("next", "/login"),
            ("csrf", &csrf_in(&kept)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let english = app.get_with(&visitor, "/login").await.text().await.unwrap();
    assert!(english.contains("lang=\"en\""), "drawn again in English");
}

#[tokio::test]
async fn a_page_drawn_in_someone_elses_language_is_not_served_after_the_visitor_chooses_one() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let unit = app.unit_id("Dinas Kesehatan").await.to_string();
    let res = app
        .post_form(
            "/organiser/users/new",
            &[
                ("email", "ani@bekasikota.go.id"),
                ("name", "Ani Rahmawati"),
                ("role", "opd"),
                ("unit_id", &unit),
                ("lang", "en"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let link = app.link_in(&app.mails_to("ani@bekasikota.go.id").await[0], "/invite/");
    // A visitor who has not chosen a language reads the invitation in the invitee's.
    let visitor = new_client();
    app.get_with(&visitor, "/login").await;
    let kept = view_kept(&app, &visitor, &link).await;
    assert!(kept.contains("Activate your account"));
    // Choosing Indonesian writes nothing to the database: the stamp stays, the key must not.
    let res = visitor
        .post(format!("{}/lang", app.address))
        .form(&[("lang", "id"), ("next", &link), ("csrf", &csrf_in(&kept))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let chosen = app.get_with(&visitor, &link).await.text().await.unwrap();
    assert!(chosen.contains("Aktifkan akun"), "{chosen}");
}

/// The session rows a page offers to end (the account page's other sign-ins).
fn ends_offered(html: &str) -> Vec<String> {
    html.split("action=\"/account/sessions/")
        .skip(1)
        .filter_map(|rest| rest.split_once("/end\"").map(|(id, _)| id.to_string()))
        .collect()
}

#[tokio::test]
async fn each_sign_in_of_a_user_has_its_own_pages_and_token() {
    use crate::sessions::{get_with_cookie, login_cookie};
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let second = login_cookie(&app, "organiser@test.biw.id", "correct horse battery").await;
    let list = "/organiser/units";
    // The first browser's copy is kept; the second browser is not served it, even with nothing
    // committed in between: its page carries its own token, which a signed-out device of the
    // same user could not know.
    let first = view_kept(&app, &app.client, list).await;
    let served = app.state.pages.served();
    let res = get_with_cookie(&app, list, &second).await;
    assert_eq!(res.status().as_u16(), 200);
    let theirs = res.text().await.unwrap();
    assert_eq!(
        app.state.pages.served(),
        served,
        "drawn for the second sign-in"
    );
    assert_ne!(csrf_in(&first), csrf_in(&theirs), "a token per sign-in");

    // The account page marks the sign-in asking: each browser offers to end the other one only.
    let mine = view_kept(&app, &app.client, "/account").await;
    let res = get_with_cookie(&app, "/account", &second).await;
    assert_eq!(res.status().as_u16(), 200);
    let theirs = res.text().await.unwrap();
    let (mine, theirs) = (ends_offered(&mine), ends_offered(&theirs));
    assert_eq!((mine.len(), theirs.len()), (1, 1), "{mine:?} {theirs:?}");
    assert_ne!(mine, theirs, "each page offers the other sign-in");
}
