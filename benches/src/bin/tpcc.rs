//! TPC-C-shaped throughput driver: ordo (sled Immediate / Periodic, PostgreSQL, in-memory)
//! against SQLite (WAL, synchronous FULL / NORMAL), same workload, same process.
//!
//! `cargo run --release -p ordo-benches --bin tpcc -- --seconds 20 --threads 1,2,4,8`
//!
//! The last two lines are `ratio immediate/full: X.XX` and `ratio periodic/normal: X.XX`:
//! New-Order throughput of ordo over SQLite at the highest thread count run.

// A benchmark driver fails loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

/// The allocator the `ordo` binary uses too (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::Path;
use std::time::{Duration, Instant};

use clap::Parser;
use ordo_benches::driver::Driver;
use ordo_benches::ordo_driver::{self, OrdoDriver};
use ordo_benches::postgres_driver;
use ordo_benches::run::{self, RunStats};
use ordo_benches::sqlite_driver::{self, SqliteDriver, Synchronous};
use ordo_benches::workload::{Scale, Transaction};
use ordo_core::store::MemoryStore;
use ordo_storage::Durability;

/// Command-line options.
#[derive(Parser, Debug)]
#[command(about = "TPC-C-shaped benchmark: ordo vs SQLite in one run")]
struct Args {
    /// Seconds per driver and thread count.
    #[arg(long, default_value_t = 20.0)]
    seconds: f64,
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
    /// The `ordo-postgres` driver's server: an empty database per thread count is made
    /// with `CREATE DATABASE` there (default: a throwaway local server, fsync off).
    #[arg(long, value_name = "URL")]
    database: Option<String>,
}

struct Row {
    driver: String,
    class: &'static str,
    threads: usize,
    stats: RunStats,
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

fn main() {
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
    let max_threads = args.threads.iter().copied().max().unwrap_or(1);
    eprintln!(
        "scale: {} products x {} warehouses, {} customers; {}s per run; threads {:?}",
        scale.products, scale.warehouses, scale.customers, args.seconds, args.threads
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

    let mut rows: Vec<Row> = Vec::new();
    for &threads in &args.threads {
        let drivers: Vec<(&'static str, Box<dyn Driver>)> = {
            let mut list: Vec<(&'static str, Box<dyn Driver>)> = Vec::new();
            let run_id = format!("t{threads}");
            if wanted(&args, "ordo-sled-immediate") {
                let dir = base.join(format!("ordo-immediate-{run_id}"));
                copy_dir(&sled_seed, &dir);
                let engine =
                    ordo_driver::engine(ordo_driver::open_sled(&dir, Durability::Immediate), 2);
                list.push((
                    "immediate",
                    Box::new(OrdoDriver::new(
                        "ordo-sled-immediate",
                        engine,
                        customers.clone(),
                    )),
                ));
            }
            if wanted(&args, "sqlite-full") {
                let path = base.join(format!("sqlite-full-{run_id}.db"));
                std::fs::copy(&sqlite_seed, &path).expect("copy sqlite");
                list.push((
                    "immediate",
                    Box::new(SqliteDriver::new(
                        "sqlite-full",
                        &path,
                        Synchronous::Full,
                        max_threads,
                        &scale,
                    )),
                ));
            }
            if wanted(&args, "ordo-sled-periodic") {
                let dir = base.join(format!("ordo-periodic-{run_id}"));
                copy_dir(&sled_seed, &dir);
                let engine = ordo_driver::engine(
                    ordo_driver::open_sled(
                        &dir,
                        Durability::Periodic {
                            flush_every_ms: 500,
                        },
                    ),
                    3,
                );
                list.push((
                    "periodic",
                    Box::new(OrdoDriver::new(
                        "ordo-sled-periodic",
                        engine,
                        customers.clone(),
                    )),
                ));
            }
            if wanted(&args, "sqlite-normal") {
                let path = base.join(format!("sqlite-normal-{run_id}.db"));
                std::fs::copy(&sqlite_seed, &path).expect("copy sqlite");
                list.push((
                    "periodic",
                    Box::new(SqliteDriver::new(
                        "sqlite-normal",
                        &path,
                        Synchronous::Normal,
                        max_threads,
                        &scale,
                    )),
                ));
            }
            if wanted(&args, "ordo-postgres") {
                // No seed to copy: each thread count loads a fresh database (READ
                // COMMITTED, the default isolation).
                let (url, throwaway) = postgres_driver::database(args.database.as_deref());
                let store = postgres_driver::open(
                    &url,
                    max_threads + 4,
                    ordo_postgres::Isolation::default(),
                );
                let engine = ordo_driver::engine(store, 5);
                let started = Instant::now();
                let customers = ordo_driver::load(&engine, &scale, 4);
                eprintln!(
                    "  loaded ordo-postgres in {:.1}s{}",
                    started.elapsed().as_secs_f64(),
                    if throwaway {
                        " (throwaway local server, fsync off)"
                    } else {
                        ""
                    }
                );
                list.push((
                    "server",
                    Box::new(OrdoDriver::new("ordo-postgres", engine, customers)),
                ));
            }
            if wanted(&args, "ordo-memory") {
                let engine = ordo_driver::engine(MemoryStore::new(), 4);
                let customers = ordo_driver::load(&engine, &scale, 4);
                list.push((
                    "memory",
                    Box::new(OrdoDriver::new("ordo-memory", engine, customers)),
                ));
            }
            list
        };
        for (class, driver) in drivers {
            let stats = run::run(driver.as_ref(), &scale, threads, duration, 42);
            eprintln!(
                "  {:<20} {threads} threads: {:>9.0} tx/s",
                driver.name(),
                stats.total_per_second()
            );
            rows.push(Row {
                driver: driver.name(),
                class,
                threads,
                stats,
            });
        }
    }
    print_table(&rows);
    let top = args.threads.iter().copied().max().unwrap_or(1);
    let new_orders = |name: &str| {
        rows.iter()
            .find(|r| r.driver == name && r.threads == top)
            .map(|r| r.stats.per_second(Transaction::NewOrder))
    };
    let ratio = |a: &str, b: &str| match (new_orders(a), new_orders(b)) {
        (Some(x), Some(y)) if y > 0.0 => format!("{:.2}", x / y),
        _ => "n/a".to_string(),
    };
    println!(
        "ratio immediate/full: {}",
        ratio("ordo-sled-immediate", "sqlite-full")
    );
    println!(
        "ratio periodic/normal: {}",
        ratio("ordo-sled-periodic", "sqlite-normal")
    );
    println!(
        "ratio postgres/sled-immediate: {}",
        ratio("ordo-postgres", "ordo-sled-immediate")
    );
}

fn print_table(rows: &[Row]) {
    println!(
        "| driver | class | threads | tx/s | new-order/s | new-order p50 µs | new-order p99 µs | order-status p99 µs | payment/s | conflicts |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let s = &row.stats;
        println!(
            "| {} | {} | {} | {:.0} | {:.0} | {} | {} | {} | {:.0} | {} |",
            row.driver,
            row.class,
            row.threads,
            s.total_per_second(),
            s.per_second(Transaction::NewOrder),
            s.latency_us(Transaction::NewOrder, 0.5),
            s.latency_us(Transaction::NewOrder, 0.99),
            s.latency_us(Transaction::OrderStatus, 0.99),
            s.per_second(Transaction::Payment),
            s.conflicts(),
        );
    }
}
