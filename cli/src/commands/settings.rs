//! `ordo settings …`: show and change the store's pricing settings, and their history.
//!
//! The settings live in the store, so every process (and every `ordo` command) prices
//! with the same ones; the engine allows changing them to administrators only and audits
//! every change.

use ordo_api::Request;
use ordo_api::request::{Nothing, SetSettings};
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
            let view: SettingsView = ctx.call(Request::SettingsGet(Nothing {}))?;
            ctx.out.show(&view, || tables::settings(&view))
        }
        SettingsCommand::Set { assignments } => {
            let before: SettingsView = ctx.call(Request::SettingsGet(Nothing {}))?;
            let view: SettingsView = ctx.call(Request::SettingsSet(SetSettings {
                changes: assignments,
            }))?;
            let changed: Vec<&String> = view
                .settings
                .iter()
                .filter(|(name, value)| before.settings.get(*name) != Some(value))
                .map(|(name, _)| name)
                .collect();
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
            let views: Vec<AuditEntryView> = ctx.call(Request::SettingsHistory(Nothing {}))?;
            ctx.out.show(&views, || tables::audit(&views))
        }
    }
}
