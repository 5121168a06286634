//! Random secrets that leave the server: invite tokens, join codes, slug
//! suffixes, badge secrets, organizer API tokens and webhook secrets. All
//! come from the OS random generator.

use crate::domain::{BadgeCode, BadgeToken, JoinCode};
use rand::{rngs::OsRng, Rng, RngCore};

/// 128 random bits, URL-safe (lower-case hex is unambiguous to read aloud).
pub fn invite_token() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh join code from the unambiguous alphabet.
pub fn join_code() -> JoinCode {
    let mut rng = OsRng;
    let raw: String = (0..JoinCode::LEN)
        .map(|_| JoinCode::ALPHABET[rng.gen_range(0..JoinCode::ALPHABET.len())] as char)
        .collect();
    JoinCode::parse(&raw).expect("generated from the join-code alphabet")
}

/// A fresh badge token: 22 characters drawn uniformly from the 64-letter
/// URL-safe alphabet (132 bits).
pub fn badge_token() -> BadgeToken {
    let mut rng = OsRng;
    let raw: String = (0..BadgeToken::LEN)
        .map(|_| BadgeToken::ALPHABET[rng.gen_range(0..BadgeToken::ALPHABET.len())] as char)
        .collect();
    BadgeToken::parse(&raw).expect("generated from the badge-token alphabet")
}

/// A fresh short badge code from the unambiguous alphabet.
pub fn badge_code() -> BadgeCode {
    BadgeCode::parse(join_code().as_str()).expect("same shape as a join code")
}

/// Four lower-case characters to make a slug unique.
pub fn slug_suffix() -> String {
    let mut rng = OsRng;
    (0..4)
        .map(|_| {
            JoinCode::ALPHABET[rng.gen_range(0..JoinCode::ALPHABET.len())].to_ascii_lowercase()
                as char
        })
        .collect()
}

/// The URL-safe alphabet of API tokens and webhook secrets (6 bits a letter).
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn url_safe(len: usize) -> String {
    let mut rng = OsRng;
    (0..len)
        .map(|_| URL_SAFE[rng.gen_range(0..URL_SAFE.len())] as char)
        .collect()
}

/// Every API token starts with this, so a leaked one is recognisable (and
/// secret scanners can be taught to find it).
pub const API_TOKEN_PREFIX: &str = "rpt_";

/// How many leading characters of a token are kept to tell tokens apart.
pub const API_TOKEN_SHOWN: usize = 12;

/// A fresh organizer API token: the prefix and 32 URL-safe letters (192 bits).
pub fn api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", url_safe(32))
}

/// What is stored of an API token: its SHA-256 in lower-case hex. A token
/// has 192 random bits, so a fast hash is enough (nothing to brute-force);
/// a database leak reveals no usable token.
pub fn api_token_hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fresh webhook signing secret (192 bits).
pub fn webhook_secret() -> String {
    format!("whsec_{}", url_safe(32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_tokens_are_prefixed_random_and_hashed_to_hex() {
        let a = api_token();
        assert!(a.starts_with("rpt_"));
        assert_eq!(a.len(), 36);
        assert!(a[4..].bytes().all(|b| URL_SAFE.contains(&b)));
        assert_ne!(a, api_token());
        let h = api_token_hash(&a);
        assert_eq!(h.len(), 64);
        assert_eq!(h, api_token_hash(&a));
        assert_ne!(h, api_token_hash(&api_token()));
        assert_eq!(
            api_token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn invite_tokens_carry_128_bits_and_differ() {
        let a = invite_token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, invite_token());
    }

    #[test]
    fn badge_tokens_are_random_and_valid() {
        let a = badge_token();
        assert_eq!(a.as_str().len(), BadgeToken::LEN);
        assert_ne!(a, badge_token());
        assert_eq!(
            BadgeCode::parse(badge_code().as_str())
                .unwrap()
                .as_str()
                .len(),
            8
        );
    }

    #[test]
    fn generated_join_codes_parse() {
        for _ in 0..100 {
            let code = join_code();
            assert_eq!(JoinCode::parse(code.as_str()).unwrap(), code);
        }
    }
}
