//! Database access: one connection type over SQLite and PostgreSQL, its pool, and the embedded migrations.
//!
//! Reads of one row use `get_result`, not `first`: `first` binds `LIMIT ?`, and SQLite (3.47 and
//! later) folds a bound LIMIT into the plan and marks the cached statement for re-preparation at
//! every new binding, so every `first` parsed and planned its SQL again (a sixth of the CPU of an
//! ordinary page, measured with `perf`). A lookup by a unique key needs no LIMIT; only the outbox's
//! "next due mail", which can match thousands of rows, keeps `first`.

pub mod schema;

use std::sync::atomic::{AtomicI64, Ordering};

use diesel::prelude::*;
use diesel::r2d2::{self, CustomizeConnection, ManageConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

/// A connection to either engine; the variant follows the `DATABASE_URL` scheme.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// PostgreSQL, the production engine.
    Postgresql(diesel::PgConnection),
    /// SQLite, the embedded default. Last, because SQLite accepts any string as a path.
    Sqlite(diesel::SqliteConnection),
}

/// The shared r2d2 pool of [`DbConn`].
pub type DbPool = r2d2::Pool<DbManager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Which engine a URL names.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Opens connections by URL scheme. diesel's own manager tries every backend and reports only
/// "invalid connection url", hiding the real cause (wrong password, server down).
#[derive(Debug, Clone)]
pub struct DbManager {
    url: String,
}

impl ManageConnection for DbManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        if is_postgres_url(&self.url) {
            diesel::PgConnection::establish(&self.url).map(DbConn::Postgresql)
        } else {
            diesel::SqliteConnection::establish(&self.url).map(DbConn::Sqlite)
        }
        .map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        use diesel::r2d2::R2D2Connection;
        match conn {
            // A file opened in-process does not go away; the ping would only cost a query per use.
            DbConn::Sqlite(_) => Ok(()),
            // A ping on every checkout was a round trip per request (10-18% of a page's throughput
            // on PostgreSQL). Connections are checked only for a while after one was found gone:
            // the request that met it answers 503, and the next ones get live connections.
            DbConn::Postgresql(_) if connections_suspect() => {
                conn.ping().map_err(r2d2::Error::QueryError)
            }
            DbConn::Postgresql(_) => Ok(()),
        }
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        use diesel::r2d2::R2D2Connection;
        conn.is_broken()
    }
}

/// SQLite leaves foreign keys off and fails at once on a locked file unless told otherwise, per connection.
///
/// `analysis_limit` keeps `ANALYZE` from sampling `sqlite_stat4`. The bundled SQLite is built with
/// STAT4, and with samples present every cached statement whose bound value could steer the plan is
/// expired at each bind and parsed and planned again: 10% of the assignment board's CPU.
/// Any limit stops the samples; a small one also makes the row counts guesses (1,000 rows read
/// per index put 1,001 entries in an edition that held 5,000), and the planner then sorted the
/// whole edition for the list by unit (5.8 ms) instead of walking its index (0.45 ms). 100,000
/// counts every table but the audit log and the outbox exactly at national scale, and `ANALYZE`
/// of the whole benchmark database takes 0.1 s (it holds the write lock while it reads).
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConn, r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        if let DbConn::Sqlite(c) = conn {
            use diesel::connection::SimpleConnection;
            c.batch_execute(&format!(
                "PRAGMA busy_timeout = {SQLITE_BUSY_MS}; PRAGMA foreign_keys = ON; \
                 PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA analysis_limit = 100000;"
            ))
            .map_err(r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Builds the pool and checks that one connection can be opened, so a wrong URL fails at start-up.
pub fn connect(url: &str, max_size: u32) -> Result<DbPool, AppError> {
    if !is_postgres_url(url) {
        let path = url
            .trim_start_matches("sqlite://")
            .trim_start_matches("file:");
        if let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| AppError::Config(format!("cannot create {}: {e}", dir.display())))?;
        }
    }
    let manager = DbManager {
        url: url.to_string(),
    };
    let mut conn = manager
        .connect()
        .map_err(|e| AppError::Config(format!("cannot connect to the database: {e}")))?;
    // WAL must be switched on before several pooled connections open the file.
    SqlitePragmas
        .on_acquire(&mut conn)
        .map_err(|e| AppError::Config(format!("cannot configure the database: {e}")))?;
    drop(conn);
    r2d2::Pool::builder()
        .max_size(max_size)
        // A request waits this long for a connection before it is answered 503 (try again).
        .connection_timeout(std::time::Duration::from_secs(5))
        .connection_customizer(Box::new(SqlitePragmas))
        .build(manager)
        .map_err(|e| AppError::Config(format!("cannot open the database pool: {e}")))
}

/// Runs the pending migrations of the connection's engine; returns the versions applied.
pub fn migrate(conn: &mut DbConn) -> Result<Vec<String>, AppError> {
    let set = match conn {
        DbConn::Postgresql(_) => PG_MIGRATIONS,
        DbConn::Sqlite(_) => SQLITE_MIGRATIONS,
    };
    let applied = conn
        .run_pending_migrations(set)
        .map_err(|e| AppError::Config(format!("migration failed: {e}")))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// Until when (milliseconds since the epoch) pooled connections are pinged before use.
static SUSPECT_UNTIL: AtomicI64 = AtomicI64::new(0);
/// How long connections stay suspect after one was found gone.
const SUSPECT_MS: i64 = 30_000;

fn epoch_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn connections_suspect() -> bool {
    SUSPECT_UNTIL.load(Ordering::Relaxed) > epoch_ms()
}

/// Notes an error: when a query found the database gone, pooled connections are pinged before use
/// for a while, so the connections it dropped are replaced instead of failing one request each. A
/// pool that is merely busy (no connection in time) is no reason to add a ping to every checkout.
pub fn note_error(e: &AppError) {
    if matches!(e, AppError::Db(_)) && e.is_unavailable() {
        SUSPECT_UNTIL.store(epoch_ms() + SUSPECT_MS, Ordering::Relaxed);
    }
}

/// Runs blocking diesel work on the blocking pool with a pooled connection.
pub async fn run<T, F>(pool: &DbPool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let result = pool
            .get()
            .map_err(AppError::from)
            .and_then(|mut conn| f(&mut conn));
        if let Err(e) = &result {
            note_error(e);
        }
        result
    })
    .await
    .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
}

/// How long SQLite waits for another connection's write lock (`PRAGMA busy_timeout`), in ms.
const SQLITE_BUSY_MS: u64 = 10_000;

/// Turn-taking for one SQLite database's single writer among this process's write transactions.
///
/// A connection that finds the write lock taken sleeps in SQLite's busy handler for 1, 2, 5, 10 …
/// up to 100 ms between tries, whenever the lock was freed: with 64 autosaves at once, a save
/// waited up to ~110 ms for a lock that is held ~1 ms a time. Writers here queue on a condition
/// variable instead and start the moment the one before them ends. Other processes (the command
/// line) still meet SQLite's busy timeout. One gate per database file, so a database held up
/// (by another process) never holds up writers of another (the tests run many at once).
#[derive(Default)]
struct WriterGate {
    busy: std::sync::Mutex<bool>,
    freed: std::sync::Condvar,
}

/// A writer's turn; ends (and wakes the next writer) when dropped, a panic included.
struct WriterTurn(std::sync::Arc<WriterGate>);

impl WriterGate {
    /// The gate of the database file `c` has open.
    fn of(c: &mut diesel::SqliteConnection) -> QueryResult<std::sync::Arc<WriterGate>> {
        use std::collections::HashMap;
        use std::sync::{Arc, LazyLock, Mutex};
        static GATES: LazyLock<Mutex<HashMap<String, Arc<WriterGate>>>> =
            LazyLock::new(Mutex::default);
        let file: String = diesel::dsl::sql::<diesel::sql_types::Text>(
            "SELECT file FROM pragma_database_list WHERE name = 'main'",
        )
        .get_result(c)?;
        let mut gates = GATES.lock().unwrap_or_else(|p| p.into_inner());
        Ok(gates.entry(file).or_default().clone())
    }

    /// This process's turn at the writer of `c`'s database. A writer that waited the whole busy
    /// timeout for the one before it fails as SQLite would have ("database is locked": 503).
    fn turn(c: &mut diesel::SqliteConnection) -> QueryResult<WriterTurn> {
        WriterGate::of(c)?
            .enter(std::time::Duration::from_millis(SQLITE_BUSY_MS))
            .ok_or_else(|| {
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::Unknown,
                    Box::new(String::from(
                        "database is locked (waited for this process's writers)",
                    )),
                )
            })
    }

    /// Waits for the turn, at most `timeout`; `None` when the writer before held it that long.
    fn enter(self: std::sync::Arc<Self>, timeout: std::time::Duration) -> Option<WriterTurn> {
        let deadline = std::time::Instant::now() + timeout;
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        while *busy {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return None;
            }
            busy = self
                .freed
                .wait_timeout(busy, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        *busy = true;
        drop(busy);
        Some(WriterTurn(self))
    }
}

impl Drop for WriterTurn {
    fn drop(&mut self) {
        *self.0.busy.lock().unwrap_or_else(|p| p.into_inner()) = false;
        self.0.freed.notify_one();
    }
}

/// Runs `f` in a write transaction; every service that changes data goes through here.
///
/// SQLite starts a plain `BEGIN` as a reader and tries to become the writer at its first write; when
/// another connection wrote in between, it fails at once with "database is locked" and the busy
/// timeout cannot help. `BEGIN IMMEDIATE` takes the write lock up front, so concurrent writers wait
/// their turn (up to the busy timeout) instead of failing. PostgreSQL needs nothing special. Inside an
/// open transaction this nests as a savepoint, as diesel's own `transaction` does.
pub fn transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConn::Sqlite(c) = conn else {
        #[allow(clippy::disallowed_methods)]
        return conn.transaction(f);
    };
    let outermost = AnsiTransactionManager::transaction_manager_status_mut(c)
        .transaction_depth()?
        .is_none();
    if !outermost {
        #[allow(clippy::disallowed_methods)]
        return conn.transaction(f);
    }
    // Held until the commit or rollback below is done.
    let _turn = WriterGate::turn(c)?;
    AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    let result = f(conn);
    let DbConn::Sqlite(c) = conn else {
        unreachable!("the connection cannot change engine");
    };
    match result {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(c)?;
            Ok(value)
        }
        Err(user_error) => match AnsiTransactionManager::rollback_transaction(c) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(user_error),
            Err(rollback_error) => Err(rollback_error.into()),
        },
    }
}

/// A row that a write transaction checks and must keep from changing under it until it commits.
#[derive(Debug, Clone, Copy)]
pub enum Row {
    /// An entry (its status, content and files).
    Entry(i32),
    /// A unit (how many entries it has submitted).
    Unit(i32),
    /// A round (its window and its results' stage).
    Round(i32),
    /// The round of an assignment (a sheet's round, named by the assignment the request names).
    RoundOfAssignment(i32),
    /// A user (whether they may still act as an organiser).
    User(i32),
    /// An edition (its national shortlist).
    Edition(i32),
}

/// How a [`Row`] is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Many transactions may hold it at once (judges saving sheets of one round); a transaction
    /// that changes the row waits for them, and they wait for it.
    Shared,
    /// Only this transaction: it is about to change the row or what the row guards.
    Exclusive,
}

/// Whether `conn` is inside a transaction (whose writes may still be rolled back).
pub fn in_transaction(conn: &mut DbConn) -> bool {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let depth = match conn {
        DbConn::Postgresql(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()
        }
        DbConn::Sqlite(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()
        }
    };
    // A broken transaction manager is in no state to be trusted with a kept value either.
    !matches!(depth, Ok(None))
}

/// Holds `row` until the transaction ends, so what this transaction checked about it stays true
/// until it commits. Call it before reading what is checked. On PostgreSQL (read committed) two
/// transactions otherwise check the same state and both write: two submissions past a unit's
/// limit, a sheet saved into a round being frozen. SQLite's write transactions already hold the
/// whole database (`BEGIN IMMEDIATE`, [`transaction`]), so there it does nothing.
pub fn hold(conn: &mut DbConn, row: Row, how: Hold) -> QueryResult<()> {
    // Outside a transaction a lock ends with its statement: nothing to hold.
    if is_sqlite(conn) || !in_transaction(conn) {
        return Ok(());
    }
    let (table, key, id) = match row {
        Row::Entry(id) => ("entries", "$1", id),
        Row::Unit(id) => ("units", "$1", id),
        Row::Round(id) => ("rounds", "$1", id),
        Row::RoundOfAssignment(id) => (
            "rounds",
            "(SELECT round_id FROM assignments WHERE id = $1)",
            id,
        ),
        Row::User(id) => ("users", "$1", id),
        Row::Edition(id) => ("editions", "$1", id),
    };
    // `NO KEY UPDATE`, not `UPDATE`: rows that refer to this one (an audit event naming its user,
    // a sheet version) take a key-share lock as they are inserted, and must not wait for it.
    let mode = match how {
        Hold::Shared => "SHARE",
        Hold::Exclusive => "NO KEY UPDATE",
    };
    diesel::sql_query(format!(
        "SELECT id FROM {table} WHERE id = {key} FOR {mode}"
    ))
    .bind::<diesel::sql_types::Integer, _>(id)
    .execute(conn)?;
    Ok(())
}

/// Runs `f`, one write statement that needs no transaction around it (or a write and the read of
/// its row), with this process's turn at SQLite's writer when it runs outside a transaction, so
/// it queues with the write transactions instead of polling for the lock in SQLite's busy handler
/// while they hand it to each other. Inside a transaction, or on PostgreSQL, it just runs.
pub fn write<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConn::Sqlite(c) = conn else {
        return f(conn);
    };
    if AnsiTransactionManager::transaction_manager_status_mut(c)
        .transaction_depth()?
        .is_some()
    {
        return f(conn);
    }
    let _turn = WriterGate::turn(c)?;
    f(conn)
}

/// A value that moves whenever anything commits to the database, through any connection of any
/// process: what a page drawn from the database is kept against (`web::page_cache`). Two equal
/// stamps read at two moments mean nothing was committed in between.
///
/// PostgreSQL: the current snapshot (`xmin:xmax:in-progress ids`). Every transaction that wrote
/// moves it when it ends, and two equal snapshots see the same rows. It covers the whole server, so
/// commits to its other databases move it too (fewer pages served again, never a stale one).
/// SQLite: `PRAGMA data_version` on a connection of the watch's own that never writes, which SQLite
/// moves whenever another connection commits. That count starts again on a new connection, so it
/// is prefixed with how many times the watch has opened one: a count read before a reopen never
/// matches one read after it.
pub struct ChangeWatch {
    url: String,
    watcher: std::sync::Mutex<(u64, Option<diesel::SqliteConnection>)>,
}

/// How long a SQLite stamp may wait on a lock before the page is simply drawn, uncached.
const WATCH_BUSY_MS: u64 = 100;

impl ChangeWatch {
    /// A watch over the database at `url` (its SQLite connection opens at the first stamp).
    pub fn new(url: &str) -> ChangeWatch {
        ChangeWatch {
            url: url.to_string(),
            watcher: std::sync::Mutex::new((0, None)),
        }
    }

    /// Whether stamp `a` was read after stamp `b` (not merely differs from it), so that a request
    /// that read its stamp just before a commit and comes late does not drop the pages drawn
    /// after it. SQLite's `opened:count` only grows; a PostgreSQL snapshot `xmin:xmax:ids` is
    /// later when its `xmax` is higher, or equal with a higher `xmin` or fewer transactions in
    /// progress. A stamp that cannot be read as either counts as later: the pages are dropped,
    /// which is never wrong.
    pub fn later(a: &str, b: &str) -> bool {
        fn order(s: &str) -> Option<(u64, u64, i64)> {
            let mut parts = s.split(':');
            let (first, second) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
            match parts.next() {
                // PostgreSQL: xmin, xmax and the ids still in progress.
                Some(ids) if parts.next().is_none() => {
                    let running = ids.split(',').filter(|i| !i.is_empty()).count() as i64;
                    Some((second, first, -running))
                }
                None => Some((first, second, 0)),
                Some(_) => None,
            }
        }
        match (order(a), order(b)) {
            (Some(a), Some(b)) => a > b,
            _ => true,
        }
    }

    /// Whether a stamp needs a pooled connection (PostgreSQL); SQLite's needs none.
    pub fn needs_connection(&self) -> bool {
        is_postgres_url(&self.url)
    }

    /// The database's stamp now; `conn` is any connection to the same database.
    pub fn stamp(&self, conn: &mut DbConn) -> QueryResult<String> {
        use diesel::sql_types::Text;
        match conn {
            DbConn::Postgresql(_) => {
                diesel::select(diesel::dsl::sql::<Text>("pg_current_snapshot()::text"))
                    .get_result(conn)
            }
            DbConn::Sqlite(_) => self.sqlite_stamp(),
        }
    }

    /// SQLite's stamp, read on the watch's own connection.
    pub fn sqlite_stamp(&self) -> QueryResult<String> {
        let mut watcher = self.watcher.lock().unwrap_or_else(|p| p.into_inner());
        let (opened, conn) = &mut *watcher;
        if conn.is_none() {
            use diesel::connection::SimpleConnection;
            // A second connection to `:memory:` would be another, empty database.
            if self.url.contains(":memory:") || self.url.contains("mode=memory") {
                return Err(diesel::result::Error::QueryBuilderError(
                    "an in-memory database has no watch".into(),
                ));
            }
            let mut c = diesel::SqliteConnection::establish(&self.url)
                .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?;
            c.batch_execute(&format!("PRAGMA busy_timeout = {WATCH_BUSY_MS};"))?;
            *opened += 1;
            *conn = Some(c);
        }
        let Some(c) = conn.as_mut() else {
            unreachable!("opened above");
        };
        let version = diesel::dsl::sql::<diesel::sql_types::BigInt>("PRAGMA data_version")
            .get_result::<i64>(c);
        if version.is_err() {
            // Opened again at the next stamp, under the next number.
            *conn = None;
        }
        Ok(format!("{opened}:{}", version?))
    }
}

/// A judge's page stamp (migration `page_scopes`): how many commits changed what a judge's pages
/// read, in scope 0 and in the judge's own scope together, and how many of those are still rows of
/// `page_changes` waiting to be folded (PostgreSQL; always 0 on SQLite).
pub fn judge_stamp(conn: &mut DbConn, judge: i32) -> QueryResult<(i64, i64)> {
    use schema::{page_changes, page_scopes};
    let scopes = [0, judge];
    let folded = page_scopes::table
        .filter(page_scopes::scope.eq_any(scopes))
        .select(diesel::dsl::sql::<
            diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
        >("CAST(SUM(n) AS BIGINT)"))
        .single_value();
    let pending = page_changes::table
        .filter(page_changes::scope.eq_any(scopes))
        .count()
        .single_value();
    // One statement, one snapshot: read in two, a fold committed in between would be counted
    // twice or not at all. Built with the query builder, so each connection prepares it once.
    // (Read as two more columns of the session's statement it was slower on PostgreSQL: 2,400–
    // 2,800 against 3,200–4,200 judge's pages a second.)
    let (folded, pending): (Option<i64>, Option<i64>) =
        diesel::select((folded, pending)).get_result(conn)?;
    let (folded, pending) = (folded.unwrap_or(0), pending.unwrap_or(0));
    Ok((folded + pending, pending))
}

/// Folds the rows of `page_changes` into `page_scopes`' counters in one commit, so that reading a
/// stamp stays one short count; the totals do not change. One instance folds at a time (another
/// asking meanwhile returns at once).
pub fn fold_page_changes(conn: &mut DbConn) -> QueryResult<()> {
    if !matches!(conn, DbConn::Postgresql(_)) {
        return Ok(());
    }
    transaction(conn, |conn| {
        let mine: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "pg_try_advisory_xact_lock(7239027)",
        ))
        .get_result(conn)?;
        if mine {
            diesel::sql_query(
                "WITH gone AS (DELETE FROM page_changes RETURNING scope) \
                 INSERT INTO page_scopes (scope, n) \
                 SELECT scope, COUNT(*) FROM gone GROUP BY scope ORDER BY scope \
                 ON CONFLICT (scope) DO UPDATE SET n = page_scopes.n + EXCLUDED.n",
            )
            .execute(conn)?;
        }
        Ok(())
    })
}

/// One trivial query: does the database answer?
pub fn ping(conn: &mut DbConn) -> QueryResult<i32> {
    diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("1")).get_result(conn)
}

/// Keeps the query planner's statistics fresh. SQLite gathers them only when asked (`PRAGMA
/// optimize` analyses just the tables that changed enough, cheaply); PostgreSQL's autovacuum does it.
pub fn optimize(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(_) => {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("PRAGMA optimize")?;
            // Samples gathered before the connection's analysis limit (or by a tool) would make
            // statements re-prepare on every run; one limited ANALYZE replaces them.
            if sqlite_samples(conn)? > 0 {
                conn.batch_execute("ANALYZE")?;
            }
            Ok(())
        }
        DbConn::Postgresql(_) => Ok(()),
    }
}

/// Rows in SQLite's `sqlite_stat4` (0 when the table does not exist).
pub fn sqlite_samples(conn: &mut DbConn) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let exists: Vec<N> =
        diesel::sql_query("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat4'")
            .load(conn)?;
    if exists.first().is_none_or(|e| e.n == 0) {
        return Ok(0);
    }
    diesel::sql_query("SELECT COUNT(*) AS n FROM sqlite_stat4")
        .get_result::<N>(conn)
        .map(|r| r.n)
}

/// The highest page number a list serves; any larger number shows this page.
pub const MAX_PAGE: i64 = 100_000;

/// The row offset of a 1-based page, with the page clamped to `1..=MAX_PAGE` and the size to
/// `1..=1000`: no query parameter can overflow an offset or make the database refuse it.
pub fn page_offset(page: i64, per_page: i64) -> i64 {
    (page.clamp(1, MAX_PAGE) - 1) * per_page.clamp(1, 1000)
}

/// A query with its LIMIT and OFFSET written into the SQL as numbers instead of bound: SQLite folds a
/// bound LIMIT into the plan and re-prepares the cached statement at every binding (see the module
/// notes), which cost a list page a tenth of its time. The first page's SQL is the same on every
/// view and stays prepared; deeper pages are prepared for their view and not kept, so walking every
/// page cannot fill the statement cache.
#[derive(Debug, Clone, Copy)]
pub struct Paged<Q> {
    query: Q,
    limit: i64,
    offset: i64,
}

/// Pages a query (which must have no LIMIT or OFFSET of its own).
pub trait PageDsl: Sized {
    /// `LIMIT limit OFFSET offset`, both written into the SQL; negative values count as 0.
    fn paged(self, limit: i64, offset: i64) -> Paged<Self> {
        Paged {
            query: self,
            limit: limit.max(0),
            offset: offset.max(0),
        }
    }
}

impl<Q: diesel::query_builder::Query> PageDsl for Q {}

impl<Q: diesel::query_builder::Query> diesel::query_builder::Query for Paged<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> diesel::query_builder::QueryId for Paged<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, C> RunQueryDsl<C> for Paged<Q> {}

impl<Q, DB> diesel::query_builder::QueryFragment<DB> for Paged<Q>
where
    DB: diesel::backend::Backend,
    Q: diesel::query_builder::QueryFragment<DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        if self.offset > 0 {
            out.unsafe_to_cache_prepared();
        }
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(&format!(" LIMIT {} OFFSET {}", self.limit, self.offset));
        Ok(())
    }
}

/// The current time as stored in the database: UTC, without zone.
pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// Whether a diesel error is a unique-constraint violation (duplicate email, unit name...).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

diesel::define_sql_function! {
    /// SQL `lower()`, the same on both engines (for case-insensitive search and uniqueness).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Whether the connection is SQLite (for the few statements written differently per engine).
pub fn is_sqlite(conn: &DbConn) -> bool {
    matches!(conn, DbConn::Sqlite(_))
}

/// `text` with `LIKE`'s own characters (`%`, `_` and the escape `\`) escaped, for a pattern used
/// with `.escape('\\')`: a search for "100%" finds "100%", not every name with "100" in it, and a
/// search for "_" finds underscores, not every row.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The `LIKE` pattern (with `.escape('\\')`) of the rows that contain `text` anywhere.
pub fn contains_pattern(text: &str) -> String {
    format!("%{}%", escape_like(text))
}

/// A list's search: `$q` (a boxed query) keeps the rows where any of the text columns contains
/// `$text` as typed (see [`escape_like`]), whatever its case (`$sqlite`: [`is_sqlite`] of the
/// connection). SQLite's `LIKE` already ignores case (for ASCII, as its `lower()` does), so there
/// each row is compared as it is; calling `lower()` on every row first doubled a search over
/// 5,000 users. PostgreSQL's `LIKE` is case-sensitive, so there both sides are lowered.
#[macro_export]
macro_rules! search_filter {
    ($q:expr, $sqlite:expr, $text:expr, $first:expr $(, $col:expr)* $(,)?) => {{
        use diesel::EscapeExpressionMethods as _;
        let pattern = $crate::db::contains_pattern(&$text.to_lowercase());
        if $sqlite {
            $q.filter(
                $first.like(pattern.clone()).escape('\\')
                    $(.or($col.like(pattern.clone()).escape('\\')))*
            )
        } else {
            $q.filter(
                $crate::db::lower($first).like(pattern.clone()).escape('\\')
                    $(.or($crate::db::lower($col).like(pattern.clone()).escape('\\')))*
            )
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::schema::users;

    #[test]
    fn pages_are_written_into_the_sql_and_only_the_first_is_kept_prepared() {
        let first = users::table.select(users::id).order(users::id).paged(50, 0);
        let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&first).to_string();
        assert!(
            sql.contains("ORDER BY `users`.`id` LIMIT 50 OFFSET 0"),
            "{sql}"
        );
        assert!(!sql.contains('?'), "nothing bound: {sql}");
        let deeper = users::table.select(users::id).paged(50, 100);
        let sql = diesel::debug_query::<diesel::pg::Pg, _>(&deeper).to_string();
        assert!(sql.contains("LIMIT 50 OFFSET 100"), "{sql}");
        use diesel::query_builder::QueryFragment;
        let backend = diesel::sqlite::Sqlite;
        assert!(first.is_safe_to_cache_prepared(&backend).unwrap());
        assert!(!deeper.is_safe_to_cache_prepared(&backend).unwrap());
        assert_eq!(users::table.select(users::id).paged(-5, -1).offset, 0);
    }

    #[test]
    fn sqlite_writers_in_this_process_take_turns_and_a_panic_ends_a_turn() {
        use std::sync::Arc;
        use std::time::Duration;
        let gate = Arc::new(WriterGate::default());
        let long = Duration::from_secs(60);
        let first = gate.clone().enter(long).expect("a free gate");
        let second = {
            let gate = gate.clone();
            std::thread::spawn(move || gate.enter(long).is_some())
        };
        // Given time to run, the second writer is still waiting for the first.
        std::thread::sleep(Duration::from_millis(100));
        assert!(!second.is_finished(), "the second writer did not wait");
        // A third gives up after its timeout while the turn is held.
        assert!(gate.clone().enter(Duration::from_millis(1)).is_none());
        drop(first);
        assert!(second.join().unwrap(), "the second writer got its turn");
        // A writer that panics during its turn leaves the gate free.
        let holder = gate.clone();
        let panicked = std::thread::spawn(move || {
            let _turn = holder.enter(long);
            panic!("a transaction panicked");
        })
        .join();
        assert!(panicked.is_err());
        assert!(gate.enter(Duration::from_millis(1)).is_some());
    }
}
