//! Mail ([`Postman`]): invitations and account notices, by SMTP when
//! `RAPPORT_SMTP_URL` is set, else as `.eml` files in
//! `<data dir>/outbox/<event>/` (invitations, which the import page lists so
//! an event can run without a mail server) and `<data dir>/outbox/_accounts/`
//! (notices such as "someone tried to sign up with your address").
//!
//! Messages are built with `lettre` (headers and encodings per RFC 5322)
//! and sent with its async SMTP client on tokio with rustls. Every outcome
//! is recorded on the invitation — mailed, outbox, or failed with the
//! reason — and never fails the import that asked for it: a mail server
//! that is down is something the organizer sees and can retry ("Send
//! again"), not an error page.

use app::domain::Email;
use app::domain::InvitationStatus;
use app::ports::{Event, Invitation, Postman, Store};
use async_trait::async_trait;
use lettre::{
    message::{
        header::{ContentTransferEncoding, ContentType},
        Body, Mailbox,
    },
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use std::{path::PathBuf, time::Duration};

/// How long one SMTP conversation may take before the invitation is
/// recorded as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// Where invitations go.
enum Route {
    /// An SMTP relay (pooled connections, reused across messages).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in this folder (one subfolder per event).
    Outbox(PathBuf),
}

/// The server's [`Postman`].
pub struct Mailer {
    route: Route,
    from: Mailbox,
}

impl Mailer {
    /// A mailer for `smtp_url` (see the README: `smtp://`, `smtps://`,
    /// `?tls=required`), or for the outbox under `data_dir` when `None`.
    /// `from` is the sender, e.g. `Rapport <events@example.org>`.
    pub fn new(
        smtp_url: Option<&str>,
        from: Option<&str>,
        data_dir: &std::path::Path,
    ) -> anyhow::Result<Self> {
        let smtp_url = smtp_url.map(str::trim).filter(|u| !u.is_empty());
        let from = match from.map(str::trim).filter(|f| !f.is_empty()) {
            Some(f) => f
                .parse::<Mailbox>()
                .map_err(|e| anyhow::anyhow!("RAPPORT_MAIL_FROM is not a mail address ({e})"))?,
            None if smtp_url.is_some() => {
                anyhow::bail!("RAPPORT_SMTP_URL is set, so RAPPORT_MAIL_FROM must name the sender")
            }
            // Only written into outbox files, which the organizer forwards.
            None => "Rapport <rapport@localhost>".parse()?,
        };
        let route = match smtp_url {
            Some(url) => Route::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("RAPPORT_SMTP_URL is not usable ({e})"))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
            None => Route::Outbox(data_dir.join("outbox")),
        };
        Ok(Self { route, from })
    }

    /// The invitation as a mail message. Nobody is a member before they
    /// accept, so the mail asks them to answer rather than welcoming them.
    fn message(&self, event: &Event, invitation: &Invitation) -> Result<Message, String> {
        let to = format!("{} <{}>", quote_name(&invitation.name), invitation.email)
            .parse::<Mailbox>()
            .map_err(|e| format!("the address {} is not usable ({e})", invitation.email))?;
        let body = format!(
            // Short lines: longer ones would need quoted-printable, which
            // breaks the link in an outbox file.
            "Hello {name},\n\nThe organizers of {event} invite you to the event.\n\
             Open this link to accept or decline:\n\n{link}\n\n\
             Until you accept, you are not a member and nobody there\n\
             sees your profile.\n",
            name = invitation.name,
            event = event.name,
            link = invitation.link,
        );
        self.plain_message(to, &format!("You are invited to {}", event.name), body)
    }

    /// A plain-text message from this server's sender. 8bit keeps the text
    /// (and any link) readable in outbox files, which people open and copy
    /// from; every SMTP server today speaks 8BITMIME, and text that cannot be
    /// sent as 8bit is encoded by lettre. lettre encodes the subject, and
    /// every name that reaches it is one line (domain::text).
    fn plain_message(&self, to: Mailbox, subject: &str, body: String) -> Result<Message, String> {
        let body = Body::new_with_encoding(body, ContentTransferEncoding::EightBit)
            .unwrap_or_else(Body::new);
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("the message could not be built ({e})"))
    }

    /// Sends `message` by this mailer's route; in outbox mode it is written
    /// to `<outbox>/<folder>/<file>.eml`. The error is for a person to read.
    async fn send(&self, message: Message, folder: &str, file: &str) -> Result<(), String> {
        match &self.route {
            Route::Smtp(transport) => transport.send(message).await.map(|_| ()).map_err(|e| {
                tracing::warn!(error = %e, "a mail could not be sent");
                format!("The mail server refused or could not be reached: {e}")
            }),
            Route::Outbox(dir) => {
                let dir = dir.join(folder);
                let file = dir.join(format!("{file}.eml"));
                let bytes = message.formatted();
                let written = tokio::task::spawn_blocking(move || {
                    std::fs::create_dir_all(&dir)?;
                    std::fs::write(&file, bytes)
                })
                .await;
                match written {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "writing a mail to the outbox failed");
                        Err("The outbox folder could not be written.".into())
                    }
                    Err(_) => Err("The outbox folder could not be written.".into()),
                }
            }
        }
    }

    /// Sends a plain-text message to one person's address (in outbox mode,
    /// `<outbox>/<folder>/<address>.eml`).
    async fn send_plain(
        &self,
        to: &Email,
        subject: &str,
        body: &str,
        folder: &str,
    ) -> Result<(), String> {
        let message = to
            .as_str()
            .parse::<Mailbox>()
            .map_err(|e| format!("the address is not usable ({e})"))
            .and_then(|to| self.plain_message(to, subject, body.to_owned()))?;
        self.send(message, folder, &file_name(to.as_str())).await
    }

    /// Delivers one invitation: the status to record and its detail.
    async fn deliver_one(
        &self,
        event: &Event,
        invitation: &Invitation,
    ) -> (InvitationStatus, String) {
        let message = match self.message(event, invitation) {
            Ok(m) => m,
            Err(reason) => return (InvitationStatus::Failed, reason),
        };
        let sent = self
            .send(message, event.slug.as_str(), &file_name(&invitation.email))
            .await;
        match (sent, &self.route) {
            (Ok(()), Route::Smtp(_)) => (InvitationStatus::Mailed, String::new()),
            (Ok(()), Route::Outbox(_)) => (InvitationStatus::Outbox, String::new()),
            (Err(reason), _) => {
                tracing::warn!(invitation = %invitation.id, "an invitation could not be delivered");
                (InvitationStatus::Failed, reason)
            }
        }
    }
}

/// A display name safe inside `Name <address>`.
fn quote_name(name: &str) -> String {
    let plain = name
        .chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '\'');
    if plain {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace(['"', '\\'], ""))
    }
}

/// An email address as a file name: letters, digits, `.`, `@`; the rest `_`.
fn file_name(email: &str) -> String {
    email
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '@' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[async_trait]
impl Postman for Mailer {
    async fn deliver(&self, store: &dyn Store, event: &Event, invitations: Vec<Invitation>) {
        for invitation in invitations {
            let (status, detail) = self.deliver_one(event, &invitation).await;
            if let Err(e) = store
                .set_invitation_status(invitation.id, status, &detail)
                .await
            {
                tracing::error!(error = %e, invitation = %invitation.id, "recording an invitation's delivery failed");
            }
        }
    }

    fn sends_mail(&self) -> bool {
        matches!(self.route, Route::Smtp(_))
    }

    async fn account_notice(&self, to: &Email, subject: &str, body: &str) {
        if let Err(reason) = self.send_plain(to, subject, body, ACCOUNT_FOLDER).await {
            tracing::warn!(reason, "an account notice could not be sent");
        }
    }

    async fn digest(&self, to: &Email, day: chrono::NaiveDate, subject: &str, body: &str) -> bool {
        let folder = format!("{DIGEST_FOLDER}/{}", day.format("%Y-%m-%d"));
        match self.send_plain(to, subject, body, &folder).await {
            Ok(()) => true,
            Err(reason) => {
                tracing::warn!(reason, "a digest could not be sent");
                false
            }
        }
    }
}

/// The outbox folder of follow-up digests, one subfolder per day.
const DIGEST_FOLDER: &str = "_digests";

/// The outbox folder of account notices; `_` is never in an event's slug,
/// so it cannot be an event's folder.
const ACCOUNT_FOLDER: &str = "_accounts";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_without_a_sender_is_refused_at_start_up() {
        let dir = std::env::temp_dir();
        assert!(Mailer::new(Some("smtp://127.0.0.1:2525"), None, &dir).is_err());
        assert!(Mailer::new(Some("smtp://127.0.0.1:2525"), Some("not an address"), &dir).is_err());
        let m = Mailer::new(
            Some("smtp://127.0.0.1:2525"),
            Some("Rapport <e@example.org>"),
            &dir,
        )
        .unwrap();
        assert!(m.sends_mail());
        assert!(!Mailer::new(None, None, &dir).unwrap().sends_mail());
    }

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_name("a/../b@x.org"), "a_.._b@x.org");
        assert_eq!(quote_name("Ada Lovelace"), "Ada Lovelace");
        assert_eq!(quote_name("O\"Brien, Pat"), "\"OBrien, Pat\"");
    }
}
