//! Human output for operations: backup files, the notification outbox and the settings.

use super::{date_and_minutes, fields, table};
use crate::render::views::{BackupView, NotificationView, SettingsView};

/// The settings, one `name  value` line each, as `ordo settings set` names them.
pub fn settings(s: &SettingsView) -> String {
    let mut t = table(&["Setting", "Value"], &[]);
    for (name, value) in &s.settings {
        t.add_row(vec![name.clone(), value.clone()]);
    }
    t.add_row(vec!["tax.zero".to_string(), "0% (always)".to_string()]);
    let seller = if s.seller.is_none() {
        "\nNo seller yet: invoices and labels print a placeholder until \
         `ordo settings set seller.name=… seller.address=…`."
    } else {
        ""
    };
    format!(
        "{t}\nPickup is always free. Change with `ordo settings set NAME=VALUE` (admin only).{seller}"
    )
}

/// A backup file's header and entries per tree.
pub fn backup(b: &BackupView) -> String {
    let mut t = table(&["Tree", "Entries"], &[1]);
    for (tree, entries) in &b.trees {
        t.add_row(vec![tree.clone(), entries.to_string()]);
    }
    let summary = fields(&[
        ("File", b.file.clone()),
        ("Size", format!("{} bytes", b.bytes)),
        (
            "Format",
            format!("storage format {}", b.storage_format_version),
        ),
        ("Created", b.created_at.clone()),
        ("Entries", b.total_entries.to_string()),
    ]);
    if b.undecodable.is_empty() {
        return format!("{summary}\n{t}");
    }
    let mut bad = table(&["Does not decode", "Why"], &[]);
    for u in &b.undecodable {
        bad.add_row(vec![u.key.clone(), u.reason.clone()]);
    }
    let more = b
        .undecodable_count
        .saturating_sub(b.undecodable.len() as u64);
    let more = if more > 0 {
        format!("\n… and {more} more")
    } else {
        String::new()
    };
    format!("{summary}\n{t}\n{bad}{more}")
}

/// Notification deliveries, oldest first.
pub fn notifications(deliveries: &[NotificationView]) -> String {
    if deliveries.is_empty() {
        return "No notification deliveries waiting or failed.".into();
    }
    let mut t = table(&["Id", "When", "Event", "To", "Status", "Text"], &[0]);
    for n in deliveries {
        let status = match &n.last_error {
            Some(error) => format!("{} ({} attempts): {error}", n.status, n.attempts),
            None => n.status.clone(),
        };
        t.add_row(vec![
            n.id.to_string(),
            date_and_minutes(&n.at),
            n.event.clone(),
            n.to.clone(),
            status,
            n.text.clone(),
        ]);
    }
    format!(
        "{t}\n{} listed. `ordo serve` sends them; retry a failed one with: ordo outbox retry ID",
        deliveries.len()
    )
}
