//! Durability by system calls (the approach of ALICE, "All File Systems Are Not Created
//! Equal", OSDI 2014): the crash test kills with SIGKILL, which the page cache survives,
//! so it cannot see a missing `fsync`. Here the real `ordo` binary runs under `strace`,
//! and the recorded system calls must show that before a command prints its
//! acknowledgement, every write to a file of the store was followed by an `fsync` or
//! `fdatasync` of that file (`sync_file_range` does not count: it neither flushes the
//! device cache nor the file's metadata), and every file or directory created or renamed
//! in the store directory (and the store directory itself) by an `fsync` of the directory
//! holding its entry.
//!
//! The analysis ([`check_trace`]) is a pure function of the log text, with its own tests
//! below, including traces it must reject. When strace is missing the test says so loudly
//! and passes, unless `ORDO_REQUIRE_STRACE=1` (set by `.ci/run`, which installs strace):
//! then a missing strace is a failure. `ORDO_STRACE_BINARY` runs another `ordo` build
//! (e.g. one without the fixes, to see the test fail).

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::process::Command as StdCommand;

use serde_json::Value;

use super::support::words;

/// The system calls recorded: every call naming a path (opens, `mkdir`, renames,
/// unlinks), every way to write or size a file, and every way to sync one.
const TRACED: &str = "trace=%file,write,writev,pwrite64,pwritev,pwritev2,ftruncate,\
                      fallocate,fsync,fdatasync,sync_file_range,syncfs";

// ---------------------------------------------------------------------------------------
// Parsing strace's output (`strace -f -y -o LOG`: one call per line, prefixed by the
// thread id, file descriptors decorated with their paths: `3</data/db>`).
// ---------------------------------------------------------------------------------------

/// One completed system call, with where it began and ended among the log's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Call {
    name: String,
    /// The arguments, split at top-level commas (strings keep their quotes).
    args: Vec<String>,
    /// The return value's number (`-1` for errors; `None` for `?`).
    result: Option<i64>,
    /// The path strace decorated the returned descriptor with (`= 3</data/db>`).
    result_path: Option<String>,
    /// Line index of the call's entry (its `<unfinished ...>` line, or its own line).
    entry: usize,
    /// Line index of its return (its `<... resumed>` line, or its own line).
    exit: usize,
}

/// Parses a log into completed calls; signals, exits and unknown lines are skipped.
fn parse_trace(log: &str) -> Vec<Call> {
    let mut unfinished: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut calls = Vec::new();
    for (index, line) in log.lines().enumerate() {
        let Some((pid, rest)) = line.split_once(' ') else {
            continue;
        };
        let rest = rest.trim_start();
        if let Some(head) = rest.strip_suffix(" <unfinished ...>") {
            unfinished.insert(pid.to_string(), (head.to_string(), index));
            continue;
        }
        let (text, entry) = match rest.strip_prefix("<... ") {
            Some(resumed) => {
                let Some((_, tail)) = resumed.split_once(" resumed>") else {
                    continue;
                };
                let Some((head, entry)) = unfinished.remove(pid) else {
                    continue;
                };
                (format!("{head}{tail}"), entry)
            }
            None => (rest.to_string(), index),
        };
        if let Some(mut call) = parse_call(&text) {
            call.entry = entry;
            call.exit = index;
            calls.push(call);
        }
    }
    calls
}

/// `name(arg, arg, …) = result` → a [`Call`] (positions left at 0).
fn parse_call(text: &str) -> Option<Call> {
    let open = text.find('(')?;
    let name = &text[..open];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let (args, after) = split_args(&text[open + 1..])?;
    let result_text = after.trim_start().strip_prefix('=')?.trim_start();
    let number_end = result_text
        .find(|c: char| !(c.is_ascii_digit() || c == '-'))
        .unwrap_or(result_text.len());
    let result = result_text[..number_end].parse().ok();
    let result_path = result_text[number_end..]
        .strip_prefix('<')
        .and_then(|p| p.split_once('>'))
        .map(|(path, _)| path.to_string());
    Some(Call {
        name: name.to_string(),
        args,
        result,
        result_path,
        entry: 0,
        exit: 0,
    })
}

/// Splits `a, "b, c", d<e>) rest` at top-level commas up to the closing parenthesis;
/// returns the arguments and what follows the parenthesis.
fn split_args(text: &str) -> Option<(Vec<String>, &str)> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        if quoted {
            current.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                quoted = true;
                current.push(c);
            }
            '(' | '[' | '{' | '<' => {
                depth += 1;
                current.push(c);
            }
            ')' if depth == 0 => {
                let last = current.trim();
                if !last.is_empty() {
                    args.push(last.to_string());
                }
                return Some((args, &text[at + 1..]));
            }
            ')' | ']' | '}' | '>' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            ',' if depth == 0 => args.push(std::mem::take(&mut current).trim().to_string()),
            _ => current.push(c),
        }
    }
    None
}

/// The path of a decorated descriptor argument (`3</data/db>` → `/data/db`).
fn fd_path(arg: &str) -> Option<String> {
    let (_, rest) = arg.split_once('<')?;
    let path = rest.strip_suffix('>')?;
    Some(path.strip_suffix(" (deleted)").unwrap_or(path).to_string())
}

/// The descriptor number of a decorated descriptor argument.
fn fd_number(arg: &str) -> Option<i64> {
    arg.split('<').next()?.parse().ok()
}

/// The text of a quoted string argument (paths are printed without escapes we need).
fn string_arg(arg: &str) -> Option<String> {
    Some(arg.strip_prefix('"')?.strip_suffix('"')?.to_string())
}

/// `path` made absolute against `base`, with `.` and `..` resolved lexically.
fn resolve(base: &Path, path: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for component in base.join(path).components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The directory a `*at` call's path is relative to: its decorated descriptor, else `cwd`.
fn at_base(dirfd: &str, cwd: &Path) -> PathBuf {
    fd_path(dirfd).map_or_else(|| cwd.to_path_buf(), PathBuf::from)
}

// ---------------------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------------------

/// What a trace did to the store, in the order that matters.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    /// Data reached a file (its return): write, pwrite, ftruncate, …
    Write(PathBuf),
    /// An `fsync`/`fdatasync` of a file or directory began (and ended before the ack).
    Sync(PathBuf),
    /// A file or directory entry was (maybe) created: `open(O_CREAT)`, `mkdir`.
    Create(PathBuf),
    /// An entry was renamed.
    Rename(PathBuf, PathBuf),
    /// An entry was removed.
    Remove(PathBuf),
}

/// What [`check_trace`] checked in one acknowledged command.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Checked {
    /// Writes to store files before the acknowledgement.
    writes: usize,
    /// Entries created or renamed in the store directory (or the directory itself).
    entries: usize,
    /// Successful `fsync`/`fdatasync` calls before the acknowledgement.
    syncs: usize,
}

/// Turns a call into the event it is for the check, with the line it happens at: a
/// write or a change of entries counts when it returns, a sync when it begins (it only
/// covers what was written before). Failed calls are no events.
fn event(call: &Call, cwd: &Path) -> Option<(usize, Event)> {
    let ok = call.result.is_some_and(|r| r >= 0);
    if !ok {
        return None;
    }
    let arg = |i: usize| call.args.get(i).map(String::as_str);
    let path_arg = |i: usize, base: &Path| arg(i).and_then(string_arg).map(|p| resolve(base, &p));
    let at = |i: usize| at_base(arg(i).unwrap_or(""), cwd);
    let happened = match call.name.as_str() {
        "write" | "writev" | "pwrite64" | "pwritev" | "pwritev2" | "ftruncate" | "fallocate" => {
            Event::Write(PathBuf::from(fd_path(arg(0)?)?))
        }
        "fsync" | "fdatasync" => return Some((call.entry, Event::Sync(fd_path(arg(0)?)?.into()))),
        "open" | "creat" | "openat" => {
            let flags_at = if call.name == "openat" { 2 } else { 1 };
            let creates =
                call.name == "creat" || arg(flags_at).is_some_and(|f| f.contains("O_CREAT"));
            if !creates {
                return None;
            }
            Event::Create(PathBuf::from(call.result_path.clone()?))
        }
        "mkdir" => Event::Create(path_arg(0, cwd)?),
        "mkdirat" => Event::Create(path_arg(1, &at(0))?),
        "rename" => Event::Rename(path_arg(0, cwd)?, path_arg(1, cwd)?),
        "renameat" | "renameat2" => Event::Rename(path_arg(1, &at(0))?, path_arg(3, &at(2))?),
        "unlink" | "rmdir" => Event::Remove(path_arg(0, cwd)?),
        "unlinkat" => Event::Remove(path_arg(1, &at(0))?),
        _ => return None,
    };
    Some((call.exit, happened))
}

fn parent(path: &Path) -> PathBuf {
    path.parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf)
}

/// Checks one command's trace: returns what was checked, or every violation found.
///
/// The acknowledgement is the first successful write to standard output. Before it: every
/// file written under one of `stores` (a store directory, and for a restore the
/// directories it builds and swaps beside it) must be synced after its last write; every
/// entry created or renamed there (or one of `stores` itself) must have its directory
/// synced after the change; and each such sync must have returned before the
/// acknowledgement began.
fn check_trace(log: &str, stores: &[PathBuf], cwd: &Path) -> Result<Checked, Vec<String>> {
    let calls = parse_trace(log);
    let ack = calls
        .iter()
        .filter(|c| matches!(c.name.as_str(), "write" | "writev"))
        .find(|c| c.args.first().and_then(|a| fd_number(a)) == Some(1) && c.result > Some(0))
        .ok_or_else(|| vec!["no acknowledgement was written to standard output".to_string()])?;
    let in_store = |p: &Path| stores.iter().any(|store| p.starts_with(store));
    // Only calls that returned before the acknowledgement began count.
    let mut events: Vec<(usize, Event)> = calls
        .iter()
        .filter(|c| c.exit < ack.entry)
        .filter_map(|c| event(c, cwd))
        .collect();
    events.sort_by_key(|(at, _)| *at);
    let mut checked = Checked::default();
    // What still needs a sync, with the line that made it so.
    let mut dirty_files: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let mut dirty_dirs: BTreeMap<PathBuf, (usize, PathBuf)> = BTreeMap::new();
    for (at, happened) in events {
        match happened {
            Event::Write(path) if in_store(&path) => {
                checked.writes += 1;
                dirty_files.insert(path, at);
            }
            Event::Write(_) => {}
            Event::Sync(path) => {
                checked.syncs += 1;
                dirty_files.remove(&path);
                dirty_dirs.remove(&path);
            }
            Event::Create(path) if in_store(&path) => {
                checked.entries += 1;
                dirty_dirs.insert(parent(&path), (at, path));
            }
            Event::Create(_) => {}
            Event::Rename(from, to) if in_store(&from) || in_store(&to) => {
                checked.entries += 1;
                dirty_dirs.insert(parent(&from), (at, from.clone()));
                dirty_dirs.insert(parent(&to), (at, to.clone()));
                if let Some(line) = dirty_files.remove(&from) {
                    dirty_files.insert(to, line);
                }
            }
            Event::Rename(..) => {}
            Event::Remove(path) => {
                dirty_files.remove(&path);
            }
        }
    }
    let mut violations: Vec<String> = dirty_files
        .iter()
        .map(|(path, line)| {
            format!(
                "{} was written (log line {}) and not fsynced before the acknowledgement",
                path.display(),
                line + 1
            )
        })
        .collect();
    violations.extend(dirty_dirs.iter().map(|(dir, (line, entry))| {
        format!(
            "{} was created or renamed (log line {}) and its directory {} not fsynced \
             before the acknowledgement",
            entry.display(),
            line + 1,
            dir.display()
        )
    }));
    if violations.is_empty() {
        Ok(checked)
    } else {
        Err(violations)
    }
}

// ---------------------------------------------------------------------------------------
// The test on the real binary
// ---------------------------------------------------------------------------------------

/// Whether strace can trace here; `Err` explains why not.
fn strace_works() -> Result<(), String> {
    let output = StdCommand::new("strace")
        .args(["-f", "-o", "/dev/null", "true"])
        .output()
        .map_err(|e| format!("strace cannot be run ({e})"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "strace cannot trace here: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Runs `ordo --data STORE --json LINE` under strace; returns its stdout and the log.
fn traced(store: &Path, cwd: &Path, line: &str, run: usize) -> (Value, String) {
    let binary = std::env::var("ORDO_STRACE_BINARY")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_ordo").to_string());
    let log = cwd.join(format!("strace-{run}.log"));
    let output = StdCommand::new("strace")
        .args(["-f", "-y", "-e", TRACED, "-o"])
        .arg(&log)
        .arg(&binary)
        .arg("--data")
        .arg(store)
        .arg("--json")
        .args(words(line))
        .current_dir(cwd)
        .env("USER", "tester")
        .env_remove("ORDO_DATA")
        .env_remove("ORDO_TOKEN")
        .output()
        .expect("strace runs");
    assert!(
        output.status.success(),
        "ordo {line} failed under strace: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let response: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON value");
    (
        response["ok"].clone(),
        std::fs::read_to_string(&log).expect("the strace log"),
    )
}

#[test]
fn acknowledged_writes_are_fsynced_before_the_acknowledgement() {
    if let Err(why) = strace_works() {
        let required = std::env::var("ORDO_REQUIRE_STRACE").is_ok_and(|v| v == "1");
        assert!(!required, "ORDO_REQUIRE_STRACE=1 but {why}");
        eprintln!(
            "\n!!!! SKIPPED acknowledged_writes_are_fsynced_before_the_acknowledgement: {why}.\n\
             !!!! Install strace (apt-get install -y strace) to check durability by system \
             calls.\n"
        );
        return;
    }
    let scratch = tempfile::tempdir().expect("scratch directory");
    let cwd = scratch.path().canonicalize().expect("a real path");
    // A fresh directory: the first command creates the store.
    let store = cwd.join("shop");
    let mut customer = String::new();
    let mut total = Checked::default();
    let mut ordered = Checked::default();
    // A restore builds the new store beside the directory and swaps the two.
    let stores = ["shop", "shop.ordo-restoring", "shop.ordo-replaced"].map(|d| cwd.join(d));
    let lines = [
        "product add --sku MUG-1 --name Mug --price '10.00 USD'",
        "product stock MUG-1 --warehouse MAIN --restock 20 --reason 'opening stock'",
        "customer add --name 'Ada Lovelace' --phone +442071234567 --email ada@example.com \
         --address 'Ada, 1 Main Street, Springfield, 12345, US'",
        "order create --customer CUSTOMER --item MUG-1:2",
        "backup --to shop.ordo-backup",
        "restore --from shop.ordo-backup --force",
    ];
    let mut restored = Checked::default();
    for (run, line) in lines.iter().enumerate() {
        let line = line.replace("CUSTOMER", &customer);
        let (value, log) = traced(&store, &cwd, &line, run);
        if line.starts_with("customer add") {
            customer = value["id"].as_u64().expect("a customer id").to_string();
        }
        let checked = check_trace(&log, &stores, &cwd).unwrap_or_else(|violations| {
            panic!(
                "ordo {line}: durability violations:\n  {}",
                violations.join("\n  ")
            )
        });
        eprintln!("ordo {line}: {checked:?}");
        total.writes += checked.writes;
        total.entries += checked.entries;
        total.syncs += checked.syncs;
        if line.starts_with("order create") {
            ordered = checked;
        }
        if line.starts_with("restore") {
            restored = checked;
        }
    }
    // The order really was written (and synced) before it was acknowledged, and so was
    // the restored store, with its renames.
    assert!(ordered.writes > 0 && ordered.syncs > 0, "{ordered:?}");
    assert!(restored.writes > 0 && restored.entries >= 2, "{restored:?}");
    assert!(
        total.entries > 0,
        "the store's files were created: {total:?}"
    );
    eprintln!(
        "durability by system calls: {total:?} over {} commands",
        lines.len()
    );
}

// ---------------------------------------------------------------------------------------
// The analyser's own tests: traces it must accept and traces it must reject.
// ---------------------------------------------------------------------------------------

const STORE: &str = "/s/data";

fn check(log: &str) -> Result<Checked, Vec<String>> {
    check_trace(log, &[PathBuf::from(STORE)], Path::new("/s"))
}

const ACK: &str = "10 write(1<pipe:[7]>, \"{\\n  \\\"id\\\": 3\"..., 40) = 40";

#[test]
fn parsing_joins_unfinished_calls_and_reads_decorated_descriptors() {
    let log = "\
11 fsync(3</s/data/db> <unfinished ...>
12 openat(AT_FDCWD</s>, \"data/conf\", O_WRONLY|O_CREAT|O_CLOEXEC, 0666) = 4</s/data/conf>
11 <... fsync resumed>) = 0
12 write(1<pipe:[9]>, \"a, \\\"b) = 3\\\" c\"..., 12) = 12
12 --- SIGPIPE {si_signo=SIGPIPE} ---
12 +++ exited with 0 +++";
    let calls = parse_trace(log);
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0].name, "openat");
    assert_eq!(calls[0].result, Some(4));
    assert_eq!(calls[0].result_path.as_deref(), Some("/s/data/conf"));
    assert_eq!(string_arg(&calls[0].args[1]).as_deref(), Some("data/conf"));
    assert_eq!(
        (calls[1].name.as_str(), calls[1].entry, calls[1].exit),
        ("fsync", 0, 2)
    );
    assert_eq!(fd_path(&calls[1].args[0]).as_deref(), Some("/s/data/db"));
    assert_eq!(
        calls[2].args.len(),
        3,
        "a quoted comma and parenthesis stay inside"
    );
    assert_eq!(calls[2].result, Some(12));
    assert_eq!(
        resolve(Path::new("/s"), "data/./x/../db"),
        Path::new("/s/data/db")
    );
}

#[test]
fn a_write_fsynced_before_the_ack_passes() {
    let log = format!(
        "10 openat(AT_FDCWD</s>, \"/s/data/db\", O_RDWR|O_CLOEXEC) = 3</s/data/db>
11 pwrite64(3</s/data/db>, \"x\"..., 21, 7434) = 21
11 sync_file_range(3</s/data/db>, 7434, 21, SYNC_FILE_RANGE_WAIT_BEFORE|SYNC_FILE_RANGE_WRITE|SYNC_FILE_RANGE_WAIT_AFTER) = 0
10 fsync(4</s/data/db>) = 0
{ACK}
10 pwrite64(3</s/data/db>, \"after the ack\", 13, 0) = 13"
    );
    assert_eq!(
        check(&log),
        Ok(Checked {
            writes: 1,
            entries: 0,
            syncs: 1
        })
    );
}

#[test]
fn sync_file_range_alone_is_not_durable() {
    let log = format!(
        "11 pwrite64(3</s/data/db>, \"x\", 21, 7434) = 21
11 sync_file_range(3</s/data/db>, 7434, 21, SYNC_FILE_RANGE_WAIT_BEFORE|SYNC_FILE_RANGE_WRITE|SYNC_FILE_RANGE_WAIT_AFTER) = 0
{ACK}"
    );
    let violations = check(&log).unwrap_err();
    assert_eq!(violations.len(), 1);
    assert!(
        violations[0].contains("/s/data/db was written"),
        "{violations:?}"
    );
}

/// What `Periodic` mode does: the data is written, nothing is synced, the command answers.
#[test]
fn a_trace_without_any_fsync_is_rejected() {
    let log = format!(
        "10 mkdir(\"/s/data\", 0777) = 0
10 openat(AT_FDCWD</s>, \"/s/data/conf\", O_WRONLY|O_CREAT|O_CLOEXEC, 0666) = 3</s/data/conf>
10 write(3</s/data/conf>, \"segment_size\"..., 58) = 58
10 openat(AT_FDCWD</s>, \"/s/data/db\", O_RDWR|O_CREAT|O_CLOEXEC, 0666) = 3</s/data/db>
11 pwrite64(3</s/data/db>, \"x\", 810, 0) = 810
{ACK}"
    );
    let violations = check(&log).unwrap_err();
    let text = violations.join("\n");
    assert_eq!(violations.len(), 4, "{text}");
    assert!(text.contains("/s/data/conf was written"), "{text}");
    assert!(text.contains("/s/data/db was written"), "{text}");
    assert!(text.contains("its directory /s/data not fsynced"), "{text}");
    assert!(
        text.contains("its directory /s not fsynced"),
        "the store's own entry: {text}"
    );
}

#[test]
fn an_fsync_that_began_before_the_write_returned_does_not_cover_it() {
    let log = format!(
        "12 fsync(3</s/data/db> <unfinished ...>
11 pwrite64(3</s/data/db>, \"x\", 810, 0 <unfinished ...>
11 <... pwrite64 resumed>) = 810
12 <... fsync resumed>) = 0
{ACK}"
    );
    assert!(check(&log).is_err());
}

#[test]
fn an_fsync_still_running_at_the_ack_does_not_count() {
    let log = "\
11 pwrite64(3</s/data/db>, \"x\", 810, 0) = 810
12 fsync(3</s/data/db> <unfinished ...>
10 write(1<pipe:[7]>, \"{}\", 2) = 2
12 <... fsync resumed>) = 0";
    assert!(check(log).is_err());
}

#[test]
fn a_failed_fsync_does_not_count() {
    let log = format!(
        "11 pwrite64(3</s/data/db>, \"x\", 810, 0) = 810
10 fsync(3</s/data/db>) = -1 EIO (Input/output error)
{ACK}"
    );
    assert!(check(&log).is_err());
}

#[test]
fn created_and_renamed_entries_need_their_directory_synced() {
    let renamed = "10 openat(AT_FDCWD</s>, \"data/snap.1.generating\", O_WRONLY|O_CREAT|O_CLOEXEC, 0666) = 4</s/data/snap.1.generating>
10 write(4</s/data/snap.1.generating>, \"snap\", 4) = 4
10 fsync(4</s/data/snap.1.generating>) = 0
10 rename(\"data/snap.1.generating\", \"data/snap.1\") = 0";
    let without = format!("{renamed}\n{ACK}");
    let violations = check(&without).unwrap_err();
    assert!(
        violations
            .iter()
            .all(|v| v.contains("its directory /s/data")),
        "{violations:?}"
    );
    let with = format!("{renamed}\n10 fsync(5</s/data>) = 0\n{ACK}");
    assert_eq!(
        check(&with),
        Ok(Checked {
            writes: 1,
            entries: 2,
            syncs: 2
        })
    );
    // A directory synced BEFORE the rename does not make the rename durable.
    let early = format!(
        "{renamed}\n10 fsync(5</s/data>) = 0\n10 rename(\"/s/data/a\", \"/s/data/b\") = 0\n{ACK}"
    );
    assert!(check(&early).is_err());
}

#[test]
fn a_file_written_then_renamed_is_synced_under_its_new_name() {
    let log = format!(
        "10 write(4</s/data/x.tmp>, \"x\", 1) = 1
10 renameat2(AT_FDCWD</s>, \"data/x.tmp\", AT_FDCWD</s>, \"data/x\", 0) = 0
10 fsync(4</s/data/x>) = 0
10 fsync(5</s/data>) = 0
{ACK}"
    );
    assert!(check(&log).is_ok(), "{:?}", check(&log));
}

#[test]
fn files_outside_the_store_do_not_count_and_an_ack_is_required() {
    let log = format!(
        "10 write(2</dev/pts/0>, \"warning\", 7) = 7
10 write(3</s/elsewhere.txt>, \"x\", 1) = 1
{ACK}"
    );
    assert_eq!(check(&log), Ok(Checked::default()));
    let no_ack = "11 pwrite64(3</s/data/db>, \"x\", 810, 0) = 810";
    assert!(check(no_ack).unwrap_err()[0].contains("no acknowledgement"));
}

#[test]
fn the_standard_output_is_the_acknowledgement_whatever_it_is_decorated_with() {
    assert_eq!(fd_number("1</dev/pts/3>"), Some(1));
    assert_eq!(fd_number("1<pipe:[5]>"), Some(1));
    assert_eq!(fd_number("12</s/data/db>"), Some(12));
}
