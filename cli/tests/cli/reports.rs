//! `ordo report …` on the real binary: tables, `--json`, and the CSV files `--csv` writes
//! (header, rows, figures equal to the orders placed); a customer may not see reports.

use crate::support::Shop;

/// Today (UTC) as `YYYY-MM-DD`, the day the binary's clock puts the orders on.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = i64::try_from(days).unwrap() + 719_468;
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

#[test]
fn sales_and_stock_reports_print_tables_json_and_csv() {
    let shop = Shop::new();
    shop.product("MUG-1");
    let ada = shop.customer("Ada Lovelace", "+442071234567");
    let first = shop.order(&ada, "MUG-1:2");
    let second = shop.order(&ada, "MUG-1:1");
    let revenue: rust_decimal::Decimal = [&first, &second]
        .iter()
        .map(|o| {
            o["total"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    let day = today();
    let dir = tempfile::tempdir().unwrap();
    let csv_file = dir.path().join("sales.csv");

    let table = shop.ok(&format!(
        "report sales --from {day} --to {day} --csv {}",
        csv_file.display()
    ));
    assert!(
        table.contains("Top products") && table.contains("MUG-1"),
        "{table}"
    );
    let csv = std::fs::read_to_string(&csv_file).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "period,start,currency,orders,revenue,units,cancelled"
    );
    assert_eq!(lines.len(), 2, "{csv}");
    assert_eq!(lines[1], format!("{day},{day},USD,2,{revenue},3,0"));

    let json = shop.json(&format!(
        "report sales --from {day} --to {day} --group month"
    ));
    assert_eq!(json["periods"][0]["orders"], 2);
    assert_eq!(json["customers"][0]["name"], "Ada Lovelace");

    let stock_file = dir.path().join("stock.csv");
    shop.ok(&format!(
        "report stock --low 20 --csv {}",
        stock_file.display()
    ));
    let stock = std::fs::read_to_string(&stock_file).unwrap();
    let rows: Vec<&str> = stock.lines().collect();
    assert_eq!(
        rows[0],
        "sku,name,on_hand,reserved,available,units_last_30_days,days_of_cover,low"
    );
    // 20 on hand, 3 reserved, 3 sold today: 17 / (3 / 30) = 170 days of cover.
    assert_eq!(rows[1], "MUG-1,Product MUG-1,20,3,17,3,170.0,true");
}

#[test]
fn a_customer_may_not_see_reports_and_bad_dates_are_refused() {
    let shop = Shop::new();
    let ada = shop.customer("Ada Lovelace", "+442071234567");
    shop.json_env(
        &format!("customer set-password {ada} --login ada"),
        &[("ORDO_PASSWORD", "rainy-tulip-orbit-42")],
    );
    shop.fails_env(
        "--as ada report speed --from 2026-01-01 --to 2026-01-31",
        &[("ORDO_PASSWORD", "rainy-tulip-orbit-42")],
        6,
    );
    shop.fails("report sales --from 2026-02-01 --to 2026-01-01", 3);
    shop.fails("report sales --from yesterday --to 2026-01-01", 3);
    shop.fails(
        "report sales --from 2026-01-01 --to 2026-01-02 --group year",
        3,
    );
    let speed = shop.ok("report speed --from 2026-01-01 --to 2026-01-31");
    assert!(speed.contains("placed → shipped"), "{speed}");
}
