//! The server's secret key: 64 bytes that sign the session cookie. It never
//! appears in logs or `Debug` output, nor in error messages.
//!
//! Where it comes from, first match wins:
//!
//! 1. `RAPPORT_SECRET_KEY`: the key as text, 128 hex digits or base64 of
//!    64 bytes (either alphabet, padding optional) — how a cluster gives
//!    every instance the same key;
//! 2. `RAPPORT_SECRET_KEY_FILE`: a file holding the key, either 64 raw
//!    bytes (an instance's `secret.key`, copied) or that same text;
//! 3. `secret.key` in the data directory, 64 random bytes generated on
//!    first start, readable by the owner only (one instance).
//!
//! Instances sharing a database must share the key, or none accepts the
//! others' cookies: [`SecretKey::fingerprint`] is what `crate::startup`
//! records in the database and compares on every start.

use anyhow::Context;
use hmac::{Hmac, Mac};
use rand::RngCore;
use std::{fs, io::Write, path::Path};

pub const KEY_FILE: &str = "secret.key";
const KEY_LEN: usize = 64;

/// The environment variable holding the key as text.
pub const KEY_ENV: &str = "RAPPORT_SECRET_KEY";
/// The environment variable naming a file that holds the key.
pub const KEY_FILE_ENV: &str = "RAPPORT_SECRET_KEY_FILE";

/// What the fingerprint is an HMAC of: a fixed label, versioned so the
/// scheme can change without matching an old fingerprint by accident.
const FINGERPRINT_LABEL: &[u8] = b"rapport session key fingerprint v1";

/// The key bytes.
#[derive(Clone)]
pub struct SecretKey([u8; KEY_LEN]);

/// Why a configured key was refused. The messages never contain the key
/// or any part of it (an almost-right key is nearly as secret as the key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// It decoded, to the wrong number of bytes.
    #[error(
        "the key is {0} bytes long; it must be {KEY_LEN} bytes, written as 128 hex digits \
         or 88 base64 characters (make one with `openssl rand -hex 64`)"
    )]
    Length(usize),
    /// It is neither hex nor base64.
    #[error(
        "the key is neither hex nor base64; write its {KEY_LEN} bytes as 128 hex digits \
         or 88 base64 characters (make one with `openssl rand -hex 64`)"
    )]
    Encoding,
}

/// Key text as configured (`RAPPORT_SECRET_KEY`), not checked yet: clap
/// keeps it as given, and [`SecretKey::configured`] parses it, because
/// clap's own errors repeat the value they refuse.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyText(String);

impl KeyText {
    /// Takes any text (clap's value parser: never fails, so never echoes).
    pub fn new(raw: &str) -> Result<Self, std::convert::Infallible> {
        Ok(Self(raw.to_owned()))
    }
}

impl std::fmt::Debug for KeyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Where the key in use came from, for the start-up log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// `RAPPORT_SECRET_KEY`.
    Environment,
    /// `RAPPORT_SECRET_KEY_FILE`.
    File,
    /// `secret.key` in the data directory.
    DataDir,
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Environment => f.write_str(KEY_ENV),
            KeySource::File => write!(f, "the file {KEY_FILE_ENV} names"),
            KeySource::DataDir => write!(f, "the data directory's {KEY_FILE}"),
        }
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

impl SecretKey {
    /// The key the configuration names (see the module): `text` if given,
    /// else the file `file` if given, else the data directory's own.
    pub fn configured(
        text: Option<&KeyText>,
        file: Option<&Path>,
        data_dir: &Path,
    ) -> anyhow::Result<(Self, KeySource)> {
        if let Some(text) = text.filter(|t| !t.0.trim().is_empty()) {
            let key = Self::parse(&text.0).with_context(|| format!("{KEY_ENV} is refused"))?;
            return Ok((key, KeySource::Environment));
        }
        if let Some(path) = file.filter(|p| !p.as_os_str().is_empty()) {
            let bytes = fs::read(path)
                .with_context(|| format!("{KEY_FILE_ENV}: cannot read {}", path.display()))?;
            let key = Self::from_file_bytes(&bytes)
                .with_context(|| format!("{KEY_FILE_ENV}: {} is refused", path.display()))?;
            return Ok((key, KeySource::File));
        }
        Ok((Self::load_or_create(data_dir)?, KeySource::DataDir))
    }

    /// Parses key text: 128 hex digits, or base64 (standard or URL-safe
    /// alphabet, padded or not) of 64 bytes; whitespace around it (a
    /// trailing newline) is ignored.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        // Hex first: base64's alphabet contains hex's, so text of hex
        // digits only is read as hex (a base64 key made only of hex
        // digits is as likely as guessing it).
        let bytes = if !text.is_empty()
            && text.len().is_multiple_of(2)
            && text.bytes().all(|b| b.is_ascii_hexdigit())
        {
            hex::decode(text).map_err(|_| KeyError::Encoding)?
        } else {
            decode_base64(text).ok_or(KeyError::Encoding)?
        };
        let len = bytes.len();
        let key: [u8; KEY_LEN] = bytes.try_into().map_err(|_| KeyError::Length(len))?;
        Ok(Self(key))
    }

    /// A key file's content: exactly 64 bytes are the key itself (a
    /// `secret.key` copied from a data directory); anything else is key
    /// text as for [`SecretKey::parse`].
    pub fn from_file_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        if let Ok(raw) = <[u8; KEY_LEN]>::try_from(bytes) {
            return Ok(Self(raw));
        }
        std::str::from_utf8(bytes)
            .map_err(|_| KeyError::Encoding)
            .and_then(Self::parse)
    }

    /// A fingerprint of the key that reveals nothing of it: HMAC-SHA256 of
    /// a fixed label keyed with the key, in hex. Instances compare
    /// fingerprints (through the database) to know they share the key.
    pub fn fingerprint(&self) -> String {
        let mut mac =
            Hmac::<sha2::Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(FINGERPRINT_LABEL);
        hex::encode(mac.finalize().into_bytes())
    }

    /// Reads the key from `data_dir`, creating it (and the folder) on first start.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(data_dir)
            .with_context(|| format!("creating data directory {}", data_dir.display()))?;
        let path = data_dir.join(KEY_FILE);
        match fs::read(&path) {
            Ok(bytes) => {
                let key: [u8; KEY_LEN] = bytes.try_into().map_err(|_| {
                    anyhow::anyhow!(
                        "{} is not a {KEY_LEN}-byte key; move it away to make a new one",
                        path.display()
                    )
                })?;
                restrict(&path)?;
                Ok(Self(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; KEY_LEN];
                rand::rngs::OsRng.fill_bytes(&mut key);
                let mut file = create_private(&path)?;
                file.write_all(&key)?;
                file.sync_all()?;
                tracing::info!(path = %path.display(), "generated a new secret key");
                Ok(Self(key))
            }
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    pub fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

/// Base64 in either alphabet, padded or not; `None` if it is neither.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::{
        alphabet,
        engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
        Engine,
    };
    let lenient =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    [alphabet::STANDARD, alphabet::URL_SAFE]
        .iter()
        .find_map(|a| GeneralPurpose::new(a, lenient).decode(text).ok())
}

#[cfg(unix)]
pub(crate) fn create_private(path: &Path) -> anyhow::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    Ok(fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?)
}

#[cfg(not(unix))]
pub(crate) fn create_private(path: &Path) -> anyhow::Result<fs::File> {
    Ok(fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?)
}

/// Tightens the key file to owner-only if someone loosened it.
#[cfg(unix)]
pub(crate) fn restrict(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(path = %path.display(), "secret key was readable by others; restricting it to the owner");
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn restrict(_: &Path) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir() -> std::path::PathBuf {
        std::env::temp_dir().join(format!("rapport-secret-{}", uuid::Uuid::new_v4()))
    }

    #[test]
    fn the_key_is_created_once_and_then_reused() {
        let dir = temp_dir();
        let first = SecretKey::load_or_create(&dir).unwrap();
        let second = SecretKey::load_or_create(&dir).unwrap();
        assert_eq!(first.bytes(), second.bytes());
        assert_ne!(first.bytes(), &[0u8; KEY_LEN]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_key_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir();
        SecretKey::load_or_create(&dir).unwrap();
        let mode = fs::metadata(dir.join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        fs::remove_dir_all(dir).unwrap();
    }

    /// A key of recognisable bytes, as hex.
    fn sample_hex() -> String {
        hex::encode((0..KEY_LEN as u8).collect::<Vec<u8>>())
    }

    #[test]
    fn a_key_of_128_hex_digits_is_read_in_either_case() {
        let key = SecretKey::parse(&sample_hex()).unwrap();
        assert_eq!(key.bytes()[..3], [0, 1, 2]);
        let upper = SecretKey::parse(&format!("  {}\n", sample_hex().to_uppercase())).unwrap();
        assert_eq!(upper.bytes(), key.bytes());
    }

    #[test]
    fn a_key_in_base64_is_read_in_both_alphabets_with_or_without_padding() {
        use base64::Engine;
        let bytes: Vec<u8> = (0..KEY_LEN).map(|i| (i * 37 % 256) as u8 | 0x80).collect();
        let engines = [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::STANDARD_NO_PAD,
            base64::engine::general_purpose::URL_SAFE,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ];
        for engine in engines {
            let text = engine.encode(&bytes);
            let key = SecretKey::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(&key.bytes()[..], &bytes[..]);
        }
    }

    #[test]
    fn a_key_of_the_wrong_length_is_refused_with_its_length() {
        // `openssl rand -hex 32`: a common key, half as long as needed.
        assert_eq!(
            SecretKey::parse(&"ab".repeat(32)).unwrap_err(),
            KeyError::Length(32)
        );
        use base64::Engine;
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 63]);
        assert_eq!(SecretKey::parse(&short).unwrap_err(), KeyError::Length(63));
        assert_eq!(
            SecretKey::parse(&"ab".repeat(65)).unwrap_err(),
            KeyError::Length(65)
        );
        assert_eq!(SecretKey::parse("  \n").unwrap_err(), KeyError::Length(0));
    }

    #[test]
    fn a_key_that_is_neither_hex_nor_base64_is_refused() {
        // Each has a character neither alphabet has (hex digits and
        // letters alone decode as base64 and are refused by length).
        let colons = "ab:".repeat(43);
        for bad in ["not a key at all!", &colons, "ab\u{e9}cd", "abc=def"] {
            assert_eq!(
                SecretKey::parse(bad).unwrap_err(),
                KeyError::Encoding,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn refusals_never_repeat_the_key() {
        let almost = format!("{}0", sample_hex());
        let message = SecretKey::parse(&almost).unwrap_err().to_string();
        assert!(!message.contains(&sample_hex()[..16]), "{message}");
        let text = KeyText::new(&almost).unwrap();
        let message = format!(
            "{:#}",
            SecretKey::configured(Some(&text), None, &temp_dir()).unwrap_err()
        );
        assert!(message.contains(KEY_ENV), "{message}");
        assert!(!message.contains(&sample_hex()[..16]), "{message}");
    }

    #[test]
    fn configured_key_text_is_redacted_in_debug_output() {
        let text = KeyText::new(&sample_hex()).unwrap();
        assert_eq!(format!("{text:?}"), "[redacted]");
        let key = SecretKey::parse(&sample_hex()).unwrap();
        assert_eq!(format!("{key:?}"), "SecretKey([redacted])");
    }

    #[test]
    fn the_configured_key_wins_over_the_file_and_the_data_directory() {
        let dir = temp_dir();
        let from_dir = SecretKey::load_or_create(&dir).unwrap();
        let file = dir.join("cluster.key");
        fs::write(&file, [9u8; KEY_LEN]).unwrap();
        let text = KeyText::new(&sample_hex()).unwrap();

        let (key, source) = SecretKey::configured(Some(&text), Some(&file), &dir).unwrap();
        assert_eq!((key.bytes()[1], source), (1, KeySource::Environment));
        let (key, source) = SecretKey::configured(None, Some(&file), &dir).unwrap();
        assert_eq!((key.bytes(), source), (&[9u8; KEY_LEN], KeySource::File));
        let (key, source) = SecretKey::configured(None, None, &dir).unwrap();
        assert_eq!(
            (key.bytes(), source),
            (from_dir.bytes(), KeySource::DataDir)
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_configured_key_creates_no_key_file() {
        let dir = temp_dir();
        let text = KeyText::new(&sample_hex()).unwrap();
        SecretKey::configured(Some(&text), None, &dir).unwrap();
        assert!(!dir.join(KEY_FILE).exists());
    }

    #[test]
    fn a_key_file_holds_raw_bytes_or_key_text() {
        assert_eq!(
            SecretKey::from_file_bytes(&[5u8; KEY_LEN]).unwrap().bytes(),
            &[5u8; KEY_LEN]
        );
        let text = format!("{}\n", sample_hex());
        assert_eq!(
            SecretKey::from_file_bytes(text.as_bytes()).unwrap().bytes()[63],
            63
        );
        assert_eq!(
            SecretKey::from_file_bytes(&[0xff; 10]).unwrap_err(),
            KeyError::Encoding
        );
    }

    #[test]
    fn the_fingerprint_tells_keys_apart_and_reveals_neither() {
        let a = SecretKey::parse(&sample_hex()).unwrap();
        let b = SecretKey::from_file_bytes(&[5u8; KEY_LEN]).unwrap();
        assert_eq!(a.fingerprint(), a.clone().fingerprint());
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint().len(), 64);
        assert!(!a.fingerprint().contains(&sample_hex()[..8]));
    }

    #[test]
    fn debug_output_hides_the_key() {
        let dir = temp_dir();
        let key = SecretKey::load_or_create(&dir).unwrap();
        assert_eq!(format!("{key:?}"), "SecretKey([redacted])");
        fs::remove_dir_all(dir).unwrap();
    }
}
