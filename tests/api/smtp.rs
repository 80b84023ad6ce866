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

/// An outbox row as it could be stored by a bug or an old version: nothing validated.
fn raw_mail(to_email: &str, to_name: &str, subject: &str) -> biw::models::outbox::NewMail {
    let now = biw::db::now();
    biw::models::outbox::NewMail {
        to_email: to_email.into(),
        to_name: to_name.into(),
        template: "test".into(),
        lang: "id".into(),
        subject: subject.into(),
        body_text: "Isi".into(),
        body_html: "<p>Isi</p>".into(),
        message_id: format!("<{}@biw.test>", biw::auth::token::new_token()),
        status: "pending".into(),
        next_attempt_at: now,
        created_at: now,
        topic: String::new(),
    }
}

#[tokio::test]
async fn malformed_names_and_addresses_never_stop_the_mail_that_follows() {
    if !sink_available() {
        return;
    }
    let sink = SmtpSink::not_started(free_port()).start().await;
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let app = spawn_app_with(|s| s.smtp_url = Some(url)).await;
    let long = "Nama ".repeat(3000);
    let bad_names: Vec<&str> = vec![
        "Ani\nBcc: curian@contoh.id",
        "Ani\r\n\r\nisi palsu",
        "Ani\rBudi",
        "A\u{0}B",
        "A\u{1b}[31mB",
        "\"Ani\" <lain@contoh.id>",
        "=?utf-8?q?Ani?=",
        "A\u{2028}B\u{85}C",
        "",
        &long,
        "Ani, Budi; Cici",
    ];
    let bad_addresses = [
        "",
        "bukan-alamat",
        "a\nb@contoh.id",
        "a@contoh.id\r\nBcc: c@contoh.id",
        "a\u{0}@contoh.id",
        "\"a b\"@contoh.id",
        "a;b@contoh.id",
        "a@contoh.id, b@contoh.id",
        "<a@contoh.id>",
        "a@",
        "a@contoh.id\u{7f}",
    ];
    let mut ids = Vec::new();
    for (i, name) in bad_names.iter().enumerate() {
        let m = raw_mail(
            &format!("nama{i}@contoh.id"),
            name,
            "Subjek\r\nBcc: x@contoh.id",
        );
        // PostgreSQL refuses NUL in text: such a row cannot exist there, so it cannot reach the worker.
        if let Some(id) = app
            .db(move |c| biw::models::outbox::insert(c, &m).ok())
            .await
        {
            ids.push(id);
        }
    }
    let mut bad_ids = Vec::new();
    for address in bad_addresses {
        let m = raw_mail(address, "Ani", "Subjek");
        if let Some(id) = app
            .db(move |c| biw::models::outbox::insert(c, &m).ok())
            .await
        {
            bad_ids.push(id);
        }
    }
    let good = raw_mail("baik@contoh.id", "Budi Santoso", "Surat yang baik");
    let good_id = app
        .db(move |c| biw::models::outbox::insert(c, &good).unwrap())
        .await;

    app.drain_outbox().await;

    let rows = app
        .db(|conn| {
            use biw::db::schema::outbox;
            outbox::table
                .select((outbox::id, outbox::status, outbox::last_error))
                .load::<(i32, String, Option<String>)>(conn)
                .unwrap()
        })
        .await;
    let status = |id: i32| rows.iter().find(|r| r.0 == id).unwrap().clone();
    assert_eq!(
        status(good_id).1,
        "sent",
        "the good mail after them is delivered"
    );
    for id in &ids {
        assert_eq!(
            status(*id).1,
            "sent",
            "a bad name is cleaned, not fatal: {:?}",
            status(*id)
        );
    }
    for id in &bad_ids {
        let (_, st, err) = status(*id);
        assert_eq!(st, "failed", "a bad address fails for good");
        assert!(err.is_some_and(|e| !e.is_empty()), "with its reason");
    }
    assert!(bad_ids.len() >= 9 && ids.len() >= 10);
    let messages = sink.messages();
    assert_eq!(messages.len(), ids.len() + 1);
    for raw in &messages {
        let (parsed, _, _) = text_part(raw);
        use mailparse::MailHeaderMap;
        assert!(
            parsed.headers.get_first_value("Bcc").is_none(),
            "no header injected"
        );
        let to = parsed.headers.get_first_header("To").unwrap();
        let list = mailparse::addrparse_header(to).unwrap();
        assert_eq!(list.len(), 1, "one recipient: {list:?}");
    }
}

/// The judging mails (the assignment digest, the reminder, the reopening) go out over SMTP, each
/// exactly once, with the judge's entries in them.
#[tokio::test]
async fn judging_mails_arrive_over_smtp_once_each() {
    if !sink_available() {
        return;
    }
    let sink = SmtpSink::not_started(free_port()).start().await;
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let app = spawn_app_with(|s| s.smtp_url = Some(url)).await;
    let (ed, round, ids) = crate::judging::open_round(&app, 2).await;
    let a = crate::judging::judge(&app, "wulan@brin.go.id", None).await;
    crate::judging::add_judges(&app, round, &[&a]).await;
    crate::judging::assign(&app, round, &a, &ids).await;
    crate::judging::declare(&app, &a, ed).await;
    // The digest, pressed twice; the reminder.
    for _ in 0..2 {
        app.post_form(&format!("/organiser/rounds/{round}/notify"), &[])
            .await;
    }
    app.post_form(&format!("/organiser/rounds/{round}/remind"), &[])
        .await;
    // A submitted sheet, reopened after the window closed.
    let aid = crate::judging::live(&app, round).await[0].0;
    let criteria = app
        .db(move |conn| {
            let r = biw::models::round::find(conn, round).unwrap().unwrap();
            biw::models::rubric::criteria(conn, r.rubric_id).unwrap()
        })
        .await;
    let mut form: Vec<(String, String)> = criteria
        .iter()
        .map(|c| (format!("score.{}", c.id), "4".to_string()))
        .collect();
    form.push(("lock_version".into(), "0".into()));
    form.push(("action".into(), "submit".into()));
    let res =
        crate::entries::post_pairs(&app, &a.client, &format!("/judge/sheets/{aid}"), &form).await;
    assert_eq!(res.status().as_u16(), 303);
    let sheet = app
        .db(move |conn| {
            biw::models::sheet::for_assignment(conn, aid)
                .unwrap()
                .unwrap()
                .id
        })
        .await;
    app.post_form(
        &format!("/organiser/sheets/{sheet}/reopen"),
        &[("reason", "Nilai kebaruan tertukar"), ("days", "3")],
    )
    .await;
    app.drain_outbox().await;
    app.drain_outbox().await;

    use mailparse::MailHeaderMap;
    let subjects: Vec<(String, String)> = sink
        .messages()
        .iter()
        .map(|m| {
            let (parsed, text, _) = text_part(m);
            (parsed.headers.get_first_value("Subject").unwrap(), text)
        })
        .filter(|(_, text)| text.contains("Yth. Test judge"))
        .collect();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
    let one = |needle: &str| {
        let found: Vec<&(String, String)> = subjects
            .iter()
            .filter(|(s, _)| s.contains(needle))
            .collect();
        assert_eq!(found.len(), 1, "{needle}: {subjects:?}");
        found[0].1.clone()
    };
    let digest = one("2 inovasi untuk Anda nilai");
    assert!(digest.contains("Inovasi 0") && digest.contains("Inovasi 1"));
    let reminder = one("2 lembar nilai belum dikirim");
    assert!(reminder.contains("Inovasi 1"));
    let reopened = one("dibuka kembali");
    assert!(reopened.contains("Nilai kebaruan tertukar"));
}
