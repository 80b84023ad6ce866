//! The unit's dashboard: its entries in the current edition and what to do next.

use super::*;

/// `GET /opd`: the unit's entries in the current edition and what to do next.
pub async fn dashboard(page: Page) -> Result<HttpResponse, AppError> {
    let who = actor(&page).await?;
    let data = db::run(&page.state.pool, move |conn| {
        let now = db::now();
        let unit = match who.unit_id {
            Some(id) => crate::models::unit::find(conn, id)?,
            None => None,
        };
        let current = edition::current(conn, now)?;
        let (entries, closes_at, open) = match (&current, who.unit_id) {
            (Some(ed), Some(unit_id)) => {
                let closes = edition::closes_at_for(conn, ed, unit_id)?;
                (
                    entry::for_unit(conn, ed.id, unit_id)?,
                    Some(closes),
                    now >= ed.registration_opens_at && now <= closes,
                )
            }
            _ => (Vec::new(), None, false),
        };
        let earlier: Vec<Entry> = match who.unit_id {
            Some(u) => entry::all_for_unit(conn, u)?
                .into_iter()
                .filter(|e| current.as_ref().is_none_or(|c| c.id != e.edition_id))
                .collect(),
            None => Vec::new(),
        };
        let endorsers = endorser_names(conn, who.unit_id)?;
        // Presentation slots from yesterday on: what the unit must prepare for.
        let slots: Vec<crate::services::judging::UnitSlot> = match who.unit_id {
            Some(u) => crate::services::judging::unit_slots(conn, u)?
                .into_iter()
                .filter(|s| s.3 >= now - chrono::Duration::days(1))
                .collect(),
            None => Vec::new(),
        };
        // Shortlisted entries (any edition) whose readiness the unit still has to complete.
        let mut iid_jobs = Vec::new();
        if let Some(u) = who.unit_id {
            for e in crate::models::iid::listed_of_unit(conn, u)? {
                let (_, r, missing) = crate::services::shortlist::answers_of(conn, &e)?;
                iid_jobs.push(serde_json::json!({
                    "entry": e.id, "name": e.name, "score": r.score, "max": r.max,
                    "missing": missing,
                }));
            }
        }
        Ok((
            (slots, iid_jobs),
            unit,
            current,
            entries,
            closes_at,
            open,
            earlier,
            endorsers,
            who.is_endorser,
        ))
    })
    .await?;
    let (
        (slots, iid_jobs),
        unit,
        current,
        entries,
        closes_at,
        open,
        earlier,
        endorsers,
        is_endorser,
    ) = data;
    let lang = page.lang;
    let slots: Vec<serde_json::Value> = slots
        .iter()
        .map(|(rid, ren, entry, at, minutes, place)| {
            serde_json::json!({"round": lang.pick(rid, ren), "entry": entry, "at": at, "minutes": minutes, "place": place})
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("unit", &unit);
    ctx.insert("edition", &current);
    ctx.insert("entries", &entries);
    ctx.insert("closes_at", &closes_at);
    ctx.insert("open", &open);
    ctx.insert("earlier", &earlier);
    ctx.insert("endorsers", &endorsers);
    ctx.insert("slots", &slots);
    ctx.insert("iid_jobs", &iid_jobs);
    ctx.insert("is_endorser", &is_endorser);
    page.render("opd/dashboard.html", ctx)
}
