//! Direct-message values: the id of a conversation between two people and
//! the ordered pair it belongs to, each validated when built. A message's
//! text and its client id are the rooms' own ([`super::MessageText`],
//! [`super::ClientMessageId`]): one rule for what a chat message may be.

use super::{Invalid, UserId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Opaque identifier of a conversation between two people (a UUID; it
/// appears on the socket so a client can tell its conversations apart).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConversationId(pub Uuid);

impl ConversationId {
    /// Parses a conversation id from the protocol.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        raw.trim()
            .parse()
            .map(ConversationId)
            .map_err(|_| Invalid::new("conversation", "There is no such conversation."))
    }
}

impl std::fmt::Display for ConversationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Two different people, stored lower id first, so a pair names one
/// conversation whichever of the two speaks first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pair {
    low: UserId,
    high: UserId,
}

impl Pair {
    /// The pair of `a` and `b` in either order; refused for one person
    /// with themself (there is nobody to talk to).
    pub fn new(a: UserId, b: UserId) -> Result<Self, Invalid> {
        match a.cmp(&b) {
            std::cmp::Ordering::Less => Ok(Pair { low: a, high: b }),
            std::cmp::Ordering::Greater => Ok(Pair { low: b, high: a }),
            std::cmp::Ordering::Equal => Err(Invalid::new(
                "with",
                "You cannot send messages to yourself.",
            )),
        }
    }

    pub fn low(&self) -> UserId {
        self.low
    }

    pub fn high(&self) -> UserId {
        self.high
    }

    /// The one of the two who is not `me`.
    pub fn other(&self, me: UserId) -> UserId {
        if self.low == me {
            self.high
        } else {
            self.low
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_is_the_same_whoever_comes_first() {
        let a = UserId(Uuid::new_v4());
        let b = UserId(Uuid::new_v4());
        let ab = Pair::new(a, b).unwrap();
        assert_eq!(ab, Pair::new(b, a).unwrap());
        assert!(ab.low() < ab.high());
        assert_eq!(ab.other(a), b);
        assert_eq!(ab.other(b), a);
    }

    #[test]
    fn nobody_converses_with_themself() {
        let a = UserId(Uuid::new_v4());
        assert!(Pair::new(a, a).is_err());
    }
}
