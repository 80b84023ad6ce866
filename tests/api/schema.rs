//! The two migration folders must produce the same tables and columns (and compatible types).

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use crate::helpers::fresh_pg_database;

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
}

/// Types by family, so `INTEGER` (SQLite) and `integer` (PG) compare equal.
fn family(t: &str) -> &'static str {
    let t = t.to_lowercase();
    if t.contains("int") || t == "serial" {
        "integer"
    } else if t.contains("bool") {
        "bool"
    } else if t.contains("timestamp") {
        "timestamp"
    } else if t.contains("text") || t.contains("char") {
        "text"
    } else {
        "other"
    }
}

fn normalise(cols: Vec<Column>) -> Vec<(String, String, &'static str, bool)> {
    let mut out: Vec<_> = cols
        .into_iter()
        .filter(|c| !c.table_name.starts_with("__diesel") && c.table_name != "sqlite_sequence")
        .map(|c| {
            (
                c.table_name,
                c.column_name,
                family(&c.data_type),
                c.not_null != 0,
            )
        })
        .collect();
    out.sort();
    out
}

fn sqlite_columns() -> Vec<Column> {
    let dir = tempfile::tempdir().unwrap();
    let pool = biw::db::connect(
        &format!("sqlite://{}", dir.path().join("s.db").display()),
        1,
    )
    .unwrap();
    let mut conn = pool.get().unwrap();
    biw::db::migrate(&mut conn).unwrap();
    diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
         CASE WHEN p.\"notnull\" = 1 OR p.pk = 1 THEN 1 ELSE 0 END AS not_null \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
    )
    .load(&mut *conn)
    .unwrap()
}

fn pg_columns(url: &str) -> Vec<Column> {
    let pool = biw::db::connect(url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    biw::db::migrate(&mut conn).unwrap();
    diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, data_type::text AS data_type, \
         CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS not_null \
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .load(&mut *conn)
    .unwrap()
}

#[test]
fn sqlite_and_postgres_migrations_agree() {
    let sqlite = normalise(sqlite_columns());
    assert!(
        sqlite.iter().any(|c| c.0 == "users" && c.1 == "email"),
        "migrations ran"
    );
    let admin = std::env::var("BIW_TEST_PG_URL")
        .ok()
        .or_else(crate::helpers::pg_admin_url);
    let Some(admin) = admin else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must set BIW_TEST_PG_URL so both engines are compared"
        );
        eprintln!("skipping the PostgreSQL half: set BIW_TEST_PG_URL");
        return;
    };
    let pg = normalise(pg_columns(&fresh_pg_database(&admin)));
    assert_eq!(sqlite, pg);
}

#[test]
fn migration_folders_mirror_each_other() {
    let names = |engine: &str| {
        let mut v: Vec<String> = std::fs::read_dir(format!(
            "{}/migrations/{engine}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
}

/// The tables and columns `src/db/schema.rs` declares: (table, column, type family, not null).
fn declared_columns() -> Vec<(String, String, &'static str, bool)> {
    let text = std::fs::read_to_string(format!("{}/src/db/schema.rs", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    let mut out = Vec::new();
    let mut table: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_suffix('{')
            && let Some((name, _key)) = rest.trim().split_once(" (")
            && !name.contains(' ')
        {
            table = Some(name.to_string());
            continue;
        }
        if line == "}" {
            table = None;
            continue;
        }
        if let (Some(t), Some((col, ty))) = (&table, line.trim_end_matches(',').split_once(" -> "))
        {
            let nullable = ty.starts_with("Nullable<");
            let inner = ty.trim_start_matches("Nullable<").trim_end_matches('>');
            out.push((t.clone(), col.trim().to_string(), family(inner), !nullable));
        }
    }
    out.sort();
    out
}

/// The hand-written schema that every query compiles against matches the real databases: a column
/// added to a migration but not to `schema.rs` (or the other way round, or with another type or
/// nullability) fails here, on both engines.
#[test]
fn schema_rs_matches_the_migrated_databases() {
    let declared = declared_columns();
    assert!(
        declared.iter().any(|c| c.0 == "users" && c.1 == "email"),
        "schema.rs parsed"
    );
    assert_eq!(normalise(sqlite_columns()), declared, "SQLite");
    let admin = std::env::var("BIW_TEST_PG_URL")
        .ok()
        .or_else(crate::helpers::pg_admin_url);
    if let Some(admin) = admin {
        assert_eq!(
            normalise(pg_columns(&fresh_pg_database(&admin))),
            declared,
            "PostgreSQL"
        );
    }
}

/// SQLite statistics carry no `sqlite_stat4` samples: with samples, SQLite expires a cached
/// statement at every bind of a value that could steer its plan and parses it again. The pool's
/// connections analyse with a limit (no samples), and housekeeping replaces samples that a plain
/// `ANALYZE` from elsewhere left.
#[test]
fn sqlite_statistics_never_hold_samples_that_expire_cached_statements() {
    use diesel::connection::SimpleConnection;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("stats.db").display());
    let pool = biw::db::connect(&url, 2).unwrap();
    let mut conn = pool.get().unwrap();
    biw::db::migrate(&mut conn).unwrap();
    biw::services::units::seed_known(&mut conn).unwrap();
    conn.batch_execute("ANALYZE").unwrap();
    assert_eq!(biw::db::sqlite_samples(&mut conn).unwrap(), 0);
    // A connection without the pool's settings (a shell, an older release) gathers samples.
    let mut plain = diesel::SqliteConnection::establish(&url).unwrap();
    plain.batch_execute("ANALYZE").unwrap();
    drop(plain);
    assert!(biw::db::sqlite_samples(&mut conn).unwrap() > 0);
    biw::db::optimize(&mut conn).unwrap();
    assert_eq!(biw::db::sqlite_samples(&mut conn).unwrap(), 0);
    // The row counts are counted, not guessed from the first rows read: a guess of 1,001 entries
    // in an edition of 5,000 once made the planner sort the edition instead of walking an index.
    conn.batch_execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) \
         INSERT INTO login_attempts (email, ip, succeeded, created_at) \
         SELECT 'a' || (i % 3) || '@x.id', '10.0.0.1', 0, '2026-12-01 00:00:00' FROM n; ANALYZE",
    )
    .unwrap();
    #[derive(QueryableByName)]
    struct Stat {
        #[diesel(sql_type = diesel::sql_types::Text)]
        stat: String,
    }
    let stats: Vec<Stat> =
        diesel::sql_query("SELECT stat FROM sqlite_stat1 WHERE idx = 'login_attempts_email_idx'")
            .load(&mut conn)
            .unwrap();
    // 5,000 rows, three addresses: 1,667 rows an address (rounded up).
    assert_eq!(
        stats
            .first()
            .map(|s| s.stat.split(' ').take(2).collect::<Vec<_>>().join(" ")),
        Some("5000 1667".to_string())
    );
    assert_eq!(biw::db::sqlite_samples(&mut conn).unwrap(), 0);
}
