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
    let current = ctx.engine.product_by_sku(&ctx.actor, &args.sku)?;
    let mut input = current.details().to_input();
    if let Some(sku) = &args.new_sku {
        input.sku.clone_from(sku);
    }
    if let Some(name) = &args.name {
        input.name.clone_from(name);
    }
    if let Some(price) = &args.price {
        input.base_price = Money::parse(price, None, "price")?;
    }
    if let Some(description) = &args.description {
        input.description.clone_from(description);
    }
    if !args.specs.is_empty() {
        input.specifications = specifications(&args.specs)?;
    }
    replace_media(&mut input, MediaKind::Photo, &args.photos);
    replace_media(&mut input, MediaKind::Video, &args.videos);
    if !args.wholesale.is_empty() || args.no_wholesale {
        input
            .price_lists
            .retain(|l| l.group() != PriceGroup::Wholesale);
        input.price_lists.extend(wholesale_lists(
            &args.wholesale,
            input.base_price.currency(),
        )?);
    }
    if let Some(tax) = &args.tax {
        input.tax_category = TaxCategory::parse(tax)?;
    }
    if let Some(policy) = &args.backorder {
        input.backorder = parse::backorder_policy(policy)?;
    }
    if args.active || args.inactive {
        input.active = args.active;
    }
    let view: ProductView = ctx.call(Request::ProductUpdate(ProductUpdate {
        sku: args.sku.clone(),
        product: input,
    }))?;
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

/// Replaces the media of `kind` with `urls`, if any were given.
fn replace_media(input: &mut ProductInput, kind: MediaKind, urls: &[String]) {
    if urls.is_empty() {
        return;
    }
    input.media.retain(|m| m.kind != kind);
    input.media.extend(media_list(kind, urls));
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
