//! `/catalog`: pages of the shop's active products with next/prev buttons, and a
//! product's card — a photo (`sendPhoto`) when the product has one, its description,
//! specifications and video links, the price for the chat's user (a customer's own
//! price group, with its quantity tiers), availability — with **Add to cart** buttons for
//! a few quantities. Every read goes through the engine as the chat's user (the
//! permission matrix decides who may read the catalog: a guest is asked to log in).

use ordo_core::Engine;
use ordo_core::auth::Actor;
use ordo_core::catalog::{BackorderPolicy, MediaKind, PriceGroup, Product};
use ordo_core::ids::ProductId;
use ordo_core::store::Store;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::bot::{Answer, BotState, refusal};
use super::command::Callback;
use super::reply;

/// Products on one page.
pub const PAGE_SIZE: usize = 5;

/// The most products a page request reads through (a far page of a huge catalog is
/// refused rather than read at every press).
const MAX_SCANNED: usize = 2_000;

/// Products read per engine call while paging.
const BATCH: usize = 100;

/// Quantities the card offers to add.
const ADD_QUANTITIES: [u32; 3] = [1, 2, 5];

/// The longest photo caption Telegram takes.
const MAX_CAPTION_CHARS: usize = 1024;

/// A product's card: its words, buttons and photo URL (if it has a photo).
pub(super) struct Card {
    /// The words and buttons.
    pub(super) answer: Answer,
    /// The first photo, for `sendPhoto`.
    pub(super) photo: Option<String>,
}

/// A page of the catalog (from 1).
pub(super) async fn page<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    actor: Actor,
    page: u32,
) -> Answer {
    let found = state
        .pool
        .run(move |engine| read_page(engine, &actor, page))
        .await;
    match found {
        Ok(Ok((products, more))) => render_page(page, &products, more),
        Ok(Err(error)) => catalog_refusal(&error),
        Err(_) => Answer::text(reply::TRY_AGAIN),
    }
}

/// A product's card, opened from catalog page `page`.
pub(super) async fn card<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    actor: Actor,
    product: ProductId,
    page: u32,
) -> Card {
    let found = state
        .pool
        .run(move |engine| {
            let product = engine.get_product(&actor, product)?;
            let available = engine.stock_of(&actor, product.id())?.total_available();
            let group = match actor.customer_id() {
                Some(me) => engine.get_customer(&actor, me)?.price_group(),
                None => PriceGroup::Retail,
            };
            Ok::<_, ordo_core::Error>((product, available, group))
        })
        .await;
    match found {
        Ok(Ok((product, available, group))) => render_card(&product, available, group, page),
        Ok(Err(error)) => Card {
            answer: catalog_refusal(&error),
            photo: None,
        },
        Err(_) => Card {
            answer: Answer::text(reply::TRY_AGAIN),
            photo: None,
        },
    }
}

/// A guest may not read the catalog: asked to log in; other refusals as usual.
fn catalog_refusal(error: &ordo_core::Error) -> Answer {
    match error.kind() {
        ordo_core::ErrorKind::Forbidden | ordo_core::ErrorKind::Unauthenticated => {
            Answer::text(reply::LOG_IN_FIRST)
        }
        _ => refusal(error),
    }
}

/// The active products of page `page` and whether more follow.
fn read_page<S: Store>(
    engine: &Engine<S>,
    actor: &Actor,
    page: u32,
) -> ordo_core::Result<(Vec<Product>, bool)> {
    let skip = (page.max(1) as usize - 1).saturating_mul(PAGE_SIZE);
    let wanted = skip.saturating_add(PAGE_SIZE + 1);
    let mut active = Vec::new();
    let mut after = None;
    let mut scanned = 0;
    while active.len() < wanted && scanned < MAX_SCANNED {
        let batch = engine.list_products(actor, after, BATCH)?;
        let count = batch.items.len() + batch.skipped.len();
        after = batch.items.last().map(Product::id).or(after);
        scanned += count;
        active.extend(batch.items.into_iter().filter(Product::is_active));
        if count < BATCH {
            break;
        }
    }
    let more = active.len() > skip + PAGE_SIZE;
    let shown = active.into_iter().skip(skip).take(PAGE_SIZE).collect();
    Ok((shown, more))
}

/// A page: one button per product, then ‹ Prev / Next ›.
fn render_page(page: u32, products: &[Product], more: bool) -> Answer {
    if products.is_empty() {
        return Answer::text(reply::CATALOG_EMPTY);
    }
    let mut rows: Vec<Vec<InlineKeyboardButton>> = products
        .iter()
        .map(|product| {
            vec![InlineKeyboardButton::callback(
                format!("{} — {}", product.name(), product.sku()),
                Callback::Product {
                    product: product.id(),
                    page,
                }
                .encode(),
            )]
        })
        .collect();
    let mut paging = Vec::new();
    if page > 1 {
        paging.push(InlineKeyboardButton::callback(
            "‹ Prev",
            Callback::CatalogPage(page - 1).encode(),
        ));
    }
    if more {
        paging.push(InlineKeyboardButton::callback(
            "Next ›",
            Callback::CatalogPage(page + 1).encode(),
        ));
    }
    if !paging.is_empty() {
        rows.push(paging);
    }
    Answer {
        text: reply::catalog_page(page, products),
        keyboard: Some(InlineKeyboardMarkup::new(rows)),
    }
}

/// A product's card.
fn render_card(product: &Product, available: u64, group: PriceGroup, page: u32) -> Card {
    let orderable = available > 0 || product.backorder() == BackorderPolicy::Allow;
    let mut rows = Vec::new();
    if orderable && product.is_active() {
        rows.push(
            ADD_QUANTITIES
                .into_iter()
                .map(|quantity| {
                    InlineKeyboardButton::callback(
                        format!("Add {quantity} to cart"),
                        Callback::AddToCart {
                            product: product.id(),
                            quantity,
                        }
                        .encode(),
                    )
                })
                .collect::<Vec<_>>(),
        );
    }
    rows.push(vec![
        InlineKeyboardButton::callback("‹ Catalog", Callback::CatalogPage(page).encode()),
        InlineKeyboardButton::callback("Cart", Callback::Cart.encode()),
    ]);
    let photo = product
        .media()
        .iter()
        .find(|m| m.kind == MediaKind::Photo)
        .map(|m| m.url.clone());
    Card {
        answer: Answer {
            text: reply::product_card(product, available, group),
            keyboard: Some(InlineKeyboardMarkup::new(rows)),
        },
        photo,
    }
}

/// A caption Telegram takes (the card's words cut to its limit).
pub(super) fn caption(text: &str) -> String {
    if text.chars().count() <= MAX_CAPTION_CHARS {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(MAX_CAPTION_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_caption_is_cut_to_telegrams_limit() {
        assert_eq!(caption("short"), "short");
        let long = "é".repeat(3000);
        let cut = caption(&long);
        assert_eq!(cut.chars().count(), MAX_CAPTION_CHARS);
        assert!(cut.ends_with('…'));
    }
}
