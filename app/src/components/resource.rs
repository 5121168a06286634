//! JSON in the browser, read one way: page data (the one way a component
//! makes a Leptos resource) and what the app keeps or receives as text.
//!
//! A resource's value reaches the browser twice over: serialized into the
//! server's page (read back when the page hydrates) and, when its source
//! changes, as the answer of a server function. Leptos decodes the first
//! with `serde_json::from_str` and server functions decode the second with
//! `serde_json::from_slice`; serde_json's decoder is generic over its
//! reader, so every type a page loads had its decoder compiled into the
//! WebAssembly twice, and the reader-generic parts of serde_json twice too
//! (docs/benchmarks.md, "Under 300 KB"). [`Json`] reads the page's copy
//! with `from_slice`, and so does [`read_json`], which the browser's other
//! readers use (the socket's frames, the offline queues, a push
//! subscription): one decoder per type, one serde_json.
//!
//! [`resource`] makes a resource with it; a test (`architecture`) fails if
//! a file makes one with Leptos's default codec, or if a component or page
//! calls `serde_json::from_str`.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// Reads JSON text as server functions read their answers
/// (`serde_json::from_slice`; see the module's comment for why not
/// `from_str`).
pub fn read_json<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_slice(text.as_bytes())
}

/// The codec of page data: JSON, read by [`read_json`].
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, serde_json::Error> {
        read_json(text)
    }
}

/// Data a page loads: `fetcher` runs again whenever `source` changes.
pub type Data<T> = Resource<T, Json>;

/// A resource whose value is decoded as server functions decode it (see
/// the module's comment); otherwise `Resource::new`.
#[track_caller]
pub fn resource<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Data<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_codec_reads_back_what_it_writes_and_refuses_what_is_not_json() {
        let value: Result<Vec<String>, crate::error::AppError> =
            Ok(vec!["é".into(), "</script>".into()]);
        let text = <Json as Encoder<_>>::encode(&value).unwrap();
        let back: Result<Vec<String>, crate::error::AppError> =
            <Json as Decoder<_>>::decode(&text).unwrap();
        assert_eq!(back, value);
        let err: Result<Vec<String>, crate::error::AppError> =
            Err(crate::error::AppError::NotFound("gone".into()));
        let text = <Json as Encoder<_>>::encode(&err).unwrap();
        assert_eq!(<Json as Decoder<_>>::decode(&text).ok(), Some(err));
        assert!(<Json as Decoder<u64>>::decode("{not json").is_err());
    }
}
