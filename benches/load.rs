//! Load benchmark at national scale: generates the data, starts the real server, and measures pages
//! under concurrent load. Run with `cargo bench --bench load` (SQLite) or with
//! `BIW_BENCH_DATABASE_URL=postgres://…` (PostgreSQL; the database must be empty). Results go to stdout
//! as a Markdown table; `BENCHMARKS.md` records them.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use biw::config::Settings;
use biw::db::DbConn;
use biw::startup::{Application, build_state};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

/// National scale (ROADMAP): ~3,500 entries, 300 judges; users here are all units' operators plus judges.
const UNITS: usize = 600;
const OPERATORS: usize = 4_700;
const JUDGES: usize = 300;
const ENTRIES: usize = 5_000;
const AUDIT_EVENTS: usize = 200_000;
const MAILS: usize = 50_000;
/// Judging at national scale (issue 7): entries in the round, sheets per entry; 6 criteria.
const ROUND_ENTRIES: usize = 3_500;
const JUDGES_PER_ENTRY: usize = 5;
const CONNECTIONS: usize = 64;
const REQUESTS_PER_PAGE: usize = 4_000;

/// Requests per page: `BIW_BENCH_REQUESTS` (e.g. more, to give a profiler a longer run), else 4,000.
fn requests_per_page() -> usize {
    std::env::var("BIW_BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n: &usize| *n >= CONNECTIONS)
        .unwrap_or(REQUESTS_PER_PAGE)
}

fn ts(i: usize) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    (base + chrono::Duration::seconds(i as i64 * 37))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn batched(conn: &mut DbConn, head: &str, rows: impl Iterator<Item = String>) {
    let rows: Vec<String> = rows.collect();
    for chunk in rows.chunks(500) {
        conn.batch_execute(&format!("{head} VALUES {}", chunk.join(",")))
            .expect("insert batch");
    }
}

/// What the generated data gives the benchmark to ask for.
struct Bench {
    organiser: String,
    judge: String,
    round: i32,
    /// A second round with every sheet submitted, for results.
    scored_round: i32,
    /// The edition of both rounds.
    edition: i32,
    /// An entry of the scored round, for its feedback report and public page.
    feedback_entry: i32,
    sheet: i32,
    assign_first: Duration,
    assign_again: Duration,
}

/// A judging round at national scale: the default rubric, 3,500 entries, 300 judges who all accepted
/// the declaration, automatic assignment (timed, and timed again with nothing to change), and
/// sheets: three in five submitted, one in five a draft, the rest not started.
fn generate_judging(conn: &mut DbConn, edition: i32) -> (i32, Duration, Duration) {
    use biw::db::schema::{assignments, entries};
    let actor = biw::audit::Actor::system();
    let rubric = biw::services::rubrics::create(
        conn,
        &actor,
        edition,
        &biw::services::rubrics::Start::Preset("default".into()),
    )
    .unwrap();
    let now = biw::db::now();
    let t = |d: chrono::NaiveDateTime| d.format("%Y-%m-%d %H:%M:%S").to_string();
    conn.batch_execute(&format!(
        "INSERT INTO rounds (edition_id, position, kind, name_id, name_en, rubric_id, opens_at, closes_at, judges_per_entry, max_per_judge, match_expertise, created_at, updated_at) \
         VALUES ({edition}, 1, 'desk', 'Evaluasi dokumen', 'Desk evaluation', {rubric}, '{}', '{}', {JUDGES_PER_ENTRY}, 70, FALSE, '{n}', '{n}')",
        t(now - chrono::Duration::days(1)),
        t(now + chrono::Duration::days(30)),
        n = t(now)
    ))
    .unwrap();
    let round: i32 = biw::db::schema::rounds::table
        .select(biw::db::schema::rounds::id)
        .first(conn)
        .unwrap();
    let entry_ids: Vec<i32> = entries::table
        .order(entries::id)
        .limit(ROUND_ENTRIES as i64)
        .select(entries::id)
        .load(conn)
        .unwrap();
    batched(
        conn,
        "INSERT INTO round_entries (round_id, entry_id, source, added_at, slot_place)",
        entry_ids
            .iter()
            .map(|e| format!("({round}, {e}, 'screening', '{}', '')", t(now))),
    );
    let judges: Vec<i32> = biw::db::schema::users::table
        .filter(biw::db::schema::users::role.eq("judge"))
        .select(biw::db::schema::users::id)
        .load(conn)
        .unwrap();
    batched(
        conn,
        "INSERT INTO round_judges (round_id, judge_id, added_at)",
        judges
            .iter()
            .map(|j| format!("({round}, {j}, '{}')", t(now))),
    );
    batched(
        conn,
        "INSERT INTO judge_declarations (edition_id, judge_id, statement, ip, accepted_at)",
        judges
            .iter()
            .map(|j| format!("({edition}, {j}, '2026-1', '127.0.0.1', '{}')", t(now))),
    );
    let started = Instant::now();
    biw::services::judging::auto_assign(conn, &actor, round).unwrap();
    let assign_first = started.elapsed();
    let started = Instant::now();
    let again = biw::services::judging::auto_assign(conn, &actor, round).unwrap();
    let assign_again = started.elapsed();
    assert_eq!(again.added, 0);
    let live: Vec<(i32, i32, i32)> = assignments::table
        .order(assignments::id)
        .select((
            assignments::id,
            assignments::entry_id,
            assignments::judge_id,
        ))
        .load(conn)
        .unwrap();
    let criteria = biw::models::rubric::criteria(conn, rubric).unwrap();
    let sheets: Vec<(usize, &(i32, i32, i32))> = live
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 5 != 4)
        .collect();
    batched(
        conn,
        "INSERT INTO sheets (assignment_id, round_id, entry_id, judge_id, rubric_id, status, overall_comment, total_bp, lock_version, submitted_at, created_at, updated_at)",
        sheets.iter().map(|(i, (a, e, j))| {
            let submitted = i % 5 < 3;
            format!(
                "({a}, {round}, {e}, {j}, {rubric}, '{}', 'Catatan', {}, 1, {}, '{n}', '{n}')",
                if submitted { "submitted" } else { "draft" },
                if submitted { "7000" } else { "NULL" },
                if submitted {
                    format!("'{}'", t(now))
                } else {
                    "NULL".into()
                },
                n = t(now)
            )
        }),
    );
    let sheet_ids: Vec<(i32, String)> = biw::db::schema::sheets::table
        .select((biw::db::schema::sheets::id, biw::db::schema::sheets::status))
        .load(conn)
        .unwrap();
    batched(
        conn,
        "INSERT INTO sheet_scores (sheet_id, criterion_id, score, comment)",
        sheet_ids.iter().flat_map(|(s, status)| {
            let n = if status == "submitted" {
                criteria.len()
            } else {
                3
            };
            criteria[..n]
                .iter()
                .enumerate()
                .map(move |(k, c)| format!("({s}, {}, {}, '')", c.id, 1 + (s + k as i32) % 5))
        }),
    );
    batched(
        conn,
        "INSERT INTO sheet_versions (sheet_id, version, status, actor_id, on_paper, note, content, created_at)",
        sheet_ids.iter().map(|(s, status)| {
            format!(
                "({s}, 1, '{status}', NULL, FALSE, '', '{{}}', '{}')",
                t(now)
            )
        }),
    );
    (round, assign_first, assign_again)
}

/// A deterministic hash of a few numbers into 0..1 (reproducible "random" scores).
fn unit_hash(a: u64, b: u64) -> f64 {
    let mut x = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    x ^= x >> 33;
    x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// A second round, every sheet submitted, for results at national scale: the first round's 3,500
/// entries and 17,500 assignments, each sheet 6 criteria scored from the entry's quality, the
/// judge's leniency and noise (105,000 scores). The judge whose queue is measured is left out, so
/// that page stays comparable with earlier runs (their 58 sheets are missing from this round).
fn generate_scored_round(conn: &mut DbConn, edition: i32, first: i32) -> i32 {
    use biw::db::schema::{assignments, rounds};
    let now = biw::db::now();
    let t = now.format("%Y-%m-%d %H:%M:%S").to_string();
    conn.batch_execute(&format!(
        "INSERT INTO rounds (edition_id, position, kind, name_id, name_en, rubric_id, opens_at, closes_at, judges_per_entry, max_per_judge, match_expertise, created_at, updated_at) \
         SELECT edition_id, 2, 'presentation', 'Presentasi', 'Presentation', rubric_id, opens_at, closes_at, judges_per_entry, max_per_judge, match_expertise, created_at, updated_at FROM rounds WHERE id = {first}"
    ))
    .unwrap();
    let round: i32 = rounds::table
        .filter(rounds::edition_id.eq(edition))
        .filter(rounds::position.eq(2))
        .select(rounds::id)
        .first(conn)
        .unwrap();
    conn.batch_execute(&format!(
        "INSERT INTO round_entries (round_id, entry_id, source, added_at, slot_place) SELECT {round}, entry_id, 'promotion', added_at, '' FROM round_entries WHERE round_id = {first}; \
         INSERT INTO assignments (round_id, entry_id, judge_id, source, created_at, withdrawn_reason) SELECT {round}, entry_id, judge_id, source, created_at, '' FROM assignments WHERE round_id = {first} \
         AND judge_id <> (SELECT id FROM users WHERE email = 'user04701@bench.biw.id')"
    ))
    .unwrap();
    let live: Vec<(i32, i32, i32)> = assignments::table
        .filter(assignments::round_id.eq(round))
        .select((
            assignments::id,
            assignments::entry_id,
            assignments::judge_id,
        ))
        .load(conn)
        .unwrap();
    let rubric: i32 = rounds::table
        .find(round)
        .select(rounds::rubric_id)
        .first(conn)
        .unwrap();
    let criteria = biw::models::rubric::criteria(conn, rubric).unwrap();
    let score = |e: i32, j: i32, k: usize| -> i32 {
        let quality = 1.5 + 3.0 * unit_hash(e as u64, 1);
        let leniency = (unit_hash(j as u64, 2) - 0.5) * 1.2;
        let noise = (unit_hash((e as u64) << 20 | j as u64, k as u64 + 3) - 0.5) * 1.5;
        ((quality + leniency + noise).round() as i32).clamp(1, 5)
    };
    batched(
        conn,
        "INSERT INTO sheets (assignment_id, round_id, entry_id, judge_id, rubric_id, status, overall_comment, total_bp, lock_version, submitted_at, created_at, updated_at)",
        live.iter().map(|&(a, e, j)| {
            let scored: Vec<(i32, bool, Option<i32>)> = criteria
                .iter()
                .enumerate()
                .map(|(k, c)| (c.weight, c.counted, Some(score(e, j, k))))
                .collect();
            let total = biw::domain::rubric::total_bp(5, &scored).unwrap();
            format!("({a}, {round}, {e}, {j}, {rubric}, 'submitted', 'Catatan', {total}, 1, '{t}', '{t}', '{t}')")
        }),
    );
    let sheet_ids: Vec<(i32, i32, i32)> = biw::db::schema::sheets::table
        .filter(biw::db::schema::sheets::round_id.eq(round))
        .select((
            biw::db::schema::sheets::id,
            biw::db::schema::sheets::entry_id,
            biw::db::schema::sheets::judge_id,
        ))
        .load(conn)
        .unwrap();
    batched(
        conn,
        "INSERT INTO sheet_scores (sheet_id, criterion_id, score, comment)",
        sheet_ids.iter().flat_map(|&(s, e, j)| {
            criteria
                .iter()
                .enumerate()
                .map(move |(k, c)| format!("({s}, {}, {}, '')", c.id, score(e, j, k)))
        }),
    );
    round
}

/// Fills an empty database.
fn generate(conn: &mut DbConn) -> Bench {
    biw::services::units::seed_known(conn).unwrap();
    let types = ["kelurahan", "puskesmas", "uptd", "dinas", "badan"];
    batched(
        conn,
        "INSERT INTO units (name, unit_type, parent_id, active, created_at, updated_at)",
        (0..UNITS).map(|i| {
            format!(
                "('Unit Bench {i:04}', '{}', NULL, TRUE, '{t}', '{t}')",
                types[i % types.len()],
                t = ts(i)
            )
        }),
    );
    let hash = biw::auth::password::hash("bench password 2026").unwrap();
    let unit_ids: Vec<i32> = biw::db::schema::units::table
        .select(biw::db::schema::units::id)
        .load(conn)
        .unwrap();
    batched(
        conn,
        "INSERT INTO users (email, name, password_hash, role, unit_id, affiliation, lang, active, session_epoch, created_at, updated_at)",
        (0..OPERATORS + JUDGES).map(|i| {
            let (role, unit) = if i < OPERATORS {
                ("opd", unit_ids[i % unit_ids.len()].to_string())
            } else {
                ("judge", "NULL".to_string())
            };
            let pw = if i % 10 == 0 { "NULL".to_string() } else { format!("'{hash}'") };
            format!("('user{i:05}@bench.biw.id', 'Pengguna Bench {i:05}', {pw}, '{role}', {unit}, NULL, 'id', TRUE, 0, '{t}', '{t}')", t = ts(i))
        }),
    );
    let now = biw::db::now();
    let mut settings = biw::services::editions::SettingsInput::new_for_year(2026);
    settings.registration_opens_at = biw::time::to_jakarta_local(now - chrono::Duration::days(30));
    settings.registration_closes_at = biw::time::to_jakarta_local(now + chrono::Duration::days(30));
    settings.screening_closes_at = biw::time::to_jakarta_local(now + chrono::Duration::days(60));
    settings.results_at = biw::time::to_jakarta_local(now + chrono::Duration::days(90));
    let edition =
        biw::services::editions::create(conn, &biw::audit::Actor::system(), &settings, None)
            .unwrap();
    let statuses = [
        "submitted",
        "submitted",
        "passed",
        "returned",
        "resubmitted",
        "rejected",
        "withdrawn",
        "draft",
    ];
    let words: String = (0..320)
        .map(|w| format!("kata{w}"))
        .collect::<Vec<_>>()
        .join(" ");
    batched(
        conn,
        "INSERT INTO entries (edition_id, unit_id, category_id, name, stage, initiator, inno_type, inno_form, theme, urusan, narrative, purpose, benefits, results, video_url, contact_name, contact_phone, status, lock_version, submitted_at, created_at, updated_at)",
        (0..ENTRIES).map(|i| {
            format!(
                "({edition}, {}, NULL, 'Inovasi Bench {i:05}', 'penerapan', 'asn', 'digital', 'pelayanan_publik', 'non_tematik', 'kesehatan', '{words}', 'Tujuan', 'Manfaat', 'Hasil', 'https://youtu.be/x', 'Narahubung', '081234567890', '{}', 0, '{t}', '{t}', '{t}')",
                unit_ids[i % unit_ids.len()],
                statuses[i % statuses.len()],
                t = ts(i)
            )
        }),
    );
    let organiser = "panitia@bench.biw.id".to_string();
    biw::services::accounts::create_organiser(
        conn,
        &organiser,
        "Panitia Bench",
        "bench password 2026",
    )
    .unwrap();
    let actions = [
        "user.invite",
        "user.update",
        "unit.update",
        "auth.login",
        "user.accept_invite",
    ];
    batched(
        conn,
        "INSERT INTO audit_events (created_at, actor_id, ip, action, object_type, object_id, detail)",
        (0..AUDIT_EVENTS).map(|i| {
            format!(
                "('{}', {}, '10.0.{}.{}', '{}', 'user', {}, '{{\"after\":{{\"name\":\"Pengguna {i}\"}}}}')",
                ts(i),
                1 + i % 1000,
                i % 250,
                i % 250,
                actions[i % actions.len()],
                1 + i % 5000
            )
        }),
    );
    batched(
        conn,
        "INSERT INTO outbox (to_email, to_name, template, lang, subject, body_text, body_html, message_id, status, attempts, next_attempt_at, created_at, sent_at)",
        (0..MAILS).map(|i| {
            let status = if i % 50 == 0 { "failed" } else { "sent" };
            format!(
                "('user{:05}@bench.biw.id', 'Pengguna', 'invitation', 'id', 'Undangan ke BIW', 'Teks {i}', '<p>Teks {i}</p>', '<bench{i}@biw>', '{status}', 1, '{t}', '{t}', '{t}')",
                i % 5000,
                t = ts(i)
            )
        }),
    );
    let (round, assign_first, assign_again) = generate_judging(conn, edition);
    let scored_round = generate_scored_round(conn, edition, round);
    let feedback_entry: i32 = {
        use biw::db::schema::round_entries;
        round_entries::table
            .filter(round_entries::round_id.eq(scored_round))
            .order(round_entries::entry_id)
            .select(round_entries::entry_id)
            .first(conn)
            .unwrap()
    };
    // The judge the judge's pages are measured as, and one of their sheets (a draft).
    let judge = "user04701@bench.biw.id".to_string();
    let sheet: i32 = {
        use biw::db::schema::{assignments, sheets, users};
        let id: i32 = users::table
            .filter(users::email.eq(&judge))
            .select(users::id)
            .first(conn)
            .unwrap();
        sheets::table
            .inner_join(assignments::table)
            .filter(sheets::judge_id.eq(id))
            .select(assignments::id)
            .first(conn)
            .unwrap()
    };
    // A live database has its statistics; after a bulk load they must be gathered once.
    let stats = match conn {
        DbConn::Postgresql(_) => "VACUUM ANALYZE",
        DbConn::Sqlite(_) => "ANALYZE",
    };
    conn.batch_execute(stats).expect("gather statistics");
    Bench {
        organiser,
        judge,
        round,
        scored_round,
        edition,
        feedback_entry,
        sheet,
        assign_first,
        assign_again,
    }
}

/// Times a round's results at national scale: reading the sheets, computing every score, and both,
/// five times each (the fastest and the slowest are printed).
fn results_timing(pool: &biw::db::DbPool, round: i32) {
    let mut conn = pool.get().unwrap();
    let r = biw::models::round::find(&mut conn, round).unwrap().unwrap();
    let (mut read, mut compute, mut total) = (Vec::new(), Vec::new(), Vec::new());
    let mut sheets = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let inputs = biw::services::results::read(&mut conn, &r).unwrap();
        read.push(t.elapsed());
        sheets = inputs.sheets.len();
        let t = Instant::now();
        let c = inputs.compute();
        compute.push(t.elapsed());
        assert_eq!(c.results.entries.len(), ROUND_ENTRIES);
        let t = Instant::now();
        biw::services::results::compute(&mut conn, &r).unwrap();
        total.push(t.elapsed());
    }
    let span = |v: &mut Vec<Duration>| {
        v.sort();
        format!("{}–{} ms", ms(v[0]), ms(v[v.len() - 1]))
    };
    println!(
        "results of a round of {ROUND_ENTRIES} entries, {sheets} submitted sheets × 6 criteria (mean, median, z-score, fitted model, spread, ranks under each, tie-breaks): read {}, compute {}, both {}\n",
        span(&mut read),
        span(&mut compute),
        span(&mut total)
    );
}

/// A client that sends what a browser sends: `Accept-Encoding: gzip` (the server compresses, and
/// compressed pages go out in several small writes), keep-alive, a browser's Accept and User-Agent.
fn browser_like_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT,
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
            .parse()
            .unwrap(),
    );
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        "id-ID,id;q=0.9,en;q=0.8".parse().unwrap(),
    );
    reqwest::Client::builder()
        .cookie_store(true)
        .gzip(true)
        // Under the server's keep-alive (5 s), as browsers do: a connection idle while other
        // sessions log in is never reused after the server closed it.
        .pool_idle_timeout(Duration::from_secs(4))
        .user_agent("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36")
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Latencies and errors of every client task, as percentiles and throughput since `started`.
async fn summarise(
    tasks: Vec<tokio::task::JoinHandle<(Vec<Duration>, usize)>>,
    started: Instant,
) -> Stats {
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await.unwrap();
        all.extend(lat);
        errors += e;
    }
    let elapsed = started.elapsed();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    Stats {
        p50: pct(0.50),
        p95: pct(0.95),
        p99: pct(0.99),
        max: *all.last().unwrap(),
        rps: all.len() as f64 / elapsed.as_secs_f64(),
        errors,
    }
}

struct Stats {
    p50: Duration,
    p95: Duration,
    p99: Duration,
    max: Duration,
    rps: f64,
    errors: usize,
}

/// Requests per connection sent before a page is measured: `BIW_BENCH_WARMUP`, else 4.
fn warm_up_per_connection() -> usize {
    std::env::var("BIW_BENCH_WARMUP")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
}

/// Measures `total` requests for the page over all connections, after asking for it a few times
/// on every connection unmeasured, so the numbers are the steady state of a server serving that
/// page all evening: each pooled connection has prepared the page's statements, the blocking
/// threads exist, and what is computed once per change is computed. Without it the first of the
/// 64 concurrent requests (1% of 4,000 is 40) paid for all of that and made p99 a measure of the
/// start.
async fn load(clients: &[reqwest::Client], url: &str, total: usize) -> Stats {
    let warm = warm_up_per_connection() * clients.len();
    if warm > 0 {
        measure(clients, url, warm).await;
    }
    measure(clients, url, total).await
}

async fn measure(clients: &[reqwest::Client], url: &str, total: usize) -> Stats {
    let per = total / clients.len();
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .iter()
        .cloned()
        .map(|c| {
            let url = url.to_string();
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(per);
                let mut errors = 0;
                for _ in 0..per {
                    let t = Instant::now();
                    match c.get(&url).send().await {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                        }
                        Ok(r) => {
                            errors += 1;
                            eprintln!("error: {} {url}", r.status());
                        }
                        Err(e) => {
                            errors += 1;
                            eprintln!("error: {e} {url}");
                        }
                    }
                    lat.push(t.elapsed());
                }
                (lat, errors)
            })
        })
        .collect();
    summarise(tasks, started).await
}

/// An operator with a draft open, or a judge with a sheet open: its client, the draft (or the
/// judge's assignment), the form's CSRF token and version, and the sheet's criteria (none for a
/// draft).
struct Writer {
    client: reqwest::Client,
    entry: i32,
    csrf: String,
    version: i64,
    criteria: Vec<i32>,
}

/// Every writer autosaves its own draft in a loop, as units typing at once on a deadline evening:
/// concurrent write transactions, each answered 200 (a lock or a 500 counts as an error).
async fn load_autosave(writers: Vec<Writer>, base: &str, total: usize) -> Stats {
    let per = total / writers.len();
    let started = Instant::now();
    let tasks: Vec<_> = writers
        .into_iter()
        .map(|mut w| {
            let base = base.to_string();
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(per);
                let mut errors = 0;
                for i in 0..per {
                    let t = Instant::now();
                    if let Err(e) = autosave_once(&mut w, &base, i).await {
                        errors += 1;
                        eprintln!("autosave error: {e}");
                    }
                    lat.push(t.elapsed());
                }
                (lat, errors)
            })
        })
        .collect();
    summarise(tasks, started).await
}

/// One row of the results table.
fn print_row(what: &str, s: &Stats) {
    println!(
        "| {what} | {:.0} | {} | {} | {} | {} | {} |",
        s.rps,
        ms(s.p50),
        ms(s.p95),
        ms(s.p99),
        ms(s.max),
        s.errors
    );
}

/// One autosave of a writer's draft (its `i`th text), or of a judge's sheet (every criterion at a
/// level that moves with `i`); keeps the version the server answers.
async fn autosave_once(w: &mut Writer, base: &str, i: usize) -> Result<(), String> {
    let narrative = format!("Rancang bangun versi {i}: warga terlayani lebih cepat.");
    let version = w.version.to_string();
    let level = (1 + i % 5).to_string();
    let mut form: Vec<(String, &str)> = vec![("lock_version".into(), version.as_str())];
    let path = if w.criteria.is_empty() {
        form.push(("name".into(), "Inovasi Serentak"));
        form.push(("narrative".into(), narrative.as_str()));
        format!("{base}/opd/entries/{}/autosave", w.entry)
    } else {
        form.extend(
            w.criteria
                .iter()
                .map(|c| (format!("score.{c}"), level.as_str())),
        );
        form.push(("overall".into(), narrative.as_str()));
        format!("{base}/judge/sheets/{}/autosave", w.entry)
    };
    let r = w
        .client
        .post(path)
        .header("x-csrf-token", &w.csrf)
        .form(&form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !r.status().is_success() {
        return Err(r.status().to_string());
    }
    let bytes = r.bytes().await.unwrap_or_default();
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    w.version = body["lock_version"].as_i64().unwrap_or(w.version);
    Ok(())
}

/// Autosaves `per_second` times a second in the background, round the writers (operators typing
/// on a deadline evening), until `stop` is set; answers how many were saved. Every save is a
/// commit, so every page kept before it is drawn again at its next view.
fn background_saves(
    mut writers: Vec<Writer>,
    base: String,
    per_second: u32,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> tokio::task::JoinHandle<(usize, Vec<Writer>)> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(per_second)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut saved = 0;
        let mut i = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            tick.tick().await;
            let n = writers.len();
            match autosave_once(&mut writers[i % n], &base, i).await {
                Ok(()) => saved += 1,
                Err(e) => eprintln!("background autosave error: {e}"),
            }
            i += 1;
        }
        (saved, writers)
    })
}

/// Logs a client in; returns the CSRF token of the page it lands on.
async fn log_in(c: &reqwest::Client, base: &str, email: &str) -> String {
    let csrf = csrf_at(c, &format!("{base}/login")).await;
    let res = c
        .post(format!("{base}/login"))
        .form(&[
            ("email", email),
            ("password", "bench password 2026"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "bench login of {email}");
    csrf
}

/// The CSRF token of the page at `url`.
async fn csrf_at(c: &reqwest::Client, url: &str) -> String {
    let html = c.get(url).send().await.unwrap().text().await.unwrap();
    csrf_of(&html)
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// 64 operators of different units, each with a fresh draft open.
async fn writers(base: &str) -> Vec<Writer> {
    let mut out = Vec::new();
    // user00001… are operators with a password (every tenth has none: still invited).
    for i in (1..).filter(|i| i % 10 != 0).take(CONNECTIONS) {
        let client = browser_like_client();
        log_in(&client, base, &format!("user{i:05}@bench.biw.id")).await;
        let csrf = csrf_at(&client, &format!("{base}/opd")).await;
        let res = client
            .post(format!("{base}/opd/entries/new"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let entry: i32 = location.rsplit('/').next().unwrap().parse().unwrap();
        out.push(Writer {
            client,
            entry,
            csrf,
            version: 0,
            criteria: Vec::new(),
        });
    }
    out
}

/// Judges other than the measured one (user04701), each signed in with one assignment of the open
/// `round` to score.
async fn judge_writers(base: &str, pool: &biw::db::DbPool, round: i32, n: usize) -> Vec<Writer> {
    use biw::db::schema::{assignments, rounds, sheets, users};
    let mut conn = pool.get().unwrap();
    let rubric: i32 = rounds::table
        .find(round)
        .select(rounds::rubric_id)
        .first(&mut conn)
        .unwrap();
    let criteria: Vec<i32> = biw::models::rubric::criteria(&mut conn, rubric)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut out = Vec::new();
    // Judges are user04700…04999; every tenth has no password.
    for i in (OPERATORS + 2..).filter(|i| i % 10 != 0).take(n) {
        let email = format!("user{i:05}@bench.biw.id");
        let (assignment, version): (i32, Option<i32>) = assignments::table
            .inner_join(users::table.on(users::id.eq(assignments::judge_id)))
            .left_join(sheets::table)
            .filter(users::email.eq(&email))
            .filter(assignments::round_id.eq(round))
            .filter(assignments::withdrawn_at.is_null())
            .order(assignments::id)
            .select((assignments::id, sheets::lock_version.nullable()))
            .first(&mut conn)
            .unwrap();
        let client = browser_like_client();
        log_in(&client, base, &email).await;
        let csrf = csrf_at(&client, &format!("{base}/judge")).await;
        out.push(Writer {
            client,
            entry: assignment,
            csrf,
            version: version.unwrap_or(0).into(),
            criteria: criteria.clone(),
        });
    }
    out
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` probes; nothing to list.
    }
    let dir = tempfile::tempdir().unwrap();
    // `BIW_BENCH_KEEP=1` leaves the SQLite file behind (its path is printed) to study its queries.
    let dir_path = if std::env::var("BIW_BENCH_KEEP").is_ok() {
        dir.keep()
    } else {
        dir.path().to_path_buf()
    };
    let database_url = std::env::var("BIW_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir_path.join("bench.db").display()));
    if std::env::var("BIW_BENCH_KEEP").is_ok() {
        println!("database: {database_url}");
    }
    let engine = if biw::db::is_postgres_url(&database_url) {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let settings = Settings {
        database_url,
        data_dir: dir_path.clone(),
        bind: listener.local_addr().unwrap(),
        base_url: format!("http://127.0.0.1:{port}"),
        session_key: biw::auth::token::random_bytes::<64>().to_vec(),
        smtp_url: None,
        mail_from: "BIW Bench <noreply@biw.test>".into(),
        upload_dir: dir_path.join("uploads"),
        trust_proxy: false,
        pool_size: 16,
        workers: 2,
        run_outbox_worker: false,
        mail_lanes: 1,
        mail_rate: biw::email::DEFAULT_MAIL_RATE,
        // `BIW_PAGE_CACHE_MB=0` measures every page drawn afresh.
        page_cache_mb: std::env::var("BIW_PAGE_CACHE_MB")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(64),
    };
    let state = build_state(settings).expect("state");
    let mail_state = state.clone();
    let t = Instant::now();
    let pool = state.pool.clone();
    let bench = tokio::task::spawn_blocking(move || generate(&mut pool.get().unwrap()))
        .await
        .unwrap();
    let organiser = bench.organiser.clone();
    let generated = t.elapsed();
    let handle_pool = state.pool.clone();
    let app = Application::from_listener(state, listener).unwrap();
    let handle = app.handle();
    let server = tokio::spawn(app.run_until_stopped());
    let base = format!("http://127.0.0.1:{port}");

    // 64 logged-in organiser sessions (login itself is measured below, it is argon2-bound by design).
    let mut clients = Vec::new();
    let login_started = Instant::now();
    for _ in 0..CONNECTIONS {
        let c = browser_like_client();
        log_in(&c, &base, &organiser).await;
        clients.push(c);
    }
    let login_each = login_started.elapsed() / CONNECTIONS as u32;
    let mut judges = Vec::new();
    for _ in 0..CONNECTIONS {
        let c = browser_like_client();
        log_in(&c, &base, &bench.judge).await;
        judges.push(c);
    }

    println!(
        "BIW load benchmark on {engine}: {UNITS}+44 units, {} users, {ENTRIES} entries, {AUDIT_EVENTS} audit events, {MAILS} mails",
        OPERATORS + JUDGES + 1
    );
    println!(
        "data generated in {:.1} s; one login (GET form + POST, argon2id) {} ms sequentially\n",
        generated.as_secs_f64(),
        ms(login_each)
    );
    println!(
        "judging: a round of {ROUND_ENTRIES} entries, {JUDGES} judges, {JUDGES_PER_ENTRY} judges per entry, 6 criteria; automatic assignment of all {} places {} ms, run again with nothing to change {} ms\n",
        ROUND_ENTRIES * JUDGES_PER_ENTRY,
        ms(bench.assign_first),
        ms(bench.assign_again)
    );
    results_timing(&handle_pool, bench.scored_round);
    // The scored round is then frozen, as an organiser does before review: its results page reads
    // the kept ranking instead of computing it.
    {
        let mut conn = handle_pool.get().unwrap();
        let t = Instant::now();
        biw::services::results::freeze(&mut conn, &biw::audit::Actor::system(), bench.scored_round)
            .unwrap();
        println!(
            "freezing that round (computing and keeping its ranking of {ROUND_ENTRIES} entries): {} ms\n",
            ms(t.elapsed())
        );
        // Signed off and published: every unit's operators are mailed their outcome in the same
        // transaction; then the best 99 go on the national shortlist.
        let actor = biw::audit::Actor::system();
        biw::services::results::sign_off(&mut conn, &actor, bench.scored_round, true, "").unwrap();
        let t = Instant::now();
        biw::services::results::publish(&mut conn, &mail_state, &actor, bench.scored_round)
            .unwrap();
        let published = t.elapsed();
        let t = Instant::now();
        biw::services::shortlist::add(
            &mut conn,
            &actor,
            bench.edition,
            &biw::services::shortlist::Addition::Top(99),
        )
        .unwrap();
        println!(
            "publishing it (and queueing the results mail of every unit): {} ms; shortlisting its best 99 from the final standing: {} ms\n",
            ms(published),
            ms(t.elapsed())
        );
        // Bulk-generated tables have no planner statistics yet; a live PostgreSQL gathers them
        // within a minute of such a change (autovacuum), and without them it sorts a whole round
        // to show 50 rows.
        if matches!(*conn, DbConn::Postgresql(_)) {
            conn.batch_execute("ANALYZE").unwrap();
        }
    }
    println!(
        "{CONNECTIONS} connections, {} requests per page, server with 2 workers on the same 2 cores as the load\n",
        requests_per_page()
    );
    println!("| page | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let round = bench.round;
    let judge_pages = [
        ("/judge".to_string(), "judge's queue (about 58 sheets)"),
        (
            format!("/judge/sheets/{}", bench.sheet),
            "scoring page (entry, 6 criteria × 5 anchored levels)",
        ),
    ];
    let pages = [
        ("/healthz", "health (one query)"),
        ("/organiser", "organiser dashboard (counts)"),
        ("/organiser/users", "users, page 1 of 5,000"),
        (
            "/organiser/users?q=bench%2004&role=opd&status=active",
            "users, search + filters",
        ),
        ("/organiser/users?page=90", "users, page 90"),
        ("/organiser/units", "units, page 1 of 644"),
        ("/organiser/audit", "audit log, newest of 200,000"),
        (
            "/organiser/audit?action=unit.update&from=2026-02-01&to=2026-02-28",
            "audit log, action + date filter",
        ),
        (
            "/organiser/outbox?status=failed",
            "outbox, failed of 50,000",
        ),
        ("/organiser/entries", "entries, page 1 of 5,000"),
        (
            "/organiser/entries?status=submitted&sort=submitted",
            "entries, status filter, newest submitted",
        ),
        (
            "/organiser/entries?q=bench%20004&unit_type=puskesmas",
            "entries, search + unit type",
        ),
        (
            "/organiser/entries?page=80&sort=unit",
            "entries, page 80 sorted by unit",
        ),
    ];
    let round_pages = [
        (
            format!("/organiser/rounds/{round}/assignments"),
            "assignment board, page 1 of 3,500 entries, 300 judges' loads",
        ),
        (
            format!("/organiser/rounds/{round}/progress"),
            "scoring progress per judge and entry",
        ),
        (
            format!("/organiser/rounds/{round}/results"),
            "results of an open round, computed live from 10,500 sheets",
        ),
        (
            format!("/organiser/rounds/{}/results", bench.scored_round),
            "results of a frozen round, page 1 of its kept ranking (3,500 entries)",
        ),
        (
            format!("/organiser/editions/{}/awards", bench.edition),
            "awards from the final standing of 3,500 entries",
        ),
        (
            format!("/organiser/editions/{}/shortlist", bench.edition),
            "national shortlist (99) with readiness, and candidates",
        ),
        (
            format!("/organiser/entries/{}/feedback", bench.feedback_entry),
            "an entry's feedback report (percentiles over 3,500 entries)",
        ),
    ];
    let public_pages = [
        (
            format!("/results/{}", bench.edition),
            "public results: awards, promoted, ranking page 1",
        ),
        (
            format!(
                "/results/{}/entries/{}",
                bench.edition, bench.feedback_entry
            ),
            "public page of one entry",
        ),
    ];
    let visitors: Vec<reqwest::Client> = (0..CONNECTIONS).map(|_| browser_like_client()).collect();
    let organiser_pages = pages
        .iter()
        .map(|(p, l)| (p.to_string(), *l, &clients))
        .chain(round_pages.iter().map(|(p, l)| (p.clone(), *l, &clients)))
        .chain(judge_pages.iter().map(|(p, l)| (p.clone(), *l, &judges)))
        .chain(public_pages.iter().map(|(p, l)| (p.clone(), *l, &visitors)));
    // `BIW_BENCH_ONLY=/organiser/entries` measures that page alone (for a profiler); several
    // paths separated by spaces measure those pages on one generated data set.
    let only = std::env::var("BIW_BENCH_ONLY").ok();
    let chosen = |path: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(' ').any(|p| p == path))
    };
    for (path, label, who) in organiser_pages {
        if !chosen(&path) {
            continue;
        }
        let s = load(who, &format!("{base}{path}"), requests_per_page()).await;
        print_row(&format!("{label} `{path}`"), &s);
    }
    // Pages are kept only while nothing is committed (`web::page_cache`): the heaviest pages again
    // while operators autosave in the background, each save a commit.
    let mixed = [10u32, 100];
    let any_mixed = mixed.iter().any(|r| chosen(&format!("mixed{r}")));
    let mut operators = if any_mixed || chosen("autosave") {
        writers(&base).await
    } else {
        Vec::new()
    };
    if any_mixed {
        let others = operators.split_off(8);
        let mut w = std::mem::take(&mut operators);
        for rate in mixed {
            if !chosen(&format!("mixed{rate}")) {
                continue;
            }
            for (path, label, who) in [
                (
                    format!("/organiser/rounds/{round}/assignments"),
                    "assignment board",
                    &clients,
                ),
                (
                    "/organiser/users?q=bench%2004&role=opd&status=active".to_string(),
                    "users, search + filters",
                    &clients,
                ),
                ("/judge".to_string(), "judge's queue", &judges),
            ] {
                let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
                let saving = background_saves(w, base.clone(), rate, stop.clone());
                let t = Instant::now();
                let s = load(who, &format!("{base}{path}"), requests_per_page()).await;
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                let (saved, back) = saving.await.unwrap();
                w = back;
                let took = t.elapsed().as_secs_f64();
                print_row(
                    &format!(
                        "{label} while {rate} autosaves a second commit ({saved} in {took:.1} s) `{path}`"
                    ),
                    &s,
                );
            }
        }
        operators = w;
        operators.extend(others);
    }
    // The judge's queue while other judges score (the commits of a judging day): those commits
    // touch no page of this judge's (`web::page_cache`).
    for rate in mixed {
        if !chosen(&format!("scoring{rate}")) {
            continue;
        }
        let w = judge_writers(&base, &handle_pool, bench.round, 8).await;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let saving = background_saves(w, base.clone(), rate, stop.clone());
        let t = Instant::now();
        let s = load(&judges, &format!("{base}/judge"), requests_per_page()).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let (saved, _) = saving.await.unwrap();
        let took = t.elapsed().as_secs_f64();
        print_row(
            &format!(
                "judge's queue while other judges autosave {rate} sheets a second ({saved} in {took:.1} s) `/judge`"
            ),
            &s,
        );
    }
    if chosen("autosave") {
        let s = load_autosave(operators, &base, requests_per_page()).await;
        print_row(
            "64 operators autosaving their drafts at once `POST /opd/entries/{id}/autosave`",
            &s,
        );
    }
    println!();
    for kind in ["csv", "xlsx"] {
        let t = Instant::now();
        let res = clients[0]
            .get(format!("{base}/organiser/entries/export.{kind}"))
            .send()
            .await
            .unwrap();
        let bytes = res.bytes().await.unwrap();
        println!(
            "export of every non-draft entry ({}) as {kind}: {} ms, {} KB",
            ENTRIES - ENTRIES / 8,
            ms(t.elapsed()),
            bytes.len() / 1024
        );
    }
    // Stop the server before leaving, so no thread still holds a database connection at exit.
    handle.stop(true).await;
    let _ = server.await;
}
