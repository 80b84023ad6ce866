//! Real SMTP over TCP: the outbox worker sends to an aiosmtpd server the test starts (Debian's
//! `python3-aiosmtpd`), and the test reads what that server received.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use biw::domain::Role;
use biw::outbox::Step;
use diesel::prelude::*;

use crate::helpers::{TestApp, spawn_app_with};

/// An SMTP server storing what it receives in a Maildir; killed on drop.
struct SmtpSink {
    child: Option<Child>,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

const PYTHON: &str = "/usr/bin/python3";

fn sink_available() -> bool {
    let ok = Command::new(PYTHON)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("CI").is_err(),
            "CI must have python3-aiosmtpd (apt-get install python3-aiosmtpd)"
        );
        eprintln!("skipping: python3-aiosmtpd is not installed");
    }
    ok
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl SmtpSink {
    fn not_started(port: u16) -> SmtpSink {
        let dir = tempfile::tempdir().unwrap();
        SmtpSink {
            child: None,
            port,
            maildir: dir.path().join("Maildir"),
            _dir: dir,
        }
    }

    async fn start(mut self) -> SmtpSink {
        let child = Command::new(PYTHON)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&self.maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        self.child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return self;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not start");
    }

    fn messages(&self) -> Vec<Vec<u8>> {
        let new = self.maildir.join("new");
        let mut files: Vec<_> = std::fs::read_dir(&new)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|p: &PathBuf| std::fs::read(Path::new(p)).unwrap())
            .collect()
    }
}

fn text_part(raw: &[u8]) -> (mailparse::ParsedMail<'_>, String, String) {
    let parsed = mailparse::parse_mail(raw).expect("a parsable message");
    let mut text = String::new();
    let mut html = String::new();
    for part in &parsed.subparts {
        match part.ctype.mimetype.as_str() {
            "text/plain" => text = part.get_body().unwrap(),
            "text/html" => html = part.get_body().unwrap(),
            _ => {}
        }
    }
    (parsed, text, html)
}

async fn invite(app: &TestApp, email: &str, lang: &str) {
    let res = app
        .post_form(
            "/organiser/users/new",
            &[
                ("email", email),
                ("name", "Dr. Wulan Pratiwi"),
                ("role", "judge"),
                ("lang", lang),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
}

#[tokio::test]
async fn the_outbox_worker_delivers_an_invitation_over_smtp() {
    if !sink_available() {
        return;
    }
    let sink = SmtpSink::not_started(free_port()).start().await;
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let app = spawn_app_with(|s| s.smtp_url = Some(url)).await;
    app.login_as(Role::Organiser).await;
    invite(&app, "wulan@brin.go.id", "id").await;
    let steps = app.drain_outbox().await;
    assert!(matches!(steps.as_slice(), [Step::Sent(_)]), "{steps:?}");
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let (parsed, text, html) = text_part(&messages[0]);
    use mailparse::MailHeaderMap;
    assert_eq!(
        parsed.headers.get_first_value("Subject").unwrap(),
        "Undangan ke BIW: aktifkan akun Anda"
    );
    assert!(
        parsed
            .headers
            .get_first_value("To")
            .unwrap()
            .contains("wulan@brin.go.id")
    );
    assert!(
        parsed
            .headers
            .get_first_value("From")
            .unwrap()
            .contains("noreply@biw.test")
    );
    let stored = app.mails_to("wulan@brin.go.id").await.remove(0);
    assert_eq!(
        parsed.headers.get_first_value("Message-ID").unwrap(),
        stored.message_id
    );
    let link = app.link_in(&stored, "/invite/");
    assert!(text.contains(&link), "the text part carries the link");
    assert!(html.contains(&link), "the HTML part carries the link");
    assert!(text.contains("Yth. Dr. Wulan Pratiwi,"));
    assert_eq!(stored.status, "sent");
    // The link from the received mail works.
    assert_eq!(
        app.get_with(&crate::helpers::new_client(), &link)
            .await
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn mail_queued_while_smtp_is_down_goes_out_once_it_is_back() {
    if !sink_available() {
        return;
    }
    let port = free_port();
    let app = spawn_app_with(|s| s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    app.login_as(Role::Organiser).await;
    invite(&app, "wulan@brin.go.id", "en").await;
    let steps = app.drain_outbox().await;
    assert!(matches!(steps.as_slice(), [Step::Retry(_)]), "{steps:?}");
    let sink = SmtpSink::not_started(port).start().await;
    app.db(|conn| {
        use biw::db::schema::outbox;
        diesel::update(outbox::table)
            .set(outbox::next_attempt_at.eq(biw::db::now()))
            .execute(conn)
            .unwrap();
    })
    .await;
    let steps = app.drain_outbox().await;
    assert!(matches!(steps.as_slice(), [Step::Sent(_)]), "{steps:?}");
    assert!(app.drain_outbox().await.is_empty());
    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "sent exactly once");
    let (parsed, _, _) = text_part(&messages[0]);
    use mailparse::MailHeaderMap;
    assert_eq!(
        parsed.headers.get_first_value("Subject").unwrap(),
        "Your invitation to BIW: activate your account"
    );
    let stored = app.mails_to("wulan@brin.go.id").await.remove(0);
    assert_eq!((stored.status.as_str(), stored.attempts), ("sent", 2));
}

#[tokio::test]
async fn the_background_worker_sends_without_being_asked() {
    if !sink_available() {
        return;
    }
    let sink = SmtpSink::not_started(free_port()).start().await;
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let app = spawn_app_with(|s| {
        s.smtp_url = Some(url);
        s.run_outbox_worker = true;
    })
    .await;
    app.login_as(Role::Organiser).await;
    invite(&app, "wulan@brin.go.id", "id").await;
    // Wait (bounded) for the worker's poll to pick it up; no timing is asserted.
    for _ in 0..150 {
        if !sink.messages().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(sink.messages().len(), 1);
    for _ in 0..50 {
        if app.mails_to("wulan@brin.go.id").await[0].status == "sent" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the mail was delivered but not marked sent");
}
