//! The demo's accounts: one staff user per role, logins for some customers, and pending
//! registrations (businesses waiting for approval, people waiting for their code).
//!
//! Passwords are hashed with argon2id (tens of milliseconds each), so the demo makes
//! about thirty: six staff users, [`CUSTOMER_LOGINS`] customers and two verifications.

use std::collections::BTreeSet;

use ordo_api::Request;
use ordo_api::request::{
    AddUser, CustomerKey, ListArgs, OutboxList, Register, SetPassword, Verify,
};
use ordo_core::auth::Role;
use ordo_core::clock::{Clock, SystemClock};
use ordo_core::customer::{AddressInput, CustomerInput};
use ordo_core::store::Store;

use crate::commands::outbox;
use crate::render::views::{
    CustomerLoginView, CustomerView, DemoView, ListView, NotificationView, RegistrationView,
    StaffLoginView, StaffUserView, role_name,
};

use super::Demo;
use super::passphrase;
use super::plan::Buyer;

/// Customers given a login and password.
pub const CUSTOMER_LOGINS: usize = 20;

/// The staff: (name, role); the login id is the role's name.
const STAFF: [(&str, Role); 6] = [
    ("Morgan Reyes", Role::Admin),
    ("Priya Shah", Role::OrderProcessor),
    ("Jonas Berg", Role::CustomerService),
    ("Camille Laurent", Role::Sales),
    ("Sam Okafor", Role::Warehouse),
    ("Lena Fischer", Role::Analyst),
];

/// A pending registration: name, phone, email, (company, tax id), Telegram chat, city.
struct Applicant {
    name: &'static str,
    phone: &'static str,
    email: &'static str,
    business: Option<(&'static str, &'static str)>,
    telegram: Option<i64>,
    city: (&'static str, &'static str, &'static str),
}

/// Businesses that verified their code and wait for approval.
const AWAITING_APPROVAL: [Applicant; 2] = [
    Applicant {
        name: "Tomas Ortega",
        phone: "+14155559001",
        email: "tomas@ortega-imports.example.com",
        business: Some(("Ortega Imports", "US-EIN-771204455")),
        telegram: None,
        city: ("Austin", "78701", "US"),
    },
    Applicant {
        name: "Mei Tanaka",
        phone: "+44207959002",
        email: "mei@sakura-trading.example.com",
        business: Some(("Sakura Trading Ltd", "GB448812390")),
        telegram: None,
        city: ("London", "EC1V 9HX", "GB"),
    },
];

/// People who registered and have not entered their code yet.
const AWAITING_CODE: [Applicant; 3] = [
    Applicant {
        name: "Nora Quinn",
        phone: "+14155559003",
        email: "nora.quinn@example.com",
        business: None,
        telegram: None,
        city: ("Portland", "97205", "US"),
    },
    Applicant {
        name: "Omar Haddad",
        phone: "+33175559004",
        email: "omar.haddad@example.com",
        business: None,
        telegram: Some(48_213_977),
        city: ("Paris", "75011", "FR"),
    },
    Applicant {
        name: "Greta Lindqvist",
        phone: "+49305559005",
        email: "greta@nordlicht-design.example.com",
        business: Some(("Nordlicht Design GmbH", "DE318845120")),
        telegram: None,
        city: ("Berlin", "10115", "DE"),
    },
];

impl<S: Store> Demo<S> {
    /// One staff user per role, the admin first (as `admin init` would make them, unless an
    /// administrator exists already).
    pub(super) fn staff(&self) -> anyhow::Result<Vec<StaffLoginView>> {
        let mut logins = Vec::with_capacity(STAFF.len());
        // Someone may have run `ordo admin init` before the demo: then add, do not init.
        let users: ListView<StaffUserView> = self.call(Request::UserList(ListArgs::default()))?;
        let admin_exists = users.items.iter().any(|u| u.role == role_name(Role::Admin));
        for (name, role) in STAFF {
            let login = role_name(role);
            let password = passphrase::generate()?;
            let user = AddUser {
                name: name.to_string(),
                login: login.to_string(),
                role: Some(login.to_string()),
                password: password.clone(),
            };
            let _: StaffUserView = if role == Role::Admin && !admin_exists {
                self.call(Request::AdminInit(user))?
            } else {
                self.call(Request::UserAdd(user))?
            };
            logins.push(StaffLoginView {
                login: login.to_string(),
                role: login.to_string(),
                password,
            });
        }
        Ok(logins)
    }

    /// Logins for the first [`CUSTOMER_LOGINS`] customers; returns the first as an example.
    pub(super) fn customer_logins(
        &self,
        buyers: &[Buyer],
    ) -> anyhow::Result<(usize, Option<CustomerLoginView>)> {
        let mut taken = BTreeSet::new();
        let mut example = None;
        let chosen: Vec<&Buyer> = buyers.iter().take(CUSTOMER_LOGINS).collect();
        for buyer in &chosen {
            let mut login = login_for(&buyer.name);
            if !taken.insert(login.clone()) {
                login = format!("{login}.{}", buyer.id);
            }
            let password = passphrase::generate()?;
            let _: CustomerView = self.call(Request::CustomerSetPassword(SetPassword {
                customer: CustomerKey::Id { id: buyer.id.get() },
                login: login.clone(),
                password: password.clone(),
            }))?;
            example.get_or_insert(CustomerLoginView {
                customer_id: buyer.id.get(),
                name: buyer.name.clone(),
                login,
                password,
            });
        }
        Ok((chosen.len(), example))
    }

    /// Registrations at the current time: two businesses verify and wait for approval,
    /// three people wait for their code. The notifications of everything before the
    /// three (ninety days of orders, the two codes already used) count as sent.
    pub(super) fn registrations(&self) -> anyhow::Result<(Vec<u64>, Vec<String>)> {
        // Just before now, so the codes are fresh when the demo ends.
        let recent = SystemClock.now().plus_ms(-60_000);
        if recent > self.clock.now() {
            self.clock.set(recent);
        }
        // Everything before counts as sent, so the codes below are all the outbox holds.
        outbox::ack_all_through(&|request| self.call(request))?;
        let mut approval = Vec::new();
        for applicant in &AWAITING_APPROVAL {
            let registration: RegistrationView =
                self.call(Request::CustomerRegister(request(applicant)))?;
            let id = registration.customer.id;
            let code = self.sent_code(id)?;
            self.clock.advance(10_000);
            let _: CustomerView = self.call(Request::CustomerVerify(Verify {
                registration: registration.registration_handle.unwrap_or_default(),
                code,
                login: login_for(applicant.name),
                password: passphrase::generate()?,
            }))?;
            approval.push(id);
        }
        outbox::ack_all_through(&|request| self.call(request))?;
        let mut code = Vec::new();
        for applicant in &AWAITING_CODE {
            self.clock.advance(10_000);
            let registration: RegistrationView =
                self.call(Request::CustomerRegister(request(applicant)))?;
            code.push(registration.registration_handle.unwrap_or_default());
        }
        Ok((approval, code))
    }

    /// The newest verification code sent to customer `id`, read from the outbox as a
    /// dispatcher reads it.
    fn sent_code(&self, id: u64) -> anyhow::Result<String> {
        let mut code = None;
        let mut after = None;
        loop {
            let page: Vec<NotificationView> = self.call(Request::OutboxList(OutboxList {
                after,
                limit: Some(1000),
                ..OutboxList::default()
            }))?;
            let Some(last) = page.last() else {
                break;
            };
            after = Some(last.id);
            let newest = page
                .iter()
                .rev()
                .filter(|n| n.customer_id == id && n.event == "verification code")
                .find_map(|n| {
                    n.text
                        .split(|c: char| !c.is_ascii_digit())
                        .find(|word| word.len() == 6)
                        .map(str::to_string)
                });
            code = newest.or(code);
        }
        code.ok_or_else(|| anyhow::anyhow!("demo: no code for customer {id}"))
    }
}

/// The accounts part of the tour, then the staff passwords (shown this once).
pub fn tour(
    ordo: &str,
    view: &DemoView,
    (approval, code): (&[u64], &[String]),
    reference: &str,
) -> String {
    let mut lines: Vec<(String, &str)> = vec![(
        "outbox list".to_string(),
        "verification codes waiting to be sent",
    )];
    if let Some(handle) = code.first() {
        lines.push((
            format!("customer verify {handle} --code CODE --login nora.quinn"),
            "the code from the outbox",
        ));
    }
    if let Some(id) = approval.first() {
        lines.push((
            format!("--as sales customer approve {id}"),
            "a business waiting; asks for sales's password",
        ));
    }
    lines.push((
        format!("--as warehouse order cancel {reference} --reason test"),
        "refused: warehouse may not cancel (exit 6)",
    ));
    if let Some(customer) = &view.customer_login {
        lines.push((
            format!("login {}", customer.login),
            "a customer: prints a token for ORDO_TOKEN",
        ));
    }
    let width = lines.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    let mut text = String::from("\nAccounts:\n");
    for (command, comment) in lines {
        text.push_str(&format!("  {ordo} {command:<width$}  # {comment}\n"));
    }
    text.push_str(
        "\nStaff sign-ins (shown only now; use with --as LOGIN or `ordo login LOGIN`):\n",
    );
    for staff in &view.staff {
        text.push_str(&format!("  {:<18} {}\n", staff.login, staff.password));
    }
    if let Some(customer) = &view.customer_login {
        text.push_str(&format!(
            "\nCustomer sign-in: {} / {}  ({}, customer {}; {} customers have logins)\n",
            customer.login,
            customer.password,
            customer.name,
            customer.customer_id,
            view.customer_logins
        ));
    }
    text
}

fn request(applicant: &Applicant) -> Register {
    let (city, postal_code, country) = applicant.city;
    Register {
        customer: CustomerInput {
            name: applicant.name.to_string(),
            business: applicant
                .business
                .map(|(company, tax_id)| (company.to_string(), tax_id.to_string())),
            phone: applicant.phone.to_string(),
            email: applicant.email.to_string(),
            addresses: vec![AddressInput {
                recipient: applicant.name.to_string(),
                line1: "18 Market Square".into(),
                line2: applicant
                    .business
                    .map(|(company, _)| company.to_string())
                    .unwrap_or_default(),
                city: city.to_string(),
                postal_code: postal_code.to_string(),
                country: country.to_string(),
                ..AddressInput::default()
            }],
        },
        telegram_chat_id: applicant.telegram,
    }
}

/// `Guido van Rossum` → `guido.vanrossum`.
fn login_for(name: &str) -> String {
    let mut parts = name.split_whitespace();
    let first = parts.next().unwrap_or("customer");
    let rest: String = parts.collect();
    format!("{first}.{rest}")
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_lower_case_first_dot_last() {
        assert_eq!(login_for("Guido van Rossum"), "guido.vanrossum");
        assert_eq!(login_for("Tim Berners-Lee"), "tim.bernerslee");
        assert_eq!(login_for("Ada Lovelace"), "ada.lovelace");
    }
}
