//! End-to-end journeys in headless Chromium through chromedriver (Debian's `chromium` and
//! `chromium-driver`). Without a browser the tests say so and pass, except under CI, where a
//! missing browser fails.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::helpers::{TestApp, spawn_app};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A chromedriver process and a browser session; both end on drop.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Starts a browser, or returns `None` (outside CI) when none is installed.
pub async fn browser(width: u32, height: u32) -> Option<Browser> {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must have chromium and chromium-driver installed"
        );
        eprintln!("skipping: chromium / chromedriver not installed");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().unwrap();
    let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run",
                format!("--user-data-dir={}", profile.path().display()),
                format!("--window-size={width},{height}"),
            ]
        }
    }))
    .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => {
                return Some(Browser {
                    client,
                    driver,
                    _profile: profile,
                });
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("chromedriver did not accept a session");
}

impl Browser {
    /// Opens a path of the app.
    pub async fn open(&self, app: &TestApp, path: &str) {
        self.client
            .goto(&format!("{}{}", app.address, path))
            .await
            .unwrap();
    }

    /// Types into the field with this id, replacing its value. A page still being replaced by the
    /// previous click makes elements stale for a moment, so each step is retried briefly.
    pub async fn fill(&self, id: &str, value: &str) {
        for attempt in 0..50 {
            let done = async {
                let el = self.client.find(Locator::Id(id)).await?;
                el.clear().await?;
                el.send_keys(value).await
            }
            .await;
            match done {
                Ok(()) => return,
                Err(e) if attempt == 49 => panic!("#{id}: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Clicks the element with this id (retried while the page is being replaced).
    pub async fn click(&self, id: &str) {
        for attempt in 0..50 {
            let done = async { self.client.find(Locator::Id(id)).await?.click().await }.await;
            match done {
                Ok(()) => return,
                Err(e) if attempt == 49 => panic!("#{id}: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Chooses an option of a select by its value.
    pub async fn select(&self, id: &str, value: &str) {
        let el = self.client.find(Locator::Id(id)).await.unwrap();
        el.select_by_value(value).await.unwrap();
    }

    /// Waits for the path to become `path`.
    pub async fn wait_for_path(&self, path: &str) {
        for _ in 0..100 {
            if self.client.current_url().await.unwrap().path() == path {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "never reached {path}; at {}",
            self.client.current_url().await.unwrap()
        );
    }

    /// The text of the page's `main` (empty while a new page is loading).
    pub async fn main_text(&self) -> String {
        match self.client.find(Locator::Css("main")).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Saves a screenshot under target/screenshots (for people to look at).
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Ends the session.
    pub async fn close(self) {
        let Browser { client, .. } = &self;
        let _ = client.clone().close().await;
    }
}

/// The password the browser tests give their users.
pub const PASSWORD: &str = "correct horse battery";

/// Logs in through the form and waits to land on `lands`.
pub async fn login(b: &Browser, app: &TestApp, email: &str, lands: &str) {
    b.open(app, "/login").await;
    b.fill("f-email", email).await;
    b.fill("f-password", PASSWORD).await;
    b.click("login-submit").await;
    b.wait_for_path(lands).await;
}

/// Fails with the accessibility problems the page shows (see [`A11Y_PROBLEMS`]).
pub async fn a11y(b: &Browser, what: &str) {
    let found = b.client.execute(A11Y_PROBLEMS, vec![]).await.unwrap();
    let found: Vec<String> = serde_json::from_value(found).unwrap();
    assert!(found.is_empty(), "{what}: {found:?}");
}

/// Waits for the page's `main` to contain `text`.
pub async fn wait_for_text(b: &Browser, text: &str) {
    for _ in 0..100 {
        if b.main_text().await.contains(text) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never showed {text:?}: {}", b.main_text().await);
}

#[tokio::test]
async fn organiser_invites_a_judge_who_sets_a_password_and_lands_on_the_dashboard() {
    let Some(b) = browser(1024, 768).await else {
        return;
    };
    let app = spawn_app().await;
    app.create_user(
        biw::domain::Role::Organiser,
        "panitia@x.biw.id",
        "correct horse battery",
    )
    .await;

    b.open(&app, "/").await;
    b.wait_for_path("/login").await;
    b.fill("f-email", "panitia@x.biw.id").await;
    b.fill("f-password", "correct horse battery").await;
    b.click("login-submit").await;
    b.wait_for_path("/organiser").await;

    b.open(&app, "/organiser/users").await;
    b.click("invite-user").await;
    b.wait_for_path("/organiser/users/new").await;
    b.fill("f-email", "wulan@brin.go.id").await;
    b.fill("f-name", "Dr. Wulan Pratiwi").await;
    b.select("f-role", "judge").await;
    b.fill("f-affiliation", "BRIN").await;
    b.click("send-invite").await;
    for _ in 0..50 {
        if b.main_text()
            .await
            .contains("Undangan dikirim ke wulan@brin.go.id")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        b.main_text()
            .await
            .contains("Undangan dikirim ke wulan@brin.go.id")
    );
    assert!(b.main_text().await.contains("Menunggu aktivasi"));
    b.screenshot("invite-sent").await;
    b.click("logout").await;
    b.wait_for_path("/login").await;

    app.drain_outbox().await;
    let mail = app.mails_to("wulan@brin.go.id").await.remove(0);
    assert_eq!(mail.status, "sent");
    let link = app.link_in(&mail, "/invite/");
    b.open(&app, &link).await;
    assert!(b.main_text().await.contains("wulan@brin.go.id"));
    b.fill("f-password", "kata sandi yang panjang").await;
    b.fill("f-confirm", "kata sandi yang panjang").await;
    b.click("set-password").await;
    b.wait_for_path("/judge").await;
    let text = b.main_text().await;
    assert!(
        text.contains("Selamat datang di BIW, Dr. Wulan Pratiwi"),
        "{text}"
    );
    assert!(text.contains("Halo, Dr. Wulan Pratiwi"));
    b.screenshot("judge-dashboard").await;
    b.close().await;
}

#[tokio::test]
async fn on_a_phone_a_wrong_password_keeps_the_email_and_the_page_fits() {
    let Some(b) = browser(360, 740).await else {
        return;
    };
    let app = spawn_app().await;
    app.create_user(
        biw::domain::Role::Opd,
        "opd@x.biw.id",
        "correct horse battery",
    )
    .await;
    b.open(&app, "/login").await;
    b.fill("f-email", "opd@x.biw.id").await;
    b.fill("f-password", "salah sekali").await;
    b.click("login-submit").await;
    for _ in 0..50 {
        if b.main_text().await.contains("Email atau kata sandi salah.") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let email = b.client.find(Locator::Id("f-email")).await.unwrap();
    assert_eq!(
        email.prop("value").await.unwrap().as_deref(),
        Some("opd@x.biw.id")
    );
    // Nothing overflows sideways on a 360-px screen.
    let overflow = b
        .client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_i64().unwrap_or(1) <= 0,
        "page wider than the phone: {overflow}"
    );
    b.screenshot("login-error-phone").await;
    b.fill("f-password", "correct horse battery").await;
    b.click("login-submit").await;
    b.wait_for_path("/opd").await;
    b.close().await;
}

#[tokio::test]
async fn an_entry_from_draft_to_passed_through_the_browser() {
    use biw::domain::Role;
    let Some(b) = browser(390, 844).await else {
        return;
    };
    let app = spawn_app().await;
    let edition_id = crate::entries::open_edition(&app).await;
    let (_endorser, _staff) = crate::entries::unit_team(&app).await;
    app.create_user(Role::Organiser, "panitia@x.biw.id", "correct horse battery")
        .await;

    // Session 1: the operator starts the entry and leaves mid-way.
    b.open(&app, "/login").await;
    b.fill("f-email", "endorser@dinkes.biw.id").await;
    b.fill("f-password", "correct horse battery").await;
    b.click("login-submit").await;
    b.wait_for_path("/opd").await;
    b.click("new-entry").await;
    for _ in 0..50 {
        if b.client
            .current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/opd/entries/")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let entry_path = b.client.current_url().await.unwrap().path().to_string();
    let id: i32 = entry_path.rsplit('/').next().unwrap().parse().unwrap();
    b.fill("f-name", "Posyandu Digital").await;
    b.select("f-stage", "uji_coba").await;
    b.select("f-initiator", "asn").await;
    b.select("f-inno_type", "digital").await;
    b.select("f-inno_form", "pelayanan_publik").await;
    b.select("f-theme", "digitalisasi_layanan").await;
    b.select("f-urusan", "kesehatan").await;
    let narrative = (0..310)
        .map(|i| format!("kata{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    b.fill("f-narrative", &narrative).await;
    // Autosave (a few seconds after typing stops) keeps it without pressing anything.
    let mut saved = false;
    for _ in 0..100 {
        let name = app
            .db(move |conn| biw::models::entry::find(conn, id).unwrap().unwrap().name)
            .await;
        if name == "Posyandu Digital" {
            saved = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(saved, "autosave stored the draft");
    b.screenshot("entry-form-phone").await;
    b.click("logout").await;
    b.wait_for_path("/login").await;

    // Session 2: the draft is there; finish it, upload evidence, submit.
    b.fill("f-email", "endorser@dinkes.biw.id").await;
    b.fill("f-password", "correct horse battery").await;
    b.click("login-submit").await;
    b.wait_for_path("/opd").await;
    b.open(&app, &entry_path).await;
    let name = b
        .client
        .find(Locator::Id("f-name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(name.as_deref(), Some("Posyandu Digital"));
    b.fill("f-purpose", "Memantau tumbuh kembang balita").await;
    b.fill("f-benefits", "Kader posyandu bekerja lebih cepat")
        .await;
    b.fill("f-results", "40 posyandu memakai aplikasi").await;
    b.fill("f-contact_name", "Sri").await;
    b.fill("f-contact_phone", "081234567890").await;
    b.fill(
        "f-video_url",
        "https://www.youtube.com/watch?v=posyandu-panjang",
    )
    .await;
    b.click("save-draft").await;
    b.wait_for_path(&entry_path).await;
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("bukti.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n%%EOF").unwrap();
    let kinds = app
        .db(move |conn| biw::models::edition::evidence_kinds(conn, edition_id).unwrap())
        .await;
    for k in kinds.iter().filter(|k| k.mandatory) {
        let input = b
            .client
            .find(Locator::Id(&format!("file-{}", k.id)))
            .await
            .unwrap();
        input.send_keys(pdf.to_str().unwrap()).await.unwrap();
        let form = b
            .client
            .find(Locator::XPath(&format!(
                "//input[@id='file-{}']/ancestor::form",
                k.id
            )))
            .await
            .unwrap();
        form.find(Locator::Css("button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let kid = k.id;
        for _ in 0..100 {
            let done = app
                .db(move |conn| {
                    biw::models::entry::files(conn, id)
                        .unwrap()
                        .iter()
                        .any(|f| f.evidence_kind_id == kid)
                })
                .await;
            if done {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        b.open(&app, &entry_path).await;
    }
    b.click("submit-entry").await;
    for _ in 0..100 {
        if b.main_text().await.contains("Inovasi terkirim") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        b.main_text().await.contains("Inovasi terkirim"),
        "{}",
        b.main_text().await
    );
    assert_eq!(
        app.mails_to("endorser@dinkes.biw.id").await[0].subject,
        "Tanda terima BIW: Posyandu Digital"
    );
    b.click("logout").await;
    b.wait_for_path("/login").await;

    // The organiser returns it with a reason.
    b.fill("f-email", "panitia@x.biw.id").await;
    b.fill("f-password", "correct horse battery").await;
    b.click("login-submit").await;
    b.wait_for_path("/organiser").await;
    b.open(&app, &format!("/organiser/entries/{id}")).await;
    let edition_id = app
        .db(move |conn| {
            biw::models::entry::find(conn, id)
                .unwrap()
                .unwrap()
                .edition_id
        })
        .await;
    let codes = crate::entries::item_codes(&app, edition_id).await;
    // Nothing starts ticked: every item gets its verdict.
    for code in codes.iter().filter(|c| *c != "video") {
        b.click(&format!("pass-{code}")).await;
    }
    b.click("fail-video").await;
    b.fill("f-reason_video", "Video lebih dari 5 menit").await;
    b.click("d-return").await;
    b.click("check-submit").await;
    for _ in 0..100 {
        if b.main_text().await.contains("Inovasi dikembalikan") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.click("logout").await;
    b.wait_for_path("/login").await;

    // The operator revises and resubmits.
    b.fill("f-email", "endorser@dinkes.biw.id").await;
    b.fill("f-password", "correct horse battery").await;
    b.click("login-submit").await;
    b.wait_for_path("/opd").await;
    b.open(&app, &entry_path).await;
    assert!(b.main_text().await.contains("Video lebih dari 5 menit"));
    b.fill("f-video_url", "https://www.youtube.com/watch?v=posyandu")
        .await;
    b.click("save-draft").await;
    b.wait_for_path(&entry_path).await;
    b.click("submit-entry").await;
    for _ in 0..100 {
        if app
            .db(move |conn| biw::models::entry::find(conn, id).unwrap().unwrap().status)
            .await
            == "resubmitted"
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.click("logout").await;
    b.wait_for_path("/login").await;

    // The organiser passes it.
    b.fill("f-email", "panitia@x.biw.id").await;
    b.fill("f-password", "correct horse battery").await;
    b.click("login-submit").await;
    b.wait_for_path("/organiser").await;
    b.open(&app, &format!("/organiser/entries/{id}")).await;
    for code in &codes {
        b.click(&format!("pass-{code}")).await;
    }
    b.click("d-pass").await;
    b.click("check-submit").await;
    for _ in 0..100 {
        if app
            .db(move |conn| biw::models::entry::find(conn, id).unwrap().unwrap().status)
            .await
            == "passed"
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.db(move |conn| biw::models::entry::find(conn, id).unwrap().unwrap().status)
            .await,
        "passed"
    );
    b.screenshot("organiser-entry-passed").await;
    b.close().await;
}

/// What a page fails of the checks a person with a screen reader or a phone depends on: every link,
/// button and form control has an accessible name, every `id` is unique, the page has one `h1` and a
/// `lang`, nothing overflows sideways, and every navigation item is on screen.
pub const A11Y_PROBLEMS: &str = r#"
const problems = [];
// Text a screen reader reads: not what is aria-hidden or not displayed.
const textOf = (node) => {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (node.nodeType !== Node.ELEMENT_NODE) return '';
  if (node.getAttribute('aria-hidden') === 'true') return '';
  if (getComputedStyle(node).display === 'none') return '';
  if (node.tagName === 'IMG') return node.getAttribute('alt') || '';
  return Array.from(node.childNodes).map(textOf).join('');
};
const nameOf = (el) => {
  const label = el.getAttribute('aria-label') || '';
  const by = (el.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean)
    .map(id => (document.getElementById(id) || {}).textContent || '').join(' ');
  const labels = el.labels ? Array.from(el.labels).map(l => l.textContent).join(' ') : '';
  const own = ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName) ? '' : textOf(el);
  const submit = el.tagName === 'INPUT' && ['submit', 'button'].includes(el.type) ? el.value : '';
  return (label + by + labels + own + submit + (el.getAttribute('title') || '')).trim();
};
document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea').forEach(el => {
  const style = getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden' || el.hidden) return;
  // Out of the accessibility tree and of the tab order (a form's default button for Enter).
  if (el.closest('[aria-hidden=true]') && el.tabIndex < 0) return;
  if (!nameOf(el)) problems.push('no accessible name: ' + el.outerHTML.slice(0, 120));
});
const ids = {};
document.querySelectorAll('[id]').forEach(el => { ids[el.id] = (ids[el.id] || 0) + 1; });
Object.entries(ids).filter(([, n]) => n > 1).forEach(([id]) => problems.push('duplicate id: ' + id));
if (document.querySelectorAll('h1').length !== 1) problems.push('h1 count: ' + document.querySelectorAll('h1').length);
if (!document.documentElement.lang) problems.push('no lang');
const overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
if (overflow > 0) problems.push('overflows sideways by ' + overflow + 'px');
document.querySelectorAll('.main-nav a').forEach(a => {
  const r = a.getBoundingClientRect();
  if (r.right > window.innerWidth + 1 || r.left < -1) problems.push('nav item off screen: ' + a.textContent.trim());
});
// Contrast (WCAG 1.4.3): text against the first opaque background behind it; disabled controls are exempt.
const rgba = (c) => (c.match(/[\d.]+/g) || []).map(Number);
const lum = ([r, g, b]) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const backgroundOf = (el) => {
  for (let n = el; n && n.nodeType === Node.ELEMENT_NODE; n = n.parentElement) {
    const c = rgba(getComputedStyle(n).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
  }
  return [255, 255, 255];
};
const seen = new Set();
document.querySelectorAll('body *').forEach(el => {
  const direct = Array.from(el.childNodes).some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  if (!direct || el.closest('[disabled], [aria-hidden=true], .skip-link')) return;
  const style = getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden' || el.getClientRects().length === 0) return;
  const fg = rgba(style.color), bg = backgroundOf(el);
  const alpha = fg.length === 4 ? fg[3] : 1;
  const text = fg.slice(0, 3).map((v, i) => v * alpha + bg[i] * (1 - alpha));
  const [hi, lo] = [lum(text), lum(bg)].sort((a, b) => b - a);
  const ratio = (hi + 0.05) / (lo + 0.05);
  const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
  const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  const key = el.tagName + style.color + bg.join();
  if (ratio < needed && !seen.has(key)) {
    seen.add(key);
    problems.push('contrast ' + ratio.toFixed(2) + ' < ' + needed + ': ' + el.outerHTML.slice(0, 100));
  }
});
// Focus order follows the page (WCAG 2.4.3): no positive tabindex.
document.querySelectorAll('[tabindex]').forEach(el => {
  if (el.tabIndex > 0) problems.push('positive tabindex: ' + el.outerHTML.slice(0, 100));
});
// A focused control is never hidden under the sticky save bar (WCAG 2.4.7, 2.4.11).
const bar = document.querySelector('.sticky-save');
if (bar) {
  document.querySelectorAll('a[href], button:not([disabled]), input:not([type=hidden]), select, textarea').forEach(el => {
    if (bar.contains(el) || el.getClientRects().length === 0) return;
    // Inside a closed <details> nothing is shown or reachable until its summary opens it.
    const closed = el.closest('details:not([open])');
    if (closed && !(el.tagName === 'SUMMARY' && el.parentElement === closed)) return;
    // Chrome centres what it focuses; other browsers scroll just enough ("nearest"), from above.
    window.scrollTo(0, 0);
    el.scrollIntoView({ block: 'nearest' });
    el.focus({ preventScroll: true });
    const r = el.getBoundingClientRect(), b = bar.getBoundingClientRect();
    // A tall text area may run under the bar; what matters is that enough of it shows to type in.
    const top = Math.max(r.top, 0), bottom = Math.min(r.bottom, window.innerHeight);
    const covered = Math.max(0, Math.min(bottom, b.bottom) - Math.max(top, b.top));
    const shown = bottom - top - covered;
    if (shown < Math.min(r.height, 24)) problems.push('focus hidden under the save bar: ' + el.outerHTML.slice(0, 100));
  });
  window.scrollTo(0, 0);
}
return problems;
"#;

#[tokio::test]
async fn every_organiser_page_names_its_controls_fits_a_phone_in_both_languages() {
    for (width, height) in [(360, 740), (1280, 900)] {
        let Some(b) = browser(width, height).await else {
            return;
        };
        let app = spawn_app().await;
        let ed = crate::entries::open_edition(&app).await;
        let (rubric, round) = app
            .db(move |conn| {
                let actor = biw::audit::Actor::system();
                let rubric = biw::services::rubrics::create(
                    conn,
                    &actor,
                    ed,
                    &biw::services::rubrics::Start::Preset("default".into()),
                )
                .unwrap();
                let input = crate::rubrics::week_long_desk_round(rubric);
                let round = biw::services::rounds::create(conn, &actor, ed, &input).unwrap();
                (rubric, round)
            })
            .await;
        app.create_user(
            biw::domain::Role::Organiser,
            "panitia@x.biw.id",
            "correct horse battery",
        )
        .await;
        b.open(&app, "/login").await;
        b.fill("f-email", "panitia@x.biw.id").await;
        b.fill("f-password", "correct horse battery").await;
        b.click("login-submit").await;
        b.wait_for_path("/organiser").await;
        for lang in ["id", "en"] {
            if lang == "en" {
                b.open(&app, "/account").await;
                b.client
                    .find(Locator::Css("form.lang-switch button"))
                    .await
                    .unwrap()
                    .click()
                    .await
                    .unwrap();
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            for path in [
                "/organiser".to_string(),
                "/organiser/entries".into(),
                "/organiser/editions".into(),
                format!("/organiser/editions/{ed}"),
                format!("/organiser/editions/{ed}/lists"),
                format!("/organiser/editions/{ed}/judging"),
                format!("/organiser/rubrics/{rubric}"),
                format!("/organiser/rounds/{round}"),
                "/organiser/users".into(),
                "/organiser/users/new".into(),
                "/organiser/units".into(),
                "/organiser/outbox".into(),
                "/organiser/audit".into(),
                "/account".into(),
            ] {
                b.open(&app, &path).await;
                let page_lang = b
                    .client
                    .execute("return document.documentElement.lang;", vec![])
                    .await
                    .unwrap();
                assert_eq!(page_lang.as_str(), Some(lang), "{path} speaks {lang}");
                if path.ends_with("/lists") {
                    b.client
                        .execute(
                            "document.getElementById('f-evidence').scrollIntoView();",
                            vec![],
                        )
                        .await
                        .unwrap();
                    b.screenshot(&format!("lists-editor-{width}-{lang}")).await;
                }
                let found = b.client.execute(A11Y_PROBLEMS, vec![]).await.unwrap();
                let found: Vec<String> = serde_json::from_value(found).unwrap();
                assert!(found.is_empty(), "{path} at {width}px in {lang}: {found:?}");
            }
        }
        b.close().await;
    }
}

#[tokio::test]
async fn the_operators_pages_name_their_controls_and_fit_a_phone() {
    let Some(b) = browser(360, 740).await else {
        return;
    };
    let app = spawn_app().await;
    crate::entries::open_edition(&app).await;
    let (_, staff) = crate::entries::unit_team(&app).await;
    let id = crate::entries::new_draft(&app, &staff).await;
    b.open(&app, "/login").await;
    b.fill("f-email", "staf@dinkes.biw.id").await;
    b.fill("f-password", "correct horse battery").await;
    b.click("login-submit").await;
    b.wait_for_path("/opd").await;
    for path in [
        "/opd".to_string(),
        format!("/opd/entries/{id}"),
        "/account".into(),
    ] {
        b.open(&app, &path).await;
        let found = b.client.execute(A11Y_PROBLEMS, vec![]).await.unwrap();
        let found: Vec<String> = serde_json::from_value(found).unwrap();
        assert!(found.is_empty(), "{path} at 360px: {found:?}");
    }
    b.close().await;
}
