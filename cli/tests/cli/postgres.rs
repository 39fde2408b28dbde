//! `ordo --database postgres://…`: the binary on a real PostgreSQL server (a throwaway one
//! started by the test process, one database per test). Several processes share one
//! database: concurrent `ordo order create` processes for the last units never oversell.

use serde_json::Value;

use super::support::{check_failure, ordo, words};

/// A database of the test server: its URL.
fn database() -> String {
    ordo_postgres::testserver::fresh_database()
        .unwrap_or_else(|why| panic!("a PostgreSQL server is needed for this test: {why}"))
}

/// `ordo --database URL LINE… --json`, expecting success: the `ok` value.
fn json(url: &str, line: &str) -> Value {
    let output = ordo()
        .arg("--database")
        .arg(url)
        .args(words(line))
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "ordo {line} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let response: Value = serde_json::from_slice(&output.stdout).unwrap();
    response["ok"].clone()
}

#[test]
fn processes_sharing_a_database_never_oversell_the_last_units() {
    const UNITS: u64 = 3;
    const PROCESSES: usize = 8;
    let url = database();
    let cwd = tempfile::tempdir().unwrap();
    json(
        &url,
        "product add --sku LAST-1 --name 'Last one' --price '10.00 USD'",
    );
    json(
        &url,
        &format!("product stock LAST-1 --warehouse MAIN --restock {UNITS} --reason count"),
    );
    let customers: Vec<String> = (0..PROCESSES)
        .map(|n| {
            let customer = json(
                &url,
                &format!(
                    "customer add --name 'Buyer {n}' --phone +1555000{n:04} \
                     --email buyer{n}@example.com \
                     --address 'Buyer {n}, 1 Main Street, Springfield, 12345, US'"
                ),
            );
            customer["id"].to_string().trim_matches('"').to_string()
        })
        .collect();
    // All processes at once, each its own connection pool on the one database.
    let children: Vec<_> = customers
        .iter()
        .map(|customer| {
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ordo"));
            for name in [
                "ORDO_DATA",
                "ORDO_TOKEN",
                "ORDO_PASSWORD",
                "ORDO_NEW_PASSWORD",
            ] {
                command.env_remove(name);
            }
            command
                .current_dir(cwd.path())
                .env("USER", "tester")
                .env("ORDO_DATABASE_URL", &url)
                .args(words(&format!(
                    "order create --customer {customer} --item LAST-1:1 --json"
                )))
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            command.spawn().unwrap()
        })
        .collect();
    let mut placed = 0u64;
    let mut refused = 0u64;
    for child in children {
        let output = child.wait_with_output().unwrap();
        if output.status.success() {
            placed += 1;
        } else {
            // Refused for stock (a rule: exit 3), never a lost race (5) or a failure (1).
            check_failure("order create --json", &output, 3);
            refused += 1;
        }
    }
    assert_eq!(placed, UNITS, "exactly the units there were");
    assert_eq!(refused, PROCESSES as u64 - UNITS);
    let product = json(&url, "product show LAST-1");
    assert_eq!(product["stock"]["reserved"].as_u64(), Some(UNITS));
    // Nothing was written to a data directory: --database replaces it.
    assert!(!cwd.path().join("ordo-data").exists());
}

#[test]
fn backups_of_a_database_are_the_databases_own_and_errors_hide_the_password() {
    let url = database();
    let out = tempfile::tempdir().unwrap();
    let backup = ordo()
        .arg("--database")
        .arg(&url)
        .args(["backup", "--to"])
        .arg(out.path().join("b.ordo-backup"))
        .output()
        .unwrap();
    let line = check_failure("backup", &backup, 1);
    assert!(line.contains("pg_dump"), "{line}");
    // A server that is not there: the error names no password.
    let unreachable = ordo()
        .args([
            "--database",
            "postgres://ordo:s3cret-pw@127.0.0.1:1/ordo",
            "product",
            "list",
        ])
        .output()
        .unwrap();
    assert!(!unreachable.status.success());
    let stderr = String::from_utf8_lossy(&unreachable.stderr);
    assert!(!stderr.contains("s3cret-pw"), "{stderr}");
}
