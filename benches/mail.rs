//! Mail benchmark: how fast the outbox drains to a local SMTP server, and how many mails a `kill -9`
//! during a drain sends twice. Run with `cargo bench --bench mail` (SQLite) or with
//! `BIW_BENCH_DATABASE_URL=postgres://…` (PostgreSQL; an empty database). `BENCHMARKS.md` records it.
//!
//! The SMTP server is a small one in this file, on loopback: it speaks enough SMTP for lettre, acks
//! each message after its final dot like any server, and records the Message-IDs it accepted, so a
//! second copy of a mail is seen.

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use biw::config::Settings;
use biw::db::DbConn;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const THROUGHPUT_MAILS: usize = 10_000;

/// The lanes to measure with (`BIW_MAIL_LANES`, else the engine's default).
fn lanes() -> usize {
    let url = std::env::var("BIW_BENCH_DATABASE_URL").unwrap_or_default();
    std::env::var("BIW_MAIL_LANES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| biw::outbox::default_lanes(&url))
}
const SINGLE_LANE_MAILS: usize = 2_000;

/// The pace to measure with (`BIW_MAIL_RATE`, else the default every instance runs with).
fn mail_rate() -> u32 {
    std::env::var("BIW_MAIL_RATE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(biw::email::DEFAULT_MAIL_RATE)
}
const KILLS: usize = 20;
const MAILS_PER_KILL: usize = 3_000;

/// Message-IDs accepted, in order.
type Received = Arc<Mutex<Vec<String>>>;

async fn smtp_sink() -> (u16, Received) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received: Received = Arc::default();
    let r = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(smtp_session(sock, r.clone()));
        }
    });
    (port, received)
}

async fn smtp_session(sock: tokio::net::TcpStream, received: Received) -> std::io::Result<()> {
    let (r, mut w) = sock.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink ESMTP\r\n").await?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let cmd = String::from_utf8_lossy(&line).to_ascii_uppercase();
        if cmd.starts_with("EHLO") {
            w.write_all(b"250-sink\r\n250 8BITMIME\r\n").await?;
        } else if cmd.starts_with("DATA") {
            w.write_all(b"354 go on\r\n").await?;
            let mut id = String::new();
            loop {
                line.clear();
                if r.read_until(b'\n', &mut line).await? == 0 {
                    // Closed before the final dot: the transaction is void, as RFC 5321 says.
                    return Ok(());
                }
                if line == b".\r\n" {
                    break;
                }
                let text = String::from_utf8_lossy(&line);
                if id.is_empty() && text.to_ascii_lowercase().starts_with("message-id:") {
                    id = text[11..].trim().to_string();
                }
            }
            received.lock().unwrap().push(id);
            w.write_all(b"250 accepted\r\n").await?;
        } else if cmd.starts_with("QUIT") {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            w.write_all(b"250 ok\r\n").await?;
        }
    }
}

fn enqueue(conn: &mut DbConn, n: usize, tag: &str) {
    let now = biw::db::now().format("%Y-%m-%d %H:%M:%S%.6f").to_string();
    let rows: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "('juri{i:05}@bench.biw.id', 'Juri {i}', 'invitation', 'id', 'Undangan ke BIW', \
                 'Yth. Juri {i},\nSilakan aktifkan akun Anda.', '<p>Yth. Juri {i},</p>', \
                 '<{tag}-{i}@bench.biw>', 'pending', 0, '{now}', '{now}')"
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        conn.batch_execute(&format!(
            "INSERT INTO outbox (to_email, to_name, template, lang, subject, body_text, body_html, \
             message_id, status, attempts, next_attempt_at, created_at) VALUES {}",
            chunk.join(",")
        ))
        .unwrap();
    }
}

fn settings(dir: &std::path::Path, database_url: &str, smtp_port: u16) -> Settings {
    Settings {
        database_url: database_url.to_string(),
        data_dir: dir.to_path_buf(),
        bind: "127.0.0.1:0".parse().unwrap(),
        base_url: "http://127.0.0.1".into(),
        session_key: biw::auth::token::random_bytes::<64>().to_vec(),
        smtp_url: Some(format!("smtp://127.0.0.1:{smtp_port}")),
        mail_from: "BIW Bench <noreply@biw.test>".into(),
        upload_dir: dir.join("uploads"),
        trust_proxy: false,
        pool_size: 8,
        workers: 2,
        run_outbox_worker: false,
        mail_lanes: lanes(),
        mail_rate: mail_rate(),
        page_cache_mb: 64,
    }
}

fn count_status(conn: &mut DbConn, status: &str) -> i64 {
    use biw::db::schema::outbox;
    outbox::table
        .filter(outbox::status.eq(status))
        .count()
        .get_result(conn)
        .unwrap()
}

/// A fresh database for one run: a SQLite file in `dir`, or a new PostgreSQL database.
fn fresh_database(dir: &std::path::Path, name: &str) -> String {
    match std::env::var("BIW_BENCH_DATABASE_URL") {
        Ok(admin) if biw::db::is_postgres_url(&admin) => {
            let db = format!("biw_bench_mail_{name}_{}", std::process::id());
            let mut c = diesel::PgConnection::establish(&admin).unwrap();
            c.batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
                .unwrap();
            c.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap();
            format!("{base}/{db}")
        }
        _ => format!("sqlite://{}", dir.join(format!("{name}.db")).display()),
    }
}

async fn throughput(lanes: usize, mails: usize, engine: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (port, received) = smtp_sink().await;
    let url = fresh_database(dir.path(), &format!("lanes{lanes}"));
    let state = biw::startup::build_state(settings(dir.path(), &url, port)).unwrap();
    let pool = state.pool.clone();
    tokio::task::spawn_blocking(move || enqueue(&mut pool.get().unwrap(), mails, "t"))
        .await
        .unwrap();
    let started = Instant::now();
    let steps =
        biw::outbox::drain_parallel(&state.pool, &state.mailer, &state.settings.mail_from, lanes)
            .await
            .unwrap();
    let elapsed = started.elapsed();
    let pool = state.pool.clone();
    let sent = tokio::task::spawn_blocking(move || count_status(&mut pool.get().unwrap(), "sent"))
        .await
        .unwrap();
    let got = received.lock().unwrap().clone();
    let unique: HashSet<_> = got.iter().collect();
    println!(
        "| {engine} | {lanes} | {mails} | {:.1} s | {:.0} | {} | {} | {} |",
        elapsed.as_secs_f64(),
        mails as f64 / elapsed.as_secs_f64(),
        sent,
        got.len(),
        got.len() - unique.len(),
    );
    assert_eq!(steps.len(), mails, "every mail took one step");
    assert_eq!(sent as usize, mails, "every mail marked sent");
    assert_eq!(unique.len(), mails, "every mail arrived");
}

/// Starts `biw serve` with its worker on the database, kills it with SIGKILL `after` the first mail
/// arrived, and counts the mails the server accepted that the database still shows as being sent:
/// those go again when their lease ends, the duplicates.
async fn one_kill(round: usize, after: Duration, port: u16, received: &Received) -> (usize, usize) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(dir.path(), &format!("kill{round}"));
    let state = biw::startup::build_state(settings(dir.path(), &url, port)).unwrap();
    let pool = state.pool.clone();
    let tag = format!("k{round}");
    let t = tag.clone();
    tokio::task::spawn_blocking(move || enqueue(&mut pool.get().unwrap(), MAILS_PER_KILL, &t))
        .await
        .unwrap();
    let mine = |r: &Received| {
        r.lock()
            .unwrap()
            .iter()
            .filter(|id| id.starts_with(&format!("<{tag}-")))
            .cloned()
            .collect::<Vec<_>>()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_biw"))
        .arg("serve")
        .env("DATABASE_URL", &url)
        .env("SMTP_URL", format!("smtp://127.0.0.1:{port}"))
        .env("BIW_SESSION_KEY", biw::config::generate_key())
        .env("BIW_BIND", "127.0.0.1:0")
        .env("BIW_DATA_DIR", dir.path())
        .env("RUST_LOG", "error")
        .env("BIW_MAIL_LANES", lanes().to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start biw serve");
    // Once the drain runs, kill at a time unrelated to any one mail's progress, as a crash would.
    let deadline = Instant::now() + Duration::from_secs(60);
    while mine(received).is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    tokio::time::sleep(after).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // Whatever the dead process left in its socket buffers reaches the server now.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let accepted: HashSet<String> = mine(received).into_iter().collect();
    let pool = state.pool.clone();
    let in_flight: Vec<String> = tokio::task::spawn_blocking(move || {
        use biw::db::schema::outbox;
        outbox::table
            .filter(outbox::status.eq("sending"))
            .select(outbox::message_id)
            .load(&mut pool.get().unwrap())
            .unwrap()
    })
    .await
    .unwrap();
    let duplicates = in_flight.iter().filter(|id| accepted.contains(*id)).count();
    (accepted.len(), duplicates)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let engine = match std::env::var("BIW_BENCH_DATABASE_URL") {
        Ok(u) if biw::db::is_postgres_url(&u) => "PostgreSQL",
        _ => "SQLite",
    };
    println!("BIW mail benchmark on {engine}: outbox → SMTP server on loopback\n");
    println!(
        "| engine | lanes | mails | time | mails/s | marked sent | received | received twice |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    throughput(1, SINGLE_LANE_MAILS, engine).await;
    throughput(lanes(), THROUGHPUT_MAILS, engine).await;

    println!(
        "\n`kill -9` of `biw serve` while it drains {MAILS_PER_KILL} mails ({} lanes), {KILLS} times:\n",
        lanes()
    );
    let (port, received) = smtp_sink().await;
    let mut total_dups = 0;
    let mut kills_with_dup = 0;
    for round in 0..KILLS {
        // A different, spread-out moment each time (a fixed pseudo-random sequence, so runs compare).
        let after = Duration::from_micros(50_000 + (round as u64 * 7_919_683) % 900_000);
        let (accepted, dups) = one_kill(round, after, port, &received).await;
        total_dups += dups;
        kills_with_dup += usize::from(dups > 0);
        println!(
            "kill {round:2} at {:4} ms: {accepted:4} mails accepted, {dups} would be sent twice",
            after.as_millis()
        );
    }
    println!(
        "\n{kills_with_dup} of {KILLS} kills left a duplicate ({total_dups} duplicate mails in all)"
    );
}
