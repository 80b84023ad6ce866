//! Rendering emails from `templates/emails/<name>/{subject.txt,body.txt,body.html}` in the recipient's
//! language, and delivering them: SMTP when configured, files otherwise.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

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
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder, for the demo and machines without SMTP.
    File(PathBuf),
}

impl Mailer {
    /// SMTP from a URL such as `smtp://host:1025` or `smtps://user:pass@host`, else files in `dir`.
    pub fn from_settings(smtp_url: Option<&str>, dir: PathBuf) -> Result<Mailer, AppError> {
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| AppError::Config(format!("SMTP_URL is not usable: {e}")))?
                    .timeout(Some(Duration::from_secs(30)))
                    .build();
                Ok(Mailer::Smtp(transport))
            }
            None => {
                std::fs::create_dir_all(&dir).map_err(|e| {
                    AppError::Config(format!("cannot create {}: {e}", dir.display()))
                })?;
                Ok(Mailer::File(dir))
            }
        }
    }

    /// Delivers one outbox mail.
    pub async fn send(&self, from: &str, mail: &OutboxMail) -> Result<(), SendError> {
        let message = build_message(from, mail).map_err(SendError::Permanent)?;
        match self {
            Mailer::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    SendError::Permanent(e.to_string())
                } else {
                    SendError::Transient(e.to_string())
                }
            }),
            Mailer::File(dir) => {
                let t = AsyncFileTransport::<Tokio1Executor>::new(dir);
                t.send(message)
                    .await
                    .map(|id| tracing::info!(to = %mail.to_email, subject = %mail.subject, file = %id, "mail written to file"))
                    .map_err(|e| SendError::Transient(e.to_string()))
            }
        }
    }
}

fn build_message(from: &str, mail: &OutboxMail) -> Result<Message, String> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| format!("MAIL_FROM {from:?}: {e}"))?;
    let to = Mailbox::new(
        Some(mail.to_name.clone()),
        mail.to_email
            .parse()
            .map_err(|e| format!("recipient {:?}: {e}", mail.to_email))?,
    );
    Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(mail.message_id.clone()))
        .multipart(MultiPart::alternative_plain_html(
            mail.body_text.clone(),
            mail.body_html.clone(),
        ))
        .map_err(|e| e.to_string())
}
