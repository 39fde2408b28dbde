//! Every document rendered from a real engine's views: the PDFs open with lopdf and say
//! what they should, the label's barcode decodes back to the order reference (hayro
//! renders the page, rxing reads it), and the same input gives the same bytes.

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ordo_api::views::{InvoiceView, OrderView, PickListView, ShipmentView};
use ordo_core::catalog::Sku;
use ordo_core::engine::{Engine, OrderRequest, PaymentRequest, ShipRequest};
use ordo_core::inventory::WarehouseCode;
use ordo_core::order::OrderStatus;
use ordo_core::payment::PaymentMethod;
use ordo_core::shipment::{CarrierName, TrackingNumber, Weight};
use ordo_core::store::MemoryStore;
use ordo_core::testkit::sample;
use ordo_documents::{
    DocumentError, Party, QUIET_ZONE_MODULES, code128_modules, invoice_pdf, invoice_text,
    label_pdf, label_text, packslip_pdf, packslip_text, picklist_pdf, picklist_text,
};

struct Shop {
    order: OrderView,
    shipments: Vec<ShipmentView>,
    invoice: InvoiceView,
    picklist: PickListView,
    seller: Party,
}

/// A shop: TEE and MUG, one order shipped in two parcels and invoiced, two orders
/// confirmed (on the pick list).
fn shop() -> Shop {
    let (engine, _clock): (Engine<MemoryStore>, _) = sample::engine(MemoryStore::new(), 9);
    let admin = sample::admin();
    for (sku, cents) in [("TEE-RED-M", 2000), ("MUG", 850)] {
        engine
            .create_product(&admin, sample::product(sku, cents))
            .unwrap();
        engine.restock(&admin, sku, "MAIN", 50, "count").unwrap();
    }
    let customer = engine
        .create_customer(&admin, &sample::customer(1))
        .unwrap()
        .id();
    let order = engine
        .create_order(
            &admin,
            &OrderRequest::simple(customer, &[("TEE-RED-M", 2), ("MUG", 3)]),
        )
        .unwrap();
    engine
        .record_payment(
            &admin,
            order.id(),
            &PaymentRequest {
                amount: sample::usd_cents(1000),
                method: PaymentMethod::Card,
                external_reference: "ch_1".into(),
                idempotency_key: None,
            },
        )
        .unwrap();
    engine
        .advance_orders(&admin, &[order.id()], OrderStatus::Packed)
        .unwrap();
    for (lines, tracking) in [
        (vec![(Sku::parse("MUG").unwrap(), 1)], "JD0000000001"),
        (vec![], "JD0000000002"),
    ] {
        engine
            .ship_order(
                &admin,
                order.id(),
                &ShipRequest {
                    lines,
                    carrier: CarrierName::parse("dhl").unwrap(),
                    method: None,
                    tracking: TrackingNumber::parse(tracking).unwrap(),
                    weight: Some(Weight::parse_kg("1.25").unwrap()),
                },
            )
            .unwrap();
    }
    let invoice = engine.issue_invoice(&admin, order.id()).unwrap();
    for quantity in [1, 4] {
        let waiting = engine
            .create_order(
                &admin,
                &OrderRequest::simple(customer, &[("TEE-RED-M", quantity)]),
            )
            .unwrap();
        engine
            .advance_orders(&admin, &[waiting.id()], OrderStatus::Confirmed)
            .unwrap();
    }
    let order = engine.get_order(&admin, order.id()).unwrap().value;
    let shipments = engine.order_shipments(&admin, order.id()).unwrap();
    let picklist = engine
        .pick_list(&admin, &WarehouseCode::parse("MAIN").unwrap())
        .unwrap();
    Shop {
        order: OrderView::new(&order).unwrap(),
        shipments: shipments.iter().map(ShipmentView::new).collect(),
        invoice: InvoiceView::new(&invoice).unwrap(),
        picklist: PickListView::new(&picklist),
        seller: Party::parse("Ordo Test Shop; 1 Market Street; Springfield 12345"),
    }
}

/// All the text of every page of a PDF, as lopdf extracts it.
fn pdf_text(bytes: &[u8]) -> String {
    let document = lopdf::Document::load_mem(bytes).unwrap();
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    assert!(!pages.is_empty(), "a PDF without pages");
    document.extract_text(&pages).unwrap()
}

fn reference(shop: &Shop) -> String {
    shop.order.reference.clone().unwrap()
}

#[test]
fn the_pick_list_pdf_names_the_skus_quantities_and_orders() {
    let shop = shop();
    assert_eq!(shop.picklist.orders, 2);
    let text = pdf_text(&picklist_pdf(&shop.picklist));
    assert!(text.contains("Pick list - warehouse MAIN"), "{text}");
    assert!(text.contains("TEE-RED-M"), "{text}");
    assert!(text.contains("2 orders, 1 products, 5 units"), "{text}");
    let terminal = picklist_text(&shop.picklist);
    for row in &shop.picklist.rows {
        for order in &row.orders {
            assert!(text.contains(&order.reference), "{text}");
            assert!(terminal.contains(&order.reference), "{terminal}");
        }
    }
}

#[test]
fn the_pack_slip_has_the_lines_and_the_address_and_no_prices() {
    let shop = shop();
    let text = pdf_text(&packslip_pdf(&shop.order).unwrap());
    assert!(text.contains(&reference(&shop)), "{text}");
    assert!(text.contains("TEE-RED-M") && text.contains("MUG"), "{text}");
    assert!(text.contains("5 units in 2 lines"), "{text}");
    let city = shop.order.shipping_address.split(", ").nth(2).unwrap();
    assert!(text.contains(city), "{text}");
    assert!(
        !text.contains(&shop.order.total),
        "a pack slip shows no prices: {text}"
    );
    let terminal = packslip_text(&shop.order).unwrap();
    assert!(terminal.contains(&reference(&shop)), "{terminal}");
    assert!(!terminal.contains(&shop.order.total), "{terminal}");
}

#[test]
fn the_invoice_pdf_has_its_number_lines_taxes_totals_and_payments() {
    let shop = shop();
    assert_eq!(shop.invoice.number, 1);
    let text = pdf_text(&invoice_pdf(&shop.invoice, &shop.seller));
    assert!(text.contains("Invoice 1"), "{text}");
    assert!(text.contains("Invoice number: 1"), "{text}");
    assert!(text.contains(&reference(&shop)), "{text}");
    assert!(text.contains("Ordo Test Shop"), "{text}");
    assert!(text.contains(&shop.invoice.buyer), "{text}");
    assert!(text.contains("TEE-RED-M") && text.contains("MUG"), "{text}");
    assert!(text.contains(&shop.invoice.totals.total), "{text}");
    assert!(text.contains(&shop.invoice.totals.tax), "{text}");
    assert!(text.contains("Tax 20%"), "{text}");
    assert!(text.contains("10.00"), "the payment: {text}");
    let terminal = invoice_text(&shop.invoice, &shop.seller);
    assert!(terminal.contains(&shop.invoice.totals.total), "{terminal}");
}

#[test]
fn the_label_names_sender_recipient_carrier_tracking_and_weight() {
    let shop = shop();
    let text = pdf_text(&label_pdf(&shop.order, &shop.shipments, Some(1), &shop.seller).unwrap());
    assert!(text.contains("Ordo Test Shop"), "{text}");
    assert!(text.contains("Carrier: DHL"), "{text}");
    assert!(text.contains("Tracking: JD0000000001"), "{text}");
    assert!(text.contains("Weight: 1.25 kg"), "{text}");
    assert!(text.contains(&reference(&shop)), "{text}");
    // No number: the last shipment.
    let last = label_text(&shop.order, &shop.shipments, None, &shop.seller).unwrap();
    assert!(last.contains("JD0000000002"), "{last}");
    assert_eq!(
        label_pdf(&shop.order, &shop.shipments, Some(7), &shop.seller),
        Err(DocumentError::NoSuchShipment { number: Some(7) })
    );
    assert_eq!(
        label_text(&shop.order, &[], None, &shop.seller),
        Err(DocumentError::NoSuchShipment { number: None })
    );
}

/// Renders the first page of `pdf` to grey levels at `scale` pixels per point.
fn render_grey(pdf: &[u8], scale: f32) -> (Vec<u8>, u32, u32) {
    use hayro::hayro_interpret::InterpreterSettings;
    use hayro::hayro_syntax::Pdf;
    use hayro::vello_cpu::color::palette::css::WHITE;
    use hayro::{PixmapSettings, RenderCache, RenderSettings, render};
    let pdf = Pdf::new(pdf.to_vec()).unwrap();
    let pages = pdf.pages();
    let page = pages.first().unwrap();
    let pixmap = render(
        page,
        &RenderCache::new(),
        &InterpreterSettings::default(),
        &RenderSettings::default(),
        &PixmapSettings {
            x_scale: scale,
            y_scale: scale,
            bg_color: WHITE,
        },
    );
    let (width, height) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
    let grey = pixmap
        .data_as_u8_slice()
        .chunks_exact(4)
        .map(|rgba| {
            // Premultiplied on white: a transparent pixel is the white background.
            let alpha = u16::from(rgba[3]);
            let luma = (u16::from(rgba[0]) + u16::from(rgba[1]) + u16::from(rgba[2])) / 3;
            (luma + (255 - alpha)).min(255) as u8
        })
        .collect();
    (grey, width, height)
}

#[test]
fn the_label_barcode_decodes_back_to_the_order_reference() {
    let shop = shop();
    let pdf = label_pdf(&shop.order, &shop.shipments, None, &shop.seller).unwrap();
    let (grey, width, height) = render_grey(&pdf, 3.0);
    assert!(grey.iter().any(|g| *g < 64), "the page has dark pixels");
    let result =
        rxing::helpers::detect_in_luma(grey, width, height, Some(rxing::BarcodeFormat::CODE_128))
            .unwrap();
    assert_eq!(result.getText(), reference(&shop));
}

#[test]
fn the_barcode_has_ten_module_quiet_zones() {
    let modules = code128_modules("ORD-7K3M-9QX1").unwrap();
    const { assert!(QUIET_ZONE_MODULES >= 10) };
    assert!(modules.iter().take(QUIET_ZONE_MODULES).all(|m| *m == 0));
    assert!(
        modules
            .iter()
            .rev()
            .take(QUIET_ZONE_MODULES)
            .all(|m| *m == 0)
    );
}

#[test]
fn the_same_input_gives_byte_identical_pdfs() {
    let first_shop = shop();
    let again = shop();
    let shop = first_shop;
    let pairs = [
        (picklist_pdf(&shop.picklist), picklist_pdf(&again.picklist)),
        (
            packslip_pdf(&shop.order).unwrap(),
            packslip_pdf(&again.order).unwrap(),
        ),
        (
            label_pdf(&shop.order, &shop.shipments, None, &shop.seller).unwrap(),
            label_pdf(&again.order, &again.shipments, None, &again.seller).unwrap(),
        ),
        (
            invoice_pdf(&shop.invoice, &shop.seller),
            invoice_pdf(&again.invoice, &again.seller),
        ),
    ];
    for (first, second) in &pairs {
        assert!(first.starts_with(b"%PDF-"));
        assert_eq!(first, second);
    }
    assert_eq!(pairs.len(), 4);
    // A different invoice gives different bytes (the comparison can fail).
    let mut other = shop.invoice.clone();
    other.number = 2;
    assert_ne!(invoice_pdf(&other, &shop.seller), pairs[3].0);
}
