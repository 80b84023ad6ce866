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

/// Mails every active operator of a unit, each in their own language, about `topic`, in the
/// caller's transaction; `fill` puts the mail's values in.
pub(crate) fn mail_unit(
    conn: &mut crate::db::DbConn,
    state: &crate::state::AppState,
    unit_id: i32,
    template: &str,
    topic: &str,
    fill: &dyn Fn(crate::i18n::Lang, &mut tera::Context),
) -> Result<(), crate::error::AppError> {
    for (to, name, lang) in crate::models::user::unit_readers(conn, unit_id)? {
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
        crate::outbox::enqueue(conn, &mail)?;
    }
    Ok(())
}
