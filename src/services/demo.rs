//! Demo data: the known units, one account per role with a known password, and a few invitations.

use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::auth::password;
use crate::db::schema::users;
use crate::db::{self, DbConn};
use crate::domain::Role;
use crate::error::AppError;
use crate::models::{unit, user};
use crate::services::accounts::{self, InviteInput};
use crate::services::units;
use crate::state::AppState;

/// A demo login, printed at start-up.
pub struct DemoLogin {
    /// Role.
    pub role: Role,
    /// Email.
    pub email: &'static str,
    /// Password.
    pub password: &'static str,
}

/// The demo logins, one per role.
pub const LOGINS: [DemoLogin; 3] = [
    DemoLogin {
        role: Role::Organiser,
        email: "panitia@demo.biw.id",
        password: "panitia-demo-2026",
    },
    DemoLogin {
        role: Role::Opd,
        email: "opd.disdukcapil@demo.biw.id",
        password: "opd-demo-2026",
    },
    DemoLogin {
        role: Role::Judge,
        email: "juri@demo.biw.id",
        password: "juri-demo-2026",
    },
];

/// Whether the database has no users yet.
pub fn is_empty(conn: &mut DbConn) -> Result<bool, AppError> {
    let n: i64 = users::table.count().get_result(conn)?;
    Ok(n == 0)
}

/// Loads the demo into an empty database; refuses a database that already has users.
pub fn load(conn: &mut DbConn, state: &AppState) -> Result<(), AppError> {
    if !is_empty(conn)? {
        return Err(AppError::Config(
            "the database already has users; demo data goes only into an empty database".into(),
        ));
    }
    units::seed_known(conn)?;
    let disdukcapil =
        unit::find_by_name(conn, "Dinas Kependudukan dan Pencatatan Sipil")?.map(|u| u.id);
    let names = [
        "Ratna Sari (Panitia)",
        "Budi Santoso (Disdukcapil)",
        "Dr. Wulan Pratiwi (BRIN)",
    ];
    for (login, name) in LOGINS.iter().zip(names) {
        let hash = password::hash(login.password)?;
        let now = db::now();
        let id = user::insert(
            conn,
            &user::NewUser {
                email: login.email,
                name,
                password_hash: Some(&hash),
                role: login.role.code(),
                unit_id: if login.role == Role::Opd {
                    disdukcapil
                } else {
                    None
                },
                affiliation: if login.role == Role::Judge {
                    Some("BRIN")
                } else {
                    None
                },
                lang: "id",
                created_at: now,
                updated_at: now,
            },
        )?;
        audit::record(
            conn,
            &Actor::system(),
            "user.demo",
            ("user", Some(id)),
            json!({"after": {"email": login.email}}),
        )?;
    }
    let organiser = user::find_by_email(conn, LOGINS[0].email)?.map(|u| u.id);
    // The demo operator speaks for Disdukcapil, so the demo shows submission end to end.
    diesel::update(users::table.filter(users::email.eq(LOGINS[1].email)))
        .set(users::is_endorser.eq(true))
        .execute(conn)?;
    let (past, current) = crate::services::demo_edition::load(conn, organiser)?;
    crate::services::demo_judging::load(conn, state, organiser, past, current)?;
    let actor = Actor {
        user_id: organiser,
        ip: None,
    };
    // A few pending invitations, so the lists and the outbox are not empty.
    let invites = [
        (
            "operator.rsud@demo.biw.id",
            "Sri Lestari",
            "opd",
            "RSUD dr. Chasbullah Abdulmadjid",
            None,
        ),
        (
            "operator.bappelitbangda@demo.biw.id",
            "Agus Firmansyah",
            "opd",
            "Badan Perencanaan Pembangunan dan Penelitian Pengembangan Daerah (Bappelitbangda)",
            None,
        ),
        (
            "operator.jatiasih@demo.biw.id",
            "Dewi Anggraini",
            "opd",
            "Kecamatan Jatiasih",
            None,
        ),
        (
            "juri.unpad@demo.biw.id",
            "Prof. Hendra Gunawan",
            "judge",
            "",
            Some("Universitas Padjadjaran"),
        ),
    ];
    for (email, name, role, unit_name, affiliation) in invites {
        let unit_id = unit::find_by_name(conn, unit_name)?.map(|u| u.id.to_string());
        let input = InviteInput {
            email: email.into(),
            name: name.into(),
            role: role.into(),
            unit_id,
            affiliation: affiliation.map(String::from),
            lang: Some("id".into()),
            is_endorser: None,
        };
        accounts::invite(conn, state, &actor, &input)?;
    }
    Ok(())
}
