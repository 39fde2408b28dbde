//! `ordo picklist`, `ordo order packslip|label|invoice`: the views come through the
//! contract (`picklist`, `order.get`, `order.shipments`, `order.invoice`), the documents
//! from `ordo-documents`; text on stdout, or a PDF file with `--pdf`.

use std::path::Path;

use ordo_api::Request;
use ordo_api::request::{OnOrder, OrderKey, PickListArgs};
use ordo_core::error::{EntityKind, Error};
use ordo_core::store::Store;
use ordo_documents::{DocumentError, Party};

use crate::args::documents::{InvoiceArgs, LabelArgs, PackslipArgs, PicklistArgs, SellerArgs};
use crate::context::Context;
use crate::render::views::{InvoiceView, OrderView, PickListView, SettingsView, ShipmentView};

fn key(id_or_reference: &str) -> OrderKey {
    OrderKey::Text(id_or_reference.trim().to_string())
}

/// A document that cannot be made, as the engine's error of the same kind (so the exit
/// code says not found / invalid like every other command).
fn refused(error: DocumentError) -> Error {
    match error {
        DocumentError::NoSuchShipment { number } => Error::not_found(
            EntityKind::Shipment,
            number.map_or_else(|| "(none yet)".to_string(), |n| format!("#{n}")),
        ),
        DocumentError::NoReference => Error::invalid("order", error.to_string()),
        other => Error::Internal(other.to_string()),
    }
}

/// The sender a label prints: `--seller` (or `ORDO_SELLER`) when given, else the store's
/// `seller.*` settings, else the placeholder.
fn sender<S: Store>(ctx: &Context<S>, args: &SellerArgs) -> anyhow::Result<Party> {
    if let Some(text) = args.seller.as_deref() {
        return Ok(Party::parse(text));
    }
    let settings: SettingsView = ctx.call(Request::SettingsGet(ordo_api::request::Nothing {}))?;
    Ok(settings
        .seller
        .as_ref()
        .map_or_else(Party::unconfigured, Party::from_seller))
}

/// The seller an invoice prints: the one frozen into it at issue, else `--seller` (or
/// `ORDO_SELLER`), else the placeholder.
fn invoice_seller(view: &InvoiceView, args: &SellerArgs) -> Party {
    match (&view.seller, args.seller.as_deref()) {
        (Some(seller), _) => Party::from_seller(seller),
        (None, Some(text)) => Party::parse(text),
        (None, None) => Party::unconfigured(),
    }
}

/// Writes `bytes` to `file`, then shows `view` (JSON) or where the file went (text).
fn write_pdf<S: Store, V: serde::Serialize>(
    ctx: &Context<S>,
    file: &Path,
    bytes: &[u8],
    view: &V,
    what: &str,
) -> anyhow::Result<()> {
    std::fs::write(file, bytes)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display()))?;
    ctx.out.show(view, || {
        format!(
            "Wrote {what} to {} ({} bytes).",
            file.display(),
            bytes.len()
        )
    })
}

/// `ordo picklist`.
pub(super) fn picklist<S: Store>(ctx: &Context<S>, args: &PicklistArgs) -> anyhow::Result<()> {
    let view: PickListView = ctx.call(Request::PickList(PickListArgs {
        warehouse: args.warehouse.clone(),
    }))?;
    match &args.pdf {
        Some(file) => write_pdf(
            ctx,
            file,
            &ordo_documents::picklist_pdf(&view),
            &view,
            &format!("the pick list of {}", view.warehouse),
        ),
        None => ctx.out.show(&view, || ordo_documents::picklist_text(&view)),
    }
}

/// `ordo order packslip`.
pub(super) fn packslip<S: Store>(ctx: &Context<S>, args: &PackslipArgs) -> anyhow::Result<()> {
    let order: OrderView = ctx.call(Request::OrderGet(key(&args.order)))?;
    match &args.pdf {
        Some(file) => {
            let bytes = ordo_documents::packslip_pdf(&order).map_err(refused)?;
            write_pdf(ctx, file, &bytes, &order, "the pack slip")
        }
        None => {
            let text = ordo_documents::packslip_text(&order).map_err(refused)?;
            ctx.out.show(&order, || text)
        }
    }
}

/// `ordo order label`.
pub(super) fn label<S: Store>(ctx: &Context<S>, args: &LabelArgs) -> anyhow::Result<()> {
    let order: OrderView = ctx.call(Request::OrderGet(key(&args.order)))?;
    let shipments: Vec<ShipmentView> = ctx.call(Request::OrderShipments(OnOrder {
        order: key(&args.order),
    }))?;
    let sender = sender(ctx, &args.seller)?;
    match &args.pdf {
        Some(file) => {
            let bytes = ordo_documents::label_pdf(&order, &shipments, args.shipment, &sender)
                .map_err(refused)?;
            write_pdf(ctx, file, &bytes, &shipments, "the shipping label")
        }
        None => {
            let text = ordo_documents::label_text(&order, &shipments, args.shipment, &sender)
                .map_err(refused)?;
            ctx.out.show(&shipments, || text)
        }
    }
}

/// `ordo order invoice`.
pub(super) fn invoice<S: Store>(ctx: &Context<S>, args: &InvoiceArgs) -> anyhow::Result<()> {
    let view: InvoiceView = ctx.call(Request::OrderInvoice(OnOrder {
        order: key(&args.order),
    }))?;
    let seller = invoice_seller(&view, &args.seller);
    match &args.pdf {
        Some(file) => write_pdf(
            ctx,
            file,
            &ordo_documents::invoice_pdf(&view, &seller),
            &view,
            &format!("invoice {}", view.number),
        ),
        None => ctx
            .out
            .show(&view, || ordo_documents::invoice_text(&view, &seller)),
    }
}
