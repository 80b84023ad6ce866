//! Pages kept for their sign-in (`web::page_cache`): served again only while nothing was committed,
//! wherever the change came from, and never to anyone else, another sign-in of the same user
//! included.

use biw::db::schema::units;
use biw::domain::Role;
use diesel::prelude::*;

use crate::helpers::{
    TestApp, csrf_in, location, new_client, spawn_app, spawn_instance_on, spawn_instance_on_with,
};

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
    use crate::sessions::{bare_client, get_with_cookie, login_cookie};
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let second = login_cookie(&app, "organiser@test.biw.id", "correct horse battery").await;
    let list = "/organiser/units";
    // The first browser's copy is kept; the second browser is not served it, even with nothing
    // committed in between: its page carries its own token, which a signed-out device of the
    // same user could not know.
    let first = view_kept(&app, &app.client, list).await;
    let res = get_with_cookie(&app, list, &second).await;
    assert_eq!(res.status().as_u16(), 200);
    let theirs = res.text().await.unwrap();
    assert_ne!(csrf_in(&first), csrf_in(&theirs), "a token per sign-in");
    // The token on the second browser's page is the one its session accepts.
    let res = bare_client()
        .post(format!("{}/lang", app.address))
        .header("cookie", &second)
        .form(&[
            ("csrf", csrf_in(&theirs).as_str()),
            ("lang", "id"),
            ("next", list),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "its own token is accepted");

    // The account page marks the sign-in asking: each browser offers to end the other one only.
    let mine = view_kept(&app, &app.client, "/account").await;
    let res = get_with_cookie(&app, "/account", &second).await;
    assert_eq!(res.status().as_u16(), 200);
    let theirs = res.text().await.unwrap();
    let (mine, theirs) = (ends_offered(&mine), ends_offered(&theirs));
    assert_eq!((mine.len(), theirs.len()), (1, 1), "{mine:?} {theirs:?}");
    assert_ne!(mine, theirs, "each page offers the other sign-in");
}

/// Signs `client` in as a new organiser called `name`.
async fn sign_in_organiser(app: &TestApp, client: &reqwest::Client, email: &str, name: &str) {
    use biw::db::schema::users;
    let id = app
        .create_user(Role::Organiser, email, "correct horse battery")
        .await;
    let name = name.to_string();
    app.db(move |conn| {
        diesel::update(users::table.find(id))
            .set(users::name.eq(name))
            .execute(conn)
            .unwrap()
    })
    .await;
    app.login_with(client, email, "correct horse battery").await;
}

/// The path of an organiser route with each id named after what it is.
fn organiser_path(pattern: &str, ids: &[(&str, i32)]) -> String {
    let of = |what: &str| ids.iter().find(|(w, _)| *w == what).map(|(_, id)| *id);
    let what = pattern.split('/').nth(2).unwrap_or("");
    let mut path = pattern
        .replace("{entry}", &of("entries").unwrap().to_string())
        .replace("{ed}", &of("editions").unwrap().to_string())
        .replace("{judge}", &of("judge").unwrap().to_string());
    if path.contains("{id}") {
        let id = of(what).unwrap_or_else(|| panic!("no id for {pattern}"));
        path = path.replace("{id}", &id.to_string());
    }
    path
}

#[tokio::test]
async fn every_organiser_page_shared_between_organisers_is_what_a_drawing_for_the_reader_gives() {
    use biw::db::schema::{outbox, rounds, sheets};
    use biw::domain::Access;
    use biw::web::routes::ROUTES;

    let app = spawn_app().await;
    let (ed, round, entries, judge) = crate::results::scored_round(&app).await;
    // Two more organisers, one with a name that must be escaped; the third (the app's client)
    // did all the work above, so the audit log names all three.
    let (a, b) = (new_client(), new_client());
    for (client, email, name) in [
        (&a, "satu@test.biw.id", "Panitia Satu"),
        (&b, "dua@test.biw.id", "Dua <b>\"Ani\" & O'Neil</b>"),
    ] {
        sign_in_organiser(&app, client, email, name).await;
    }
    let (rubric, sheet, mail) = app
        .db(move |conn| {
            (
                rounds::table
                    .find(round)
                    .select(rounds::rubric_id)
                    .first::<i32>(conn)
                    .unwrap(),
                sheets::table.select(sheets::id).first::<i32>(conn).unwrap(),
                outbox::table
                    .select(diesel::dsl::max(outbox::id))
                    .first::<Option<i32>>(conn)
                    .unwrap()
                    .unwrap_or(1),
            )
        })
        .await;
    let unit = app.unit_id("Dinas Kesehatan").await;
    let ids = [
        ("users", judge.id),
        ("judge", judge.id),
        ("units", unit),
        ("outbox", mail),
        ("editions", ed),
        ("rubrics", rubric),
        ("rounds", round),
        ("sheets", sheet),
        ("entries", entries[0]),
    ];
    // The same database seen by an instance that keeps nothing: each page drawn for its reader.
    let alone = spawn_instance_on_with(&app, |s| s.page_cache_mb = 0).await;
    let get = |base: &str, client: &reqwest::Client, path: &str| {
        let (url, client) = (format!("{base}{path}"), client.clone());
        async move {
            let res = client.get(url).send().await.unwrap();
            let status = res.status().as_u16();
            let html = res
                .headers()
                .get("content-type")
                .is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
            (status, html, res.text().await.unwrap_or_default())
        }
    };
    let (mut compared, mut shared, mut skipped) = (0, 0, Vec::new());
    for route in ROUTES {
        if route.method != "GET" || route.access != Access::Only(Role::Organiser) {
            continue;
        }
        let path = organiser_path(route.path, &ids);
        // A page may show the time to the minute: a view that straddles one is taken again.
        let mut tries = 0;
        loop {
            tries += 1;
            let served = app.state.pages.served();
            let (status, html, _) = get(&app.address, &a, &path).await;
            assert!(status < 500, "{path}: {status}");
            let (_, _, theirs) = get(&app.address, &b, &path).await;
            let from_copy = app.state.pages.served() > served;
            let (_, _, drawn) = get(&alone.address, &b, &path).await;
            if !(status == 200 && html) {
                skipped.push(format!("{path} {status}"));
                break;
            }
            if theirs == drawn || tries == 3 {
                assert_eq!(
                    theirs, drawn,
                    "{path}: the shared copy as written out for its reader"
                );
                assert!(
                    theirs
                        .contains("Dua &lt;b&gt;&quot;Ani&quot; &amp; O&#x27;Neil&lt;&#x2F;b&gt;"),
                    "{path}: the reader's own name"
                );
                compared += 1;
                shared += usize::from(from_copy);
                break;
            }
        }
    }
    // Every organiser page is a 200 HTML page here but the exports and three that need a later
    // stage (a mail sent, awards, the national shortlist).
    assert!(
        compared >= 32,
        "only {compared} pages compared; not {skipped:?}"
    );
    // On SQLite nothing else commits in between; on PostgreSQL other tests' commits move the
    // stamp, and a page is then drawn for the second reader too (compared all the same).
    if biw::db::is_postgres_url(&app.state.settings.database_url) {
        assert!(shared > 0);
    } else {
        assert!(
            shared + 2 >= compared,
            "{shared} of {compared} from the copy"
        );
    }
}

#[tokio::test]
async fn organisers_asking_at_once_while_others_commit_each_get_a_page_of_their_own() {
    use biw::db::schema::users;
    use futures_util::future::join_all;

    let app = spawn_app().await;
    let (_, round, _, judge) = crate::results::scored_round(&app).await;
    let board = format!("/organiser/rounds/{round}/assignments");
    let mut organisers = Vec::new();
    for i in 0..6 {
        let (client, email, name) = (
            new_client(),
            format!("panitia{i}@test.biw.id"),
            format!("Panitia Nomor {i}"),
        );
        sign_in_organiser(&app, &client, &email, &name).await;
        // The account page is each sign-in's own: the token it shows is the session's.
        let res = app.get_with(&client, "/account").await;
        let token = csrf_in(&res.text().await.unwrap());
        organisers.push((client, name, token));
    }
    let commit = || {
        let id = judge.id;
        app.db(move |conn| {
            diesel::update(users::table.find(id))
                .set(users::lang.eq("id"))
                .execute(conn)
                .unwrap()
        })
    };
    // Each round: a commit, then all six ask at once while one more commit lands a moment later,
    // so they share a stamp, most wait for one drawing, and that drawing often ends after the
    // stamp it was drawn at has moved on. (Commits at a steady pace spread a loaded machine's
    // requests over as many stamps, and no one ever waits.)
    let views = async {
        let mut rounds = 0;
        while rounds < 20 || (app.state.pages.handed() == 0 && rounds < 200) {
            rounds += 1;
            commit().await;
            let meanwhile = async {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                commit().await;
            };
            let asked = join_all(organisers.iter().map(|(client, _, _)| async {
                let res = app.get_with(client, &board).await;
                assert_eq!(res.status().as_u16(), 200);
                res.text().await.unwrap()
            }));
            let (pages, _) = tokio::join!(asked, meanwhile);
            for ((_, name, token), page) in organisers.iter().zip(pages) {
                assert!(page.contains(name.as_str()), "{name}'s page names them");
                assert_eq!(&csrf_in(&page), token, "{name}'s page carries their token");
                for (_, other, _) in &organisers {
                    assert!(other == name || !page.contains(other.as_str()));
                }
                let stand = app.state.pages.stand_ins();
                for word in [&stand.csrf, &stand.name, &stand.email] {
                    assert!(!page.contains(word.as_str()), "a stand-in left on the page");
                }
            }
        }
    };
    // A waiter left waiting for good fails the test rather than hanging it.
    tokio::time::timeout(std::time::Duration::from_secs(120), views)
        .await
        .expect("every view was answered");
    // On PostgreSQL the stamp is the whole server's, which the tests running alongside move all
    // the time: the six rarely share one there, and the pages above are what is checked.
    if !biw::db::is_postgres_url(&app.state.settings.database_url) {
        assert!(
            app.state.pages.handed() > 0,
            "no organiser was ever handed a page another was drawing"
        );
    }
}
