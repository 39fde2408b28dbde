//! How keys are spelled in the tables: a record kind's name, an audit subject's bytes, and
//! the labels errors name a value by.

use ordo_core::audit::Subject;
use ordo_core::store::RecordKind;

/// The `kind` column of a record kind. Stable: part of the schema.
pub(crate) fn kind_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Product => "product",
        RecordKind::Customer => "customer",
        RecordKind::Order => "order",
        RecordKind::Stock => "stock",
        RecordKind::Idempotency => "idempotency",
        RecordKind::User => "user",
        RecordKind::Session => "session",
        RecordKind::Throttle => "throttle",
        RecordKind::Message => "message",
        RecordKind::Settings => "settings",
        RecordKind::RateBucket => "rate_bucket",
        RecordKind::Delivery => "delivery",
        RecordKind::OrderWatch => "order_watch",
        RecordKind::PhoneSettings => "phone_settings",
        RecordKind::Ticket => "ticket",
        RecordKind::Shipment => "shipment",
        RecordKind::TelegramChat => "telegram_chat",
        RecordKind::Invoice => "invoice",
        RecordKind::Return => "return",
    }
}

/// `tag ‖ id` (big-endian) of an audit subject, with the sled layout's tags: 1 = order,
/// 2 = customer, 3 = product, 4 = staff user, 5 = settings (id 0), 6 = ticket,
/// 7 = shipment, 8 = invoice, 9 = return.
pub(crate) fn subject_bytes(subject: Subject) -> Vec<u8> {
    let (tag, id) = match subject {
        Subject::Order(id) => (1u8, id.0),
        Subject::Customer(id) => (2u8, id.0),
        Subject::Product(id) => (3u8, id.0),
        Subject::User(id) => (4u8, id.0),
        Subject::Settings => (5u8, 0),
        Subject::Ticket(id) => (6u8, id.0),
        Subject::Shipment(id) => (7u8, id.0),
        Subject::Invoice(number) => (8u8, number),
        Subject::Return(id) => (9u8, id.0),
    };
    let mut bytes = Vec::with_capacity(9);
    bytes.push(tag);
    bytes.extend_from_slice(&id.to_be_bytes());
    bytes
}

/// Lowercase hex, for labels.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How an error names a record row: `records/<kind>/<hex id>`.
pub(crate) fn record_label(kind: RecordKind, id: &[u8]) -> String {
    format!("records/{}/{}", kind_name(kind), hex(id))
}
