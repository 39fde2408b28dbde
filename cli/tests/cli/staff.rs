//! Staff users and roles: `admin init`, `user …`, `--as`, `login`, and the permission
//! matrix applied to CLI commands (exit 6).

use super::support::{Shop, len, text};

const ADMIN_PW: &str = "amber-canyon-lantern-7";
const WAREHOUSE_PW: &str = "flint-prairie-otter-9";
const ANALYST_PW: &str = "cobalt-heron-meadow-3";

/// A shop with an administrator, a warehouse user and an analyst, and one placed order;
/// returns (shop, order reference, customer id).
fn staffed_shop() -> (Shop, String, String) {
    let shop = Shop::new();
    shop.json_env(
        "admin init --name 'Morgan Reyes' --login morgan",
        &[("ORDO_PASSWORD", ADMIN_PW)],
    );
    shop.json_env(
        "user add --name 'Sam Okafor' --login sam --role warehouse",
        &[("ORDO_PASSWORD", WAREHOUSE_PW)],
    );
    shop.json_env(
        "user add --name 'Lena Fischer' --login lena --role Analyst",
        &[("ORDO_PASSWORD", ANALYST_PW)],
    );
    shop.product("MUG-1");
    let customer = shop.customer("Ada Lovelace", "+442071234567");
    let order = shop.order(&customer, "MUG-1:1");
    (shop, text(&order, "reference"), customer)
}

#[test]
fn the_first_administrator_is_created_once() {
    let shop = Shop::new();
    let pw = [("ORDO_PASSWORD", ADMIN_PW)];
    let admin = shop.json_env("admin init --name 'Morgan Reyes' --login morgan", &pw);
    assert_eq!(admin["role"], "admin");
    assert_eq!(admin["login"], "morgan");
    let error = shop.fails_env("admin init --name 'Other One' --login other", &pw, 3);
    assert!(error.contains("an administrator already exists"), "{error}");
    let error = shop.fails("admin init --name 'No Password' --login nopw", 3);
    assert!(error.contains("password is required"), "{error}");
}

#[test]
fn as_a_staff_user_the_permission_matrix_applies() {
    let (shop, reference, customer) = staffed_shop();
    let sam = [("ORDO_PASSWORD", WAREHOUSE_PW)];
    let lena = [("ORDO_PASSWORD", ANALYST_PW)];

    let error = shop.fails_env(
        &format!("--as sam order cancel {reference} --reason 'out of stock'"),
        &sam,
        6,
    );
    assert_eq!(error, "error: warehouse may not cancel orders");
    let error = shop.fails_env(
        &format!("--as lena order create --customer {customer} --item MUG-1:1"),
        &lena,
        6,
    );
    assert_eq!(error, "error: analyst may not create or edit orders");
    let error = shop.fails_env(
        "--as sam order list",
        &[("ORDO_PASSWORD", "not-the-password")],
        6,
    );
    assert_eq!(
        error,
        "error: not signed in: login id or password is incorrect"
    );
    shop.fails_env("--as nobody order list", &sam, 6);
    shop.fails_env("--as sam outbox list", &sam, 6);
    shop.fails_env("--as lena user list", &lena, 6);

    // Allowed work goes through, recorded under the staff user.
    assert_eq!(
        len(&shop.json_env("--as lena order list", &lena)["items"]),
        1
    );
    shop.json(&format!("order status {reference} confirmed"));
    let picked = shop.json_env(&format!("--as sam order status {reference} picking"), &sam);
    assert_eq!(picked["status"], "picking");
    let history = shop.json(&format!("order history {reference}"));
    let last = history
        .as_array()
        .expect("an array")
        .last()
        .expect("an entry")
        .clone();
    assert!(text(&last, "actor").contains("(warehouse)"), "{last}");
}

#[test]
fn users_are_listed_re_roled_and_disabled() {
    let (shop, reference, _) = staffed_shop();
    let users = shop.json("user list")["items"].clone();
    assert_eq!(len(&users), 3);
    let roles: Vec<&str> = users
        .as_array()
        .expect("an array")
        .iter()
        .map(|u| u["role"].as_str().expect("a role"))
        .collect();
    assert_eq!(roles, ["admin", "warehouse", "analyst"]);
    assert!(users.to_string().contains("\"login\":\"sam\""));
    assert!(!users.to_string().contains("argon2"), "no hashes in output");
    let table = shop.ok("user list");
    assert!(
        table.contains("Sam Okafor") && table.contains("warehouse"),
        "{table}"
    );

    let admin = [("ORDO_PASSWORD", ADMIN_PW)];
    let promoted = shop.json_env("--as morgan user role sam order-processor", &admin);
    assert_eq!(promoted["role"], "order-processor");
    let sam = [("ORDO_PASSWORD", WAREHOUSE_PW)];
    let cancelled = shop.json_env(
        &format!("--as sam order cancel {reference} --reason 'customer asked'"),
        &sam,
    );
    assert_eq!(cancelled["status"], "cancelled");
    shop.fails("user role sam customer", 3);
    shop.fails("user role nobody sales", 4);
    shop.fails_env(
        "user add --name Dup --login sam --role sales",
        &[("ORDO_PASSWORD", "another-long-secret-1")],
        5,
    );

    let disabled = shop.json("user disable sam");
    assert_eq!(disabled["active"], false);
    shop.fails_env("--as sam order list", &sam, 6);
    let error = shop.fails("user disable morgan", 3);
    assert!(error.contains("last active administrator"), "{error}");
}

#[test]
fn a_staff_session_token_stands_in_for_the_password() {
    let (shop, _, _) = staffed_shop();
    let session = shop.json_env("login sam", &[("ORDO_PASSWORD", WAREHOUSE_PW)]);
    assert_eq!(session["role"], "warehouse");
    assert!(text(&session, "expires_at").ends_with('Z'));
    let token = text(&session, "token");
    let human = shop.ok_env("login sam", &[("ORDO_PASSWORD", WAREHOUSE_PW)]);
    assert!(
        human.lines().any(|l| l.starts_with("export ORDO_TOKEN=")),
        "{human}"
    );

    let env = [("ORDO_TOKEN", token.as_str())];
    shop.json_env("order list", &env);
    shop.fails_env("customer list", &env, 6);
    // --as wins over a token in the environment.
    let both = [("ORDO_TOKEN", token.as_str()), ("ORDO_PASSWORD", ADMIN_PW)];
    shop.json_env("--as morgan customer list", &both);
    shop.json_env("logout", &env);
    shop.fails_env("order list", &env, 6);
    shop.fails_env("order list", &[("ORDO_TOKEN", "not-a-token")], 6);
    shop.fails("logout", 6);
}
