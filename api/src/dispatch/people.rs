//! `session.*`, `admin.init`, `user.*`, `settings.*` and `outbox.*`.

use ordo_core::Result;
use ordo_core::auth::Role;
use ordo_core::engine::DeliveryFilter;
use ordo_core::error::Error;
use ordo_core::ids::DeliveryId;
use ordo_core::pricing::PricingChange;
use ordo_core::ratelimit::{RateKey, RateLimit};
use ordo_core::store::Store;
use serde_json::Value;

use super::{Op, limit, value};
use crate::notifications;
use crate::request::Request;
use crate::views::{
    AckView, AuditEntryView, ListView, PasswordChangedView, SessionView, SettingsView,
    SignedOutView, StaffUserView, TakenView, WhoView, role_name,
};

pub(super) fn run<S: Store>(
    op: &Op<'_, S>,
    session: Option<&str>,
    request: Request,
) -> Result<Value> {
    let (engine, actor) = (op.engine, op.actor);
    match request {
        Request::SessionLogin(args) => value(&SessionView::new(
            &engine.login(&args.login, &args.password)?,
        )),
        Request::SessionLogout(args) => {
            let token = args.token.as_deref().or(session).ok_or_else(|| {
                Error::invalid(
                    "token",
                    "give the session token to end, or send the request with it",
                )
            })?;
            engine.logout(token)?;
            value(&SignedOutView { signed_out: true })
        }
        Request::SessionGet(_) => value(&WhoView {
            actor: actor.to_string(),
            role: role_name(actor.role()).to_string(),
            customer_id: actor.customer_id().map(|c| c.get()),
        }),
        Request::SessionChangePassword(args) => {
            engine.change_password(actor, &args.current, &args.new)?;
            value(&PasswordChangedView { changed: true })
        }
        Request::AdminInit(args) => value(&StaffUserView::new(&engine.init_admin(
            actor,
            &args.name,
            &args.login,
            &args.password,
        )?)),
        Request::UserAdd(args) => {
            let role = Role::parse(args.role.as_deref().unwrap_or(""))?;
            value(&StaffUserView::new(&engine.add_user(
                actor,
                &args.name,
                &args.login,
                role,
                &args.password,
            )?))
        }
        Request::UserList(args) => {
            let _ = limit(args.limit)?;
            let page = engine.list_users(actor)?;
            let items = page.items.iter().map(StaffUserView::new).collect();
            value(&ListView::new(&page, items))
        }
        Request::UserDisable(args) => value(&StaffUserView::new(
            &engine.disable_user(actor, &args.login)?,
        )),
        Request::UserSetRole(args) => {
            let role = Role::parse(&args.role)?;
            value(&StaffUserView::new(&engine.set_user_role(
                actor,
                &args.login,
                role,
            )?))
        }
        Request::SettingsGet(_) => value(&SettingsView::new(&engine.pricing_settings(actor)?)),
        Request::SettingsSet(args) => {
            let changes = args
                .changes
                .iter()
                .map(|text| PricingChange::parse(text))
                .collect::<Result<Vec<_>>>()?;
            value(&SettingsView::new(
                &engine.change_pricing_settings(actor, &changes)?,
            ))
        }
        Request::SettingsHistory(_) => {
            let entries = engine.settings_history(actor)?;
            value(&entries.iter().map(AuditEntryView::new).collect::<Vec<_>>())
        }
        Request::OutboxList(args) => {
            let filter = match (args.all, args.failed) {
                (true, _) => DeliveryFilter::All,
                (false, true) => DeliveryFilter::Problems,
                (false, false) => DeliveryFilter::Unsent,
            };
            let page = engine.list_deliveries(
                actor,
                filter,
                args.after.map(DeliveryId),
                args.limit.unwrap_or(100).min(1000),
            )?;
            let views = page
                .items
                .iter()
                .map(|delivery| notifications::render(engine, delivery))
                .collect::<Result<Vec<_>>>()?;
            value(&views)
        }
        Request::OutboxAck(args) => {
            // Every id must exist, or nothing is acknowledged (one write).
            let ids: Vec<DeliveryId> = args.ids.iter().copied().map(DeliveryId).collect();
            engine.acknowledge_deliveries(actor, &ids)?;
            value(&AckView {
                acknowledged: ids.len(),
            })
        }
        Request::OutboxRetry(args) => {
            let delivery = engine.retry_delivery(actor, DeliveryId(args.id))?;
            value(&notifications::render(engine, &delivery)?)
        }
        Request::RateTake(args) => {
            let key = RateKey::new(args.scope, &args.key)?;
            engine.take_rate(actor, &key, RateLimit::new(args.burst, args.refill_ms)?)?;
            value(&TakenView { allowed: true })
        }
        other => Err(super::misrouted(&other)),
    }
}
