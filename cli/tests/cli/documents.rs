//! `ordo picklist`, `ordo order packslip|label|invoice` on the real binary: a shop with
//! an order confirmed, shipped and invoiced; every document as text and as a PDF file, the
//! file byte for byte what `ordo-documents` makes of the view `--json` prints (whose PDF
//! text and barcode its own tests read back), and the refusals with their exit codes.

use ordo_api::views::{InvoiceView, OrderView, PickListView, ShipmentView};
use ordo_documents::Party;

use crate::support::Shop;

const SELLER: &str = "Ordo Test Shop; 1 Market Street; Springfield 12345";

fn read(shop: &Shop, name: &str) -> Vec<u8> {
    let bytes = std::fs::read(shop.dir.path().join(name)).expect("the PDF was written");
    assert!(bytes.starts_with(b"%PDF-"), "{name} is not a PDF");
    bytes
}

#[test]
fn a_shipped_order_prints_its_pick_list_pack_slip_label_and_invoice() {
    let shop = Shop::new();
    shop.product("MUG-1");
    shop.product("TEE-2");
    let ada = shop.customer("Ada Lovelace", "+442071234567");
    let order = shop.order(&ada, "MUG-1:3 TEE-2:1");
    let reference = order["reference"]
        .as_str()
        .expect("a reference")
        .to_string();
    let waiting = shop.order(&ada, "MUG-1:2");
    let waiting = waiting["reference"]
        .as_str()
        .expect("a reference")
        .to_string();
    shop.ok(&format!(
        "order advance {reference} {waiting} --to confirmed"
    ));

    // The pick list: both confirmed orders, per product.
    let list = shop.ok("picklist MAIN");
    assert!(list.contains("Pick list - warehouse MAIN"), "{list}");
    assert!(
        list.contains(&reference) && list.contains(&waiting),
        "{list}"
    );
    assert!(list.contains("2 orders, 2 products, 6 units"), "{list}");
    let dir = shop.dir.path().display().to_string();
    let view: PickListView =
        serde_json::from_value(shop.json(&format!("picklist main --pdf {dir}/pick.pdf")))
            .expect("a pick list view");
    assert_eq!(view.rows.len(), 2);
    assert_eq!(read(&shop, "pick.pdf"), ordo_documents::picklist_pdf(&view));

    // Ship it in two parcels.
    shop.ok(&format!("order advance {reference} --to packed"));
    shop.ok(&format!(
        "order ship {reference} --line MUG-1:1 --carrier dhl --tracking JD0000000001 --weight 0.4"
    ));
    shop.ok(&format!(
        "order ship {reference} --carrier ups --tracking 1Z999AA10123456784 --weight 1.1"
    ));

    // The pack slip: lines and address, no prices.
    let slip = shop.ok(&format!("order packslip {reference}"));
    assert!(
        slip.contains("MUG-1") && slip.contains("Springfield"),
        "{slip}"
    );
    assert!(!slip.contains("10.00"), "no prices on a pack slip: {slip}");
    let view: OrderView = serde_json::from_value(
        shop.json(&format!("order packslip {reference} --pdf {dir}/slip.pdf")),
    )
    .expect("an order view");
    assert_eq!(
        read(&shop, "slip.pdf"),
        ordo_documents::packslip_pdf(&view).expect("a pack slip")
    );

    // The label of the first parcel and of the last (the default).
    let env = [("ORDO_SELLER", SELLER)];
    let label = shop.ok_env(&format!("order label {reference} --shipment 1"), &env);
    assert!(
        label.contains("Ordo Test Shop") && label.contains("JD0000000001"),
        "{label}"
    );
    assert!(label.contains("0.4 kg"), "{label}");
    let written = shop.ok_env(
        &format!("order label {reference} --pdf {dir}/label.pdf"),
        &env,
    );
    assert!(written.contains("label.pdf"), "{written}");
    let order_view: OrderView =
        serde_json::from_value(shop.json(&format!("order show {reference}"))).expect("order");
    let shipments: Vec<ShipmentView> =
        serde_json::from_value(shop.json(&format!("order shipments {reference}")))
            .expect("shipments");
    assert_eq!(shipments.len(), 2);
    assert_eq!(
        read(&shop, "label.pdf"),
        ordo_documents::label_pdf(&order_view, &shipments, None, &Party::parse(SELLER))
            .expect("a label")
    );
    shop.fails(&format!("order label {reference} --shipment 3"), 4);

    // The invoice: issued once, number 1, the same every time.
    let invoice = shop.ok_env(&format!("order invoice {reference}"), &env);
    assert!(invoice.contains("Invoice number: 1"), "{invoice}");
    assert!(invoice.contains("Ordo Test Shop"), "{invoice}");
    let view: InvoiceView = serde_json::from_value(shop.json_env(
        &format!("order invoice {reference} --pdf {dir}/invoice.pdf"),
        &env,
    ))
    .expect("an invoice view");
    assert_eq!(view.number, 1, "the first invoice again");
    assert_eq!(view.reference, reference);
    assert_eq!(
        read(&shop, "invoice.pdf"),
        ordo_documents::invoice_pdf(&view, &Party::parse(SELLER))
    );
    let second = shop.json(&format!("order invoice {waiting}"));
    assert_eq!(second["number"], 2);

    // A cancelled order is not invoiced (exit 3); an unknown one is not found (exit 4).
    let cancelled = shop.order(&ada, "TEE-2:1");
    let cancelled = cancelled["reference"]
        .as_str()
        .expect("a reference")
        .to_string();
    shop.ok(&format!("order cancel {cancelled} --reason test"));
    let refusal = shop.fails(&format!("order invoice {cancelled}"), 3);
    assert!(refusal.contains("cannot be invoiced"), "{refusal}");
    shop.fails("order invoice ORD-0000-0000", 4);
    shop.fails("picklist 'not a warehouse!'", 3);
}

#[test]
fn the_document_commands_teach_in_their_help() {
    let shop = Shop::new();
    for (line, needle) in [
        ("picklist --help", "walks the shelves"),
        ("order label --help", "Code 128"),
        ("order invoice --help", "without gaps"),
        ("order packslip --help", "--pdf"),
    ] {
        let help = shop.ok(line);
        assert!(help.contains(needle), "{line}: {help}");
    }
}

#[test]
fn the_store_s_seller_is_printed_and_frozen_into_each_invoice() {
    let shop = Shop::new();
    shop.product("MUG-1");
    let ada = shop.customer("Ada Lovelace", "+442071234567");
    let reference = |order: serde_json::Value| {
        order["reference"]
            .as_str()
            .expect("a reference")
            .to_string()
    };
    let first = reference(shop.order(&ada, "MUG-1:1"));
    // No seller yet: settings say so, and the invoice prints the placeholder.
    let settings = shop.ok("settings show");
    assert!(settings.contains("No seller yet"), "{settings}");
    shop.ok(&format!("order advance {first} --to packed"));
    shop.ok(&format!(
        "order ship {first} --carrier dhl --tracking JD0000000001"
    ));
    let label = shop.ok(&format!("order label {first}"));
    assert!(
        label.contains(ordo_documents::SELLER_NOT_CONFIGURED),
        "{label}"
    );

    // A bad value is refused with the setting's name; nothing is written.
    let refused = shop.fails(
        &format!(
            "settings set seller.name=Ordo seller.tax_id={}",
            "1".repeat(41)
        ),
        3,
    );
    assert!(refused.contains("seller.tax_id"), "{refused}");
    assert!(shop.json("settings show")["seller"].is_null());
    shop.ok(
        "settings set seller.name='Ordo Shop Ltd' seller.address='1 Market St; Leeds LS1 1AA' \
         seller.tax_id=GB123456789 seller.contact=orders@ordo.example",
    );
    let settings = shop.json("settings show");
    assert_eq!(settings["seller"]["name"], "Ordo Shop Ltd");
    assert_eq!(
        settings["settings"]["seller.address"],
        "1 Market St; Leeds LS1 1AA"
    );
    let history = shop.ok("settings history");
    assert!(history.contains("seller.tax_id"), "{history}");

    // The label's sender and the invoice's seller are the store's now.
    let label = shop.ok(&format!("order label {first}"));
    assert!(
        label.contains("Ordo Shop Ltd") && label.contains("Leeds LS1 1AA"),
        "{label}"
    );
    let overridden = shop.ok(&format!(
        "order label {first} --seller 'Pop-up Stall; Market Hall'"
    ));
    assert!(overridden.contains("Pop-up Stall"), "{overridden}");
    let invoice = shop.ok(&format!("order invoice {first}"));
    assert!(
        invoice.contains("Ordo Shop Ltd") && invoice.contains("Tax id: GB123456789"),
        "{invoice}"
    );
    let view: InvoiceView =
        serde_json::from_value(shop.json(&format!("order invoice {first}"))).expect("invoice");
    assert_eq!(
        view.seller.as_ref().map(|s| s.contact.as_str()),
        Some("orders@ordo.example")
    );

    // A new name later: the issued invoice keeps the seller it was issued with (even
    // against --seller); the next invoice prints the new one.
    shop.ok("settings set seller.name='Ordo Trading plc' seller.tax_id=");
    let again = shop.ok(&format!("order invoice {first} --seller 'Someone Else'"));
    assert!(
        again.contains("Ordo Shop Ltd") && !again.contains("Ordo Trading plc"),
        "{again}"
    );
    assert!(!again.contains("Someone Else"), "{again}");
    let second = reference(shop.order(&ada, "MUG-1:1"));
    let next = shop.ok(&format!("order invoice {second}"));
    assert!(
        next.contains("Ordo Trading plc") && !next.contains("Tax id"),
        "{next}"
    );
}
