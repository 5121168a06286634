//! Web Push out of the server: the VAPID key pair ([`VapidKey`], kept in
//! the data directory) and [`WebPusher`], the [`Pusher`] port's
//! implementation, which encrypts each payload to the device's keys (RFC
//! 8291, `aes128gcm`), signs a VAPID JWT (RFC 8292) and POSTs it to the
//! device's push service.
//!
//! Encryption and signing come from the `web-push` crate (the maintained
//! Rust implementation, built on Mozilla's `ece`); it only builds the
//! request, which is sent with the `reqwest` client the webhooks already
//! use. The client follows no redirects, gives up after
//! [`SEND_TIMEOUT`], and resolves names to public addresses only (loopback
//! too when the administrator allowed loopback endpoints, as tests do), so
//! a stored endpoint cannot be turned into a request at the server's own
//! network even if its name changed since it was subscribed.

use anyhow::Context;
use app::{
    domain::{is_public_ip, PushEndpoint},
    ports::{PushOutcome, PushSubscription, PushTask, PushUrgency, Pusher},
};
use async_trait::async_trait;
use base64::Engine;
use rand::RngCore;
use std::{fs, io::Write, path::Path, sync::Arc, time::Duration};
use web_push::{
    ContentEncoding, PartialVapidSignatureBuilder, SubscriptionInfo, Urgency,
    VapidSignatureBuilder, WebPushMessageBuilder,
};

/// The VAPID private key's file in the data directory: the 32 bytes of the
/// P-256 scalar, owner-readable only, like `secret.key`.
pub const KEY_FILE: &str = "vapid.key";

/// How long one push may take (connect, send, answer).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a VAPID token is valid (RFC 8292 allows at most 24 hours).
const TOKEN_HOURS: i64 = 12;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The server's VAPID key pair.
#[derive(Clone)]
pub struct VapidKey {
    /// The signer `web-push` builds from it, cloned for each push.
    signer: PartialVapidSignatureBuilder,
    /// The uncompressed public point, base64url (what browsers need).
    public: String,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl VapidKey {
    /// The key from its 32 private bytes.
    pub fn from_bytes(bytes: &[u8]) -> anyhow::Result<Self> {
        let private = B64.encode(bytes);
        let signer = VapidSignatureBuilder::from_base64_no_sub(&private)
            .map_err(|e| anyhow::anyhow!("not a P-256 private key: {e}"))?;
        let public = B64.encode(signer.get_public_key());
        Ok(Self { signer, public })
    }

    /// Reads `vapid.key` from `data_dir`, creating it on first start.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(data_dir)
            .with_context(|| format!("creating data directory {}", data_dir.display()))?;
        let path = data_dir.join(KEY_FILE);
        match fs::read(&path) {
            Ok(bytes) => {
                crate::secret::restrict(&path)?;
                Self::from_bytes(&bytes).with_context(|| {
                    format!("{} is not a VAPID key; move it away to make a new one (every subscribed device must then subscribe again)", path.display())
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A random 32-byte string is a valid scalar but for a
                // chance of about 2^-32 (zero or past the group order);
                // try again then.
                let (key, bytes) = loop {
                    let mut bytes = [0u8; 32];
                    rand::rngs::OsRng.fill_bytes(&mut bytes);
                    if let Ok(key) = Self::from_bytes(&bytes) {
                        break (key, bytes);
                    }
                };
                let mut file = crate::secret::create_private(&path)?;
                file.write_all(&bytes)?;
                file.sync_all()?;
                tracing::info!(path = %path.display(), "generated a new VAPID key for Web Push");
                Ok(key)
            }
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// The public key, base64url of the uncompressed point.
    pub fn public(&self) -> &str {
        &self.public
    }
}

/// Sends pushes (the [`Pusher`] port).
pub struct WebPusher {
    key: VapidKey,
    /// The VAPID `sub` claim: how a push service can reach the operator.
    contact: String,
    allow_loopback: bool,
    client: reqwest::Client,
    shutdown: crate::shutdown::Shutdown,
}

impl WebPusher {
    pub fn new(
        key: VapidKey,
        contact: String,
        allow_loopback: bool,
        shutdown: crate::shutdown::Shutdown,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(Resolver { allow_loopback }))
            .user_agent(concat!("Rapport-Push/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            key,
            contact,
            allow_loopback,
            client,
            shutdown,
        })
    }

    /// The request for one push: `web-push` encrypts and signs and builds
    /// an `http` request, copied into one of our client's.
    fn request(
        &self,
        sub: &PushSubscription,
        payload: &[u8],
        ttl_secs: u32,
        urgency: PushUrgency,
    ) -> Result<reqwest::RequestBuilder, String> {
        let info =
            SubscriptionInfo::new(sub.endpoint.clone(), sub.p256dh.clone(), sub.auth.clone());
        let audience = url::Url::parse(&sub.endpoint)
            .map_err(|e| format!("bad endpoint: {e}"))?
            .origin()
            .ascii_serialization();
        let mut vapid = self.signer().add_sub_info(&info);
        vapid.add_claim("sub", self.contact.as_str());
        // The origin with its port (web-push's default drops the port).
        vapid.add_claim("aud", audience);
        vapid.add_claim(
            "exp",
            (chrono::Utc::now() + chrono::TimeDelta::hours(TOKEN_HOURS)).timestamp(),
        );
        let signature = vapid.build().map_err(|e| format!("signing: {e}"))?;
        let mut message = WebPushMessageBuilder::new(&info);
        message.set_payload(ContentEncoding::Aes128Gcm, payload);
        message.set_ttl(ttl_secs);
        message.set_urgency(match urgency {
            PushUrgency::Normal => Urgency::Normal,
            PushUrgency::High => Urgency::High,
        });
        message.set_vapid_signature(signature);
        let message = message.build().map_err(|e| format!("encrypting: {e}"))?;
        let (parts, body) =
            web_push::request_builder::build_request::<Vec<u8>>(message).into_parts();
        let mut out = self.client.post(parts.uri.to_string()).body(body);
        for (name, value) in &parts.headers {
            // reqwest sets the length of the body it sends itself.
            if name.as_str().eq_ignore_ascii_case("content-length") {
                continue;
            }
            out = out.header(name.as_str(), value.as_bytes());
        }
        Ok(out)
    }

    fn signer(&self) -> PartialVapidSignatureBuilder {
        self.key.signer.clone()
    }
}

#[async_trait]
impl Pusher for WebPusher {
    fn public_key(&self) -> String {
        self.key.public.clone()
    }

    fn allow_loopback(&self) -> bool {
        self.allow_loopback
    }

    fn spawn(&self, task: PushTask) {
        if self.shutdown.is_stopping() {
            return;
        }
        self.shutdown.spawn(task);
    }

    async fn send(
        &self,
        sub: &PushSubscription,
        payload: &[u8],
        ttl_secs: u32,
        urgency: PushUrgency,
    ) -> PushOutcome {
        // Checked again when sending: the setting may have changed since
        // the device subscribed.
        if PushEndpoint::parse(&sub.endpoint, self.allow_loopback).is_err() {
            return PushOutcome::Failed("the endpoint is not allowed".into());
        }
        let request = match self.request(sub, payload, ttl_secs, urgency) {
            Ok(r) => r,
            Err(e) => return PushOutcome::Failed(e),
        };
        match request.send().await {
            Ok(res) => match res.status().as_u16() {
                200..=299 => PushOutcome::Delivered,
                404 | 410 => PushOutcome::Gone,
                status => PushOutcome::Failed(format!("the push service answered HTTP {status}")),
            },
            Err(e) if e.is_timeout() => PushOutcome::Failed("no answer in time".into()),
            Err(e) => PushOutcome::Failed(format!("sending failed: {e}")),
        }
    }
}

/// Resolves push services' names to public addresses only (and loopback
/// ones when allowed); a name with none fails the push.
struct Resolver {
    allow_loopback: bool,
}

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let all: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let ok: Vec<_> = all
                .into_iter()
                .filter(|a| is_public_ip(a.ip()) || (allow_loopback && a.ip().is_loopback()))
                .collect();
            if ok.is_empty() {
                return Err("the push service's address is not public".into());
            }
            Ok(Box::new(ok.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vapid_key_is_created_once_private_to_its_owner_and_reused() {
        let dir = std::env::temp_dir().join(format!("rapport-vapid-{}", uuid::Uuid::new_v4()));
        let first = VapidKey::load_or_create(&dir).unwrap();
        let again = VapidKey::load_or_create(&dir).unwrap();
        assert_eq!(first.public(), again.public());
        let point = B64.decode(first.public()).unwrap();
        assert_eq!(
            (point.len(), point[0]),
            (65, 4),
            "an uncompressed P-256 point"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let private = B64.encode(fs::read(dir.join(KEY_FILE)).unwrap());
        assert!(!format!("{first:?}").contains(&private));
        let _ = fs::remove_dir_all(dir);
    }
}
