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
    assert!(json.get("customers").is_none(), "{json}");
    let table = shop.ok(&format!("report sales --from {day} --to {day}"));
    assert!(
        table.contains(&format!(
            "Top customers: ordo report customers --from {day} --to {day}"
        )),
        "{table}"
    );
    let customers = shop.json(&format!("report customers --from {day} --to {day}"));
    assert_eq!(customers["top"][0]["name"], "Ada Lovelace");

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

/// What a `--chart` file holds, decoded: its size and how its pixels are coloured.
struct Picture {
    width: u32,
    height: u32,
    /// RGB triples, row by row.
    pixels: Vec<[u8; 3]>,
}

impl Picture {
    /// Reads and decodes `file`, checking the PNG signature first.
    fn read(file: &std::path::Path) -> Picture {
        let bytes = std::fs::read(file).unwrap();
        assert_eq!(
            &bytes[..8],
            b"\x89PNG\r\n\x1a\n",
            "not a PNG: {}",
            file.display()
        );
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buffer = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buffer).unwrap();
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        let channels = match info.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            other => panic!("unexpected colour type {other:?}"),
        };
        let pixels = buffer[..info.buffer_size()]
            .chunks(channels)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        Picture {
            width: info.width,
            height: info.height,
            pixels,
        }
    }

    /// Pixels that are not the white background.
    fn inked(&self) -> usize {
        self.pixels
            .iter()
            .filter(|p| **p != [255, 255, 255])
            .count()
    }

    /// Pixels of exactly this colour (the bars are flat fills of plotters' named colours).
    fn of(&self, colour: [u8; 3]) -> usize {
        self.pixels.iter().filter(|p| **p == colour).count()
    }

    /// Distinct colours.
    fn colours(&self) -> usize {
        self.pixels
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len()
    }
}

const RED: [u8; 3] = [255, 0, 0];
const GREEN: [u8; 3] = [0, 255, 0];
const BLUE: [u8; 3] = [0, 0, 255];

/// A chart with bars: 1000 × 600, text and axes, and at least a bar's worth of each colour.
fn assert_chart(picture: &Picture, bar_colours: &[[u8; 3]]) {
    assert_eq!((picture.width, picture.height), (1000, 600));
    assert_eq!(picture.pixels.len(), 600_000);
    assert!(picture.colours() > 10, "{} colours", picture.colours());
    for colour in bar_colours {
        assert!(
            picture.of(*colour) > 400,
            "{} pixels of {colour:?}",
            picture.of(*colour)
        );
    }
}

#[test]
fn every_report_draws_a_png_chart_of_its_figures() {
    let shop = Shop::new();
    shop.product("MUG-1");
    shop.product("TEA-2");
    let ada = shop.customer("Ada Lovelace", "+442071234567");
    let grace = shop.customer("Grace Hopper", "+442071234568");
    shop.order(&ada, "MUG-1:2");
    shop.order(&grace, "TEA-2:1");
    let shipped = shop.order(&ada, "MUG-1:1");
    let reference = shipped["reference"].as_str().unwrap().to_string();
    shop.ok(&format!("order advance {reference} --to packed"));
    shop.ok(&format!(
        "order ship {reference} --carrier dhl --tracking JD0000000001"
    ));
    let day = today();
    let dir = tempfile::tempdir().unwrap();

    let sales = dir.path().join("sales.png");
    let table = shop.ok(&format!(
        "report sales --from {day} --to {day} --chart {}",
        sales.display()
    ));
    assert!(table.contains("MUG-1"), "{table}");
    // Revenue in blue above, orders in red below.
    assert_chart(&Picture::read(&sales), &[BLUE, RED]);

    let speed = dir.path().join("speed.png");
    let json = shop.json(&format!(
        "report speed --from {day} --to {day} --chart {}",
        speed.display()
    ));
    assert_eq!(json["to_ship"]["orders"], 1);
    let buckets = json["to_ship"]["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 17);
    assert_eq!(buckets[0]["up_to_ms"], 3_600_000);
    assert!(buckets[16]["up_to_ms"].is_null());
    let counted: u64 = buckets.iter().map(|b| b["orders"].as_u64().unwrap()).sum();
    assert_eq!(counted, 1);
    // The one shipped order is a blue bar; nothing was delivered, so no green.
    let picture = Picture::read(&speed);
    assert_chart(&picture, &[BLUE]);
    assert_eq!(picture.of(GREEN), 0);

    let customers = dir.path().join("customers.png");
    shop.ok(&format!(
        "report customers --from {day} --to {day} --chart {}",
        customers.display()
    ));
    assert_chart(&Picture::read(&customers), &[BLUE]);

    let stock = dir.path().join("stock.png");
    shop.ok(&format!("report stock --chart {}", stock.display()));
    // Available in green, reserved (2 mugs, 1 tea) in red on top.
    assert_chart(&Picture::read(&stock), &[GREEN, RED]);
}

#[test]
fn a_chart_of_an_empty_range_is_a_png_that_says_no_data() {
    let shop = Shop::new();
    shop.product("MUG-1");
    let ada = shop.customer("Ada Lovelace", "+442071234567");
    shop.order(&ada, "MUG-1:2");
    let dir = tempfile::tempdir().unwrap();
    for report in ["sales", "speed", "customers"] {
        let file = dir.path().join(format!("{report}.png"));
        shop.ok(&format!(
            "report {report} --from 2020-01-01 --to 2020-01-31 --chart {}",
            file.display()
        ));
        let picture = Picture::read(&file);
        assert_eq!((picture.width, picture.height), (1000, 600));
        // The title and the note are drawn (antialiased text: greys), no bar is.
        assert!(
            picture.inked() > 1_000,
            "{report}: {} inked",
            picture.inked()
        );
        for colour in [RED, GREEN, BLUE] {
            assert_eq!(picture.of(colour), 0, "{report}: a bar in an empty range");
        }
    }
}

#[test]
fn a_chart_that_cannot_be_written_is_an_error() {
    let shop = Shop::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("missing").join("sales.png");
    let message = shop.fails(
        &format!(
            "report sales --from 2020-01-01 --to 2020-01-31 --chart {}",
            file.display()
        ),
        1,
    );
    assert!(message.contains("sales.png"), "{message}");
    assert!(!file.exists());
}

#[test]
fn a_chart_file_not_named_png_is_refused_before_anything_runs() {
    let shop = Shop::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sales.jpg");
    // A usage error, reported by the argument parser (several lines, exit 2).
    let output = shop.run(&format!(
        "report sales --from 2020-01-01 --to 2020-01-31 --chart {}",
        file.display()
    ));
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("ending in .png"), "{message}");
    assert!(!file.exists());
}
