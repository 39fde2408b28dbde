//! `ordo customer …`: add, list, show, history.

use super::support::{Shop, id_text, len};

#[test]
fn customers_add_list_show_and_history() {
    let shop = Shop::new();
    let ada = shop.json(
        "customer add --name 'Ada Lovelace' --phone '+44 20 7123 4567' --email Ada@Example.com \
         --address \"Ada Lovelace, 12 St James's Square, London, SW1Y 4JH, GB\" \
         --address 'Ada Lovelace, 1 Office Park, Floor 2, London, EC1V 9HX, GB'",
    );
    assert_eq!(ada["name"], "Ada Lovelace");
    assert_eq!(ada["phone"], "+442071234567");
    assert_eq!(ada["email"], "ada@example.com");
    assert_eq!(ada["kind"], "b2c");
    assert_eq!(ada["price_group"], "retail");
    assert_eq!(len(&ada["addresses"]), 2);
    let grace = shop.json(
        "customer add --name 'Grace Hopper' --phone +12025550143 --email grace@navy.example.com \
         --company 'Hopper Systems' --tax-id US-98-7654321",
    );
    assert_eq!(grace["kind"], "b2b");
    assert_eq!(grace["company"], "Hopper Systems");
    assert_eq!(grace["tax_id"], "US-98-7654321");
    assert_eq!(grace["price_group"], "wholesale");

    let all = shop.json("customer list")["items"].clone();
    assert_eq!(len(&all), 2);
    for customer in all.as_array().expect("an array") {
        assert!(customer["id"].is_u64(), "{customer}");
        assert!(
            customer["name"].is_string() && customer["phone"].is_string(),
            "{customer}"
        );
    }
    let found = shop.json("customer list --name love")["items"].clone();
    assert_eq!(len(&found), 1);
    assert_eq!(found[0]["name"], "Ada Lovelace");
    assert_eq!(
        len(&shop.json("customer list --name 'GRACE hop'")["items"]),
        1
    );
    assert_eq!(len(&shop.json("customer list --name nobody")["items"]), 0);
    assert_eq!(len(&shop.json("customer list --limit 1")["items"]), 1);
    let after = shop.json(&format!("customer list --after {}", id_text(&ada)))["items"].clone();
    assert_eq!(after[0]["name"], "Grace Hopper");
    let table = shop.ok("customer list");
    assert!(
        table.contains("Hopper Systems") && table.contains("+442071234567"),
        "{table}"
    );

    let shown = shop.json(&format!("customer show {}", id_text(&ada)));
    assert_eq!(shown["id"], ada["id"]);
    assert_eq!(shown["name"], "Ada Lovelace");
    assert_eq!(shown["phone"], "+442071234567");
    assert_eq!(
        shop.json("customer show +12025550143")["name"],
        "Grace Hopper"
    );
    let page = shop.ok(&format!("customer show {}", id_text(&grace)));
    assert!(
        page.contains("Hopper Systems") && page.contains("No orders yet"),
        "{page}"
    );

    let history = shop.json(&format!("customer history {}", id_text(&ada)));
    assert_eq!(history[0]["action"], "customer created");
    assert_eq!(history[0]["actor"], "local admin (tester)");
    assert!(
        shop.ok(&format!("customer history {}", id_text(&ada)))
            .contains("customer created")
    );
}

#[test]
fn bad_or_duplicate_customers_are_refused() {
    let shop = Shop::new();
    shop.customer("Ada Lovelace", "+442071234567");
    let twin = "customer add --name 'Ada Twin'";
    let error = shop.fails(
        &format!("{twin} --phone +442071234567 --email twin@example.com"),
        5,
    );
    assert_eq!(
        error,
        "error: customer with phone +442071234567 already exists"
    );
    shop.fails(
        &format!("{twin} --phone +442071234999 --email ADA.lovelace@example.com"),
        5,
    );
    for (line, needle) in [
        (
            "customer add --name Bob --phone 12345 --email bob@example.com",
            "phone",
        ),
        (
            "customer add --name Bob --phone +12025550111 --email bob",
            "email",
        ),
        (
            "customer add --name ' ' --phone +12025550111 --email bob@example.com",
            "name",
        ),
        (
            "customer add --name Bob --phone +12025550111 --email bob@example.com \
             --address 'Bob, Springfield'",
            "address",
        ),
        (
            "customer add --name Bob --phone +12025550111 --email bob@example.com \
             --address 'Bob, 1 Road, Springfield, 12345, USA'",
            "country",
        ),
    ] {
        let error = shop.fails(line, 3);
        assert!(error.contains(needle), "{line}: {error}");
    }
    shop.fails("customer show 424242", 4);
    shop.fails("customer show +19999999999", 4);
    shop.fails("customer show bob", 3);
    shop.fails("customer history bob", 3);
    shop.fails("customer list --name ' '", 3);
    shop.fails("customer list --limit 0", 3);
}
