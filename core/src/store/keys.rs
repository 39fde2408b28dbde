//! Byte encodings of index keys. Byte order equals logical order: integers big-endian,
//! timestamps with the sign bit flipped, text terminated by a 0 byte where an id follows.
//! These encodings are part of the on-disk format: never change one without a migration.

use crate::catalog::Sku;
use crate::clock::Timestamp;
use crate::credentials::LoginId;
use crate::customer::{Customer, CustomerStatus, Email, Phone, normalize_name};
use crate::delivery::{Delivery, DeliveryChannel, DeliveryStatus};
use crate::ids::{CustomerId, OrderId, OrderReference, ProductId, RegistrationId};
use crate::message::CommMessage;
use crate::order::{Order, OrderStatus};
use crate::registration::HandleHash;
use crate::returns::{Return, ReturnStatus};
use crate::shipment::{CarrierName, Shipment, TrackingNumber};
use crate::staff::StaffUser;
use crate::ticket::{Ticket, TicketStatus};

use super::{IndexEntry, IndexName};

/// Big-endian timestamp with the sign bit flipped, so negative times sort first.
pub fn timestamp(at: Timestamp) -> [u8; 8] {
    ((at.0 as u64) ^ (1 << 63)).to_be_bytes()
}

/// A Telegram chat id as an unsigned number whose big-endian bytes sort like the id
/// (group chats have negative ids).
pub fn chat_ordered(chat: i64) -> u64 {
    (chat as u64) ^ (1 << 63)
}

/// The chat id of [`chat_ordered`]'s number.
pub fn chat_from_ordered(number: u64) -> i64 {
    (number ^ (1 << 63)) as i64
}

/// The smallest key greater than every key starting with `prefix` (None if none exists).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Key for [`IndexName::OrderByReference`].
pub fn order_reference(reference: &OrderReference) -> Vec<u8> {
    reference.compact().to_vec()
}

/// Prefix of a customer's orders in [`IndexName::OrderByCustomer`].
pub fn order_customer_prefix(customer: CustomerId) -> Vec<u8> {
    customer.0.to_be_bytes().to_vec()
}

/// Prefix of one status in [`IndexName::OrderByStatus`].
pub fn order_status_prefix(status: OrderStatus) -> Vec<u8> {
    vec![status.code()]
}

fn join(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// Key for [`IndexName::ProductBySku`].
pub fn product_sku(sku: &Sku) -> Vec<u8> {
    sku.as_str().as_bytes().to_vec()
}

/// Key for [`IndexName::CustomerByPhone`].
pub fn customer_phone(phone: &Phone) -> Vec<u8> {
    phone.as_str().as_bytes().to_vec()
}

/// Key for [`IndexName::CustomerByEmail`].
pub fn customer_email(email: &Email) -> Vec<u8> {
    email.as_str().as_bytes().to_vec()
}

/// Keys for [`IndexName::CustomerByName`]: one per distinct word of the normalized name,
/// `word ‖ 0 ‖ id`, so a search for any word's beginning is a prefix scan.
pub fn customer_name_words(name: &str, id: CustomerId) -> Vec<Vec<u8>> {
    let normalized = normalize_name(name);
    let mut words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
    words.sort_unstable();
    words.dedup();
    words
        .into_iter()
        .map(|word| join(&[word.as_bytes(), &[0], &id.0.to_be_bytes()]))
        .collect()
}

/// The index entries of an order.
pub fn order_entries(order: &Order) -> Vec<IndexEntry> {
    let id = order.id();
    let created = timestamp(order.created_at());
    let id_bytes = id.0.to_be_bytes();
    let mut entries = vec![
        IndexEntry {
            index: IndexName::OrderByCustomer,
            key: join(&[&order.customer().0.to_be_bytes(), &created, &id_bytes]),
            id: id.0,
        },
        IndexEntry {
            index: IndexName::OrderByCreated,
            key: join(&[&created, &id_bytes]),
            id: id.0,
        },
        IndexEntry {
            index: IndexName::OrderByStatus,
            key: join(&[&[order.status().code()], &created, &id_bytes]),
            id: id.0,
        },
    ];
    if let Some(reference) = order.reference() {
        entries.push(IndexEntry {
            index: IndexName::OrderByReference,
            key: order_reference(reference),
            id: id.0,
        });
    }
    entries
}

/// The creation-time bounds `[from, to)` within a prefix, as index keys.
pub fn time_bounds(
    prefix: &[u8],
    from: Option<Timestamp>,
    to: Option<Timestamp>,
) -> (Vec<u8>, Option<Vec<u8>>) {
    let start = match from {
        Some(t) => join(&[prefix, &timestamp(t)]),
        None => prefix.to_vec(),
    };
    let end = match to {
        Some(t) => Some(join(&[prefix, &timestamp(t)])),
        None => prefix_end(prefix),
    };
    (start, end)
}

/// The ids encoded at the end of a key (last 8 bytes), if present.
pub fn trailing_id(key: &[u8]) -> Option<u64> {
    let start = key.len().checked_sub(8)?;
    let bytes: [u8; 8] = key.get(start..)?.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

/// Index entries of a product.
pub fn product_entries(id: ProductId, sku: &Sku) -> Vec<IndexEntry> {
    vec![IndexEntry {
        index: IndexName::ProductBySku,
        key: product_sku(sku),
        id: id.0,
    }]
}

/// Index entries of a customer: name words, phone, email, and login and Registration ID
/// once it has them.
pub fn customer_entries(customer: &Customer) -> Vec<IndexEntry> {
    let id = customer.id();
    let mut entries: Vec<IndexEntry> = customer_name_words(customer.name(), id)
        .into_iter()
        .map(|key| IndexEntry {
            index: IndexName::CustomerByName,
            key,
            id: id.0,
        })
        .collect();
    // A lapsed registration gives its phone and email back.
    if customer.status() != CustomerStatus::Expired {
        entries.push(IndexEntry {
            index: IndexName::CustomerByPhone,
            key: customer_phone(customer.phone()),
            id: id.0,
        });
        entries.push(IndexEntry {
            index: IndexName::CustomerByEmail,
            key: customer_email(customer.email()),
            id: id.0,
        });
    }
    if customer.status() == CustomerStatus::PendingVerification
        && let Some(handle) = customer.verification().and_then(|v| v.handle)
    {
        entries.push(IndexEntry {
            index: IndexName::RegistrationByHandle,
            key: registration_handle(&handle),
            id: id.0,
        });
    }
    if let Some(credentials) = customer.credentials() {
        entries.push(IndexEntry {
            index: IndexName::CustomerByLogin,
            key: login(&credentials.login),
            id: id.0,
        });
    }
    if let Some(registration) = customer.registration_id() {
        entries.push(IndexEntry {
            index: IndexName::CustomerByRegistration,
            key: registration.compact().to_vec(),
            id: id.0,
        });
    }
    entries
}

/// Key for [`IndexName::CustomerByLogin`] and [`IndexName::UserByLogin`].
pub fn login(login: &LoginId) -> Vec<u8> {
    login.as_str().as_bytes().to_vec()
}

/// Key for [`IndexName::RegistrationByHandle`]: the handle's SHA-256.
pub fn registration_handle(hash: &HandleHash) -> Vec<u8> {
    hash.0.to_vec()
}

/// Key for [`IndexName::CustomerByRegistration`].
pub fn registration(id: &RegistrationId) -> Vec<u8> {
    id.compact().to_vec()
}

/// Index entries of a staff user.
pub fn user_entries(user: &StaffUser) -> Vec<IndexEntry> {
    vec![IndexEntry {
        index: IndexName::UserByLogin,
        key: login(&user.credentials().login),
        id: user.id().0,
    }]
}

/// Index entries of a logged message: customer ‖ time ‖ id.
pub fn message_entries(message: &CommMessage) -> Vec<IndexEntry> {
    vec![IndexEntry {
        index: IndexName::MessageByCustomer,
        key: join(&[
            &message.customer.0.to_be_bytes(),
            &timestamp(message.at),
            &message.id.0.to_be_bytes(),
        ]),
        id: message.id.0,
    }]
}

/// Index entries of a delivery: its place in its channel's queue (while queued), its
/// status, and the provider's id for it (once sent).
pub fn delivery_entries(delivery: &Delivery) -> Vec<IndexEntry> {
    let id = delivery.id().0;
    let mut entries = vec![IndexEntry {
        index: IndexName::DeliveryByStatus,
        key: join(&[&[delivery.status().code()], &id.to_be_bytes()]),
        id,
    }];
    if delivery.status().queued() {
        entries.push(IndexEntry {
            index: IndexName::DeliveryQueue,
            key: join(&[
                &[delivery.channel().code()],
                &timestamp(delivery.not_before()),
                &id.to_be_bytes(),
            ]),
            id,
        });
    }
    if let Some(provider) = delivery.provider_id() {
        entries.push(IndexEntry {
            index: IndexName::DeliveryByProvider,
            key: provider.as_bytes().to_vec(),
            id,
        });
    }
    entries
}

/// The range of [`IndexName::DeliveryQueue`] a dispatcher of `channel` may claim at `now`.
pub fn delivery_queue_due(channel: DeliveryChannel, now: Timestamp) -> (Vec<u8>, Vec<u8>) {
    let start = vec![channel.code()];
    let end = join(&[
        &[channel.code()],
        &timestamp(Timestamp(now.0.saturating_add(1))),
    ]);
    (start, end)
}

/// Prefix of one status in [`IndexName::DeliveryByStatus`].
pub fn delivery_status_prefix(status: DeliveryStatus) -> Vec<u8> {
    vec![status.code()]
}

/// Prefix of a customer's messages in [`IndexName::MessageByCustomer`].
pub fn message_customer_prefix(customer: CustomerId) -> Vec<u8> {
    customer.0.to_be_bytes().to_vec()
}

/// Index entries of a ticket: `customer ‖ id`, `status ‖ id`, and `assignee ‖ id` and
/// `order ‖ id` when it has them. Every key ends with the ticket id, so each prefix lists
/// its tickets in id (opening) order.
pub fn ticket_entries(ticket: &Ticket) -> Vec<IndexEntry> {
    let id = ticket.id().0;
    let id_bytes = id.to_be_bytes();
    let mut entries = vec![
        IndexEntry {
            index: IndexName::TicketByCustomer,
            key: join(&[&ticket.customer().0.to_be_bytes(), &id_bytes]),
            id,
        },
        IndexEntry {
            index: IndexName::TicketByStatus,
            key: join(&[&[ticket.status().code()], &id_bytes]),
            id,
        },
    ];
    if let Some(user) = ticket.assignee() {
        entries.push(IndexEntry {
            index: IndexName::TicketByAssignee,
            key: join(&[&user.0.to_be_bytes(), &id_bytes]),
            id,
        });
    }
    if let Some(order) = ticket.order() {
        entries.push(IndexEntry {
            index: IndexName::TicketByOrder,
            key: join(&[&order.0.to_be_bytes(), &id_bytes]),
            id,
        });
    }
    entries
}

/// Prefix of one status in [`IndexName::TicketByStatus`].
pub fn ticket_status_prefix(status: TicketStatus) -> Vec<u8> {
    vec![status.code()]
}

/// Prefix of one id (customer, staff user or order) in [`IndexName::TicketByCustomer`],
/// [`IndexName::TicketByAssignee`] or [`IndexName::TicketByOrder`].
pub fn ticket_owner_prefix(id: u64) -> Vec<u8> {
    id.to_be_bytes().to_vec()
}

/// Index entries of a shipment: `order ‖ id` (an order's shipments in shipping order)
/// and the unique `carrier ‖ 0 ‖ tracking number`.
pub fn shipment_entries(shipment: &Shipment) -> Vec<IndexEntry> {
    let id = shipment.id().0;
    vec![
        IndexEntry {
            index: IndexName::ShipmentByOrder,
            key: join(&[&shipment.order().0.to_be_bytes(), &id.to_be_bytes()]),
            id,
        },
        IndexEntry {
            index: IndexName::ShipmentByTracking,
            key: shipment_tracking_key(shipment.carrier(), shipment.tracking()),
            id,
        },
    ]
}

/// Prefix of one order in [`IndexName::ShipmentByOrder`].
pub fn shipment_order_prefix(order: OrderId) -> Vec<u8> {
    order.0.to_be_bytes().to_vec()
}

/// Key in [`IndexName::ShipmentByTracking`]: carrier names never contain a 0 byte.
pub fn shipment_tracking_key(carrier: &CarrierName, tracking: &TrackingNumber) -> Vec<u8> {
    join(&[
        carrier.as_str().as_bytes(),
        &[0],
        tracking.as_str().as_bytes(),
    ])
}

/// Index entries of a return: the unique `order ‖ number` (its number among the order's
/// returns, 8 bytes), `customer ‖ id`, `status ‖ id`; each prefix lists its returns in
/// opening order.
pub fn return_entries(ret: &Return) -> Vec<IndexEntry> {
    let id = ret.id().0;
    let id_bytes = id.to_be_bytes();
    vec![
        IndexEntry {
            index: IndexName::ReturnByOrder,
            key: join(&[
                &ret.order().0.to_be_bytes(),
                &u64::from(ret.number()).to_be_bytes(),
            ]),
            id,
        },
        IndexEntry {
            index: IndexName::ReturnByCustomer,
            key: join(&[&ret.customer().0.to_be_bytes(), &id_bytes]),
            id,
        },
        IndexEntry {
            index: IndexName::ReturnByStatus,
            key: join(&[&[ret.status().code()], &id_bytes]),
            id,
        },
    ]
}

/// Prefix of one status in [`IndexName::ReturnByStatus`].
pub fn return_status_prefix(status: ReturnStatus) -> Vec<u8> {
    vec![status.code()]
}

/// Prefix of one order or customer in [`IndexName::ReturnByOrder`] or
/// [`IndexName::ReturnByCustomer`].
pub fn return_owner_prefix(id: u64) -> Vec<u8> {
    id.to_be_bytes().to_vec()
}

/// The order id at the end of an order index key.
pub fn order_id_of(key: &[u8]) -> Option<OrderId> {
    trailing_id(key).map(OrderId)
}

/// Key in [`IndexName::InvoiceByOrder`]: the order id, big-endian.
pub fn invoice_order_key(order: crate::ids::OrderId) -> Vec<u8> {
    order.0.to_be_bytes().to_vec()
}

/// The index entries of an invoice.
pub fn invoice_entries(invoice: &crate::invoice::Invoice) -> Vec<IndexEntry> {
    vec![IndexEntry {
        index: IndexName::InvoiceByOrder,
        key: invoice_order_key(invoice.order()),
        id: invoice.number(),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_sort_as_bytes() {
        let times = [i64::MIN, -5, 0, 1, 1_700_000_000_000, i64::MAX];
        for pair in times.windows(2) {
            assert!(timestamp(Timestamp(pair[0])) < timestamp(Timestamp(pair[1])));
        }
    }

    #[test]
    fn chat_ids_sort_as_bytes_and_round_trip() {
        let chats = [i64::MIN, -1_001_234, -1, 0, 1, 777_001, i64::MAX];
        for pair in chats.windows(2) {
            assert!(chat_ordered(pair[0]).to_be_bytes() < chat_ordered(pair[1]).to_be_bytes());
        }
        for chat in chats {
            assert_eq!(chat_from_ordered(chat_ordered(chat)), chat);
        }
    }

    #[test]
    fn prefix_end_is_the_next_prefix() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[1, 255]), Some(vec![2]));
        assert_eq!(prefix_end(&[255, 255]), None);
        assert_eq!(prefix_end(b""), None);
    }

    #[test]
    fn trailing_ids_decode() {
        let keys = customer_name_words("Ada  ada LOVELACE", CustomerId(42));
        assert_eq!(keys.len(), 2);
        assert!(keys[0].starts_with(b"ada\0"));
        assert_eq!(trailing_id(&keys[1]), Some(42));
        assert_eq!(trailing_id(b"short"), None);
    }
}
