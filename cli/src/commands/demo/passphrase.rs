//! Generated passwords for the demo's accounts: four random words and two digits from the
//! operating system's random source (about 42 bits; e.g. `amber-canyon-lantern-willow-47`),
//! easy to type and within the password policy.

use anyhow::Context as _;

/// 64 words of 4 to 7 letters (6 bits each), none a login id the demo uses.
const WORDS: [&str; 64] = [
    "amber", "anchor", "apple", "arrow", "aspen", "autumn", "basil", "beacon", "birch", "breeze",
    "brook", "cactus", "canyon", "cedar", "cobalt", "comet", "coral", "cotton", "crane", "delta",
    "dune", "ember", "fern", "fjord", "flint", "forest", "frost", "garnet", "glacier", "harbor",
    "hazel", "heron", "indigo", "island", "ivory", "jasper", "juniper", "lantern", "lemon",
    "lilac", "linen", "lotus", "maple", "meadow", "mint", "nectar", "oasis", "olive", "orbit",
    "otter", "pebble", "pepper", "pine", "plume", "prairie", "quartz", "raven", "river", "saffron",
    "sparrow", "tundra", "velvet", "willow", "zephyr",
];

/// A fresh passphrase.
///
/// # Errors
/// If the operating system cannot supply random bytes.
pub fn generate() -> anyhow::Result<String> {
    let mut bytes = [0u8; 5];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("cannot read random bytes for a demo password")?;
    let [a, b, c, d, digits] = bytes;
    let word = |byte: u8| {
        WORDS
            .get(usize::from(byte) % WORDS.len())
            .copied()
            .unwrap_or("fern")
    };
    Ok(format!(
        "{}-{}-{}-{}-{:02}",
        word(a),
        word(b),
        word(c),
        word(d),
        digits % 100
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrases_are_four_words_and_two_digits() {
        let phrase = generate().unwrap();
        let parts: Vec<&str> = phrase.split('-').collect();
        assert_eq!(parts.len(), 5, "{phrase}");
        assert!(parts[..4].iter().all(|w| WORDS.contains(w)));
        assert_eq!(parts[4].len(), 2);
        assert!(phrase.len() >= 10);
        assert_ne!(generate().unwrap(), phrase);
    }
}
