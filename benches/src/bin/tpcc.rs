//! TPC-C-shaped throughput driver: ordo (sled Immediate / Periodic, PostgreSQL, in-memory)
//! against SQLite (WAL, synchronous FULL / NORMAL), same workload, same process.
//!
//! `cargo run --release -p ordo-benches --bin tpcc -- --seconds 20 --threads 1,2,4,8`
//!
//! SQLite runs twice per class: `sqlite-*-pool` (a connection per client, each write its
//! own `BEGIN IMMEDIATE`) and `sqlite-*-group` (one writer behind a group-commit queue, a
//! background checkpointer). Every driver × thread count runs `--runs` times on a fresh
//! copy of the loaded data; the table gives the median New-Order/s with its spread.
//!
//! The ratio lines are `ratio immediate/full: X.XX` and `ratio periodic/normal: X.XX`: the
//! median New-Order throughput of ordo over that of the **stronger** SQLite row of the class
//! (pool or group), at the highest thread count run.

// A benchmark driver fails loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use ordo_benches::driver::Driver;
use ordo_benches::ordo_driver::{self, OrdoDriver};
use ordo_benches::postgres_driver;
use ordo_benches::run::{self, RunStats};
use ordo_benches::sqlite_driver::{self, GroupCommitDriver, SqliteDriver, Synchronous};
use ordo_benches::workload::{Scale, Transaction};
use ordo_core::store::MemoryStore;
use ordo_storage::Durability;

/// Command-line options.
#[derive(Parser, Debug)]
#[command(
    about = "TPC-C-shaped benchmark: ordo vs SQLite in one run",
    after_help = "Ratios: median New-Order/s of ordo-sled-immediate over the stronger of \
                  sqlite-full-pool and sqlite-full-group, and of ordo-sled-periodic over the \
                  stronger of sqlite-normal-pool and sqlite-normal-group, at the highest \
                  thread count run."
)]
struct Args {
    /// Seconds per run of a driver at a thread count.
    #[arg(long, default_value_t = 20.0)]
    seconds: f64,
    /// Runs of every driver at every thread count, each on a fresh copy of the loaded data;
    /// the table reports the median New-Order/s and its spread, the ratios use medians.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// Client thread counts to run, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8")]
    threads: Vec<usize>,
    /// Products (each stocked in every warehouse).
    #[arg(long, default_value_t = 100_000)]
    products: u64,
    /// Customers.
    #[arg(long, default_value_t = 30_000)]
    customers: u64,
    /// Warehouses.
    #[arg(long, default_value_t = 2)]
    warehouses: u64,
    /// Only drivers whose name contains one of these (comma-separated).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Where to put the databases (default: a temporary directory).
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
    /// The `ordo-postgres` driver's server: an empty database per thread count and run is made
    /// with `CREATE DATABASE` there (default: a throwaway local server, fsync off).
    #[arg(long, value_name = "URL")]
    database: Option<String>,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn wanted(args: &Args, name: &str) -> bool {
    args.only.is_empty() || args.only.iter().any(|o| name.contains(o.as_str()))
}

/// A driver made for one run, and the copies of the data it runs on (removed after).
struct Made {
    class: &'static str,
    driver: Box<dyn Driver>,
    copies: Vec<PathBuf>,
}

/// What every run starts from.
struct Seeds {
    base: PathBuf,
    sled: PathBuf,
    sqlite: PathBuf,
    customers: Vec<ordo_core::ids::CustomerId>,
}

/// The engine on a fresh copy of the sled seed; `seed` seeds its references.
fn sled_driver(
    seeds: &Seeds,
    name: &'static str,
    (durability, class, seed): (Durability, &'static str, u64),
    tag: &str,
) -> Made {
    let dir = seeds.base.join(format!("{name}-{tag}"));
    copy_dir(&seeds.sled, &dir);
    let store = ordo_driver::open_sled(&dir, durability);
    let engine = ordo_driver::engine(Arc::clone(&store), seed);
    // The checkpoint a run's commits left owed is paid inside the run's time.
    let driver = OrdoDriver::new(name, engine, seeds.customers.clone())
        .settling_with(move || store.checkpoint().expect("checkpoint"));
    Made {
        class,
        driver: Box::new(driver),
        copies: vec![dir],
    }
}

fn sqlite_driver(
    seeds: &Seeds,
    name: &'static str,
    synchronous: Synchronous,
    threads: usize,
    scale: &Scale,
    tag: &str,
) -> Made {
    let path = seeds.base.join(format!("{name}-{tag}.db"));
    std::fs::copy(&seeds.sqlite, &path).expect("copy sqlite");
    let class = match synchronous {
        Synchronous::Full => "immediate",
        Synchronous::Normal => "periodic",
    };
    let driver: Box<dyn Driver> = if name.ends_with("-group") {
        Box::new(GroupCommitDriver::new(
            name,
            &path,
            synchronous,
            threads,
            scale,
        ))
    } else {
        Box::new(SqliteDriver::new(name, &path, synchronous, threads, scale))
    };
    let copies = ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", path.display())))
        .collect();
    Made {
        class,
        driver,
        copies,
    }
}

/// The drivers of one run at `threads`, in report order, each on a fresh copy.
fn drivers(args: &Args, seeds: &Seeds, scale: &Scale, threads: usize, run: u32) -> Vec<Made> {
    let tag = format!("t{threads}-r{run}");
    let mut list = Vec::new();
    if wanted(args, "ordo-sled-immediate") {
        let immediate = (Durability::Immediate, "immediate", 2);
        list.push(sled_driver(seeds, "ordo-sled-immediate", immediate, &tag));
    }
    for (name, synchronous) in [
        ("sqlite-full-pool", Synchronous::Full),
        ("sqlite-full-group", Synchronous::Full),
    ] {
        if wanted(args, name) {
            list.push(sqlite_driver(
                seeds,
                name,
                synchronous,
                threads,
                scale,
                &tag,
            ));
        }
    }
    if wanted(args, "ordo-sled-periodic") {
        let periodic = (
            Durability::Periodic {
                flush_every_ms: 500,
            },
            "periodic",
            3,
        );
        list.push(sled_driver(seeds, "ordo-sled-periodic", periodic, &tag));
    }
    for (name, synchronous) in [
        ("sqlite-normal-pool", Synchronous::Normal),
        ("sqlite-normal-group", Synchronous::Normal),
    ] {
        if wanted(args, name) {
            list.push(sqlite_driver(
                seeds,
                name,
                synchronous,
                threads,
                scale,
                &tag,
            ));
        }
    }
    if wanted(args, "ordo-postgres") {
        // No seed to copy: each run loads a fresh database (READ COMMITTED, the default
        // isolation).
        let (url, throwaway) = postgres_driver::database(args.database.as_deref());
        let store = postgres_driver::open(&url, threads + 4, ordo_postgres::Isolation::default());
        let engine = ordo_driver::engine(store, 5);
        let started = Instant::now();
        let customers = ordo_driver::load(&engine, scale, 4);
        eprintln!(
            "  loaded ordo-postgres in {:.1}s{}",
            started.elapsed().as_secs_f64(),
            if throwaway {
                " (throwaway local server, fsync off)"
            } else {
                ""
            }
        );
        list.push(Made {
            class: "server",
            driver: Box::new(OrdoDriver::new("ordo-postgres", engine, customers)),
            copies: Vec::new(),
        });
    }
    if wanted(args, "ordo-memory") {
        let engine = ordo_driver::engine(MemoryStore::new(), 4);
        let customers = ordo_driver::load(&engine, scale, 4);
        list.push(Made {
            class: "memory",
            driver: Box::new(OrdoDriver::new("ordo-memory", engine, customers)),
            copies: Vec::new(),
        });
    }
    list
}

/// Every run of one driver at one thread count.
struct Row {
    driver: String,
    class: &'static str,
    threads: usize,
    runs: Vec<RunStats>,
}

impl Row {
    /// The runs ordered by New-Order throughput.
    fn by_new_orders(&self) -> Vec<&RunStats> {
        let mut runs: Vec<&RunStats> = self.runs.iter().collect();
        runs.sort_by(|a, b| {
            a.per_second(Transaction::NewOrder)
                .total_cmp(&b.per_second(Transaction::NewOrder))
        });
        runs
    }

    /// Median New-Order/s (the mean of the middle two for an even count).
    fn median_new_orders(&self) -> f64 {
        let runs = self.by_new_orders();
        let n = runs.len();
        match n {
            0 => 0.0,
            _ if n % 2 == 1 => runs[n / 2].per_second(Transaction::NewOrder),
            _ => {
                (runs[n / 2 - 1].per_second(Transaction::NewOrder)
                    + runs[n / 2].per_second(Transaction::NewOrder))
                    / 2.0
            }
        }
    }

    /// The median run (the lower middle one for an even count): the other columns.
    fn median_run(&self) -> Option<&RunStats> {
        let runs = self.by_new_orders();
        runs.get(runs.len().saturating_sub(1) / 2).copied()
    }

    /// Lowest and highest New-Order/s.
    fn spread(&self) -> (f64, f64) {
        let runs = self.by_new_orders();
        let at = |r: Option<&&RunStats>| r.map_or(0.0, |r| r.per_second(Transaction::NewOrder));
        (at(runs.first()), at(runs.last()))
    }
}

fn remove_copies(copies: &[PathBuf]) {
    for copy in copies {
        let removed = if copy.is_dir() {
            std::fs::remove_dir_all(copy)
        } else if copy.exists() {
            std::fs::remove_file(copy)
        } else {
            Ok(())
        };
        if let Err(e) = removed {
            eprintln!("  could not remove {}: {e}", copy.display());
        }
    }
}

/// The allocator the `ordo` binary uses too, set up as it does (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    ordo_benches::allocator::keep_freed_pages();
    let args = Args::parse();
    let scale = Scale {
        products: args.products,
        customers: args.customers,
        warehouses: args.warehouses,
    };
    let temp = tempfile::tempdir().expect("temp dir");
    let base = args
        .dir
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());
    let duration = Duration::from_secs_f64(args.seconds);
    eprintln!(
        "scale: {} products x {} warehouses, {} customers; {}s per run, {} runs; threads {:?}",
        scale.products, scale.warehouses, scale.customers, args.seconds, args.runs, args.threads
    );

    let loaded = Instant::now();
    let sled_seed = base.join("ordo-seed");
    let customers = {
        let store = ordo_driver::open_sled(
            &sled_seed,
            Durability::Periodic {
                flush_every_ms: 500,
            },
        );
        let engine = ordo_driver::engine(store, 1);
        ordo_driver::load(&engine, &scale, 4)
    };
    let sqlite_seed = base.join("sqlite-seed.db");
    sqlite_driver::load(&sqlite_seed, &scale);
    eprintln!("loaded both in {:.1}s", loaded.elapsed().as_secs_f64());
    let seeds = Seeds {
        base: base.clone(),
        sled: sled_seed,
        sqlite: sqlite_seed,
        customers,
    };

    let mut rows: Vec<Row> = Vec::new();
    for &threads in &args.threads {
        // Run after run of every driver, so a noisy minute hits all drivers alike.
        for run in 0..args.runs {
            for made in drivers(&args, &seeds, &scale, threads, run) {
                let stats = run::run(made.driver.as_ref(), &scale, threads, duration, 42);
                let name = made.driver.name();
                eprintln!(
                    "  {name:<20} {threads} threads, run {}: {:>9.0} tx/s, {:>7.0} new-order/s \
                     (settling its deferred work took {} ms)",
                    run + 1,
                    stats.total_per_second(),
                    stats.per_second(Transaction::NewOrder),
                    stats.settled.as_millis()
                );
                drop(made.driver);
                remove_copies(&made.copies);
                match rows
                    .iter_mut()
                    .find(|r| r.driver == name && r.threads == threads)
                {
                    Some(row) => row.runs.push(stats),
                    None => rows.push(Row {
                        driver: name,
                        class: made.class,
                        threads,
                        runs: vec![stats],
                    }),
                }
            }
        }
    }
    let top = args.threads.iter().copied().max().unwrap_or(1);
    print_table(&rows, args.runs, top);
    let median = |name: &str| {
        rows.iter()
            .find(|r| r.driver == name && r.threads == top)
            .map(Row::median_new_orders)
    };
    // The stronger SQLite row of a class: the higher median New-Order/s, pool or group.
    let stronger = |class: &str| {
        rows.iter()
            .filter(|r| r.class == class && r.threads == top && r.driver.starts_with("sqlite"))
            .max_by(|a, b| a.median_new_orders().total_cmp(&b.median_new_orders()))
    };
    let ratio = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) if y > 0.0 => format!("{:.2}", x / y),
        _ => "n/a".to_string(),
    };
    println!(
        "ratio postgres/sled-immediate: {}",
        ratio(median("ordo-postgres"), median("ordo-sled-immediate"))
    );
    // The two target ratios stay the last two lines.
    let (full, normal) = (stronger("immediate"), stronger("periodic"));
    println!(
        "stronger SQLite at {top} threads: full {}, normal {}",
        full.map_or("none", |r| r.driver.as_str()),
        normal.map_or("none", |r| r.driver.as_str())
    );
    println!(
        "ratio immediate/full: {}",
        ratio(
            median("ordo-sled-immediate"),
            full.map(Row::median_new_orders)
        )
    );
    println!(
        "ratio periodic/normal: {}",
        ratio(
            median("ordo-sled-periodic"),
            normal.map(Row::median_new_orders)
        )
    );
}

fn print_table(rows: &[Row], runs: u32, top: usize) {
    println!(
        "New-Order/s is the median of {runs} run(s) with the lowest–highest; the other columns \
         are from the median run (the lower middle one for an even count). Ratios below: ordo \
         over the stronger SQLite row of its class (pool or group) at {top} threads, medians."
    );
    println!();
    println!(
        "| driver | class | threads | tx/s | new-order/s | new-order/s spread | new-order p50 µs | new-order p99 µs | order-status p99 µs | payment/s | conflicts |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let Some(s) = row.median_run() else {
            continue;
        };
        let (low, high) = row.spread();
        println!(
            "| {} | {} | {} | {:.0} | {:.0} | {:.0}–{:.0} | {} | {} | {} | {:.0} | {} |",
            row.driver,
            row.class,
            row.threads,
            s.total_per_second(),
            row.median_new_orders(),
            low,
            high,
            s.latency_us(Transaction::NewOrder, 0.5),
            s.latency_us(Transaction::NewOrder, 0.99),
            s.latency_us(Transaction::OrderStatus, 0.99),
            s.per_second(Transaction::Payment),
            s.conflicts(),
        );
    }
    println!();
}
