//! `ordo product …`: the catalog and stock.

use ordo_core::catalog::{
    BackorderPolicy, MediaKind, PriceGroup, PriceList, ProductInput, TaxCategory,
};
use ordo_core::money::{Currency, Money};
use ordo_core::store::Store;

use crate::args::{ProductAddArgs, ProductCommand, ProductStockArgs, ProductUpdateArgs};
use crate::context::Context;
use crate::parse;
use crate::render::tables;
use crate::render::views::{ListView, ProductView};
use ordo_api::Request;
use ordo_api::request::{ListArgs, ProductKey, ProductUpdate, StockChange};

/// Runs one product subcommand.
///
/// # Errors
/// Engine errors (validation, not found, duplicate SKU) and output errors.
pub fn run<S: Store>(ctx: &Context<S>, command: ProductCommand) -> anyhow::Result<()> {
    match command {
        ProductCommand::Add(args) => add(ctx, &args),
        ProductCommand::List { limit, after } => list(ctx, limit, after),
        ProductCommand::Show { sku } => show(ctx, &sku),
        ProductCommand::Update(args) => update(ctx, &args),
        ProductCommand::Stock(args) => stock(ctx, &args),
    }
}

fn add<S: Store>(ctx: &Context<S>, args: &ProductAddArgs) -> anyhow::Result<()> {
    let base_price = Money::parse(&args.price, None, "price")?;
    let mut media = media_list(MediaKind::Photo, &args.photos);
    media.extend(media_list(MediaKind::Video, &args.videos));
    let input = ProductInput {
        sku: args.sku.clone(),
        name: args.name.clone(),
        description: args.description.clone(),
        specifications: specifications(&args.specs)?,
        media,
        active: !args.inactive,
        tax_category: TaxCategory::parse(&args.tax)?,
        base_price,
        price_lists: wholesale_lists(&args.wholesale, base_price.currency())?,
        backorder: if args.backorder {
            BackorderPolicy::Allow
        } else {
            BackorderPolicy::Deny
        },
        weight_kg: args.weight.clone(),
        dimensions_cm: args.dimensions.clone(),
    };
    let view: ProductView = ctx.call(Request::ProductCreate(input))?;
    ctx.out.show(&view, || {
        format!(
            "Added product {} ({}).\n\n{}",
            view.sku,
            view.name,
            tables::product_detail(&view)
        )
    })
}

fn list<S: Store>(ctx: &Context<S>, limit: usize, after: Option<u64>) -> anyhow::Result<()> {
    let limit = parse::list_limit(limit)?;
    let page: ListView<ProductView> = ctx.call(Request::ProductList(ListArgs {
        after,
        limit: Some(limit),
    }))?;
    ctx.out.warn_skipped(&page.skipped);
    ctx.out.show(&page, || {
        let mut text = tables::product_list(&page.items);
        if let Some(last) = &page.next_cursor {
            text.push_str(&format!("\nMore products: add --after {last}"));
        }
        text
    })
}

fn show<S: Store>(ctx: &Context<S>, sku: &str) -> anyhow::Result<()> {
    let view: ProductView = ctx.call(Request::ProductGet(ProductKey::Sku {
        sku: sku.to_string(),
    }))?;
    ctx.out.show(&view, || tables::product_detail(&view))
}

fn update<S: Store>(ctx: &Context<S>, args: &ProductUpdateArgs) -> anyhow::Result<()> {
    let base_price = args
        .price
        .as_deref()
        .map(|price| Money::parse(price, None, "price"))
        .transpose()?;
    let wholesale = if args.wholesale.is_empty() && !args.no_wholesale {
        None
    } else {
        // Tiers are in the product's currency: the new price's, else the current one's.
        let currency = match base_price {
            Some(price) => price.currency(),
            None => {
                let current: ProductView = ctx.call(Request::ProductGet(ProductKey::Sku {
                    sku: args.sku.clone(),
                }))?;
                Currency::parse(&current.currency)?
            }
        };
        Some(
            args.wholesale
                .iter()
                .map(|t| parse::price_tier(t, currency))
                .collect::<ordo_core::Result<Vec<_>>>()?,
        )
    };
    let media = |urls: &[String]| (!urls.is_empty()).then(|| urls.to_vec());
    let patch = ProductUpdate {
        sku: args.sku.clone(),
        new_sku: args.new_sku.clone(),
        name: args.name.clone(),
        description: args.description.clone(),
        base_price,
        specifications: if args.specs.is_empty() {
            None
        } else {
            Some(specifications(&args.specs)?)
        },
        photos: media(&args.photos),
        videos: media(&args.videos),
        media: None,
        wholesale,
        tax_category: args.tax.as_deref().map(TaxCategory::parse).transpose()?,
        backorder: args
            .backorder
            .as_deref()
            .map(parse::backorder_policy)
            .transpose()?,
        active: (args.active || args.inactive).then_some(args.active),
        weight_kg: args.weight.clone(),
        dimensions_cm: args.dimensions.clone(),
    };
    let view: ProductView = ctx.call(Request::ProductUpdate(patch))?;
    ctx.out.show(&view, || {
        format!(
            "Updated product {}.\n\n{}",
            view.sku,
            tables::product_detail(&view)
        )
    })
}

fn stock<S: Store>(ctx: &Context<S>, args: &ProductStockArgs) -> anyhow::Result<()> {
    let change = |quantity: i64| StockChange {
        sku: args.sku.clone(),
        warehouse: args.warehouse.clone(),
        quantity,
        reason: args.reason.clone(),
    };
    let (done, view): (String, ProductView) = match (&args.restock, &args.adjust) {
        (Some(quantity), None) => {
            let quantity = parse::restock_quantity(quantity)?;
            let units = i64::try_from(quantity).unwrap_or(i64::MAX);
            (
                format!("Received {quantity} unit(s)"),
                ctx.call(Request::ProductRestock(change(units)))?,
            )
        }
        (None, Some(delta)) => {
            let delta = parse::stock_delta(delta)?;
            (
                format!("Adjusted by {delta:+}"),
                ctx.call(Request::ProductAdjust(change(delta)))?,
            )
        }
        // clap's argument group guarantees exactly one of the two.
        _ => anyhow::bail!("give exactly one of --restock N or --adjust ±N"),
    };
    ctx.out.show(&view, || {
        format!(
            "{done} in {}.\n\n{}",
            args.warehouse.trim().to_ascii_uppercase(),
            tables::stock(&view)
        )
    })
}

fn specifications(texts: &[String]) -> ordo_core::Result<Vec<(String, String)>> {
    texts.iter().map(|t| parse::specification(t)).collect()
}

fn media_list(kind: MediaKind, urls: &[String]) -> Vec<ordo_core::catalog::Media> {
    urls.iter().map(|url| parse::media(kind, url)).collect()
}

/// The wholesale price list from `QTY:PRICE` tiers (none if no tiers were given).
fn wholesale_lists(tiers: &[String], currency: Currency) -> ordo_core::Result<Vec<PriceList>> {
    if tiers.is_empty() {
        return Ok(Vec::new());
    }
    let tiers = tiers
        .iter()
        .map(|t| parse::price_tier(t, currency))
        .collect::<ordo_core::Result<Vec<_>>>()?;
    Ok(vec![PriceList::new(PriceGroup::Wholesale, tiers)?])
}
