//! Direct-message pages: my conversations (`/messages`, most recently
//! active first, with unread counts) and one conversation
//! (`/messages/:with`, `with` being the other person's id). The
//! conversation is rendered on the server with its recent history and a
//! plain form, so it reads and sends without JavaScript (the form posts to
//! `send_direct_message` with a hidden client id and is redirected back);
//! in the browser it goes live over the tab's socket
//! ([`crate::components::live_dm`]): new messages appear as they are sent,
//! typed ones wait in an outbox that survives a reload, Enter sends and
//! Shift+Enter breaks a line.

use crate::api::messages::{
    conversation_page, my_conversations, ConversationView, InboxItem, ReportDirectMessage,
};
use crate::api::rooms::clock;
use crate::components::avatar::Avatar;
use crate::components::composer::{Composer, LiveStatus, OutboxItems};
use crate::components::forms::{action_error, FormError};
use crate::components::layout::{count, ErrorNotice};
use crate::components::live_dm::LiveConversation;
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use crate::realtime::WireMessage;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// My conversations.
#[component]
pub fn InboxPage() -> impl IntoView {
    let inbox = resource(|| (), |_| my_conversations());
    view! {
        <PageTitle text="Messages · Rapport" />
        <h1>"Messages"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match inbox.await {
                    Ok(v) if v.items.is_empty() => view! {
                        <p>"No conversations yet. Open one from a "<a href="/connections">"connection"</a>"."</p>
                    }.into_any(),
                    Ok(v) => view! {
                        <p class="meta" data-testid="inbox-unread">{count(v.unread, "unread message", "unread messages")}</p>
                        <ul class="conversation-list" data-testid="conversations">
                            {v.items.into_iter().map(|c| view! { <InboxLine c=c /> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e next="/messages" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InboxLine(c: InboxItem) -> impl IntoView {
    let unread = c.unread;
    view! {
        <li class="conversation-line">
            <Avatar name=c.name.clone() photo_url=None />
            <div>
                <a href=format!("/messages/{}", c.with)>{c.name.clone()}</a>
                {(unread > 0).then(|| view! {
                    " " <span class="badge unread">{unread}</span>
                    <span class="visually-hidden">" unread"</span>
                })}
                <p class="hint">{c.preview.clone()}</p>
            </div>
        </li>
    }
}

/// One conversation.
#[component]
pub fn ConversationPage() -> impl IntoView {
    let params = use_params_map();
    let with = move || params.read().get("with").unwrap_or_default();
    let page = resource(with, conversation_page);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(v) => view! { <Conversation v=v /> }.into_any(),
                    Err(e) => view! {
                        <PageTitle text="Messages · Rapport" />
                        <ErrorNotice error=e next=format!("/messages/{}", with()) />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Conversation(v: ConversationView) -> impl IntoView {
    let live = LiveConversation::new(
        v.with.clone(),
        v.conversation.clone(),
        v.messages.clone(),
        v.last_seq,
    );
    live.keep_outbox(&v.my_id);
    let query = use_query_map();
    let reported_plain = move || query.read().get("reported").is_some();

    #[cfg(feature = "hydrate")]
    let link = crate::components::live::use_live();
    #[cfg(feature = "hydrate")]
    if v.closed.is_none() {
        Effect::new(move |_| {
            let id = link.attach(std::rc::Rc::new(live));
            let with = live.with.get_value();
            on_cleanup(move || link.detach(id, vec![crate::realtime::ClientMsg::DmClose { with }]));
        });
    }

    let report = ServerAction::<ReportDirectMessage>::new();
    let reported = Signal::derive(move || matches!(report.value().get(), Some(Ok(_))));
    let mine = v.my_id.clone();
    let with = StoredValue::new(v.with.clone());
    let profile = v
        .other_id
        .clone()
        .map(|id| view! { <p class="meta"><a href=format!("/connections/{id}")>"Your timeline with them"</a></p> });
    view! {
        <PageTitle text=format!("{} · Messages · Rapport", v.name) />
        <p class="eyebrow"><a href="/messages">"Messages"</a></p>
        <h1 class="conversation-title"><Avatar name=v.name.clone() photo_url=None />" " {v.name.clone()}</h1>
        {profile}
        <LiveStatus outbox=live.outbox />
        <section class="chat" aria-label="Messages">
            <FormError error=action_error(report) />
            <Show when=move || reported.get() || reported_plain()>
                <p class="form-ok" role="status">"Thank you: the organizers will look at it."</p>
            </Show>
            <ol class="messages" data-testid="messages">
                <For
                    each=move || live.thread.messages.get()
                    key=|m| m.seq
                    children=move |m: WireMessage| {
                        let is_mine = m.author_id.as_deref() == Some(mine.as_str());
                        view! { <DirectItem m=m mine=is_mine with=with.get_value() report=report /> }
                    }
                />
                <OutboxItems outbox=live.outbox />
            </ol>
            {match v.closed.clone() {
                Some(why) => view! { <p class="notice" role="status" data-testid="closed">{why}</p> }.into_any(),
                None => {
                    let hidden = vec![("with", v.with.clone()), ("client_id", v.client_id.clone())];
                    view! { <Composer outbox=live.outbox action="/api/send_direct_message" hidden=hidden /> }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn DirectItem(
    m: WireMessage,
    mine: bool,
    with: String,
    report: ServerAction<ReportDirectMessage>,
) -> impl IntoView {
    let class = if mine { "message mine" } else { "message" };
    let seq = m.seq.to_string();
    // Only the recipient may report a message.
    let action = (!mine).then(|| {
        view! {
            <ActionForm action=report attr:class="inline-form">
                <input type="hidden" name="with" value=with.clone() />
                <input type="hidden" name="seq" value=seq.clone() />
                <button type="submit" class="link-button" aria-label=format!("Report message {seq}")>"Report"</button>
            </ActionForm>
        }
    });
    view! {
        <li class=class id=format!("m{}", m.seq) data-seq=m.seq>
            <div class="byline">
                <span class="author">{m.author_name.clone()}</span>
                " "
                <time datetime=m.at.clone()>{clock(&m.at, 0)} " UTC"</time>
                " "
                {action}
            </div>
            <p class="text">{m.text.clone()}</p>
        </li>
    }
}
