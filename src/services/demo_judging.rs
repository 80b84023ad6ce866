//! The demo's judging: a panel of judges; BIW 2025 judged in full (a desk round and a presentation
//! round, every sheet submitted); BIW 2026 with its desk round open, where the demo judge has sheets
//! in every state (submitted, draft, not started) and one declared conflict.

use chrono::Duration;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::Actor;
use crate::db::schema::{entries, sheet_scores, sheet_versions, sheets, users};
use crate::db::{self, DbConn};
use crate::domain::Role;
use crate::domain::judging::{ConflictSource, SheetStatus};
use crate::domain::rubric::total_bp;
use crate::error::AppError;
use crate::models::judging as judging_model;
use crate::models::{round as round_model, rubric as rubric_model, unit, user};
use crate::services::judging;
use crate::services::rounds::{self, RoundInput};
use crate::services::rubrics::{self, Start};
use crate::state::AppState;
use crate::time::to_jakarta_local;

/// The panel: name, address, institution, unit of the city (for officials).
const PANEL: &[(&str, &str, Option<&str>, Option<&str>)] = &[
    (
        "Dr. Rina Kartika",
        "rina.kartika@demo.biw.id",
        Some("Universitas Islam 45 Bekasi"),
        None,
    ),
    (
        "Dr. Andi Prasetyo",
        "andi.prasetyo@demo.biw.id",
        Some("Universitas Bhayangkara Jakarta Raya"),
        None,
    ),
    (
        "Prof. Siti Rahmawati",
        "siti.rahmawati@demo.biw.id",
        Some("Universitas Indonesia"),
        None,
    ),
    (
        "Ir. Bambang Wibisono",
        "bambang.wibisono@demo.biw.id",
        Some("BSKDN Kementerian Dalam Negeri"),
        None,
    ),
    (
        "Maya Lestari, M.Si.",
        "maya.lestari@demo.biw.id",
        Some("Bapperida Provinsi Jawa Barat"),
        None,
    ),
    (
        "Yusuf Hidayat",
        "yusuf.hidayat@demo.biw.id",
        Some("Jurnalis, Radar Bekasi"),
        None,
    ),
    (
        "Drs. Hari Susanto",
        "hari.susanto@demo.biw.id",
        None,
        Some("Inspektorat"),
    ),
];

/// A score from 2 to 5 that looks like a judge's: steady per entry, a little lenient or harsh per
/// judge, varied per criterion.
fn score(entry: i32, judge: i32, criterion: usize) -> i32 {
    let quality = (entry * 7919 % 11) as i64; // 0..10: how good the entry is
    let leniency = (judge * 31 % 3) as i64 - 1; // -1, 0, +1
    let noise = ((entry as i64 * 131 + judge as i64 * 17 + criterion as i64 * 7) % 3) - 1;
    (2 + quality * 3 / 10 + leniency + noise).clamp(1, 5) as i32
}

/// Writes a sheet as its judge would have (one version), submitted or as a draft.
fn write_sheet(
    conn: &mut DbConn,
    assignment: &judging_model::Assignment,
    rubric: &rubric_model::Rubric,
    criteria: &[rubric_model::CriterionRow],
    scored: usize,
    submitted: bool,
    at: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let scores: Vec<(i32, Option<i32>)> = criteria
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                c.id,
                (i < scored).then(|| score(assignment.entry_id, assignment.judge_id, i)),
            )
        })
        .collect();
    let total = total_bp(
        rubric.scale_max,
        &criteria
            .iter()
            .zip(&scores)
            .map(|(c, s)| (c.weight, c.counted, s.1))
            .collect::<Vec<_>>(),
    );
    let status = if submitted {
        SheetStatus::Submitted
    } else {
        SheetStatus::Draft
    };
    let overall = if submitted {
        "Inovasi relevan; perkuat data sebelum-sesudah dan dokumen regulasi."
    } else {
        ""
    };
    let id: i32 = diesel::insert_into(sheets::table)
        .values((
            sheets::assignment_id.eq(assignment.id),
            sheets::round_id.eq(assignment.round_id),
            sheets::entry_id.eq(assignment.entry_id),
            sheets::judge_id.eq(assignment.judge_id),
            sheets::rubric_id.eq(rubric.id),
            sheets::status.eq(status.code()),
            sheets::overall_comment.eq(overall),
            sheets::total_bp.eq(total),
            sheets::lock_version.eq(1),
            sheets::submitted_at.eq(submitted.then_some(at)),
            sheets::created_at.eq(at),
            sheets::updated_at.eq(at),
        ))
        .returning(sheets::id)
        .get_result(conn)?;
    for (c, s) in &scores {
        if s.is_some() {
            diesel::insert_into(sheet_scores::table)
                .values((
                    sheet_scores::sheet_id.eq(id),
                    sheet_scores::criterion_id.eq(c),
                    sheet_scores::score.eq(s),
                    sheet_scores::comment.eq(""),
                ))
                .execute(conn)?;
        }
    }
    diesel::insert_into(sheet_versions::table)
        .values((
            sheet_versions::sheet_id.eq(id),
            sheet_versions::version.eq(1),
            sheet_versions::status.eq(status.code()),
            sheet_versions::actor_id.eq(assignment.judge_id),
            sheet_versions::on_paper.eq(false),
            sheet_versions::note.eq(""),
            sheet_versions::content
                .eq(json!({"scores": scores, "overall": overall, "total_bp": total}).to_string()),
            sheet_versions::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A round of an edition with a preset rubric, the panel, and automatic assignment.
fn round_with_panel(
    conn: &mut DbConn,
    actor: &Actor,
    edition: i32,
    preset: &str,
    (name, kind, judges): (&str, &str, &str),
    window: (chrono::NaiveDateTime, chrono::NaiveDateTime),
    panel: &[i32],
) -> Result<i32, AppError> {
    let rubric = rubrics::create(conn, actor, edition, &Start::Preset(preset.into()))?;
    let input = RoundInput {
        name_id: name.into(),
        kind: kind.into(),
        rubric_id: rubric.to_string(),
        opens_at: to_jakarta_local(window.0),
        closes_at: to_jakarta_local(window.1),
        judges_per_entry: judges.into(),
        ..RoundInput::default()
    };
    let round = rounds::create(conn, actor, edition, &input)?;
    judging::add_round_judges(conn, actor, round, panel)?;
    Ok(round)
}

/// Loads the judging demo on top of the demo editions.
pub fn load(
    conn: &mut DbConn,
    state: &AppState,
    organiser: Option<i32>,
    past: i32,
    current: i32,
) -> Result<(), AppError> {
    let actor = Actor {
        user_id: organiser,
        ip: None,
    };
    let now = db::now();
    let mut panel = Vec::new();
    for (name, email, affiliation, unit_name) in PANEL {
        let unit_id = match unit_name {
            Some(n) => unit::find_by_name(conn, n)?.map(|u| u.id),
            None => None,
        };
        panel.push(user::insert(
            conn,
            &user::NewUser {
                email,
                name,
                password_hash: None,
                role: Role::Judge.code(),
                unit_id,
                affiliation: *affiliation,
                lang: "id",
                created_at: now,
                updated_at: now,
            },
        )?);
    }
    let demo_judge: i32 = users::table
        .filter(users::email.eq(crate::services::demo::LOGINS[2].email))
        .select(users::id)
        .get_result(conn)?;
    panel.push(demo_judge);
    for &j in &panel {
        judging::accept_declaration(conn, &actor, j, past)?;
    }

    // BIW 2025: thirty entries that passed, judged at the desk; the best ten presented.
    let sample: Vec<crate::models::entry::Entry> = entries::table
        .filter(entries::edition_id.eq(current))
        .filter(entries::status.eq("passed"))
        .order(entries::id)
        .limit(30)
        .select(crate::models::entry::Entry::as_select())
        .load(conn)?;
    let year_ago = Duration::days(365);
    for e in &sample {
        diesel::insert_into(entries::table)
            .values((
                entries::edition_id.eq(past),
                entries::unit_id.eq(e.unit_id),
                entries::name.eq(&e.name),
                entries::stage.eq(&e.stage),
                entries::initiator.eq(&e.initiator),
                entries::inno_type.eq(&e.inno_type),
                entries::inno_form.eq(&e.inno_form),
                entries::theme.eq(&e.theme),
                entries::urusan.eq(&e.urusan),
                entries::narrative.eq(&e.narrative),
                entries::purpose.eq(&e.purpose),
                entries::benefits.eq(&e.benefits),
                entries::results.eq(&e.results),
                entries::video_url.eq(&e.video_url),
                entries::contact_name.eq(&e.contact_name),
                entries::contact_phone.eq(&e.contact_phone),
                entries::status.eq("passed"),
                entries::submitted_at.eq(Some(e.created_at - year_ago)),
                entries::created_at.eq(e.created_at - year_ago),
                entries::updated_at.eq(e.created_at - year_ago),
            ))
            .execute(conn)?;
    }
    let desk_2025 = round_with_panel(
        conn,
        &actor,
        past,
        "default_desk",
        ("Evaluasi dokumen", "desk", "3"),
        (
            now - year_ago - Duration::days(20),
            now - year_ago - Duration::days(6),
        ),
        &panel,
    )?;
    judging::auto_assign(conn, &actor, desk_2025)?;
    submit_all(conn, desk_2025, now - year_ago - Duration::days(8))?;
    publish_results(conn, state, &actor, desk_2025)?;
    let presentation_2025 = round_with_panel(
        conn,
        &actor,
        past,
        "default",
        ("Presentasi dan wawancara", "presentation", "5"),
        (now - year_ago - Duration::days(4), now - year_ago),
        &panel,
    )?;
    // The best ten of the desk round go on to present, as the organisers promoted them.
    crate::services::results::promote(
        conn,
        state,
        &actor,
        desk_2025,
        &crate::services::results::PromotionInput {
            rule: "top".into(),
            count: "10".into(),
            score: String::new(),
            entries: Vec::new(),
        },
    )?;
    judging::auto_assign(conn, &actor, presentation_2025)?;
    submit_all(conn, presentation_2025, now - year_ago - Duration::days(1))?;
    publish_results(conn, state, &actor, presentation_2025)?;
    awards_and_shortlist(conn, state, &actor, past, (desk_2025, presentation_2025))?;

    // BIW 2026: the desk round is open; the demo judge has every kind of sheet.
    for &j in &panel {
        judging::accept_declaration(conn, &actor, j, current)?;
    }
    let desk_2026 = round_with_panel(
        conn,
        &actor,
        current,
        "default_desk",
        ("Evaluasi dokumen", "desk", "3"),
        (now - Duration::days(2), now + Duration::days(12)),
        &panel,
    )?;
    judging::auto_assign(conn, &actor, desk_2026)?;
    let r = round_model::find(conn, desk_2026)?.ok_or(AppError::NotFound)?;
    let rubric = rubric_model::find(conn, r.rubric_id)?.ok_or(AppError::NotFound)?;
    let criteria = rubric_model::criteria(conn, r.rubric_id)?;
    let live = judging_model::live_assignments(conn, desk_2026)?;
    let mut demo_seen = 0;
    for (i, a) in live.iter().enumerate() {
        if a.judge_id == demo_judge {
            demo_seen += 1;
            match demo_seen {
                1 => judging::record_conflict(
                    conn,
                    &Actor {
                        user_id: Some(demo_judge),
                        ip: None,
                    },
                    demo_judge,
                    a.entry_id,
                    ConflictSource::Declared,
                    "Pernah menjadi narasumber pelatihan di unit ini",
                )
                .map(|_| ())?,
                2..=4 => write_sheet(
                    conn,
                    a,
                    &rubric,
                    &criteria,
                    criteria.len(),
                    true,
                    now - Duration::hours(20),
                )?,
                5..=6 => write_sheet(
                    conn,
                    a,
                    &rubric,
                    &criteria,
                    2,
                    false,
                    now - Duration::hours(3),
                )?,
                _ => {}
            }
        } else if i % 3 == 0 {
            write_sheet(
                conn,
                a,
                &rubric,
                &criteria,
                criteria.len(),
                true,
                now - Duration::hours(30),
            )?;
        } else if i % 3 == 1 {
            write_sheet(
                conn,
                a,
                &rubric,
                &criteria,
                3,
                false,
                now - Duration::hours(5),
            )?;
        }
    }
    Ok(())
}

/// A judged round's results frozen, signed off and published, as the organisers did last year.
fn publish_results(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    round: i32,
) -> Result<(), AppError> {
    use crate::services::results;
    results::freeze(conn, actor, round)?;
    results::sign_off(conn, actor, round, true, "Rapat pleno tim penilai")?;
    results::publish(conn, state, actor, round)
}

/// BIW 2025 ends as the organisers closed it: desk 30% and presentation 70% in the final score,
/// awards by the edition's rule, the best ten on the national shortlist with their units told, and
/// the first of them well on its way to IID readiness.
fn awards_and_shortlist(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    edition: i32,
    (desk, presentation): (i32, i32),
) -> Result<(), AppError> {
    use crate::db::schema::rounds;
    use crate::services::shortlist::{self, Addition};
    for (round, weight) in [(desk, 30), (presentation, 70)] {
        diesel::update(rounds::table.find(round))
            .set((
                rounds::final_weight.eq(weight),
                rounds::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
    }
    shortlist::add(conn, actor, edition, &Addition::Top(10))?;
    shortlist::notify(conn, state, actor, edition)?;
    let Some(first) = shortlist::list(conn, edition)?.into_iter().next() else {
        return Ok(());
    };
    let e = crate::models::entry::find(conn, first.entry)?.ok_or(AppError::NotFound)?;
    let indicators = shortlist::indicators(conn, edition)?;
    let evidence = [
        "Peraturan Wali Kota Bekasi tentang layanan ini",
        "SK Kepala Dinas: 24 pegawai pelaksana",
        "DPA 2024 dan 2025",
        "Aplikasi daring dan panel layanan",
    ];
    let answers: Vec<(i32, String, String)> = indicators
        .iter()
        .take(evidence.len())
        .zip(evidence)
        .map(|(i, ev)| (i.id, "2".to_string(), ev.to_string()))
        .collect();
    shortlist::save_answers(conn, actor, &e, &answers)
}

/// Every live assignment of a closed round gets a submitted sheet.
fn submit_all(conn: &mut DbConn, round: i32, at: chrono::NaiveDateTime) -> Result<(), AppError> {
    let r = round_model::find(conn, round)?.ok_or(AppError::NotFound)?;
    let rubric = rubric_model::find(conn, r.rubric_id)?.ok_or(AppError::NotFound)?;
    let criteria = rubric_model::criteria(conn, r.rubric_id)?;
    for a in judging_model::live_assignments(conn, round)? {
        write_sheet(conn, &a, &rubric, &criteria, criteria.len(), true, at)?;
    }
    Ok(())
}
