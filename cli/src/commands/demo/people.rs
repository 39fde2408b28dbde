//! The demo's customers: consumers and (about one in five) businesses with company and
//! tax id, in the US, the UK, Germany and France, each with a unique phone and email.

use ordo_core::customer::{AddressInput, CustomerInput};

use super::dice::Dice;

const FIRST_NAMES: [&str; 40] = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "John",
    "Radia",
    "Tim",
    "Hedy",
    "Donald",
    "Katherine",
    "Edsger",
    "Annie",
    "Niklaus",
    "Karen",
    "Guido",
    "Sophie",
    "Bjarne",
    "Jean",
    "Leslie",
    "Mary",
    "Claude",
    "Evelyn",
    "Vint",
    "Joan",
    "Brian",
    "Shafi",
    "Robert",
    "Lynn",
    "Fernando",
    "Carol",
    "Ivan",
    "Elena",
    "Yukihiro",
    "Adele",
    "Rasmus",
];

const LAST_NAMES: [&str; 40] = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Backus",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Knuth",
    "Johnson",
    "Dijkstra",
    "Easley",
    "Wirth",
    "Jones",
    "van Rossum",
    "Wilson",
    "Stroustrup",
    "Bartik",
    "Lamport",
    "Keller",
    "Shannon",
    "Berezin",
    "Cerf",
    "Clarke",
    "Kernighan",
    "Goldwasser",
    "Tarjan",
    "Conway",
    "Corbato",
    "Shaw",
    "Sutherland",
    "Garcia",
    "Matsumoto",
    "Goldberg",
    "Lerdorf",
];

const COMPANIES: [&str; 20] = [
    "Northwind Traders",
    "Contoso Retail",
    "Fabrikam Home",
    "Tailspin Outfitters",
    "Wide World Importers",
    "Adventure Works",
    "Proseware",
    "Litware Stores",
    "Coho Goods",
    "Lucerne Supply",
    "Margie's Travel Shop",
    "Blue Yonder Gifts",
    "Alpine Ski House",
    "Woodgrove Office",
    "Trey Research",
    "Humongous Outfitters",
    "Fourth Coffee",
    "Graphic Design Institute",
    "Relecloud Workspace",
    "VanArsdel Interiors",
];

const STREETS: [&str; 16] = [
    "Main Street",
    "Oak Avenue",
    "Maple Drive",
    "Cedar Lane",
    "Elm Street",
    "Park Road",
    "Lake View",
    "Hill Street",
    "Mill Lane",
    "Church Road",
    "Station Road",
    "River Walk",
    "Market Square",
    "Garden Row",
    "Harbour Way",
    "Orchard Close",
];

/// A place: country code, phone prefix, cities with postal codes, tax-id prefix.
struct Place {
    country: &'static str,
    phone_prefix: &'static str,
    cities: &'static [(&'static str, &'static str)],
    tax_prefix: &'static str,
}

const PLACES: [Place; 4] = [
    Place {
        country: "US",
        phone_prefix: "+1415555",
        cities: &[
            ("San Francisco", "94103"),
            ("Portland", "97205"),
            ("Austin", "78701"),
            ("Chicago", "60607"),
            ("Boston", "02116"),
            ("Denver", "80202"),
        ],
        tax_prefix: "US-EIN-",
    },
    Place {
        country: "GB",
        phone_prefix: "+4420795",
        cities: &[
            ("London", "EC1V 9HX"),
            ("Manchester", "M1 1AE"),
            ("Leeds", "LS1 4DY"),
        ],
        tax_prefix: "GB",
    },
    Place {
        country: "DE",
        phone_prefix: "+4930555",
        cities: &[
            ("Berlin", "10115"),
            ("Hamburg", "20095"),
            ("Munich", "80331"),
        ],
        tax_prefix: "DE",
    },
    Place {
        country: "FR",
        phone_prefix: "+3317555",
        cities: &[("Paris", "75011"), ("Lyon", "69002"), ("Lille", "59000")],
        tax_prefix: "FR",
    },
];

/// `count` customers; number `n` is a business when `n % 5 == 0` (20 %).
pub fn customers(count: usize, dice: &Dice) -> Vec<CustomerInput> {
    (0..count).map(|n| customer(n, dice)).collect()
}

fn customer(n: usize, dice: &Dice) -> CustomerInput {
    let first = FIRST_NAMES[n % FIRST_NAMES.len()];
    let last = LAST_NAMES[(n / FIRST_NAMES.len() + n * 7) % LAST_NAMES.len()];
    let name = format!("{first} {last}");
    let place = &PLACES[dice.weighted(&[70, 12, 10, 8])];
    let (city, postal_code) = place.cities[dice.index(place.cities.len())];
    let business = n.is_multiple_of(5).then(|| {
        let company = COMPANIES[(n / 5) % COMPANIES.len()];
        let company = if n / 5 >= COMPANIES.len() {
            format!("{company} {city}")
        } else {
            company.to_string()
        };
        let tax_id = format!("{}{:09}", place.tax_prefix, 100_000_000 + n * 7_919);
        (company, tax_id)
    });
    let slug: String = format!("{first}.{last}")
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    let email = match &business {
        Some((company, _)) => {
            let domain: String = company
                .to_lowercase()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            format!("{slug}.{n}@{domain}.example.com")
        }
        None => format!("{slug}.{n}@example.com"),
    };
    let company = business.as_ref().map(|(company, _)| company.as_str());
    let addresses = addresses(&name, place, (city, postal_code), company, dice);
    CustomerInput {
        name,
        business,
        phone: format!("{}{:04}", place.phone_prefix, n),
        email,
        addresses,
    }
}

/// The default address (at the company for businesses, sometimes an apartment) and, for
/// some, a second one in the same country.
fn addresses(
    name: &str,
    place: &Place,
    (city, postal_code): (&str, &str),
    company: Option<&str>,
    dice: &Dice,
) -> Vec<AddressInput> {
    let street = |dice: &Dice| {
        let number = dice.between(1, 240);
        format!("{number} {}", STREETS[dice.index(STREETS.len())])
    };
    let line2 = match company {
        Some(company) => company.to_string(),
        None if dice.chance(25) => format!("Apt {}", dice.between(1, 40)),
        None => String::new(),
    };
    let mut addresses = vec![AddressInput {
        recipient: name.to_string(),
        line1: street(dice),
        line2,
        city: city.to_string(),
        postal_code: postal_code.to_string(),
        country: place.country.to_string(),
        ..AddressInput::default()
    }];
    if dice.chance(15) {
        let (city, postal_code) = place.cities[dice.index(place.cities.len())];
        addresses.push(AddressInput {
            recipient: name.to_string(),
            line1: street(dice),
            line2: "Reception".into(),
            city: city.to_string(),
            postal_code: postal_code.to_string(),
            country: place.country.to_string(),
            ..AddressInput::default()
        });
    }
    addresses
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordo_core::customer::CustomerDraft;

    #[test]
    fn two_hundred_valid_unique_customers_a_fifth_businesses() {
        let customers = customers(200, &Dice::new());
        assert_eq!(
            customers.iter().filter(|c| c.business.is_some()).count(),
            40
        );
        let mut phones: Vec<&str> = customers.iter().map(|c| c.phone.as_str()).collect();
        phones.sort_unstable();
        phones.dedup();
        assert_eq!(phones.len(), 200);
        let mut emails: Vec<&str> = customers.iter().map(|c| c.email.as_str()).collect();
        emails.sort_unstable();
        emails.dedup();
        assert_eq!(emails.len(), 200);
        for customer in &customers {
            CustomerDraft::parse(customer).unwrap();
        }
    }
}
