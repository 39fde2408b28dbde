//! PostgreSQL errors as [`StoreError`]s.

use postgres::error::SqlState;

use ordo_core::store::StoreError;

/// A serialization failure (40001) or a deadlock (40P01) is a [`StoreError::Conflict`]
/// (the engine retries it); anything else is `Io`. The message never holds the connection
/// URL (the client does not put it there).
pub(crate) fn from_pg(error: postgres::Error) -> StoreError {
    match error.code() {
        Some(code)
            if *code == SqlState::T_R_SERIALIZATION_FAILURE
                || *code == SqlState::T_R_DEADLOCK_DETECTED =>
        {
            StoreError::Conflict
        }
        _ => match error.as_db_error() {
            // The client's own `Display` says only "db error"; the server's words are here.
            Some(db) => StoreError::Io(format!(
                "PostgreSQL: {} (SQLSTATE {})",
                db.message(),
                db.code().code()
            )),
            None => StoreError::Io(format!("PostgreSQL: {error}")),
        },
    }
}

/// A pool failure (no connection within the timeout) as `Io`.
pub(crate) fn from_pool(error: r2d2::Error) -> StoreError {
    StoreError::Io(format!("PostgreSQL connection pool: {error}"))
}
