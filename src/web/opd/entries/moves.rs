//! Status changes an operator makes: start a draft, submit, withdraw, reopen, enter again.

use super::*;

/// `POST /opd/entries/new`: starts a draft in the current edition.
pub async fn create(page: Page) -> Result<HttpResponse, AppError> {
    let who = actor(&page).await?;
    let result = db::run(&page.state.pool, move |conn| {
        let ed = edition::current(conn, db::now())?
            .ok_or_else(|| crate::error::invalid("edition", "entries.registration_closed"))?;
        svc::create_draft(conn, &who, ed.id, &EntryContent::default(), None)
    })
    .await;
    match result {
        Ok(id) => Ok(see_other(&format!("/opd/entries/{id}"))),
        Err(AppError::Invalid(errors)) => {
            let key = errors.values().next().cloned().unwrap_or_default();
            page.flash("error", page.t(&key));
            Ok(see_other("/opd"))
        }
        Err(e) => Err(e),
    }
}

/// `POST /opd/entries/{id}/reenter`: a new draft in the current edition, pre-filled from an earlier entry.
pub async fn reenter(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let who = actor(&page).await?;
    let old = id.into_inner();
    let result = db::run(&page.state.pool, move |conn| {
        let ed = edition::current(conn, db::now())?
            .ok_or_else(|| crate::error::invalid("edition", "entries.registration_closed"))?;
        svc::reenter(conn, &who, old, ed.id)
    })
    .await;
    match result {
        Ok(id) => {
            page.flash("success", page.t("entries.reentered"));
            Ok(see_other(&format!("/opd/entries/{id}")))
        }
        Err(AppError::Invalid(errors)) => {
            let key = errors.values().next().cloned().unwrap_or_default();
            page.flash("error", page.t(&key));
            Ok(see_other("/opd"))
        }
        Err(e) => Err(e),
    }
}

/// `POST /opd/entries/{id}/submit`: the endorser submits (or resubmits after a return).
pub async fn submit(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let who = actor(&page).await?;
    let state = page.state.clone();
    let result = db::run(&page.state.pool, move |conn| {
        let e = svc::visible(conn, &who, id)?;
        let to = if e.status == EntryStatus::Returned.code() {
            EntryStatus::Resubmitted
        } else {
            EntryStatus::Submitted
        };
        svc::transition(conn, &state, &who, id, to, "", &[])
    })
    .await;
    match result {
        Ok(_) => {
            page.flash("success", page.t("entries.submitted_flash"));
            Ok(see_other(&format!("/opd/entries/{id}")))
        }
        Err(AppError::Incomplete(list)) => {
            let problems = list
                .into_iter()
                .map(|(field, key, args)| Problem { field, key, args })
                .collect();
            let mut errors = crate::error::FieldErrors::new();
            errors.insert("submit".into(), "entries.incomplete".into());
            render_entry(
                &page,
                id,
                None,
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                Some(problems),
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            let key = errors.values().next().cloned().unwrap_or_default();
            page.flash("error", page.t(&key));
            Ok(see_other(&format!("/opd/entries/{id}")))
        }
        Err(AppError::Conflict) => {
            page.flash("info", page.t("entries.already_done"));
            Ok(see_other(&format!("/opd/entries/{id}")))
        }
        Err(AppError::Forbidden) => {
            page.flash("error", page.t("entries.not_endorser"));
            Ok(see_other(&format!("/opd/entries/{id}")))
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn simple_move(
    page: Page,
    id: i32,
    to: EntryStatus,
    done_key: &str,
) -> Result<HttpResponse, AppError> {
    let who = actor(&page).await?;
    let state = page.state.clone();
    match db::run(&page.state.pool, move |conn| {
        svc::transition(conn, &state, &who, id, to, "", &[])
    })
    .await
    {
        Ok(_) => page.flash("success", page.t(done_key)),
        Err(AppError::Invalid(errors)) => page.flash(
            "error",
            page.t(errors
                .values()
                .next()
                .map(String::as_str)
                .unwrap_or_default()),
        ),
        Err(AppError::Conflict) => page.flash("info", page.t("entries.already_done")),
        Err(AppError::Forbidden) => page.flash("error", page.t("entries.not_allowed")),
        Err(e) => return Err(e),
    }
    Ok(see_other(&format!("/opd/entries/{id}")))
}

/// `POST /opd/entries/{id}/withdraw`.
pub async fn withdraw(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    simple_move(
        page,
        id.into_inner(),
        EntryStatus::Withdrawn,
        "entries.withdrawn_flash",
    )
    .await
}

/// `POST /opd/entries/{id}/reopen`: a withdrawn entry becomes a draft again (before the deadline).
pub async fn reopen(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    simple_move(
        page,
        id.into_inner(),
        EntryStatus::Draft,
        "entries.reopened_flash",
    )
    .await
}
