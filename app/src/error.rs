//! The one application error type: what can go wrong, as a person should read it.
//!
//! Every server function returns `Result<_, AppError>`. Variants carry only
//! text meant for the client; internals (SQL, I/O, panics) are logged with
//! `tracing` where they happen and become the bare [`AppError::Internal`].
//! On the server each variant maps to an HTTP status (see `status`), which the
//! REST-style callers and tests rely on.
//!
//! On the wire an error is `{"error": "<kind>", "detail": …}` (serde's
//! adjacent tagging, which `Serialize` derives). Its `Deserialize` is
//! written out below instead of derived: every page of the browser's app
//! decodes errors, and the derived decoder of an adjacently tagged enum
//! (which buffers whatever comes before the tag) was 12 KB of the main
//! WebAssembly module (docs/benchmarks.md, "Under 300 KB"). This one
//! reads the detail in whichever shape it comes (text, or the fields of
//! `invalid` or `rate_limited`) without knowing the kind yet, so the two
//! keys may come in either order, as JSON allows.

use crate::domain::Invalid;
use leptos::server_fn;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use server_fn::{codec::JsonEncoding, error::FromServerFnError, ServerFnError};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "error", content = "detail", rename_all = "snake_case")]
pub enum AppError {
    /// A submitted value was refused; `field` names the form field.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// The caller must sign in first.
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// Email and password did not match an account. One message for both
    /// cases so the form does not reveal which emails have accounts.
    #[error("That email and password do not match an account.")]
    BadCredentials,
    /// Signed in, but not allowed to do or see this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing asked for does not exist (or the caller may not know it does).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with what is stored (duplicate email, already a member).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; try again after the given number of seconds.
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    /// The request itself was malformed (missing form fields, wrong encoding).
    #[error("The request could not be understood: {0}")]
    BadRequest(String),
    /// In the browser: the server could not be reached (offline, network
    /// down). Never sent by the server; callers may queue and retry.
    #[error("Rapport could not be reached. Check your connection and try again.")]
    Unreachable,
    /// Something failed on our side; details are in the server log only.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl AppError {
    /// The HTTP status this error is sent with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } => 422,
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::RateLimited { .. } => 429,
            AppError::BadRequest(_) => 400,
            AppError::Unreachable => 503,
            AppError::Internal => 500,
        }
    }

    /// The form field this error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// The kinds of error on the wire (the `error` key).
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Kind {
    Invalid,
    Unauthenticated,
    BadCredentials,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    BadRequest,
    Unreachable,
    Internal,
    /// A kind this client does not know (a newer server): shown as
    /// [`AppError::Internal`], never a decoding failure.
    #[serde(other)]
    Unknown,
}

/// The keys of an error, and of its detail when that is an object.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Key {
    Error,
    Detail,
    Field,
    Message,
    RetryAfterSecs,
    #[serde(other)]
    Other,
}

/// An error's `detail` in any of its shapes, read before the kind is known.
#[derive(Default)]
struct Detail {
    /// The text of `forbidden`, `not_found`, `conflict`, `bad_request`.
    text: Option<String>,
    /// `invalid`'s fields.
    field: Option<String>,
    message: Option<String>,
    /// `rate_limited`'s field.
    retry_after_secs: Option<u64>,
}

impl<'de> Deserialize<'de> for Detail {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DetailVisitor)
    }
}

struct DetailVisitor;

impl<'de> Visitor<'de> for DetailVisitor {
    type Value = Detail;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an error's detail: text or an object")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Detail, E> {
        Ok(Detail {
            text: Some(text.to_owned()),
            ..Detail::default()
        })
    }

    fn visit_unit<E: de::Error>(self) -> Result<Detail, E> {
        Ok(Detail::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Detail, A::Error> {
        let mut detail = Detail::default();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Field => detail.field = Some(map.next_value()?),
                Key::Message => detail.message = Some(map.next_value()?),
                Key::RetryAfterSecs => detail.retry_after_secs = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(detail)
    }
}

impl<'de> Deserialize<'de> for AppError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ErrorVisitor)
    }
}

struct ErrorVisitor;

impl<'de> Visitor<'de> for ErrorVisitor {
    type Value = AppError;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an error: {\"error\": kind, \"detail\": …}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AppError, A::Error> {
        let mut kind = None;
        let mut detail = Detail::default();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Error => kind = Some(map.next_value::<Kind>()?),
                Key::Detail => detail = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let kind = kind.ok_or_else(|| de::Error::missing_field("error"))?;
        let need = |v: Option<String>, name| v.ok_or_else(|| de::Error::missing_field(name));
        Ok(match kind {
            Kind::Invalid => AppError::Invalid {
                field: need(detail.field, "field")?,
                message: need(detail.message, "message")?,
            },
            Kind::Unauthenticated => AppError::Unauthenticated,
            Kind::BadCredentials => AppError::BadCredentials,
            Kind::Forbidden => AppError::Forbidden(need(detail.text, "detail")?),
            Kind::NotFound => AppError::NotFound(need(detail.text, "detail")?),
            Kind::Conflict => AppError::Conflict(need(detail.text, "detail")?),
            Kind::RateLimited => AppError::RateLimited {
                retry_after_secs: detail
                    .retry_after_secs
                    .ok_or_else(|| de::Error::missing_field("retry_after_secs"))?,
            },
            Kind::BadRequest => AppError::BadRequest(need(detail.text, "detail")?),
            Kind::Unreachable => AppError::Unreachable,
            Kind::Internal | Kind::Unknown => AppError::Internal,
        })
    }
}

impl From<Invalid> for AppError {
    fn from(value: Invalid) -> Self {
        AppError::Invalid {
            field: value.field,
            message: value.message,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: server_fn::error::ServerFnErrorErr) -> Self {
        use server_fn::error::ServerFnErrorErr as E;
        match value {
            // Arguments that could not be decoded: the client sent a bad request.
            E::Args(msg) | E::Deserialization(msg) | E::MissingArg(msg) => {
                AppError::BadRequest(msg)
            }
            // In the browser, a failed fetch means the network is down.
            E::Request(_) => AppError::Unreachable,
            _ => AppError::Internal,
        }
    }
}

impl From<ServerFnError> for AppError {
    fn from(_: ServerFnError) -> Self {
        AppError::Internal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_input_is_a_422_naming_the_field() {
        let err: AppError = Invalid::new("email", "Email is required.").into();
        assert_eq!(err.status(), 422);
        assert_eq!(err.field(), Some("email"));
        assert_eq!(err.to_string(), "Email is required.");
    }

    #[test]
    fn errors_serialize_with_a_tag_clients_can_match() {
        let json = serde_json::to_value(AppError::Conflict("taken".into())).unwrap();
        assert_eq!(json["error"], "conflict");
    }

    /// Every variant, as the server writes it, reads back the same: from
    /// the text (tag first) and from a `serde_json::Value` (keys sorted, so
    /// the detail comes first).
    #[test]
    fn every_error_reads_back_as_written_in_either_key_order() {
        let all = [
            AppError::Invalid {
                field: "email".into(),
                message: "Email is required.".into(),
            },
            AppError::Unauthenticated,
            AppError::BadCredentials,
            AppError::Forbidden("members only".into()),
            AppError::NotFound("no such event".into()),
            AppError::Conflict("taken".into()),
            AppError::RateLimited {
                retry_after_secs: 30,
            },
            AppError::BadRequest("bad form".into()),
            AppError::Unreachable,
            AppError::Internal,
        ];
        for err in all {
            let text = serde_json::to_string(&err).unwrap();
            assert_eq!(
                serde_json::from_slice::<AppError>(text.as_bytes()).unwrap(),
                err,
                "{text}"
            );
            let value = serde_json::to_value(&err).unwrap();
            assert_eq!(
                serde_json::from_value::<AppError>(value).unwrap(),
                err,
                "{text}"
            );
        }
        let detail_first =
            r#"{"detail":{"message":"Too short.","field":"name"},"error":"invalid"}"#;
        assert_eq!(
            serde_json::from_str::<AppError>(detail_first).unwrap(),
            AppError::Invalid {
                field: "name".into(),
                message: "Too short.".into()
            }
        );
    }

    /// What a hostile or newer server might send: an unknown kind is shown
    /// as an internal error; a missing or mistyped part is a decoding
    /// error, never a panic or a made-up message.
    #[test]
    fn odd_errors_are_refused_or_shown_as_internal() {
        let read = |text: &str| serde_json::from_str::<AppError>(text);
        assert_eq!(
            read(r#"{"error":"quota_exceeded","detail":{"x":1}}"#).unwrap(),
            AppError::Internal
        );
        assert_eq!(
            read(r#"{"error":"not_found","detail":"gone","trace":"at db.rs:1"}"#).unwrap(),
            AppError::NotFound("gone".into())
        );
        for bad in [
            r#"{"error":"not_found"}"#,
            r#"{"error":"invalid","detail":{"field":"email"}}"#,
            r#"{"error":"rate_limited","detail":{"retry_after_secs":-1}}"#,
            r#"{"detail":"gone"}"#,
            r#"{"error":7}"#,
            r#""not_found""#,
            r#"[]"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn internal_errors_say_nothing_about_internals() {
        assert!(!AppError::Internal
            .to_string()
            .to_lowercase()
            .contains("sql"));
    }
}
