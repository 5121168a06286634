//! Direct messages on the socket: the `dm_open`, `dm_send`, `dm_read` and
//! `dm_close` frames, and how a committed message reaches both people.
//!
//! A direct message travels the way personal notifications do, not as a
//! room: a conversation has two people, and each connected person already
//! has a personal channel ([`super::bus`]) that all their sockets listen
//! to. After the send is committed the service announces
//! `(conversation, seq)` on the bus ([`super::bus::BusMsg::Direct`]; on
//! PostgreSQL through `LISTEN/NOTIFY`, so it reaches every instance); each
//! instance that holds a socket of either person reads the message from
//! the database once ([`frame_of`]), serialises it once, and puts it on
//! both personal channels.
//!
//! Every socket of the two people gets every live message (the page uses
//! it for unread counts and a notification). A socket that *opened* the
//! conversation gets more: like a joined room, a stream in order, exactly
//! once, without gaps. It remembers the last number it delivered; an
//! older or repeated frame is dropped; a frame that skips numbers (two
//! announcements that crossed, a personal channel that overflowed, an
//! announcement lost while an instance's listener reconnected and a later
//! one arrived) makes the socket read what it missed from the database
//! first. A client that reconnects opens again with its `last_seq`.
//!
//! Who may talk to whom, and what a message may be, is decided by
//! `app::service::messages`; these functions turn its answers into frames.

use super::{
    connection::{Connection, Flow, Socket, Wire},
    frame::dm_frame,
    subscriptions::OpenDm,
    upgrade::{SENDS_PER_SECOND, SEND_BURST},
    Frame,
};
use app::{
    domain::ConversationId,
    realtime::{ErrorCode, ServerMsg, HISTORY_PAGE},
    service::messages::{self, DmError},
};

/// Conversations open at once on one socket (a page shows one; a few
/// more cover several tabs' worth of a client that shares one socket).
pub const MAX_OPEN: usize = 8;
/// Messages read from the database at once when replaying.
const REPLAY_BATCH: u32 = 500;

impl Connection {
    /// Answers a refusal of a `dm_*` frame about the conversation with `with`.
    async fn refuse_dm<S: Socket>(
        &mut self,
        socket: &mut Wire<S>,
        with: String,
        e: DmError,
        client_id: Option<String>,
    ) -> Flow {
        if let DmError::Store(e) = e {
            return self.internal(socket, e).await;
        }
        let msg = ServerMsg::DmError {
            with,
            code: e.code(),
            message: e.message(),
            limit: e.limit(),
            client_id,
        };
        self.refuse(socket, msg).await
    }

    /// `dm_open`: opens the conversation on this socket and replays it.
    pub(super) async fn dm_open<S: Socket>(
        &mut self,
        socket: &mut Wire<S>,
        with: String,
        last_seq: Option<u64>,
    ) -> Flow {
        let store = self.hub.store().clone();
        let opened = match messages::open(store.as_ref(), self.me, &with).await {
            Ok(o) => o,
            Err(e) => return self.refuse_dm(socket, with, e, None).await,
        };
        let id = opened.conversation.id;
        let already = self.dms.iter().position(|d| d.id == id);
        if already.is_none() && self.dms.len() >= MAX_OPEN {
            let msg = ServerMsg::DmError {
                with,
                code: ErrorCode::TooManyRooms,
                message: format!(
                    "At most {MAX_OPEN} conversations open at once on one connection."
                ),
                limit: Some(MAX_OPEN as u64),
                client_id: None,
            };
            return self.refuse(socket, msg).await;
        }
        let read_seq = match store.read_mark(id, self.me).await {
            Ok(r) => r,
            Err(e) => return self.internal(socket, e).await,
        };
        let at = match already {
            Some(at) => {
                self.dms[at].delivered = 0;
                at
            }
            None => {
                self.dms.push(OpenDm {
                    id,
                    with: with.clone(),
                    delivered: 0,
                });
                self.dms.len() - 1
            }
        };
        let head = opened.conversation.last_seq;
        socket
            .send_msg(&ServerMsg::DmOpened {
                with: with.clone(),
                conversation: id.to_string(),
                last_seq: head,
                read_seq,
                closed: opened.closed.is_some(),
            })
            .await?;
        match last_seq {
            // A client cannot have seen more than the conversation holds.
            Some(seen) => self.dms[at].delivered = seen.min(head),
            None => {
                let page = match store.direct_before(id, u64::MAX, HISTORY_PAGE).await {
                    Ok(p) => p,
                    Err(e) => return self.internal(socket, e).await,
                };
                for m in &page {
                    socket.send_text(dm_frame(m).json).await?;
                    self.dms[at].delivered = m.seq;
                }
            }
        }
        self.replay(socket, at).await?;
        let d = &self.dms[at];
        let msg = ServerMsg::DmCaughtUp {
            with: d.with.clone(),
            conversation: id.to_string(),
            seq: d.delivered,
        };
        self.refusals = 0;
        socket.send_msg(&msg).await
    }

    /// Sends the open conversation at `at` everything after what it
    /// delivered, from the database, in order.
    async fn replay<S: Socket>(&mut self, socket: &mut Wire<S>, at: usize) -> Flow {
        let store = self.hub.store().clone();
        loop {
            let (id, after) = (self.dms[at].id, self.dms[at].delivered);
            let batch = match store.direct_after(id, after, REPLAY_BATCH).await {
                Ok(b) => b,
                Err(e) => return self.internal(socket, e).await,
            };
            let Some(last) = batch.last().map(|m| m.seq) else {
                return Ok(());
            };
            for m in &batch {
                socket.send_text(dm_frame(m).json).await?;
            }
            self.dms[at].delivered = last;
            if batch.len() < REPLAY_BATCH as usize {
                return Ok(());
            }
        }
    }

    /// A frame from the personal channel once the client said hello:
    /// direct messages go through [`Self::on_direct_frame`], anything else
    /// (notifications, read marks) is passed on as it is.
    pub(super) async fn on_personal_frame<S: Socket>(
        &mut self,
        socket: &mut Wire<S>,
        frame: Frame,
    ) -> Flow {
        match frame.direct {
            Some(c) => self.on_direct_frame(socket, c, frame).await,
            None => socket.feed(frame.json).await,
        }
    }

    /// A direct-message frame from the personal channel: kept in order
    /// and gap-free on a socket that opened its conversation, passed on as
    /// a hint elsewhere.
    async fn on_direct_frame<S: Socket>(
        &mut self,
        socket: &mut Wire<S>,
        conversation: ConversationId,
        frame: Frame,
    ) -> Flow {
        let Some(at) = self.dms.iter().position(|d| d.id == conversation) else {
            return socket.feed(frame.json).await;
        };
        let seq = frame.seq.unwrap_or(0);
        let delivered = self.dms[at].delivered;
        if seq <= delivered {
            Ok(())
        } else if seq == delivered + 1 {
            self.dms[at].delivered = seq;
            socket.feed(frame.json).await
        } else {
            self.replay(socket, at).await
        }
    }

    /// After the personal channel overflowed: every open conversation
    /// reads what it missed from the database (direct messages are
    /// history, not hints).
    pub(super) async fn catch_up_direct<S: Socket>(&mut self, socket: &mut Wire<S>) -> Flow {
        for at in 0..self.dms.len() {
            self.replay(socket, at).await?;
        }
        Ok(())
    }

    /// `dm_send`: stores the message (committed before anyone hears of
    /// it) and acknowledges it with its number.
    pub(super) async fn dm_send<S: Socket>(
        &mut self,
        socket: &mut Wire<S>,
        with: String,
        client_id: String,
        text: String,
    ) -> Flow {
        if self.sends.check().is_err() {
            let msg = ServerMsg::DmError {
                with,
                code: ErrorCode::RateLimited,
                message: format!(
                    "Too many messages: at most {SENDS_PER_SECOND} per second (bursts of {SEND_BURST})."
                ),
                limit: Some(u64::from(SENDS_PER_SECOND)),
                client_id: Some(client_id),
            };
            return self.refuse(socket, msg).await;
        }
        let store = self.hub.store().clone();
        let hub = self.hub.clone();
        let sent = match messages::message(&client_id, &text) {
            Ok((cid, body)) => {
                messages::send(
                    store.as_ref(),
                    messages::Announce {
                        live: hub.as_ref(),
                        push: hub.push.get(),
                    },
                    &hub.limits,
                    self.me,
                    &with,
                    &cid,
                    &body,
                )
                .await
            }
            Err(e) => Err(e),
        };
        match sent {
            Ok((posted, opened)) => {
                self.refusals = 0;
                socket
                    .send_msg(&ServerMsg::DmAck {
                        with,
                        conversation: opened.conversation.id.to_string(),
                        client_id,
                        seq: posted.message().seq,
                    })
                    .await
            }
            Err(e) => self.refuse_dm(socket, with, e, Some(client_id)).await,
        }
    }

    /// `dm_read`: moves my read mark; all my sockets hear `dm_read`.
    pub(super) async fn dm_read<S: Socket>(
        &mut self,
        socket: &mut Wire<S>,
        with: String,
        seq: u64,
    ) -> Flow {
        let store = self.hub.store().clone();
        let hub = self.hub.clone();
        match messages::mark_read(store.as_ref(), hub.as_ref(), self.me, &with, seq).await {
            Ok(_) => Ok(()),
            Err(e) => self.refuse_dm(socket, with, e, None).await,
        }
    }

    /// `dm_close`: the conversation's messages arrive as hints again.
    pub(super) async fn dm_close<S: Socket>(&mut self, socket: &mut Wire<S>, with: String) -> Flow {
        let before = self.dms.len();
        self.dms.retain(|d| d.with != with);
        if self.dms.len() == before {
            let e = DmError::Unknown;
            return self.refuse_dm(socket, with, e, None).await;
        }
        Ok(())
    }
}
