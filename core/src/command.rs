//! Commands as values.
