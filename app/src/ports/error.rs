//! Why a store call failed: the one error type of every store method.

/// Why a store call failed. Only `Conflict` and `NotFound` are expected
/// outcomes; `Backend` carries the driver's error for the log, never for
/// the client.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was hit; the text names which (e.g. "email").
    #[error("conflict on {0}")]
    Conflict(&'static str),
    /// The row to change does not exist.
    #[error("not found")]
    NotFound,
    /// The database failed or is unreachable.
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type StoreResult<T> = Result<T, StoreError>;
