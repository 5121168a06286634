//! The offline scan queue: scans the in-app scanner could not send are kept
//! in the browser's `localStorage` (each with its client nonce) and synced
//! when the network returns — on the `online` event, when any page loads,
//! and every 20 seconds while some are waiting. The server answers a nonce
//! it has seen with the first result, so a sync that is interrupted and
//! retried never duplicates a connection.
//!
//! The queue lives at the top of the app (not in the scanner page), so a
//! scan made offline is synced whichever page is open when the network
//! comes back. On the server every function here is a no-op.
//!
//! A phone may be shared (a booth's tablet, a colleague's phone): every
//! queued scan names the account that made it, only the signed-in
//! person's scans are counted and sent, and the others wait for their
//! owner to sign in again (the server refuses a scan whose maker is not
//! the caller, too). The same badge queued twice by one person is kept
//! once, so what the sync reports is what that scan did.

use crate::api::badges::{QueuedScan, ScanView, SyncedScan};
use crate::components::offline::online;
use crate::components::session::use_session;
use crate::domain::BadgeRef;
use leptos::prelude::*;

/// The queue's state, provided as context by [`provide_scan_queue`].
#[derive(Clone, Copy, Debug)]
pub struct ScanQueue {
    /// How many scans wait to be synced ("3 scans waiting").
    pub waiting: RwSignal<usize>,
    /// What the last sync recorded, for the scanner to show.
    pub synced: RwSignal<Vec<SyncedScan>>,
    /// A sync request is under way (one at a time).
    syncing: RwSignal<bool>,
    /// Whose scans this page queues and sends: the signed-in account's id.
    owner: RwSignal<Option<String>>,
}

/// What became of a scan handed to [`ScanQueue::enqueue`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queued {
    /// Kept; it is sent when the network returns.
    Saved,
    /// The same badge already waits to be sent for this person: kept once.
    AlreadyWaiting,
    /// Nobody is signed in, so the scan has no one to be sent for.
    SignedOut,
}

/// Where the queue is kept in the browser.
#[cfg(feature = "hydrate")]
const STORAGE_KEY: &str = "rapport.scan-queue";

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// Every waiting scan on this device, whoever made it. Scans that name no
/// maker (queued before makers were kept) cannot be sent for anyone and
/// are left out, so the next save drops them.
fn load() -> Vec<QueuedScan> {
    #[cfg(feature = "hydrate")]
    {
        let all: Vec<QueuedScan> = storage()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
            .and_then(|json| super::resource::read_json(&json).ok())
            .unwrap_or_default();
        all.into_iter().filter(|s| !s.scanner.is_empty()).collect()
    }
    #[cfg(not(feature = "hydrate"))]
    Vec::new()
}

/// Whether two queued scans are the same scan of the same badge by the
/// same person (a code typed twice, or as a URL and as a code).
fn same_scan(a: &QueuedScan, b: &QueuedScan) -> bool {
    a.scanner == b.scanner
        && a.slug == b.slug
        && a.mode == b.mode
        && BadgeRef::parse(&a.badge).ok() == BadgeRef::parse(&b.badge).ok()
}

#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn save(queue: &[QueuedScan]) {
    #[cfg(feature = "hydrate")]
    if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(queue)) {
        let _ = s.set_item(STORAGE_KEY, &json);
    }
}

/// A fresh random nonce for a scan (`crypto.randomUUID`, available wherever
/// the camera is, i.e. in secure contexts; a time-and-random fallback
/// elsewhere).
pub fn new_nonce() -> String {
    #[cfg(feature = "hydrate")]
    {
        if let Ok(crypto) = window().crypto() {
            return crypto.random_uuid();
        }
        format!(
            "{:x}-{:x}",
            js_sys::Date::now() as u64,
            (js_sys::Math::random() * 1e15) as u64
        )
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

/// Milliseconds since the Unix epoch on this device.
pub fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    0
}

impl ScanQueue {
    /// Keeps a scan for later, for the signed-in person (once per nonce,
    /// and once per badge while it waits).
    pub fn enqueue(&self, mut scan: QueuedScan) -> Queued {
        let Some(owner) = self.owner.get_untracked() else {
            return Queued::SignedOut;
        };
        scan.scanner = owner;
        let mut queue = load();
        if queue.iter().any(|s| same_scan(s, &scan)) {
            return Queued::AlreadyWaiting;
        }
        if !queue.iter().any(|s| s.nonce == scan.nonce) {
            queue.push(scan);
        }
        save(&queue);
        self.count(&queue);
        Queued::Saved
    }

    /// The signed-in person's scans among `queue`.
    fn mine<'a>(&self, queue: &'a [QueuedScan]) -> impl Iterator<Item = &'a QueuedScan> {
        let owner = self.owner.get_untracked();
        queue
            .iter()
            .filter(move |s| owner.as_deref() == Some(s.scanner.as_str()))
    }

    /// Shows how many of the signed-in person's scans wait.
    fn count(&self, queue: &[QueuedScan]) {
        self.waiting.set(self.mine(queue).count());
    }

    /// Counts the signed-in person's waiting scans and sends them
    /// ([`refresh_scan_queue`]); on every page, when it loads, when the
    /// signed-in person changes, back online, and every 20 seconds.
    fn refresh(&self) {
        leptos::task::spawn_local(refresh_scan_queue(*self));
    }

    /// Sends the waiting scans (a batch at a time) if online and not already
    /// sending. Scans the server recorded or refused leave the queue;
    /// rate-limited ones stay for the next sync.
    fn sync(&self) {
        let queue = *self;
        let batch: Vec<QueuedScan> = self
            .mine(&load())
            .take(crate::api::badges::SYNC_BATCH)
            .cloned()
            .collect();
        if batch.is_empty() || !online() || queue.syncing.get_untracked() {
            return;
        }
        queue.syncing.set(true);
        leptos::task::spawn_local(async move {
            if let Some(results) = send_queued_scans(batch).await {
                // Read again: scans may have been queued while we waited.
                let mut left = load();
                left.retain(|s| {
                    results
                        .iter()
                        .find(|r| r.nonce == s.nonce)
                        .is_none_or(|r| r.retry)
                });
                save(&left);
                queue.count(&left);
                let done: Vec<SyncedScan> = results.into_iter().filter(|r| !r.retry).collect();
                if !done.is_empty() {
                    queue.synced.set(done);
                }
            }
            queue.syncing.set(false);
        });
    }
}

/// Sends one batch of queued scans; `None` when the request failed. A split
/// point (`#[lazy]`): the request and the decoder of its answer (each
/// scan's result, with the person's card) are a chunk of their own, which
/// only a device with scans to send downloads, not every page's first load.
/// Offline, the chunk waits for the network with the scans
/// (`scripts/chunk-fetch.js`).
#[lazy]
async fn send_queued_scans(batch: Vec<QueuedScan>) -> Option<Vec<SyncedScan>> {
    crate::api::badges::sync_scans(batch).await.ok()
}

/// Reads the queue from storage, counts the signed-in person's scans and
/// sends them. A split point (`#[lazy]`): reading and writing the stored
/// queue is not needed to show a page, so it is not in the main module
/// every page downloads first; it is fetched once a page is hydrated, and
/// the service worker keeps it for offline use (`scripts/site-assets.mjs`).
/// (The scanner, which queues scans, has that code in its own chunks.)
#[lazy]
fn refresh_scan_queue(queue: ScanQueue) {
    queue.count(&load());
    queue.sync();
}

/// Sets up the queue for the whole app: counts what is waiting, and syncs
/// on load, when the browser comes back online, and every 20 seconds.
pub fn provide_scan_queue() -> ScanQueue {
    let queue = ScanQueue {
        waiting: RwSignal::new(0),
        synced: RwSignal::new(Vec::new()),
        syncing: RwSignal::new(false),
        owner: RwSignal::new(None),
    };
    provide_context(queue);
    // Whose queue this is follows whoever signs in or out; while the
    // session is being read (or cannot be, offline) the last one stays.
    let session = use_session();
    Effect::new(move |_| {
        let owner = match session.me.get() {
            Some(Ok(Some(me))) => Some(me.user_id),
            Some(Ok(None)) => None,
            _ => return,
        };
        if queue.owner.get_untracked() != owner {
            queue.owner.set(owner);
            queue.refresh();
        }
    });
    Effect::new(move |_| {
        queue.refresh();
        let on_online = window_event_listener(leptos::ev::online, move |_| queue.refresh());
        let timer = set_interval_with_handle(
            move || {
                if queue.waiting.get_untracked() > 0 {
                    queue.refresh();
                }
            },
            std::time::Duration::from_secs(20),
        );
        on_cleanup(move || {
            on_online.remove();
            if let Ok(t) = timer {
                t.clear();
            }
        });
    });
    queue
}

/// The queue provided by the app.
pub fn use_scan_queue() -> ScanQueue {
    expect_context::<ScanQueue>()
}

/// The most recent result among synced scans, to show after a sync.
pub fn latest_view(synced: &[SyncedScan]) -> Option<ScanView> {
    synced.iter().rev().find_map(|s| s.view.clone())
}
