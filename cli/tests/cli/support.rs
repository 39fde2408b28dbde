//! The test harness: a shop in a temporary data directory, and commands written like a
//! shell line (`product add --sku A-1 --name 'Big mug'`).

use std::process::{Command as StdCommand, Output};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// A shop in a temporary data directory.
pub struct Shop {
    /// The data directory.
    pub dir: TempDir,
}

/// Splits a command line into words: whitespace separates, '…' or "…" group.
pub fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            (None, c) => word.push(c),
        }
    }
    if started || !word.is_empty() {
        words.push(word);
    }
    words
}

/// The `ordo` binary with no `ORDO_*` settings from outside, a known OS user and empty
/// standard input (so a missing password fails instead of waiting for a prompt).
pub fn ordo() -> Command {
    let mut command = Command::from_std(StdCommand::new(env!("CARGO_BIN_EXE_ordo")));
    for name in [
        "ORDO_DATA",
        "ORDO_TOKEN",
        "ORDO_PASSWORD",
        "ORDO_NEW_PASSWORD",
        "ORDO_DATABASE_URL",
    ] {
        command.env_remove(name);
    }
    command.env("USER", "tester").write_stdin("");
    command
}

/// Environment variables for one run, e.g. `&[("ORDO_PASSWORD", "…")]`.
pub type Env<'a> = &'a [(&'a str, &'a str)];

impl Shop {
    /// An empty shop.
    pub fn new() -> Shop {
        Shop {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    /// `ordo --data DIR LINE…`.
    pub fn cmd(&self, line: &str) -> Command {
        let mut command = ordo();
        command.arg("--data").arg(self.dir.path()).args(words(line));
        command
    }

    /// Runs `line`.
    pub fn run(&self, line: &str) -> Output {
        self.run_env(line, &[])
    }

    /// Runs `line` with `env` set.
    pub fn run_env(&self, line: &str, env: Env<'_>) -> Output {
        let mut command = self.cmd(line);
        command.envs(env.iter().copied());
        command.output().expect("ordo runs")
    }

    /// Runs `line --json`, expects success, and parses stdout as one JSON value.
    pub fn json(&self, line: &str) -> Value {
        self.json_env(line, &[])
    }

    /// [`Shop::json`] with `env` set.
    pub fn json_env(&self, line: &str, env: Env<'_>) -> Value {
        let output = self.run_env(&format!("{line} --json"), env);
        assert!(
            output.status.success(),
            "ordo {line} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let response: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "ordo {line} --json printed something that is not one JSON value ({e}): {}",
                String::from_utf8_lossy(&output.stdout)
            )
        });
        // `--json` prints the contract's response: `{"ok": view}`.
        let object = response.as_object().expect("a response object");
        assert_eq!(object.len(), 1, "ordo {line} --json: {response}");
        object
            .get("ok")
            .unwrap_or_else(|| panic!("ordo {line} --json: no ok in {response}"))
            .clone()
    }

    /// Runs `line`, expects success, returns stdout.
    pub fn ok(&self, line: &str) -> String {
        self.ok_env(line, &[])
    }

    /// [`Shop::ok`] with `env` set.
    pub fn ok_env(&self, line: &str, env: Env<'_>) -> String {
        let output = self.run_env(line, env);
        assert!(
            output.status.success(),
            "ordo {line} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).to_string()
    }

    /// Runs `line`, expects exit `code`, nothing on stdout and one `error: …` line on
    /// stderr; returns that line.
    pub fn fails(&self, line: &str, code: i32) -> String {
        self.fails_env(line, &[], code)
    }

    /// [`Shop::fails`] with `env` set.
    pub fn fails_env(&self, line: &str, env: Env<'_>, code: i32) -> String {
        check_failure(line, &self.run_env(line, env), code)
    }

    /// A product `sku` at 10.00 USD (wholesale 8.00, 6.00 from 10) with 20 units in MAIN.
    pub fn product(&self, sku: &str) {
        self.json(&format!(
            "product add --sku {sku} --name 'Product {sku}' --price '10.00 USD' \
             --wholesale 1:8.00 --wholesale 10:6.00"
        ));
        self.json(&format!(
            "product stock {sku} --warehouse MAIN --restock 20 --reason 'opening stock'"
        ));
    }

    /// A consumer with a default address; returns their id as text.
    pub fn customer(&self, name: &str, phone: &str) -> String {
        let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
        let customer = self.json(&format!(
            "customer add --name '{name}' --phone {phone} --email {email} \
             --address '{name}, 1 Main Street, Springfield, 12345, US'"
        ));
        id_text(&customer)
    }

    /// A placed order of `items` (`SKU:QTY …`) for `customer`; returns its JSON.
    pub fn order(&self, customer: &str, items: &str) -> Value {
        let items: Vec<String> = items
            .split_whitespace()
            .map(|i| format!("--item {i}"))
            .collect();
        self.json(&format!(
            "order create --customer {customer} {}",
            items.join(" ")
        ))
    }

    /// Units of `sku` reserved for open orders.
    pub fn reserved(&self, sku: &str) -> u64 {
        self.json(&format!("product show {sku}"))["stock"]["reserved"]
            .as_u64()
            .expect("reserved units")
    }
}

/// Checks a failed run: exit `code`, empty stdout, one `error: ` line on stderr.
pub fn check_failure(line: &str, output: &Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(
        output.status.code(),
        Some(code),
        "ordo {line}: expected exit {code}, stderr: {stderr}"
    );
    if line.contains("--json") {
        // The contract's error response, with the same status as the exit code.
        let response: Value = serde_json::from_slice(&output.stdout).expect("one JSON value");
        assert!(response["error"]["code"].is_string(), "{response}");
    } else {
        assert!(
            output.stdout.is_empty(),
            "ordo {line} printed to stdout on failure"
        );
    }
    assert_eq!(stderr.lines().count(), 1, "not one line: {stderr:?}");
    assert!(stderr.starts_with("error: "), "{stderr:?}");
    assert!(!stderr.contains("panicked"), "{stderr:?}");
    stderr.trim_end().to_string()
}

/// The `id` of a JSON object, as text.
pub fn id_text(value: &Value) -> String {
    value["id"].as_u64().expect("an id").to_string()
}

/// A string field of a JSON object.
pub fn text(value: &Value, field: &str) -> String {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is not a string in {value}"))
        .to_string()
}

/// The orders of an `order list` page.
pub fn orders(page: &Value) -> &Vec<Value> {
    page["items"].as_array().expect("an items array")
}

/// The length of a JSON array.
pub fn len(value: &Value) -> usize {
    value.as_array().expect("an array").len()
}

#[test]
fn words_split_like_a_shell() {
    assert_eq!(
        words("a 'b c'  \"d\" '' e"),
        ["a", "b c", "d", "", "e"].map(String::from)
    );
}
