//! Components shared by several pages: layout, session state, forms, when
//! hydration is over, a
//! person's avatar, a copy button, the meeting form's parts, the offline
//! scan queue, the tab's live connection with its notifications, the live
//! room and conversation clients with their shared outbox and composer,
//! what offline use needs (the saved-copy banner, the
//! service worker's owner), and how page data is loaded (`resource`).

pub mod avatar;
pub mod charts;
pub mod composer;
pub mod copy;
pub mod forms;
pub mod hydration;
pub mod layout;
pub mod live;
pub mod live_dm;
pub mod live_room;
pub mod meeting_form;
pub mod offline;
pub mod outbox;
pub mod resource;
pub mod scan_queue;
pub mod session;
pub mod title;
