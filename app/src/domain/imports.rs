//! The report of an attendee import: what the browser's import page, the
//! CLI and `/api/v1/members/import` show after a CSV file was read (the dry
//! run) or imported. It lives here, not with the server functions, because
//! the rules in `service::imports` build it and the browser shows it.

use serde::{Deserialize, Serialize};

/// The result of an import, line by line. The same for an address with an
/// account and one without: the report never tells whether someone
/// already uses Rapport (see `service::imports`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// People invited (each gets a personal link; nobody is a member of
    /// the event, or has a role in it, before accepting).
    #[serde(default)]
    pub invited: u64,
    /// (line number in the file, why it was not imported)
    pub skipped: Vec<(u64, String)>,
    /// Header columns Rapport does not know, left out.
    pub ignored_columns: Vec<String>,
    /// (name, email, personal link) of everyone invited; no links in a dry
    /// run (none exist yet).
    pub invitations: Vec<(String, String, String)>,
}
