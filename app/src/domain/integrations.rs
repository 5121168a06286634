//! Integrations of an event with other systems: the kinds of webhook
//! notifications an organizer can subscribe to, and the URL they are sent
//! to. API tokens themselves are generated, never typed, so they need no
//! type here (see `api::tokens`).

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
}

#[cfg(test)]
mod tests {
    use super::*;

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
