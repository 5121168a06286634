//! Components shared by several pages: layout, session state, forms, the
//! offline scan queue, the tab's live connection with its notifications,
//! and the live room client.

pub mod charts;
pub mod forms;
pub mod layout;
pub mod live;
pub mod live_room;
pub mod scan_queue;
pub mod session;
