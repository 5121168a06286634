//! Attendee import from CSV, and the personal invitation that lets an
//! imported attendee set a password (`/claim/<token>`).
//!
//! An import happens in two steps. [`plan_import`] reads the whole file
//! first: it must be UTF-8 CSV with a header row naming at least `name`
//! and `email` (also `role`, `company`, `tags`; other columns are reported
//! and ignored), and each line becomes a valid row or a skip with its
//! reason — so a malformed file is refused before anything is written.
//! [`preview_import`] is the dry run the browser shows before the organizer
//! confirms: the same report, computed without writing. [`run_import`] then
//! creates the new accounts (without a usable password, each with a
//! personal invitation link), adds existing accounts to the event, and
//! records one invitation per person; the caller hands them to the
//! [`Postman`](crate::ports::Postman), which mails them (SMTP configured) or
//! writes them to the outbox folder, in the background.
//!
//! In the browser (`/e/<slug>/import`) the file is uploaded by a plain
//! multipart form to an axum route (`server/src/imports.rs`), which keeps
//! it in the database and opens `/e/<slug>/import/<upload>`: the dry run,
//! a confirm button, then the result. The server functions below serve
//! those pages.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::InvitationStatus;
#[cfg(feature = "ssr")]
use crate::{
    api::{context, password, tokens},
    domain::{Email, Password, PersonName, ProfileForm, ProfileInput, Role, TagSet},
    ports::{Event, Invitation, NewInvitation, NewUser, Store, StoreError},
};

/// What a personal invitation link shows before the password is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimView {
    pub display_name: String,
    pub email: String,
    pub event_name: String,
}

/// The result of an import, line by line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// New accounts created and added to the event.
    pub created: u64,
    /// Existing accounts added to the event.
    pub updated: u64,
    /// (line number in the file, why it was not imported)
    pub skipped: Vec<(u64, String)>,
    /// Header columns Rapport does not know, left out.
    pub ignored_columns: Vec<String>,
    /// (name, email, personal link) of everyone to invite.
    pub invitations: Vec<(String, String, String)>,
}

/// At most this many rows per file: a conference's attendee list fits,
/// and the server keeps answering others while it imports. Bigger files
/// are refused before anything is written (split them).
pub const MAX_ROWS: usize = 20_000;

/// At most this many bytes per uploaded file (20,000 rows of a generous
/// 200 bytes each).
pub const MAX_UPLOAD_BYTES: usize = 4 * 1024 * 1024;

/// An invitation as the organizer sees it on the import page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub link: String,
    pub status: InvitationStatus,
    /// Why sending failed; empty otherwise.
    pub detail: String,
}

/// The import page: the upload form's limits and the invitations so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPageView {
    pub slug: String,
    pub event_name: String,
    /// Whether invitations go out by mail (else they wait in the outbox).
    pub sends_mail: bool,
    pub invitations: Vec<InvitationView>,
    pub max_rows: usize,
    pub max_megabytes: usize,
}

/// One uploaded file: its dry run while waiting for confirmation, its
/// result once imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadView {
    pub id: String,
    pub file_name: String,
    /// `true` once imported: `report` is the result, not the plan.
    pub done: bool,
    /// Someone confirmed it and the import is running.
    pub running: bool,
    pub report: ImportReport,
}

/// One valid line of an import file.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct ImportRow {
    pub line: u64,
    pub name: PersonName,
    pub email: Email,
    pub role: Role,
    pub company: String,
    pub tags: TagSet,
}

/// A file read and checked, before anything is written.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Default)]
pub struct ImportPlan {
    pub rows: Vec<ImportRow>,
    pub skipped: Vec<(u64, String)>,
    pub ignored_columns: Vec<String>,
}

#[cfg(feature = "ssr")]
fn refused(message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: "file".into(),
        message: message.into(),
    }
}

/// Which column of the header holds what.
#[cfg(feature = "ssr")]
#[derive(Default)]
struct Columns {
    name: Option<usize>,
    email: Option<usize>,
    role: Option<usize>,
    company: Option<usize>,
    tags: Option<usize>,
}

/// "rust, offer:mentoring, seek:a job" → a tag set (no prefix: interest).
#[cfg(feature = "ssr")]
fn parse_tags(raw: &str) -> Result<TagSet, String> {
    let (mut interest, mut offer, mut seek) = (Vec::new(), Vec::new(), Vec::new());
    for item in raw
        .split([',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let lower = item.to_lowercase();
        if let Some(t) = lower.strip_prefix("offer:") {
            offer.push(t.trim().to_owned());
        } else if let Some(t) = lower.strip_prefix("seek:") {
            seek.push(t.trim().to_owned());
        } else if let Some(t) = lower.strip_prefix("interest:") {
            interest.push(t.trim().to_owned());
        } else {
            interest.push(lower);
        }
    }
    TagSet::parse(&interest.join(","), &offer.join(","), &seek.join(",")).map_err(|e| e.message)
}

/// Reads and checks a whole import file (see the module documentation).
#[cfg(feature = "ssr")]
pub fn plan_import(bytes: &[u8]) -> Result<ImportPlan, AppError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        refused(format!(
            "The file is not UTF-8 text (first bad byte at position {}). Save it as \"CSV UTF-8\" and try again.",
            e.valid_up_to()
        ))
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| refused(format!("The header row could not be read: {e}.")))?
        .clone();
    let mut columns = Columns::default();
    let mut ignored_columns = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let key = h.trim().to_lowercase().replace(['_', '-'], " ");
        let slot = match key.as_str() {
            "name" | "full name" | "display name" => &mut columns.name,
            "email" | "e mail" | "email address" => &mut columns.email,
            "role" => &mut columns.role,
            "company" | "organisation" | "organization" => &mut columns.company,
            "tags" | "interests" => &mut columns.tags,
            _ => {
                if !h.trim().is_empty() {
                    ignored_columns.push(h.trim().to_owned());
                }
                continue;
            }
        };
        if slot.is_some() {
            return Err(refused(format!(
                "The column \"{}\" appears twice.",
                h.trim()
            )));
        }
        *slot = Some(i);
    }
    let (Some(name_at), Some(email_at)) = (columns.name, columns.email) else {
        return Err(refused(format!(
            "The header row must name the columns \"name\" and \"email\" (found: {}).",
            headers.iter().collect::<Vec<_>>().join(", ")
        )));
    };
    let mut plan = ImportPlan {
        ignored_columns,
        ..ImportPlan::default()
    };
    let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| refused(format!("The file is not valid CSV: {e}.")))?;
        let line = record.position().map_or(0, |p| p.line());
        if plan.rows.len() + plan.skipped.len() >= MAX_ROWS {
            return Err(refused(format!(
                "The file has more than {MAX_ROWS} rows; split it into smaller files."
            )));
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or_default();
        let row = (|| {
            let email = Email::parse(cell(Some(email_at))).map_err(|e| e.message)?;
            if let Some(first) = seen.get(email.as_str()) {
                return Err(format!("The same email as line {first}."));
            }
            let name = PersonName::parse("name", cell(Some(name_at))).map_err(|e| e.message)?;
            let role = match cell(columns.role) {
                "" => Role::Attendee,
                r => Role::parse(r).map_err(|e| e.message)?,
            };
            let company =
                crate::domain::BoundedText::<0, 100>::parse("company", cell(columns.company))
                    .map_err(|e| e.message)?
                    .into_inner();
            let tags = parse_tags(cell(columns.tags))?;
            Ok(ImportRow {
                line,
                name,
                email,
                role,
                company,
                tags,
            })
        })();
        match row {
            Ok(row) => {
                seen.insert(row.email.as_str().to_owned(), line);
                plan.rows.push(row);
            }
            Err(reason) => plan.skipped.push((line, reason)),
        }
    }
    Ok(plan)
}

/// Rows imported at once.
#[cfg(feature = "ssr")]
const IMPORT_CONCURRENCY: usize = 8;

/// Imports the planned rows into `event`, calling `progress` after each.
/// New accounts get a password nobody knows (one random Argon2 hash per
/// import) and a personal invitation; existing accounts are only added to
/// the event (their profile is theirs) and invited to its page. Returns
/// the report and the invitations recorded (pending), for the
/// [`Postman`](crate::ports::Postman) to deliver.
#[cfg(feature = "ssr")]
pub async fn run_import(
    store: &dyn Store,
    public_url: &str,
    event: &Event,
    plan: ImportPlan,
    mut progress: impl FnMut(usize),
) -> Result<(ImportReport, Vec<Invitation>), AppError> {
    let mut report = ImportReport {
        skipped: plan.skipped,
        ignored_columns: plan.ignored_columns,
        ..ImportReport::default()
    };
    let mut invitations = Vec::new();
    let unusable = password::hash(
        Password::parse(&format!(
            "{}{}",
            tokens::invite_token(),
            tokens::invite_token()
        ))
        .map_err(|_| AppError::Internal)?,
    )
    .await?;
    // Rows are independent (the plan has no email twice), so several run at
    // once: on PostgreSQL each waits mostly on its commits, and concurrent
    // commits share the disk flushes. SQLite's single writer takes them in
    // turn. `buffered` hands the outcomes back in file order.
    use futures_util::stream::{self, StreamExt};
    let unusable = &unusable;
    let mut outcomes = stream::iter(plan.rows)
        .map(|row| async move {
            let outcome = match import_one(store, public_url, event, &row, unusable).await {
                Ok(Some((user, link, created))) => store
                    .save_invitation(&NewInvitation {
                        event: event.id,
                        user,
                        name: row.name.as_str().to_owned(),
                        email: row.email.as_str().to_owned(),
                        link,
                    })
                    .await
                    .map(|invitation| Some((invitation, created)))
                    .map_err(AppError::from),
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            };
            (row, outcome)
        })
        .buffered(IMPORT_CONCURRENCY);
    let mut done = 0;
    while let Some((row, outcome)) = outcomes.next().await {
        done += 1;
        match outcome {
            Ok(Some((invitation, created))) => {
                if created {
                    report.created += 1;
                } else {
                    report.updated += 1;
                }
                report.invitations.push((
                    row.name.as_str().to_owned(),
                    row.email.as_str().to_owned(),
                    invitation.link.clone(),
                ));
                invitations.push(invitation);
            }
            Ok(None) => report
                .skipped
                .push((row.line, "Already a member of this event.".into())),
            Err(AppError::Internal) => return Err(AppError::Internal),
            Err(e) => report.skipped.push((row.line, e.to_string())),
        }
        progress(done);
    }
    report.skipped.sort();
    Ok((report, invitations))
}

/// The dry run: what [`run_import`] would report for `plan`, computed
/// without writing anything (links are left out: none exist yet).
#[cfg(feature = "ssr")]
pub async fn preview_import(
    store: &dyn Store,
    event: &Event,
    plan: ImportPlan,
) -> Result<ImportReport, AppError> {
    let mut report = ImportReport {
        skipped: plan.skipped,
        ignored_columns: plan.ignored_columns,
        ..ImportReport::default()
    };
    for row in plan.rows {
        match store.user_by_email(&row.email).await? {
            None => report.created += 1,
            Some(user) => {
                if store.member_role(event.id, user.id).await?.is_some() {
                    report
                        .skipped
                        .push((row.line, "Already a member of this event.".into()));
                    continue;
                }
                report.updated += 1;
            }
        }
        report.invitations.push((
            row.name.as_str().to_owned(),
            row.email.as_str().to_owned(),
            String::new(),
        ));
    }
    report.skipped.sort();
    Ok(report)
}

/// One row: `Some((user, link, created))`, or `None` when already a member.
#[cfg(feature = "ssr")]
async fn import_one(
    store: &dyn Store,
    public_url: &str,
    event: &Event,
    row: &ImportRow,
    unusable: &crate::ports::PasswordHash,
) -> Result<Option<(crate::domain::UserId, String, bool)>, AppError> {
    let event_link = format!("{public_url}/e/{}", event.slug.as_str());
    if let Some(user) = store.user_by_email(&row.email).await? {
        return match store.add_member(event.id, user.id, row.role).await {
            Ok(()) => {
                crate::api::webhooks::member_joined(store, event.id, user.id, "import").await;
                Ok(Some((user.id, event_link, false)))
            }
            Err(StoreError::Conflict(_)) => Ok(None),
            Err(e) => Err(e.into()),
        };
    }
    let user = store
        .create_user(NewUser {
            email: row.email.clone(),
            display_name: row.name.clone(),
            password_hash: unusable.clone(),
        })
        .await?;
    if !row.company.is_empty() {
        let form = ProfileForm {
            display_name: row.name.as_str().to_owned(),
            company: row.company.clone(),
            ..ProfileForm::default()
        };
        store
            .update_profile(user.id, &ProfileInput::parse(&form)?)
            .await?;
    }
    if !row.tags.is_empty() {
        store.set_tags(user.id, &row.tags).await?;
    }
    store.add_member(event.id, user.id, row.role).await?;
    crate::api::webhooks::member_joined(store, event.id, user.id, "import").await;
    let token = tokens::invite_token();
    store.create_claim(&token, user.id, event.id).await?;
    Ok(Some((user.id, format!("{public_url}/claim/{token}"), true)))
}

#[cfg(feature = "ssr")]
fn invitation_view(i: Invitation) -> InvitationView {
    InvitationView {
        id: i.id.to_string(),
        name: i.name,
        email: i.email,
        link: i.link,
        status: i.status,
        detail: i.detail,
    }
}

#[cfg(feature = "ssr")]
fn parse_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::NotFound("There is no such import or invitation.".into()))
}

/// The import page of an event: the upload form's limits and every
/// invitation with its delivery state. Organizers only.
#[server(prefix = "/api", endpoint = "import_page")]
pub async fn import_page(slug: String) -> Result<ImportPageView, AppError> {
    let user = context::require_user().await?;
    let state = context::state()?;
    let event = crate::api::events::organizer_event(&state, &slug, user.id).await?;
    let invitations = state.store.invitations(event.id).await?;
    Ok(ImportPageView {
        slug: event.slug.as_str().to_owned(),
        event_name: event.name,
        sends_mail: state.postman.sends_mail(),
        invitations: invitations.into_iter().map(invitation_view).collect(),
        max_rows: MAX_ROWS,
        max_megabytes: MAX_UPLOAD_BYTES / (1024 * 1024),
    })
}

/// An uploaded file: the dry run while it waits for confirmation, the
/// result once imported. Organizers of the event only.
#[server(prefix = "/api", endpoint = "import_preview")]
pub async fn import_preview(slug: String, upload: String) -> Result<UploadView, AppError> {
    let user = context::require_user().await?;
    let state = context::state()?;
    let event = crate::api::events::organizer_event(&state, &slug, user.id).await?;
    let upload = state
        .store
        .upload(event.id, parse_id(&upload)?)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such import.".into()))?;
    let (done, report) = match &upload.report {
        Some(json) => (
            true,
            serde_json::from_str(json).map_err(|e| {
                tracing::error!(error = %e, "a stored import report is unreadable");
                AppError::Internal
            })?,
        ),
        None => (
            false,
            preview_import(state.store.as_ref(), &event, plan_import(&upload.file)?).await?,
        ),
    };
    Ok(UploadView {
        id: upload.id.to_string(),
        file_name: upload.file_name,
        done,
        running: upload.running,
        report,
    })
}

/// Imports a previewed file for real (once, however often it is
/// confirmed), in the background: a file of 20,000 rows takes longer than
/// a request should, so this returns at once and the upload's page shows
/// it running until the report is kept. The invitations are delivered
/// after that, also in the background. Should the import fail (the
/// database went away), the upload can be confirmed again: rows already
/// imported are then reported as members already.
#[server(prefix = "/api", endpoint = "confirm_import")]
pub async fn confirm_import(slug: String, upload: String) -> Result<(), AppError> {
    let user = context::require_user().await?;
    let state = context::state()?;
    let event = crate::api::events::organizer_event(&state, &slug, user.id).await?;
    let id = parse_id(&upload)?;
    let upload = state
        .store
        .upload(event.id, id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such import.".into()))?;
    let plan = plan_import(&upload.file)?;
    if !state.store.start_upload(event.id, id).await? {
        return Err(AppError::Conflict(
            "This file was already imported (or is being imported right now).".into(),
        ));
    }
    tokio::spawn(async move {
        if let Err(e) = import_in_background(&state, event, id, plan).await {
            tracing::error!(error = %e, upload = %id, "a browser import failed");
            if let Err(e) = state.store.finish_upload(id, None).await {
                tracing::error!(error = %e, upload = %id, "could not reopen a failed import");
            }
        }
    });
    Ok(())
}

/// The import [`confirm_import`] started: rows, report, then invitations.
#[cfg(feature = "ssr")]
async fn import_in_background(
    state: &crate::ports::AppState,
    event: Event,
    id: uuid::Uuid,
    plan: ImportPlan,
) -> Result<(), AppError> {
    let store = state.store.as_ref();
    let (report, invitations) =
        run_import(store, &state.config.public_url, &event, plan, |_| {}).await?;
    let json = serde_json::to_string(&report).map_err(|_| AppError::Internal)?;
    store.finish_upload(id, Some(&json)).await?;
    tracing::info!(event = %event.id, created = report.created, updated = report.updated,
        skipped = report.skipped.len(), "attendees imported from the browser");
    for invitation in &invitations {
        crate::api::matching::member_changed(state, invitation.user).await;
    }
    state.postman.deliver(store, &event, invitations).await;
    Ok(())
}

/// Sends one invitation again (after a failure, or to someone who lost
/// it), in the background. Organizers only.
#[server(prefix = "/api", endpoint = "resend_invitation")]
pub async fn resend_invitation(slug: String, invitation: String) -> Result<(), AppError> {
    let user = context::require_user().await?;
    let state = context::state()?;
    let event = crate::api::events::organizer_event(&state, &slug, user.id).await?;
    let id = parse_id(&invitation)?;
    let found = state
        .store
        .invitation(event.id, id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such invitation.".into()))?;
    state
        .store
        .set_invitation_status(id, InvitationStatus::Pending, "")
        .await?;
    let (store, postman) = (state.store.clone(), state.postman.clone());
    tokio::spawn(async move { postman.deliver(store.as_ref(), &event, vec![found]).await });
    Ok(())
}

/// What a personal invitation link opens.
#[server(prefix = "/api", endpoint = "claim_info")]
pub async fn claim_info(token: String) -> Result<ClaimView, AppError> {
    let state = context::state()?;
    let missing = || {
        AppError::NotFound(
            "This invitation was already used or does not exist. Log in, or ask the organizers for a new one."
                .into(),
        )
    };
    let (user, event) = state.store.claim(token.trim()).await?.ok_or_else(missing)?;
    let user = state.store.user_by_id(user).await?.ok_or_else(missing)?;
    let event = state.store.event_by_id(event).await?.ok_or_else(missing)?;
    Ok(ClaimView {
        display_name: user.display_name,
        email: user.email.as_str().to_owned(),
        event_name: event.name,
    })
}

/// Sets the password of an imported account from its invitation, signs
/// in, and opens the event.
#[server(prefix = "/api", endpoint = "claim_account")]
pub async fn claim_account(token: String, password: String) -> Result<(), AppError> {
    let state = context::state()?;
    let Some((_, event)) = state.store.claim(token.trim()).await? else {
        return Err(AppError::NotFound(
            "This invitation was already used or does not exist.".into(),
        ));
    };
    let hash = password::hash(Password::parse(&password)?).await?;
    let user = state.store.complete_claim(token.trim(), &hash).await?;
    context::sign_in(user).await?;
    let slug = state
        .store
        .event_by_id(event)
        .await?
        .map(|e| format!("/e/{}", e.slug.as_str()))
        .unwrap_or_else(|| "/events".into());
    leptos_axum::redirect(&slug);
    Ok(())
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn reasons(plan: &ImportPlan) -> Vec<(u64, String)> {
        plan.skipped.clone()
    }

    #[test]
    fn a_good_file_maps_its_columns_whatever_their_order_and_case() {
        let plan = plan_import(
            "\u{feff}Email,Full Name,Company,Tags,Shoe size\nada@example.org,Ada Lovelace,Engines,\"rust, offer:mentoring, seek:a job\",38\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(plan.rows.len(), 1);
        let row = &plan.rows[0];
        assert_eq!(row.name.as_str(), "Ada Lovelace");
        assert_eq!(row.role, Role::Attendee);
        assert_eq!(row.company, "Engines");
        assert_eq!(row.tags.len(), 3);
        assert_eq!(plan.ignored_columns, ["Shoe size"]);
    }

    #[test]
    fn bad_lines_are_skipped_with_their_line_and_reason() {
        let plan = plan_import(
            b"name,email,role\nAda,ada@example.org,\nBen,not-an-email,\nChloe,ada@example.org,\nDev,dev@example.org,admin\n,eve@example.org,\n",
        )
        .unwrap();
        assert_eq!(plan.rows.len(), 1);
        let skipped = reasons(&plan);
        assert_eq!(
            skipped.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [3, 4, 5, 6]
        );
        assert!(skipped[1].1.contains("line 2"), "{skipped:?}");
        assert!(skipped[2].1.contains("Role"), "{skipped:?}");
    }

    #[test]
    fn malformed_files_are_refused_whole() {
        let field = |bytes: &[u8]| match plan_import(bytes) {
            Err(AppError::Invalid { field, message }) => (field, message),
            other => panic!("{other:?}"),
        };
        assert!(field(b"name,phone\nAda,123\n").1.contains("\"email\""));
        assert!(field(b"name,email\n\xff\xfeAda,a@b.org\n")
            .1
            .contains("UTF-8"));
        let (f, message) = field(b"name,email,name\nA,a@b.org,B\n");
        assert_eq!(f, "file");
        assert!(message.contains("twice"));
    }

    #[test]
    fn too_many_rows_are_refused() {
        let mut file = String::from("name,email\n");
        for i in 0..=MAX_ROWS {
            file.push_str(&format!("P{i},p{i}@example.org\n"));
        }
        assert!(plan_import(file.as_bytes()).is_err());
    }
}
