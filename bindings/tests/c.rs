//! The C API as hosts use it: `examples/track.c` and `tests/c/ordo_test.c` compiled with
//! the system `cc` against the static and the shared library `cargo test` just built, run,
//! and (when valgrind is installed, or required by `ORDO_REQUIRE_VALGRIND=1`) run under
//! valgrind; `examples/track.py` run with `python3` through ctypes.

// Test helpers assert by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Where cargo put this test and the libraries it built for it (`target/debug/deps`).
fn deps_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().to_path_buf()
}

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The native libraries a program linking `libordo_ffi.a` needs (`rustc --print
/// native-static-libs` on Linux; glibc 2.34 and later has most of them in libc itself).
const STATIC_LINK_FLAGS: &[&str] = &["-lgcc_s", "-lutil", "-lrt", "-lpthread", "-lm", "-ldl"];

/// How a program is linked.
#[derive(Debug, Clone, Copy)]
enum Link {
    Static,
    Shared,
}

/// Compiles `source` against the library, once per process and link kind.
fn compile(source: &str, link: Link) -> PathBuf {
    let deps = deps_dir();
    let out_dir = deps.parent().unwrap().join("ordo-ffi-c");
    std::fs::create_dir_all(&out_dir).unwrap();
    let stem = Path::new(source).file_stem().unwrap().to_str().unwrap();
    let program = out_dir.join(format!("{stem}-{link:?}").to_lowercase());
    let mut cc = Command::new("cc");
    cc.args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-g", "-pthread"])
        .arg("-I")
        .arg(crate_dir().join("include"))
        .arg(crate_dir().join(source))
        .arg("-o")
        .arg(&program);
    match link {
        Link::Static => {
            cc.arg(deps.join("libordo_ffi.a")).args(STATIC_LINK_FLAGS);
        }
        Link::Shared => {
            cc.arg("-L")
                .arg(&deps)
                .arg("-lordo_ffi")
                .arg(format!("-Wl,-rpath,{}", deps.display()));
        }
    }
    let output = cc.output().unwrap_or_else(|e| panic!("cannot run cc: {e}"));
    assert!(
        output.status.success(),
        "cc {source} ({link:?}):\n{}",
        text(&output)
    );
    program
}

/// The compiled programs, built once for every test of this file.
struct Programs {
    track_static: PathBuf,
    track_shared: PathBuf,
    ordo_test_static: PathBuf,
    ordo_test_shared: PathBuf,
    leak_shared: PathBuf,
}

fn programs() -> &'static Programs {
    static PROGRAMS: OnceLock<Programs> = OnceLock::new();
    PROGRAMS.get_or_init(|| Programs {
        track_static: compile("examples/track.c", Link::Static),
        track_shared: compile("examples/track.c", Link::Shared),
        ordo_test_static: compile("tests/c/ordo_test.c", Link::Static),
        ordo_test_shared: compile("tests/c/ordo_test.c", Link::Shared),
        leak_shared: compile("tests/c/leak.c", Link::Shared),
    })
}

fn text(output: &Output) -> String {
    format!(
        "status: {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Checks what track.c and track.py print: the tracked order, placed, with its total;
/// returns its reference.
fn assert_tracked(output: &Output) -> String {
    assert!(output.status.success(), "{}", text(output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find(|line| line.starts_with("order ORD-"))
        .unwrap_or_else(|| panic!("no tracked order:\n{}", text(output)));
    let reference = &line["order ".len()..line.find(':').unwrap()];
    assert_eq!(reference.len(), "ORD-XXXX-XXXX".len(), "{line}");
    assert!(line.ends_with(": placed, total 35.00 USD"), "{line}");
    assert!(
        stdout.contains(&format!("\"reference\": \"{reference}\""))
            || stdout.contains(&format!("\"reference\":\"{reference}\"")),
        "the printed order is the tracked one:\n{stdout}"
    );
    reference.to_string()
}

#[test]
fn track_c_linked_statically_and_dynamically_tracks_its_order() {
    let programs = programs();
    for program in [&programs.track_static, &programs.track_shared] {
        assert_tracked(&Command::new(program).output().unwrap());
    }
    // On a durable store, twice: the second run finds the product and the customer, and
    // the order's idempotency key gives it the first run's order back.
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("ordo-data");
    let first = assert_tracked(
        &Command::new(&programs.track_shared)
            .arg(&store)
            .output()
            .unwrap(),
    );
    let second = assert_tracked(
        &Command::new(&programs.track_static)
            .arg(&store)
            .output()
            .unwrap(),
    );
    assert_eq!(first, second);
    assert!(store.join("ordo-store").exists(), "a sled store was made");
}

#[test]
fn track_py_tracks_its_order_through_ctypes() {
    let run = |args: &[&Path]| {
        Command::new("python3")
            .arg(crate_dir().join("examples/track.py"))
            .args(args)
            .env("ORDO_LIB", deps_dir().join("libordo_ffi.so"))
            .output()
            .unwrap_or_else(|e| panic!("cannot run python3: {e}"))
    };
    let output = run(&[]);
    assert_tracked(&output);
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("unknown reference: status 4, not_found"),
        "{}",
        text(&output)
    );
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("ordo-data");
    let first = assert_tracked(&run(&[&store]));
    assert_eq!(assert_tracked(&run(&[&store])), first);
}

/// Runs ordo_test.c and checks it counted its checks and the race.
fn assert_ordo_test_passes(output: &Output) {
    assert!(output.status.success(), "{}", text(output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let checks: usize = stdout
        .lines()
        .find_map(|line| line.strip_prefix("ordo_test: "))
        .and_then(|rest| rest.strip_suffix(" checks passed"))
        .unwrap_or_else(|| panic!("no summary:\n{}", text(output)))
        .parse()
        .unwrap();
    assert!(checks >= 160, "only {checks} checks ran");
    for store in ["memory store", "sled store"] {
        assert!(
            stdout.contains(&format!(
                "{store}: 10 of 20 orders placed, 10 refused insufficient_stock"
            )),
            "{store} race:\n{stdout}"
        );
    }
}

#[test]
fn ordo_test_c_passes_against_the_static_and_the_shared_library() {
    let programs = programs();
    for program in [&programs.ordo_test_static, &programs.ordo_test_shared] {
        let dir = tempfile::tempdir().unwrap();
        let output = Command::new(program)
            .arg(dir.path().join("store"))
            .output()
            .unwrap();
        assert_ordo_test_passes(&output);
    }
}

/// valgrind, if installed; a missing valgrind fails when `ORDO_REQUIRE_VALGRIND=1` (CI).
fn valgrind() -> Option<Command> {
    let found = Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(
            std::env::var("ORDO_REQUIRE_VALGRIND").as_deref() != Ok("1"),
            "ORDO_REQUIRE_VALGRIND=1 but valgrind is not installed"
        );
        eprintln!("valgrind is not installed: skipping the memory check");
        return None;
    }
    let mut command = Command::new("valgrind");
    command.args([
        "--error-exitcode=1",
        "--leak-check=full",
        "--errors-for-leak-kinds=definite",
        "--quiet",
    ]);
    Some(command)
}

#[test]
fn ordo_test_c_runs_clean_under_valgrind() {
    let Some(mut valgrind) = valgrind() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let output = valgrind
        .arg(&programs().ordo_test_shared)
        .arg(dir.path().join("store"))
        .output()
        .unwrap();
    assert_ordo_test_passes(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("Invalid read") && !stderr.contains("Invalid write"),
        "{stderr}"
    );
}

#[test]
fn valgrind_catches_a_response_the_host_does_not_free() {
    let Some(mut valgrind) = valgrind() else {
        return;
    };
    let output = valgrind.arg(&programs().leak_shared).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("definitely lost"), "{stderr}");
}
