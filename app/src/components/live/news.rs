//! What the live link reads of a server frame itself ([`FrameNews`]), apart
//! from the listeners that parse the whole protocol: kept small, because it
//! is compiled into the main module that every page downloads.

use crate::realtime::Notice;
use serde::Deserialize;

/// What the link itself reads of a server frame (`realtime::ServerMsg`
/// has them all): the welcome, notifications, the unread count and who
/// wrote a direct message. Every other frame is `Other` here, and only the
/// listeners parse it ([`Listener::receive`](super::Listener::receive)).
/// The tests below read frames serialised from `ServerMsg` with it, so the
/// two cannot drift apart.
#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(super) enum FrameNews {
    Welcome {
        user_id: String,
    },
    Notification(Notice),
    DmRead {
        unread: u64,
    },
    DmMessage {
        message: Author,
    },
    #[serde(other)]
    Other,
}

/// Who wrote a direct message (`None`: a deleted account).
#[derive(Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(super) struct Author {
    pub(super) author_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::live::tests::notice;
    use crate::components::resource::read_json;
    use crate::realtime::ServerMsg;

    /// The link reads what it needs of the frames the server sends (the
    /// server serialises `ServerMsg`), and nothing of the others.
    #[test]
    fn the_link_reads_its_own_news_from_the_protocol_and_passes_on_the_rest() {
        use crate::realtime::{SocketLimits, WireMessage};
        let news = |msg: ServerMsg| -> FrameNews {
            read_json(&serde_json::to_string(&msg).unwrap()).unwrap()
        };
        let welcome = ServerMsg::Welcome {
            version: crate::realtime::PROTOCOL_VERSION,
            user_id: "u1".into(),
            limits: SocketLimits::sample(),
        };
        assert_eq!(
            news(welcome),
            FrameNews::Welcome {
                user_id: "u1".into()
            }
        );
        assert_eq!(
            news(ServerMsg::Notification(notice("Ben connected with you."))),
            FrameNews::Notification(notice("Ben connected with you."))
        );
        let read = ServerMsg::DmRead {
            conversation: "c1".into(),
            seq: 4,
            unread: 7,
        };
        assert_eq!(news(read), FrameNews::DmRead { unread: 7 });
        let message = |author_id: Option<&str>| ServerMsg::DmMessage {
            conversation: "c1".into(),
            message: WireMessage {
                seq: 5,
                author_id: author_id.map(Into::into),
                author_name: "Ben".into(),
                text: "Hi".into(),
                deleted: false,
                at: "2026-12-07T09:00:00Z".into(),
            },
        };
        for author in [Some("u2"), None] {
            let expected = FrameNews::DmMessage {
                message: Author {
                    author_id: author.map(Into::into),
                },
            };
            assert_eq!(news(message(author)), expected);
        }
        // Frames for rooms, dashboards and conversations are the pages'.
        assert_eq!(news(ServerMsg::Pong), FrameNews::Other);
        assert_eq!(
            news(ServerMsg::Left { room: "r1".into() }),
            FrameNews::Other
        );
        assert_eq!(
            news(ServerMsg::DashboardChanged { event: "e1".into() }),
            FrameNews::Other
        );
        // A kind of frame this client does not know yet (a newer server) is
        // passed on, not an error; a malformed one fails to parse, which the
        // driver treats as `Other` too (never a panic).
        let read = |text: &str| read_json::<FrameNews>(text);
        assert_eq!(
            read(r#"{"type":"added_later","x":[1,2]}"#).ok(),
            Some(FrameNews::Other)
        );
        assert!(read(r#"{"type":"welcome"}"#).is_err());
        assert!(read(r#"{"type":"dm_read","unread":-1}"#).is_err());
        assert!(read("<script>alert(1)</script>").is_err());
    }
}
