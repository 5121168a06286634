//! Sending invitations and account notices ([`Postman`]); the server
//! implements it in `server/src/mail.rs`.

use super::{events::Event, invitations::Invitation, Store};
use crate::domain::Email;
use async_trait::async_trait;
use chrono::NaiveDate;

/// Delivers invitations: by SMTP when configured, else as `.eml` files in
/// the outbox of the data directory. The server implements it
/// (`server/src/mail.rs`); the import hands it the invitations it recorded.
#[async_trait]
pub trait Postman: Send + Sync + 'static {
    /// Delivers each invitation and records the outcome on it (mailed,
    /// outbox, or failed with the reason). Never fails the caller: a mail
    /// server that is down is an outcome, not an error.
    async fn deliver(&self, store: &dyn Store, event: &Event, invitations: Vec<Invitation>);
    /// Whether invitations go out by mail (else to the outbox).
    fn sends_mail(&self) -> bool;
    /// Sends a short plain-text notice about their account to `to` (e.g.
    /// "someone tried to sign up with your address"), by the same route as
    /// invitations. Never fails the caller; a notice that cannot be sent is
    /// logged. The default only logs that this postman sends no notices.
    async fn account_notice(&self, to: &Email, subject: &str, body: &str) {
        let _ = (to, subject, body);
        tracing::warn!("this postman sends no account notices; one was dropped");
    }
    /// Sends one person's follow-up digest for `day` by the same route as
    /// invitations (the outbox keeps one file per person and day).
    /// `false` when it could not be sent (logged). The default sends
    /// nothing.
    async fn digest(&self, to: &Email, day: NaiveDate, subject: &str, body: &str) -> bool {
        let _ = (to, day, subject, body);
        tracing::warn!("this postman sends no digests; one was dropped");
        false
    }
}
