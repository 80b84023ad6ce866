//! `spawn_app()` and the helpers every test uses.

use std::net::TcpListener;

use biw::config::Settings;
use biw::db::{self, DbConn};
use biw::domain::Role;
use biw::models::outbox::OutboxMail;
use biw::startup::{Application, build_state};
use biw::state::AppState;
use diesel::prelude::*;
use reqwest::redirect::Policy;

/// A running app and a browser-like client (cookies kept, redirects not followed).
pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub client: reqwest::Client,
    pub _dir: tempfile::TempDir,
}

/// The PostgreSQL server to make per-test databases on, if any.
pub fn pg_admin_url() -> Option<String> {
    std::env::var("BIW_TEST_DATABASE_URL")
        .ok()
        .filter(|u| db::is_postgres_url(u))
}

/// A fresh, empty PostgreSQL database on the admin URL's server.
pub fn fresh_pg_database(admin_url: &str) -> String {
    use diesel::connection::SimpleConnection;
    let name = format!(
        "biw_test_{}",
        &biw::auth::token::digest(&biw::auth::token::new_token())[..16]
    );
    let mut admin =
        diesel::PgConnection::establish(admin_url).expect("connect to BIW_TEST_DATABASE_URL");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create test database");
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    format!("{base}/{name}")
}

/// Settings for a test app in `dir`.
pub fn test_settings(dir: &std::path::Path) -> Settings {
    let database_url = match pg_admin_url() {
        Some(admin) => fresh_pg_database(&admin),
        None => format!("sqlite://{}", dir.join("test.db").display()),
    };
    Settings {
        database_url,
        data_dir: dir.to_path_buf(),
        bind: "127.0.0.1:0".parse().unwrap(),
        base_url: String::new(),
        session_key: biw::auth::token::random_bytes::<64>().to_vec(),
        smtp_url: None,
        mail_from: "BIW Test <noreply@biw.test>".into(),
        upload_dir: dir.join("uploads"),
        trust_proxy: false,
        pool_size: 4,
        workers: 2,
        run_outbox_worker: false,
        mail_lanes: 1,
        mail_rate: biw::email::DEFAULT_MAIL_RATE,
        page_cache_mb: 64,
    }
}

/// Starts the app with default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app after `adjust` changes the settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    if std::env::var("BIW_TEST_LOG").is_ok() {
        biw::telemetry::init();
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = test_settings(dir.path());
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    settings.base_url = format!("http://127.0.0.1:{port}");
    adjust(&mut settings);
    serve(settings, listener, dir, true).await
}

/// Builds the state on `settings` (seeding the known units when `seed`) and serves it.
async fn serve(
    settings: Settings,
    listener: TcpListener,
    dir: tempfile::TempDir,
    seed: bool,
) -> TestApp {
    let port = listener.local_addr().unwrap().port();
    let state = tokio::task::spawn_blocking(move || build_state(settings))
        .await
        .unwrap()
        .expect("build state");
    if seed {
        let mut conn = state.pool.get().unwrap();
        biw::services::units::seed_known(&mut conn).expect("seed units");
    }
    let app = Application::from_listener(state.clone(), listener).expect("server");
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        state,
        client: new_client(),
        _dir: dir,
    }
}

/// A new cookie-keeping client that does not follow redirects.
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The location a redirect points to.
pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Asserts a 303 to `to`.
pub fn assert_redirect(res: &reqwest::Response, to: &str) {
    assert_eq!(res.status().as_u16(), 303, "expected a redirect to {to}");
    assert_eq!(location(res), to);
}

/// The first CSRF token in a page.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .expect("page has a CSRF field");
    html[start..].split('"').next().unwrap().to_string()
}

impl TestApp {
    /// Runs blocking database work on the app's pool.
    pub async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConn) -> T + Send + 'static,
    ) -> T {
        let pool = self.state.pool.clone();
        tokio::task::spawn_blocking(move || f(&mut pool.get().unwrap()))
            .await
            .unwrap()
    }

    /// The id of a seeded unit, by name.
    pub async fn unit_id(&self, name: &str) -> i32 {
        let name = name.to_string();
        self.db(move |conn| {
            biw::models::unit::find_by_name(conn, &name)
                .unwrap()
                .unwrap_or_else(|| panic!("no unit named {name}"))
                .id
        })
        .await
    }

    /// The tallies the database keeps (active users and units, waiting invitations) equal a count
    /// of the rows.
    pub async fn assert_tallies_agree(&self) {
        use biw::db::schema::{units, users};
        use biw::models::tally;
        self.db(|conn| {
            let kept = tally::all(conn).unwrap();
            let active: i64 = users::table
                .filter(users::active.eq(true))
                .count()
                .get_result(conn)
                .unwrap();
            let invited: i64 = users::table
                .filter(users::active.eq(true))
                .filter(users::password_hash.is_null())
                .count()
                .get_result(conn)
                .unwrap();
            let unit_count: i64 = units::table
                .filter(units::active.eq(true))
                .count()
                .get_result(conn)
                .unwrap();
            assert_eq!(
                (
                    tally::of(&kept, tally::USERS_ACTIVE),
                    tally::of(&kept, tally::USERS_INVITED),
                    tally::of(&kept, tally::UNITS_ACTIVE)
                ),
                (active, invited, unit_count),
                "tallies against the rows: active users, invited, active units"
            );
        })
        .await;
    }

    /// GET with this app's client.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.get_with(&self.client, path).await
    }

    /// GET with another client.
    pub async fn get_with(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .unwrap()
    }

    /// GET a page and return its HTML.
    pub async fn page(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    /// The client's CSRF token (read from a page that has a form).
    pub async fn csrf_for(&self, client: &reqwest::Client) -> String {
        let html = self.get_with(client, "/login").await.text().await.unwrap();
        if html.contains("name=\"csrf\"") {
            return csrf_in(&html);
        }
        let html = self
            .get_with(client, "/account")
            .await
            .text()
            .await
            .unwrap();
        csrf_in(&html)
    }

    /// POSTs a form with the client's CSRF token added.
    pub async fn post_form_with(
        &self,
        client: &reqwest::Client,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf_for(client).await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf", &token));
        client
            .post(format!("{}{}", self.address, path))
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    /// POSTs a form with this app's client.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.post_form_with(&self.client, path, fields).await
    }

    /// Creates an active user with a password; returns the id.
    pub async fn create_user(&self, role: Role, email: &str, password: &str) -> i32 {
        let (email, password) = (email.to_string(), password.to_string());
        self.db(move |conn| {
            let hash = biw::auth::password::hash(&password).unwrap();
            let unit_id = match role {
                Role::Opd => biw::models::unit::find_by_name(conn, "Dinas Kesehatan")
                    .unwrap()
                    .map(|u| u.id),
                _ => None,
            };
            let now = db::now();
            biw::models::user::insert(
                conn,
                &biw::models::user::NewUser {
                    email: &email,
                    name: &format!("Test {}", role.code()),
                    password_hash: Some(&hash),
                    role: role.code(),
                    unit_id,
                    affiliation: None,
                    lang: "id",
                    created_at: now,
                    updated_at: now,
                },
            )
            .unwrap()
        })
        .await
    }

    /// Logs a client in; panics unless the login succeeds.
    pub async fn login_with(&self, client: &reqwest::Client, email: &str, password: &str) {
        let res = self
            .post_form_with(
                client,
                "/login",
                &[("email", email), ("password", password)],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303, "login of {email} failed");
    }

    /// A login attempt from a new browser (a client with no cookie yet).
    pub async fn try_login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form_with(
            &new_client(),
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Creates a user of a role and logs this app's client in as them; returns the id.
    pub async fn login_as(&self, role: Role) -> i32 {
        let email = format!("{}@test.biw.id", role.code());
        let id = self
            .create_user(role, &email, "correct horse battery")
            .await;
        self.login_with(&self.client, &email, "correct horse battery")
            .await;
        id
    }

    /// Every mail in the outbox addressed to `email`, oldest first.
    pub async fn mails_to(&self, email: &str) -> Vec<OutboxMail> {
        let email = email.to_string();
        self.db(move |conn| {
            use biw::db::schema::outbox;
            outbox::table
                .filter(outbox::to_email.eq(email))
                .order(outbox::id.asc())
                .select(OutboxMail::as_select())
                .load(conn)
                .unwrap()
        })
        .await
    }

    /// The link to this app that a mail's text contains.
    pub fn link_in(&self, mail: &OutboxMail, path_prefix: &str) -> String {
        let prefix = format!("{}{}", self.address, path_prefix);
        let start = mail
            .body_text
            .find(&prefix)
            .unwrap_or_else(|| panic!("no {prefix} link in {}", mail.body_text));
        let link = mail.body_text[start..].split_whitespace().next().unwrap();
        link.trim_start_matches(&self.address).to_string()
    }

    /// Sends every due mail through the app's mailer; returns how many steps ran.
    pub async fn drain_outbox(&self) -> Vec<biw::outbox::Step> {
        biw::outbox::drain(
            &self.state.pool,
            &self.state.mailer,
            &self.state.settings.mail_from,
        )
        .await
        .unwrap()
    }

    /// Counts audit events with this action.
    pub async fn audit_count(&self, action: &str) -> i64 {
        let action = action.to_string();
        self.db(move |conn| {
            use biw::db::schema::audit_events;
            audit_events::table
                .filter(audit_events::action.eq(action))
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
        .await
    }
}

impl TestApp {
    /// Uploads a file as a multipart form, the CSRF token its first field (as the page's form sends it).
    pub async fn upload(&self, path: &str, filename: &str, bytes: Vec<u8>) -> reqwest::Response {
        let token = self.csrf_for(&self.client).await;
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(filename.to_string())
            .mime_str("text/csv")
            .unwrap();
        let form = reqwest::multipart::Form::new()
            .text("csrf", token)
            .part("file", part);
        self.client
            .post(format!("{}{}", self.address, path))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The fields a browser would post from the page's forms: every named `<input>` (checkboxes and
/// radios only when checked), then every `<textarea>`, without the CSRF token. Enough for BIW's own
/// markup.
pub fn form_fields(html: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        let end = tag[start..].find('"')? + start;
        Some(unescape(&tag[start..end]))
    };
    let mut out = Vec::new();
    for piece in html.split("<input").skip(1) {
        let tag = &piece[..piece.find('>').unwrap_or(piece.len())];
        let Some(name) = attr(tag, "name") else {
            continue;
        };
        let kind = attr(tag, "type").unwrap_or_else(|| "text".into());
        let checked = tag.contains(" checked");
        if name == "csrf" || ((kind == "checkbox" || kind == "radio") && !checked) {
            continue;
        }
        out.push((name, attr(tag, "value").unwrap_or_default()));
    }
    for piece in html.split("<textarea").skip(1) {
        let Some(close) = piece.find('>') else {
            continue;
        };
        let Some(name) = attr(&piece[..close], "name") else {
            continue;
        };
        let body = &piece[close + 1..piece.find("</textarea>").unwrap_or(piece.len())];
        out.push((name, unescape(body)));
    }
    out
}

/// A second instance of the app on `app`'s database, with its own memory (as behind a load
/// balancer), and its own client.
pub async fn spawn_instance_on(app: &TestApp) -> TestApp {
    spawn_instance_on_with(app, |_| {}).await
}

/// A second instance on `app`'s database after `adjust` changes its settings.
pub async fn spawn_instance_on_with(app: &TestApp, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = (*app.state.settings).clone();
    adjust(&mut settings);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    settings.base_url = format!("http://127.0.0.1:{port}");
    serve(
        settings,
        listener,
        tempfile::tempdir().expect("temp dir"),
        false,
    )
    .await
}
