//! The request side of the rate limits: which client is asking. The limits
//! themselves ([`Limits`](crate::service::limits::Limits)) are rules of
//! this instance, in `service/limits.rs`.

use std::net::IpAddr;

/// The client's address: the socket's peer, or with `trust_forwarded_for`
/// the last address in `X-Forwarded-For` (the one our proxy appended;
/// earlier entries are client-supplied and can be forged). `None` when
/// neither is known.
pub async fn client_ip() -> Option<IpAddr> {
    let trust_proxy = crate::api::context::state().is_ok_and(|s| s.config.trust_forwarded_for);
    if trust_proxy {
        if let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() {
            if let Some(ip) = forwarded_for(&parts.headers) {
                return Some(ip);
            }
        }
    }
    leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|axum::extract::ConnectInfo(addr)| addr.ip())
}

fn forwarded_for(headers: &http::HeaderMap) -> Option<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|ip| ip.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_appended_address_is_the_client() {
        let mut headers = http::HeaderMap::new();
        headers.append("x-forwarded-for", "198.51.100.1, 10.0.0.1".parse().unwrap());
        headers.append("x-forwarded-for", "203.0.113.9".parse().unwrap());
        assert_eq!(
            forwarded_for(&headers),
            Some("203.0.113.9".parse().unwrap())
        );
        assert_eq!(forwarded_for(&http::HeaderMap::new()), None);
    }
}
