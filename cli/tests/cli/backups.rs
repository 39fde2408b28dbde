//! `ordo backup`, `ordo verify`, `ordo restore`: one file holds the whole shop.

use std::path::{Path, PathBuf};

use super::support::{Shop, len, orders, text};

/// A backup file path beside (not inside) the shop's data directory.
fn backup_file(scratch: &tempfile::TempDir, name: &str) -> PathBuf {
    scratch.path().join(name)
}

fn arg(path: &Path) -> String {
    format!("'{}'", path.display())
}

#[test]
fn a_demo_shop_backs_up_verifies_and_restores_identically() {
    let shop = Shop::new();
    shop.json("demo --scale 5");
    let scratch = tempfile::tempdir().expect("scratch directory");
    let file = backup_file(&scratch, "shop.ordo-backup");

    let made = shop.json(&format!("backup --to {}", arg(&file)));
    assert!(
        made["total_entries"].as_u64().expect("a count") > 1_000,
        "{made}"
    );
    assert!(made["bytes"].as_u64().expect("a size") > 0);
    assert!(
        shop.ok(&format!("backup --to {} --force", arg(&file)))
            .contains("ordo verify")
    );

    let checked = shop.json(&format!("verify {}", arg(&file)));
    assert_eq!(
        checked["storage_format_version"],
        made["storage_format_version"]
    );
    assert!(text(&checked, "created_at").ends_with('Z'), "{checked}");
    assert!(
        checked["trees"]["orders"].as_u64().expect("orders") >= 100,
        "{checked}"
    );
    assert!(checked["trees"]["customers"].as_u64().expect("customers") >= 10);
    let human = shop.ok(&format!("verify {}", arg(&file)));
    assert!(
        human.contains("undamaged") && human.contains("storage format") && human.contains("orders"),
        "{human}"
    );

    let copy = Shop::new();
    let restored = copy.json(&format!("restore --from {}", arg(&file)));
    assert_eq!(restored["total_entries"], made["total_entries"]);
    let page = shop.json("order list --limit 5");
    for order in orders(&page) {
        let reference = text(order, "reference");
        let line = format!("order show {reference}");
        assert_eq!(shop.json(&line), copy.json(&line), "{reference} differs");
    }
    assert_eq!(
        shop.json("customer list --limit 1000")["items"],
        copy.json("customer list --limit 1000")["items"]
    );
    // The restored shop takes new work with fresh ids.
    let customer = copy.customer("Restored Person", "+442071239999");
    assert!(copy.json(&format!("customer show {customer}"))["id"].is_u64());
}

#[test]
fn restore_refuses_a_directory_with_data_unless_forced() {
    let shop = Shop::new();
    shop.product("KEEP-1");
    let scratch = tempfile::tempdir().expect("scratch directory");
    let file = backup_file(&scratch, "keep.ordo-backup");
    shop.json(&format!("backup --to {}", arg(&file)));
    let error = shop.fails(&format!("backup --to {}", arg(&file)), 3);
    assert!(error.contains("already exists; add --force"), "{error}");

    let other = Shop::new();
    other.product("OTHER-1");
    let error = other.fails(&format!("restore --from {}", arg(&file)), 3);
    assert!(
        error.contains("already holds data") && error.contains("--force"),
        "{error}"
    );
    assert_eq!(other.json("product list")["items"][0]["sku"], "OTHER-1");

    other.json(&format!("restore --from {} --force", arg(&file)));
    let products = other.json("product list")["items"].clone();
    assert_eq!(len(&products), 1);
    assert_eq!(products[0]["sku"], "KEEP-1");
}

#[test]
fn verify_names_a_damaged_or_missing_backup() {
    let shop = Shop::new();
    shop.product("MUG-1");
    shop.customer("Ada Lovelace", "+442071234567");
    let scratch = tempfile::tempdir().expect("scratch directory");
    let file = backup_file(&scratch, "damaged.ordo-backup");
    shop.json(&format!("backup --to {}", arg(&file)));
    let mut bytes = std::fs::read(&file).expect("the backup");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xFF;
    std::fs::write(&file, &bytes).expect("a damaged copy");

    let error = shop.fails(&format!("verify {}", arg(&file)), 1);
    assert!(
        error.starts_with(&format!(
            "error: {} is not a usable backup: ",
            file.display()
        )),
        "{error}"
    );
    let target = Shop::new();
    let error = target.fails(&format!("restore --from {}", arg(&file)), 1);
    assert!(error.contains("is not a usable backup"), "{error}");
    assert_eq!(
        std::fs::read_dir(target.dir.path())
            .expect("the target")
            .count(),
        0,
        "a failed restore leaves the directory as it was"
    );

    let missing = backup_file(&scratch, "missing.ordo-backup");
    let error = shop.fails(&format!("verify {}", arg(&missing)), 1);
    assert!(
        error.contains("cannot open") && error.contains("missing.ordo-backup"),
        "{error}"
    );
}

/// Regression: `ordo restore --from F --force` emptied whatever directory `--data` named;
/// a folder holding a thesis was wiped. It is refused (exit 3), byte for byte untouched.
#[test]
fn restore_force_never_wipes_a_directory_that_is_not_an_ordo_store() {
    let shop = Shop::new();
    shop.product("KEEP-1");
    let scratch = tempfile::tempdir().expect("scratch directory");
    let file = backup_file(&scratch, "keep.ordo-backup");
    shop.json(&format!("backup --to {}", arg(&file)));

    let thesis = scratch.path().join("thesis");
    std::fs::create_dir_all(thesis.join("figures")).expect("a folder");
    std::fs::write(thesis.join("thesis.tex"), "four years of work").expect("a file");
    std::fs::write(thesis.join("figures/plot.pdf"), [0u8, 1, 2, 3]).expect("a file");
    let mut refused = 0;
    for force in ["", " --force"] {
        let line = format!(
            "--data {} restore --from {}{force}",
            arg(&thesis),
            arg(&file)
        );
        let output = super::support::ordo()
            .args(super::support::words(&line))
            .output()
            .expect("ordo runs");
        let error = super::support::check_failure(&line, &output, 3);
        assert!(
            error.contains("is not an ordo data directory") && error.contains("never"),
            "{error}"
        );
        refused += 1;
        assert_eq!(
            std::fs::read_to_string(thesis.join("thesis.tex")).expect("still there"),
            "four years of work"
        );
        assert_eq!(
            std::fs::read(thesis.join("figures/plot.pdf")).expect("still there"),
            [0u8, 1, 2, 3]
        );
        assert_eq!(std::fs::read_dir(&thesis).expect("the folder").count(), 2);
    }
    assert_eq!(refused, 2);
    // Nothing was created beside it either.
    assert_eq!(
        std::fs::read_dir(scratch.path()).expect("scratch").count(),
        2,
        "only the backup file and the thesis folder"
    );
}

/// Regression: one stored record that did not decode made `ordo verify` and `ordo
/// restore` fail outright. Backup and restore succeed with a warning naming it; verify
/// prints its whole report and exits 3, naming it.
#[test]
fn a_record_that_does_not_decode_is_named_and_does_not_stop_backups() {
    let shop = Shop::new();
    shop.product("MUG-1");
    let customer = shop.customer("Ada Lovelace", "+442071234567");
    let order = shop.order(&customer, "MUG-1:2");
    let reference = text(&order, "reference");
    {
        // Bytes planted behind ordo's back (the store is closed): order 77 is garbage.
        let db = sled::open(shop.dir.path()).expect("the store's files");
        db.open_tree("orders")
            .expect("the orders tree")
            .insert(77u64.to_be_bytes(), &[1u8, 1, 0xff, 0xfe, 0x00][..])
            .expect("a raw write");
        db.flush().expect("flushed");
    }
    let scratch = tempfile::tempdir().expect("scratch directory");
    let file = backup_file(&scratch, "bad.ordo-backup");

    let output = shop.run(&format!("backup --to {}", arg(&file)));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.starts_with("warning: 1 record does not decode: orders/77 ")
            && stderr.lines().count() == 1,
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("ordo verify"));

    // verify: the full report on stdout, one error line, exit 3.
    let output = shop.run(&format!("verify {}", arg(&file)));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stdout.contains("do not decode") && stdout.contains("orders/77"),
        "{stdout}"
    );
    assert!(
        stdout.contains("customers"),
        "every tree is still listed: {stdout}"
    );
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: {} is undamaged, but 1 record does not decode: orders/77",
            file.display()
        )
    );
    let output = shop.run(&format!("verify {} --json", arg(&file)));
    assert_eq!(output.status.code(), Some(3));
    let response: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON value");
    let report = &response["ok"];
    assert_eq!(report["undecodable_count"], 1);
    assert_eq!(report["undecodable"][0]["key"], "orders/77");
    assert!(report["trees"]["orders"].as_u64().expect("orders") >= 2);

    // restore: done, with the same warning; everything else reads back.
    let copy = Shop::new();
    let output = copy.run(&format!("restore --from {}", arg(&file)));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.starts_with("warning: 1 record does not decode: orders/77 "),
        "{stderr}"
    );
    let line = format!("order show {reference}");
    assert_eq!(shop.json(&line), copy.json(&line));
    assert_eq!(copy.json("product list")["items"][0]["sku"], "MUG-1");
}
