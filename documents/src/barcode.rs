//! Code 128 (barcoders 2.0): the modules of a text, with quiet zones.

use barcoders::sym::code128::Code128;

use crate::DocumentError;

/// Light modules added on each side: scanners need at least 10.
pub const QUIET_ZONE_MODULES: usize = 10;

/// The modules (1 = bar, 0 = space) of `text` in Code 128 set B, with
/// [`QUIET_ZONE_MODULES`] light modules on each side.
///
/// # Errors
/// [`DocumentError::Barcode`] if `text` has characters set B cannot encode.
pub fn code128_modules(text: &str) -> Result<Vec<u8>, DocumentError> {
    // barcoders wants the character set first: \u{0181} is set B (ASCII 32–127).
    let code = Code128::new(format!("\u{0181}{text}"))
        .map_err(|e| DocumentError::Barcode(e.to_string()))?;
    let mut modules = vec![0u8; QUIET_ZONE_MODULES];
    modules.extend(code.encode());
    modules.extend(std::iter::repeat_n(0u8, QUIET_ZONE_MODULES));
    Ok(modules)
}

/// The bars of `modules` as (first module, width in modules) runs.
pub(crate) fn bars(modules: &[u8]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (index, module) in modules.iter().enumerate() {
        match (module, start) {
            (1, None) => start = Some(index),
            (1, Some(_)) => {}
            (_, Some(first)) => {
                runs.push((first, index - first));
                start = None;
            }
            (_, None) => {}
        }
    }
    if let Some(first) = start {
        runs.push((first, modules.len() - first));
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_has_quiet_zones_and_starts_and_ends_with_a_bar() {
        let modules = code128_modules("ORD-7K3M-9QX1").unwrap();
        // start 11 + 13 × 11 + check 11 + stop 13, plus the quiet zones.
        assert_eq!(
            modules.len(),
            11 + 13 * 11 + 11 + 13 + 2 * QUIET_ZONE_MODULES
        );
        assert!(modules[..QUIET_ZONE_MODULES].iter().all(|m| *m == 0));
        assert!(
            modules[modules.len() - QUIET_ZONE_MODULES..]
                .iter()
                .all(|m| *m == 0)
        );
        assert_eq!(modules[QUIET_ZONE_MODULES], 1);
        let runs = bars(&modules);
        let dark: usize = runs.iter().map(|(_, w)| w).sum();
        assert_eq!(dark, modules.iter().filter(|m| **m == 1).count());
    }

    #[test]
    fn text_outside_set_b_is_refused() {
        assert!(matches!(
            code128_modules("ORD-é"),
            Err(DocumentError::Barcode(_))
        ));
    }
}
