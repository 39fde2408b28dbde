//! Page render times of the console and the portal on the demo shop, through a real
//! `ordo serve --demo` over HTTP on 127.0.0.1: N requests per page (one connection each,
//! as a browser without keep-alive), median, p95 and worst in milliseconds.
//!
//! ```sh
//! cargo build --release -p ordo-cli
//! cargo bench -p ordo-web --bench page_times -- target/release/ordo 50
//! ```
//!
//! The first argument is the `ordo` binary (default `target/release/ordo`), the second
//! the number of requests per page (default 50). The demo is seeded at full scale in a
//! fresh temporary directory; the demo's admin and customer sign in through the real
//! forms (CSRF token included). Only the standard library is used: the client adds
//! nothing to what it measures but a TCP connection.

// A bench, not library code: a failure is a message and exit code 1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(missing_docs)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A page render time goal of issue 16.
const GOAL_MS: f64 = 50.0;

/// One HTTP answer.
struct Answer {
    status: u16,
    set_cookies: Vec<String>,
    body: String,
}

/// One request on a fresh connection; the whole answer read (`Connection: close`).
fn http(address: &str, method: &str, path: &str, cookies: &str, form: Option<&str>) -> Answer {
    let mut stream = TcpStream::connect(address).expect("the service accepts connections");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    if !cookies.is_empty() {
        request.push_str(&format!("Cookie: {cookies}\r\n"));
    }
    match form {
        Some(body) => request.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )),
        None => request.push_str("\r\n"),
    }
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let set_cookies = lines
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie")
                .then(|| value.trim().split(';').next().unwrap_or("").to_string())
        })
        .collect();
    Answer {
        status,
        set_cookies,
        body: body.to_string(),
    }
}

/// `text` percent-encoded for a form body.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Signs in through the form at `path`; the cookies of the signed-in browser.
fn sign_in(address: &str, path: &str, login: &str, password: &str) -> String {
    let form = http(address, "GET", path, "", None);
    let nonce = form
        .set_cookies
        .iter()
        .find(|c| c.starts_with("ordo_csrf="))
        .expect("a CSRF nonce")
        .clone();
    let token = form
        .body
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form's token");
    let body = format!(
        "csrf={token}&login={}&password={}",
        encode(login),
        encode(password)
    );
    let signed = http(address, "POST", path, &nonce, Some(&body));
    assert_eq!(signed.status, 303, "sign-in at {path}: {}", signed.body);
    signed.set_cookies.join("; ")
}

/// The milliseconds at quantile `q` of sorted `times`.
fn quantile(times: &[f64], q: f64) -> f64 {
    let rank = ((times.len() as f64) * q).ceil() as usize;
    times[rank.clamp(1, times.len()) - 1]
}

/// `ordo serve --demo` on a fresh directory, and where it listens.
fn start(ordo: &str, data: &std::path::Path) -> (Child, String, String) {
    let mut child = Command::new(ordo)
        .env("ORDO_BACKUP_EVERY_MINUTES", "0")
        .env_remove("ORDO_DATA")
        .arg("--data")
        .arg(data)
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {ordo}: {e} (build it with cargo build --release -p ordo-cli)")
        });
    let stdout = child.stdout.take().unwrap();
    let (found, address) = mpsc::channel();
    std::thread::spawn(move || {
        let mut printed = String::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if let Some(at) = line.find("listening on http://") {
                let address = line[at + "listening on http://".len()..].trim().to_string();
                let _ = found.send((address, std::mem::take(&mut printed)));
            } else {
                printed.push_str(&line);
                printed.push('\n');
            }
        }
    });
    let (address, printed) = address
        .recv_timeout(Duration::from_secs(600))
        .expect("ordo serve --demo listens");
    (child, address, printed)
}

/// Today and the Monday of this week (UTC), `YYYY-MM-DD`, as the dashboard asks.
fn today_and_monday() -> (String, String) {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // 1970-01-01 was a Thursday: days since the last Monday.
    let since_monday = (days + 3).rem_euclid(7);
    (civil(days), civil(days - since_monday))
}

/// The date `days` after 1970-01-01 (H. Hinnant's civil_from_days).
fn civil(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The dashboard's six order figures (today, this week, four waiting statuses) through
/// `POST /api/v1`, counted as the page counts them today (`order.list`, up to 50 items
/// each) and with `order.count`: the whole set's median and p95 over `n` rounds.
fn dashboard_counts(address: &str, admin_password: &str, n: usize) {
    let login = format!(
        r#"{{"op": "session.login", "args": {{"login": "admin", "password": "{admin_password}"}}}}"#
    );
    let signed = api(address, &login, None);
    let token = signed
        .split(r#""token":""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a session token")
        .to_string();
    let (today, monday) = today_and_monday();
    let filters = [
        format!(r#""from": "{today}""#),
        format!(r#""from": "{monday}""#),
        r#""status": "placed""#.to_string(),
        r#""status": "confirmed""#.to_string(),
        r#""status": "picking""#.to_string(),
        r#""status": "packed""#.to_string(),
    ];
    println!();
    println!("the dashboard's six order figures through POST /api/v1, {n} rounds");
    println!("{:<38} {:>9} {:>9}", "requests", "median_ms", "p95_ms");
    for (name, op, extra) in [
        (
            "6 x order.list (limit 50, counted)",
            "order.list",
            r#", "limit": 50"#,
        ),
        ("6 x order.count", "order.count", ""),
    ] {
        let mut times: Vec<f64> = (0..n)
            .map(|_| {
                let started = Instant::now();
                for filter in &filters {
                    let body = format!(r#"{{"op": "{op}", "args": {{{filter}{extra}}}}}"#);
                    let answer = api(address, &body, Some(&token));
                    assert!(answer.contains(r#""ok""#), "{body}: {answer}");
                }
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "{name:<38} {:>9.1} {:>9.1}",
            quantile(&times, 0.5),
            quantile(&times, 0.95)
        );
    }
    for filter in &filters {
        let body = format!(r#"{{"op": "order.count", "args": {{{filter}}}}}"#);
        println!("  {filter}: {}", api(address, &body, Some(&token)).trim());
    }
}

/// `POST /api/v1` with a JSON `body` (and a bearer token); the response body.
fn api(address: &str, body: &str, token: Option<&str>) -> String {
    let mut stream = TcpStream::connect(address).expect("the service accepts connections");
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let request = format!(
        "POST /api/v1 HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    raw.split_once("\r\n\r\n")
        .map_or(raw.clone(), |(_, b)| b.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let ordo = args
        .first()
        .cloned()
        .unwrap_or_else(|| "target/release/ordo".to_string());
    let n: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(50);
    let data = std::env::temp_dir().join(format!("ordo-page-times-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let seeding = Instant::now();
    let (mut child, address, printed) = start(&ordo, &data);
    eprintln!(
        "demo seeded and serving in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let admin_password = printed
        .lines()
        .find_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some("admin"))
                .then(|| words.next())
                .flatten()
        })
        .expect("the demo's admin password")
        .to_string();
    let customer = printed
        .lines()
        .find_map(|l| l.trim().strip_prefix("Customer sign-in: "))
        .expect("the demo's customer sign-in")
        .to_string();
    let mut words = customer.split_whitespace();
    let login = words.next().unwrap().to_string();
    let password = words.nth(1).unwrap().to_string();

    let console = sign_in(&address, "/console/signin", "admin", &admin_password);
    let portal = sign_in(&address, "/signin", &login, &password);
    let orders = http(&address, "GET", "/console/orders", &console, None);
    let order = orders
        .body
        .split("/console/orders/")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .filter(|id| !id.is_empty())
        .expect("an order in the table");
    let pages = [
        ("dashboard", "/console".to_string(), &console),
        ("orders table", "/console/orders".to_string(), &console),
        ("order page", format!("/console/orders/{order}"), &console),
        ("tickets", "/console/tickets".to_string(), &console),
        ("catalog", "/".to_string(), &portal),
        ("my orders", "/orders".to_string(), &portal),
        ("cart", "/cart".to_string(), &portal),
        ("my tickets", "/tickets".to_string(), &portal),
    ];
    println!("{n} requests per page, ordo binary {ordo}");
    println!(
        "{:<14} {:<24} {:>9} {:>9} {:>9}",
        "page", "path", "median_ms", "p95_ms", "max_ms"
    );
    let mut over = 0;
    for (name, path, cookies) in &pages {
        let warm = http(&address, "GET", path, cookies, None);
        assert_eq!(warm.status, 200, "{path}: {}", warm.body);
        let mut times: Vec<f64> = (0..n)
            .map(|_| {
                let started = Instant::now();
                let answer = http(&address, "GET", path, cookies, None);
                let took = started.elapsed().as_secs_f64() * 1000.0;
                assert_eq!(answer.status, 200, "{path}");
                took
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let (median, p95, max) = (
            quantile(&times, 0.5),
            quantile(&times, 0.95),
            times[times.len() - 1],
        );
        if p95 > GOAL_MS {
            over += 1;
        }
        println!("{name:<14} {path:<24} {median:>9.1} {p95:>9.1} {max:>9.1}");
    }
    println!("pages with p95 over {GOAL_MS} ms: {over}");
    dashboard_counts(&address, &admin_password, n);
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&data);
}
