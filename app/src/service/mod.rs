//! The rules: for each capability, the one place that decides (may this
//! person join, post, scan, see). Server functions, `/api/v1`, the CLI and
//! plain axum routes call these instead of re-implementing a rule.

pub mod attendance;
pub mod badges;
pub mod connections;
pub mod dashboard;
pub mod events;
pub mod exports;
pub mod follow_up;
pub mod imports;
pub mod leads;
pub mod limits;
pub mod matching;
pub mod meetings;
pub mod membership;
pub mod messages;
pub mod notify;
pub mod password;
pub mod profiles;
pub mod push;
pub mod rooms;
pub mod schedule;
pub mod tokens;
pub mod webhooks;
