//! Rendering emails from `templates/emails/<name>/{subject.txt,body.txt,body.html}` in the recipient's
//! language, and delivering them: SMTP when configured, files otherwise.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};

use crate::error::AppError;
use crate::i18n::Lang;
use crate::models::outbox::{NewMail, OutboxMail, PENDING};
use crate::templates::Templates;

/// A recipient.
pub struct Recipient<'a> {
    /// Address.
    pub email: &'a str,
    /// Name.
    pub name: &'a str,
    /// Language to write in.
    pub lang: Lang,
}

/// Renders an email into an outbox row (not yet stored).
pub fn render(
    templates: &Templates,
    name: &str,
    to: &Recipient,
    ctx: &mut tera::Context,
) -> Result<NewMail, AppError> {
    ctx.insert("recipient_name", to.name);
    ctx.insert("lang", to.lang.code());
    let subject = templates.render(to.lang, &format!("emails/{name}/subject.txt"), ctx)?;
    let body_text = templates.render(to.lang, &format!("emails/{name}/body.txt"), ctx)?;
    let body_html = templates.render(to.lang, &format!("emails/{name}/body.html"), ctx)?;
    let now = crate::db::now();
    Ok(NewMail {
        to_email: to.email.to_string(),
        to_name: to.name.to_string(),
        template: name.to_string(),
        lang: to.lang.code().to_string(),
        subject: subject.trim().replace(['\r', '\n'], " "),
        body_text,
        body_html,
        message_id: format!("<{}@biw.bekasikota.go.id>", crate::auth::token::new_token()),
        status: PENDING.to_string(),
        next_attempt_at: now,
        created_at: now,
        topic: String::new(),
    })
}

/// How a failed delivery should be treated.
#[derive(Debug)]
pub enum SendError {
    /// Try again later (server down, 4xx, timeout).
    Transient(String),
    /// Retrying will not help (bad address, 5xx, unbuildable message).
    Permanent(String),
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// A real SMTP server.
    Smtp(Arc<SmtpClient>),
    /// `.eml` files in a folder, for the demo and machines without SMTP.
    File(PathBuf),
}

impl Mailer {
    /// SMTP from a URL such as `smtp://host:1025`, `smtp://user:pass@host:587?tls=required` or
    /// `smtps://user:pass@host`, else files in `dir`.
    pub fn from_settings(
        smtp_url: Option<&str>,
        dir: PathBuf,
        per_second: u32,
    ) -> Result<Mailer, AppError> {
        match smtp_url {
            Some(url) => {
                let mut client = SmtpClient::from_url(url)?;
                client.pacer = Pacer::new(per_second);
                Ok(Mailer::Smtp(Arc::new(client)))
            }
            None => {
                std::fs::create_dir_all(&dir).map_err(|e| {
                    AppError::Config(format!("cannot create {}: {e}", dir.display()))
                })?;
                Ok(Mailer::File(dir))
            }
        }
    }

    /// Delivers one outbox mail. Never panics: a message that cannot be built is a permanent failure.
    pub async fn send(&self, from: &str, mail: &OutboxMail) -> Result<(), SendError> {
        let message =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build_message(from, mail)))
                .unwrap_or_else(|_| Err("the message could not be built".to_string()))
                .map_err(SendError::Permanent)?;
        match self {
            Mailer::Smtp(client) => client.send(&message).await,
            Mailer::File(dir) => {
                let t = AsyncFileTransport::<Tokio1Executor>::new(dir);
                t.send(message)
                    .await
                    .map(|id| tracing::info!(mail = mail.id, file = %id, "mail written to file"))
                    .map_err(|e| SendError::Transient(e.to_string()))
            }
        }
    }
}

fn classify(e: lettre::transport::smtp::Error) -> SendError {
    if e.is_permanent() {
        SendError::Permanent(e.to_string())
    } else {
        SendError::Transient(e.to_string())
    }
}

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone)]
enum Security {
    /// Plain text (a local relay or a test sink).
    None,
    /// STARTTLS, required or only when offered.
    StartTls { required: bool },
    /// TLS from the first byte (`smtps://`).
    Wrapper,
}

/// An SMTP client that keeps a few idle connections and sets `TCP_NODELAY` on them.
///
/// lettre 0.11 leaves Nagle's algorithm on: the end of every message then waits for the server's
/// delayed ACK (~40 ms), which capped delivery at ~20 mails a second and widened the window in which a
/// crash leaves a mail sent but not marked. Opening the TCP connection here and handing it to lettre
/// removes the stall. `smtps://` connections are opened by lettre itself (its TLS stream is private), so
/// they keep the stall: prefer STARTTLS on port 587 for volume.
pub struct SmtpClient {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    /// The time limit of each step: opening a connection, and sending one message.
    timeout: Duration,
    pacer: Pacer,
}

/// Mails a second an instance sends at most, unless `BIW_MAIL_RATE` says otherwise: 10,000
/// invitations in 40 s, a pace mail relays accept. Unpaced, the worker sent 2,000 a second to a
/// local server, and a crash then catches a mail between the server's "250 OK" and the commit that
/// marks it sent (the mail goes twice) in 6 kills out of 20; the chance per kill is the pace times
/// that window of a fraction of a millisecond.
pub const DEFAULT_MAIL_RATE: u32 = 250;

/// Spaces sends `1 / per_second` apart across every lane of an instance; a pause does not build up
/// a burst.
#[derive(Debug)]
pub struct Pacer {
    period: Option<Duration>,
    next: tokio::sync::Mutex<tokio::time::Instant>,
}

impl Pacer {
    /// A pacer for `per_second` sends a second (0: no pacing).
    pub fn new(per_second: u32) -> Pacer {
        Pacer {
            period: (per_second > 0).then(|| Duration::from_secs(1) / per_second),
            next: tokio::sync::Mutex::new(tokio::time::Instant::now()),
        }
    }

    /// Waits for the next send's turn.
    pub async fn turn(&self) {
        let Some(period) = self.period else {
            return;
        };
        let at = {
            let mut next = self.next.lock().await;
            let at = (*next).max(tokio::time::Instant::now());
            *next = at + period;
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

/// A server may drop a connection that sat idle; one older than this is not reused.
const IDLE_REUSE: Duration = Duration::from_secs(15);
/// Connect, command and data timeout.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

impl SmtpClient {
    /// Parses `SMTP_URL` with lettre's rules (scheme, `?tls=`, credentials, path as HELO name).
    pub fn from_url(url: &str) -> Result<SmtpClient, AppError> {
        let bad = |why: String| AppError::Config(format!("SMTP_URL is not usable: {why}"));
        let parsed = url::Url::parse(url).map_err(|e| bad(e.to_string()))?;
        let host = parsed
            .host_str()
            .ok_or_else(|| bad("no host".into()))?
            .trim_matches(['[', ']'])
            .to_string();
        let tls = parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        let (security, default_port) = match (parsed.scheme(), tls.as_deref()) {
            ("smtp", None) => (Security::None, 25),
            ("smtp", Some("required")) => (Security::StartTls { required: true }, 587),
            ("smtp", Some("opportunistic")) => (Security::StartTls { required: false }, 587),
            ("smtps", _) => (Security::Wrapper, 465),
            (scheme, tls) => return Err(bad(format!("scheme {scheme:?}, tls {tls:?}"))),
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let credentials = parsed
            .password()
            .map(|p| Credentials::new(decode(parsed.username()), decode(p)));
        let hello = match parsed.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_string()),
        };
        Ok(SmtpClient {
            port: parsed.port().unwrap_or(default_port),
            host,
            security,
            credentials,
            hello,
            idle: Mutex::new(Vec::new()),
            timeout: SMTP_TIMEOUT,
            pacer: Pacer::new(0),
        })
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let tls = || TlsParameters::new(self.host.clone()).map_err(classify);
        let mut conn = match self.security {
            Security::Wrapper => AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(self.timeout),
                &self.hello,
                Some(tls()?),
                None,
            )
            .await
            .map_err(classify)?,
            _ => {
                let connect = tokio::net::TcpStream::connect((self.host.as_str(), self.port));
                let stream = tokio::time::timeout(self.timeout, connect)
                    .await
                    .map_err(|_| SendError::Transient("connecting timed out".into()))?
                    .map_err(|e| SendError::Transient(format!("cannot connect: {e}")))?;
                stream
                    .set_nodelay(true)
                    .map_err(|e| SendError::Transient(e.to_string()))?;
                AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
                    .await
                    .map_err(classify)?
            }
        };
        if let Security::StartTls { required } = self.security {
            if conn.can_starttls() {
                conn.starttls(tls()?, &self.hello).await.map_err(classify)?;
            } else if required {
                conn.abort().await;
                return Err(SendError::Transient(
                    "the server does not offer STARTTLS".into(),
                ));
            }
        }
        if let Some(c) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], c)
                .await
                .map_err(classify)?;
        }
        Ok(conn)
    }

    /// Sends one message over an idle connection or a new one; a connection that failed is dropped.
    pub async fn send(&self, message: &Message) -> Result<(), SendError> {
        self.pacer.turn().await;
        let reusable = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            let mut found = None;
            while let Some((conn, since)) = idle.pop() {
                if since.elapsed() < IDLE_REUSE && !conn.has_broken() {
                    found = Some(conn);
                    break;
                }
            }
            found
        };
        // The whole opening (greeting, EHLO, STARTTLS, AUTH) has one time limit: a server that
        // accepts the connection and then says nothing must not hold the mail lane (and with it
        // the scheduler and shutdown) for ever.
        let mut conn = match reusable {
            Some(c) => c,
            None => tokio::time::timeout(self.timeout, self.connect())
                .await
                .map_err(|_| {
                    SendError::Transient("the SMTP server did not answer in time".into())
                })??,
        };
        let bytes = message.formatted();
        let sent = tokio::time::timeout(self.timeout, conn.send(message.envelope(), &bytes))
            .await
            .map_err(|_| SendError::Transient("sending timed out".into()))
            .and_then(|r| r.map_err(classify));
        match sent {
            Ok(_) => {
                self.idle
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((conn, Instant::now()));
                Ok(())
            }
            Err(e) => {
                // A polite QUIT, but not waiting on a server that stopped answering.
                let _ = tokio::time::timeout(Duration::from_secs(2), conn.abort()).await;
                Err(e)
            }
        }
    }
}

/// Text that goes into a header: control characters (line breaks above all) become spaces, so no
/// stored value can split a header or make the builder fail.
fn header_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn build_message(from: &str, mail: &OutboxMail) -> Result<Message, String> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| format!("MAIL_FROM {from:?}: {e}"))?;
    let address: Address = crate::domain::Email::parse(&mail.to_email)
        .ok()
        .and_then(|e| e.as_str().parse().ok())
        .ok_or_else(|| format!("recipient {:?} is not a valid address", mail.to_email))?;
    let name = header_text(&mail.to_name);
    let to = Mailbox::new((!name.is_empty()).then_some(name), address);
    Message::builder()
        .from(from)
        .to(to)
        .subject(header_text(&mail.subject))
        .message_id(Some(header_text(&mail.message_id)))
        .multipart(MultiPart::alternative_plain_html(
            mail.body_text.clone(),
            mail.body_html.clone(),
        ))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn sends_are_spaced_across_lanes_and_a_pause_builds_no_burst() {
        let pacer = Arc::new(Pacer::new(250));
        let start = tokio::time::Instant::now();
        let lanes: Vec<_> = (0..2)
            .map(|_| {
                let p = pacer.clone();
                tokio::spawn(async move {
                    for _ in 0..5 {
                        p.turn().await;
                    }
                })
            })
            .collect();
        for lane in lanes {
            lane.await.unwrap();
        }
        // Ten turns over two lanes, 4 ms apart: the first at once, the last nine periods later.
        assert_eq!(start.elapsed(), Duration::from_millis(36));
        // After a quiet second the next turn comes at once and the one after a period later.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let t = tokio::time::Instant::now();
        pacer.turn().await;
        assert_eq!(t.elapsed(), Duration::ZERO);
        pacer.turn().await;
        assert_eq!(t.elapsed(), Duration::from_millis(4));
        // 0: as fast as the server answers.
        let free = Pacer::new(0);
        let t = tokio::time::Instant::now();
        for _ in 0..100 {
            free.turn().await;
        }
        assert_eq!(t.elapsed(), Duration::ZERO);
    }

    #[tokio::test]
    async fn a_server_that_accepts_and_never_answers_is_a_transient_failure() {
        // Accepts connections and holds them open without a greeting.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let mut client = SmtpClient::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
        client.timeout = Duration::from_millis(300);
        let message = Message::builder()
            .from("panitia@biw.id".parse().unwrap())
            .to("opd@biw.id".parse().unwrap())
            .subject("x")
            .body("x".to_string())
            .unwrap();
        // The outer limit only keeps a regression from hanging the suite.
        let outcome = tokio::time::timeout(Duration::from_secs(60), client.send(&message))
            .await
            .expect("the send gave up by itself");
        match outcome {
            Err(SendError::Transient(why)) => assert!(why.contains("did not answer"), "{why}"),
            other => panic!("expected a transient failure, got {other:?}"),
        }
    }
}
