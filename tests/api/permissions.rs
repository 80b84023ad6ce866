//! Every route in the router's own table, for every role and for visitors: the declared access is
//! what the server enforces. A new route added without the right guard fails here.

use biw::domain::{Access, Role};
use biw::web::routes::ROUTES;

use crate::helpers::{location, new_client, spawn_app};

fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
        .replace("{file}", "1")
        .replace("{entry}", "1")
        .replace("{token}", "not-a-token")
        .replace("{path:.*}", "css/app.css")
}

#[tokio::test]
async fn every_route_answers_every_role_as_declared() {
    let app = spawn_app().await;
    let mut clients = vec![(None, new_client())];
    for role in Role::ALL {
        let client = new_client();
        let email = format!("{}@perm.biw.id", role.code());
        app.create_user(role, &email, "correct horse battery").await;
        app.login_with(&client, &email, "correct horse battery")
            .await;
        clients.push((Some(role), client));
    }
    let mut checked = 0;
    for route in ROUTES {
        if route.path == "/logout" {
            continue; // would end the session the rest of the walk needs; covered in auth.rs
        }
        let path = concrete(route.path);
        for (role, client) in &clients {
            let token = app.csrf_for(client).await;
            let res = match route.method {
                "GET" => client
                    .get(format!("{}{}", app.address, path))
                    .send()
                    .await
                    .unwrap(),
                _ => client
                    .post(format!("{}{}", app.address, path))
                    .form(&[("csrf", token.as_str())])
                    .send()
                    .await
                    .unwrap(),
            };
            let status = res.status().as_u16();
            let loc = location(&res);
            let who = role.map(|r| r.code()).unwrap_or("visitor");
            let sent_to_login = status == 303 && loc.starts_with("/login?next=");
            if route.access.allows(*role) {
                assert!(
                    status != 403 && !sent_to_login && status < 500,
                    "{who} may use {} {path}, got {status} {loc}",
                    route.method
                );
            } else if role.is_none() {
                assert!(
                    sent_to_login,
                    "a visitor must be sent to log in from {} {path}, got {status} {loc}",
                    route.method
                );
            } else {
                assert_eq!(status, 403, "{who} must be refused {} {path}", route.method);
            }
            checked += 1;
        }
    }
    assert!(checked >= ROUTES.len() * 3);
}

#[tokio::test]
async fn every_post_route_refuses_a_missing_csrf_token() {
    let app = spawn_app().await;
    let organiser = new_client();
    app.create_user(Role::Organiser, "o@perm.biw.id", "correct horse battery")
        .await;
    app.login_with(&organiser, "o@perm.biw.id", "correct horse battery")
        .await;
    for route in ROUTES.iter().filter(|r| r.method == "POST") {
        if !route.access.allows(Some(Role::Organiser)) {
            continue;
        }
        let res = organiser
            .post(format!("{}{}", app.address, concrete(route.path)))
            .form(&[("x", "y")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status().as_u16(),
            403,
            "POST {} without CSRF",
            route.path
        );
    }
    // Still logged in: the refusals changed nothing.
    assert_eq!(
        app.get_with(&organiser, "/organiser")
            .await
            .status()
            .as_u16(),
        200
    );
}

/// What each part of the site must require, written here independently of the route table: a
/// route declared with a looser (or another role's) access fails this test.
const PINNED: &[(&str, Access)] = &[
    ("/organiser", Access::Only(Role::Organiser)),
    ("/opd", Access::Only(Role::Opd)),
    ("/judge", Access::Only(Role::Judge)),
    ("/account", Access::User),
    ("/entries/", Access::User),
    ("/assets/", Access::Open),
    ("/healthz", Access::Open),
    ("/login", Access::Public),
    ("/logout", Access::Public),
    ("/password/", Access::Public),
    ("/invite/", Access::Public),
    ("/lang", Access::Public),
    ("/results", Access::Public),
];

#[test]
fn every_route_is_pinned_to_the_access_its_part_of_the_site_requires() {
    let mut seen = std::collections::HashSet::new();
    for r in ROUTES {
        assert!(
            seen.insert((r.method, r.path)),
            "{} {} twice",
            r.method,
            r.path
        );
        if r.path == "/" {
            assert_eq!(r.access, Access::Public);
            continue;
        }
        let pinned = PINNED
            .iter()
            .filter(|(prefix, _)| r.path.starts_with(prefix))
            .max_by_key(|(prefix, _)| prefix.len())
            .unwrap_or_else(|| {
                panic!(
                    "{} {} belongs to no pinned part of the site",
                    r.method, r.path
                )
            });
        assert_eq!(
            r.access, pinned.1,
            "{} {} must require {:?}",
            r.method, r.path, pinned.1
        );
    }
}

#[tokio::test]
async fn the_csrf_token_is_never_taken_from_the_url() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let token = app.csrf_for(&app.client).await;
    let csv = b"name,type\nBadan Uji,badan\n".to_vec();
    let part = || reqwest::multipart::Part::bytes(csv.clone()).file_name("units.csv");
    // In the query only: refused.
    let res = app
        .client
        .post(format!(
            "{}/organiser/units/import?csrf={token}",
            app.address
        ))
        .multipart(reqwest::multipart::Form::new().part("file", part()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    // A wrong first field: refused.
    let res = app
        .client
        .post(format!("{}/organiser/units/import", app.address))
        .multipart(
            reqwest::multipart::Form::new()
                .text("csrf", "salah")
                .part("file", part()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    // As the form's first field, or the script's header: accepted.
    let res = app
        .upload("/organiser/units/import", "units.csv", csv.clone())
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let csv2 = b"name,type\nBadan Uji Dua,badan\n".to_vec();
    let res = app
        .client
        .post(format!("{}/organiser/units/import", app.address))
        .header("x-csrf-token", &token)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(csv2).file_name("u.csv"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    // No page puts the token in a link or a form's address.
    for path in [
        "/organiser/units/import",
        "/organiser/users/import",
        "/account",
    ] {
        let html = app.page(path).await;
        assert!(!html.contains("csrf="), "{path}");
    }
}

#[tokio::test]
async fn personal_pages_and_exports_are_never_cached() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    for path in [
        "/organiser",
        "/organiser/users",
        "/account",
        "/organiser/entries/export.csv",
    ] {
        let res = app.get(path).await;
        assert_eq!(
            res.headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "{path}"
        );
    }
}
