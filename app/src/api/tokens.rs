//! Random secrets that leave the server: invite tokens, join codes, slug
//! suffixes and badge secrets. All come from the OS random generator.

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

#[cfg(test)]
mod tests {
    use super::*;

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
