//! What an entry needs before it can be submitted, under its edition's rules.

use super::*;

/// Counts the words of a narrative the way a reader would (runs of letters or digits).
pub fn word_count(text: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// A missing or wrong piece, for the submission checklist: field and i18n key (with arguments).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// The field (or `evidence:<kind id>`, or `edition`).
    pub field: String,
    /// i18n key.
    pub key: String,
    /// Arguments of the message.
    pub args: Vec<(String, String)>,
}

fn problem(field: &str, key: &str) -> Problem {
    Problem {
        field: field.into(),
        key: key.into(),
        args: Vec::new(),
    }
}

/// What is wrong with content whatever the stage: a choice that is not one of the edition's active
/// options, a category of another edition, dates out of order or out of any plausible range.
/// Saving checks it as well as submitting, so a draft never holds a value the form cannot show.
fn content_problems(
    conn: &mut DbConn,
    edition_id: i32,
    c: &EntryContent,
) -> Result<Vec<Problem>, AppError> {
    let mut out = Vec::new();
    let options = edition::options(conn, edition_id)?;
    for (list, value) in c.choices() {
        let v = value.trim();
        if !v.is_empty()
            && !options
                .iter()
                .any(|o| o.list == list && o.code == v && o.active)
        {
            out.push(problem(list, "form.choose"));
        }
    }
    if let Some(id) = c.category_id
        && !edition::categories(conn, edition_id)?
            .iter()
            .any(|k| k.id == id && k.active)
    {
        out.push(problem("category_id", "form.choose"));
    }
    let earliest = chrono::NaiveDate::from_ymd_opt(1945, 8, 17).expect("a date");
    let latest = db::now().date() + chrono::Duration::days(5 * 366);
    for (field, date) in [
        ("trial_date", c.trial_date),
        ("implementation_date", c.implementation_date),
    ] {
        if date.is_some_and(|d| d < earliest || d > latest) {
            out.push(problem(field, "form.date_invalid"));
        }
    }
    if let (Some(t), Some(i)) = (c.trial_date, c.implementation_date)
        && i < t
    {
        out.push(problem(
            "implementation_date",
            "entries.implementation_before_trial",
        ));
    }
    Ok(out)
}

/// [`content_problems`] as a refusal of the save, every field at once.
pub(super) fn check_content(
    conn: &mut DbConn,
    edition_id: i32,
    c: &EntryContent,
) -> Result<(), AppError> {
    let found = content_problems(conn, edition_id, c)?;
    if found.is_empty() {
        return Ok(());
    }
    let mut errors = crate::error::FieldErrors::new();
    for p in found {
        errors.entry(p.field).or_insert(p.key);
    }
    Err(AppError::Invalid(errors))
}

/// Everything that stands between this entry and submission under the edition's rules.
pub fn problems(conn: &mut DbConn, e: &Entry, ed: &Edition) -> Result<Vec<Problem>, AppError> {
    let mut out = Vec::new();
    let text = |f: &str| -> &str {
        match f {
            "name" => &e.name,
            "stage" => &e.stage,
            "initiator" => &e.initiator,
            "inno_type" => &e.inno_type,
            "inno_form" => &e.inno_form,
            "theme" => &e.theme,
            "urusan" => &e.urusan,
            "narrative" => &e.narrative,
            "purpose" => &e.purpose,
            "benefits" => &e.benefits,
            "results" => &e.results,
            "video_url" => &e.video_url,
            "contact_name" => &e.contact_name,
            "contact_phone" => &e.contact_phone,
            _ => "",
        }
    };
    for f in crate::domain::edition_defaults::FIELDS {
        if !ed.requires(f) {
            continue;
        }
        let missing = match *f {
            "category_id" => e.category_id.is_none(),
            "trial_date" => e.trial_date.is_none(),
            other => text(other).trim().is_empty(),
        };
        if missing {
            out.push(problem(f, "entries.missing"));
        }
    }
    out.extend(content_problems(conn, ed.id, &EntryContent::from(e))?);
    let words = word_count(&e.narrative);
    if (words as i32) < ed.min_narrative_words {
        out.push(Problem {
            field: "narrative".into(),
            key: "entries.narrative_short".into(),
            args: vec![
                ("min".into(), ed.min_narrative_words.to_string()),
                ("n".into(), words.to_string()),
            ],
        });
    }
    if e.stage == STAGE_IMPLEMENTATION && e.implementation_date.is_none() {
        out.push(problem(
            "implementation_date",
            "entries.implementation_date_required",
        ));
    }
    let url = e.video_url.trim();
    if !url.is_empty()
        && !((url.starts_with("https://") || url.starts_with("http://"))
            && url.len() > 10
            && !url.contains(' '))
    {
        out.push(problem("video_url", "entries.video_url_invalid"));
    }
    let phone: String = e
        .contact_phone
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let phone_ok = phone
        .trim_start_matches('+')
        .chars()
        .all(|c| c.is_ascii_digit())
        && (8..=16).contains(&phone.len());
    if !phone.is_empty() && !phone_ok {
        out.push(problem("contact_phone", "entries.phone_invalid"));
    }
    let files = entry::files(conn, e.id)?;
    for kind in edition::evidence_kinds(conn, ed.id)? {
        if kind.active && kind.mandatory && !files.iter().any(|f| f.evidence_kind_id == kind.id) {
            out.push(Problem {
                field: format!("evidence:{}", kind.id),
                key: "entries.evidence_missing".into(),
                args: vec![
                    ("name_id".into(), kind.name_id.clone()),
                    ("name_en".into(), kind.name_en.clone()),
                ],
            });
        }
    }
    Ok(out)
}
