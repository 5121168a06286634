//! Interest-based matching: who an attendee should meet at an event, and
//! why. [`score`] holds the pure rules (how much a pair of profiles is worth
//! and the reasons behind it); [`index`] holds the per-event engine that finds
//! the best pairs without scanning every attendee. Neither knows about
//! storage: the server feeds the engine from the database and from profile
//! change notifications (see DESIGN.md §4).

pub mod index;
pub mod score;

pub use index::{MatchIndex, Recommendation, DEFAULT_PER_COMPANY};
pub use score::{Explanation, Reason, ReasonKind, TagProfile};
