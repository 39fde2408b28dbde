//! Staff commands beyond the order ones in `bot`: `/report [sales] [today|7d|30d]`, the
//! sales of the last days up to today (UTC days), from the engine's report (the
//! permission matrix decides who may see it: `ViewReports`).

use ordo_core::auth::Actor;
use ordo_core::clock::{Clock, DAY_MS, SystemClock};
use ordo_core::report::ReportGroup;
use ordo_core::store::Store;

use super::bot::{Answer, BotState, refusal};
use super::command::Argument;
use super::reply;

/// `/report`: sales of the last `days` days (today when none were named).
pub(super) async fn report<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    actor: Actor,
    days: Argument<u32>,
) -> Answer {
    let days = match days {
        Argument::Valid(days) => days,
        Argument::Missing => 1,
        Argument::Invalid(_) => return Answer::text(reply::usage("report", "sales today|7d|30d")),
    };
    let to = SystemClock.now();
    let from = to.plus_ms(-(i64::from(days) - 1) * DAY_MS);
    let found = state
        .pool
        .run(move |engine| engine.sales_report(&actor, from, to, ReportGroup::Day))
        .await;
    match found {
        Ok(Ok(report)) => Answer::text(reply::sales(days, &report)),
        Ok(Err(error)) => refusal(&error),
        Err(_) => Answer::text(reply::TRY_AGAIN),
    }
}
