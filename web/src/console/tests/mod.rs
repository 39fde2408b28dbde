//! Handler tests of the console's customers, products, stock and reports pages and of the
//! order page's editing forms, on the harness of `crate::tests` (the real router on an
//! in-memory engine, a cookie-keeping client that sends each form's CSRF token).

mod customers;
mod order_edit;
mod products;
mod reports;
mod ticket;
