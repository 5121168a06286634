//! Server functions, one module per capability, and the wire types they return.
//!
//! Each server function is reachable at `/api/<name>` (explicit endpoints, so
//! plain HTML forms, tests and other clients can call them). They parse their
//! inputs into domain types first, check the caller's session and role, call
//! the [`Store`](crate::ports::Store), and return `Result<_, AppError>`.

pub mod attendance;
pub mod auth;
pub mod badges;
pub mod connections;
pub mod dashboard;
pub mod events;
pub mod follow_up;
pub mod imports;
pub mod integrations;
pub mod leads;
pub mod matching;
pub mod meetings;
pub mod messages;
pub mod profiles;
pub mod push;
pub mod rooms;
pub mod schedule;
pub mod settings;

#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod limits;
