//! Components shared by several pages: layout, session state, forms.

pub mod forms;
pub mod layout;
pub mod session;
