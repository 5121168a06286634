//! Components shared by several pages: layout, session state, forms, and
//! the offline scan queue, and the live room client.

pub mod charts;
pub mod forms;
pub mod layout;
pub mod live_room;
pub mod scan_queue;
pub mod session;
