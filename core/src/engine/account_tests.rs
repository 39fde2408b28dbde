//! Tests of accounts: registration, verification codes, approval, login, sessions,
//! staff users, the whole permission matrix and ownership.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use crate::auth::{Actor, Role};
use crate::clock::ManualClock;
use crate::customer::{CustomerInput, CustomerStatus};
use crate::engine::{Engine, OrderRequest, RegistrationRequest, VerifyRequest};
use crate::error::{AuthFailure, Error, Refusal};
use crate::ids::{CustomerId, UserId};
use crate::message::{Direction, MessageChannel};
use crate::outbox::DomainEvent;
use crate::registration::{CODE_TTL_MS, Channel};
use crate::store::MemoryStore;
use crate::testkit::sample;

struct Fixture {
    engine: Engine<Arc<MemoryStore>>,
    clock: Arc<ManualClock>,
    admin: Actor,
    /// The registration handle of each customer registered through [`Fixture::register`].
    handles: RefCell<HashMap<CustomerId, String>>,
}

fn fixture() -> Fixture {
    let (engine, clock) = sample::engine(Arc::new(MemoryStore::new()), 5);
    let admin = sample::admin();
    engine
        .create_product(&admin, sample::product("TEE", 2000))
        .unwrap();
    engine
        .restock(&admin, "TEE", "MAIN", 100, "initial")
        .unwrap();
    Fixture {
        engine,
        clock,
        admin,
        handles: RefCell::new(HashMap::new()),
    }
}

const PASSWORD: &str = "plum-orchard-7-lantern";

impl Fixture {
    fn register(&self, n: u64, business: bool) -> CustomerId {
        let mut customer = sample::customer(n);
        if business {
            customer.business = Some(("Acme Ltd".into(), "GB123".into()));
        }
        let registration = self
            .engine
            .register_customer(
                &Actor::guest(),
                &RegistrationRequest {
                    customer,
                    channel: Channel::Sms,
                },
            )
            .unwrap();
        let id = registration.customer.id();
        self.handles
            .borrow_mut()
            .insert(id, registration.handle.reveal().to_string());
        id
    }

    fn handle(&self, customer: CustomerId) -> String {
        self.handles.borrow()[&customer].clone()
    }

    /// The code the dispatcher would send for the latest request to `customer`.
    fn code(&self, customer: CustomerId) -> String {
        let nonce = sample::deliveries(&self.engine)
            .into_iter()
            .rev()
            .find_map(|d| match *d.event() {
                DomainEvent::VerificationCodeRequested {
                    customer: c, nonce, ..
                } if c == customer => Some(nonce),
                _ => None,
            })
            .expect("a code was requested");
        self.engine
            .verification_code(&Actor::system(), customer, nonce)
            .unwrap()
            .expect("code still valid")
    }

    fn verify(
        &self,
        customer: CustomerId,
        code: &str,
        login: &str,
    ) -> Result<crate::customer::Customer, Error> {
        self.engine.verify_customer(
            &Actor::guest(),
            &VerifyRequest {
                registration: self.handle(customer),
                code: code.into(),
                login: login.into(),
                password: PASSWORD.into(),
            },
        )
    }

    fn wrong(code: &str) -> String {
        let n: u32 = code.parse().unwrap();
        format!("{:06}", (n + 1) % 1_000_000)
    }
}

#[test]
fn a_consumer_registers_verifies_and_gets_a_registration_id() {
    let f = fixture();
    let id = f.register(1, false);
    let pending = f.engine.get_customer(&f.admin, id).unwrap();
    assert_eq!(pending.status(), CustomerStatus::PendingVerification);
    assert!(pending.registration_id().is_none());
    // Pending customers cannot order: the engine enforces it.
    assert!(matches!(
        f.engine
            .create_order(&f.admin, &OrderRequest::simple(id, &[("TEE", 1)]))
            .unwrap_err(),
        Error::Refused(Refusal::CustomerCannotOrder { .. })
    ));
    let code = f.code(id);
    let active = f.verify(id, &code, "ada").unwrap();
    assert_eq!(active.status(), CustomerStatus::Active);
    let registration = active.registration_id().unwrap().to_string();
    assert!(registration.starts_with("CUS-"));
    assert_eq!(
        f.engine
            .customer_by_registration_id(&f.admin, &registration)
            .unwrap()
            .id(),
        id
    );
    // The code is single-use.
    assert!(f.verify(id, &code, "ada").is_err());
    assert_eq!(
        f.engine.verification_code(&Actor::system(), id, 0).unwrap(),
        None
    );
    f.engine
        .create_order(&f.admin, &OrderRequest::simple(id, &[("TEE", 1)]))
        .unwrap();
}

#[test]
fn duplicate_phone_or_email_is_refused_after_normalizing() {
    let f = fixture();
    f.register(1, false);
    let register = |customer| {
        f.engine
            .register_customer(
                &Actor::guest(),
                &RegistrationRequest {
                    customer,
                    channel: Channel::Sms,
                },
            )
            .unwrap_err()
    };
    let mut same_phone = sample::customer(2);
    same_phone.phone = "+1 (555) 000-0001".into();
    let err = register(same_phone);
    assert!(
        matches!(err, Error::Duplicate { field: "phone", .. }),
        "{err}"
    );
    let mut same_email = sample::customer(3);
    same_email.email = " Customer1@EXAMPLE.com".into();
    let err = register(same_email);
    assert!(
        matches!(err, Error::Duplicate { field: "email", .. }),
        "{err}"
    );
}

#[test]
fn wrong_codes_count_per_registration_and_a_resend_does_not_reset_them() {
    let f = fixture();
    let id = f.register(1, false);
    let code = f.code(id);
    for left in (2..5).rev() {
        let err = f.verify(id, &Fixture::wrong(&code), "ada").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("verification code is not correct ({left} attempts left)")
        );
    }
    // A new code within the cooldown is refused; after it, the attempts carry over.
    let handle = f.handle(id);
    let early = f
        .engine
        .resend_verification(&Actor::guest(), &handle)
        .unwrap_err();
    assert!(early.to_string().contains("can be sent in"), "{early}");
    f.clock.advance(crate::registration::RESEND_COOLDOWN_MS);
    f.engine
        .resend_verification(&Actor::guest(), &handle)
        .unwrap();
    let fresh = f.code(id);
    for left in [1, 0] {
        let err = f.verify(id, &Fixture::wrong(&fresh), "ada").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("verification code is not correct ({left} attempts left)")
        );
    }
    let err = f.verify(id, &fresh, "ada").unwrap_err();
    assert_eq!(
        err.to_string(),
        "too many wrong codes; this registration is locked until it expires"
    );
    f.clock.advance(crate::registration::RESEND_COOLDOWN_MS);
    f.engine
        .resend_verification(&Actor::guest(), &handle)
        .unwrap();
    let err = f.verify(id, &f.code(id), "ada").unwrap_err();
    assert!(err.to_string().starts_with("too many wrong codes"), "{err}");
}

#[test]
fn resends_are_capped_per_registration() {
    let f = fixture();
    let id = f.register(1, false);
    let handle = f.handle(id);
    let mut sent = 0;
    for _ in 0..10 {
        f.clock.advance(crate::registration::RESEND_COOLDOWN_MS);
        if f.engine
            .resend_verification(&Actor::guest(), &handle)
            .is_ok()
        {
            sent += 1;
        }
    }
    assert_eq!(sent, crate::registration::MAX_RESENDS);
    // The newest code still works.
    let code = f.code(id);
    assert_eq!(
        f.verify(id, &code, "ada").unwrap().status(),
        CustomerStatus::Active
    );
}

#[test]
fn codes_expire_after_ten_minutes() {
    let f = fixture();
    let id = f.register(1, false);
    let code = f.code(id);
    f.clock.advance(CODE_TTL_MS);
    assert_eq!(
        f.verify(id, &code, "ada").unwrap_err().to_string(),
        "the verification code has expired; ask for a new one"
    );
    let nonce = match f.engine.get_customer(&f.admin, id).unwrap().verification() {
        Some(v) => v.nonce,
        None => panic!("verification kept"),
    };
    assert_eq!(
        f.engine
            .verification_code(&Actor::system(), id, nonce)
            .unwrap(),
        None,
        "expired codes are not rendered"
    );
}

#[test]
fn business_registrations_need_staff_approval() {
    let f = fixture();
    let id = f.register(1, true);
    let code = f.code(id);
    let verified = f.verify(id, &code, "acme").unwrap();
    assert_eq!(verified.status(), CustomerStatus::PendingApproval);
    assert!(verified.registration_id().is_none());
    let sales = Actor::staff(UserId(900), Role::Sales).unwrap();
    let warehouse = Actor::staff(UserId(901), Role::Warehouse).unwrap();
    assert!(matches!(
        f.engine.approve_customer(&warehouse, id).unwrap_err(),
        Error::Forbidden { .. }
    ));
    let approved = f.engine.approve_customer(&sales, id).unwrap();
    assert_eq!(approved.status(), CustomerStatus::Active);
    assert!(approved.registration_id().is_some());
    assert!(matches!(
        f.engine.approve_customer(&sales, id).unwrap_err(),
        Error::Refused(Refusal::NotAwaitingApproval { .. })
    ));
    // A second business is rejected with a reason.
    let other = f.register(2, true);
    let rejected = f
        .engine
        .reject_customer(&sales, other, "no valid tax id")
        .unwrap();
    assert_eq!(
        (rejected.status(), rejected.rejection_reason()),
        (CustomerStatus::Rejected, Some("no valid tax id"))
    );
}

#[test]
fn login_gives_a_session_and_failures_never_reveal_which_login_exists() {
    let f = fixture();
    let id = f.register(1, false);
    f.verify(id, &f.code(id), "ada").unwrap();
    let unknown = f.engine.login("nobody", PASSWORD).unwrap_err();
    let wrong = f.engine.login("ada", "wrong password 123").unwrap_err();
    assert_eq!(unknown.to_string(), wrong.to_string());
    assert_eq!(wrong.kind(), crate::error::ErrorKind::Unauthenticated);
    let outcome = f.engine.login("ADA", PASSWORD).unwrap();
    assert_eq!(outcome.actor, Actor::customer(id));
    assert_eq!(
        f.engine.authenticate(outcome.token.reveal()).unwrap(),
        Actor::customer(id)
    );
}

#[test]
fn five_failures_lock_a_login_id_for_a_growing_time_existing_or_not() {
    let f = fixture();
    let id = f.register(1, false);
    f.verify(id, &f.code(id), "ada").unwrap();
    for login in ["ada", "ghost"] {
        for _ in 0..6 {
            assert!(f.engine.login(login, "wrong password 123").is_err());
        }
        let locked = f.engine.login(login, PASSWORD).unwrap_err();
        assert!(
            locked.to_string().contains("too many failed attempts"),
            "{login}: {locked}"
        );
    }
    f.clock.advance(60_000);
    f.engine.login("ada", PASSWORD).unwrap();
}

#[test]
fn sessions_expire_end_at_logout_and_all_end_at_a_password_change() {
    let f = fixture();
    let id = f.register(1, false);
    f.verify(id, &f.code(id), "ada").unwrap();
    let first = f.engine.login("ada", PASSWORD).unwrap().token;
    let second = f.engine.login("ada", PASSWORD).unwrap().token;
    f.engine.logout(first.reveal()).unwrap();
    assert!(matches!(
        f.engine.authenticate(first.reveal()).unwrap_err(),
        Error::Unauthenticated(AuthFailure::SessionEnded)
    ));
    let me = f.engine.authenticate(second.reveal()).unwrap();
    f.clock.advance(1);
    f.engine
        .change_password(&me, PASSWORD, "new lantern orchard 8")
        .unwrap();
    assert!(matches!(
        f.engine.authenticate(second.reveal()).unwrap_err(),
        Error::Unauthenticated(AuthFailure::SessionEnded)
    ));
    assert!(f.engine.login("ada", PASSWORD).is_err());
    let third = f
        .engine
        .login("ada", "new lantern orchard 8")
        .unwrap()
        .token;
    f.clock.advance(f.engine.config().customer_session_ms);
    assert!(matches!(
        f.engine.authenticate(third.reveal()).unwrap_err(),
        Error::Unauthenticated(AuthFailure::SessionEnded)
    ));
    assert!(matches!(
        f.engine.authenticate("not a token").unwrap_err(),
        Error::Unauthenticated(AuthFailure::InvalidToken)
    ));
}

#[test]
fn staff_bootstrap_roles_and_disabling() {
    let f = fixture();
    let root = f
        .engine
        .init_admin(&f.admin, "Root", "root", PASSWORD)
        .unwrap();
    assert_eq!(root.role(), Role::Admin);
    assert!(matches!(
        f.engine
            .init_admin(&f.admin, "Again", "root2", PASSWORD)
            .unwrap_err(),
        Error::Refused(Refusal::AdminAlreadyExists)
    ));
    let admin = f.engine.login("root", PASSWORD).unwrap().actor;
    let clerk = f
        .engine
        .add_user(
            &admin,
            "Cleo",
            "cleo",
            Role::Warehouse,
            "crates and pallets 9",
        )
        .unwrap();
    assert!(matches!(
        f.engine
            .add_user(&admin, "Dup", "cleo", Role::Sales, "crates and pallets 9")
            .unwrap_err(),
        Error::Duplicate { .. }
    ));
    assert!(matches!(
        f.engine
            .add_user(&admin, "Weak", "weak", Role::Sales, "password123")
            .unwrap_err(),
        Error::Validation { .. }
    ));
    let session = f
        .engine
        .login("cleo", "crates and pallets 9")
        .unwrap()
        .token;
    assert_eq!(
        f.engine.authenticate(session.reveal()).unwrap().role(),
        Role::Warehouse
    );
    f.engine
        .set_user_role(&admin, "cleo", Role::Analyst)
        .unwrap();
    assert_eq!(
        f.engine.authenticate(session.reveal()).unwrap().role(),
        Role::Analyst,
        "re-role applies at once"
    );
    let cleo = f.engine.authenticate(session.reveal()).unwrap();
    assert!(matches!(
        f.engine
            .add_user(&cleo, "X", "xxx", Role::Sales, "crates and pallets 9")
            .unwrap_err(),
        Error::Forbidden { .. }
    ));
    f.clock.advance(1);
    f.engine.disable_user(&admin, "cleo").unwrap();
    assert!(f.engine.authenticate(session.reveal()).is_err());
    assert!(f.engine.login("cleo", "crates and pallets 9").is_err());
    assert!(
        matches!(
            f.engine.disable_user(&admin, "root").unwrap_err(),
            Error::Refused(Refusal::LastActiveAdmin)
        ),
        "last admin stays"
    );
    let logins: Vec<String> = f
        .engine
        .list_users(&admin)
        .unwrap()
        .items
        .iter()
        .map(|u| u.credentials().login.to_string())
        .collect();
    assert_eq!(logins, vec!["root".to_string(), "cleo".to_string()]);
    assert!(
        !f.engine
            .list_users(&admin)
            .unwrap()
            .items
            .iter()
            .any(|u| u.id() == clerk.id() && u.is_active())
    );
}

#[test]
fn contact_changes_are_audited_with_before_and_after() {
    let f = fixture();
    let id = f
        .engine
        .create_customer(&f.admin, &sample::customer(1))
        .unwrap()
        .id();
    let mut changed: CustomerInput = sample::customer(1);
    changed.email = "ada@new.example".into();
    f.engine.update_customer(&f.admin, id, &changed).unwrap();
    let history = f.engine.customer_history(&f.admin, id).unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        last.record.action,
        crate::audit::AuditAction::CustomerUpdated
    );
    assert_eq!(
        last.record.changes[0].before.as_deref(),
        Some("customer1@example.com")
    );
    assert_eq!(
        last.record.changes[0].after.as_deref(),
        Some("ada@new.example")
    );
    let other = f
        .engine
        .create_customer(&f.admin, &sample::customer(2))
        .unwrap()
        .id();
    assert!(matches!(
        f.engine
            .update_customer(&f.admin, other, &changed)
            .unwrap_err(),
        Error::Duplicate { .. }
    ));
}

#[test]
fn purchase_history_and_communication_log() {
    let f = fixture();
    let id = f
        .engine
        .create_customer(&f.admin, &sample::customer(1))
        .unwrap()
        .id();
    let a = f
        .engine
        .create_order(&f.admin, &OrderRequest::simple(id, &[("TEE", 1)]))
        .unwrap();
    f.clock.advance(1000);
    f.engine
        .create_order(&f.admin, &OrderRequest::simple(id, &[("TEE", 3)]))
        .unwrap();
    let c = f
        .engine
        .create_order(&f.admin, &OrderRequest::simple(id, &[("TEE", 2)]))
        .unwrap();
    f.engine
        .cancel_order(&f.admin, c.id(), "changed mind")
        .unwrap();
    let history = f.engine.purchase_history(&f.admin, id).unwrap();
    assert_eq!(history.orders.len(), 3);
    // 29.00 + (60 + 12 + 5 = 77.00); the cancelled order does not count.
    assert_eq!(history.total_spent, vec![sample::usd_cents(10600)]);
    assert_eq!(history.average_order_value, vec![sample::usd_cents(5300)]);
    assert_eq!(history.first_order_at, Some(a.created_at()));
    f.engine
        .log_message(
            &f.admin,
            id,
            MessageChannel::Sms,
            Direction::Inbound,
            "where is my order?",
            Some(a.id()),
        )
        .unwrap();
    f.engine
        .log_message(
            &f.admin,
            id,
            MessageChannel::StaffNote,
            Direction::Outbound,
            "called back",
            None,
        )
        .unwrap();
    let log = f.engine.messages(&f.admin, id, 10).unwrap();
    assert_eq!(
        log.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
        vec!["called back", "where is my order?"]
    );
    assert!(
        f.engine
            .log_message(
                &f.admin,
                id,
                MessageChannel::Sms,
                Direction::Inbound,
                " ",
                None
            )
            .is_err()
    );
}

#[test]
fn customers_act_only_on_their_own_data_through_a_session() {
    let f = fixture();
    let a = f.register(1, false);
    f.verify(a, &f.code(a), "ada").unwrap();
    let b = f
        .engine
        .create_customer(&f.admin, &sample::customer(2))
        .unwrap()
        .id();
    let theirs = f
        .engine
        .create_order(&f.admin, &OrderRequest::simple(b, &[("TEE", 1)]))
        .unwrap();
    let me = f
        .engine
        .authenticate(f.engine.login("ada", PASSWORD).unwrap().token.reveal())
        .unwrap();
    let reference = theirs.reference().unwrap().to_string();
    assert!(matches!(
        f.engine.get_order(&me, theirs.id()).unwrap_err(),
        Error::NotFound { .. }
    ));
    assert!(matches!(
        f.engine.order_by_reference(&me, &reference).unwrap_err(),
        Error::NotFound { .. }
    ));
    assert!(matches!(
        f.engine.get_customer(&me, b).unwrap_err(),
        Error::NotFound { .. }
    ));
    assert!(matches!(
        f.engine.purchase_history(&me, b).unwrap_err(),
        Error::NotFound { .. }
    ));
    assert!(matches!(
        f.engine
            .update_customer(&me, b, &sample::customer(9))
            .unwrap_err(),
        Error::NotFound { .. }
    ));
    assert_eq!(
        f.engine
            .list_customers(&me, None, None, 100)
            .unwrap()
            .items
            .iter()
            .map(|c| c.id())
            .collect::<Vec<_>>(),
        vec![a]
    );
    let mine = f
        .engine
        .create_order(&me, &OrderRequest::simple(a, &[("TEE", 1)]))
        .unwrap();
    assert_eq!(
        f.engine.get_order(&me, mine.id()).unwrap().value.id(),
        mine.id()
    );
}
