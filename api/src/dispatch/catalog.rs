//! `product.*`: the catalog and stock.

use ordo_core::Result;
use ordo_core::catalog::Product;
use ordo_core::error::Error;
use ordo_core::ids::ProductId;
use ordo_core::store::Store;
use serde_json::Value;

use super::{Op, limit, value};
use crate::request::{ProductKey, Request, StockChange};
use crate::views::{ListView, ProductView};

pub(super) fn run<S: Store>(op: &Op<'_, S>, request: Request) -> Result<Value> {
    let (engine, actor) = (op.engine, op.actor);
    match request {
        Request::ProductCreate(input) => view(op, &engine.create_product(actor, input)?),
        Request::ProductUpdate(args) => {
            view(op, &engine.update_product(actor, &args.sku, args.product)?)
        }
        Request::ProductGet(ProductKey::Sku { sku }) => {
            view(op, &engine.product_by_sku(actor, &sku)?)
        }
        Request::ProductGet(ProductKey::Id { id }) => {
            view(op, &engine.get_product(actor, ProductId(id))?)
        }
        Request::ProductList(args) => {
            let page =
                engine.list_products(actor, args.after.map(ProductId), limit(args.limit)?)?;
            let items = page
                .items
                .iter()
                .map(|p| product_view(op, p))
                .collect::<Result<Vec<_>>>()?;
            value(&ListView::new(&page, items))
        }
        Request::ProductRestock(change) => {
            let quantity = u64::try_from(change.quantity)
                .map_err(|_| Error::invalid("quantity", "must be at least 1 to restock"))?;
            engine.restock(
                actor,
                &change.sku,
                &change.warehouse,
                quantity,
                &change.reason,
            )?;
            after_stock(op, &change)
        }
        Request::ProductAdjust(change) => {
            engine.adjust_stock(
                actor,
                &change.sku,
                &change.warehouse,
                change.quantity,
                &change.reason,
            )?;
            after_stock(op, &change)
        }
        other => Err(super::misrouted(&other)),
    }
}

fn product_view<S: Store>(op: &Op<'_, S>, product: &Product) -> Result<ProductView> {
    let stock = op.engine.stock_of(op.actor, product.id())?;
    Ok(ProductView::new(product, &stock))
}

fn view<S: Store>(op: &Op<'_, S>, product: &Product) -> Result<Value> {
    value(&product_view(op, product)?)
}

fn after_stock<S: Store>(op: &Op<'_, S>, change: &StockChange) -> Result<Value> {
    view(op, &op.engine.product_by_sku(op.actor, &change.sku)?)
}
