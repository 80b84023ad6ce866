//! An edition's judging page (its rubrics and rounds) and each round's page: settings and entries.

use actix_web::{HttpResponse, web};

use crate::db;
use crate::domain::judging::RoundKind;
use crate::domain::rubric::PRESETS;
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::models::{edition, round, rubric};
use crate::services::rounds::{self as svc, RoundInput};
use crate::web::Page;
use crate::web::page::see_other;

fn kinds(page: &Page) -> Vec<(&'static str, String)> {
    RoundKind::ALL
        .iter()
        .map(|k| (k.code(), page.t(&k.label_key())))
        .collect()
}

fn rubric_name(lang: Lang, r: &rubric::Rubric) -> String {
    lang.pick(&r.name_id, &r.name_en).to_string()
}

async fn overview_page(
    page: &Page,
    edition_id: i32,
    values: Option<&RoundInput>,
    errors: Option<&FieldErrors>,
) -> Result<HttpResponse, AppError> {
    let (ed, rubrics, copyable, rounds, editions) = db::run(&page.state.pool, move |conn| {
        let ed = edition::find(conn, edition_id)?.ok_or(AppError::NotFound)?;
        let rounds = round::for_edition(conn, edition_id)?;
        let mut with_counts = Vec::with_capacity(rounds.len());
        for r in rounds {
            let n = round::entry_ids(conn, r.id)?.len();
            with_counts.push((r, n));
        }
        Ok((
            ed,
            rubric::current_for_edition(conn, edition_id)?,
            rubric::copyable(conn, edition_id)?,
            with_counts,
            edition::all(conn)?,
        ))
    })
    .await?;
    let lang = page.lang;
    let names: std::collections::HashMap<i32, String> = rubrics
        .iter()
        .map(|r| (r.id, rubric_name(lang, r)))
        .collect();
    let edition_names: std::collections::HashMap<i32, String> =
        editions.into_iter().map(|e| (e.id, e.name)).collect();
    let copy_options: Vec<(i32, String)> = copyable
        .iter()
        .map(|r| {
            let ed = edition_names
                .get(&r.edition_id)
                .cloned()
                .unwrap_or_default();
            (r.id, format!("{ed}: {}", rubric_name(lang, r)))
        })
        .collect();
    let presets: Vec<(&str, String)> = PRESETS.iter().map(|(k, l)| (*k, page.t(l))).collect();
    let round_rows: Vec<serde_json::Value> = rounds
        .iter()
        .map(|(r, n)| {
            serde_json::json!({
                "id": r.id, "position": r.position, "name": lang.pick(&r.name_id, &r.name_en),
                "kind": page.t(&format!("rounds.kind_{}", r.kind)), "opens_at": r.opens_at,
                "closes_at": r.closes_at, "rubric": names.get(&r.rubric_id), "entries": n,
                "judges_per_entry": r.judges_per_entry,
            })
        })
        .collect();
    let rubric_rows: Vec<serde_json::Value> = rubrics
        .iter()
        .map(
            |r| serde_json::json!({"id": r.id, "name": rubric_name(lang, r), "version": r.version}),
        )
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("edition", &ed);
    ctx.insert("rubrics", &rubric_rows);
    ctx.insert("presets", &presets);
    ctx.insert("copy_options", &copy_options);
    ctx.insert("rounds", &round_rows);
    ctx.insert("kinds", &kinds(page));
    let suggested = RoundInput::suggested(rounds.len() + 1);
    let values = values.unwrap_or(&suggested);
    match errors {
        Some(errors) => page.form_errors("organiser/judging/overview.html", ctx, values, errors),
        None => {
            ctx.insert("values", values);
            page.render("organiser/judging/overview.html", ctx)
        }
    }
}

/// `GET /organiser/editions/{id}/judging`: the edition's rubrics and rounds.
pub async fn overview(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    overview_page(&page, id.into_inner(), None, None).await
}

/// `POST /organiser/editions/{id}/rounds`: adds the next round.
pub async fn create(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<RoundInput>,
) -> Result<HttpResponse, AppError> {
    let edition_id = id.into_inner();
    let (actor, input) = (page.actor(), form.into_inner());
    let i2 = input.clone();
    match db::run(&page.state.pool, move |conn| {
        svc::create(conn, &actor, edition_id, &i2)
    })
    .await
    {
        Ok(id) => {
            page.flash("success", page.t("rounds.created"));
            Ok(see_other(&format!("/organiser/rounds/{id}")))
        }
        Err(AppError::Invalid(errors)) => {
            overview_page(&page, edition_id, Some(&input), Some(&errors)).await
        }
        Err(e) => Err(e),
    }
}

async fn round_page(
    page: &Page,
    id: i32,
    values: Option<&RoundInput>,
    errors: Option<&FieldErrors>,
) -> Result<HttpResponse, AppError> {
    round_page_with(page, id, values, errors, None).await
}

/// What was typed into the schedule and what is wrong with it, to show it back.
type TypedSchedule = (
    std::collections::HashMap<i32, crate::services::judging::SlotInput>,
    FieldErrors,
);

async fn round_page_with(
    page: &Page,
    id: i32,
    values: Option<&RoundInput>,
    errors: Option<&FieldErrors>,
    schedule: Option<TypedSchedule>,
) -> Result<HttpResponse, AppError> {
    let (r, ed, rubrics, entries, addable, slots) = db::run(&page.state.pool, move |conn| {
        let r = round::find(conn, id)?.ok_or(AppError::NotFound)?;
        let ed = edition::find(conn, r.edition_id)?.ok_or(AppError::NotFound)?;
        let addable = round::addable(conn, &r)?;
        Ok((
            r.clone(),
            ed,
            crate::services::rounds::rubric_choices(conn, &r)?,
            round::entries_of(conn, id)?,
            addable,
            crate::services::judging::slots(conn, id)?,
        ))
    })
    .await?;
    let (typed, slot_errors) = schedule.unwrap_or_default();
    let slot_rows: Vec<serde_json::Value> = slots
        .iter()
        .map(|(entry, name, unit, at, minutes, place, told)| {
            let t = typed.get(entry);
            let err = |f: &str| slot_errors.get(&format!("slot-{entry}-{f}")).map(|k| page.t(k));
            serde_json::json!({
                "entry": entry, "name": name, "unit": unit, "told": told.is_some(),
                "at": t.map(|t| t.at.clone()).unwrap_or_else(|| at.map(crate::time::to_jakarta_local).unwrap_or_default()),
                "minutes": t.map(|t| t.minutes.clone()).unwrap_or_else(|| minutes.map(|m| m.to_string()).unwrap_or_default()),
                "place": t.map(|t| t.place.clone()).unwrap_or_else(|| place.clone()),
                "at_error": err("at"), "minutes_error": err("minutes"), "place_error": err("place"),
            })
        })
        .collect();
    let schedule_items: Vec<(String, String)> = slot_rows
        .iter()
        .flat_map(|r| {
            ["at", "minutes", "place"].into_iter().filter_map(move |f| {
                r[format!("{f}_error")].as_str().map(|e| {
                    (
                        format!("slot-{}-{f}", r["entry"]),
                        format!("{}: {e}", r["name"].as_str().unwrap_or("")),
                    )
                })
            })
        })
        .collect();
    let unannounced = slots
        .iter()
        .filter(|s| s.3.is_some() && s.6.is_none())
        .count();
    let lang = page.lang;
    let rubric_options: Vec<serde_json::Value> = rubrics
        .iter()
        .map(|x| serde_json::json!({"id": x.id, "name": rubric_name(lang, x)}))
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("round", &r);
    ctx.insert("round_name", lang.pick(&r.name_id, &r.name_en));
    ctx.insert("edition", &ed);
    ctx.insert("rubrics", &rubric_options);
    ctx.insert("kinds", &kinds(page));
    ctx.insert("entries", &entries);
    ctx.insert("addable", &addable);
    ctx.insert("slots", &slot_rows);
    ctx.insert("unannounced", &unannounced);
    ctx.insert(
        "has_slots",
        &(r.kind != crate::domain::judging::RoundKind::Desk.code()),
    );
    if !schedule_items.is_empty() {
        ctx.insert("error_count", &schedule_items.len());
        ctx.insert("error_items", &schedule_items);
        ctx.insert("values", &RoundInput::from_round(&r));
        return page.render_status(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            "organiser/judging/round.html",
            ctx,
        );
    }
    let current = RoundInput::from_round(&r);
    let values = values.unwrap_or(&current);
    match errors {
        Some(errors) => page.form_errors("organiser/judging/round.html", ctx, values, errors),
        None => {
            ctx.insert("values", values);
            page.render("organiser/judging/round.html", ctx)
        }
    }
}

/// `GET /organiser/rounds/{id}`.
pub async fn show(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    round_page(&page, id.into_inner(), None, None).await
}

/// `POST /organiser/rounds/{id}`: saves the settings.
pub async fn update(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<RoundInput>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (actor, input) = (page.actor(), form.into_inner());
    let i2 = input.clone();
    match db::run(&page.state.pool, move |conn| {
        svc::update(conn, &actor, id, &i2)
    })
    .await
    {
        Ok(()) => {
            page.flash("success", page.t("form.saved"));
            Ok(see_other(&format!("/organiser/rounds/{id}")))
        }
        Err(AppError::Invalid(errors)) => round_page(&page, id, Some(&input), Some(&errors)).await,
        Err(e) => Err(e),
    }
}

/// `POST /organiser/rounds/{id}/entries`: adds the ticked entries (`entry` repeats).
pub async fn add_entries(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let ids = super::assignments::ids_of(&form, "entry")?;
    let actor = page.actor();
    match db::run(&page.state.pool, move |conn| {
        svc::add_entries(conn, &actor, id, &ids)
    })
    .await
    {
        Ok(n) => {
            page.flash(
                "success",
                page.t_args("rounds.entries_added", &[("n", n.to_string())]),
            );
            Ok(see_other(&format!("/organiser/rounds/{id}#entries")))
        }
        Err(AppError::Invalid(errors)) => {
            let key = errors.values().next().cloned().unwrap_or_default();
            page.flash("error", page.t(&key));
            Ok(see_other(&format!("/organiser/rounds/{id}#entries")))
        }
        Err(e) => Err(e),
    }
}

/// `POST /organiser/rounds/{id}/schedule`: saves the slots (`slot.{entry}.{at|minutes|place}`).
pub async fn save_schedule(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let mut slots: std::collections::BTreeMap<i32, crate::services::judging::SlotInput> =
        Default::default();
    for (k, v) in form.iter() {
        let mut parts = k.splitn(3, '.');
        let (Some("slot"), Some(entry), Some(field)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let entry: i32 = entry
            .parse()
            .map_err(|_| AppError::BadRequest("slot entry".into()))?;
        let s = slots
            .entry(entry)
            .or_insert_with(|| crate::services::judging::SlotInput {
                entry_id: entry,
                ..Default::default()
            });
        match field {
            "at" => s.at = v.clone(),
            "minutes" => s.minutes = v.clone(),
            "place" => s.place = v.clone(),
            _ => {}
        }
    }
    let input: Vec<_> = slots.into_values().collect();
    let (actor, typed) = (page.actor(), input.clone());
    match db::run(&page.state.pool, move |conn| {
        crate::services::judging::save_schedule(conn, &actor, id, &input)
    })
    .await
    {
        Ok(_) => {
            page.flash("success", page.t("schedule.saved"));
            Ok(see_other(&format!("/organiser/rounds/{id}#schedule")))
        }
        Err(AppError::Invalid(errors)) => {
            let typed: std::collections::HashMap<i32, crate::services::judging::SlotInput> =
                typed.into_iter().map(|s| (s.entry_id, s)).collect();
            round_page_with(&page, id, None, None, Some((typed, errors))).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /organiser/rounds/{id}/schedule/send`: tells units their (new or changed) slots.
pub async fn send_schedule(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (state, actor) = (page.state.clone(), page.actor());
    let n = db::run(&page.state.pool, move |conn| {
        crate::services::judging::send_schedule(conn, &state, &actor, id)
    })
    .await?;
    page.flash(
        "success",
        page.t_args("schedule.sent", &[("n", n.to_string())]),
    );
    Ok(see_other(&format!("/organiser/rounds/{id}#schedule")))
}
