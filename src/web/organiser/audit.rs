//! The audit log, filterable by action, object, actor and date, and written for people: actions
//! as sentences, names instead of ids, each change as "field: before → after".

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use crate::audit::{ACTIONS, action_key};
use crate::db;
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::models::audit::{self, AuditFilter};
use crate::time::jakarta_day_start_utc;
use crate::web::Page;
use crate::web::organiser::{PER_PAGE, Pager};

/// A family of actions for the filter: code, label, and its (action, label) pairs.
type ActionGroup = (String, String, Vec<(String, String)>);

/// One line of a change.
#[derive(Serialize)]
struct Change {
    field: String,
    before: Option<String>,
    after: Option<String>,
}

/// An event as the page shows it.
#[derive(Serialize)]
struct Row {
    when: chrono::NaiveDateTime,
    actor: Option<String>,
    actor_email: Option<String>,
    action: String,
    action_label: String,
    object: String,
    object_link: Option<String>,
    changes: Vec<Change>,
    ip: Option<String>,
}

/// A JSON value as text: strings bare, yes/no for flags, "—" for nothing.
fn show(lang: Lang, v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Bool(b) => i18n::t(lang, if *b { "audit.yes" } else { "audit.no" }, &[]),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| show(lang, i))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn field_label(lang: Lang, key: &str) -> String {
    let k = format!("audit_field.{key}");
    match i18n::t(lang, &k, &[]) {
        t if t == k => key.replace('_', " "),
        t => t,
    }
}

/// `{"before": {...}, "after": {...}}` as one line per field that changed (or was set); any other
/// shape as one line per key.
fn changes(lang: Lang, detail: &str) -> Vec<Change> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(detail) else {
        return Vec::new();
    };
    let before = map.get("before").and_then(Value::as_object);
    let after = map.get("after").and_then(Value::as_object);
    if before.is_none() && after.is_none() {
        return map
            .iter()
            .map(|(k, v)| Change {
                field: field_label(lang, k),
                before: None,
                after: Some(show(lang, v)),
            })
            .collect();
    }
    let mut keys: Vec<&String> = before
        .iter()
        .chain(after.iter())
        .flat_map(|m| m.keys())
        .collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let b = before.and_then(|m| m.get(k));
            let a = after.and_then(|m| m.get(k));
            if b.is_some() && b == a {
                return None;
            }
            Some(Change {
                field: field_label(lang, k),
                before: b.map(|v| show(lang, v)),
                after: a.map(|v| show(lang, v)),
            })
        })
        .collect()
}

fn object_link(kind: &str, id: i32) -> Option<String> {
    match kind {
        "user" => Some(format!("/organiser/users/{id}")),
        "unit" => Some(format!("/organiser/units/{id}")),
        "entry" => Some(format!("/organiser/entries/{id}")),
        "edition" => Some(format!("/organiser/editions/{id}")),
        "mail" => Some(format!("/organiser/outbox/{id}")),
        "round" => Some(format!("/organiser/rounds/{id}")),
        "rubric" => Some(format!("/organiser/rubrics/{id}")),
        _ => None,
    }
}

/// `GET /organiser/audit`.
pub async fn list(page: Page, q: web::Query<AuditFilter>) -> Result<HttpResponse, AppError> {
    let filter = q.into_inner();
    let day = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
    };
    let from = day(&filter.from).map(jakarta_day_start_utc);
    let to = day(&filter.to)
        .and_then(|d| d.succ_opt())
        .map(jakarta_day_start_utc);
    let f = filter.clone();
    let (events, more, names) = db::run(&page.state.pool, move |conn| {
        let (events, more) = audit::list(conn, &f, (from, to), PER_PAGE)?;
        let mut wanted: Vec<(String, i32)> = Vec::new();
        for (e, _) in &events {
            if let Some(a) = e.actor_id {
                wanted.push(("user".into(), a));
            }
            if let Some(id) = e.object_id {
                wanted.push((e.object_type.clone(), id));
            }
        }
        let names = audit::names_of(conn, &wanted)?;
        Ok((events, more, names))
    })
    .await?;
    let lang = page.lang;
    let name = |kind: &str, id: i32| names.get(&(kind.to_string(), id)).cloned();
    let rows: Vec<Row> = events
        .into_iter()
        .map(|(e, email)| {
            let object_name = e.object_id.and_then(|id| name(&e.object_type, id));
            let kind = i18n::t(lang, &format!("audit_object.{}", e.object_type), &[]);
            let object = match (e.object_id, object_name) {
                (_, Some(n)) => format!("{kind}: {n}"),
                (Some(id), None) => format!("{kind} #{id}"),
                (None, None) => kind,
            };
            Row {
                when: e.created_at,
                actor: e.actor_id.and_then(|a| name("user", a)),
                actor_email: email,
                action_label: i18n::t(lang, &action_key(&e.action), &[]),
                object_link: e.object_id.and_then(|id| object_link(&e.object_type, id)),
                object,
                changes: changes(lang, &e.detail),
                ip: e.ip,
                action: e.action,
            }
        })
        .collect();
    // The filter: each family (all of it, or one action), labelled, never a code to type.
    let groups: Vec<ActionGroup> = crate::audit::families()
        .into_iter()
        .map(|f| {
            let label = i18n::t(lang, &format!("audit_family.{f}"), &[]);
            let actions = ACTIONS
                .iter()
                .filter(|a| a.starts_with(&format!("{f}.")))
                .map(|a| (a.to_string(), i18n::t(lang, &action_key(a), &[])))
                .collect();
            (f.to_string(), label, actions)
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("events", &rows);
    ctx.insert("groups", &groups);
    ctx.insert("objects", crate::audit::OBJECTS);
    ctx.insert("filter", &filter);
    ctx.insert("pager", &Pager::open_ended(filter.page, more, &filter));
    page.render("organiser/audit.html", ctx)
}

#[cfg(test)]
mod tests {
    use super::changes;
    use crate::i18n::Lang;

    #[test]
    fn a_change_reads_as_before_and_after_of_what_changed() {
        let c = changes(
            Lang::En,
            r#"{"before":{"name":"A","role":"judge"},"after":{"name":"B","role":"judge","is_endorser":true}}"#,
        );
        assert_eq!(c.len(), 2, "the unchanged role is not listed");
        let name = c.iter().find(|c| c.after.as_deref() == Some("B")).unwrap();
        assert_eq!(name.before.as_deref(), Some("A"));
        let flag = c.iter().find(|c| c.before.is_none()).unwrap();
        assert_eq!(flag.after.as_deref(), Some("yes"));
        assert_eq!(
            changes(Lang::En, r#"{"rows":3}"#)[0].after.as_deref(),
            Some("3")
        );
        assert!(changes(Lang::En, "not json").is_empty());
    }
}
