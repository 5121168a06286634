//! Web Push subscriptions as a browser hands them over: the push service's
//! endpoint URL for one device and the device's two keys. Each is checked
//! when built, so the store only ever holds an endpoint the server may call
//! and keys a payload can be encrypted to (RFC 8291).
//!
//! The endpoint rule is the SSRF rule: the server POSTs to whatever URL a
//! signed-in person names here, so it must be `https://` on a public host.
//! Tests run their own push service on 127.0.0.1; the server's
//! administrator (or a test) can allow loopback endpoints, plain `http://`
//! included, and nothing else private ever.

use super::{is_public_ip, Invalid};
use base64::Engine;

/// The URL a push service gave one device (`https://fcm.googleapis.com/…`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushEndpoint(String);

impl PushEndpoint {
    /// Real endpoints are a few hundred characters; anything far longer is
    /// not one.
    pub const MAX_LEN: usize = 1024;

    /// Accepts an `https://` URL on a public host; with `allow_loopback`,
    /// also `http(s)://` on a loopback address (tests' local push service).
    /// Refused: other schemes, credentials in the URL, private or
    /// link-local addresses, `localhost` (unless loopback is allowed).
    pub fn parse(raw: &str, allow_loopback: bool) -> Result<Self, Invalid> {
        let raw = raw.trim();
        let bad = || {
            Invalid::new(
                "endpoint",
                "This is not a push service address this server can use.",
            )
        };
        if raw.is_empty()
            || raw.len() > Self::MAX_LEN
            || raw.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad());
        }
        let (https, rest) = match (raw.strip_prefix("https://"), raw.strip_prefix("http://")) {
            (Some(rest), _) => (true, rest),
            (None, Some(rest)) => (false, rest),
            _ => return Err(bad()),
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') {
            return Err(bad());
        }
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
        }
        .to_ascii_lowercase();
        if host.is_empty() {
            return Err(bad());
        }
        let ip = host.parse::<std::net::IpAddr>().ok();
        let loopback = ip.is_some_and(|ip| ip.is_loopback())
            || host == "localhost"
            || host.ends_with(".localhost");
        if loopback {
            return if allow_loopback {
                Ok(Self(raw.to_owned()))
            } else {
                Err(bad())
            };
        }
        let private = ip.is_some_and(|ip| !is_public_ip(ip))
            // A bare name ("intranet") is resolved by the server's own
            // resolver; push services are always fully qualified.
            || !host.contains('.');
        if !https || private {
            return Err(bad());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Decodes base64url the way browsers write subscription keys (no padding;
/// padding and the standard alphabet tolerated, as some libraries send).
fn decode(raw: &str) -> Option<Vec<u8>> {
    let text = raw
        .trim()
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_");
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
}

/// The device's P-256 public key (`p256dh`): an uncompressed point, 65
/// bytes starting with 4, as base64url.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushKey(String);

impl PushKey {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match decode(raw) {
            Some(bytes) if bytes.len() == 65 && bytes[0] == 4 => Ok(Self(
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
            )),
            _ => Err(Invalid::new(
                "p256dh",
                "The device's key is not a P-256 public key.",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The device's authentication secret (`auth`): 16 bytes, as base64url.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushAuth(String);

impl PushAuth {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match decode(raw) {
            Some(bytes) if bytes.len() == 16 => Ok(Self(
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
            )),
            _ => Err(Invalid::new("auth", "The device's secret is not 16 bytes.")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a notification shows on a device: sent as JSON, shown by the
/// service worker as plain text (never HTML), so a name with markup in it
/// is only ever characters.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PushNotice {
    /// The notification's title ("New connection").
    pub title: String,
    /// One sentence ("Ben Okafor connected with you.").
    pub body: String,
    /// A path on this server the click opens.
    pub url: String,
    /// Notifications with the same tag replace each other on the device
    /// (one "new connection" line, not twenty).
    pub tag: String,
}

/// The host of `endpoint` ("fcm.googleapis.com"), as "download my data"
/// shows a device without its secret path.
pub fn endpoint_host(endpoint: &str) -> String {
    endpoint
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or_default())
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_services_on_public_https_hosts_are_endpoints() {
        for ok in [
            "https://fcm.googleapis.com/fcm/send/abc:def",
            "https://updates.push.services.mozilla.com/wpush/v2/gAAA",
            "https://web.push.apple.com/QGx",
            "https://93.184.216.34:8443/push/1",
        ] {
            assert!(PushEndpoint::parse(ok, false).is_ok(), "{ok}");
        }
    }

    #[test]
    fn private_plain_or_odd_endpoints_are_refused() {
        for bad in [
            "",
            "http://fcm.googleapis.com/fcm/send/abc",
            "ftp://push.example.org/x",
            "https://user:pw@push.example.org/x",
            "https://127.0.0.1/x",
            "https://localhost:8080/x",
            "https://10.0.0.5/x",
            "https://192.168.1.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/x",
            "https://[fd00::1]/x",
            "https://[::ffff:10.0.0.1]/x",
            "https://intranet/x",
            "https://push.example.org/a b",
            "javascript:alert(1)",
        ] {
            assert!(PushEndpoint::parse(bad, false).is_err(), "{bad}");
        }
        let long = format!("https://push.example.org/{}", "a".repeat(2000));
        assert!(PushEndpoint::parse(&long, false).is_err());
    }

    #[test]
    fn loopback_endpoints_need_the_flag_and_stay_the_only_private_ones() {
        assert!(PushEndpoint::parse("http://127.0.0.1:4000/push/1", true).is_ok());
        assert!(PushEndpoint::parse("http://[::1]:4000/push/1", true).is_ok());
        assert!(PushEndpoint::parse("http://127.0.0.1:4000/push/1", false).is_err());
        assert!(PushEndpoint::parse("http://10.0.0.5/push/1", true).is_err());
        assert!(PushEndpoint::parse("https://192.168.0.2/push/1", true).is_err());
    }

    #[test]
    fn keys_must_decode_to_their_lengths() {
        let point = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([4u8; 65]);
        assert!(PushKey::parse(&point).is_ok());
        let padded = base64::engine::general_purpose::URL_SAFE.encode([4u8; 65]);
        assert_eq!(PushKey::parse(&padded).unwrap().as_str(), point);
        assert!(PushKey::parse(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([3u8; 65])
        )
        .is_err());
        assert!(PushKey::parse(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([4u8; 33])
        )
        .is_err());
        assert!(PushKey::parse("not base64 at all!").is_err());
        let auth = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([7u8; 16]);
        assert!(PushAuth::parse(&auth).is_ok());
        assert!(PushAuth::parse(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([7u8; 15])
        )
        .is_err());
        assert!(PushAuth::parse("").is_err());
    }

    #[test]
    fn the_host_of_an_endpoint_hides_its_path() {
        assert_eq!(
            endpoint_host("https://fcm.googleapis.com/fcm/send/secret"),
            "fcm.googleapis.com"
        );
        assert_eq!(endpoint_host("nonsense"), "");
    }
}
