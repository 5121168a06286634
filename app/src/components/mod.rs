//! Components shared by several pages: layout, session state, forms, and
//! the offline scan queue.

pub mod charts;
pub mod forms;
pub mod layout;
pub mod scan_queue;
pub mod session;
