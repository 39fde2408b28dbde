//! The Telegram channel end to end against a fake Bot API on 127.0.0.1
//! (`support::fake_telegram`): notification deliveries to a customer whose channel is a
//! Telegram chat go out as `sendMessage` — through `ordo serve` when `ORDO_TELEGRAM_TOKEN`
//! is set, and through the dispatcher directly for the Bot API's refusals and rate limits —
//! and the chat bot, fed scripted `getUpdates`: login (the password message deleted),
//! multi-order tracking and its privacy rule, staff commands under the permission
//! matrix, a duplicated update handled once, a reply refused with 429 sent again.

// Tests assert by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ordo_bots::config::ServeConfig;
use ordo_bots::notify::{Dispatcher, Pace};
use ordo_bots::pool::EnginePool;
use ordo_bots::telegram::command::Callback;
use ordo_bots::telegram::reply;
use ordo_bots::telegram::sender::{TelegramSender, bot};
use ordo_core::auth::{Actor, Role};
use ordo_core::clock::SystemClock;
use ordo_core::delivery::{DeliveryChannel, DeliveryStatus};
use ordo_core::engine::{DeliveryFilter, OrderRequest, RegistrationRequest, VerifyRequest};
use ordo_core::ids::OrderReference;
use ordo_core::message::{Direction, MessageChannel};
use ordo_core::order::OrderStatus;
use ordo_core::random::SeededRandom;
use ordo_core::registration::Channel;
use ordo_core::testkit::sample;
use ordo_core::{Engine, EngineConfig};
use ordo_storage::{Durability, SledStore, StoreConfig};
use serde_json::json;
use support::fake_telegram::{FakeTelegram, Reply};
use tempfile::TempDir;

const TOKEN: &str = "4242:test-bot-token";

fn engine_on(store: SledStore) -> Engine<SledStore> {
    Engine::new(
        store,
        Arc::new(SystemClock),
        Arc::new(SeededRandom::new(11)),
        EngineConfig {
            delivery_lease_ms: 300,
            ..EngineConfig::default()
        },
    )
}

fn open(data: &Path) -> SledStore {
    SledStore::open(data, StoreConfig::new(Durability::Immediate)).unwrap()
}

/// A data directory with a product in stock.
struct Shop {
    _dir: TempDir,
    data: PathBuf,
}

impl Shop {
    fn new() -> Shop {
        let dir = TempDir::new().unwrap();
        let data = dir.path().join("shop");
        let engine = engine_on(open(&data));
        let admin = sample::admin();
        engine
            .create_product(&admin, sample::product("TEE", 1500))
            .unwrap();
        engine.restock(&admin, "TEE", "MAIN", 100, "stock").unwrap();
        Shop { _dir: dir, data }
    }

    /// Opens the store again (the service must not be running).
    fn engine(&self) -> Engine<SledStore> {
        engine_on(open(&self.data))
    }
}

/// Registers customer `n` with its codes and news going to Telegram chat `chat`; returns
/// the registration handle. One Telegram delivery (the code) is now pending.
fn register(engine: &Engine<SledStore>, n: u64, chat: i64) -> String {
    engine
        .register_customer(
            &Actor::guest(),
            &RegistrationRequest {
                customer: sample::customer(n),
                channel: Channel::Telegram { chat_id: chat },
            },
        )
        .unwrap()
        .handle
        .reveal()
        .to_string()
}

/// The code in "Your ordo verification code is 123456. …".
fn code_in(text: &str) -> String {
    let after = text
        .strip_prefix("Your ordo verification code is ")
        .unwrap_or_else(|| panic!("not a code message: {text}"));
    after.chars().take_while(char::is_ascii_digit).collect()
}

/// A free port on 127.0.0.1.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `ordo serve` with the Telegram channel pointed at `telegram`.
struct Service {
    _http: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Service {
    fn start(data: &Path, telegram: &FakeTelegram) -> Service {
        Service::start_with(data, telegram, free_port(), Vec::new())
    }

    /// Started on `port` with `extra` settings too.
    fn start_with(
        data: &Path,
        telegram: &FakeTelegram,
        port: u16,
        extra: Vec<(String, String)>,
    ) -> Service {
        let mut env = vec![
            ("ORDO_LISTEN".to_string(), format!("127.0.0.1:{port}")),
            ("ORDO_BACKUP_EVERY_MINUTES".to_string(), "0".to_string()),
            ("ORDO_TELEGRAM_TOKEN".to_string(), TOKEN.to_string()),
            ("ORDO_TELEGRAM_API_URL".to_string(), telegram.api_url()),
        ];
        env.extend(extra);
        let config = ServeConfig::parse(None, env).unwrap();
        let store = open(data);
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = mpsc::channel();
        let data = data.to_path_buf();
        let thread = std::thread::spawn(move || {
            ordo_bots::serve::run_until(
                store,
                &data,
                config,
                |ready| ready_tx.send(ready.http).unwrap(),
                || {
                    Ok(async move {
                        let _ = stop_rx.await;
                    })
                },
            )
            .unwrap();
        });
        let http = ready_rx.recv_timeout(Duration::from_secs(60)).unwrap();
        Service {
            _http: http,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// Stops it and waits until the store is closed.
    fn stop(mut self) {
        self.stop.take().unwrap().send(()).unwrap();
        self.thread.take().unwrap().join().unwrap();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Polls `found` until it gives something (30 s at most).
async fn wait_for<T>(mut found: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = found() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The texts the fake accepted for `chat`, in order.
fn texts_to(telegram: &FakeTelegram, chat: i64) -> Vec<String> {
    telegram
        .sent()
        .iter()
        .filter(|call| call.method == "sendmessage" && call.chat_id() == Some(chat))
        .map(|call| call.text().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_pushes_the_code_and_status_changes_to_the_customers_chat() {
    let shop = Shop::new();
    let chat = 777_001;
    let handle = register(&shop.engine(), 1, chat);
    let telegram = FakeTelegram::start(TOKEN).await;

    // The registration code goes to the chat.
    let service = Service::start(&shop.data, &telegram);
    let code_text = wait_for(|| texts_to(&telegram, chat).into_iter().next()).await;
    service.stop();
    let code = code_in(&code_text);

    // Verified with that code; an order is placed and confirmed while the service is down.
    let engine = shop.engine();
    let customer = engine
        .verify_customer(
            &Actor::guest(),
            &VerifyRequest {
                registration: handle,
                code,
                login: "ada.telegram".into(),
                password: "a long passphrase 42".into(),
            },
        )
        .unwrap();
    let order = engine
        .create_order(
            &sample::admin(),
            &OrderRequest::simple(customer.id(), &[("TEE", 1)]),
        )
        .unwrap();
    engine
        .change_status(&sample::admin(), order.id(), OrderStatus::Confirmed)
        .unwrap();
    let reference = order.reference().unwrap().to_string();
    drop(engine);

    let service = Service::start(&shop.data, &telegram);
    let confirmed = format!("Your order {reference} is now confirmed.");
    wait_for(|| texts_to(&telegram, chat).contains(&confirmed).then_some(())).await;
    service.stop();

    let texts = texts_to(&telegram, chat);
    assert_eq!(
        texts.len(),
        3,
        "the code, the order placed, the confirmation: {texts:?}"
    );
    assert_eq!(texts[2], confirmed);
    assert!(texts[1].contains(&reference), "{texts:?}");
    // Every pushed text is in the customer's log, the code only as "(a verification code)".
    let engine = shop.engine();
    let log = engine
        .messages(&sample::admin(), customer.id(), 100)
        .unwrap();
    let telegram_out: Vec<&str> = log
        .iter()
        .filter(|m| m.channel == MessageChannel::Telegram)
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(telegram_out.len(), 3, "{telegram_out:?}");
    assert!(telegram_out.contains(&confirmed.as_str()));
    assert!(telegram_out.contains(&"(a verification code)"));
    let sent = sample::deliveries(&engine)
        .into_iter()
        .filter(|d| d.channel() == DeliveryChannel::Telegram)
        .filter(|d| d.status() == DeliveryStatus::Sent)
        .count();
    assert_eq!(sent, 3);
}

/// A dispatcher over `engine` sending to `telegram`, retrying after a few milliseconds.
fn dispatcher(engine: Engine<SledStore>, telegram: &FakeTelegram) -> Dispatcher<SledStore> {
    Dispatcher::new(
        EnginePool::new(engine, 4),
        Arc::new(TelegramSender::new(
            bot(TOKEN, &telegram.api_url()).unwrap(),
        )),
        "telegram-test".to_string(),
        Pace {
            batch: 5,
            idle: Duration::from_millis(10),
            backoff_base: Duration::from_millis(1),
            backoff_max: Duration::from_millis(5),
        },
    )
}

/// Runs `dispatcher` until `done` holds (30 s at most); returns how many claims it made.
async fn drain_until(dispatcher: &Dispatcher<SledStore>, mut done: impl FnMut() -> bool) -> usize {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut claimed = 0;
    while !done() {
        assert!(Instant::now() < deadline, "timed out");
        claimed += dispatcher.run_once().await.unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    claimed
}

/// Runs `dispatcher` until nothing is claimable for a while.
async fn drain(dispatcher: &Dispatcher<SledStore>) -> usize {
    let mut claimed = 0;
    let mut quiet = 0;
    while quiet < 20 {
        let n = dispatcher.run_once().await.unwrap();
        claimed += n;
        quiet = if n == 0 { quiet + 1 } else { 0 };
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    claimed
}

fn telegram_deliveries(shop: &Shop) -> Vec<ordo_core::delivery::Delivery> {
    sample::deliveries(&shop.engine())
        .into_iter()
        .filter(|d| d.channel() == DeliveryChannel::Telegram)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_waited_out_for_retry_after_and_the_message_sent_once() {
    let shop = Shop::new();
    register(&shop.engine(), 1, 555);
    let telegram = FakeTelegram::start(TOKEN).await;
    telegram.script([Reply::TooManyRequests {
        retry_after_secs: 1,
    }]);
    let dispatcher = dispatcher(shop.engine(), &telegram);
    let started = Instant::now();
    let claims = drain_until(&dispatcher, || !telegram.sent().is_empty()).await;
    let waited = started.elapsed();
    assert_eq!(claims, 2, "the refused attempt and the one that worked");
    assert_eq!(telegram.calls(), 2);
    assert_eq!(texts_to(&telegram, 555).len(), 1);
    assert!(
        waited >= Duration::from_secs(1),
        "retried after {waited:?}, before Telegram's retry_after"
    );
    assert_eq!(drain(&dispatcher).await, 0, "nothing left to send");
    drop(dispatcher);
    let deliveries = telegram_deliveries(&shop);
    assert_eq!(deliveries.len(), 1);
    assert_eq!(
        (deliveries[0].status(), deliveries[0].attempts()),
        (DeliveryStatus::Sent, 2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_blocked_chat_makes_the_delivery_dead_at_once() {
    let shop = Shop::new();
    let engine = shop.engine();
    register(&engine, 1, 601);
    register(&engine, 2, 602);
    let telegram = FakeTelegram::start(TOKEN).await;
    telegram.script([Reply::ChatNotFound, Reply::Blocked]);
    let dispatcher = dispatcher(engine, &telegram);
    assert_eq!(drain(&dispatcher).await, 2, "each tried once, never again");
    assert_eq!(telegram.calls(), 2);
    assert!(telegram.sent().is_empty());
    drop(dispatcher);
    let engine = shop.engine();
    let dead = engine
        .list_deliveries(&sample::admin(), DeliveryFilter::Problems, None, 10)
        .unwrap()
        .items;
    assert_eq!(dead.len(), 2, "{dead:?}");
    assert!(dead.iter().all(|d| d.status() == DeliveryStatus::Dead));
    let errors: Vec<&str> = dead.iter().filter_map(|d| d.last_error()).collect();
    assert!(
        errors.iter().any(|e| e.contains("chat not found")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("blocked")), "{errors:?}");
    assert!(
        errors.iter().all(|e| !e.contains("test-bot-token")),
        "{errors:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_is_retried_and_the_message_sent_once() {
    let shop = Shop::new();
    register(&shop.engine(), 1, 700);
    let telegram = FakeTelegram::start(TOKEN).await;
    telegram.script([Reply::ServerError]);
    let dispatcher = dispatcher(shop.engine(), &telegram);
    drain_until(&dispatcher, || !telegram.sent().is_empty()).await;
    assert_eq!(telegram.calls(), 2);
    assert_eq!(texts_to(&telegram, 700).len(), 1);
}

// --- The chat bot (long polling through `ordo serve`) -------------------------------

const ADA_LOGIN: &str = "ada.shop";
const ADA_PASSWORD: &str = "tulip orbit rainy 42";
const BOB_LOGIN: &str = "bob.shop";
const PROCESSOR_LOGIN: &str = "olga.orders";
const WAREHOUSE_LOGIN: &str = "walt.warehouse";
const STAFF_PASSWORD: &str = "staff passphrase 77";

/// A shop with accounts: Ada (two placed orders) and Bob (one), an order processor and a
/// warehouse worker; every notification so far already handled.
struct AccountsShop {
    shop: Shop,
    ada: ordo_core::ids::CustomerId,
    ada_orders: Vec<String>,
    bob_order: String,
}

impl AccountsShop {
    fn new() -> AccountsShop {
        let shop = Shop::new();
        let engine = shop.engine();
        let admin = sample::admin();
        let mut orders = Vec::new();
        let mut customers = Vec::new();
        for (n, login) in [(1, ADA_LOGIN), (2, BOB_LOGIN)] {
            let customer = engine
                .create_customer(&admin, &sample::customer(n))
                .unwrap();
            engine
                .set_customer_credentials(&admin, customer.id(), login, ADA_PASSWORD)
                .unwrap();
            customers.push(customer.id());
            let count = if n == 1 { 2 } else { 1 };
            for _ in 0..count {
                let order = engine
                    .create_order(&admin, &OrderRequest::simple(customer.id(), &[("TEE", 1)]))
                    .unwrap();
                orders.push(order.reference().unwrap().to_string());
            }
        }
        engine
            .add_user(
                &admin,
                "Olga",
                PROCESSOR_LOGIN,
                Role::OrderProcessor,
                STAFF_PASSWORD,
            )
            .unwrap();
        engine
            .add_user(
                &admin,
                "Walt",
                WAREHOUSE_LOGIN,
                Role::Warehouse,
                STAFF_PASSWORD,
            )
            .unwrap();
        let ids: Vec<_> = sample::deliveries(&engine).iter().map(|d| d.id()).collect();
        engine.acknowledge_deliveries(&admin, &ids).unwrap();
        AccountsShop {
            ada_orders: orders[..2].to_vec(),
            bob_order: orders[2].clone(),
            ada: customers[0],
            shop,
        }
    }

    fn status_of(&self, reference: &str) -> OrderStatus {
        self.shop
            .engine()
            .order_by_reference(&sample::admin(), reference)
            .unwrap()
            .value
            .status()
    }
}

/// Feeds the fake's `getUpdates` with messages, numbering updates and messages.
struct Chats {
    telegram: FakeTelegram,
    next_update: i64,
}

impl Chats {
    fn new(telegram: &FakeTelegram) -> Chats {
        Chats {
            telegram: telegram.clone(),
            next_update: 1,
        }
    }

    /// `text` from the user of private chat `chat`; returns the message id.
    fn say(&mut self, chat: i64, text: &str) -> i64 {
        let update = self.next_update;
        self.next_update += 1;
        let message_id = update * 10;
        self.telegram
            .push_update(message_update(update, message_id, chat, text));
        message_id
    }

    /// The same update twice, in one batch (a re-delivery).
    fn say_twice(&mut self, chat: i64, text: &str) {
        let update = self.next_update;
        self.next_update += 1;
        for _ in 0..2 {
            self.telegram
                .push_update(message_update(update, update * 10, chat, text));
        }
    }

    /// A press of a button carrying `data` under message `message` of chat `chat`.
    fn press_on(&mut self, chat: i64, message: i64, data: &str) {
        let update = self.next_update;
        self.next_update += 1;
        self.telegram.push_update(json!({
            "update_id": update,
            "callback_query": {
                "id": format!("cb{update}"),
                "from": {"id": chat, "is_bot": false, "first_name": "Customer"},
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": message,
                    "date": 1_700_000_000,
                    "chat": {"id": chat, "type": "private", "first_name": "Customer"},
                    "text": "(the bot's earlier message)",
                },
            }
        }));
    }

    /// A press of a button carrying `data` in chat `chat`.
    fn press(&mut self, chat: i64, data: &str) {
        let update = self.next_update;
        self.next_update += 1;
        self.telegram.push_update(json!({
            "update_id": update,
            "callback_query": {
                "id": format!("cb{update}"),
                "from": {"id": chat, "is_bot": false, "first_name": "Customer"},
                "chat_instance": "ci",
                "data": data,
            }
        }));
    }
}

fn message_update(update: i64, message_id: i64, chat: i64, text: &str) -> serde_json::Value {
    json!({
        "update_id": update,
        "message": {
            "message_id": message_id,
            "date": 1_700_000_000,
            "chat": {"id": chat, "type": "private", "first_name": "Customer"},
            "from": {"id": chat, "is_bot": false, "first_name": "Customer"},
            "text": text,
        }
    })
}

/// Waits until chat `chat` got `count` replies; returns them all.
async fn replies(telegram: &FakeTelegram, chat: i64, count: usize) -> Vec<String> {
    wait_for(|| {
        let texts = texts_to(telegram, chat);
        (texts.len() >= count).then_some(texts)
    })
    .await
}

/// The message ids the bot deleted in `chat`.
fn deleted_in(telegram: &FakeTelegram, chat: i64) -> Vec<i64> {
    telegram
        .sent()
        .iter()
        .filter(|call| call.method == "deletemessage" && call.chat_id() == Some(chat))
        .map(|call| call.params["message_id"].as_i64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_deletes_the_password_message_whether_or_not_it_works_and_links_the_chat() {
    let shop = AccountsShop::new();
    let telegram = FakeTelegram::start(TOKEN).await;
    let service = Service::start(&shop.shop.data, &telegram);
    let mut chats = Chats::new(&telegram);
    let chat = 900;

    chats.say(chat, "/start");
    let start = replies(&telegram, chat, 1).await;
    assert_eq!(start[0], reply::WELCOME);
    let keyboard = telegram.sent().last().unwrap().params["reply_markup"].clone();
    assert_eq!(
        keyboard["inline_keyboard"][0][0]["callback_data"],
        json!(Callback::Login.encode())
    );
    chats.press(chat, &Callback::Login.encode());
    assert_eq!(replies(&telegram, chat, 2).await[1], reply::LOGIN_USAGE);
    assert_eq!(
        telegram
            .sent()
            .iter()
            .filter(|c| c.method == "answercallbackquery")
            .count(),
        1
    );

    let wrong = chats.say(chat, &format!("/login {ADA_LOGIN} not the password"));
    let texts = replies(&telegram, chat, 3).await;
    assert!(texts[2].starts_with("Sorry: not signed in"), "{texts:?}");
    let right = chats.say(chat, &format!("/login {ADA_LOGIN} {ADA_PASSWORD}"));
    let texts = replies(&telegram, chat, 4).await;
    assert_eq!(texts[3], reply::logged_in(None));
    assert_eq!(deleted_in(&telegram, chat), vec![wrong, right]);

    chats.say(chat, "/orders");
    let orders = replies(&telegram, chat, 5).await[4].clone();
    for reference in &shop.ada_orders {
        assert!(orders.contains(reference.as_str()), "{orders}");
    }
    assert!(!orders.contains(shop.bob_order.as_str()), "{orders}");

    chats.say(chat, "/logout");
    assert_eq!(replies(&telegram, chat, 6).await[5], reply::LOGGED_OUT);
    chats.say(chat, "/orders");
    assert_eq!(replies(&telegram, chat, 7).await[6], reply::LOG_IN_FIRST);
    service.stop();
    // Ada's side of the chat while it was linked is in her log; no login message is.
    let log: Vec<(Direction, String)> = shop
        .shop
        .engine()
        .messages(&sample::admin(), shop.ada, 100)
        .unwrap()
        .into_iter()
        .filter(|m| m.channel == MessageChannel::Telegram)
        .map(|m| (m.direction, m.text))
        .collect();
    let mut expected = vec![
        (Direction::Inbound, "/orders".to_string()),
        (Direction::Outbound, orders.clone()),
        (Direction::Inbound, "/logout".to_string()),
        (Direction::Outbound, reply::LOGGED_OUT.to_string()),
    ];
    let mut sorted = log.clone();
    sorted.sort_by_key(|(direction, text)| (text.clone(), *direction as u8));
    expected.sort_by_key(|(direction, text)| (text.clone(), *direction as u8));
    assert_eq!(sorted, expected, "{log:?}");
    // No password ever reached a reply.
    assert!(
        telegram
            .sent()
            .iter()
            .all(|call| !call.params.to_string().contains(ADA_PASSWORD))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracking_tells_an_order_only_to_its_customers_chat() {
    let shop = AccountsShop::new();
    let missing = OrderReference::generate(&SeededRandom::new(99_999)).to_string();
    assert!(
        shop.shop
            .engine()
            .order_by_reference(&sample::admin(), &missing)
            .is_err()
    );
    let telegram = FakeTelegram::start(TOKEN).await;
    let service = Service::start(&shop.shop.data, &telegram);
    let mut chats = Chats::new(&telegram);
    let (ada, stranger) = (910, 911);

    chats.say(ada, &format!("/login {ADA_LOGIN} {ADA_PASSWORD}"));
    replies(&telegram, ada, 1).await;
    // Several references in one message: Ada's two, Bob's, one that does not exist.
    let [first, second] = [&shop.ada_orders[0], &shop.ada_orders[1]];
    chats.say(
        ada,
        &format!("/track {first} {second} {} {missing}", shop.bob_order),
    );
    let reply = replies(&telegram, ada, 2).await[1].clone();
    let lines: Vec<&str> = reply.lines().collect();
    assert_eq!(lines.len(), 4, "{reply}");
    assert!(
        lines[0].starts_with(&format!("{first}: placed since ")),
        "{reply}"
    );
    assert!(
        lines[1].starts_with(&format!("{second}: placed since ")),
        "{reply}"
    );
    let unknown = |reference: &str| format!("{reference}: no order found with this reference.");
    assert_eq!(lines[2], unknown(&shop.bob_order));
    assert_eq!(lines[3], unknown(&missing));

    // A chat that is not linked learns nothing: byte for byte the reply for a reference
    // that does not exist (here as plain text, read as /track).
    chats.say(stranger, first);
    chats.say(stranger, &missing);
    let texts = replies(&telegram, stranger, 2).await;
    assert_eq!(
        texts[0].replace(first.as_str(), "REF"),
        texts[1].replace(missing.as_str(), "REF")
    );
    assert_eq!(texts[0], unknown(first));
    service.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_change_a_status_and_a_role_without_the_permission_is_refused_politely() {
    let shop = AccountsShop::new();
    let telegram = FakeTelegram::start(TOKEN).await;
    let service = Service::start(&shop.shop.data, &telegram);
    let mut chats = Chats::new(&telegram);
    let (olga, walt) = (950, 951);
    let [first, second] = [&shop.ada_orders[0], &shop.ada_orders[1]];

    chats.say(olga, &format!("/login {PROCESSOR_LOGIN} {STAFF_PASSWORD}"));
    chats.say(walt, &format!("/login {WAREHOUSE_LOGIN} {STAFF_PASSWORD}"));
    replies(&telegram, olga, 1).await;
    let walt_in = replies(&telegram, walt, 1).await;
    assert_eq!(walt_in[0], reply::logged_in(Some("warehouse")));

    chats.say(olga, &format!("/status {first} confirmed"));
    assert_eq!(
        replies(&telegram, olga, 2).await[1],
        format!("{first} is now confirmed.")
    );
    chats.say(walt, &format!("/status {second} confirmed"));
    let refused = replies(&telegram, walt, 2).await[1].clone();
    assert!(
        refused.starts_with("Sorry, your account may not do that"),
        "{refused}"
    );
    chats.say(walt, "/tickets");
    let refused = replies(&telegram, walt, 3).await[2].clone();
    assert!(
        refused.starts_with("Sorry, your account may not do that"),
        "{refused}"
    );
    chats.say(olga, &format!("/order {first}"));
    let detail = replies(&telegram, olga, 3).await[2].clone();
    assert!(detail.contains("TEE"), "{detail}");
    assert!(
        detail.contains(&format!("{first}: confirmed since")),
        "{detail}"
    );
    service.stop();
    assert_eq!(shop.status_of(first), OrderStatus::Confirmed);
    assert_eq!(
        shop.status_of(second),
        OrderStatus::Placed,
        "the refusal changed nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicated_update_is_handled_once() {
    let shop = AccountsShop::new();
    let telegram = FakeTelegram::start(TOKEN).await;
    let mut chats = Chats::new(&telegram);
    let ada = 920;
    let first = shop.ada_orders[0].clone();
    chats.say(ada, &format!("/login {ADA_LOGIN} {ADA_PASSWORD}"));
    chats.say_twice(ada, &format!("/cancel {first}"));
    chats.say(ada, "/help");
    let service = Service::start(&shop.shop.data, &telegram);
    // The bot's replies (the cancellation pushed by the dispatcher, which takes its turn
    // among them now that one chat gets a message a second, left out).
    let texts = bot_replies(&telegram, ada, 3).await;
    // Give a second handling time to show up.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    service.stop();
    let texts_after: Vec<String> = texts_to(&telegram, ada)
        .into_iter()
        .filter(|t| !t.starts_with("Your order "))
        .collect();
    assert_eq!(texts_after, texts, "one reply per update");
    assert_eq!(texts.len(), 3, "{texts:?}");
    assert_eq!(texts[1], format!("{first} is now cancelled."));
    assert_eq!(texts[2], reply::HELP);
    assert_eq!(shop.status_of(&first), OrderStatus::Cancelled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_refused_with_429_is_sent_after_retry_after() {
    let shop = AccountsShop::new();
    let telegram = FakeTelegram::start(TOKEN).await;
    telegram.script([Reply::TooManyRequests {
        retry_after_secs: 1,
    }]);
    let mut chats = Chats::new(&telegram);
    let chat = 930;
    chats.say(chat, "/help");
    let service = Service::start(&shop.shop.data, &telegram);
    let started = Instant::now();
    let texts = replies(&telegram, chat, 1).await;
    let waited = started.elapsed();
    service.stop();
    assert_eq!(texts, vec![reply::HELP.to_string()]);
    assert_eq!(
        telegram.calls(),
        2,
        "the refused send and the one that worked"
    );
    assert!(
        waited >= Duration::from_secs(1),
        "sent again after {waited:?}"
    );
}

// --- State that survives a restart (issue 11, step 1) ---------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_chat_stays_signed_in_after_a_restart_and_old_updates_act_no_more() {
    let shop = AccountsShop::new();
    let telegram = FakeTelegram::start(TOKEN).await;
    let mut chats = Chats::new(&telegram);
    let ada = 940;
    let first = shop.ada_orders[0].clone();
    let login = chats.say(ada, &format!("/login {ADA_LOGIN} {ADA_PASSWORD}"));
    chats.say(ada, &format!("/cancel {first}"));
    let service = Service::start(&shop.shop.data, &telegram);
    let before = bot_replies(&telegram, ada, 2).await;
    assert_eq!(before[0], reply::logged_in(None));
    assert_eq!(before[1], format!("{first} is now cancelled."));
    // The chat is Ada's channel now: the cancellation is pushed to it too.
    let pushed = format!("Your order {first} has been cancelled.");
    wait_for(|| texts_to(&telegram, ada).contains(&pushed).then_some(())).await;
    service.stop();

    // A new bot on the same store. The fake hands it every update again from offset 0
    // (Telegram re-delivers what a crashed bot had not confirmed): none acts twice.
    let service = Service::start(&shop.shop.data, &telegram);
    chats.say(ada, "/orders");
    let texts = bot_replies(&telegram, ada, 3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    service.stop();
    let texts_after: Vec<String> = texts_to(&telegram, ada)
        .into_iter()
        .filter(|t| *t != pushed)
        .collect();
    assert_eq!(texts_after, texts, "one reply per update: {texts_after:?}");
    assert_eq!(texts.len(), 3, "{texts:?}");
    // Still signed in: /orders lists Ada's orders, without a second login.
    for reference in &shop.ada_orders {
        assert!(texts[2].contains(reference.as_str()), "{}", texts[2]);
    }
    assert_eq!(deleted_in(&telegram, ada), vec![login], "deleted once");
    assert_eq!(shop.status_of(&first), OrderStatus::Cancelled);
    // The store keeps the session's hash with the chat, never the token or password.
    use ordo_core::store::Store;
    let engine = shop.shop.engine();
    let chat = engine
        .store(&sample::admin())
        .unwrap()
        .get(&ordo_core::store::RecordKey::TelegramChat(ada))
        .unwrap()
        .unwrap();
    let shown = format!("{:?}", chat.value);
    assert!(!shown.contains(ADA_PASSWORD), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_signed_in_by_telegram_gets_status_pushes_in_the_chat() {
    let shop = AccountsShop::new();
    let telegram = FakeTelegram::start(TOKEN).await;
    let service = Service::start(&shop.shop.data, &telegram);
    let mut chats = Chats::new(&telegram);
    let (ada, olga) = (960, 961);
    let first = shop.ada_orders[0].clone();

    chats.say(ada, &format!("/login {ADA_LOGIN} {ADA_PASSWORD}"));
    assert_eq!(replies(&telegram, ada, 1).await[0], reply::logged_in(None));
    chats.say(olga, &format!("/login {PROCESSOR_LOGIN} {STAFF_PASSWORD}"));
    replies(&telegram, olga, 1).await;
    chats.say(olga, &format!("/status {first} confirmed"));
    assert_eq!(
        replies(&telegram, olga, 2).await[1],
        format!("{first} is now confirmed.")
    );
    // The dispatcher pushes the news to Ada's chat.
    let pushed = format!("Your order {first} is now confirmed.");
    let texts = wait_for(|| {
        let texts = texts_to(&telegram, ada);
        texts.contains(&pushed).then_some(texts)
    })
    .await;
    assert_eq!(texts.len(), 2, "{texts:?}");

    // Signed out, the chat hears no more of her orders.
    chats.say(ada, "/logout");
    assert_eq!(replies(&telegram, ada, 3).await[2], reply::LOGGED_OUT);
    chats.say(olga, &format!("/status {first} picking"));
    replies(&telegram, olga, 3).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    service.stop();
    let texts = texts_to(&telegram, ada);
    assert_eq!(texts.len(), 3, "nothing pushed after /logout: {texts:?}");
    let engine = shop.shop.engine();
    let to_chat = sample::deliveries(&engine)
        .into_iter()
        .filter(|d| d.recipient() == &ordo_core::delivery::Recipient::TelegramChat(ada))
        .count();
    assert_eq!(to_chat, 1, "only the confirmation went to the chat");
}

// --- The cart and checkout (issue 11, step 2) ------------------------------------------

/// The bot's replies in `chat` (the pushed order news left out), once there are `count`.
async fn bot_replies(telegram: &FakeTelegram, chat: i64, count: usize) -> Vec<String> {
    wait_for(|| {
        let texts: Vec<String> = texts_to(telegram, chat)
            .into_iter()
            .filter(|t| !t.starts_with("Thank you! Your order") && !t.starts_with("Your order "))
            .collect();
        (texts.len() >= count).then_some(texts)
    })
    .await
}

/// The callback data of the buttons of the last message sent to `chat`.
fn buttons_to(telegram: &FakeTelegram, chat: i64) -> Vec<Callback> {
    let sent = telegram.sent();
    let last = sent
        .iter()
        .rev()
        .find(|c| c.method == "sendmessage" && c.chat_id() == Some(chat))
        .unwrap();
    last.params["reply_markup"]["inline_keyboard"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().iter())
        .map(|button| Callback::decode(button["callback_data"].as_str().unwrap()).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cart_checkout_places_the_cart_once_with_a_reference_and_resumes_after_a_restart() {
    use ordo_bots::telegram::command::LineChange;
    use ordo_core::pricing::ShippingMethod;

    let shop = AccountsShop::new();
    let tee = shop
        .shop
        .engine()
        .product_by_sku(&sample::admin(), "TEE")
        .unwrap()
        .id();
    let telegram = FakeTelegram::start(TOKEN).await;
    let mut chats = Chats::new(&telegram);
    let ada = 970;
    chats.say(ada, &format!("/login {ADA_LOGIN} {ADA_PASSWORD}"));
    let service = Service::start(&shop.shop.data, &telegram);
    bot_replies(&telegram, ada, 1).await;

    chats.press(
        ada,
        &Callback::AddToCart {
            product: tee,
            quantity: 2,
        }
        .encode(),
    );
    let cart = bot_replies(&telegram, ada, 2).await[1].clone();
    assert!(cart.starts_with("Your cart:"), "{cart}");
    assert!(cart.contains("2 × TEE"), "{cart}");
    let buttons = buttons_to(&telegram, ada);
    let Some(Callback::Checkout(order)) = buttons.last().cloned() else {
        panic!("no checkout button: {buttons:?}")
    };
    assert!(buttons.contains(&Callback::CartLine {
        order,
        product: tee,
        change: LineChange::More
    }));
    for button in &buttons {
        assert!(button.encode().len() <= 64);
    }
    chats.press(
        ada,
        &Callback::CartLine {
            order,
            product: tee,
            change: LineChange::More,
        }
        .encode(),
    );
    assert!(bot_replies(&telegram, ada, 3).await[2].contains("3 × TEE"));
    chats.press(ada, &Callback::Checkout(order).encode());
    let checkout = bot_replies(&telegram, ada, 4).await[3].clone();
    assert!(checkout.starts_with("Checkout:"), "{checkout}");
    assert!(checkout.contains("Ship to: "), "{checkout}");
    assert!(
        buttons_to(&telegram, ada).contains(&Callback::Place(order)),
        "{checkout}"
    );
    chats.press(
        ada,
        &Callback::Shipping {
            order,
            method: ShippingMethod::Express,
        }
        .encode(),
    );
    let express = bot_replies(&telegram, ada, 5).await[4].clone();
    assert!(express.contains("(express)"), "{express}");
    service.stop();

    // A restart in the middle of checkout: the cart is the engine's, the Place button
    // still works; pressing it again (or a re-delivery) places nothing twice.
    let service = Service::start(&shop.shop.data, &telegram);
    chats.press(ada, &Callback::Place(order).encode());
    let placed = bot_replies(&telegram, ada, 6).await[5].clone();
    let prefix = "Order placed. Your reference number is ";
    assert!(placed.starts_with(prefix), "{placed}");
    let reference: String = placed[prefix.len()..]
        .chars()
        .take_while(|c| *c != ' ')
        .collect();
    chats.press(ada, &Callback::Place(order).encode());
    chats.say(ada, "/cart");
    let texts = bot_replies(&telegram, ada, 8).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    service.stop();
    // (A press without its message and a message may be handled in either order.)
    let mut last_two = texts[6..].to_vec();
    last_two.sort();
    let mut expected = vec![placed.clone(), reply::CART_EMPTY.to_string()];
    expected.sort();
    assert_eq!(last_two, expected, "the same answer, nothing placed again");
    assert_eq!(bot_replies(&telegram, ada, 8).await.len(), 8);

    let engine = shop.shop.engine();
    let order = engine.get_order(&sample::admin(), order).unwrap().value;
    assert_eq!(order.status(), OrderStatus::Placed);
    assert_eq!(order.reference().unwrap().to_string(), reference);
    assert_eq!(order.shipping_method(), ShippingMethod::Express);
    assert_eq!(order.lines().len(), 1);
    assert_eq!(order.lines()[0].quantity, 3);
    assert_eq!(order.lines()[0].reserved, 3, "reserved once");
    let adas = engine
        .list_orders(
            &sample::admin(),
            &ordo_core::engine::OrderFilter {
                customer: Some(shop.ada),
                ..Default::default()
            },
        )
        .unwrap()
        .items;
    assert_eq!(adas.len(), 3, "her two orders and the one from the cart");
}

// --- The catalog (issue 11, step 3) ------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_pages_with_buttons_shows_a_card_with_photo_and_adds_to_the_cart() {
    use ordo_core::catalog::{Media, MediaKind};

    let shop = AccountsShop::new();
    let engine = shop.shop.engine();
    let admin = sample::admin();
    for n in 1..=5 {
        let sku = format!("A0{n}");
        engine
            .create_product(&admin, sample::product(&sku, 1000 + n))
            .unwrap();
    }
    let mut plain = sample::product("NOPIC", 900);
    plain.media = vec![Media {
        kind: MediaKind::Video,
        url: "https://video.example.com/nopic".into(),
        caption: "How it looks".into(),
    }];
    let nopic = engine.create_product(&admin, plain).unwrap().id();
    let tee = engine.product_by_sku(&admin, "TEE").unwrap().id();
    drop(engine);

    let telegram = FakeTelegram::start(TOKEN).await;
    let mut chats = Chats::new(&telegram);
    let ada = 980;
    chats.say(ada, &format!("/login {ADA_LOGIN} {ADA_PASSWORD}"));
    chats.say(ada, "/catalog");
    let service = Service::start(&shop.shop.data, &telegram);
    let first = bot_replies(&telegram, ada, 2).await[1].clone();
    assert!(first.starts_with("Catalog, page 1:"), "{first}");
    assert_eq!(first.lines().count(), 6, "five products: {first}");
    let buttons = buttons_to(&telegram, ada);
    assert_eq!(buttons.len(), 6, "five products and Next: {buttons:?}");
    assert_eq!(
        buttons[0],
        Callback::Product {
            product: tee,
            page: 1
        }
    );
    assert_eq!(buttons[5], Callback::CatalogPage(2));

    // Next: the page is edited into the message that held the buttons.
    chats.press_on(ada, 5000, &Callback::CatalogPage(2).encode());
    let edit = wait_for(|| {
        telegram
            .sent()
            .into_iter()
            .find(|c| c.method == "editmessagetext")
    })
    .await;
    assert_eq!(edit.params["message_id"], json!(5000));
    let second = edit.text().unwrap();
    assert!(second.starts_with("Catalog, page 2:"), "{second}");
    assert!(second.contains("NOPIC"), "{second}");
    let page_two = &edit.params["reply_markup"]["inline_keyboard"];
    let last_row = page_two.as_array().unwrap().last().unwrap();
    assert_eq!(
        last_row[0]["callback_data"],
        json!(Callback::CatalogPage(1).encode()),
        "Prev on page 2, no Next"
    );
    assert_eq!(last_row.as_array().unwrap().len(), 1);

    // A card with a photo goes out as sendPhoto, its words as the caption.
    chats.press(
        ada,
        &Callback::Product {
            product: tee,
            page: 1,
        }
        .encode(),
    );
    let photo = wait_for(|| {
        telegram
            .sent()
            .into_iter()
            .find(|c| c.method == "sendphoto")
    })
    .await;
    assert_eq!(photo.chat_id(), Some(ada));
    assert_eq!(
        photo.params["photo"],
        json!("https://cdn.example.com/tee.jpg")
    );
    let caption = photo.params["caption"].as_str().unwrap();
    assert!(caption.contains("Price: 15.00 USD"), "{caption}");
    assert!(caption.contains("Material: Cotton"), "{caption}");
    assert!(caption.contains("In stock: 97."), "{caption}");
    let add_two = Callback::AddToCart {
        product: tee,
        quantity: 2,
    };
    assert_eq!(
        photo.params["reply_markup"]["inline_keyboard"][0][1]["callback_data"],
        json!(add_two.encode())
    );
    // Without a photo, the card is text, with the video link.
    chats.press(
        ada,
        &Callback::Product {
            product: nopic,
            page: 2,
        }
        .encode(),
    );
    let card = bot_replies(&telegram, ada, 3).await[2].clone();
    assert!(card.starts_with("Product NOPIC (NOPIC)"), "{card}");
    assert!(
        card.contains("Video: https://video.example.com/nopic"),
        "{card}"
    );
    assert!(card.contains("Out of stock."), "{card}");
    chats.press(ada, &add_two.encode());
    let cart = bot_replies(&telegram, ada, 4).await[3].clone();
    service.stop();
    assert!(cart.starts_with("Your cart:"), "{cart}");
    assert!(cart.contains("2 × TEE"), "{cart}");
    let answered = telegram
        .sent()
        .iter()
        .filter(|c| c.method == "answercallbackquery")
        .count();
    assert_eq!(answered, 4, "every press answered");
}

// --- Webhook mode (issue 11, step 5) -----------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_handles_posts_with_the_registered_secret_and_refuses_the_others() {
    let shop = AccountsShop::new();
    let telegram = FakeTelegram::start(TOKEN).await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/telegram/hook-7");
    let service = Service::start_with(
        &shop.shop.data,
        &telegram,
        port,
        vec![("ORDO_TELEGRAM_WEBHOOK_URL".to_string(), url.clone())],
    );
    // The bot registers the URL with a random secret.
    let registered = wait_for(|| telegram.webhook()).await;
    assert_eq!(registered["url"], json!(url));
    let secret = registered["secret_token"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 64, "{secret}");

    let chat = 990;
    let client = reqwest::Client::new();
    let post = |update: serde_json::Value, secret: Option<String>| {
        let mut request = client.post(&url).json(&update);
        if let Some(secret) = secret {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        request.send()
    };
    // One character off (never the secret itself: its last character may be a `0`).
    let last = if secret.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &secret[..63]);
    assert_ne!(wrong, secret);
    let refused = [
        post(message_update(1, 10, chat, "/start"), None)
            .await
            .unwrap(),
        post(message_update(2, 20, chat, "/start"), Some(wrong))
            .await
            .unwrap(),
        post(message_update(3, 30, chat, "/start"), Some(String::new()))
            .await
            .unwrap(),
    ];
    for response in &refused {
        assert_eq!(response.status(), 401);
    }
    let accepted = post(message_update(4, 40, chat, "/help"), Some(secret.clone()))
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    // The same update posted again (Telegram retries) acts once.
    let again = post(message_update(4, 40, chat, "/help"), Some(secret.clone()))
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    let texts = replies(&telegram, chat, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    service.stop();
    assert_eq!(texts_to(&telegram, chat), texts);
    assert_eq!(
        texts,
        vec![reply::HELP.to_string()],
        "only the post with the secret"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_tells_staff_who_may_see_reports_todays_sales_and_refuses_the_others() {
    let shop = AccountsShop::new();
    let engine = shop.shop.engine();
    engine
        .add_user(
            &sample::admin(),
            "Sam",
            "sam.sales",
            Role::Sales,
            STAFF_PASSWORD,
        )
        .unwrap();
    drop(engine);
    let telegram = FakeTelegram::start(TOKEN).await;
    let mut chats = Chats::new(&telegram);
    let (sam, walt) = (995, 996);
    chats.say(sam, &format!("/login sam.sales {STAFF_PASSWORD}"));
    chats.say(walt, &format!("/login {WAREHOUSE_LOGIN} {STAFF_PASSWORD}"));
    chats.say(sam, "/report");
    chats.say(sam, "/report sales 7d");
    chats.say(sam, "/report sales 9y");
    chats.say(walt, "/report");
    let service = Service::start(&shop.shop.data, &telegram);
    let texts = replies(&telegram, sam, 4).await;
    let refused = replies(&telegram, walt, 2).await[1].clone();
    service.stop();
    // The three orders of the shop were placed today: 23.00 USD each (tax and shipping in).
    assert_eq!(
        texts[1], "Sales today:\n3 orders, 69.00 USD, 3 units; 0 cancelled",
        "{texts:?}"
    );
    assert!(
        texts[2].starts_with("Sales, last 7 days:\n3 orders"),
        "{}",
        texts[2]
    );
    assert_eq!(texts[3], reply::usage("report", "sales today|7d|30d"));
    assert!(
        refused.starts_with("Sorry, your account may not do that"),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warehouse_staff_ship_a_packed_order_and_a_customer_may_not() {
    let shop = AccountsShop::new();
    let first = shop.ada_orders[0].clone();
    let engine = shop.shop.engine();
    let id = engine
        .order_by_reference(&sample::admin(), &first)
        .unwrap()
        .value
        .id();
    for to in [
        OrderStatus::Confirmed,
        OrderStatus::Picking,
        OrderStatus::Packed,
    ] {
        engine.change_status(&sample::admin(), id, to).unwrap();
    }
    drop(engine);
    let telegram = FakeTelegram::start(TOKEN).await;
    let mut chats = Chats::new(&telegram);
    let (walt, ada) = (1001, 1002);
    chats.say(ada, &format!("/login {ADA_LOGIN} {ADA_PASSWORD}"));
    chats.say(ada, &format!("/ship {first} dhl JD014600006101"));
    chats.say(walt, &format!("/login {WAREHOUSE_LOGIN} {STAFF_PASSWORD}"));
    chats.say(walt, &format!("/ship {first} dhl"));
    chats.say(walt, &format!("/ship {first} dhl JD0146-0000-6101"));
    let service = Service::start(&shop.shop.data, &telegram);
    let refused = bot_replies(&telegram, ada, 2).await[1].clone();
    let texts = replies(&telegram, walt, 3).await;
    service.stop();
    assert!(
        refused.starts_with("Sorry, your account may not do that"),
        "{refused}"
    );
    assert_eq!(texts[1], reply::usage("ship", "REF CARRIER TRACKING"));
    assert_eq!(texts[2], format!("{first} is now shipped."));
    assert_eq!(shop.status_of(&first), OrderStatus::Shipped);
    let shipments = shop
        .shop
        .engine()
        .order_shipments(&sample::admin(), id)
        .unwrap();
    assert_eq!(shipments.len(), 1, "shipped once");
}

// --- /register (issue 11, step 3) ------------------------------------------------------

use ordo_bots::telegram::register;

impl Chats {
    /// A contact shared in chat `chat` (whose user is `chat`) with `phone`, belonging to
    /// Telegram user `owner`; returns the message id.
    fn share_contact(&mut self, chat: i64, phone: &str, owner: i64) -> i64 {
        let update = self.next_update;
        self.next_update += 1;
        let message_id = update * 10;
        self.telegram.push_update(json!({
            "update_id": update,
            "message": {
                "message_id": message_id,
                "date": 1_700_000_000,
                "chat": {"id": chat, "type": "private", "first_name": "Customer"},
                "from": {"id": chat, "is_bot": false, "first_name": "Customer"},
                "contact": {"phone_number": phone, "first_name": "Someone", "user_id": owner},
            }
        }));
        message_id
    }

    /// Says `text` in `chat` and waits for the bot's `count`-th reply there; returns it.
    async fn ask(&mut self, chat: i64, text: &str, count: usize) -> String {
        self.say(chat, text);
        replies(&self.telegram, chat, count).await[count - 1].clone()
    }
}

/// The raw bytes of every file under `dir`, joined.
fn raw_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.extend(raw_bytes(&path));
        } else {
            all.extend(std::fs::read(&path).unwrap());
        }
    }
    all
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// The reply markup of the last message sent to `chat`.
fn last_markup(telegram: &FakeTelegram, chat: i64) -> serde_json::Value {
    telegram
        .sent()
        .iter()
        .rev()
        .find(|c| c.method == "sendmessage" && c.chat_id() == Some(chat))
        .unwrap()
        .params["reply_markup"]
        .clone()
}

const NEW_PASSWORD: &str = "velvet comet harbor 58";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_with_the_own_shared_contact_then_log_in_and_list_orders() {
    let shop = Shop::new();
    let telegram = FakeTelegram::start(TOKEN).await;
    let service = Service::start(&shop.data, &telegram);
    let mut chats = Chats::new(&telegram);
    let chat = 880;

    assert_eq!(chats.ask(chat, "/start", 1).await, reply::WELCOME);
    assert_eq!(
        last_markup(&telegram, chat)["inline_keyboard"][0][1]["callback_data"],
        json!(Callback::Register.encode())
    );
    chats.press(chat, &Callback::Register.encode());
    assert_eq!(replies(&telegram, chat, 2).await[1], register::ASK_NAME);
    let asked = chats.ask(chat, "Ada Lovelace", 3).await;
    assert_eq!(
        asked,
        format!("Thanks, Ada Lovelace. {}", register::ASK_PHONE)
    );
    let button = &last_markup(&telegram, chat)["keyboard"][0][0];
    assert_eq!(button["request_contact"], json!(true), "{button}");

    // Someone else's contact is refused politely; the sender's own is taken.
    chats.share_contact(chat, "15550004444", 31337);
    assert_eq!(
        replies(&telegram, chat, 4).await[3],
        register::NOT_YOUR_CONTACT
    );
    chats.share_contact(chat, "15550009999", chat);
    assert_eq!(replies(&telegram, chat, 5).await[4], register::ASK_EMAIL);
    assert_eq!(
        chats.ask(chat, "ada@example.com", 6).await,
        register::ASK_KIND
    );
    assert_eq!(
        chats.ask(chat, register::PERSONAL, 7).await,
        register::ASK_ADDRESS
    );
    assert_eq!(
        chats
            .ask(
                chat,
                "Ada Lovelace, 12 Main Street, Springfield, 12345, US",
                8
            )
            .await,
        register::ASK_LOGIN,
        "no code: Telegram vouched for the phone"
    );
    assert_eq!(chats.ask(chat, "ada.tg", 9).await, register::ASK_PASSWORD);
    let secret = chats.say(chat, NEW_PASSWORD);
    let done = replies(&telegram, chat, 10).await[9].clone();
    assert!(
        done.starts_with("Welcome! Your account is ready. Your Registration ID is CUS-"),
        "{done}"
    );
    assert_eq!(deleted_in(&telegram, chat), vec![secret]);

    // The new customer logs in and lists their (no) orders.
    let login = chats.say(chat, &format!("/login ada.tg {NEW_PASSWORD}"));
    assert_eq!(
        replies(&telegram, chat, 11).await[10],
        reply::logged_in(None)
    );
    assert_eq!(deleted_in(&telegram, chat), vec![secret, login]);
    assert_eq!(chats.ask(chat, "/orders", 12).await, reply::orders(&[]));
    service.stop();

    let engine = shop.engine();
    let customers = engine
        .list_customers(&sample::admin(), Some("Ada Lovelace"), None, 10)
        .unwrap()
        .items;
    assert_eq!(customers.len(), 1);
    assert_eq!(
        customers[0].status(),
        ordo_core::customer::CustomerStatus::Active
    );
    assert_eq!(customers[0].phone().as_str(), "+15550009999");
    assert!(done.contains(&customers[0].registration_id().unwrap().to_string()));
    assert_eq!(
        engine.telegram_dialogue(&Actor::system(), chat).unwrap(),
        None,
        "the flow is over"
    );
    drop(engine);
    // No password at rest (the login id is, as a control that the bytes are readable),
    // and none in any call to Telegram but the deleted message's own.
    let bytes = raw_bytes(&shop.data);
    assert!(holds(&bytes, "ada.tg"));
    assert!(!holds(&bytes, NEW_PASSWORD));
    let leaks = telegram
        .sent()
        .iter()
        .filter(|call| call.params.to_string().contains(NEW_PASSWORD))
        .count();
    assert_eq!(leaks, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typed_phone_needs_the_sms_code_a_restart_resumes_and_a_business_awaits_approval() {
    let shop = Shop::new();
    let telegram = FakeTelegram::start(TOKEN).await;
    let service = Service::start(&shop.data, &telegram);
    let mut chats = Chats::new(&telegram);
    let chat = 881;

    assert_eq!(chats.ask(chat, "/register", 1).await, register::ASK_NAME);
    chats.ask(chat, "Grace Hopper", 2).await;
    assert!(
        chats
            .ask(chat, "not a phone", 3)
            .await
            .starts_with("Sorry:")
    );
    assert_eq!(
        chats.ask(chat, "+1 555 000 7777", 4).await,
        register::ASK_EMAIL
    );
    chats.ask(chat, "grace@example.com", 5).await;
    assert_eq!(chats.ask(chat, "business", 6).await, register::ASK_COMPANY);
    assert_eq!(chats.ask(chat, "Acme Ltd", 7).await, register::ASK_TAX_ID);
    assert_eq!(
        chats.ask(chat, "DE123456789", 8).await,
        register::ASK_ADDRESS
    );
    assert!(
        chats
            .ask(chat, "somewhere nice", 9)
            .await
            .starts_with("Sorry:")
    );
    assert_eq!(
        chats
            .ask(chat, "Grace Hopper, 1 Navy Way, Arlington, 22201, US", 10)
            .await,
        register::ASK_CODE
    );
    service.stop();

    // Mid-registration, the bot is down. The chat's record keeps the progress — the
    // customer id, never the code or a handle; the code went out by SMS.
    let engine = shop.engine();
    let (customer, nonce) = sample::deliveries(&engine)
        .into_iter()
        .find_map(|d| match *d.event() {
            ordo_core::outbox::DomainEvent::VerificationCodeRequested {
                customer,
                nonce,
                channel: Channel::Sms,
            } => Some((customer, nonce)),
            _ => None,
        })
        .expect("a code sent by SMS");
    let code = engine
        .verification_code(&Actor::system(), customer, nonce)
        .unwrap()
        .unwrap();
    let dialogue = engine
        .telegram_dialogue(&Actor::system(), chat)
        .unwrap()
        .unwrap();
    assert_eq!(
        dialogue,
        format!(
            r#"{{"flow":"register","step":"code","customer":{}}}"#,
            customer.0
        )
    );
    drop(engine);
    assert!(!holds(&raw_bytes(&shop.data), &code));

    // A new bot resumes at the code.
    let service = Service::start(&shop.data, &telegram);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert!(
        chats
            .ask(chat, wrong, 11)
            .await
            .contains("verification code is not correct"),
        "{:?}",
        texts_to(&telegram, chat)
    );
    assert_eq!(chats.ask(chat, &code, 12).await, register::ASK_LOGIN);
    assert_eq!(chats.ask(chat, "acme.tg", 13).await, register::ASK_PASSWORD);
    let weak = chats.say(chat, "short");
    assert!(replies(&telegram, chat, 14).await[13].starts_with("Sorry:"));
    let good = chats.say(chat, NEW_PASSWORD);
    assert_eq!(
        replies(&telegram, chat, 15).await[14],
        register::awaiting_approval("acme.tg")
    );
    assert_eq!(deleted_in(&telegram, chat), vec![weak, good]);
    // Awaiting approval: no login yet.
    assert!(
        chats
            .ask(chat, &format!("/login acme.tg {NEW_PASSWORD}"), 16)
            .await
            .starts_with("Sorry:")
    );
    service.stop();

    let engine = shop.engine();
    let grace = engine.get_customer(&sample::admin(), customer).unwrap();
    assert_eq!(
        grace.status(),
        ordo_core::customer::CustomerStatus::PendingApproval
    );
    assert_eq!(grace.phone().as_str(), "+15550007777");
    drop(engine);
    let bytes = raw_bytes(&shop.data);
    assert!(holds(&bytes, "acme.tg"), "control: the login id is stored");
    assert!(!holds(&bytes, NEW_PASSWORD));
    assert!(!holds(&bytes, &code));
    assert_eq!(texts_to(&telegram, chat).len(), 16, "one reply per update");
}

// --- Telegram's per-chat send rate ------------------------------------------------------

/// When each `sendMessage` to `chat` arrived, in order.
fn arrivals(calls: &[support::fake_telegram::Call], chat: i64) -> Vec<Instant> {
    calls
        .iter()
        .filter(|c| c.method == "sendmessage" && c.chat_id() == Some(chat))
        .map(|c| c.at)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_to_one_chat_are_a_second_apart_and_another_chat_is_not_held_back() {
    let shop = Shop::new();
    let telegram = FakeTelegram::start(TOKEN).await;
    let mut chats = Chats::new(&telegram);
    let (busy, quiet) = (990, 991);
    // Waiting before the bot starts: they arrive in one batch of updates.
    for _ in 0..3 {
        chats.say(busy, "/help");
    }
    chats.say(quiet, "/help");
    let service = Service::start(&shop.data, &telegram);
    let sent = wait_for(|| {
        let sent = telegram.sent();
        (arrivals(&sent, busy).len() == 3 && arrivals(&sent, quiet).len() == 1).then_some(sent)
    })
    .await;
    service.stop();
    let (busy_at, quiet_at) = (arrivals(&sent, busy), arrivals(&sent, quiet));
    for pair in busy_at.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= Duration::from_millis(950), "only {gap:?} apart");
    }
    assert!(
        quiet_at[0] < busy_at[1],
        "the quiet chat's reply waited behind the busy chat's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushed_messages_to_one_chat_are_a_second_apart_and_another_chat_is_not_held_back() {
    let shop = Shop::new();
    let engine = shop.engine();
    // Two codes for one chat, one for another.
    register(&engine, 1, 650);
    register(&engine, 2, 650);
    register(&engine, 3, 651);
    let telegram = FakeTelegram::start(TOKEN).await;
    let dispatcher = dispatcher(engine, &telegram);
    let started = Instant::now();
    assert_eq!(dispatcher.run_once().await.unwrap(), 3, "one batch");
    let sent = telegram.sent();
    let (busy_at, quiet_at) = (arrivals(&sent, 650), arrivals(&sent, 651));
    assert_eq!((busy_at.len(), quiet_at.len()), (2, 1));
    let gap = busy_at[1] - busy_at[0];
    assert!(gap >= Duration::from_millis(950), "only {gap:?} apart");
    assert!(
        quiet_at[0] - started < Duration::from_millis(900),
        "the other chat waited {:?}",
        quiet_at[0] - started
    );
}

// --- Files: /picklist and /report (issue 11, staff documents) ---------------------------

/// The successful `method` calls to `chat` (`senddocument`, `sendphoto`).
fn calls_to(telegram: &FakeTelegram, chat: i64, method: &str) -> Vec<support::fake_telegram::Call> {
    telegram
        .sent()
        .into_iter()
        .filter(|call| call.method == method && call.chat_id() == Some(chat))
        .collect()
}

/// All the text of every page of a PDF, as lopdf extracts it (as ordo-documents' tests
/// read their PDFs).
fn pdf_text(bytes: &[u8]) -> String {
    let document = lopdf::Document::load_mem(bytes).unwrap();
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    document.extract_text(&pages).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn picklist_sends_the_pdf_to_warehouse_staff_and_refuses_the_others() {
    let shop = AccountsShop::new();
    let engine = shop.shop.engine();
    let admin = sample::admin();
    engine
        .create_product(&admin, sample::product("MUG-2", 900))
        .unwrap();
    engine
        .restock(&admin, "MUG-2", "MAIN", 10, "stock")
        .unwrap();
    let mixed = engine
        .create_order(
            &admin,
            &OrderRequest::simple(shop.ada, &[("MUG-2", 2), ("TEE", 1)]),
        )
        .unwrap();
    engine
        .change_status(&admin, mixed.id(), OrderStatus::Confirmed)
        .unwrap();
    let first = engine
        .order_by_reference(&admin, &shop.ada_orders[0])
        .unwrap()
        .value;
    engine
        .change_status(&admin, first.id(), OrderStatus::Confirmed)
        .unwrap();
    engine
        .add_user(&admin, "Sam", "sam.sales", Role::Sales, STAFF_PASSWORD)
        .unwrap();
    drop(engine);
    let telegram = FakeTelegram::start(TOKEN).await;
    let mut chats = Chats::new(&telegram);
    let (walt, sam, ada, stranger) = (1101, 1102, 1103, 1104);
    chats.say(walt, &format!("/login {WAREHOUSE_LOGIN} {STAFF_PASSWORD}"));
    chats.say(walt, "/picklist main");
    chats.say(walt, "/picklist W9");
    chats.say(walt, "/picklist w9!");
    chats.say(walt, "/picklist");
    chats.say(sam, &format!("/login sam.sales {STAFF_PASSWORD}"));
    chats.say(sam, "/picklist MAIN");
    chats.say(ada, &format!("/login {ADA_LOGIN} {ADA_PASSWORD}"));
    chats.say(ada, "/picklist MAIN");
    chats.say(stranger, "/picklist MAIN");
    let service = Service::start(&shop.shop.data, &telegram);
    let walt_texts = replies(&telegram, walt, 4).await;
    let sam_texts = replies(&telegram, sam, 2).await;
    let ada_texts = replies(&telegram, ada, 2).await;
    let stranger_texts = replies(&telegram, stranger, 1).await;
    let documents = wait_for(|| {
        let documents = calls_to(&telegram, walt, "senddocument");
        (!documents.is_empty()).then_some(documents)
    })
    .await;
    service.stop();

    // Exactly one document, to the warehouse worker only.
    assert_eq!(documents.len(), 1, "{documents:?}");
    assert_eq!(
        telegram
            .sent()
            .iter()
            .filter(|c| c.method == "senddocument")
            .count(),
        1
    );
    let document = &documents[0];
    assert_eq!(document.files.len(), 1);
    let file = &document.files[0];
    assert_eq!(file.field, "document");
    assert_eq!(file.file_name.as_deref(), Some("picklist-MAIN.pdf"));
    assert!(file.bytes.starts_with(b"%PDF-"), "not a PDF");
    let text = pdf_text(&file.bytes);
    for sku in ["MUG-2", "TEE"] {
        assert!(text.contains(sku), "{sku} not in {text}");
    }
    assert!(text.contains(&shop.ada_orders[0]), "{text}");
    assert!(
        text.contains(&mixed.reference().unwrap().to_string()),
        "{text}"
    );
    assert_eq!(
        document.params["caption"],
        "Pick list of MAIN: 2 products, 4 units for 2 orders."
    );
    // The words: nothing in W9, a word that is no code, the usage.
    assert_eq!(walt_texts.len(), 4, "{walt_texts:?}");
    assert_eq!(walt_texts[1], reply::nothing_to_pick("W9"));
    assert_eq!(walt_texts[2], reply::not_a_warehouse("W9!"));
    assert_eq!(walt_texts[3], reply::usage("picklist", "WAREHOUSE"));
    // Sales staff and a customer are refused politely; a chat not linked logs in first.
    for refused in [&sam_texts[1], &ada_texts[1]] {
        assert!(
            refused.starts_with("Sorry, your account may not do that"),
            "{refused}"
        );
    }
    assert_eq!(stranger_texts, vec![reply::LOG_IN_FIRST.to_string()]);
    // The customer's refusal is in her communication log like every exchange.
    let log: Vec<(Direction, String)> = shop
        .shop
        .engine()
        .messages(&admin, shop.ada, 50)
        .unwrap()
        .into_iter()
        .filter(|m| m.channel == MessageChannel::Telegram)
        .map(|m| (m.direction, m.text))
        .collect();
    assert!(
        log.contains(&(Direction::Inbound, "/picklist MAIN".to_string()))
            && log.contains(&(Direction::Outbound, ada_texts[1].clone())),
        "{log:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_sends_the_sales_chart_as_a_png_photo_to_the_staff_chat_only() {
    let shop = AccountsShop::new();
    shop.shop
        .engine()
        .add_user(
            &sample::admin(),
            "Sam",
            "sam.sales",
            Role::Sales,
            STAFF_PASSWORD,
        )
        .unwrap();
    let telegram = FakeTelegram::start(TOKEN).await;
    let mut chats = Chats::new(&telegram);
    let (sam, walt, ada) = (1151, 1152, 1153);
    chats.say(sam, &format!("/login sam.sales {STAFF_PASSWORD}"));
    chats.say(walt, &format!("/login {WAREHOUSE_LOGIN} {STAFF_PASSWORD}"));
    chats.say(ada, &format!("/login {ADA_LOGIN} {ADA_PASSWORD}"));
    chats.say(sam, "/report sales 7d");
    chats.say(walt, "/report sales 7d");
    chats.say(ada, "/report");
    let service = Service::start(&shop.shop.data, &telegram);
    let texts = replies(&telegram, sam, 2).await;
    let photos = wait_for(|| {
        let photos = calls_to(&telegram, sam, "sendphoto");
        (!photos.is_empty()).then_some(photos)
    })
    .await;
    let walt_texts = replies(&telegram, walt, 2).await;
    let ada_texts = replies(&telegram, ada, 2).await;
    service.stop();

    assert!(
        texts[1].starts_with("Sales, last 7 days:\n3 orders"),
        "{}",
        texts[1]
    );
    // One photo, uploaded (not a URL), to the staff chat that asked and nowhere else.
    assert_eq!(photos.len(), 1);
    let all_photos: Vec<_> = telegram
        .sent()
        .into_iter()
        .filter(|c| c.method == "sendphoto")
        .collect();
    assert_eq!(all_photos.len(), 1, "{all_photos:?}");
    let photo = &photos[0];
    assert_eq!(photo.files.len(), 1);
    let file = &photo.files[0];
    assert_eq!(file.field, "photo");
    assert_eq!(file.file_name.as_deref(), Some("sales-7d.png"));
    assert!(file.bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(file.bytes.len() > 5_000, "{} bytes", file.bytes.len());
    assert_eq!(photo.params["caption"], reply::sales_caption(7));
    // The text came first.
    let text_at = telegram
        .sent()
        .into_iter()
        .find(|c| {
            c.method == "sendmessage" && c.chat_id() == Some(sam) && c.text() == Some(&texts[1])
        })
        .unwrap()
        .at;
    assert!(text_at <= photo.at);
    // The others were refused, with no chart.
    for refused in [&walt_texts[1], &ada_texts[1]] {
        assert!(
            refused.starts_with("Sorry, your account may not do that"),
            "{refused}"
        );
    }
}

// --- /register: "Send the code again" (issue 11) -----------------------------------------

/// The `VerificationCodeRequested` events of `customer`'s registration so far.
fn codes_requested(engine: &Engine<SledStore>) -> Vec<(ordo_core::ids::CustomerId, u64)> {
    sample::deliveries(engine)
        .into_iter()
        .filter_map(|d| match *d.event() {
            ordo_core::outbox::DomainEvent::VerificationCodeRequested {
                customer, nonce, ..
            } => Some((customer, nonce)),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typed_phone_gets_a_fresh_code_by_button_or_resend_within_the_engines_cooldown() {
    // The bot alone on an engine whose clock the test moves (the resend cooldown is 60 s).
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(ordo_core::clock::ManualClock::new(
        ordo_core::clock::Clock::now(&SystemClock),
    ));
    let engine = Engine::new(
        open(&dir.path().join("shop")),
        clock.clone(),
        Arc::new(SeededRandom::new(12)),
        EngineConfig::default(),
    );
    let pool = EnginePool::new(engine, 2);
    let telegram = FakeTelegram::start(TOKEN).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(ordo_bots::telegram::bot::run(
        bot(TOKEN, &telegram.api_url()).unwrap(),
        ordo_bots::telegram::bot::BotState::new(pool.clone()),
        stopped,
    ));
    let mut chats = Chats::new(&telegram);
    let chat = 1201;
    let resend = Callback::ResendCode.encode();
    // Nothing to resend before a registration waits for a code.
    assert_eq!(
        chats.ask(chat, "/resend", 1).await,
        register::NO_CODE_TO_RESEND
    );
    chats.ask(chat, "/register", 2).await;
    chats.ask(chat, "Linus Typed", 3).await;
    chats.ask(chat, "+1 555 000 8888", 4).await;
    chats.ask(chat, "linus@example.com", 5).await;
    chats.ask(chat, "personal", 6).await;
    assert_eq!(
        chats
            .ask(
                chat,
                "Linus Typed, 2 Main Street, Springfield, 12345, US",
                7
            )
            .await,
        register::ASK_CODE
    );
    let markup = last_markup(&telegram, chat);
    assert_eq!(
        markup["inline_keyboard"][0][0]["text"],
        register::RESEND_BUTTON
    );
    assert_eq!(
        markup["inline_keyboard"][0][0]["callback_data"],
        resend.as_str()
    );
    let engine = |pool: &EnginePool<SledStore>| {
        let pool = pool.clone();
        async move { pool.run(codes_requested).await.unwrap() }
    };
    assert_eq!(engine(&pool).await.len(), 1, "the first code");

    // At once: the engine's cooldown refuses, politely, and sends nothing.
    chats.press(chat, &resend);
    let too_soon = replies(&telegram, chat, 8).await[7].clone();
    assert!(too_soon.starts_with("Sorry:"), "{too_soon}");
    assert_eq!(engine(&pool).await.len(), 1, "no second code yet");

    // After the cooldown, /resend sends a fresh code; the old one no longer works.
    clock.advance(ordo_core::registration::RESEND_COOLDOWN_MS);
    assert_eq!(
        chats.ask(chat, "/resend", 9).await,
        register::CODE_SENT_AGAIN
    );
    let codes = engine(&pool).await;
    assert_eq!(codes.len(), 2, "a second code");
    let (customer, old_nonce) = codes[0];
    let new_nonce = codes[1].1;
    let (old, new) = pool
        .run(move |e| {
            (
                e.verification_code(&Actor::system(), customer, old_nonce)
                    .unwrap(),
                e.verification_code(&Actor::system(), customer, new_nonce)
                    .unwrap()
                    .unwrap(),
            )
        })
        .await
        .unwrap();
    assert_eq!(old, None, "the first code was replaced");
    // The button again, at once: too soon again.
    chats.press(chat, &resend);
    assert!(replies(&telegram, chat, 10).await[9].starts_with("Sorry:"));
    assert_eq!(engine(&pool).await.len(), 2);
    // The new code verifies the phone.
    assert_eq!(chats.ask(chat, &new, 11).await, register::ASK_LOGIN);
    // Once verified there is no code to resend: the question is asked again.
    assert_eq!(chats.ask(chat, "/resend", 12).await, register::ASK_LOGIN);
    assert_eq!(engine(&pool).await.len(), 2, "no code after verification");
    assert_eq!(texts_to(&telegram, chat).len(), 12, "one reply per update");
    stop.send(true).unwrap();
    running.await.unwrap();
}
