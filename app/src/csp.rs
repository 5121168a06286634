//! The Content-Security-Policy every response carries: the second wall
//! behind escaping, so text that ever slipped through as markup still
//! cannot run.
//!
//! Each source, and why it is there:
//! - `default-src 'self'`: anything not named below comes from this site only.
//! - `script-src 'self' 'nonce-…' 'wasm-unsafe-eval'`: the app's own module
//!   (`/pkg/rapport.<hash>.js`); the one inline hydration script Leptos writes,
//!   which carries this response's nonce; compiling the WebAssembly app.
//!   No `'unsafe-inline'`, so injected `<script>` and `onerror=` never run.
//! - `style-src 'self'`: the stylesheet; pages use no inline styles.
//! - `img-src 'self' data: blob:`: photos and badges from this site; the
//!   scanner's canvas frames and generated QR images are `data:`/`blob:`.
//! - `connect-src 'self'`: server functions and the `/ws` socket (CSP level 3
//!   lets `'self'` cover same-origin `ws:`/`wss:`).
//! - `worker-src 'self'`, `manifest-src 'self'`: the service worker and the
//!   web app manifest.
//! - `object-src 'none'`, `base-uri 'none'`: no plugins, no `<base>` that
//!   would re-point relative URLs.
//! - `frame-ancestors 'none'`: never framed (clickjacking); the same as
//!   `X-Frame-Options: DENY` for browsers that know only that.
//! - `form-action 'self'`: forms post only to this site.

/// The policy for a response; `nonce` is the per-response nonce of an HTML
/// page (Leptos puts it on its inline scripts). Responses without one (static
/// files, JSON, images) get the same policy with no inline script allowed.
///
/// The server makes the nonce before the page is rendered and sends the
/// header itself ([`use_request_nonce`] hands the same nonce to Leptos), so
/// the header and the page's scripts come from one value in one place.
pub fn policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(n) => format!("'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; \
         manifest-src 'self'; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'"
    )
}

/// Makes the nonce the server chose for this request (put into the
/// request's extensions by its CSP middleware) the one Leptos writes on its
/// inline scripts. Called from the server's additional context for every
/// rendered page, after Leptos provided a random nonce of its own, which
/// this replaces.
pub fn use_request_nonce() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(nonce) = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<leptos::nonce::Nonce>().cloned())
    {
        provide_context(nonce);
    }
}

#[cfg(test)]
mod tests {
    use super::policy;

    #[test]
    fn inline_scripts_run_only_with_the_nonce() {
        let p = policy(Some("abc123"));
        assert!(p.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(!p.contains("unsafe-inline"));
        assert!(!policy(None).contains("nonce"));
        for must in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(p.contains(must), "{must}");
        }
    }
}
