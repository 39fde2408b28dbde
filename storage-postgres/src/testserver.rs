//! A throwaway PostgreSQL server for tests: `initdb` and `pg_ctl` in a fresh temporary
//! directory, listening on a random loopback port, with `fsync=off` (a test database
//! need not survive a power cut; about a second to start).
//!
//! The binaries are found on `PATH` or in `/usr/lib/postgresql/<version>/bin` (Debian's
//! `postgresql` package). `initdb` refuses to run as root: as root, every server command
//! runs as the `postgres` system user through `runuser`.
//!
//! [`shared`] starts one server per test process and gives each caller of
//! [`fresh_database`] its own database on it; a watchdog stops that server and removes its
//! directory once the test process has exited. A [`TestServer`] started directly is
//! stopped and removed when dropped.
//!
//! Where no server can be started the tests fail, saying why; `.ci/run` installs the
//! server and sets `ORDO_REQUIRE_POSTGRES=1`, which [`required`] reports, for tests that
//! would otherwise say loudly that they did not run.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// True if `ORDO_REQUIRE_POSTGRES=1`: a test that needs a server must fail without one.
pub fn required() -> bool {
    std::env::var("ORDO_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// A running PostgreSQL server in a temporary directory.
#[derive(Debug)]
pub struct TestServer {
    root: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
    databases: AtomicU64,
    stopped: bool,
}

/// The directory holding `initdb` and `pg_ctl`.
fn find_bin() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    });
    if on_path.is_some() {
        return on_path;
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// True if this process runs as root.
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().next())
            == Some("0")
    })
}

/// A free loopback port (free when asked; the server start retries if it is taken).
fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

impl TestServer {
    /// Creates a cluster in a new temporary directory and starts it.
    ///
    /// # Errors
    /// Why not: no PostgreSQL binaries (install them with `apt-get install postgresql`),
    /// `initdb` or `pg_ctl` failing (with their output).
    pub fn start() -> Result<TestServer, String> {
        static STARTED: AtomicU64 = AtomicU64::new(0);
        let bin = find_bin().ok_or(
            "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in \
             /usr/lib/postgresql/*/bin: install them with `apt-get install postgresql`",
        )?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let root = std::env::temp_dir().join(format!(
            "ordo-pg-{}-{}-{nanos}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&root)
            .map_err(|e| format!("cannot create {}: {e}", root.display()))?;
        let mut server = TestServer {
            root,
            bin,
            port: 0,
            as_postgres: is_root(),
            databases: AtomicU64::new(0),
            stopped: true,
        };
        if server.as_postgres {
            server.run(
                Command::new("chown").arg("postgres:").arg(&server.root),
                "chown",
            )?;
        }
        let data = server.data();
        let initdb = server.bin.join("initdb");
        let mut command = server.command(&initdb);
        command.arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        server.run(&mut command, "initdb")?;
        let mut last_error = String::new();
        for _ in 0..5 {
            server.port = free_port()?;
            let options = format!(
                "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
                 -c fsync=off -c full_page_writes=off -c max_connections=300",
                server.port,
                server.root.display()
            );
            let pg_ctl = server.bin.join("pg_ctl");
            let mut command = server.command(&pg_ctl);
            command
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(server.root.join("server.log"))
                .args(["-w", "-t", "60", "-o", &options, "start"]);
            match server.run(&mut command, "pg_ctl start") {
                Ok(()) => {
                    server.stopped = false;
                    return Ok(server);
                }
                Err(error) => last_error = error,
            }
        }
        Err(last_error)
    }

    /// The data directory.
    fn data(&self) -> PathBuf {
        self.root.join("data")
    }

    /// `program`, run as the `postgres` user when this process is root.
    fn command(&self, program: &Path) -> Command {
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        command.stdin(Stdio::null());
        command
    }

    /// Runs `command` to completion; its output in the error if it fails.
    fn run(&self, command: &mut Command, what: &str) -> Result<(), String> {
        let output = command
            .output()
            .map_err(|e| format!("cannot run {what}: {e}"))?;
        if output.status.success() {
            return Ok(());
        }
        let log = std::fs::read_to_string(self.root.join("server.log")).unwrap_or_default();
        Err(format!(
            "{what} failed ({}): {}{}\n{log}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }

    /// The loopback port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of `database` on this server (user `postgres`, trusted: no password).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates a new, empty database and returns its URL.
    ///
    /// # Errors
    /// If the server cannot be reached or refuses.
    pub fn create_database(&self) -> Result<String, String> {
        let name = format!(
            "ordo_test_{}",
            self.databases.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .map_err(|e| format!("cannot connect to the test server: {e}"))?;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| format!("cannot create database {name}: {e}"))?;
        Ok(self.url(&name))
    }

    /// The shell command that stops the server at once and removes its directory.
    fn cleanup_script(&self) -> String {
        let pg_ctl = self.bin.join("pg_ctl");
        let stop = format!(
            "'{}' -D '{}' -m immediate stop",
            pg_ctl.display(),
            self.data().display()
        );
        let stop = if self.as_postgres {
            format!("runuser -u postgres -- {stop}")
        } else {
            stop
        };
        format!("{stop} >/dev/null 2>&1; rm -rf '{}'", self.root.display())
    }

    /// Stops the server and removes its directory (also done on drop).
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let script = self.cleanup_script();
        let result = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if let Err(error) = result {
            tracing::warn!(%error, "cannot stop the test PostgreSQL server");
        }
    }

    /// Starts a watchdog that runs the cleanup once this process has exited (for a server
    /// kept in a static, which is never dropped).
    fn clean_up_after_exit(&self) -> Result<(), String> {
        let script = format!(
            "(while kill -0 {} 2>/dev/null; do sleep 0.5; done; {}) \
             </dev/null >/dev/null 2>&1 &",
            std::process::id(),
            self.cleanup_script()
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|_| ())
            .map_err(|e| format!("cannot start the test server's watchdog: {e}"))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The test process's one server, started on first use.
///
/// # Errors
/// Why no server could be started (the same answer on every call).
pub fn shared() -> Result<&'static TestServer, String> {
    static SERVER: OnceLock<Result<TestServer, String>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let server = TestServer::start()?;
            server.clean_up_after_exit()?;
            Ok(server)
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// A new, empty database on the [`shared`] server: its URL.
///
/// # Errors
/// Why no server could be started, or the database not created.
pub fn fresh_database() -> Result<String, String> {
    shared()?.create_database()
}
