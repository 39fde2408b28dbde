//! Help, usage errors (exit 2), the data directory and internal errors (exit 1).

use predicates::prelude::*;

use super::support::{Shop, check_failure, ordo};

#[test]
fn help_teaches_with_examples() {
    let shop = Shop::new();
    let help = shop.ok("--help");
    assert!(
        help.contains("Examples:") && help.contains("Exit codes"),
        "{help}"
    );
    for command in [
        "demo",
        "product add",
        "product list",
        "product update",
        "product stock",
        "customer add",
        "customer list",
        "order create",
        "order status",
        "order list",
        "order pay",
        "order refund",
        "customer register",
        "customer verify",
        "customer update",
        "customer log",
        "customer set-password",
        "customer approve",
        "outbox list",
        "outbox ack",
        "outbox retry",
        "sms simulate",
        "serve",
        "admin init",
        "user add",
        "login",
        "backup",
        "restore",
        "verify",
    ] {
        let help = shop.ok(&format!("{command} --help"));
        assert!(help.contains("Example"), "{command}: {help}");
    }
    assert!(shop.ok("order list --help").contains("inclusive"));
    assert!(shop.ok("outbox --help").contains("manual dispatcher"));
    assert!(shop.ok("sms --help").contains("without a phone"));
    assert!(shop.ok("--help").contains("--as"));
    shop.cmd("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ordo "));
}

#[test]
fn usage_errors_exit_2() {
    let shop = Shop::new();
    for line in [
        "",
        "frobnicate",
        "product add --sku A-1",
        "product stock A-1 --warehouse MAIN --reason x",
        "product stock A-1 --warehouse MAIN --restock 1 --adjust 1 --reason x",
        "product list --limit many",
        "product update A-1",
        "order cancel ORD-7K3M-9QX1",
        "order archive ORD-7K3M-9QX1",
        "order create --customer 1",
        "order advance --to shipped",
        "order advance ORD-7K3M-9QX1",
        "order list --customer 1 --customer-name ada",
        "customer add --name A --phone +14155550100 --email a@example.com --company 'A Inc'",
    ] {
        shop.cmd(line)
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::starts_with("error: ").or(predicate::str::contains("Usage:")));
    }
}

#[test]
fn json_failures_print_the_contracts_error_response() {
    let shop = Shop::new();
    let output = shop.run("--json product show NOPE-1");
    assert_eq!(output.status.code(), Some(4));
    let response: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        response,
        serde_json::json!({"error": {
            "code": "not_found",
            "kind": "not_found",
            "message": "product with SKU NOPE-1 was not found"
        }})
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: product with SKU NOPE-1 was not found\n"
    );
}

#[test]
fn the_data_directory_comes_from_the_environment() {
    let shop = Shop::new();
    ordo()
        .env("ORDO_DATA", shop.dir.path())
        .args([
            "--json", "product", "add", "--sku", "ENV-1", "--name", "Env", "--price", "1 USD",
        ])
        .assert()
        .success();
    assert_eq!(shop.json("product list")["items"][0]["sku"], "ENV-1");
}

#[test]
fn an_unusable_data_directory_is_an_internal_error() {
    let shop = Shop::new();
    let file = shop.dir.path().join("not-a-directory");
    std::fs::write(&file, b"x").expect("a file");
    let output = ordo()
        .arg("--data")
        .arg(&file)
        .args(["product", "list"])
        .output()
        .expect("ordo runs");
    let error = check_failure("--data FILE product list", &output, 1);
    assert!(
        error.starts_with("error: cannot create data directory"),
        "{error}"
    );
}

/// Regression: a data directory another process has open exited with 1 (internal), so a
/// script could not tell "try again later" from a broken installation. It is a conflict
/// (5), for every command that opens the store, and the message says what to do.
#[test]
fn a_data_directory_in_use_by_another_process_exits_5() {
    let shop = Shop::new();
    shop.product("LOCK-1");
    let scratch = tempfile::tempdir().expect("scratch directory");
    let file = scratch.path().join("lock.ordo-backup");
    shop.json(&format!("backup --to '{}'", file.display()));
    // This test process holds the store open, as a running `ordo serve` would.
    let held = ordo_storage::SledStore::open(shop.dir.path(), ordo_storage::StoreConfig::default())
        .expect("the store opens");
    let lines = [
        "product list".to_string(),
        "product add --sku LOCK-2 --name Other --price '1 USD'".to_string(),
        format!("backup --to '{}' --force", file.display()),
        format!("restore --from '{}' --force", file.display()),
    ];
    for line in &lines {
        let error = shop.fails(line, 5);
        assert!(
            error.contains("in use by another ordo process"),
            "ordo {line}: {error}"
        );
    }
    drop(held);
    // Free again once the other process lets go; nothing was changed meanwhile.
    assert_eq!(shop.json("product list")["items"][0]["sku"], "LOCK-1");
    assert_eq!(super::support::len(&shop.json("product list")["items"]), 1);
}
