//! The OPD directory: create, edit, (de)activate units, and seed the known Kota Bekasi units.

use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::schema::units;
use crate::db::{self, DbConn};
use crate::domain::{UnitType, text};
use crate::error::{AppError, FieldErrors, invalid};
use crate::models::unit::{self, NewUnit};
use crate::services::judging::ConflictOutcome;

/// What an organiser fills in for a unit.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct UnitInput {
    /// Name.
    pub name: String,
    /// Type code.
    pub unit_type: String,
    /// Parent unit id, empty for none.
    pub parent_id: Option<String>,
}

struct ValidUnit {
    name: String,
    unit_type: UnitType,
    parent_id: Option<i32>,
}

fn validate(
    conn: &mut DbConn,
    input: &UnitInput,
    own_id: Option<i32>,
) -> Result<ValidUnit, AppError> {
    let mut errors = FieldErrors::new();
    let name = text::required_line(&input.name, 200).unwrap_or_else(|k| {
        errors.insert("name".into(), k.into());
        String::new()
    });
    if !name.is_empty()
        && let Some(other) = unit::find_by_name(conn, &name)?
        && Some(other.id) != own_id
    {
        errors.insert("name".into(), "units.name_taken".into());
    }
    let unit_type = UnitType::parse(&input.unit_type);
    if unit_type.is_none() {
        errors.insert("unit_type".into(), "form.choose".into());
    }
    let parent_id = match input
        .parent_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match s
            .parse::<i32>()
            .ok()
            .map(|id| unit::find(conn, id))
            .transpose()?
            .flatten()
        {
            None => {
                errors.insert("parent_id".into(), "form.choose".into());
                None
            }
            Some(p) => {
                if let Some(own) = own_id
                    && is_descendant_or_self(conn, p.id, own)?
                {
                    errors.insert("parent_id".into(), "units.parent_cycle".into());
                }
                Some(p.id)
            }
        },
    };
    match unit_type {
        Some(unit_type) if errors.is_empty() => Ok(ValidUnit {
            name,
            unit_type,
            parent_id,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Whether `candidate` is `root` or lies below it (so it cannot become `root`'s parent).
fn is_descendant_or_self(conn: &mut DbConn, candidate: i32, root: i32) -> Result<bool, AppError> {
    let mut current = Some(candidate);
    let mut hops = 0;
    while let Some(id) = current {
        if id == root {
            return Ok(true);
        }
        hops += 1;
        if hops > 64 {
            return Ok(true);
        }
        current = unit::find(conn, id)?.and_then(|u| u.parent_id);
    }
    Ok(false)
}

/// Creates a unit; returns its id.
pub fn create(conn: &mut DbConn, actor: &Actor, input: &UnitInput) -> Result<i32, AppError> {
    db::transaction(conn, |conn| {
        let v = validate(conn, input, None)?;
        let now = db::now();
        let id = unit::insert(
            conn,
            &NewUnit {
                name: &v.name,
                unit_type: v.unit_type.code(),
                parent_id: v.parent_id,
                created_at: now,
                updated_at: now,
            },
        )
        .map_err(|e| {
            if db::is_unique_violation(&e) {
                invalid("name", "units.name_taken")
            } else {
                e.into()
            }
        })?;
        audit::record(
            conn,
            actor,
            "unit.create",
            ("unit", Some(id)),
            json!({"after": {"name": v.name, "type": v.unit_type.code(), "parent_id": v.parent_id}}),
        )?;
        Ok(id)
    })
}

/// Updates a unit's name, type and parent; a new parent has the assignments it forbids withdrawn
/// (see `judging::sweep_conflicts`).
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: i32,
    input: &UnitInput,
) -> Result<ConflictOutcome, AppError> {
    db::transaction(conn, |conn| {
        let before = unit::find(conn, id)?.ok_or(AppError::NotFound)?;
        let v = validate(conn, input, Some(id))?;
        diesel::update(units::table.find(id))
            .set((
                units::name.eq(&v.name),
                units::unit_type.eq(v.unit_type.code()),
                units::parent_id.eq(v.parent_id),
                units::updated_at.eq(db::now()),
            ))
            .execute(conn)
            .map_err(|e| {
                if db::is_unique_violation(&e) {
                    invalid("name", "units.name_taken")
                } else {
                    AppError::from(e)
                }
            })?;
        audit::record(
            conn,
            actor,
            "unit.update",
            ("unit", Some(id)),
            json!({
                "before": {"name": before.name, "type": before.unit_type, "parent_id": before.parent_id},
                "after": {"name": v.name, "type": v.unit_type.code(), "parent_id": v.parent_id},
            }),
        )?;
        // A unit under a new parent may bring judges of that parent into conflict.
        if before.parent_id != v.parent_id {
            return crate::services::judging::sweep_conflicts(
                conn,
                actor,
                crate::services::judging::SweepScope::Unit(id),
            );
        }
        Ok(ConflictOutcome::default())
    })
}

/// Activates or deactivates a unit.
pub fn set_active(conn: &mut DbConn, actor: &Actor, id: i32, active: bool) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        let before = unit::find(conn, id)?.ok_or(AppError::NotFound)?;
        if before.active == active {
            return Ok(());
        }
        diesel::update(units::table.find(id))
            .set((units::active.eq(active), units::updated_at.eq(db::now())))
            .execute(conn)?;
        let action = if active {
            "unit.activate"
        } else {
            "unit.deactivate"
        };
        audit::record(
            conn,
            actor,
            action,
            ("unit", Some(id)),
            json!({"before": {"active": before.active}, "after": {"active": active}}),
        )
    })
}

#[derive(serde::Deserialize)]
struct KnownUnits {
    units: Vec<KnownUnit>,
}

#[derive(serde::Deserialize)]
struct KnownUnit {
    name: String,
    #[serde(rename = "type")]
    unit_type: String,
    parent: Option<String>,
}

/// Adds the known Kota Bekasi units that are not there yet; returns how many were added.
pub fn seed_known(conn: &mut DbConn) -> Result<usize, AppError> {
    let known: KnownUnits = serde_json::from_str(include_str!("data/kota-bekasi-units.json"))
        .map_err(|e| AppError::internal("kota-bekasi-units.json", e))?;
    db::transaction(conn, |conn| {
        let mut added = 0;
        // Parents are listed before their children in the file.
        for u in &known.units {
            if unit::find_by_name(conn, &u.name)?.is_some() {
                continue;
            }
            let parent_id = match &u.parent {
                Some(p) => unit::find_by_name(conn, p)?.map(|p| p.id),
                None => None,
            };
            let now = db::now();
            unit::insert(
                conn,
                &NewUnit {
                    name: &u.name,
                    unit_type: &u.unit_type,
                    parent_id,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            added += 1;
        }
        if added > 0 {
            audit::record(
                conn,
                &Actor::system(),
                "unit.seed",
                ("unit", None),
                json!({"added": added}),
            )?;
        }
        Ok(added)
    })
}
