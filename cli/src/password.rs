//! Where passwords come from: the environment, a prompt on the terminal, or one line of
//! standard input when it is not a terminal (scripts, tests).
//!
//! - Signing in (`--as LOGIN`, `ordo login LOGIN`) reads `ORDO_PASSWORD`.
//! - Choosing a password (`admin init`, `user add`, `customer verify`, `customer
//!   set-password`) reads `ORDO_NEW_PASSWORD`, else `ORDO_PASSWORD` unless `--as` already
//!   used it for signing in; on a terminal it asks twice.
//!
//! Nothing here checks the password policy: the engine does. Passwords are never printed.

use std::io::{BufRead, IsTerminal};

use ordo_core::Error;

/// The password for signing in.
pub const PASSWORD_ENV: &str = "ORDO_PASSWORD";
/// A password being chosen, when `ORDO_PASSWORD` is taken by `--as`.
pub const NEW_PASSWORD_ENV: &str = "ORDO_NEW_PASSWORD";

/// Whether `ORDO_PASSWORD` was already spent on signing in with `--as`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInPassword {
    /// `ORDO_PASSWORD` is free to be a new password.
    Unused,
    /// `--as` signed in with `ORDO_PASSWORD`; a new password needs `ORDO_NEW_PASSWORD`.
    UsedByAs,
}

/// The password of `login` for signing in: `ORDO_PASSWORD`, or asked for.
///
/// # Errors
/// If there is none to read (end of input) or the terminal cannot be read.
pub fn sign_in(login: &str) -> anyhow::Result<String> {
    if let Some(password) = from_env(PASSWORD_ENV) {
        return Ok(password);
    }
    ask(&format!("Password for {login}: "))
}

/// A new password for `whose` (e.g. `login ada`): from the environment (see the module
/// docs), or asked for twice on a terminal, or one line of standard input.
///
/// # Errors
/// `Validation` if the two entries differ or nothing was given; I/O errors of the terminal.
pub fn choose(whose: &str, sign_in: SignInPassword) -> anyhow::Result<String> {
    if let Some(password) = from_env(NEW_PASSWORD_ENV) {
        return Ok(password);
    }
    if sign_in == SignInPassword::Unused
        && let Some(password) = from_env(PASSWORD_ENV)
    {
        return Ok(password);
    }
    let first = ask(&format!("New password for {whose}: "))?;
    if std::io::stdin().is_terminal() {
        let again = ask("Repeat the new password: ")?;
        if again != first {
            return Err(Error::invalid("password", "entries do not match; try again").into());
        }
    }
    Ok(first)
}

fn from_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|p| !p.is_empty())
}

/// Asks on the terminal without echo, or reads one line of standard input.
fn ask(prompt: &str) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password(prompt)?);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        return Err(Error::invalid(
            "password",
            format!("is required: set {PASSWORD_ENV} or type it at the prompt"),
        )
        .into());
    }
    Ok(password)
}
