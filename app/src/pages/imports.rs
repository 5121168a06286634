//! Attendee import in the browser. `/e/:slug/import`: the upload form (a
//! plain multipart form, handled by `server/src/imports.rs`) and every
//! invitation with what became of it — those not sent by mail with their
//! link to pass on. `/e/:slug/import/:upload`: the dry run of an uploaded
//! file with a confirm button, then the result. Organizers only.

use crate::api::imports::{
    import_page, import_preview, ConfirmImport, ImportPageView, ImportReport, InvitationView,
    ResendInvitation, UploadView,
};
use crate::components::copy::CopyButton;
use crate::components::forms::{action_error, FormError};
use crate::components::layout::{self, ErrorNotice};
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use crate::domain::InvitationStatus;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ImportPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let resend = ServerAction::<ResendInvitation>::new();
    let page = resource(
        move || (slug(), resend.version().get()),
        |(s, _)| import_page(s),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <ImportForms page=p resend /> }.into_any(),
                    Err(e) => view! {
                        <PageTitle text="Import attendees · Rapport" />
                        <ErrorNotice error=e next=format!("/e/{}/import", slug()) />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ImportForms(page: ImportPageView, resend: ServerAction<ResendInvitation>) -> impl IntoView {
    let query = use_query_map();
    let upload_error = move || query.read().get("error");
    let slug = page.slug.clone();
    let (waiting, others): (Vec<_>, Vec<_>) = page
        .invitations
        .into_iter()
        .partition(|i| i.status != InvitationStatus::Mailed);
    let mailed = others.len();
    view! {
        <PageTitle text=format!("Import attendees · {} · Rapport", page.event_name) />
        <p><a href=format!("/e/{slug}")>"← Back to the event"</a></p>
        <h1>"Import attendees"</h1>
        <section class="card" aria-labelledby="upload-h">
            <h2 id="upload-h">"Upload a CSV file"</h2>
            <p>"The first row names the columns: " <code>"name"</code> " and " <code>"email"</code>
               " are required; " <code>"role"</code> ", " <code>"company"</code> " and " <code>"tags"</code>
               " are optional. You see what will happen before anything is imported."</p>
            {move || upload_error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <form method="post" action=format!("/e/{slug}/import") enctype="multipart/form-data">
                <div class="field">
                    <label for="f-file">"CSV file"</label>
                    <input id="f-file" name="file" type="file" accept=".csv,text/csv" required aria-describedby="f-file-hint" />
                    <p class="hint" id="f-file-hint">
                        {format!("UTF-8, at most {} rows and {} MB.", page.max_rows, page.max_megabytes)}
                    </p>
                </div>
                <button type="submit">"Check the file"</button>
            </form>
        </section>
        <section class="card" aria-labelledby="outbox-h">
            <h2 id="outbox-h">"Invitations not sent by mail"</h2>
            {if page.sends_mail {
                view! { <p>"Invitations go out by mail. Those that could not be sent are listed here with the reason."</p> }.into_any()
            } else {
                view! { <p>"No mail server is configured: pass these personal links on yourself (they are also in the outbox folder as .eml files)."</p> }.into_any()
            }}
            <FormError error=action_error(resend) />
            {if waiting.is_empty() {
                view! { <p class="empty">"None."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list invitations">
                        {waiting.into_iter().map(|i| view! { <InvitationRow invitation=i slug=slug.clone() resend /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(mailed > 0).then(|| view! { <p class="meta">{format!("{} sent by mail.", layout::count(mailed as u64, "invitation was", "invitations were"))}</p> })}
        </section>
    }
}

#[component]
fn InvitationRow(
    invitation: InvitationView,
    slug: String,
    resend: ServerAction<ResendInvitation>,
) -> impl IntoView {
    let link_id = format!("link-{}", invitation.id);
    let copy_label = format!("Copy the link for {}", invitation.name);
    view! {
        <li class="invitation" data-testid="invitation">
            <p><strong>{invitation.name.clone()}</strong> " · " {invitation.email.clone()}</p>
            <p class="meta">{invitation.status.label()}</p>
            {(!invitation.detail.is_empty()).then(|| view! { <p class="form-error">{invitation.detail.clone()}</p> })}
            <p><code class="invite-url" id=link_id>{invitation.link.clone()}</code></p>
            // A div, not a paragraph: a form inside a <p> closes it in the
            // browser's parser and the page would not hydrate.
            <div class="actions">
                <CopyButton text=invitation.link.clone() label=copy_label />
                <ActionForm action=resend attr:class="inline-form">
                    <input type="hidden" name="slug" value=slug />
                    <input type="hidden" name="invitation" value=invitation.id.clone() />
                    <button type="submit" class="secondary">"Send again"</button>
                </ActionForm>
            </div>
        </li>
    }
}

#[component]
pub fn ImportUploadPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let upload = move || params.read().get("upload").unwrap_or_default();
    let confirm = ServerAction::<ConfirmImport>::new();
    let page = resource(
        move || (slug(), upload(), confirm.version().get()),
        |(s, u, _)| import_preview(s, u),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <UploadResult upload=p slug=slug() confirm /> }.into_any(),
                    Err(e) => view! {
                        <PageTitle text="Import attendees · Rapport" />
                        <ErrorNotice error=e next=format!("/e/{}/import", slug()) />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UploadResult(
    upload: UploadView,
    slug: String,
    confirm: ServerAction<ConfirmImport>,
) -> impl IntoView {
    let heading = if upload.done {
        "Import finished"
    } else if upload.running {
        "Importing…"
    } else {
        "Check before importing"
    };
    let running = upload.running && !upload.done;
    let done = upload.done;
    let (slug_form, slug_cancel, slug_done) = (slug.clone(), slug.clone(), slug.clone());
    view! {
        <PageTitle text=format!("{heading} · Rapport") />
        // Until the import is done the page reloads itself (with or without
        // JavaScript) to show the result.
        {running.then(|| view! { <Meta http_equiv="refresh" content="2" /> })}
        <p><a href=format!("/e/{slug}/import")>"← Import page and invitations"</a></p>
        <h1>{heading}</h1>
        <p class="meta">{format!("File: {}", upload.file_name)}</p>
        <FormError error=action_error(confirm) />
        <Report report=upload.report.clone() done />
        {running.then(|| view! {
            <p role="status">"The file is being imported. This page shows the result when it is done."</p>
        })}
        {(!done && !running).then(|| view! {
            <section class="card" aria-labelledby="confirm-h">
                <h2 id="confirm-h">"Nothing is imported yet"</h2>
                <ActionForm action=confirm>
                    <input type="hidden" name="slug" value=slug_form />
                    <input type="hidden" name="upload" value=upload.id.clone() />
                    <button type="submit">"Import now"</button>
                </ActionForm>
                <p><a href=format!("/e/{slug_cancel}/import")>"Cancel and choose another file"</a></p>
            </section>
        })}
        {done.then(|| view! {
            <p class="actions">
                <a class="button" href=format!("/e/{slug_done}/import")>"See the invitations"</a>
                <a class="button secondary" href=format!("/e/{slug_done}")>"See who has joined"</a>
            </p>
        })}
    }
}

#[component]
fn Report(report: ImportReport, done: bool) -> impl IntoView {
    // One count for everyone invited, with or without an account: the
    // report never tells whether someone already uses Rapport.
    let (invited_label, skipped_label) = if done {
        ("Invited", "Skipped")
    } else {
        ("Will be invited", "Will be skipped")
    };
    let skipped = report.skipped.len();
    view! {
        <section class="card" aria-labelledby="report-h">
            <h2 id="report-h">"Report"</h2>
            <p>"Everyone invited gets a personal link. They join the event, with the role in your file, only when they accept."</p>
            <dl class="report" data-testid="import-report">
                <dt>{invited_label}</dt><dd data-testid="invited">{report.invited}</dd>
                <dt>{skipped_label}</dt><dd data-testid="skipped">{skipped}</dd>
            </dl>
            {(!report.ignored_columns.is_empty()).then(|| view! {
                <p>{format!("Columns left out: {}", report.ignored_columns.join(", "))}</p>
            })}
            {(skipped > 0).then(|| view! {
                <h3>"Skipped lines"</h3>
                <ul class="plain-list skipped">
                    {report.skipped.iter().map(|(line, reason)| view! {
                        <li>{format!("Line {line}: {reason}")}</li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}
