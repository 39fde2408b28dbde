//! Staff commands that send files, beyond the order ones in `bot`:
//!
//! - `/picklist WAREHOUSE`: the engine's pick list (`Engine::pick_list`, the call behind
//!   the contract's `picklist` that `ordo picklist` makes; the permission matrix decides
//!   who may: `Fulfil`) as the PDF `ordo picklist --pdf` writes (`ordo-documents`), sent
//!   as a document with a one-line caption, or a plain message when nothing is ready to
//!   pick there.
//! - `/report [sales] [today|7d|30d]`: the sales of the last days up to today (UTC days),
//!   from the engine's report (`ViewReports`): the totals as text, then the chart
//!   `ordo report sales --chart` draws (`ordo_documents::chart`, revenue and orders per
//!   day) as a photo. A photo rather than a document: the chart is shown in the chat at a
//!   glance, without a tap to open a file, and a 1000 × 600 image is well within what
//!   Telegram shows uncropped (it re-encodes photos, which a bar chart survives). The
//!   chart is drawn on a blocking thread (`spawn_blocking`), never on the runtime's
//!   workers; if it cannot be drawn the text still goes.
//!
//! A chat that is not linked is asked to log in; a refusal is the engine's, worded like
//! every other staff command's.

use ordo_api::report_views::SalesView;
use ordo_api::views::PickListView;
use ordo_core::auth::Actor;
use ordo_core::clock::{Clock, DAY_MS, SystemClock};
use ordo_core::inventory::WarehouseCode;
use ordo_core::report::ReportGroup;
use ordo_core::store::Store;
use teloxide::prelude::*;

use super::bot::{Answer, BotState, refusal, send};
use super::command::{Argument, TelegramCommand};
use super::reply;
use super::upload::{self, Upload, UploadKind};

/// What a staff command sends: words, a file, or both (words first).
pub(super) struct Delivery {
    /// A message.
    pub(super) answer: Option<Answer>,
    /// A file after it.
    pub(super) upload: Option<Upload>,
}

impl Delivery {
    /// Only words.
    fn text(text: impl Into<String>) -> Delivery {
        Delivery::answer(Answer::text(text))
    }

    /// Only a message.
    fn answer(answer: Answer) -> Delivery {
        Delivery {
            answer: Some(answer),
            upload: None,
        }
    }

    /// Only a file.
    fn file(upload: Upload) -> Delivery {
        Delivery {
            answer: None,
            upload: Some(upload),
        }
    }
}

/// `/picklist` or `/report` from `chat`, acting as `actor` (`None`: not linked): the
/// engine decides, the words and the file go to that chat. Returns what was sent, as the
/// communication log keeps it (a file by kind, name and size).
///
/// # Errors
/// The Bot API's refusal of a message or of the file.
pub(super) async fn answer<S: Store + Send + Sync + 'static>(
    bot: &Bot,
    state: &BotState<S>,
    chat: ChatId,
    actor: Option<Actor>,
    command: TelegramCommand,
) -> ResponseResult<String> {
    let delivery = match (actor, command) {
        (None, _) => Delivery::text(reply::LOG_IN_FIRST),
        (Some(actor), TelegramCommand::Picklist(warehouse)) => {
            picklist(state, actor, warehouse).await
        }
        (Some(actor), TelegramCommand::Report(days)) => report(state, actor, days).await,
        (Some(_), _) => Delivery::text(reply::HELP),
    };
    deliver(bot, state, chat, delivery).await
}

/// Sends the words, then the file; returns what was sent for the communication log.
async fn deliver<S: Store + Send + Sync + 'static>(
    bot: &Bot,
    state: &BotState<S>,
    chat: ChatId,
    delivery: Delivery,
) -> ResponseResult<String> {
    let mut shown = Vec::new();
    if let Some(answer) = delivery.answer {
        send(bot, &state.pacer, chat, &answer.text, answer.keyboard).await?;
        shown.push(answer.text);
    }
    if let Some(file) = delivery.upload {
        upload::send(bot, &state.pacer, chat, &file).await?;
        shown.push(format!("[{}] {}", file.describe(), file.caption));
    }
    Ok(shown.join("\n"))
}

/// `/picklist WAREHOUSE`.
async fn picklist<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    actor: Actor,
    warehouse: Argument<WarehouseCode>,
) -> Delivery {
    let warehouse = match warehouse {
        Argument::Valid(warehouse) => warehouse,
        Argument::Missing => return Delivery::text(reply::usage("picklist", "WAREHOUSE")),
        Argument::Invalid(word) => return Delivery::text(reply::not_a_warehouse(&word)),
    };
    // The PDF is drawn on the pool's blocking thread too, never on the runtime's.
    let made = state
        .pool
        .run(move |engine| {
            let view = PickListView::new(&engine.pick_list(&actor, &warehouse)?);
            let pdf = (!view.rows.is_empty()).then(|| ordo_documents::picklist_pdf(&view));
            Ok::<_, ordo_core::Error>((view, pdf))
        })
        .await;
    match made {
        Ok(Ok((view, Some(pdf)))) => {
            let units = view.rows.iter().map(|row| row.quantity).sum();
            Delivery::file(Upload {
                kind: UploadKind::Document,
                name: format!("picklist-{}.pdf", view.warehouse),
                bytes: pdf,
                caption: reply::picklist_caption(
                    &view.warehouse,
                    view.rows.len(),
                    units,
                    view.orders,
                ),
            })
        }
        Ok(Ok((view, None))) => Delivery::text(reply::nothing_to_pick(&view.warehouse)),
        Ok(Err(error)) => Delivery::answer(refusal(&error)),
        Err(_) => Delivery::text(reply::TRY_AGAIN),
    }
}

/// `/report`: sales of the last `days` days (today when none were named).
async fn report<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    actor: Actor,
    days: Argument<u32>,
) -> Delivery {
    let days = match days {
        Argument::Valid(days) => days,
        Argument::Missing => 1,
        Argument::Invalid(_) => {
            return Delivery::text(reply::usage("report", "sales today|7d|30d"));
        }
    };
    let to = SystemClock.now();
    let from = to.plus_ms(-(i64::from(days) - 1) * DAY_MS);
    let found = state
        .pool
        .run(move |engine| engine.sales_report(&actor, from, to, ReportGroup::Day))
        .await;
    match found {
        Ok(Ok(report)) => Delivery {
            answer: Some(Answer::text(reply::sales(days, &report))),
            upload: sales_chart(days, SalesView::new(&report)).await,
        },
        Ok(Err(error)) => Delivery::answer(refusal(&error)),
        Err(_) => Delivery::text(reply::TRY_AGAIN),
    }
}

/// The sales chart as a PNG photo, drawn on a blocking thread; `None` (logged) if it
/// cannot be drawn.
async fn sales_chart(days: u32, view: SalesView) -> Option<Upload> {
    let drawn = tokio::task::spawn_blocking(move || {
        ordo_documents::chart::png(&ordo_documents::chart::sales_chart(&view))
    })
    .await;
    let bytes = match drawn {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(error)) => {
            tracing::warn!(%error, "the sales chart could not be drawn");
            return None;
        }
        Err(error) => {
            tracing::warn!(%error, "the sales chart could not be drawn");
            return None;
        }
    };
    let period = if days == 1 {
        "today".to_string()
    } else {
        format!("{days}d")
    };
    Some(Upload {
        kind: UploadKind::Photo,
        name: format!("sales-{period}.png"),
        bytes,
        caption: reply::sales_caption(days),
    })
}
