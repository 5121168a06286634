//! The tab's one live connection to the server (the WebSocket at `/ws`),
//! shared by everything on the page that wants live data: room pages,
//! the organizer dashboard, and the notifications shown on every page.
//!
//! The link opens while someone is signed in and closes when they log out.
//! It says hello, reconnects with exponential backoff (0.5 s doubling to
//! 15 s, with jitter) and at once when the browser comes back online, and
//! tells each attached [`Listener`] when it opens, is welcomed (again) and
//! closes; listeners answer server messages with what to send back (a room
//! rejoins after a welcome, a dashboard watches its event). Personal
//! notifications are kept here, in [`LiveLink::notices`], and shown by
//! [`LiveNotices`] under the header of every page.

use crate::realtime::{ClientMsg, Notice, NotificationKind, ServerMsg};
use leptos::prelude::*;

mod news;
#[cfg_attr(not(feature = "hydrate"), allow(unused_imports))]
use news::FrameNews;

/// Something on the page that takes part in the live connection.
pub trait Listener {
    /// The socket opened; `hello` is on its way.
    fn opened(&self) {}
    /// The socket closed; the link reconnects by itself.
    fn closed(&self) {}
    /// One server message (a `welcome` comes again to a listener attached
    /// after it); returns what to send back.
    fn apply(&self, msg: ServerMsg) -> Vec<ClientMsg>;

    /// One frame as it came over the socket: parsed here, then applied.
    /// The link hands listeners the text, and only reads the little it
    /// needs itself ([`news::FrameNews`]), so the decoder of the whole
    /// protocol (rooms, dashboards, conversations) is compiled into the
    /// pages that listen, not into the main module every page downloads
    /// (docs/benchmarks.md, "The frame without the protocol").
    fn receive(&self, frame: &str) -> Vec<ClientMsg> {
        super::resource::read_json(frame).map_or_else(|_| Vec::new(), |msg| self.apply(msg))
    }
}

/// Notifications shown at once; older ones give way.
pub const MAX_SHOWN: usize = 4;

/// A notification on screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub id: u32,
    pub notice: Notice,
}

/// The live link of this tab, provided as context. Copy: signals and
/// handles only.
#[derive(Clone, Copy)]
pub struct LiveLink {
    /// Notifications not yet dismissed, newest last.
    pub notices: RwSignal<Vec<Shown>>,
    /// My unread direct messages as last heard on the socket (`None`
    /// until the page or the socket said): the navigation's count.
    pub unread: RwSignal<Option<u64>>,
    next: StoredValue<u32>,
    #[cfg(feature = "hydrate")]
    driver: StoredValue<driver::Driver, LocalStorage>,
}

impl LiveLink {
    /// Keeps a notification for display.
    pub fn push(&self, notice: Notice) {
        let id = self.next.get_value();
        self.next.set_value(id.wrapping_add(1));
        self.notices.update(|n| {
            n.push(Shown { id, notice });
            let extra = n.len().saturating_sub(MAX_SHOWN);
            n.drain(..extra);
        });
    }

    /// The socket said how many messages I have not read.
    pub fn set_unread(&self, n: u64) {
        self.unread.set(Some(n));
    }

    /// A message from someone else arrived while no conversation page is
    /// shown: one more unread (once the page or the socket gave a number).
    pub fn one_more_unread(&self) {
        self.unread.update(|u| *u = u.map(|n| n + 1));
    }

    pub fn dismiss(&self, id: u32) {
        self.notices.update(|n| n.retain(|s| s.id != id));
    }

    /// Takes part in the connection until [`LiveLink::detach`]; returns
    /// the handle to detach with.
    #[cfg(feature = "hydrate")]
    pub fn attach(&self, listener: std::rc::Rc<dyn Listener>) -> u32 {
        self.driver.with_value(|d| d.attach(listener))
    }

    /// Stops listener `id`, sending `farewell` first (e.g. leaving a room).
    #[cfg(feature = "hydrate")]
    pub fn detach(&self, id: u32, farewell: Vec<ClientMsg>) {
        self.driver.try_with_value(|d| {
            d.send(farewell);
            d.detach(id);
        });
    }

    /// Sends now if the socket is open; otherwise nothing (listeners send
    /// what still matters again when they are welcomed back).
    #[cfg(feature = "hydrate")]
    pub fn send(&self, msgs: Vec<ClientMsg>) {
        self.driver.with_value(|d| d.send(msgs));
    }
}

/// Provides the link; in the browser it connects whenever someone is
/// signed in.
pub fn provide_live() {
    let link = LiveLink {
        notices: RwSignal::new(Vec::new()),
        unread: RwSignal::new(None),
        next: StoredValue::new(0),
        #[cfg(feature = "hydrate")]
        driver: StoredValue::new_local(driver::Driver::default()),
    };
    provide_context(link);
    #[cfg(feature = "hydrate")]
    {
        let session = super::session::use_session();
        link.driver.with_value(|d| d.set_link(link));
        // Connected once the page is hydrated: what the socket says (a
        // notice, the unread count) changes the frame, which must not move
        // while the page's own nodes are being claimed (`hydration`).
        Effect::new(move |_| {
            let signed_in =
                super::hydration::hydrated() && matches!(session.me.get(), Some(Ok(Some(_))));
            link.driver.with_value(|d| {
                if signed_in {
                    d.connect();
                } else {
                    d.disconnect();
                }
            });
        });
        let offline = window_event_listener(leptos::ev::offline, move |_| {
            link.driver.with_value(|d| d.drop_connection());
        });
        let online = window_event_listener(leptos::ev::online, move |_| {
            link.driver.with_value(|d| d.reconnect_now());
        });
        on_cleanup(move || {
            offline.remove();
            online.remove();
            link.driver.try_with_value(|d| d.disconnect());
        });
    }
}

pub fn use_live() -> LiveLink {
    expect_context::<LiveLink>()
}

/// The notifications that arrived while this tab was open, under the
/// header of every page: what happened, a link to it, a dismiss button.
#[component]
pub fn LiveNotices() -> impl IntoView {
    let link = use_live();
    view! {
        <div class="live-notices" aria-live="polite" data-testid="live-notices">
            <For
                each=move || link.notices.get()
                key=|s| s.id
                children=move |s: Shown| {
                    let class = match s.notice.kind {
                        NotificationKind::Announcement => "live-notice announcement",
                        _ => "live-notice",
                    };
                    let label = match s.notice.kind {
                        NotificationKind::Announcement => "Announcement",
                        NotificationKind::Connection => "New connection",
                        NotificationKind::ConnectionRequest => "Connection request",
                        NotificationKind::MeetingRequest => "Meeting request",
                        NotificationKind::MeetingUpdate => "Meeting",
                        NotificationKind::MutualInterest => "Mutual interest",
                        NotificationKind::MetAgain => "Meet again",
                        NotificationKind::Reminder => "Reminder",
                        NotificationKind::Message => "Message",
                    };
                    let id = s.id;
                    view! {
                        <div class=class>
                            <p>
                                <strong>{label} ": "</strong>
                                {s.notice.text.clone()}
                                {s.notice.link.clone().map(|href| view! { " " <a href=href>"Open"</a> })}
                            </p>
                            <button type="button" class="link-button" aria-label="Dismiss notification" on:click=move |_| link.dismiss(id)>
                                "×"
                            </button>
                        </div>
                    }
                }
            />
        </div>
    }
}

/// The socket itself (browser only).
#[cfg(feature = "hydrate")]
mod driver {
    use super::{FrameNews, Listener, LiveLink};
    use crate::realtime::{ClientMsg, NotificationKind, PROTOCOL_VERSION};
    use std::{cell::RefCell, rc::Rc};
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{MessageEvent, WebSocket};

    #[derive(Default)]
    struct Conn {
        ws: Option<WebSocket>,
        /// Failed attempts since the last welcome (for the backoff).
        attempts: u32,
        /// Someone is signed in: keep a socket open.
        wanted: bool,
        handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
        timer: Option<i32>,
        /// The welcome frame of the current socket, replayed to late
        /// listeners, and whose it is.
        welcome: Option<(Rc<str>, String)>,
        listeners: Vec<(u32, Rc<dyn Listener>)>,
        next_id: u32,
        link: Option<LiveLink>,
    }

    /// A handle to the tab's socket.
    #[derive(Clone, Default)]
    pub struct Driver(Rc<RefCell<Conn>>);

    impl Driver {
        pub fn set_link(&self, link: LiveLink) {
            self.0.borrow_mut().link = Some(link);
        }

        pub fn attach(&self, listener: Rc<dyn Listener>) -> u32 {
            let (id, welcome, open) = {
                let mut conn = self.0.borrow_mut();
                let id = conn.next_id;
                conn.next_id += 1;
                conn.listeners.push((id, listener.clone()));
                let open = conn
                    .ws
                    .as_ref()
                    .is_some_and(|w| w.ready_state() == WebSocket::OPEN);
                (id, conn.welcome.clone(), open)
            };
            if open {
                listener.opened();
            } else {
                listener.closed();
            }
            if let Some((frame, _)) = welcome {
                let replies = listener.receive(&frame);
                self.send(replies);
            }
            id
        }

        pub fn detach(&self, id: u32) {
            self.0.borrow_mut().listeners.retain(|(i, _)| *i != id);
        }

        /// Sends each message if the socket is open.
        pub fn send(&self, msgs: Vec<ClientMsg>) {
            let conn = self.0.borrow();
            let Some(ws) = conn.ws.as_ref() else { return };
            if ws.ready_state() != WebSocket::OPEN {
                return;
            }
            for m in msgs {
                if let Ok(text) = serde_json::to_string(&m) {
                    let _ = ws.send_with_str(&text);
                }
            }
        }

        fn listeners(&self) -> Vec<Rc<dyn Listener>> {
            self.0
                .borrow()
                .listeners
                .iter()
                .map(|(_, l)| l.clone())
                .collect()
        }

        /// Keeps a socket open from now on: at once when the browser is
        /// online, else when it comes back ([`Driver::reconnect_now`]), so
        /// that a page opened offline does not wait on the socket's code.
        pub fn connect(&self) {
            let idle = {
                let mut conn = self.0.borrow_mut();
                conn.wanted = true;
                conn.ws.is_none() && conn.timer.is_none()
            };
            if idle && crate::components::offline::online() {
                open(self.clone());
            }
        }

        /// Closes the socket and stays closed (signed out, page gone).
        pub fn disconnect(&self) {
            let ws = {
                let mut conn = self.0.borrow_mut();
                conn.wanted = false;
                if let Some(t) = conn.timer.take() {
                    if let Some(w) = web_sys::window() {
                        w.clear_timeout_with_handle(t);
                    }
                }
                conn.welcome = None;
                conn.ws.take()
            };
            if let Some(ws) = ws {
                close_quietly(&ws);
                for l in self.listeners() {
                    l.closed();
                }
            }
        }

        /// Reconnects at once if the socket is down (e.g. the browser came
        /// back online), instead of waiting out the backoff.
        pub fn reconnect_now(&self) {
            let waiting = {
                let mut conn = self.0.borrow_mut();
                if !conn.wanted || conn.ws.is_some() {
                    return;
                }
                conn.attempts = 0;
                conn.timer.take()
            };
            if let (Some(t), Some(w)) = (waiting, web_sys::window()) {
                w.clear_timeout_with_handle(t);
            }
            open(self.clone());
        }

        /// Closes the socket now and reconnects soon (e.g. the browser went
        /// offline: a socket over a dead network would linger).
        pub fn drop_connection(&self) {
            let ws = self.0.borrow_mut().ws.take();
            if let Some(ws) = ws {
                close_quietly(&ws);
                self.0.borrow_mut().welcome = None;
                for l in self.listeners() {
                    l.closed();
                }
                reconnect_later(self.clone());
            }
        }

        fn on_message(&self, frame: String) {
            let frame: Rc<str> = frame.into();
            match crate::components::resource::read_json(&frame).unwrap_or(FrameNews::Other) {
                FrameNews::Welcome { user_id } => {
                    let mut conn = self.0.borrow_mut();
                    conn.attempts = 0;
                    conn.welcome = Some((frame.clone(), user_id));
                }
                FrameNews::Notification(n) => {
                    let link = self.0.borrow().link;
                    // A message notice is not shown on its own
                    // conversation's page, which shows the message itself.
                    let here = web_sys::window()
                        .and_then(|w| w.location().pathname().ok())
                        .is_some_and(|p| n.link.as_deref() == Some(p.as_str()));
                    if let Some(link) = link {
                        if !(here && n.kind == NotificationKind::Message) {
                            link.push(n);
                        }
                    }
                    return;
                }
                FrameNews::DmRead { unread } => {
                    let link = self.0.borrow().link;
                    if let Some(link) = link {
                        link.set_unread(unread);
                    }
                }
                FrameNews::DmMessage { message } => {
                    let (me, link) = {
                        let conn = self.0.borrow();
                        let me = conn.welcome.as_ref().map(|(_, me)| me.clone());
                        (me, conn.link)
                    };
                    // From someone else and not on a conversation page
                    // (which marks what it shows read): one more unread.
                    let reading = web_sys::window()
                        .and_then(|w| w.location().pathname().ok())
                        .is_some_and(|p| p.starts_with("/messages/"));
                    if let Some(link) = link {
                        if message.author_id.is_some() && message.author_id != me && !reading {
                            link.one_more_unread();
                        }
                    }
                }
                FrameNews::Other => {}
            }
            for l in self.listeners() {
                let replies = l.receive(&frame);
                self.send(replies);
            }
        }
    }

    /// Closes a socket this driver has let go of, first unhooking its
    /// handlers: its `close` event comes later, when the next socket's
    /// `open` may already have dropped those closures (calling one then
    /// throws "closure invoked … after being dropped"), and the driver has
    /// already done what that event would do.
    fn close_quietly(ws: &WebSocket) {
        ws.set_onopen(None);
        ws.set_onmessage(None);
        ws.set_onclose(None);
        let _ = ws.close();
    }

    fn url() -> Option<String> {
        let location = web_sys::window()?.location();
        let scheme = if location.protocol().ok()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        Some(format!("{scheme}://{}/ws", location.host().ok()?))
    }

    /// Opens a socket for `driver`, through [`open_socket`].
    fn open(driver: Driver) {
        leptos::task::spawn_local(open_socket(driver));
    }

    /// Opens a socket and hooks up its handlers. A split point (`#[lazy]`):
    /// the socket's code (its handlers, the reading of each frame's news,
    /// the encoding of what is sent) is not needed to show or use a page,
    /// so it is not in the main module every page downloads first; it is
    /// fetched when the link first connects, once the page is hydrated,
    /// and the service worker keeps it for offline use
    /// (`scripts/site-assets.mjs`, OFFLINE_LAZY).
    #[leptos::lazy]
    fn open_socket(driver: Driver) {
        if !driver.0.borrow().wanted {
            return;
        }
        let Some(ws) = url().and_then(|u| WebSocket::new(&u).ok()) else {
            return reconnect_later(driver);
        };
        let on_open = {
            let d = driver.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                for l in d.listeners() {
                    l.opened();
                }
                d.send(vec![ClientMsg::Hello {
                    version: PROTOCOL_VERSION,
                }]);
            })
        };
        let on_message = {
            let d = driver.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                let Some(text) = e
                    .dyn_ref::<MessageEvent>()
                    .and_then(|m| m.data().as_string())
                else {
                    return;
                };
                d.on_message(text);
            })
        };
        let on_close = {
            let d = driver.clone();
            let this = ws.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                // Only the current socket's close counts.
                let current = d.0.borrow().ws.as_ref().is_some_and(|w| *w == this);
                if current {
                    {
                        let mut conn = d.0.borrow_mut();
                        conn.ws = None;
                        conn.welcome = None;
                    }
                    for l in d.listeners() {
                        l.closed();
                    }
                    reconnect_later(d.clone());
                }
            })
        };
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        let mut conn = driver.0.borrow_mut();
        conn.ws = Some(ws);
        conn.handlers = vec![on_open, on_message, on_close];
    }

    fn reconnect_later(driver: Driver) {
        let attempts = {
            let mut conn = driver.0.borrow_mut();
            if !conn.wanted || conn.timer.is_some() {
                return;
            }
            conn.attempts = conn.attempts.saturating_add(1);
            conn.attempts
        };
        let base = 500.0 * 2f64.powi(attempts.min(5) as i32 - 1);
        let delay = base.min(15_000.0) * (0.75 + js_sys::Math::random() * 0.5);
        let Some(window) = web_sys::window() else {
            return;
        };
        let d = driver.clone();
        let retry = Closure::once_into_js(move || {
            d.0.borrow_mut().timer = None;
            open(d.clone());
        });
        if let Ok(t) = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            retry.unchecked_ref(),
            delay as i32,
        ) {
            driver.0.borrow_mut().timer = Some(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A notification for tests (here and in `news`).
    pub(super) fn notice(text: &str) -> Notice {
        Notice {
            kind: NotificationKind::Connection,
            text: text.into(),
            link: None,
            event: None,
        }
    }

    #[test]
    fn only_the_newest_notifications_stay_and_each_can_be_dismissed() {
        let owner = Owner::new();
        owner.with(|| {
            let link = LiveLink {
                notices: RwSignal::new(Vec::new()),
                unread: RwSignal::new(None),
                next: StoredValue::new(0),
            };
            for i in 0..6 {
                link.push(notice(&format!("n{i}")));
            }
            let texts = |l: &LiveLink| -> Vec<String> {
                l.notices
                    .get_untracked()
                    .iter()
                    .map(|s| s.notice.text.clone())
                    .collect()
            };
            assert_eq!(texts(&link), ["n2", "n3", "n4", "n5"]);
            let id = link.notices.get_untracked()[1].id;
            link.dismiss(id);
            assert_eq!(texts(&link), ["n2", "n4", "n5"]);
        });
    }
}
