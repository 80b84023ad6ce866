//! The `biw` binary itself: its subcommands, its start-up errors, and a clean stop on SIGTERM.

use std::process::{Command, Stdio};
use std::time::Duration;

/// A data folder and, under PostgreSQL, one database for all commands of a test.
struct Place {
    dir: tempfile::TempDir,
    database_url: Option<String>,
}

fn place() -> Place {
    Place {
        dir: tempfile::tempdir().unwrap(),
        database_url: crate::helpers::pg_admin_url()
            .map(|pg| crate::helpers::fresh_pg_database(&pg)),
    }
}

fn biw(p: &Place) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_biw"));
    c.current_dir(p.dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("BIW_SESSION_KEY")
        .env_remove("SMTP_URL")
        .env("BIW_DATA_DIR", p.dir.path().join("data"));
    if let Some(url) = &p.database_url {
        c.env("DATABASE_URL", url);
    }
    c
}

/// Whether the server answers `/healthz` (it then runs, with its signal handlers installed).
fn healthy(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /healthz HTTP/1.0\r\n\r\n").is_err() {
        return false;
    }
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf.starts_with("HTTP/1.0 200") || buf.starts_with("HTTP/1.1 200")
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().expect("run biw");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn serve_without_a_session_key_explains_what_to_do() {
    let p = place();
    let (ok, text) = run(biw(&p).args(["serve"]));
    assert!(!ok);
    assert!(text.contains("BIW_SESSION_KEY is not set"), "{text}");
    assert!(text.contains("--demo"));
    let (ok, text) = run(biw(&p).args(["serve"]).env("BIW_SESSION_KEY", "c2hvcnQ="));
    assert!(!ok);
    assert!(text.contains("at least 64 bytes"), "{text}");
}

#[test]
fn init_create_organiser_and_demo() {
    let p = place();
    let (ok, text) = run(biw(&p).args(["init"]));
    assert!(ok, "{text}");
    assert!(text.contains("44 known unit(s) added"), "{text}");
    let (ok, text) = run(biw(&p).args(["migrate"]));
    assert!(ok && text.contains("0 migration(s) applied"), "{text}");
    let (ok, text) = run(biw(&p)
        .args([
            "create-organiser",
            "--email",
            "Kepala@Bappelitbangda.go.id",
            "--name",
            "Kepala Bidang",
        ])
        .env("BIW_PASSWORD", "short"));
    assert!(
        !ok && text.contains("password: The password is too short"),
        "{text}"
    );
    let (ok, text) = run(biw(&p)
        .args([
            "create-organiser",
            "--email",
            "Kepala@Bappelitbangda.go.id",
            "--name",
            "Kepala Bidang",
        ])
        .env("BIW_PASSWORD", "a long organiser password"));
    assert!(
        ok && text.contains("Organiser kepala@bappelitbangda.go.id created"),
        "{text}"
    );
    let (ok, text) = run(biw(&p).args(["demo"]));
    assert!(!ok && text.contains("already has users"), "{text}");
    let key = run(biw(&p).args(["gen-key"])).1;
    assert!(key.trim().len() >= 86, "{key}");
}

#[test]
fn serve_demo_starts_prints_the_logins_and_stops_cleanly_on_sigterm() {
    let p = place();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = biw(&p)
        .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut up = false;
    for _ in 0..200 {
        if healthy(port) {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(up, "the server did not start");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit status {:?}: {stdout}",
        out.status
    );
    assert!(
        stdout.contains(&format!("BIW is running at http://127.0.0.1:{port}")),
        "{stdout}"
    );
    assert!(
        stdout.contains("panitia@demo.biw.id") && stdout.contains("panitia-demo-2026"),
        "{stdout}"
    );
    assert!(
        p.dir.path().join("data/session.key").exists(),
        "the demo key is kept for the next start"
    );
}
