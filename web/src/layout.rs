//! The page frame: document head, the top bar with the navigation a role is offered, and
//! the body. Everything interpolated is escaped by maud.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use crate::csrf;

/// A link of the top bar.
pub(crate) struct Link {
    /// Where to.
    pub href: &'static str,
    /// What it says.
    pub label: &'static str,
}

/// The top bar: the area's name, its links and who is signed in (with the sign-out form).
pub(crate) struct Bar<'a> {
    /// `ordo shop` or `ordo console`.
    pub brand: &'static str,
    /// Where the brand links to.
    pub home: &'static str,
    /// The links the visitor may use.
    pub links: Vec<Link>,
    /// Who is signed in, if anyone.
    pub signed_in: Option<&'a str>,
    /// Where the sign-out form posts.
    pub sign_out: &'static str,
    /// Where the sign-in link goes.
    pub sign_in: &'static str,
    /// The CSRF token for the sign-out form.
    pub csrf: &'a str,
}

/// A whole page.
pub(crate) fn page(title: &str, bar: &Bar<'_>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (bar.brand) }
                link rel="stylesheet" href="/static/ordo.css";
            }
            body {
                header.top {
                    a.brand href=(bar.home) { (bar.brand) }
                    nav {
                        @for link in &bar.links {
                            a href=(link.href) { (link.label) } " "
                        }
                    }
                    @match bar.signed_in {
                        Some(who) => {
                            span { (who) }
                            form method="post" action=(bar.sign_out) {
                                (csrf_field(bar.csrf))
                                button type="submit" { "Sign out" }
                            }
                        }
                        None => { a href=(bar.sign_in) { "Sign in" } }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A page without a bar (errors before we know who asks).
pub(crate) fn bare(title: &str, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) }
                    link rel="stylesheet" href="/static/ordo.css";
                }
                body { main { (body) } }
            }
        }
        .into_string(),
    )
}

/// The hidden CSRF field of a form.
pub(crate) fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name=(csrf::FIELD) value=(token); }
}

/// A rendered page with its status.
pub(crate) fn respond(status: StatusCode, markup: Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

/// `303 See Other` to `location` (after a form), setting `cookies`.
pub(crate) fn see_other(location: &str, cookies: Vec<axum::http::HeaderValue>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = axum::http::HeaderValue::from_str(location) {
        response
            .headers_mut()
            .insert(axum::http::header::LOCATION, location);
    }
    for cookie in cookies {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, cookie);
    }
    response
}

/// `url` if it is an http(s) or site-relative link, else `#` (a stored `javascript:` URL
/// must not become a link, whatever the CSP already blocks).
pub(crate) fn safe_url(url: &str) -> &str {
    let lower = url.trim_start().to_ascii_lowercase();
    let relative = url.starts_with('/') && !url.starts_with("//");
    if relative || lower.starts_with("https://") || lower.starts_with("http://") {
        url
    } else {
        "#"
    }
}
