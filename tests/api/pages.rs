//! Pages as a visitor meets them: language switch, error pages, health, headers, assets.

use biw::domain::Role;

use crate::helpers::{assert_redirect, new_client, spawn_app};

#[tokio::test]
async fn indonesian_by_default_english_by_switch_remembered_per_user() {
    let app = spawn_app().await;
    let login = app.page("/login").await;
    assert!(login.contains("<html lang=\"id\">") && login.contains("Masuk ke BIW"));
    let res = app
        .post_form("/lang", &[("lang", "en"), ("next", "/login")])
        .await;
    assert_redirect(&res, "/login");
    let login = app.page("/login").await;
    assert!(login.contains("<html lang=\"en\">") && login.contains("Log in to BIW"));
    // Logged in, the choice is stored on the account and follows the user to another device.
    app.create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    app.login_with(&app.client, "juri@x.biw.id", "correct horse battery")
        .await;
    assert!(
        app.page("/judge").await.contains("Hello, Test judge"),
        "the session's choice survives login"
    );
    app.post_form("/lang", &[("lang", "en"), ("next", "/judge")])
        .await;
    let phone = new_client();
    app.login_with(&phone, "juri@x.biw.id", "correct horse battery")
        .await;
    assert!(
        app.get_with(&phone, "/judge")
            .await
            .text()
            .await
            .unwrap()
            .contains("Hello, Test judge")
    );
    app.post_form_with(&phone, "/lang", &[("lang", "id"), ("next", "/judge")])
        .await;
    assert!(
        app.get_with(&phone, "/judge")
            .await
            .text()
            .await
            .unwrap()
            .contains("Halo, Test judge")
    );
    let res = app.post_form("/lang", &[("lang", "fr")]).await;
    assert_eq!(res.status().as_u16(), 400);
}

#[tokio::test]
async fn friendly_error_pages_in_both_languages() {
    let app = spawn_app().await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status().as_u16(), 404);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Halaman tidak ditemukan")
    );
    app.post_form("/lang", &[("lang", "en")]).await;
    let res = app.get("/no/such/page").await;
    assert!(res.text().await.unwrap().contains("Page not found"));
    app.login_as(Role::Judge).await;
    let res = app.get("/organiser/users").await;
    assert_eq!(res.status().as_u16(), 403);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Access denied"),
        "the language picked before login became the judge's: {html}"
    );
    let res = app.get("/organiser/users/not-a-number").await;
    assert!(res.status().as_u16() == 403);
}

#[tokio::test]
async fn health_headers_and_assets() {
    let app = spawn_app().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.text().await.unwrap().contains("\"database\":\"ok\""));
    let res = app.get("/login").await;
    let h = res.headers();
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
    assert!(
        h.get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    assert_eq!(h.get("cache-control").unwrap(), "no-store");
    let html = res.text().await.unwrap();
    for needle in [
        "class=\"skip-link\" href=\"#main\"",
        "<main id=\"main\"",
        "<label for=\"f-email\">",
        "name=\"viewport\"",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    let css = app.get("/assets/css/app.css").await;
    assert_eq!(css.status().as_u16(), 200);
    assert!(
        css.headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert_eq!(
        app.get("/assets/../Cargo.toml").await.status().as_u16(),
        404
    );
    assert_eq!(app.get("/assets/nothing.css").await.status().as_u16(), 404);
}

#[tokio::test]
async fn dashboards_show_where_things_stand() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    app.post_form(
        "/organiser/users/new",
        &[("email", "a@x.biw.id"), ("name", "A"), ("role", "judge")],
    )
    .await;
    let html = app.page("/organiser").await;
    assert!(
        html.contains("<strong>1</strong> undangan belum diterima"),
        "{html}"
    );
    assert!(html.contains("<strong>1</strong> email dalam antrean"));
    assert!(
        html.contains("<strong>2</strong> pengguna aktif"),
        "the organiser and the invited judge"
    );
    // The next jobs, as links: no edition yet, one invitation waiting.
    assert!(html.contains("Belum ada edisi berjalan"));
    assert!(html.contains("1 undangan belum diterima.</a>"));
    app.assert_tallies_agree().await;
    app.drain_outbox().await;
    assert!(
        app.page("/organiser")
            .await
            .contains("<strong>0</strong> email dalam antrean")
    );
    let list = app.page("/organiser/outbox?status=sent").await;
    assert!(list.contains("a@x.biw.id"));
}

#[tokio::test]
async fn assets_are_fingerprinted_revalidated_and_compressed() {
    let app = spawn_app().await;
    let html = app.page("/login").await;
    let start = html
        .find("/assets/css/app.css?v=")
        .expect("a fingerprinted stylesheet");
    let url = html[start..].split('"').next().unwrap().to_string();
    let res = app.get(&url).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers().get("cache-control").unwrap(),
        "public, max-age=31536000, immutable"
    );
    let etag = res
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    // A revalidation costs no body.
    let res = app
        .client
        .get(format!("{}/assets/css/app.css", app.address))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 304);
    // A stale fingerprint is not cached for long.
    let res = app.get("/assets/css/app.css?v=old").await;
    assert_eq!(
        res.headers().get("cache-control").unwrap(),
        "public, max-age=300"
    );
    // Brotli where the browser asks for it, gzip otherwise.
    for (accept, expected) in [("br, gzip", "br"), ("gzip", "gzip")] {
        // A client that decodes nothing itself, so the header stays visible.
        let raw = reqwest::Client::builder().no_gzip().build().unwrap();
        let res = raw
            .get(format!("{}{url}", app.address))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers()
                .get("content-encoding")
                .and_then(|v| v.to_str().ok()),
            Some(expected),
            "{accept}"
        );
    }
}

#[tokio::test]
async fn pages_are_gzipped_in_one_piece_only_for_browsers_that_take_gzip() {
    let app = spawn_app().await;
    // A client that decodes nothing itself, so the headers and bytes stay as sent.
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let fetch = |accept: Option<&'static str>| {
        let mut req = raw.get(format!("{}/login", app.address));
        if let Some(a) = accept {
            req = req.header("accept-encoding", a);
        }
        req.send()
    };
    let plain = fetch(None).await.unwrap();
    assert_eq!(plain.headers().get("content-encoding"), None);
    assert_eq!(plain.headers().get("vary").unwrap(), "accept-encoding");
    let plain = plain.text().await.unwrap();
    assert!(plain.contains("<form"), "{plain}");

    for accept in ["gzip", "gzip, deflate, br, zstd", "br;q=1, gzip;q=0.5"] {
        let res = fetch(Some(accept)).await.unwrap();
        assert_eq!(res.status().as_u16(), 200, "{accept}");
        assert_eq!(
            res.headers().get("content-encoding").unwrap(),
            "gzip",
            "{accept}"
        );
        // One buffer with its length, not a chunked stream.
        let len: usize = res
            .headers()
            .get("content-length")
            .expect("a length")
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let bytes = res.bytes().await.unwrap();
        assert_eq!(bytes.len(), len);
        let mut html = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut html)
            .unwrap();
        // The same page (its CSRF token differs: each request is a new session).
        assert!(
            html.contains("<form") && html.ends_with("</html>\n"),
            "{accept}"
        );
        assert!(
            bytes.len() < html.len(),
            "{accept}: {} of {}",
            bytes.len(),
            html.len()
        );
    }
    // gzip refused outright: the page goes out as it is.
    for accept in ["gzip;q=0", "identity"] {
        let res = fetch(Some(accept)).await.unwrap();
        assert_eq!(res.headers().get("content-encoding"), None, "{accept}");
        assert!(res.text().await.unwrap().contains("<form"), "{accept}");
    }
    // Error pages are rendered outside the handlers, and are compressed the same way.
    let res = raw
        .get(format!("{}/no/such/page", app.address))
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(res.headers().get("content-encoding").unwrap(), "gzip");
    assert!(res.headers().get("content-length").is_some(), "one piece");
    let bytes = res.bytes().await.unwrap();
    let mut html = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut html)
        .unwrap();
    assert!(html.contains("</html>"), "{html}");
}

/// Pages are served with `style-src 'self'`, under which browsers drop every inline `style`
/// attribute: a bar sized by one showed full whatever its value. Mail is not under that policy.
#[test]
fn no_page_template_relies_on_an_inline_style_the_policy_drops() {
    let mut checked = 0;
    for (name, src) in biw::templates::Templates::sources() {
        if name.starts_with("emails/") {
            continue;
        }
        checked += 1;
        assert!(
            !src.contains("style=") && !src.contains("<style"),
            "{name} has an inline style"
        );
    }
    assert!(checked > 50, "only {checked} templates read");
}
