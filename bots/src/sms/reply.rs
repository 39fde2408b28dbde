//! The words of every SMS reply, composed from what the engine returned, within
//! [`MAX_PARTS`] segments: long lists keep as many whole lines as fit and end with
//! "+N more, reply ORDERS". Pure functions; the privacy rule is the engine's (an order the
//! sender may not see arrives here as `None`, and is worded exactly as one that does not
//! exist).

use ordo_core::clock::Timestamp;
use ordo_core::ids::OrderReference;
use ordo_core::order::{Order, OrderStatus};

use super::segments;

/// The most segments one reply may cost.
pub const MAX_PARTS: usize = 3;

/// What to send for `HELP`, and for anything not understood.
pub const HELP: &str = "ordo order updates: text TRACK and your order references (e.g. TRACK ORD-7K3M-Q9TX), ORDERS for your open orders, SUB or UNSUB and a reference for texts on every change. STOP to opt out.";

/// What to send for a text that is not a command.
pub const UNKNOWN: &str = "Sorry, we did not understand. Text TRACK and your order reference (e.g. TRACK ORD-7K3M-Q9TX), ORDERS, or HELP.";

/// What to send after `START`.
pub const OPTED_IN: &str = "You will get texts from us again. Text HELP for help, STOP to opt out.";

/// One line about one order the sender may see.
pub fn order_line(order: &Order) -> String {
    let reference = order
        .reference()
        .map_or_else(|| format!("order {}", order.id()), ToString::to_string);
    let status = order.status();
    let since = order
        .status_history()
        .last()
        .map(|(_, at)| short_time(*at))
        .unwrap_or_default();
    let next = next_step(status);
    format!("{reference}: {status} since {since}. {next}")
}

/// The line for a reference the sender may not see or that does not exist: one wording
/// for both.
pub fn unknown_line(reference: &OrderReference) -> String {
    format!("{reference}: no order found with this reference.")
}

/// What comes next for an order in `status`.
fn next_step(status: OrderStatus) -> &'static str {
    use OrderStatus::*;
    match status {
        Draft => "Not placed yet.",
        Placed => "Next: we confirm it.",
        Confirmed => "Next: we pick it.",
        Picking => "Next: we pack it.",
        Packed => "Next: it ships.",
        PartiallyShipped => "Part has shipped; the rest follows.",
        Shipped => "Next: delivery.",
        Delivered => "Delivered.",
        Cancelled => "Cancelled.",
    }
}

/// `2026-12-01 14:03 UTC`.
fn short_time(at: Timestamp) -> String {
    let text = at.to_string();
    // RFC 3339 `2026-12-01T14:03:05Z` → `2026-12-01 14:03 UTC`.
    match (text.get(..10), text.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => text,
    }
}

/// The reply to `TRACK`: one line per reference (in the order asked), the invalid words,
/// and a count of those not looked at; cut to whole lines within [`MAX_PARTS`].
pub fn track(
    found: &[(OrderReference, Option<Order>)],
    invalid: &[String],
    too_many: usize,
) -> String {
    let mut lines: Vec<String> = found
        .iter()
        .map(|(reference, order)| match order {
            Some(order) => order_line(order),
            None => unknown_line(reference),
        })
        .collect();
    lines.extend(
        invalid
            .iter()
            .map(|word| format!("{word}: not a valid order reference.")),
    );
    if lines.is_empty() {
        return UNKNOWN.to_string();
    }
    fit_lines(&lines, too_many, "reply TRACK with fewer references")
}

/// The reply to `ORDERS`: the sender's open orders, newest first.
pub fn orders(open: &[Order]) -> String {
    if open.is_empty() {
        return "You have no open orders with us.".to_string();
    }
    let lines: Vec<String> = open.iter().map(order_line).collect();
    fit_lines(&lines, 0, "reply ORDERS")
}

/// The reply to `SUB` / `UNSUB` (`order` is `None` for a reference the sender may not see).
pub fn watch(reference: &OrderReference, order: Option<&Order>, on: bool) -> String {
    match (order, on) {
        (Some(_), true) => {
            format!(
                "You will get a text on every status change of {reference}. UNSUB {reference} to stop."
            )
        }
        (Some(_), false) => format!("No more texts about {reference}."),
        (None, _) => unknown_line(reference),
    }
}

/// As many whole `lines` as fit in [`MAX_PARTS`] with a "+N more" tail when some do not
/// (`hidden` more were never looked at); `more` says what to do about the rest.
fn fit_lines(lines: &[String], hidden: usize, more: &str) -> String {
    for shown in (1..=lines.len()).rev() {
        let left = lines.len() - shown + hidden;
        let mut text = lines[..shown].join("\n");
        if left > 0 {
            text.push_str(&format!("\n+{left} more, {more}."));
        }
        if segments::fit(&text, MAX_PARTS) {
            return text;
        }
    }
    // Not even one line fits (it cannot: a line is short); say how many there are.
    format!("{} orders, {more}.", lines.len() + hidden)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordo_core::random::SeededRandom;

    fn reference(seed: u8) -> OrderReference {
        OrderReference::generate(&SeededRandom::from_seed([seed; 32]))
    }

    #[test]
    fn an_unknown_reference_and_a_foreign_one_read_the_same() {
        let r = reference(1);
        let reply = track(&[(r.clone(), None)], &[], 0);
        assert_eq!(reply, format!("{r}: no order found with this reference."));
        assert_eq!(watch(&r, None, true), unknown_line(&r));
    }

    #[test]
    fn many_references_stay_within_three_segments_and_say_how_many_more() {
        let found: Vec<_> = (0..10).map(|n| (reference(n), None)).collect();
        let reply = track(&found, &["XYZ".into()], 4);
        assert!(segments::fit(&reply, MAX_PARTS), "{reply}");
        assert!(
            reply.contains(" more, reply TRACK with fewer references."),
            "{reply}"
        );
        // Nothing lost: the lines shown plus the count equal what was asked.
        let shown = reply.lines().count() - 1;
        let more: usize = reply
            .lines()
            .last()
            .and_then(|l| l.strip_prefix('+'))
            .and_then(|l| l.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert_eq!(shown + more, 10 + 1 + 4);
    }

    #[test]
    fn a_short_list_is_whole() {
        let found: Vec<_> = (0..2).map(|n| (reference(n), None)).collect();
        let reply = track(&found, &[], 0);
        assert_eq!(reply.lines().count(), 2);
        assert!(!reply.contains("more"));
        assert_eq!(track(&[], &[], 0), UNKNOWN);
    }

    #[test]
    fn every_fixed_reply_fits_in_one_or_two_segments() {
        for text in [HELP, UNKNOWN, OPTED_IN] {
            assert!(segments::fit(text, 2), "{text}");
        }
        assert_eq!(orders(&[]), "You have no open orders with us.");
    }
}
