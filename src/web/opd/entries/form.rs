//! The entry form: showing it, saving it, and saving as the operator types.

use super::*;

/// Everything the entry page shows.
pub(super) async fn render_entry(
    page: &Page,
    id: i32,
    form: Option<(EntryContent, i32)>,
    status: actix_web::http::StatusCode,
    errors: crate::error::FieldErrors,
    problems_shown: Option<Vec<Problem>>,
) -> Result<HttpResponse, AppError> {
    let who = actor(page).await?;
    let lang = page.lang;
    let data = db::run(&page.state.pool, move |conn| {
        let e = svc::visible(conn, &who, id)?;
        let ed = edition::find(conn, e.edition_id)?.ok_or(AppError::NotFound)?;
        let problems = svc::problems(conn, &e, &ed)?;
        let closes_at = edition::closes_at_for(conn, &ed, e.unit_id)?;
        Ok((
            e.clone(),
            ed.clone(),
            problems,
            closes_at,
            edition::options(conn, ed.id)?,
            edition::categories(conn, ed.id)?,
            edition::evidence_kinds(conn, ed.id)?,
            entry::files(conn, e.id)?,
            entry::events(conn, e.id)?,
            entry::check_results(conn, e.id)?,
            edition::check_items(conn, ed.id)?,
            endorser_names(conn, Some(e.unit_id))?,
            (
                who.is_endorser,
                crate::services::results::has_published_results(conn, e.id)?,
                crate::models::iid::is_listed(conn, e.id)?,
            ),
        ))
    })
    .await?;
    let (
        e,
        ed,
        problems,
        closes_at,
        options,
        categories,
        kinds,
        files,
        events,
        checks,
        items,
        endorsers,
        (is_endorser, has_feedback, shortlisted),
    ) = data;
    let checks: Vec<(i32, String, bool, String)> = checks
        .into_iter()
        .map(|(ev, code, ok, reason)| {
            let name = items
                .iter()
                .find(|i| i.code == code)
                .map(|i| lang.pick(&i.label_id, &i.label_en).to_string())
                .unwrap_or(code);
            (ev, name, ok, reason)
        })
        .collect();
    let status_enum = e.status()?;
    let (values, lock_version) = form.unwrap_or_else(|| (EntryContent::from(&e), e.lock_version));
    let mut ctx = tera::Context::new();
    ctx.insert("entry", &e);
    ctx.insert("edition", &ed);
    ctx.insert("has_feedback", &has_feedback);
    ctx.insert("shortlisted", &shortlisted);
    ctx.insert("values", &values);
    ctx.insert("lock_version", &lock_version);
    ctx.insert("editable", &status_enum.editable());
    ctx.insert("closes_at", &closes_at);
    ctx.insert("words", &svc::word_count(&values.narrative));
    let label =
        |o: &crate::models::edition::EditionOption| lang.pick(&o.label_id, &o.label_en).to_string();
    let lists: std::collections::HashMap<String, Vec<(String, String)>> =
        crate::domain::edition_defaults::LISTS
            .iter()
            .map(|(l, _)| {
                (
                    l.to_string(),
                    options
                        .iter()
                        .filter(|o| o.list == *l && o.active)
                        .map(|o| (o.code.clone(), label(o)))
                        .collect(),
                )
            })
            .collect();
    ctx.insert("lists", &lists);
    // Retired items are no longer offered; evidence already uploaded under one stays visible.
    let cats: Vec<(i32, String)> = categories
        .iter()
        .filter(|c| c.active)
        .map(|c| (c.id, lang.pick(&c.name_id, &c.name_en).to_string()))
        .collect();
    ctx.insert("categories", &cats);
    let kinds: Vec<serde_json::Value> = kinds
        .iter()
        .filter(|k| k.active || files.iter().any(|f| f.evidence_kind_id == k.id))
        .map(|k| {
            serde_json::json!({
                "id": k.id, "name": lang.pick(&k.name_id, &k.name_en), "mandatory": k.mandatory,
                "accepts": k.accepts, "file": files.iter().find(|f| f.evidence_kind_id == k.id),
            })
        })
        .collect();
    ctx.insert("kinds", &kinds);
    let mut req: std::collections::HashMap<&str, bool> = crate::domain::edition_defaults::FIELDS
        .iter()
        .map(|f| (*f, ed.requires(f)))
        .collect();
    req.insert(
        "implementation_date",
        values.stage == crate::domain::edition_defaults::STAGE_IMPLEMENTATION,
    );
    ctx.insert("req", &req);
    let shown = problems_shown.unwrap_or(problems);
    let problem_texts: Vec<serde_json::Value> = shown
        .iter()
        .map(|p| {
            let mut args: Vec<(&str, String)> = p.args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            // A list item's English name may be left empty: the Indonesian one stands in.
            let named = |k: &str| p.args.iter().find(|(key, v)| key == k && !v.is_empty());
            if let Some(name) = named(lang.pick("name_id", "name_en")).or_else(|| named("name_id")) {
                args.push(("name", name.1.clone()));
            }
            let field_label = crate::i18n::t(lang, &format!("field.{}", p.field.split(':').next().unwrap_or_default()), &[]);
            serde_json::json!({"field": p.field, "label": field_label, "text": crate::i18n::t(lang, &p.key, &args)})
        })
        .collect();
    ctx.insert("problems", &problem_texts);
    ctx.insert("events", &events);
    ctx.insert("checks", &checks);
    ctx.insert("endorsers", &endorsers);
    ctx.insert("is_endorser", &is_endorser);
    ctx.insert("error_count", &errors.len());
    ctx.insert("errors", &errors);
    page.render_status(status, "opd/entry.html", ctx)
}

/// `GET /opd/entries/{id}`.
pub async fn show(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    render_entry(
        &page,
        id.into_inner(),
        None,
        actix_web::http::StatusCode::OK,
        Default::default(),
        None,
    )
    .await
}

/// The entry form as posted: content plus the version it was loaded at.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EntryForm {
    #[serde(flatten)]
    content: RawContent,
    lock_version: i32,
}

/// Form fields as text (dates and category may be blank).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RawContent {
    category_id: String,
    name: String,
    stage: String,
    initiator: String,
    inno_type: String,
    inno_form: String,
    theme: String,
    urusan: String,
    trial_date: String,
    implementation_date: String,
    narrative: String,
    purpose: String,
    benefits: String,
    results: String,
    video_url: String,
    contact_name: String,
    contact_phone: String,
}

impl RawContent {
    fn parse(self) -> Result<EntryContent, crate::error::FieldErrors> {
        let mut errors = crate::error::FieldErrors::new();
        let mut date = |field: &str, v: &str| {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.insert(field.into(), "form.date_invalid".into());
                    None
                }
            }
        };
        let trial_date = date("trial_date", &self.trial_date);
        let implementation_date = date("implementation_date", &self.implementation_date);
        let content = EntryContent {
            category_id: self.category_id.trim().parse().ok(),
            name: self.name.trim().to_string(),
            stage: self.stage,
            initiator: self.initiator,
            inno_type: self.inno_type,
            inno_form: self.inno_form,
            theme: self.theme,
            urusan: self.urusan,
            trial_date,
            implementation_date,
            narrative: self.narrative,
            purpose: self.purpose,
            benefits: self.benefits,
            results: self.results,
            video_url: self.video_url.trim().to_string(),
            contact_name: self.contact_name.trim().to_string(),
            contact_phone: self.contact_phone.trim().to_string(),
        };
        if errors.is_empty() {
            Ok(content)
        } else {
            Err(errors)
        }
    }
}

/// `POST /opd/entries/{id}`: saves the draft; a conflict or an error re-shows the form with what was typed.
pub async fn save(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<EntryForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let raw = form.content.clone();
    let content = match form.content.parse() {
        Ok(c) => c,
        Err(errors) => {
            let typed = lossy(raw);
            return render_entry(
                &page,
                id,
                Some((typed, form.lock_version)),
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
            )
            .await;
        }
    };
    let who = actor(&page).await?;
    let (c, v) = (content.clone(), form.lock_version);
    match db::run(&page.state.pool, move |conn| {
        svc::save(conn, &who, id, v, &c)
    })
    .await
    {
        Ok(_) => {
            page.flash("success", page.t("entries.saved"));
            Ok(see_other(&format!("/opd/entries/{id}")))
        }
        Err(AppError::Conflict) => {
            let mut errors = crate::error::FieldErrors::new();
            errors.insert("form".into(), "entries.conflict".into());
            render_entry(
                &page,
                id,
                Some((content, form.lock_version)),
                actix_web::http::StatusCode::CONFLICT,
                errors,
                None,
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            render_entry(
                &page,
                id,
                Some((content, form.lock_version)),
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// What the user typed, kept even where it did not parse (a bad date is dropped only from the stored copy).
pub(super) fn lossy(raw: RawContent) -> EntryContent {
    EntryContent {
        category_id: raw.category_id.trim().parse().ok(),
        name: raw.name,
        stage: raw.stage,
        initiator: raw.initiator,
        inno_type: raw.inno_type,
        inno_form: raw.inno_form,
        theme: raw.theme,
        urusan: raw.urusan,
        trial_date: chrono::NaiveDate::parse_from_str(raw.trial_date.trim(), "%Y-%m-%d").ok(),
        implementation_date: chrono::NaiveDate::parse_from_str(
            raw.implementation_date.trim(),
            "%Y-%m-%d",
        )
        .ok(),
        narrative: raw.narrative,
        purpose: raw.purpose,
        benefits: raw.benefits,
        results: raw.results,
        video_url: raw.video_url,
        contact_name: raw.contact_name,
        contact_phone: raw.contact_phone,
    }
}

/// `POST /opd/entries/{id}/autosave`: the page's script saves as the operator types; JSON answer.
pub async fn autosave(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<EntryForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let content = match form.content.parse() {
        Ok(c) => c,
        Err(_) => {
            return Ok(HttpResponse::UnprocessableEntity()
                .json(serde_json::json!({"error": page.t("form.date_invalid")})));
        }
    };
    let who = actor(&page).await?;
    let v = form.lock_version;
    match db::run(&page.state.pool, move |conn| svc::save(conn, &who, id, v, &content)).await {
        Ok(saved) => Ok(HttpResponse::Ok().json(serde_json::json!({
            "lock_version": saved.lock_version,
            "message": page.t_args("entries.autosaved", &[("time", crate::time::format_time(saved.saved_at, page.lang))]),
        }))),
        Err(AppError::Conflict) => Ok(HttpResponse::Conflict().json(serde_json::json!({"error": page.t("entries.conflict")}))),
        Err(AppError::Invalid(errors)) => {
            // Say what is wrong with which field, as the full save does.
            let fields: std::collections::BTreeMap<&String, String> =
                errors.iter().map(|(f, k)| (f, page.t(k))).collect();
            let mut said: Vec<&String> = fields.values().collect();
            said.dedup();
            let text = said.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ");
            Ok(HttpResponse::UnprocessableEntity()
                .json(serde_json::json!({"error": text, "fields": fields})))
        }
        Err(e) => Err(e),
    }
}
