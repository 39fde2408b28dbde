//! `ordo serve` as a real process: HTTP on 127.0.0.1 (a free port), the socket the CLI
//! uses while the service holds the store, rate limits, and a clean stop on SIGTERM.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::support::{Shop, check_failure, text};

const ADMIN_PW: &str = "amber-canyon-lantern-7";
const CLERK_PW: &str = "copper-meadow-violin-3";

/// A running `ordo serve` on a shop's data directory.
struct Service {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    base: String,
    /// Everything it wrote on stderr, once it has exited.
    logs: mpsc::Receiver<String>,
}

impl Service {
    /// Starts `ordo serve --listen 127.0.0.1:0` on `shop` with `env` (automatic backups
    /// off unless `env` says otherwise) and waits until `/healthz` answers.
    fn start(shop: &Shop, env: &[(&str, &str)]) -> Service {
        Service::start_with(shop, &[], env).0
    }

    /// [`Service::start`] with more arguments for `ordo serve`; also returns what it
    /// printed before it listened.
    fn start_with(shop: &Shop, args: &[&str], env: &[(&str, &str)]) -> (Service, String) {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ordo"))
            .env_remove("ORDO_DATA")
            .env_remove("ORDO_TOKEN")
            .env_remove("ORDO_PASSWORD")
            .env("USER", "tester")
            .env("ORDO_BACKUP_EVERY_MINUTES", "0")
            .envs(env.iter().copied())
            .arg("--data")
            .arg(shop.dir.path())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ordo serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let (address, found) = mpsc::channel();
        std::thread::spawn(move || {
            let mut before = String::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if let Some(at) = line.find("listening on http://") {
                    let base = line[at + "listening on ".len()..].trim().to_string();
                    let _ = address.send((base, std::mem::take(&mut before)));
                } else {
                    before.push_str(&line);
                    before.push('\n');
                }
            }
        });
        let mut stderr = child.stderr.take().expect("stderr");
        let (logs_to, logs) = mpsc::channel();
        std::thread::spawn(move || {
            let mut all = String::new();
            let _ = stderr.read_to_string(&mut all);
            let _ = logs_to.send(all);
        });
        let (base, printed) = match found.recv_timeout(Duration::from_secs(120)) {
            Ok(found) => found,
            Err(_) => {
                let _ = child.kill();
                let logs = logs
                    .recv_timeout(Duration::from_secs(5))
                    .unwrap_or_default();
                panic!("ordo serve did not say where it listens: {logs}");
            }
        };
        let service = Service { child, base, logs };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let health = reqwest::blocking::get(format!("{}/healthz", service.base));
            if let Ok(response) = health
                && response.status() == 200
            {
                assert_eq!(response.text().unwrap(), "ok\n");
                break;
            }
            assert!(Instant::now() < deadline, "/healthz never answered 200");
            std::thread::sleep(Duration::from_millis(50));
        }
        (service, printed)
    }

    /// `POST /api/v1` with `body`, and a bearer `token` if given: (HTTP status, JSON).
    fn post(&self, body: &str, token: Option<&str>) -> (u16, Value) {
        let client = reqwest::blocking::Client::new();
        let mut request = client
            .post(format!("{}/api/v1", self.base))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let response = request.send().expect("the service answers");
        let status = response.status().as_u16();
        let text = response.text().expect("a body");
        let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (status, value)
    }

    /// SIGTERM, then its exit status and its logs.
    fn stop(mut self) -> (ExitStatus, String) {
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "ordo serve did not stop after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let logs = self
            .logs
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_default();
        (status, logs)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        // A test that failed midway must not leave the service running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `value` with what differs between two shops (ids, times, references) blanked.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let volatile = key == "id"
                        || key == "reference"
                        || key.ends_with("_at")
                        || key == "at"
                        || key.ends_with("_id");
                    let value = if volatile { json!("…") } else { shape(value) };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        other => other.clone(),
    }
}

/// The same commands on a shop without a service and on one whose store a running
/// service holds: the same answers (up to ids, times and references) and exit codes.
#[test]
fn cli_commands_go_through_a_running_service_with_the_same_output_and_exit_codes() {
    let direct = Shop::new();
    let served = Shop::new();
    let service = Service::start(&served, &[]);
    let socket = served.dir.path().join("ordo.sock");
    let mode = std::fs::metadata(&socket)
        .expect("the socket")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "socket mode {mode:o}");

    let mut answered = 0;
    for shop in [&direct, &served] {
        shop.json_env(
            "admin init --name 'Morgan Reyes' --login morgan",
            &[("ORDO_PASSWORD", ADMIN_PW)],
        );
    }
    let steps = [
        "product add --sku MUG-1 --name 'Big mug' --price '10.00 USD'",
        "product stock MUG-1 --warehouse MAIN --restock 5 --reason 'opening stock'",
        "customer add --name 'Ada Lovelace' --phone +442071234567 --email ada@example.com \
         --address 'Ada Lovelace, 1 Main Street, Springfield, 12345, US'",
    ];
    for step in steps {
        assert_eq!(
            shape(&direct.json(step)),
            shape(&served.json(step)),
            "{step}"
        );
        answered += 1;
    }
    let mut references = Vec::new();
    for shop in [&direct, &served] {
        let customer = shop.json("customer list")["items"][0]["id"].to_string();
        let order = shop.order(&customer, "MUG-1:2");
        references.push(text(&order, "reference"));
    }
    let [direct_ref, served_ref] = [&references[0], &references[1]];
    let direct_status = direct.json(&format!("order status {direct_ref} confirmed"));
    let served_status = served.json(&format!("order status {served_ref} confirmed"));
    assert_eq!(shape(&direct_status), shape(&served_status));
    assert_eq!(served_status["status"], "confirmed");
    answered += 1;
    // Human output too, and `--as` signs in and out over the socket.
    for shop in [&direct, &served] {
        shop.json_env(
            "user add --name 'Cleo Park' --login cleo --role order-processor",
            &[("ORDO_PASSWORD", CLERK_PW)],
        );
    }
    let as_clerk = [("ORDO_PASSWORD", CLERK_PW)];
    let direct_list = direct.ok_env("--as cleo product show MUG-1", &as_clerk);
    let served_list = served.ok_env("--as cleo product show MUG-1", &as_clerk);
    let without_times = |text: &str| {
        text.lines()
            .filter(|line| !line.starts_with("Added:") && !line.starts_with("ID:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(without_times(&direct_list), without_times(&served_list));
    answered += 1;
    // Errors: the same line and exit code.
    for (line, code) in [
        ("product show NOPE", 4),
        ("order status ORD-0000-0000 shipped", 4),
        ("--as cleo user list", 6),
    ] {
        let direct_error = direct.fails_env(line, &as_clerk, code);
        let served_error = served.fails_env(line, &as_clerk, code);
        assert_eq!(direct_error, served_error, "{line}");
        answered += 1;
    }
    let illegal = format!("order status {served_ref} delivered");
    let error = served.fails(&illegal, 3);
    assert!(
        error.contains("cannot move order from confirmed to delivered"),
        "{error}"
    );
    assert_eq!(answered, 8);

    // Commands that need the directory to themselves refuse while the service runs.
    let backup = served.dir.path().with_extension("backup-test");
    for line in [
        format!("backup --to {}", backup.display()),
        format!("restore --from {} --force", backup.display()),
        "demo --scale 1".to_string(),
        "serve --listen 127.0.0.1:0".to_string(),
    ] {
        let error = served.fails(&line, 5);
        assert!(
            error.contains("ordo serve is running on"),
            "{line}: {error}"
        );
    }
    assert!(!backup.exists());

    let (status, logs) = service.stop();
    assert_eq!(status.code(), Some(0), "{logs}");
    assert!(
        logs.contains("socket request op=\"order.create\""),
        "{logs}"
    );
    assert!(
        !logs.contains(CLERK_PW) && !logs.contains(ADMIN_PW),
        "{logs}"
    );
    assert!(!socket.exists(), "the socket is removed at shutdown");
    // Without the service, commands open the store directly again; what the service
    // wrote is there.
    let order = served.json(&format!("order show {served_ref}"));
    assert_eq!(order["status"], "confirmed");
    assert_eq!(served.json("product show MUG-1")["stock"]["reserved"], 2);
}

/// POST /api/v1: guests may register and sign in, nothing else; a session from
/// session.login acts as its user; malformed headers and oversized bodies are refused.
#[test]
fn the_http_contract_with_and_without_a_session() {
    let shop = Shop::new();
    shop.json_env(
        "admin init --name 'Morgan Reyes' --login morgan",
        &[("ORDO_PASSWORD", ADMIN_PW)],
    );
    shop.json_env(
        "user add --name 'Cleo Park' --login cleo --role order-processor",
        &[("ORDO_PASSWORD", CLERK_PW)],
    );
    let service = Service::start(&shop, &[]);
    let mut checked = 0;

    // A guest operation works without a token.
    let register = r#"{"op": "customer.register", "args": {"customer": {"name": "Nora Quinn",
        "phone": "+14155559003", "email": "nora@example.com", "addresses": [{"recipient":
        "Nora Quinn", "line1": "18 Market Square", "city": "San Francisco",
        "postal_code": "94103", "country": "US"}]}}, "extra": {"tag": 7}}"#;
    let (status, body) = service.post(register, None);
    assert_eq!(status, 200, "{body}");
    assert!(body["ok"]["registration_handle"].is_string(), "{body}");
    assert_eq!(body["extra"]["tag"], 7);
    checked += 1;

    // A staff operation without a token: the engine's refusal for a guest, 403.
    let list = r#"{"op": "product.list"}"#;
    let (status, body) = service.post(list, None);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    checked += 1;

    // Signing in, then the same operation with the session.
    let login = format!(
        r#"{{"op": "session.login", "args": {{"login": "cleo", "password": "{CLERK_PW}"}}}}"#
    );
    let (status, body) = service.post(&login, None);
    assert_eq!(status, 200, "{body}");
    let token = body["ok"]["token"].as_str().expect("a token").to_string();
    let (status, body) = service.post(list, Some(&token));
    assert_eq!(status, 200, "{body}");
    assert!(body["ok"]["items"].is_array(), "{body}");
    let (status, body) = service.post(r#"{"op": "session.get"}"#, Some(&token));
    assert_eq!(
        (status, body["ok"]["role"].as_str()),
        (200, Some("order-processor")),
        "{body}"
    );
    // Its role still applies: an order processor may not manage users (403).
    let (status, body) = service.post(r#"{"op": "user.list"}"#, Some(&token));
    assert_eq!(status, 403, "{body}");
    checked += 1;

    // Bad credentials: 401 with the contract's unauthenticated errors.
    let client = reqwest::blocking::Client::new();
    for header in ["Basic Y2xlbzpwdw==", "Bearer", "Bearer two words"] {
        let response = client
            .post(format!("{}/api/v1", service.base))
            .header("authorization", header)
            .body(list)
            .send()
            .unwrap();
        assert_eq!(response.status().as_u16(), 401, "{header}");
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap()),
            Some("Bearer")
        );
        let body: Value = response.json().unwrap();
        assert_eq!(body["error"]["code"], "invalid_token", "{header}: {body}");
        assert_eq!(body["error"]["kind"], "unauthenticated");
        checked += 1;
    }
    let ended = "0".repeat(64);
    let (status, body) = service.post(list, Some(&ended));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("session_ended")),
        "{body}"
    );
    // A wrong password: 401.
    let wrong =
        r#"{"op": "session.login", "args": {"login": "cleo", "password": "not-it-at-all"}}"#;
    assert_eq!(service.post(wrong, None).0, 401);
    // Malformed and unknown requests: 400.
    assert_eq!(service.post("{not json", None).0, 400);
    let (status, body) = service.post(r#"{"op": "order.teleport"}"#, None);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("unknown_op"))
    );
    // Not found: 404 (a staff user asking for an order that does not exist).
    let missing = r#"{"op": "order.get", "args": {"reference": "ORD-0000-0000"}}"#;
    assert_eq!(service.post(missing, Some(&token)).0, 404);
    checked += 1;

    // A body over the limit: 413 with the contract's request_too_large.
    let oversized = format!(
        r#"{{"op": "product.list", "extra": "{}"}}"#,
        "x".repeat(ordo_api::MAX_REQUEST_BYTES)
    );
    let (status, body) = service.post(&oversized, None);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("request_too_large"))
    );
    checked += 1;
    assert_eq!(checked, 8);

    let (status, logs) = service.stop();
    assert_eq!(status.code(), Some(0), "{logs}");
    assert!(
        logs.contains("op=\"session.login\" http_status=200"),
        "{logs}"
    );
    for secret in [CLERK_PW, token.as_str(), "Nora Quinn", "nora@example.com"] {
        assert!(!logs.contains(secret), "the logs hold {secret}: {logs}");
    }
}

/// Logins are counted per caller address before they run: after the budget, 429.
#[test]
fn logins_from_one_address_are_rate_limited() {
    let shop = Shop::new();
    let service = Service::start(&shop, &[("ORDO_LIMITS_LOGIN_PER_MINUTE", "3")]);
    let wrong =
        r#"{"op": "session.login", "args": {"login": "nobody", "password": "not-it-at-all"}}"#;
    let statuses: Vec<u16> = (0..5).map(|_| service.post(wrong, None).0).collect();
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    let (status, body) = service.post(wrong, None);
    assert_eq!(status, 429);
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    assert_eq!(body["error"]["kind"], "conflict");
    // Other operations are not counted.
    assert_eq!(service.post(r#"{"op": "product.list"}"#, None).0, 403);
    let (status, _) = service.stop();
    assert_eq!(status.code(), Some(0));
}

/// A configuration that cannot be used stops the start, naming the key (exit 2); the
/// automatic backups go where the configuration says.
#[test]
fn the_configuration_is_checked_at_start_and_backups_follow_it() {
    let shop = Shop::new();
    let output = shop.run_env("serve --listen 127.0.0.1:0", &[("ORDO_BACKUP_KEEP", "x")]);
    let error = check_failure("serve", &output, 2);
    assert!(
        error.contains("ORDO_BACKUP_KEEP: expected a whole number, got \"x\""),
        "{error}"
    );
    let file = shop.dir.path().with_extension("toml");
    std::fs::write(&file, "[backup]\nkepe = 3\n").unwrap();
    let output = shop.run(&format!(
        "serve --listen 127.0.0.1:0 --config {}",
        file.display()
    ));
    let error = check_failure("serve", &output, 2);
    assert!(error.contains("backup.kepe in "), "{error}");
    std::fs::remove_file(&file).unwrap();
    let output = shop.run("serve --listen 8080");
    assert!(check_failure("serve", &output, 2).contains("--listen: "));

    let backups = tempfile::tempdir().unwrap();
    let dir = backups.path().display().to_string();
    let service = Service::start(
        &shop,
        &[
            ("ORDO_BACKUP_EVERY_MINUTES", "60"),
            ("ORDO_BACKUP_DIR", &dir),
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let written = loop {
        let files: Vec<_> = std::fs::read_dir(backups.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "ordo-backup"))
            .collect();
        if !files.is_empty() {
            break files;
        }
        assert!(Instant::now() < deadline, "no backup was written");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(written.len(), 1);
    let (status, _) = service.stop();
    assert_eq!(status.code(), Some(0));
    let verified = shop.json(&format!("verify {}", written[0].display()));
    assert_eq!(verified["undecodable_count"], 0);
}

/// `--demo` seeds an empty store before serving (and prints its tour and how to try the
/// service), and leaves a store with data alone.
#[test]
fn demo_seeds_an_empty_store_only() {
    let shop = Shop::new();
    let (service, printed) = Service::start_with(&shop, &["--demo", "--demo-scale", "1"], &[]);
    assert!(printed.contains("A short tour"), "{printed}");
    let admin = printed
        .lines()
        .find(|l| l.trim_start().starts_with("admin "))
        .expect("the admin's password");
    let password = admin.split_whitespace().nth(1).expect("a password");
    let login = format!(
        r#"{{"op": "session.login", "args": {{"login": "admin", "password": "{password}"}}}}"#
    );
    let (status, body) = service.post(&login, None);
    assert_eq!(status, 200, "{body}");
    let token = body["ok"]["token"].as_str().unwrap().to_string();
    let (status, body) = service.post(
        r#"{"op": "order.list", "args": {"limit": 5}}"#,
        Some(&token),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["ok"]["items"].as_array().map(Vec::len),
        Some(5),
        "{body}"
    );
    let products = shop.json("product list")["items"].as_array().unwrap().len();
    assert!(products > 10, "{products} products");
    let (status, _) = service.stop();
    assert_eq!(status.code(), Some(0));

    // Not empty now: a second --demo adds nothing.
    let (service, printed) = Service::start_with(&shop, &["--demo", "--demo-scale", "1"], &[]);
    assert!(!printed.contains("A short tour"), "{printed}");
    let (status, logs) = service.stop();
    assert_eq!(status.code(), Some(0));
    assert!(logs.contains("is not empty: --demo adds nothing"), "{logs}");
    assert_eq!(
        shop.json("product list")["items"].as_array().unwrap().len(),
        products
    );
}

#[test]
fn sms_simulate_tracks_orders_through_the_running_service_and_only_for_their_phone() {
    let shop = Shop::new();
    shop.product("MUG-1");
    let ada = shop.customer("Ada Lovelace", "+15550001111");
    shop.customer("Bob Stranger", "+15550002222");
    let order = shop.order(&ada, "MUG-1:2");
    let reference = text(&order, "reference");
    let token = [("ORDO_TWILIO_AUTH_TOKEN", "a-shared-auth-token")];
    let service = Service::start(&shop, &token);
    let url = service.base.clone();
    let simulate = |from: &str, body: &str, env: &[(&str, &str)]| {
        shop.run_env(
            &format!("sms simulate --url {url} --from {from} '{body}'"),
            env,
        )
    };
    let tracked = simulate("+15550001111", &format!("TRACK {reference}"), &token);
    if !tracked.status.success() {
        let (_, logs) = service.stop();
        panic!("{tracked:?}\n{logs}");
    }
    let reply = String::from_utf8_lossy(&tracked.stdout).to_string();
    assert!(
        reply.starts_with(&format!("{reference}: placed since ")),
        "{reply}"
    );
    // Another phone learns nothing: the reply for a reference that does not exist.
    let other = simulate("+15550002222", &format!("TRACK {reference}"), &token);
    assert_eq!(
        String::from_utf8_lossy(&other.stdout).trim(),
        format!("{reference}: no order found with this reference.")
    );
    // JSON for scripts.
    let plain = simulate("+15550001111", "ORDERS", &token);
    assert!(plain.status.success());
    let json: Value = serde_json::from_slice(
        &shop
            .run_env(
                &format!("sms simulate --url {url} --from +15550001111 ORDERS --json"),
                &token,
            )
            .stdout,
    )
    .unwrap();
    assert_eq!(json["ok"]["status"], 200, "{json}");
    assert!(
        json["ok"]["reply"].as_str().unwrap().contains(&reference),
        "{json}"
    );
    // Signed with another token: the service refuses it.
    let forged = simulate(
        "+15550001111",
        "ORDERS",
        &[("ORDO_TWILIO_AUTH_TOKEN", "not-the-token")],
    );
    assert!(!forged.status.success());
    assert!(
        String::from_utf8_lossy(&forged.stderr).contains("refused the text (403)"),
        "{forged:?}"
    );
    // Ada's log, read through the socket, holds the texts from and to her phone.
    let log = shop.json(&format!("customer log {ada}"));
    let entries = log
        .as_array()
        .or_else(|| log["items"].as_array())
        .map(Vec::len);
    // TRACK and ORDERS twice (plain and --json) from Ada: three texts, three replies.
    assert_eq!(entries, Some(6), "{log}");
    let (status, _) = service.stop();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn staff_see_failed_deliveries_and_retry_them() {
    let shop = Shop::new();
    shop.product("MUG-1");
    let ada = shop.customer("Ada Lovelace", "+15550001111");
    shop.order(&ada, "MUG-1:1");
    let waiting = shop.json("outbox list");
    assert_eq!(waiting.as_array().map(Vec::len), Some(1), "{waiting}");
    assert_eq!(waiting[0]["status"], "pending");
    assert_eq!(waiting[0]["channel"], "sms");
    assert!(
        shop.json("outbox list --failed")
            .as_array()
            .unwrap()
            .is_empty()
    );
    let id = waiting[0]["id"].as_u64().unwrap();
    // Only a failed or dead delivery can be retried.
    let refused = shop.fails(&format!("outbox retry {id}"), 3);
    assert!(
        refused.contains("only failed or dead deliveries"),
        "{refused}"
    );
    shop.fails("outbox retry 999999", 4);
    let human = shop.ok("outbox list");
    assert!(
        human.contains("pending") && human.contains("Thank you!"),
        "{human}"
    );
    assert_eq!(shop.json(&format!("outbox ack {id}"))["acknowledged"], 1);
    assert!(shop.json("outbox list").as_array().unwrap().is_empty());
    assert_eq!(shop.json("outbox list --all")[0]["status"], "sent");
}

/// The value of cookie `name` in a response's `Set-Cookie` headers.
fn set_cookie(response: &reqwest::blocking::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|line| {
            let pair = line.split(';').next()?;
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| value.to_string())
        })
}

#[test]
fn the_web_console_and_portal_are_served_with_the_demo_sign_ins() {
    let shop = Shop::new();
    let (service, printed) = Service::start_with(&shop, &["--demo", "--demo-scale", "1"], &[]);
    let admin = printed
        .lines()
        .find(|l| l.trim_start().starts_with("admin "))
        .expect("the admin's password");
    let password = admin.split_whitespace().nth(1).expect("a password");
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = client
        .get(format!("{}/console/signin", service.base))
        .send()
        .unwrap();
    assert_eq!(form.status(), 200);
    let csp = form.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    let nonce = set_cookie(&form, "ordo_csrf").expect("a CSRF nonce cookie");
    let body = form.text().unwrap();
    let token = body
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form's token")
        .to_string();
    // Without the token: 403, no session.
    let refused = client
        .post(format!("{}/console/signin", service.base))
        .header("cookie", format!("ordo_csrf={nonce}"))
        .form(&[("login", "admin"), ("password", password)])
        .send()
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert!(set_cookie(&refused, "ordo_console").is_none());
    let signed = client
        .post(format!("{}/console/signin", service.base))
        .header("cookie", format!("ordo_csrf={nonce}"))
        .form(&[
            ("csrf", token.as_str()),
            ("login", "admin"),
            ("password", password),
        ])
        .send()
        .unwrap();
    assert_eq!(signed.status(), 303);
    let session = set_cookie(&signed, "ordo_console").expect("the session cookie");
    let orders = client
        .get(format!("{}/console/orders", service.base))
        .header("cookie", format!("ordo_console={session}"))
        .send()
        .unwrap();
    assert_eq!(orders.status(), 200);
    let page = orders.text().unwrap();
    assert!(page.matches("/console/orders/").count() >= 5, "{page}");
    let portal = client.get(format!("{}/", service.base)).send().unwrap();
    assert_eq!(portal.status(), 200);
    let (status, logs) = service.stop();
    assert_eq!(status.code(), Some(0));
    assert!(
        !logs.contains(&session),
        "the session token reached the logs"
    );
    assert!(!logs.contains(password), "a password reached the logs");
}

/// A headless Chromium behind chromedriver, driven over the W3C WebDriver protocol (a few
/// JSON calls with the blocking reqwest client the other tests use).
struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::blocking::Client,
    /// Chromium's user-data directory, removed when the browser is dropped (after the
    /// driver and its browser have exited; fields drop after `Drop::drop` runs).
    _profile: tempfile::TempDir,
}

/// The WebDriver key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    /// chromedriver and a Chromium session, or `None` when they are not installed (a
    /// failure instead when `ORDO_REQUIRE_CHROMIUM=1`, as in CI).
    fn start() -> Option<Browser> {
        let installed = std::path::Path::new("/usr/bin/chromium").exists()
            && std::process::Command::new("chromedriver")
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success());
        if !installed {
            assert!(
                std::env::var("ORDO_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
                "ORDO_REQUIRE_CHROMIUM=1 but chromium or chromium-driver is not installed"
            );
            eprintln!("chromium/chromedriver not installed: skipping the browser test");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let driver = std::process::Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let profile = tempfile::Builder::new()
            .prefix("ordo-chromium-")
            .tempdir()
            .unwrap();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", "--window-size=1200,900",
                    format!("--user-data-dir={}", profile.path().display())],
            }
        }}});
        let deadline = Instant::now() + Duration::from_secs(30);
        let session = loop {
            if let Ok(response) = http
                .post(format!("{base}/session"))
                .json(&capabilities)
                .send()
            {
                let value: Value = response.json().unwrap();
                let id = value["value"]["sessionId"].as_str();
                assert!(id.is_some(), "no browser session: {value}");
                break id.unwrap().to_string();
            }
            assert!(Instant::now() < deadline, "chromedriver never answered");
            std::thread::sleep(Duration::from_millis(100));
        };
        Some(Browser {
            driver,
            base,
            session,
            http,
            _profile: profile,
        })
    }

    fn try_call(&self, method: reqwest::Method, path: &str, body: Value) -> Result<Value, Value> {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut request = self.http.request(method.clone(), url);
        if method == reqwest::Method::POST {
            request = request.json(&body);
        }
        let value: Value = request.send().unwrap().json().unwrap();
        if value["value"].get("error").is_some() {
            return Err(value);
        }
        Ok(value["value"].clone())
    }

    fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        self.try_call(method.clone(), path, body)
            .unwrap_or_else(|error| panic!("{method} {path}: {error}"))
    }

    /// Waits (up to 20 s) until the first `css` element's text is `expected` (the page
    /// after a form post may still be loading).
    fn wait_text(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut last = String::new();
        while Instant::now() < deadline {
            let found = self
                .try_call(
                    reqwest::Method::POST,
                    "/element",
                    json!({"using": "css selector", "value": css}),
                )
                .ok()
                .and_then(|e| e[ELEMENT].as_str().map(str::to_string));
            if let Some(element) = found
                && let Ok(text) = self.try_call(
                    reqwest::Method::GET,
                    &format!("/element/{element}/text"),
                    json!({}),
                )
            {
                last = text.as_str().unwrap_or_default().to_string();
                if last == expected {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{css} on {} reads {last:?}, not {expected:?}", self.url());
    }

    /// Waits (up to 20 s) until the address contains `part` (a click on a form's button
    /// returns before the next page has loaded); the address.
    fn wait_url(&self, part: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let url = self.url();
            if url.contains(part) {
                return url;
            }
            assert!(Instant::now() < deadline, "still at {url}, not at {part}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the page is exactly `url` (a redirect has landed).
    fn wait_for_url(&self, url: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let now = self.url();
            if now == url {
                return;
            }
            assert!(Instant::now() < deadline, "still at {now}, not at {url}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn go(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", json!({"url": url}));
    }

    fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", json!({}))
            .as_str()
            .unwrap()
            .to_string()
    }

    fn all(&self, css: &str) -> Vec<String> {
        self.call(
            reqwest::Method::POST,
            "/elements",
            json!({"using": "css selector", "value": css}),
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[ELEMENT].as_str().unwrap().to_string())
        .collect()
    }

    /// The first element matching `css`, waiting up to 20 s for it to appear (a page a
    /// click navigated to may still be loading when the next command comes).
    fn one(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(first) = self.all(css).into_iter().next() {
                return first;
            }
            assert!(Instant::now() < deadline, "no {css} on {}", self.url());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn click(&self, element: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            json!({}),
        );
    }

    fn type_in(&self, css: &str, text: &str) {
        let element = self.one(css);
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/clear"),
            json!({}),
        );
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            json!({"text": text}),
        );
    }

    fn text(&self, css: &str) -> String {
        let element = self.one(css);
        self.call(
            reqwest::Method::GET,
            &format!("/element/{element}/text"),
            json!({}),
        )
        .as_str()
        .unwrap()
        .to_string()
    }

    /// Resizes the window to `width` × `height` CSS pixels.
    fn resize(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            json!({"width": width, "height": height}),
        );
    }

    /// The value `script` (a function body) returns in the page.
    fn execute(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
    }

    /// Whether the page is no wider than the window (no horizontal scrollbar), and the
    /// two widths.
    fn fits_width(&self) -> (bool, Value) {
        let widths =
            self.execute("return [document.documentElement.scrollWidth, window.innerWidth];");
        let fits = widths[0].as_u64().unwrap() <= widths[1].as_u64().unwrap();
        (fits, widths)
    }

    /// Whether `element` lies within the window's width (x and width, CSS pixels).
    fn within_width(&self, element: &str) -> bool {
        let rect = self.call(
            reqwest::Method::GET,
            &format!("/element/{element}/rect"),
            json!({}),
        );
        let inner = self.execute("return window.innerWidth;");
        rect["x"].as_f64().unwrap() >= 0.0
            && rect["x"].as_f64().unwrap() + rect["width"].as_f64().unwrap()
                <= inner.as_f64().unwrap()
    }

    /// Saves a PNG screenshot as `target/web-screenshots/{name}.png`.
    fn screenshot(&self, name: &str) {
        use base64::Engine as _;
        let encoded = self.call(reqwest::Method::GET, "/screenshot", json!({}));
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target")
            .join("web-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The 6-digit verification code sent to `phone`, read from the notification deliveries
/// through the running service (as the SMS dispatcher would send it).
fn code_sent_to(shop: &Shop, phone: &str) -> String {
    let customer = shop.json(&format!("customer show {phone}"));
    let id = customer["id"].as_u64().expect("the new customer's id");
    let mut after = 0;
    let mut code = None;
    // Bounded: the demo's deliveries, a page of 1000 at a time.
    for _ in 0..1000 {
        let page = shop.json(&format!("outbox list --all --limit 1000 --after {after}"));
        let items = page.as_array().expect("deliveries");
        let Some(last) = items.last() else { break };
        after = last["id"].as_u64().expect("an id");
        for delivery in items {
            if delivery["event"] == "verification code" && delivery["customer_id"] == id {
                let text = delivery["text"].as_str().unwrap_or_default();
                code = text
                    .split(|c: char| !c.is_ascii_digit())
                    .find(|w| w.len() == 6)
                    .map(str::to_string);
            }
        }
    }
    code.unwrap_or_else(|| panic!("no verification code for customer {id}"))
}

#[test]
fn in_a_real_browser_a_customer_orders_and_staff_ship_it() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let shop = Shop::new();
    let (service, printed) = Service::start_with(&shop, &["--demo", "--demo-scale", "1"], &[]);
    let admin = printed
        .lines()
        .find(|l| l.trim_start().starts_with("admin "))
        .and_then(|l| l.split_whitespace().nth(1))
        .expect("the admin's password")
        .to_string();
    let base = service.base.clone();
    let (phone, login, password) = ("+442079460123", "nora", "velvet-harbor-lamp-2024");

    // A visitor registers through the portal's form and enters the code sent by SMS.
    browser.go(&format!("{base}/register"));
    for (name, value) in [
        ("name", "Nora Quinn"),
        ("phone", phone),
        ("email", "nora@example.com"),
        ("line1", "1 Canada Square"),
        ("city", "London"),
        ("postal_code", "E14 5AB"),
        ("country", "GB"),
        ("login", login),
        ("password", password),
    ] {
        browser.type_in(&format!("#register-form input[name={name}]"), value);
    }
    browser.screenshot("portal-register");
    browser.click(&browser.one("#register-form button[type=submit]"));
    browser.wait_url("/register/code");
    let code = code_sent_to(&shop, phone);
    browser.type_in("#code-form input[name=code]", &code);
    browser.click(&browser.one("#code-form button"));
    browser.wait_url("/register/welcome");
    let registration_id = browser.text("#registration-id");
    assert!(registration_id.starts_with("CUS-"), "{registration_id}");
    browser.screenshot("portal-registered");

    // Signed in by the registration; sign out and in again with the chosen login.
    browser.click(&browser.one("form[action='/signout'] button"));
    // The sign-out lands on the catalog; going on before it has would race its redirect.
    browser.wait_for_url(&format!("{base}/"));
    browser.go(&format!("{base}/signin"));
    browser.type_in("input[name=login]", login);
    browser.type_in("input[name=password]", password);
    browser.click(&browser.one("form[action='/signin'] button"));
    browser.wait_for_url(&format!("{base}/"));
    browser.screenshot("portal-catalog");

    // Two products in the cart, checkout; then a second order.
    let mut added = 0;
    for nth in 0..2 {
        browser.go(&format!("{base}/"));
        let buttons = browser.all("form[action='/cart/add'] button");
        assert!(buttons.len() >= 2, "{} add buttons", buttons.len());
        browser.click(&buttons[nth]);
        browser.wait_url("/cart");
        added += 1;
    }
    assert_eq!(added, 2);
    browser.one("form[action='/cart/remove']");
    assert_eq!(browser.all("form[action='/cart/remove']").len(), 2);
    browser.screenshot("portal-cart");
    let checkout = |browser: &Browser| {
        browser.click(&browser.one("form[action='/cart/checkout'] button"));
        let placed = browser.wait_url("?placed=1");
        let reference = placed
            .split("/orders/")
            .nth(1)
            .and_then(|rest| rest.split('?').next())
            .expect("the order page")
            .to_string();
        assert!(browser.text(".notice").contains(&reference));
        reference
    };
    let reference = checkout(&browser);
    browser.screenshot("portal-placed");
    browser.go(&format!("{base}/"));
    browser.click(&browser.one("form[action='/cart/add'] button"));
    browser.wait_url("/cart");
    let other = checkout(&browser);
    assert_ne!(other, reference);

    // Both orders are in "my orders" and tracked at once.
    browser.go(&format!("{base}/orders"));
    let mine: Vec<String> = browser
        .all("table a")
        .iter()
        .map(|a| self_text(&browser, a))
        .collect();
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert!(mine.contains(&reference) && mine.contains(&other));
    browser.go(&format!("{base}/track?refs={reference}+{other}"));
    assert_eq!(browser.all(".tracked").len(), 2);
    browser.screenshot("portal-track");

    // Staff sign in, find the order, take it to shipped.
    browser.go(&format!("{base}/console/signin"));
    browser.type_in("input[name=login]", "admin");
    browser.type_in("input[name=password]", &admin);
    browser.click(&browser.one("form[action='/console/signin'] button"));
    browser.wait_for_url(&format!("{base}/console"));
    browser.screenshot("console-dashboard");
    browser.go(&format!("{base}/console/orders?reference={reference}"));
    browser.click(&browser.one("#orders a"));
    let mut moved = 0;
    for status in ["confirmed", "picking", "packed"] {
        // The select offers the next status first.
        browser.click(&browser.one("#status-form button"));
        browser.wait_text("#status", status);
        moved += 1;
    }
    assert_eq!(moved, 3);
    browser.type_in("#ship-form input[name=carrier]", "ups");
    browser.type_in(
        "#ship-form input[name=tracking_number]",
        "1Z999AA10123456784",
    );
    browser.click(&browser.one("#ship-form button"));
    browser.wait_text("#status", "shipped");
    browser.screenshot("console-order");

    // The customer's page shows the new status (the portal session is still signed in).
    browser.go(&format!("{base}/orders/{reference}"));
    browser.wait_text("#status", "shipped");
    assert!(browser.text("main").contains("1Z999AA10123456784"));
    browser.screenshot("portal-order-shipped");

    // A phone-sized screen (390 × 844): the catalog and the cart fit its width, and their
    // forms work there.
    browser.resize(390, 844);
    browser.go(&format!("{base}/"));
    let (fits, widths) = browser.fits_width();
    assert!(fits, "the catalog scrolls sideways on a phone: {widths}");
    let inner = widths[1].as_u64().unwrap();
    assert!(
        (300..=390).contains(&inner),
        "not a phone-sized window: {widths}"
    );
    let buttons = browser.all("form[action='/cart/add'] button");
    assert!(!buttons.is_empty());
    assert!(browser.within_width(&buttons[0]));
    browser.screenshot("portal-phone-catalog");
    browser.click(&buttons[0]);
    browser.wait_url("/cart");
    let (fits, widths) = browser.fits_width();
    assert!(fits, "the cart scrolls sideways on a phone: {widths}");
    // Nor does the cart's table need scrolling inside its box.
    let table = browser.execute(
        "const box = document.querySelector('main .scroll'); return [box.scrollWidth, box.clientWidth];",
    );
    assert!(
        table[0].as_u64().unwrap() <= table[1].as_u64().unwrap(),
        "the cart's table is wider than a phone: {table}"
    );
    let place = browser.one("form[action='/cart/checkout'] button");
    assert!(
        browser.within_width(&place),
        "the checkout button is off screen"
    );
    browser.one("form[action='/cart/remove']");
    assert_eq!(browser.all("form[action='/cart/remove']").len(), 1);
    browser.screenshot("portal-phone-cart");
    drop(browser);
    let (status, logs) = service.stop();
    assert_eq!(status.code(), Some(0));
    for secret in [password, code.as_str()] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
}

/// The visible text of an element.
fn self_text(browser: &Browser, element: &str) -> String {
    browser
        .call(
            reqwest::Method::GET,
            &format!("/element/{element}/text"),
            json!({}),
        )
        .as_str()
        .unwrap()
        .to_string()
}
