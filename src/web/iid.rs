//! A shortlisted entry's IID readiness, on its unit's side: for each national indicator the level
//! reached, the evidence described and an evidence document (bukti dukung), all in one form, so a
//! unit completes it in one save from a phone.

use actix_multipart::Multipart;
use actix_web::{FromRequest, HttpRequest, HttpResponse, http::header, web};

use crate::db;
use crate::error::{AppError, FieldErrors};
use crate::services::shortlist::{self as svc, files};
use crate::web::{Page, upload};

/// What the unit sent: the answers as typed, and the documents chosen.
struct Sent {
    answers: svc::AnswersInput,
    files: Vec<files::Incoming>,
    drop: Vec<i32>,
}

async fn render(
    page: &Page,
    id: i32,
    typed: Option<(&svc::AnswersInput, &FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    let readonly = page.user()?.role == crate::domain::Role::Organiser;
    let who = page.entry_actor()?;
    let (e, rows, readiness, missing, max_mb) = db::run(&page.state.pool, move |conn| {
        let e = crate::services::entries::visible(conn, &who, id)?;
        // Not shortlisted: nothing to complete here.
        if !crate::models::iid::is_listed(conn, e.id)? {
            return Err(AppError::NotFound);
        }
        let max_mb = crate::models::edition::find(conn, e.edition_id)?
            .ok_or(AppError::NotFound)?
            .max_file_mb;
        let (rows, r, missing) = svc::answers_of(conn, &e)?;
        Ok((e, rows, r, missing, max_mb))
    })
    .await?;
    // What was typed wins over what is stored, so a refused form loses nothing.
    let shown: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let typed_row = typed.and_then(|(t, _)| t.iter().find(|x| x.0 == r.indicator.id));
            serde_json::json!({
                "indicator": r.indicator,
                "level": typed_row.map_or(r.level.to_string(), |x| x.1.clone()),
                "evidence": typed_row.map_or(r.evidence.clone(), |x| x.2.clone()),
                "file": r.file,
            })
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("entry", &e);
    ctx.insert("rows", &shown);
    ctx.insert("readiness", &readiness);
    ctx.insert("missing", &missing);
    ctx.insert("max_mb", &max_mb);
    ctx.insert("readonly", &readonly);
    match typed {
        Some((_, errors)) => {
            // The summary's messages name the edition's real file limit, as the fields' do.
            let items: Vec<(String, String)> = errors
                .iter()
                .map(|(f, k)| {
                    (
                        format!("f-{f}"),
                        page.t_args(k, &[("mb", max_mb.to_string())]),
                    )
                })
                .collect();
            ctx.insert("error_items", &items);
            let values: std::collections::HashMap<String, String> = Default::default();
            page.form_errors("results/iid.html", ctx, &values, errors)
        }
        None => page.render("results/iid.html", ctx),
    }
}

/// `GET /opd/entries/{id}/iid`: a shortlisted entry's IID readiness form.
pub async fn form(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    render(&page, id.into_inner(), None).await
}

/// `GET /organiser/entries/{id}/iid`: what a shortlisted entry's unit declares, with its
/// evidence documents, for the organisers to check before the national report.
pub async fn review(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    render(&page, id.into_inner(), None).await
}

/// The answers from the form's fields: `ind` repeats the indicator ids, with `lvl-{id}` and
/// `ev-{id}` for each; `drop` names documents to delete.
fn answers(fields: &[(String, String)]) -> Result<(svc::AnswersInput, Vec<i32>), AppError> {
    let get = |k: String| {
        fields
            .iter()
            .find(|(f, _)| *f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut input = Vec::new();
    let mut drop = Vec::new();
    for (k, v) in fields {
        let id = || {
            v.trim()
                .parse::<i32>()
                .map_err(|_| AppError::BadRequest(format!("{k} is not an id")))
        };
        match k.as_str() {
            "ind" => {
                let ind = id()?;
                input.push((ind, get(format!("lvl-{ind}")), get(format!("ev-{ind}"))));
            }
            "drop" => drop.push(id()?),
            _ => {}
        }
    }
    Ok((input, drop))
}

/// Reads the form as sent: multipart with documents from a browser, or plain fields.
async fn read(req: &HttpRequest, payload: web::Payload) -> Result<Result<Sent, String>, AppError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let form = web::Form::<Vec<(String, String)>>::from_request(req, &mut payload.into_inner())
            .await
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let (answers, drop) = answers(&form)?;
        return Ok(Ok(Sent {
            answers,
            files: Vec::new(),
            drop,
        }));
    }
    // The edition's own limit is checked after reading; this bound only stops endless uploads.
    let parts = upload::read_parts(Multipart::new(req.headers(), payload), 60 * 1024 * 1024).await;
    let (fields, uploads) = match parts {
        Ok(p) => p,
        Err(key) => return Ok(Err(key.to_string())),
    };
    let (answers, drop) = answers(&fields)?;
    let mut files = Vec::new();
    for (field, f) in uploads {
        let Some(Ok(indicator_id)) = field.strip_prefix("file-").map(str::parse::<i32>) else {
            return Err(AppError::BadRequest(format!("unknown file field {field}")));
        };
        files.push(files::Incoming {
            indicator_id,
            filename: f.filename,
            bytes: f.bytes,
        });
    }
    Ok(Ok(Sent {
        answers,
        files,
        drop,
    }))
}

/// `POST /opd/entries/{id}/iid`: saves the answers, deletes the documents ticked, and stores the
/// documents chosen. Documents that pass are kept even when another field is refused, and the
/// form comes back with everything typed.
pub async fn save(
    page: Page,
    id: web::Path<i32>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let back = format!("/opd/entries/{id}/iid");
    let sent = match read(&req, payload).await? {
        Ok(s) => s,
        Err(key) => {
            // The upload itself broke (or passed the hard bound): nothing of it can be used.
            let who = page.entry_actor()?;
            let mb = db::run(&page.state.pool, move |conn| {
                crate::services::evidence::limit_mb(conn, &who, id)
            })
            .await?;
            let key = if key == "upload.too_large" {
                "evidence.too_large"
            } else {
                key.as_str()
            };
            page.flash("error", page.t_args(key, &[("mb", mb.to_string())]));
            return Ok(crate::web::page::see_other(&back));
        }
    };
    let who = page.entry_actor()?;
    let state = page.state.clone();
    let Sent {
        answers,
        files: incoming,
        drop,
    } = sent;
    let typed = answers.clone();
    let outcome = db::run(&page.state.pool, move |conn| {
        for file in &drop {
            // Already gone (replaced or deleted in another tab): nothing left to do.
            match files::delete(conn, &state, &who, id, *file) {
                Ok(_) | Err(AppError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        let mut errors = files::store(conn, &state, &who, id, &incoming)?;
        let e = files::answerable(conn, &who, id)?;
        match svc::save_answers(conn, &who.actor, &e, &answers) {
            Ok(()) => {}
            Err(AppError::Invalid(more)) => errors.extend(more),
            Err(other) => return Err(other),
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(errors))
        }
    })
    .await;
    match outcome {
        Ok(()) => {
            page.flash("success", page.t("iid.saved"));
            Ok(crate::web::page::see_other(&back))
        }
        Err(AppError::Invalid(errors)) => render(&page, id, Some((&typed, &errors))).await,
        Err(e) => Err(e),
    }
}

/// `GET /entries/{id}/iid/files/{file}`: an IID evidence document, to whoever may see the entry.
pub async fn download(page: Page, path: web::Path<(i32, i32)>) -> Result<HttpResponse, AppError> {
    let (id, file) = path.into_inner();
    let who = page.entry_actor()?;
    let state = page.state.clone();
    let (f, disk) = db::run(&page.state.pool, move |conn| {
        files::open(conn, &state, &who, id, file)
    })
    .await?;
    upload::send_stored(&f.original_name, &f.content_type, &disk).await
}
