//! Use cases: each owns its transaction, checks its rules, writes the audit event and enqueues mail.

pub mod accounts;
pub mod dashboard;
pub mod demo;
pub mod demo_edition;
pub mod demo_judging;
pub mod edition_lists;
pub mod editions;
pub mod entries;
pub mod evidence;
pub mod import;
pub mod judging;
pub mod results;
pub mod round_cache;
pub mod rounds;
pub mod rubrics;
pub mod screening;
pub mod shortlist;
pub mod units;

type Fill<'a> = &'a dyn Fn(crate::i18n::Lang, &mut tera::Context);

/// Mails every active operator of a unit, each in their own language, about `topic`, in the
/// caller's transaction, not before `not_before` (the end of a lease on the mail it follows);
/// `fill` puts the mail's values in.
pub(crate) fn mail_unit(
    conn: &mut crate::db::DbConn,
    state: &crate::state::AppState,
    unit_id: i32,
    template: &str,
    topic: &str,
    not_before: Option<chrono::NaiveDateTime>,
    fill: Fill,
) -> Result<(), crate::error::AppError> {
    for reader in crate::models::user::unit_readers(conn, unit_id)? {
        mail_one(conn, state, reader, template, topic, not_before, fill)?;
    }
    Ok(())
}

/// Mails the active account with this address, in its language, about `topic`, not before
/// `not_before`, in the caller's transaction; false when there is no such account (it was
/// closed or deactivated since it was last mailed).
pub(crate) fn mail_reader(
    conn: &mut crate::db::DbConn,
    state: &crate::state::AppState,
    email: &str,
    template: &str,
    topic: &str,
    not_before: chrono::NaiveDateTime,
    fill: Fill,
) -> Result<bool, crate::error::AppError> {
    use crate::db::schema::users;
    use diesel::prelude::*;
    let reader: Option<(String, String, String)> = users::table
        .filter(users::email.eq(email))
        .filter(users::active.eq(true))
        .select((users::email, users::name, users::lang))
        .first(conn)
        .optional()?;
    let Some(reader) = reader else {
        return Ok(false);
    };
    mail_one(conn, state, reader, template, topic, Some(not_before), fill)?;
    Ok(true)
}

/// Mails one reader (address, name, language code) about `topic`, not before `not_before`, in
/// the caller's transaction.
pub(crate) fn mail_one(
    conn: &mut crate::db::DbConn,
    state: &crate::state::AppState,
    (to, name, lang): (String, String, String),
    template: &str,
    topic: &str,
    not_before: Option<chrono::NaiveDateTime>,
    fill: Fill,
) -> Result<(), crate::error::AppError> {
    let lang = crate::i18n::Lang::from_code(&lang);
    let mut ctx = tera::Context::new();
    fill(lang, &mut ctx);
    let mail = crate::email::render(
        &state.templates,
        template,
        &crate::email::Recipient {
            email: &to,
            name: &name,
            lang,
        },
        &mut ctx,
    )?
    .about(topic.to_string());
    let mail = match not_before {
        Some(at) => mail.not_before(at),
        None => mail,
    };
    crate::outbox::enqueue(conn, &mail)?;
    Ok(())
}
