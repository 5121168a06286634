//! The Origin allow-list, one rule for the two places that need it: the
//! router's check on state-changing requests (`crate::http`) and the
//! WebSocket upgrade (`crate::realtime::upgrade`). A module of its own so
//! neither imports the other.

/// Whether a request with these `Origin` and `Sec-Fetch-Site` headers may
/// change state (or open a WebSocket): an Origin on the allow-list, or no
/// Origin from a client that is not a browser on another site.
pub fn origin_allowed(allowed: &[String], origin: Option<&str>, fetch_site: Option<&str>) -> bool {
    match origin {
        Some(o) => allowed.iter().any(|a| a == o),
        None => fetch_site != Some("cross-site"),
    }
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;

    #[test]
    fn an_allowed_origin_or_a_client_that_is_no_browser_elsewhere_passes() {
        let allowed = vec!["https://rapport.example".to_owned()];
        assert!(origin_allowed(
            &allowed,
            Some("https://rapport.example"),
            None
        ));
        assert!(!origin_allowed(
            &allowed,
            Some("https://evil.example"),
            None
        ));
        assert!(origin_allowed(&allowed, None, None));
        assert!(origin_allowed(&allowed, None, Some("same-origin")));
        assert!(!origin_allowed(&allowed, None, Some("cross-site")));
    }
}
