//! Integrations of an event with other systems: the kinds of webhook
//! notifications an organizer can subscribe to, and the URL they are sent
//! to. API tokens themselves are generated, never typed, so they need no
//! type here (see `service::tokens`).

use super::Invalid;
use serde::{Deserialize, Serialize};

/// What happened, as a webhook's `type` field names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WebhookKind {
    /// Two people connected at the event (a scan, mutual interest, or an
    /// approved connection request).
    #[serde(rename = "connection.created")]
    ConnectionCreated,
    /// Staff checked someone in at the entrance.
    #[serde(rename = "checkin")]
    Checkin,
    /// Someone became a member of the event (join code, invite link, badge
    /// scan, or import).
    #[serde(rename = "member.joined")]
    MemberJoined,
}

impl WebhookKind {
    pub const ALL: [WebhookKind; 3] = [
        WebhookKind::ConnectionCreated,
        WebhookKind::Checkin,
        WebhookKind::MemberJoined,
    ];

    /// The wire (and database) name.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookKind::ConnectionCreated => "connection.created",
            WebhookKind::Checkin => "checkin",
            WebhookKind::MemberJoined => "member.joined",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| {
                Invalid::new(
                    "kinds",
                    "Choose among connection.created, checkin and member.joined.",
                )
            })
    }

    /// What the integrations page calls it.
    pub fn label(self) -> &'static str {
        match self {
            WebhookKind::ConnectionCreated => "A connection is made",
            WebhookKind::Checkin => "Someone is checked in",
            WebhookKind::MemberJoined => "Someone joins the event",
        }
    }
}

/// Where a webhook is delivered: an absolute `http` or `https` URL without
/// credentials, at most 2,000 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub const MAX_LEN: usize = 2000;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        let bad = || {
            Invalid::new(
                "url",
                "Enter the full address the webhook is sent to, starting with https:// (or http://).",
            )
        };
        if raw.len() > Self::MAX_LEN || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let rest = raw
            .strip_prefix("https://")
            .or_else(|| raw.strip_prefix("http://"))
            .ok_or_else(bad)?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() || host.contains('@') {
            return Err(bad());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host when it is written as an IP address (`http://10.0.0.5/`,
    /// `http://[::1]:8080/`); names are checked when they are resolved.
    pub fn ip_host(&self) -> Option<std::net::IpAddr> {
        let rest = self.0.split_once("://")?.1;
        let authority = rest.split(['/', '?', '#']).next()?;
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next()?,
            None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
        };
        host.parse().ok()
    }

    /// Whether the URL names a host that is certainly not public: an IP
    /// address outside the public internet, or `localhost`.
    pub fn names_private_host(&self) -> bool {
        let localhost = self
            .0
            .split_once("://")
            .and_then(|(_, rest)| rest.split(['/', '?', '#', ':']).next())
            .is_some_and(|h| {
                let h = h.to_ascii_lowercase();
                h == "localhost" || h.ends_with(".localhost")
            });
        localhost || self.ip_host().is_some_and(|ip| !is_public_ip(ip))
    }
}

/// Whether `ip` is an address of the public internet. Webhooks go only
/// there unless the server's administrator allows private targets, so an
/// organizer cannot make the server call into its own network (SSRF).
pub fn is_public_ip(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                // Shared address space (carrier-grade NAT), 100.64.0.0/10.
                || (a == 100 && (64..128).contains(&b))
                // Benchmarking 198.18.0.0/15 and reserved 240.0.0.0/4.
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_ip(IpAddr::V4(v4)),
            None => {
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || v6.is_unique_local()
                    || v6.is_unicast_link_local()
                    // Documentation, 2001:db8::/32.
                    || (v6.segments()[0] == 0x2001 && v6.segments()[1] == 0xdb8))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_targets_are_recognised_public_ones_are_not() {
        for private in [
            "http://127.0.0.1:9000/hook",
            "http://10.1.2.3/",
            "https://192.168.0.10/x",
            "http://172.16.5.4",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]:8080/",
            "http://[fd00::1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://localhost:3000/",
            "http://api.localhost/",
        ] {
            let url = WebhookUrl::parse(private).unwrap();
            assert!(url.names_private_host(), "{private}");
        }
        for public in [
            "https://hooks.example.org/rapport",
            "https://93.184.216.34/x",
            "http://[2606:4700::1111]:443/",
            "https://crm.example.com:8443/in?a=1",
        ] {
            let url = WebhookUrl::parse(public).unwrap();
            assert!(!url.names_private_host(), "{public}");
        }
        assert_eq!(
            WebhookUrl::parse("http://[::1]:8080/").unwrap().ip_host(),
            Some("::1".parse().unwrap())
        );
    }

    #[test]
    fn webhook_kinds_round_trip_through_their_wire_names() {
        for k in WebhookKind::ALL {
            assert_eq!(WebhookKind::parse(k.as_str()).unwrap(), k);
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::String(k.as_str().into())
            );
        }
        assert!(WebhookKind::parse("room.created").is_err());
    }

    #[test]
    fn only_absolute_http_urls_without_credentials_are_webhook_targets() {
        assert!(WebhookUrl::parse("https://crm.example/hooks/rapport?x=1").is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.1:8080/").is_ok());
        for bad in [
            "",
            "crm.example/hook",
            "ftp://crm.example/",
            "https://",
            "https://user:pw@crm.example/",
            "https://crm.example/a b",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
