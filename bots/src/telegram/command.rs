//! What a Telegram message or button press asks for: [`parse`] turns a message's text into
//! one [`TelegramCommand`], [`Callback::encode`] / [`Callback::decode`] carry a button's
//! meaning in its callback data. Pure, total (every input gets an answer, never a panic)
//! and bounded.
//!
//! # Messages
//!
//! A text starting with `/` is a command: its first word, with any `@botname` suffix
//! removed, compared in ASCII lower case (`/Track@ordo_bot` is `/track`). The rest of the
//! text is its arguments:
//!
//! - `/start`, `/help`, `/register`, `/logout`, `/orders`, `/cart`, `/tickets`,
//!   `/resend`: no arguments (any are ignored).
//! - `/login LOGIN PASSWORD`: the first word is the login id, the rest of the text (spaces
//!   inside kept, ends trimmed) the password, held in a [`SecretText`] that never prints.
//!   `/login` alone starts the guided flow ([`TelegramCommand::Login`] with `None`); a
//!   login without a password is the guided flow's second step.
//! - `/track REF …`: read with the SMS channel's reference grammar
//!   ([`crate::sms::command::parse_track_arguments`]: every spelling, de-duplicated, at
//!   most [`MAX_REFERENCES`], typos reported). `/track` with no reference is a `Track`
//!   with empty lists (the reply says how to use it).
//! - `/cancel REF`, `/order REF`: one reference; [`Argument::Missing`] when none was
//!   given, [`Argument::Invalid`] (shortened, upper case) when it is not a valid one.
//! - `/status REF NEW_STATUS`: a reference and an [`OrderStatus`] name.
//! - `/find TEXT`: the rest of the text, trimmed, at most [`MAX_FIND_CHARS`] characters.
//! - `/catalog [PAGE]`: a page number from 1 (default 1, at most [`MAX_PAGE`]).
//! - `/picklist WAREHOUSE`: a warehouse code ([`WarehouseCode`], upper-cased);
//!   [`Argument::Invalid`] when it is not one (more than 16 characters, other than
//!   letters, digits and `-`).
//! - Any other `/word` is [`TelegramCommand::Unknown`].
//!
//! A text that is not a command and is made only of order references (by the SMS rule:
//! unambiguous spellings only, so `DELIVERY` is not a mistyped reference) is a
//! [`TelegramCommand::Track`]; any other text is [`TelegramCommand::Text`] for the
//! dialogue in progress (a registration's answer, a delivery address) to read.
//!
//! A message longer than Telegram's 4096 characters cannot arrive; one that does anyway
//! is [`TelegramCommand::Unknown`] without being read further.
//!
//! # Callback data
//!
//! Telegram gives a button 1–64 bytes of callback data, and a callback may arrive without
//! the message it came from, so the data carries every id the handler needs. The form is
//! `VERSION:KIND[:FIELD…]`, version [`CALLBACK_VERSION`], numbers in decimal without
//! leading zeros, references in their canonical `ORD-XXXX-XXXX` form. Decoding is strict:
//! exactly one spelling decodes to each [`Callback`] (`decode(s) == Some(c)` implies
//! `encode(c) == s`), and data of another version, an unknown kind or a malformed field
//! decodes to `None` (the button is stale: the handler answers "please try again").

use ordo_core::ids::{OrderId, OrderReference, ProductId};
use ordo_core::inventory::WarehouseCode;
use ordo_core::order::OrderStatus;
use ordo_core::pricing::ShippingMethod;
use ordo_core::shipment::{CarrierName, TrackingNumber};

use crate::sms::command::{self as sms, SmsCommand};

/// Telegram delivers message texts of at most this many characters.
pub const MAX_TEXT_CHARS: usize = 4096;

/// At most this many distinct references are looked at in one `/track` (the SMS cap).
pub const MAX_REFERENCES: usize = sms::MAX_REFERENCES;

/// `/find` keeps at most this many characters of its query.
pub const MAX_FIND_CHARS: usize = 100;

/// The highest catalog page a command or button may name.
pub const MAX_PAGE: u32 = 10_000;

/// The most units one Add-to-cart button adds.
pub const MAX_BUTTON_QUANTITY: u32 = 99;

/// Telegram's limit on callback data, in bytes.
pub const MAX_CALLBACK_BYTES: usize = 64;

/// The version written first in every callback data this build encodes.
pub const CALLBACK_VERSION: u8 = 1;

/// An invalid argument is echoed back with at most this many characters.
const MAX_ECHO_CHARS: usize = 20;

/// Text that must not be printed or logged (a password typed into the chat). Its `Debug`
/// is `<redacted>`; it does not implement `Display` or `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(String);

impl SecretText {
    /// Wraps a secret.
    pub fn new(text: String) -> SecretText {
        SecretText(text)
    }

    /// The secret itself, for the one call that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A single-reference argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Argument<T> {
    /// Given and valid.
    Valid(T),
    /// Not given.
    Missing,
    /// Given but not valid: the word as written (ASCII upper case, shortened).
    Invalid(String),
}

/// The login id and password of `/login`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginAttempt {
    /// The login id as typed (the engine parses it).
    pub login: String,
    /// The password, if the message carried one.
    pub password: Option<SecretText>,
}

/// What one message asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TelegramCommand {
    /// `/start`: the welcome, with Register / Log in for a chat that is not linked.
    Start,
    /// `/help`.
    Help,
    /// `/register`: starts the guided registration.
    Register,
    /// `/login [LOGIN [PASSWORD]]`; `None` starts the guided flow.
    Login(Option<LoginAttempt>),
    /// `/logout`: unlinks the chat.
    Logout,
    /// `/track REF …` or a text of references only.
    Track {
        /// Valid references, distinct, in the order written.
        references: Vec<OrderReference>,
        /// Words meant as references that are not valid ones (upper case, shortened).
        invalid: Vec<String>,
        /// How many further distinct references were named beyond [`MAX_REFERENCES`].
        too_many: usize,
    },
    /// `/orders`: my orders with their status.
    Orders,
    /// `/cancel REF`.
    Cancel(Argument<OrderReference>),
    /// `/catalog [PAGE]` (pages from 1).
    Catalog(u32),
    /// `/cart`: the Draft order being filled.
    Cart,
    /// Staff: `/find TEXT` (a name, a reference or a phone).
    Find(String),
    /// Staff: `/order REF`, the order in full.
    Order(Argument<OrderReference>),
    /// Staff: `/status REF NEW_STATUS`.
    Status {
        /// The order.
        reference: Argument<OrderReference>,
        /// The status it should move to.
        status: Argument<OrderStatus>,
    },
    /// Staff: `/tickets`, the open service tickets.
    Tickets,
    /// Text that is no command: an answer to the dialogue in progress.
    Text(String),
    /// A command this bot does not know, or an over-long message.
    Unknown,
    /// Staff: `/report [sales] [today|1d|7d|30d]`, sales of the last days up to today
    /// (today when no period is named).
    Report(Argument<u32>),
    /// Staff: `/ship REF CARRIER TRACKING`, every unit left of a packed order handed to
    /// the carrier under that tracking number.
    Ship {
        /// The order.
        reference: Argument<OrderReference>,
        /// The carrier (`dhl`, `ups`, …).
        carrier: Argument<CarrierName>,
        /// The carrier's tracking number.
        tracking: Argument<TrackingNumber>,
    },
    /// Staff: `/picklist WAREHOUSE`, the pick list of a warehouse as a PDF document.
    Picklist(Argument<WarehouseCode>),
    /// `/resend`: a registration waiting for its SMS code asks for a fresh one.
    Resend,
}

/// Reads a message's text; see the module documentation. Never panics.
pub fn parse(text: &str) -> TelegramCommand {
    if text.chars().nth(MAX_TEXT_CHARS).is_some() {
        return TelegramCommand::Unknown;
    }
    let trimmed = text.trim();
    let Some(after_slash) = trimmed.strip_prefix('/') else {
        return free_text(trimmed);
    };
    let (word, arguments) = split_word(after_slash);
    let name = word
        .split('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match name.as_str() {
        "start" => TelegramCommand::Start,
        "help" => TelegramCommand::Help,
        "register" => TelegramCommand::Register,
        "login" => login(arguments),
        "logout" => TelegramCommand::Logout,
        "track" => track(arguments),
        "orders" => TelegramCommand::Orders,
        "cancel" => TelegramCommand::Cancel(reference(first_word(arguments))),
        "catalog" => catalog(arguments),
        "cart" => TelegramCommand::Cart,
        "find" => find(arguments),
        "order" => TelegramCommand::Order(reference(first_word(arguments))),
        "status" => status(arguments),
        "tickets" => TelegramCommand::Tickets,
        "report" => report(arguments),
        "ship" => ship(arguments),
        "picklist" => picklist(first_word(arguments)),
        "resend" => TelegramCommand::Resend,
        _ => TelegramCommand::Unknown,
    }
}

/// A text with no command: references only → `Track`, anything else → `Text`.
fn free_text(text: &str) -> TelegramCommand {
    match sms::parse(text) {
        SmsCommand::Track {
            references,
            invalid,
            too_many,
        } => TelegramCommand::Track {
            references,
            invalid,
            too_many,
        },
        SmsCommand::Orders
        | SmsCommand::Subscribe(_)
        | SmsCommand::Unsubscribe(_)
        | SmsCommand::Help
        | SmsCommand::OptOut
        | SmsCommand::OptIn
        | SmsCommand::Unknown => TelegramCommand::Text(text.to_owned()),
    }
}

/// The first whitespace-separated word and the rest (trimmed at its start).
fn split_word(text: &str) -> (&str, &str) {
    match text.find(char::is_whitespace) {
        Some(at) => {
            let (word, rest) = text.split_at(at);
            (word, rest.trim_start())
        }
        None => (text, ""),
    }
}

/// The first word of the arguments, if any.
fn first_word(arguments: &str) -> Option<&str> {
    let (word, _) = split_word(arguments);
    (!word.is_empty()).then_some(word)
}

/// `/login`'s arguments.
fn login(arguments: &str) -> TelegramCommand {
    let (login, rest) = split_word(arguments);
    if login.is_empty() {
        return TelegramCommand::Login(None);
    }
    let password = rest.trim();
    TelegramCommand::Login(Some(LoginAttempt {
        login: login.to_owned(),
        password: (!password.is_empty()).then(|| SecretText::new(password.to_owned())),
    }))
}

/// `/track`'s arguments, by the SMS grammar.
fn track(arguments: &str) -> TelegramCommand {
    match sms::parse_track_arguments(arguments) {
        SmsCommand::Track {
            references,
            invalid,
            too_many,
        } => TelegramCommand::Track {
            references,
            invalid,
            too_many,
        },
        SmsCommand::Orders
        | SmsCommand::Subscribe(_)
        | SmsCommand::Unsubscribe(_)
        | SmsCommand::Help
        | SmsCommand::OptOut
        | SmsCommand::OptIn
        | SmsCommand::Unknown => TelegramCommand::Track {
            references: Vec::new(),
            invalid: Vec::new(),
            too_many: 0,
        },
    }
}

/// One reference argument.
fn reference(word: Option<&str>) -> Argument<OrderReference> {
    match word {
        None => Argument::Missing,
        Some(word) => OrderReference::parse(word)
            .map_or_else(|_| Argument::Invalid(echo(word)), Argument::Valid),
    }
}

/// `/status REF NEW_STATUS`.
fn status(arguments: &str) -> TelegramCommand {
    let (first, rest) = split_word(arguments);
    let reference = reference((!first.is_empty()).then_some(first));
    let status = match first_word(rest) {
        None => Argument::Missing,
        Some(word) => {
            OrderStatus::parse(word).map_or_else(|_| Argument::Invalid(echo(word)), Argument::Valid)
        }
    };
    TelegramCommand::Status { reference, status }
}

/// `/catalog [PAGE]`: a bad or missing page is page 1.
fn catalog(arguments: &str) -> TelegramCommand {
    let page = first_word(arguments)
        .and_then(|word| word.parse::<u32>().ok())
        .filter(|page| (1..=MAX_PAGE).contains(page))
        .unwrap_or(1);
    TelegramCommand::Catalog(page)
}

/// `/report [sales] [today|1d|7d|30d]`: how many days of sales.
fn report(arguments: &str) -> TelegramCommand {
    let mut words = arguments.split_whitespace();
    let mut word = words.next();
    if word.is_some_and(|w| w.eq_ignore_ascii_case("sales")) {
        word = words.next();
    }
    TelegramCommand::Report(match word.map(str::to_ascii_lowercase).as_deref() {
        None => Argument::Missing,
        Some("today" | "1d") => Argument::Valid(1),
        Some("7d") => Argument::Valid(7),
        Some("30d") => Argument::Valid(30),
        Some(other) => Argument::Invalid(echo(other)),
    })
}

/// `/ship REF CARRIER TRACKING`.
fn ship(arguments: &str) -> TelegramCommand {
    let mut words = arguments.split_whitespace();
    let reference = reference(words.next());
    let carrier = match words.next() {
        None => Argument::Missing,
        Some(word) => {
            CarrierName::parse(word).map_or_else(|_| Argument::Invalid(echo(word)), Argument::Valid)
        }
    };
    let tracking = match words.next() {
        None => Argument::Missing,
        Some(word) => TrackingNumber::parse(word)
            .map_or_else(|_| Argument::Invalid(echo(word)), Argument::Valid),
    };
    TelegramCommand::Ship {
        reference,
        carrier,
        tracking,
    }
}

/// `/picklist WAREHOUSE`: a warehouse code (upper-cased by [`WarehouseCode::parse`]).
fn picklist(word: Option<&str>) -> TelegramCommand {
    TelegramCommand::Picklist(match word {
        None => Argument::Missing,
        Some(word) => WarehouseCode::parse(word)
            .map_or_else(|_| Argument::Invalid(echo(word)), Argument::Valid),
    })
}

/// `/find TEXT`.
fn find(arguments: &str) -> TelegramCommand {
    TelegramCommand::Find(arguments.trim().chars().take(MAX_FIND_CHARS).collect())
}

/// A word as echoed in a refusal: upper case, at most [`MAX_ECHO_CHARS`] characters.
fn echo(word: &str) -> String {
    word.chars()
        .take(MAX_ECHO_CHARS)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// A change to one cart line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineChange {
    /// One more unit.
    More,
    /// One unit fewer (removing the line at zero).
    Fewer,
    /// The line goes.
    Remove,
}

/// What a button press asks for; every id the handler needs travels in the data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Callback {
    /// Start the guided registration.
    Register,
    /// Start the guided login.
    Login,
    /// A page of the catalog (from 1).
    CatalogPage(u32),
    /// A product's card, reached from a catalog page (to go back to it).
    Product {
        /// The product.
        product: ProductId,
        /// The catalog page it was opened from.
        page: u32,
    },
    /// Add units of a product to my cart.
    AddToCart {
        /// The product.
        product: ProductId,
        /// How many units (1 to [`MAX_BUTTON_QUANTITY`]).
        quantity: u32,
    },
    /// Change a line of a cart (the Draft order named here).
    CartLine {
        /// The cart's Draft order.
        order: OrderId,
        /// The line's product.
        product: ProductId,
        /// What happens to it.
        change: LineChange,
    },
    /// Show the cart again.
    Cart,
    /// Start checking out this cart.
    Checkout(OrderId),
    /// Choose a shipping method for this cart.
    Shipping {
        /// The cart's Draft order.
        order: OrderId,
        /// The method.
        method: ShippingMethod,
    },
    /// Place this cart as an order (after the address and method were confirmed).
    Place(OrderId),
    /// The status of this order.
    Track(OrderReference),
    /// Cancel this order.
    Cancel(OrderReference),
    /// Send the registration's SMS code again (the chat's registration says whose).
    ResendCode,
}

impl Callback {
    /// The callback data for this button: at most [`MAX_CALLBACK_BYTES`] bytes (the longest
    /// form, a cart line with two 20-digit ids, is 47).
    pub fn encode(&self) -> String {
        let v = CALLBACK_VERSION;
        match self {
            Callback::Register => format!("{v}:reg"),
            Callback::Login => format!("{v}:login"),
            Callback::CatalogPage(page) => format!("{v}:cat:{page}"),
            Callback::Product { product, page } => format!("{v}:prd:{product}:{page}"),
            Callback::AddToCart { product, quantity } => format!("{v}:add:{product}:{quantity}"),
            Callback::CartLine {
                order,
                product,
                change,
            } => {
                let kind = match change {
                    LineChange::More => "inc",
                    LineChange::Fewer => "dec",
                    LineChange::Remove => "del",
                };
                format!("{v}:{kind}:{order}:{product}")
            }
            Callback::Cart => format!("{v}:cart"),
            Callback::Checkout(order) => format!("{v}:chk:{order}"),
            Callback::Shipping { order, method } => format!("{v}:shp:{order}:{method}"),
            Callback::Place(order) => format!("{v}:plc:{order}"),
            Callback::Track(reference) => format!("{v}:trk:{reference}"),
            Callback::Cancel(reference) => format!("{v}:cnl:{reference}"),
            Callback::ResendCode => format!("{v}:resend"),
        }
    }

    /// Reads callback data; `None` for anything this build did not encode (another
    /// version, an unknown kind, a malformed or non-canonical field, more than
    /// [`MAX_CALLBACK_BYTES`] bytes). Never panics.
    pub fn decode(data: &str) -> Option<Callback> {
        if data.len() > MAX_CALLBACK_BYTES {
            return None;
        }
        let mut fields = data.split(':');
        let version = number(fields.next()?)?;
        if version != u64::from(CALLBACK_VERSION) {
            return None;
        }
        let kind = fields.next()?;
        let rest: Vec<&str> = fields.collect();
        match (kind, rest.as_slice()) {
            ("reg", []) => Some(Callback::Register),
            ("login", []) => Some(Callback::Login),
            ("cart", []) => Some(Callback::Cart),
            ("cat", [page]) => Some(Callback::CatalogPage(page_number(page)?)),
            ("prd", [product, page]) => Some(Callback::Product {
                product: ProductId(number(product)?),
                page: page_number(page)?,
            }),
            ("add", [product, quantity]) => Some(Callback::AddToCart {
                product: ProductId(number(product)?),
                quantity: button_quantity(quantity)?,
            }),
            ("inc", [order, product]) => line(order, product, LineChange::More),
            ("dec", [order, product]) => line(order, product, LineChange::Fewer),
            ("del", [order, product]) => line(order, product, LineChange::Remove),
            ("chk", [order]) => Some(Callback::Checkout(OrderId(number(order)?))),
            ("shp", [order, method]) => Some(Callback::Shipping {
                order: OrderId(number(order)?),
                method: shipping(method)?,
            }),
            ("plc", [order]) => Some(Callback::Place(OrderId(number(order)?))),
            ("trk", [reference]) => Some(Callback::Track(canonical_reference(reference)?)),
            ("cnl", [reference]) => Some(Callback::Cancel(canonical_reference(reference)?)),
            ("resend", []) => Some(Callback::ResendCode),
            _ => None,
        }
    }
}

/// A cart-line callback.
fn line(order: &str, product: &str, change: LineChange) -> Option<Callback> {
    Some(Callback::CartLine {
        order: OrderId(number(order)?),
        product: ProductId(number(product)?),
        change,
    })
}

/// A decimal number without sign or leading zeros (`0` itself allowed).
fn number(field: &str) -> Option<u64> {
    let canonical = !field.is_empty()
        && field.bytes().all(|byte| byte.is_ascii_digit())
        && (field == "0" || !field.starts_with('0'));
    if canonical { field.parse().ok() } else { None }
}

/// A catalog page: 1 to [`MAX_PAGE`].
fn page_number(field: &str) -> Option<u32> {
    let page = u32::try_from(number(field)?).ok()?;
    (1..=MAX_PAGE).contains(&page).then_some(page)
}

/// A button quantity: 1 to [`MAX_BUTTON_QUANTITY`].
fn button_quantity(field: &str) -> Option<u32> {
    let quantity = u32::try_from(number(field)?).ok()?;
    (1..=MAX_BUTTON_QUANTITY)
        .contains(&quantity)
        .then_some(quantity)
}

/// A shipping method in its lower-case name, exactly as encoded.
fn shipping(field: &str) -> Option<ShippingMethod> {
    let method = ShippingMethod::parse(field).ok()?;
    (method.to_string() == field).then_some(method)
}

/// A reference in its canonical form only.
fn canonical_reference(field: &str) -> Option<OrderReference> {
    let reference = OrderReference::parse(field).ok()?;
    (reference.to_string() == field).then_some(reference)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordo_core::random::SeededRandom;
    use proptest::prelude::*;

    fn reference(seed: u64) -> OrderReference {
        OrderReference::generate(&SeededRandom::new(seed))
    }

    #[test]
    fn commands_ignore_case_and_a_bot_name_suffix() {
        assert_eq!(parse("/start"), TelegramCommand::Start);
        assert_eq!(parse("/START@ordo_bot"), TelegramCommand::Start);
        assert_eq!(parse("  /orders  "), TelegramCommand::Orders);
        assert_eq!(parse("/Cart@x extra words"), TelegramCommand::Cart);
        assert_eq!(parse("/tickets"), TelegramCommand::Tickets);
        assert_eq!(parse("/logout"), TelegramCommand::Logout);
        assert_eq!(parse("/Resend@ordo_bot now"), TelegramCommand::Resend);
        assert_eq!(parse("/nonsense"), TelegramCommand::Unknown);
        assert_eq!(parse("/"), TelegramCommand::Unknown);
    }

    #[test]
    fn track_reads_several_references_in_any_spelling() {
        let (a, b) = (reference(1), reference(2));
        let compact_b: String = b.to_string().chars().filter(|c| *c != '-').collect();
        let command = parse(&format!(
            "/track {a}, {} and {compact_b}",
            a.to_string().to_lowercase()
        ));
        assert_eq!(
            command,
            TelegramCommand::Track {
                references: vec![a, b],
                invalid: vec![],
                too_many: 0
            }
        );
    }

    #[test]
    fn track_reports_a_mistyped_reference_and_caps_the_list() {
        let a = reference(3);
        let mut typo = a.to_string();
        let last = typo.pop().unwrap();
        typo.push(if last == '2' { '3' } else { '2' });
        let TelegramCommand::Track {
            references,
            invalid,
            ..
        } = parse(&format!("/track {a} {typo}"))
        else {
            panic!("not a track");
        };
        assert_eq!(references, vec![a]);
        assert_eq!(invalid, vec![typo]);
        let many: Vec<String> = (0..12)
            .map(|seed| reference(100 + seed).to_string())
            .collect();
        let TelegramCommand::Track {
            references,
            too_many,
            ..
        } = parse(&format!("/track {}", many.join(" ")))
        else {
            panic!("not a track");
        };
        assert_eq!((references.len(), too_many), (MAX_REFERENCES, 2));
    }

    #[test]
    fn track_without_references_is_an_empty_track() {
        assert_eq!(
            parse("/track"),
            TelegramCommand::Track {
                references: vec![],
                invalid: vec![],
                too_many: 0
            }
        );
    }

    #[test]
    fn plain_text_of_references_is_track_and_other_text_is_text() {
        let a = reference(4);
        assert_eq!(
            parse(&format!("{a}")),
            TelegramCommand::Track {
                references: vec![a],
                invalid: vec![],
                too_many: 0
            }
        );
        assert_eq!(parse("DELIVERY"), TelegramCommand::Text("DELIVERY".into()));
        assert_eq!(
            parse(" 12 Main Street, Springfield "),
            TelegramCommand::Text("12 Main Street, Springfield".into())
        );
        // STOP means nothing special in a chat.
        assert_eq!(parse("stop"), TelegramCommand::Text("stop".into()));
    }

    #[test]
    fn login_keeps_the_password_whole_and_never_prints_it() {
        let command = parse("/login anna  correct horse battery ");
        let TelegramCommand::Login(Some(attempt)) = &command else {
            panic!("not a login");
        };
        assert_eq!(attempt.login, "anna");
        assert_eq!(
            attempt.password.as_ref().map(SecretText::expose),
            Some("correct horse battery")
        );
        assert!(!format!("{command:?}").contains("horse"));
        assert_eq!(parse("/login"), TelegramCommand::Login(None));
        assert_eq!(
            parse("/login anna"),
            TelegramCommand::Login(Some(LoginAttempt {
                login: "anna".into(),
                password: None
            }))
        );
    }

    #[test]
    fn single_reference_arguments_say_missing_or_invalid() {
        let a = reference(5);
        assert_eq!(
            parse(&format!("/cancel {a}")),
            TelegramCommand::Cancel(Argument::Valid(a.clone()))
        );
        assert_eq!(parse("/cancel"), TelegramCommand::Cancel(Argument::Missing));
        assert_eq!(
            parse("/order ord-nope"),
            TelegramCommand::Order(Argument::Invalid("ORD-NOPE".into()))
        );
        assert_eq!(
            parse(&format!("/status {a} Shipped")),
            TelegramCommand::Status {
                reference: Argument::Valid(a.clone()),
                status: Argument::Valid(OrderStatus::Shipped)
            }
        );
        assert_eq!(
            parse(&format!("/status {a} flying")),
            TelegramCommand::Status {
                reference: Argument::Valid(a),
                status: Argument::Invalid("FLYING".into())
            }
        );
    }

    #[test]
    fn catalog_pages_and_find_queries_are_bounded() {
        let TelegramCommand::Ship {
            reference: Argument::Valid(_),
            carrier: Argument::Valid(carrier),
            tracking: Argument::Valid(tracking),
        } = parse("/ship ORD-7K3M-9QX1 dhl JD0146-0000-6101")
        else {
            panic!("not read");
        };
        assert_eq!(
            (carrier.as_str(), tracking.as_str()),
            ("dhl", "JD014600006101")
        );
        assert!(matches!(
            parse("/ship ORD-7K3M-9QX1"),
            TelegramCommand::Ship {
                carrier: Argument::Missing,
                tracking: Argument::Missing,
                ..
            }
        ));
        assert_eq!(parse("/report"), TelegramCommand::Report(Argument::Missing));
        assert_eq!(
            parse("/report sales 7d"),
            TelegramCommand::Report(Argument::Valid(7))
        );
        assert_eq!(
            parse("/REPORT 30D"),
            TelegramCommand::Report(Argument::Valid(30))
        );
        assert_eq!(
            parse("/report today"),
            TelegramCommand::Report(Argument::Valid(1))
        );
        assert_eq!(
            parse("/report sales 9y"),
            TelegramCommand::Report(Argument::Invalid("9Y".into()))
        );
        assert_eq!(parse("/catalog"), TelegramCommand::Catalog(1));
        assert_eq!(parse("/catalog 3"), TelegramCommand::Catalog(3));
        assert_eq!(parse("/catalog 0"), TelegramCommand::Catalog(1));
        assert_eq!(parse("/catalog 99999999999"), TelegramCommand::Catalog(1));
        let long = "x".repeat(500);
        assert_eq!(
            parse(&format!("/find {long}")),
            TelegramCommand::Find("x".repeat(MAX_FIND_CHARS))
        );
        assert_eq!(
            parse("/find  Anna Smith "),
            TelegramCommand::Find("Anna Smith".into())
        );
    }

    #[test]
    fn picklist_reads_one_warehouse_code_in_upper_case() {
        let TelegramCommand::Picklist(Argument::Valid(code)) = parse("/picklist w1") else {
            panic!("not read");
        };
        assert_eq!(code.as_str(), "W1");
        assert!(matches!(
            parse("/PickList@ordo_bot MAIN-2 extra"),
            TelegramCommand::Picklist(Argument::Valid(code)) if code.as_str() == "MAIN-2"
        ));
        assert_eq!(
            parse("/picklist"),
            TelegramCommand::Picklist(Argument::Missing)
        );
        assert_eq!(
            parse("/picklist w1!"),
            TelegramCommand::Picklist(Argument::Invalid("W1!".into()))
        );
        assert_eq!(
            parse(&format!("/picklist {}", "w".repeat(17))),
            TelegramCommand::Picklist(Argument::Invalid("W".repeat(17)))
        );
    }

    #[test]
    fn an_over_long_message_is_not_read() {
        let text = format!("/start {}", "a".repeat(MAX_TEXT_CHARS));
        assert_eq!(parse(&text), TelegramCommand::Unknown);
    }

    #[test]
    fn every_callback_kind_round_trips_within_64_bytes() {
        let order = OrderId(u64::MAX);
        let product = ProductId(u64::MAX);
        let callbacks = [
            Callback::Register,
            Callback::Login,
            Callback::Cart,
            Callback::CatalogPage(MAX_PAGE),
            Callback::Product { product, page: 7 },
            Callback::AddToCart {
                product,
                quantity: MAX_BUTTON_QUANTITY,
            },
            Callback::CartLine {
                order,
                product,
                change: LineChange::More,
            },
            Callback::CartLine {
                order,
                product,
                change: LineChange::Fewer,
            },
            Callback::CartLine {
                order,
                product,
                change: LineChange::Remove,
            },
            Callback::Checkout(order),
            Callback::Shipping {
                order,
                method: ShippingMethod::Express,
            },
            Callback::Place(order),
            Callback::Track(reference(6)),
            Callback::Cancel(reference(7)),
            Callback::ResendCode,
        ];
        for callback in callbacks {
            let data = callback.encode();
            assert!(data.len() <= MAX_CALLBACK_BYTES, "{data} is too long");
            assert_eq!(Callback::decode(&data), Some(callback), "{data}");
        }
    }

    #[test]
    fn stale_or_forged_callback_data_decodes_to_none() {
        for data in [
            "",
            "1",
            "2:reg",
            "01:reg",
            "1:reg:extra",
            "1:cat:0",
            "1:cat:007",
            "1:cat:-1",
            "1:add:5:0",
            "1:add:5:100",
            "1:shp:5:Express",
            "1:shp:5:teleport",
            "1:inc:5",
            "1:inc:18446744073709551616:1",
            "1:trk:ord-7k3m-9qx1",
            "1:nope",
            "1:resend:5",
            "1:RESEND",
        ] {
            assert_eq!(Callback::decode(data), None, "{data:?}");
        }
        let lower = format!("1:trk:{}", reference(8).to_string().to_lowercase());
        assert_eq!(Callback::decode(&lower), None);
    }

    fn any_callback() -> impl Strategy<Value = Callback> {
        let id = any::<u64>();
        prop_oneof![
            Just(Callback::Register),
            Just(Callback::Login),
            Just(Callback::Cart),
            (1..=MAX_PAGE).prop_map(Callback::CatalogPage),
            (id, 1..=MAX_PAGE).prop_map(|(p, page)| Callback::Product {
                product: ProductId(p),
                page
            }),
            (id, 1..=MAX_BUTTON_QUANTITY).prop_map(|(p, quantity)| Callback::AddToCart {
                product: ProductId(p),
                quantity
            }),
            (id, id, 0..3u8).prop_map(|(o, p, c)| Callback::CartLine {
                order: OrderId(o),
                product: ProductId(p),
                change: [LineChange::More, LineChange::Fewer, LineChange::Remove][usize::from(c)],
            }),
            id.prop_map(|o| Callback::Checkout(OrderId(o))),
            (id, 0..3u8).prop_map(|(o, m)| Callback::Shipping {
                order: OrderId(o),
                method: [
                    ShippingMethod::Standard,
                    ShippingMethod::Express,
                    ShippingMethod::Pickup
                ][usize::from(m)],
            }),
            id.prop_map(|o| Callback::Place(OrderId(o))),
            id.prop_map(|seed| Callback::Track(reference(seed))),
            id.prop_map(|seed| Callback::Cancel(reference(seed))),
            Just(Callback::ResendCode),
        ]
    }

    proptest! {
        #[test]
        fn encoding_round_trips_within_the_limit(callback in any_callback()) {
            let data = callback.encode();
            prop_assert!(data.len() <= MAX_CALLBACK_BYTES);
            prop_assert_eq!(Callback::decode(&data), Some(callback));
        }

        #[test]
        fn only_the_canonical_spelling_decodes(data in "[0-9a-zA-Z:-]{0,70}") {
            if let Some(callback) = Callback::decode(&data) {
                prop_assert_eq!(callback.encode(), data);
            }
        }

        #[test]
        fn parse_never_panics_and_the_command_word_ignores_case(text in "/?[a-zA-Z]{0,8}( .{0,40})?") {
            let command = parse(&text);
            if text.starts_with('/') && !text.to_ascii_lowercase().starts_with("/login")
                && !text.to_ascii_lowercase().starts_with("/find")
            {
                let (word, rest) = split_word(&text);
                let shouted = format!("{} {rest}", word.to_ascii_uppercase());
                prop_assert_eq!(parse(&shouted), command);
            }
        }
    }
}
