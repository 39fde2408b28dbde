//! `ordo settings …`: show and change the store's pricing settings, and their history.
//!
//! The settings live in the store, so every process (and every `ordo` command) prices
//! with the same ones; the engine allows changing them to administrators only and audits
//! every change.

use ordo_core::pricing::PricingChange;
use ordo_core::store::Store;

use crate::args::SettingsCommand;
use crate::context::Context;
use crate::render::tables;
use crate::render::views::{AuditEntryView, SettingsView};

/// Runs one settings subcommand.
///
/// # Errors
/// `Validation` (exit 3) for a malformed or out-of-range setting; `Forbidden` (exit 6)
/// for changes by anyone but an administrator, or reads by roles that may not read the
/// catalog; storage errors.
pub fn run<S: Store>(ctx: &Context<S>, command: SettingsCommand) -> anyhow::Result<()> {
    match command {
        SettingsCommand::Show => {
            let view = SettingsView::new(&ctx.engine.pricing_settings(&ctx.actor)?);
            ctx.out.show(&view, || tables::settings(&view))
        }
        SettingsCommand::Set { assignments } => {
            let changes = assignments
                .iter()
                .map(|text| PricingChange::parse(text))
                .collect::<ordo_core::Result<Vec<_>>>()?;
            let before = ctx.engine.pricing_settings(&ctx.actor)?;
            let after = ctx.engine.change_pricing_settings(&ctx.actor, &changes)?;
            let changed = after.diff(&before);
            let view = SettingsView::new(&after);
            ctx.out.show(&view, || {
                let summary = match changed.len() {
                    0 => "Nothing changed: every setting already had that value.".to_string(),
                    1 => "Changed 1 setting.".to_string(),
                    n => format!("Changed {n} settings."),
                };
                format!("{summary}\n\n{}", tables::settings(&view))
            })
        }
        SettingsCommand::History => {
            let entries = ctx.engine.settings_history(&ctx.actor)?;
            let views: Vec<AuditEntryView> = entries.iter().map(AuditEntryView::new).collect();
            ctx.out.show(&views, || tables::audit(&views))
        }
    }
}
