//! `product.*`: the catalog and stock.

use ordo_core::Result;
use ordo_core::catalog::{Media, MediaKind, PriceGroup, PriceList, Product, ProductInput};
use ordo_core::error::Error;
use ordo_core::ids::ProductId;
use ordo_core::store::Store;
use serde_json::Value;

use super::{Op, limit, value};
use crate::request::{ProductKey, ProductUpdate, Request, StockChange};
use crate::views::{ListView, ProductView};

pub(super) fn run<S: Store>(op: &Op<'_, S>, request: Request) -> Result<Value> {
    let (engine, actor) = (op.engine, op.actor);
    match request {
        Request::ProductCreate(input) => view(op, &engine.create_product(actor, input)?),
        Request::ProductUpdate(patch) => {
            let current = engine.product_by_sku(actor, &patch.sku)?;
            let input = patched(current.details().to_input(), &patch)?;
            view(op, &engine.update_product(actor, &patch.sku, input)?)
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

/// `input` with the fields `patch` names replaced.
fn patched(mut input: ProductInput, patch: &ProductUpdate) -> Result<ProductInput> {
    if let Some(sku) = &patch.new_sku {
        input.sku.clone_from(sku);
    }
    if let Some(name) = &patch.name {
        input.name.clone_from(name);
    }
    if let Some(description) = &patch.description {
        input.description.clone_from(description);
    }
    if let Some(price) = patch.base_price {
        input.base_price = price;
    }
    if let Some(specifications) = &patch.specifications {
        input.specifications.clone_from(specifications);
    }
    if let Some(media) = &patch.media {
        if patch.photos.is_some() || patch.videos.is_some() {
            return Err(Error::invalid(
                "media",
                "give either the whole media list or photos and videos, not both",
            ));
        }
        input.media.clone_from(media);
    }
    for (kind, urls) in [
        (MediaKind::Photo, &patch.photos),
        (MediaKind::Video, &patch.videos),
    ] {
        if let Some(urls) = urls {
            let (old, kept): (Vec<Media>, Vec<Media>) =
                input.media.drain(..).partition(|m| m.kind == kind);
            input.media = kept;
            input.media.extend(urls.iter().map(|url| {
                let url = url.trim().to_string();
                // A URL the product already had keeps its caption.
                let caption = old
                    .iter()
                    .find(|m| m.url == url)
                    .map(|m| m.caption.clone())
                    .unwrap_or_default();
                Media { kind, url, caption }
            }));
        }
    }
    if let Some(tiers) = &patch.wholesale {
        input
            .price_lists
            .retain(|l| l.group() != PriceGroup::Wholesale);
        if !tiers.is_empty() {
            input
                .price_lists
                .push(PriceList::new(PriceGroup::Wholesale, tiers.clone())?);
        }
    }
    if let Some(category) = patch.tax_category {
        input.tax_category = category;
    }
    if let Some(policy) = patch.backorder {
        input.backorder = policy;
    }
    if let Some(active) = patch.active {
        input.active = active;
    }
    // An empty text removes the weight or the size (`ProductDraft::parse` reads it so).
    if let Some(weight) = &patch.weight_kg {
        input.weight_kg = Some(weight.clone());
    }
    if let Some(dimensions) = &patch.dimensions_cm {
        input.dimensions_cm = Some(dimensions.clone());
    }
    Ok(input)
}
