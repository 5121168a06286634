//! The in-app badge scanner (`/e/:slug/scan`, `?mode=check_in` for staff at
//! the door). The camera's frames are drawn to a canvas and decoded inside
//! the WebAssembly app: by the browser's `BarcodeDetector` where there is
//! one, else by `rqrr`, a pure-Rust QR decoder, so it works in any browser
//! with a camera. The decoder is a chunk of its own, loaded on first use (the
//! service worker keeps it for offline use), so it is not part of the first
//! download; reading a code needs no network. Scans that
//! cannot be sent are queued offline (see
//! [`scan_queue`](crate::components::scan_queue)) and synced later.
//!
//! Without JavaScript (or without a camera) the page is a form for the
//! code printed under the QR code, which posts to the server and continues
//! on the scan's result page.

use crate::api::badges::{scanner_info, QueuedScan, ScanView, ScannerContext};
use crate::components::layout::ErrorNotice;
use crate::components::offline::online;
use crate::components::resource::resource;
use crate::components::scan_queue::{latest_view, new_nonce, now_ms, use_scan_queue, Queued};
use crate::components::title::PageTitle;
use crate::domain::{BadgeRef, ScanMode};
use crate::error::AppError;
use crate::pages::badges::ScanOutcomeView;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::rc::Rc;

#[component]
pub fn ScannerPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let asked =
        move || ScanMode::parse(&query.read().get("mode").unwrap_or_default()).unwrap_or_default();
    let info = resource(slug, scanner_info);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(info) => {
                        let mode = if info.runs_event { asked() } else { ScanMode::Connect };
                        view! { <Scanner info=info mode=mode /> }.into_any()
                    }
                    Err(e) => view! {
                        <PageTitle text="Scan a badge · Rapport" />
                        <ErrorNotice error=e next=format!("/e/{}/scan", slug()) />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// What the camera is doing, for the status line.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Camera {
    Off,
    Starting,
    On,
    Failed(String),
}

#[component]
fn Scanner(info: ScannerContext, mode: ScanMode) -> impl IntoView {
    let queue = use_scan_queue();
    let slug = info.slug.clone();
    let result = RwSignal::new(None::<ScanView>);
    let message = RwSignal::new(None::<String>);
    let camera = RwSignal::new(Camera::Off);
    let video = NodeRef::<leptos::html::Video>::new();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let outcome = NodeRef::<leptos::html::Div>::new();
    // On a phone the outcome is below the camera: bring it into view as
    // soon as there is one, so nobody has to scroll to learn what happened.
    Effect::new(move |_| {
        if result.with(Option::is_some) || message.with(Option::is_some) {
            if let Some(el) = outcome.get_untracked() {
                el.scroll_into_view();
            }
        }
    });

    // Sends one scan, or queues it when the network is gone.
    let submit = {
        let slug = slug.clone();
        move |badge: String, method: &'static str| {
            if let Err(e) = BadgeRef::parse(&badge) {
                message.set(Some(e.message));
                return;
            }
            let queued = QueuedScan {
                nonce: new_nonce(),
                scanner: String::new(),
                slug: slug.clone(),
                badge: badge.clone(),
                mode,
                scanned_at_ms: now_ms(),
            };
            if !online() {
                message.set(Some(queued_message(
                    queue.enqueue(queued),
                    "You are offline. The scan is saved and will be sent when you are back online.",
                )));
                return;
            }
            message.set(None);
            leptos::task::spawn_local(async move {
                match send_scan(queued.clone(), method).await {
                    Ok(view) => result.set(Some(view)),
                    Err(AppError::Unreachable) => {
                        message.set(Some(queued_message(
                            queue.enqueue(queued),
                            "Rapport could not be reached. The scan is saved and will be sent when the connection returns.",
                        )));
                    }
                    Err(e) => message.set(Some(e.to_string())),
                }
            });
        }
    };

    // After a sync, show what the last queued scan became.
    Effect::new(move |_| {
        let synced = queue.synced.get();
        if let Some(view) = latest_view(&synced) {
            result.set(Some(view));
            let n = synced.len();
            message.set(Some(format!(
                "{n} saved scan{} sent.",
                if n == 1 { "" } else { "s" }
            )));
        }
    });

    // The code that runs the camera, sends a scan and draws its outcome
    // comes in the background once the page is interactive, so it is there
    // by the time someone scans.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if crate::components::hydration::hydrated() {
            leptos::task::spawn_local(__preload_start_camera());
            leptos::task::spawn_local(__preload_send_scan());
            leptos::task::spawn_local(__preload_scan_outcome());
        }
    });

    let owner = Owner::current();
    let start = {
        let submit: Rc<dyn Fn(String, &'static str)> = Rc::new(submit.clone());
        move |_| {
            camera.set(Camera::Starting);
            leptos::task::spawn_local(start_camera(
                owner.clone(),
                video,
                canvas,
                camera,
                submit.clone(),
            ));
        }
    };
    let on_code = {
        let submit = submit.clone();
        move |ev: leptos::ev::SubmitEvent| {
            // With JavaScript the page stays; without it the form posts.
            ev.prevent_default();
            let input = event_target_form_value(&ev, "badge");
            submit(input, "code");
        }
    };
    let title = match mode {
        ScanMode::CheckIn => "Check-in",
        ScanMode::CheckOut => "Check-out",
        ScanMode::Connect => "Scan a badge",
    };
    view! {
        <PageTitle text=format!("{title} · {} · Rapport", info.event_name) />
        <p class="eyebrow"><a href=format!("/e/{slug}")>{info.event_name.clone()}</a></p>
        <h1>{title}</h1>
        {(mode == ScanMode::CheckIn).then(|| view! {
            <p class="notice">"Check-in mode: each badge you scan is checked in. "
                <a href=format!("/e/{slug}/scan?mode=check_out")>"Switch to check-out"</a>" · "
                <a href=format!("/e/{slug}/scan")>"Switch to connecting"</a></p>
        })}
        {(mode == ScanMode::CheckOut).then(|| view! {
            <p class="notice">"Check-out mode: each badge you scan is checked out. "
                <a href=format!("/e/{slug}/scan?mode=check_in")>"Switch to check-in"</a>" · "
                <a href=format!("/e/{slug}/scan")>"Switch to connecting"</a></p>
        })}
        {(mode == ScanMode::Connect && info.runs_event).then(|| view! {
            <p><a href=format!("/e/{slug}/scan?mode=check_in")>"Switch to check-in mode"</a>" · "
                <a href=format!("/e/{slug}/scan?mode=check_out")>"check-out mode"</a></p>
        })}
        // Always in the page (a live region must exist before it speaks),
        // drawn as a bar only while scans are waiting.
        <p class={move || if queue.waiting.get() > 0 { "queue-status waiting" } else { "queue-status" }} role="status" aria-live="polite">
            {move || match queue.waiting.get() {
                0 => String::new(),
                1 => "1 scan waiting to be sent".to_owned(),
                n => format!("{n} scans waiting to be sent"),
            }}
        </p>
        <section class="card scanner" aria-labelledby="camera-h">
            <h2 id="camera-h">"Camera"</h2>
            <div class="viewfinder">
                <video node_ref=video playsinline=true muted=true aria-label="Camera preview"></video>
            </div>
            <canvas node_ref=canvas hidden=true></canvas>
            <p role="status" class="camera-status">
                {move || match camera.get() {
                    Camera::Off => "Start the camera and hold a badge's QR code in view.".to_owned(),
                    Camera::Starting => "Starting the camera…".to_owned(),
                    // The outcome is said here too, where the person is looking.
                    Camera::On => match result.get() {
                        Some(v) => format!("{} Looking for the next badge…", v.outcome.headline()),
                        None => "Looking for a QR code…".to_owned(),
                    },
                    Camera::Failed(why) => format!("The camera is not available ({why}). Type the code under the QR code instead."),
                }}
            </p>
            <button type="button" on:click=start disabled=move || matches!(camera.get(), Camera::On | Camera::Starting)>
                "Start camera"
            </button>
        </section>
        <div class="scan-outcome" node_ref=outcome>
            <div aria-live="polite">
                {move || message.get().map(|m| view! { <p class="notice" role="alert">{m}</p> })}
            </div>
            // Drawn by a part of its own (`scan_outcome`), fetched once the
            // page is interactive; nothing shows while it comes.
            <Suspense fallback=|| ()>
                {move || result.get().map(|view| Suspend::new(async move { scan_outcome(view).await }))}
            </Suspense>
        </div>
        <section class="card" aria-labelledby="code-h">
            <h2 id="code-h">"Type a badge code"</h2>
            <form method="post" action="/api/scan_badge" on:submit=on_code>
                <input type="hidden" name="slug" value=slug.clone() />
                <input type="hidden" name="mode" value=mode.as_str() />
                <input type="hidden" name="method" value="code" />
                <div class="field">
                    <label for="f-badge">"Badge code"</label>
                    <input id="f-badge" name="badge" autocomplete="off" autocapitalize="characters"
                        required=true maxlength="200" placeholder="ABCD-EFGH" aria-describedby="f-badge-hint" />
                    <p class="hint" id="f-badge-hint">"The eight characters printed under the QR code."</p>
                </div>
                <button type="submit">{match mode {
                    ScanMode::CheckIn => "Check in",
                    ScanMode::CheckOut => "Check out",
                    ScanMode::Connect => "Connect",
                }}</button>
            </form>
        </section>
    }
}

/// Sends one scan made online; `method` says how it was read ("camera" or
/// "code"). A split point (`#[lazy]`): the server function's request and
/// the decoder of its answer (the scanned person's card, contact details
/// and meeting) are not needed to show the scanner, only to scan, so they
/// are not in its first load; the page fetches them once hydrated
/// (`__preload_send_scan`), and the service worker keeps them for offline
/// use (`scripts/site-assets.mjs`, OFFLINE_LAZY). Offline, a scan goes to
/// the queue without calling this.
#[lazy]
async fn send_scan(scan: QueuedScan, method: &'static str) -> Result<ScanView, AppError> {
    crate::api::badges::scan_badge(
        scan.slug,
        scan.badge,
        Some(scan.mode.as_str().to_owned()),
        Some(method.to_owned()),
        Some(scan.nonce),
    )
    .await
}

/// What became of a scan, drawn by the badge pages' [`ScanOutcomeView`]
/// (who it was, their card and contact details, a private note). A split
/// point (`#[lazy]`): the scanner is interactive without it, which takes its
/// code out of the scanner's first load; the page fetches it once hydrated
/// (`__preload_scan_outcome`), and the service worker keeps it for offline
/// use (`scripts/site-assets.mjs`, OFFLINE_LAZY).
#[lazy]
fn scan_outcome(view: ScanView) -> AnyView {
    view! { <ScanOutcomeView view=view /> }.into_any()
}

/// What to tell the person whose scan went to the queue: `saved` when it
/// was kept.
fn queued_message(queued: Queued, saved: &str) -> String {
    match queued {
        Queued::Saved => saved.to_owned(),
        Queued::AlreadyWaiting => {
            "This badge is already waiting to be sent; it will be sent once.".to_owned()
        }
        Queued::SignedOut => "Sign in to save scans while you are offline.".to_owned(),
    }
}

/// The value of the form field `name` of the form submitted by `ev`.
fn event_target_form_value(ev: &leptos::ev::SubmitEvent, name: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            .and_then(|form| form.get_with_name(name))
            .and_then(|el| el.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|input| input.value())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (ev, name);
        String::new()
    }
}

/// Asks for the back camera, shows it, and decodes a frame four times a
/// second: with the browser's `BarcodeDetector` where there is one (a fast
/// path on Android and macOS), else with `rqrr` in WebAssembly. A code is
/// sent once (`submit`), then ignored for 30 seconds while it stays in
/// view. The camera is switched off when the scanner leaves the page
/// (`owner`). A split point (`#[lazy]`): the camera's code runs only after
/// a tap on "Start camera", so it is not in the scanner's first load; the
/// page fetches it once hydrated (`__preload_start_camera`), and the
/// service worker keeps it for offline use (`scripts/site-assets.mjs`).
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
#[lazy]
fn start_camera(
    owner: Option<Owner>,
    video: NodeRef<leptos::html::Video>,
    canvas: NodeRef<leptos::html::Canvas>,
    camera: RwSignal<Camera>,
    submit: Rc<dyn Fn(String, &'static str)>,
) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        let stream = match open_camera(video).await {
            Ok(stream) => stream,
            Err(why) => return camera.set(Camera::Failed(why)),
        };
        camera.set(Camera::On);
        let last = StoredValue::new_local(None::<(String, f64)>);
        let seen = move |content: String| {
            let now = js_sys::Date::now();
            let repeat = last.with_value(|l| {
                l.as_ref()
                    .is_some_and(|(c, at)| *c == content && now - at < 30_000.0)
            });
            if !repeat && BadgeRef::parse(&content).is_ok() {
                last.set_value(Some((content.clone(), now)));
                submit(content, "scanner");
            }
        };
        let native = native::detector();
        let busy = StoredValue::new_local(false);
        let timer = set_interval_with_handle(
            move || {
                let (Some(video), Some(canvas)) = (video.get_untracked(), canvas.get_untracked())
                else {
                    return;
                };
                match native.clone() {
                    Some(detector) if !busy.get_value() => {
                        busy.set_value(true);
                        let seen = seen.clone();
                        leptos::task::spawn_local(async move {
                            for content in native::detect(&detector, &video).await {
                                seen(content);
                            }
                            busy.set_value(false);
                        });
                    }
                    Some(_) => {}
                    None if !busy.get_value() => {
                        // The decoder is a chunk of its own, fetched the
                        // first time a frame needs it (browsers with a
                        // `BarcodeDetector` never load it).
                        let Some((w, h, grey)) = grey_frame(&video, &canvas) else {
                            return;
                        };
                        busy.set_value(true);
                        let seen = seen.clone();
                        leptos::task::spawn_local(async move {
                            for content in decode_qr(w, h, grey).await {
                                seen(content);
                            }
                            busy.set_value(false);
                        });
                    }
                    None => {}
                }
            },
            std::time::Duration::from_millis(250),
        );
        let stop = move || {
            if let Ok(t) = timer {
                t.clear();
            }
            for track in stream.get_tracks().iter() {
                if let Ok(track) =
                    wasm_bindgen::JsCast::dyn_into::<web_sys::MediaStreamTrack>(track)
                {
                    track.stop();
                }
            }
        };
        if let Some(owner) = owner {
            owner.with(|| on_cleanup(stop));
        }
    });
}

/// The browser's own QR detector (`BarcodeDetector`), reached through
/// `js_sys::Reflect` because it is not in every browser (nor in web-sys's
/// stable API). Absent, the scanner decodes in WebAssembly.
#[cfg(feature = "hydrate")]
mod native {
    use js_sys::{Array, Function, Object, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};

    /// A `BarcodeDetector` for QR codes, if the browser has one.
    pub fn detector() -> Option<Object> {
        let window: JsValue = leptos::prelude::window().into();
        let ctor = Reflect::get(&window, &"BarcodeDetector".into())
            .ok()?
            .dyn_into::<Function>()
            .ok()?;
        let options = Object::new();
        Reflect::set(&options, &"formats".into(), &Array::of1(&"qr_code".into())).ok()?;
        Reflect::construct(&ctor, &Array::of1(&options))
            .ok()?
            .dyn_into()
            .ok()
    }

    /// The texts of the QR codes in the video's current frame.
    pub async fn detect(detector: &Object, video: &web_sys::HtmlVideoElement) -> Vec<String> {
        let found = async {
            let detect = Reflect::get(detector, &"detect".into())
                .ok()?
                .dyn_into::<Function>()
                .ok()?;
            let promise = detect
                .call1(detector, video)
                .ok()?
                .dyn_into::<Promise>()
                .ok()?;
            let codes = wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .ok()?
                .dyn_into::<Array>()
                .ok()?;
            Some(
                codes
                    .iter()
                    .filter_map(|c| Reflect::get(&c, &"rawValue".into()).ok()?.as_string())
                    .collect(),
            )
        };
        found.await.unwrap_or_default()
    }
}

/// Opens the back camera into `video`.
#[cfg(feature = "hydrate")]
async fn open_camera(video: NodeRef<leptos::html::Video>) -> Result<web_sys::MediaStream, String> {
    use wasm_bindgen::{JsCast, JsValue};
    let devices = window()
        .navigator()
        .media_devices()
        .map_err(|_| "this browser has no camera access".to_owned())?;
    let constraints = web_sys::MediaStreamConstraints::new();
    let video_wanted = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&video_wanted, &"facingMode".into(), &"environment".into());
    constraints.set_video(&video_wanted);
    constraints.set_audio(&JsValue::FALSE);
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|_| "camera access was refused".to_owned())?;
    let stream: web_sys::MediaStream = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| "camera access was refused".to_owned())?
        .dyn_into()
        .map_err(|_| "no camera stream".to_owned())?;
    let element = video
        .get_untracked()
        .ok_or_else(|| "no video element".to_owned())?;
    element.set_src_object(Some(&stream));
    let _ = element.play();
    Ok(stream)
}

/// The current video frame in grey levels (Rec. 601 luma), scaled to at
/// most 640 pixels wide: enough for a badge held at arm's length, and quick
/// to decode on a phone. `None` before the video has a frame.
#[cfg(feature = "hydrate")]
fn grey_frame(
    video: &web_sys::HtmlVideoElement,
    canvas: &web_sys::HtmlCanvasElement,
) -> Option<(usize, usize, Vec<u8>)> {
    use wasm_bindgen::JsCast;
    let (vw, vh) = (video.video_width(), video.video_height());
    if vw == 0 || vh == 0 {
        return None;
    }
    let scale = (640.0 / f64::from(vw)).min(1.0);
    let (w, h) = (
        (f64::from(vw) * scale) as u32,
        (f64::from(vh) * scale) as u32,
    );
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())?;
    ctx.draw_image_with_html_video_element_and_dw_and_dh(
        video,
        0.0,
        0.0,
        f64::from(w),
        f64::from(h),
    )
    .ok()?;
    let rgba = ctx
        .get_image_data(0.0, 0.0, f64::from(w), f64::from(h))
        .ok()?
        .data();
    let grey = rgba
        .chunks_exact(4)
        .map(|p| {
            // Rec. 601 luma, in integers.
            ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8
        })
        .collect();
    Some((w as usize, h as usize, grey))
}

/// Reads every QR code in a `w` x `h` grey frame with `rqrr`. A split point
/// (`#[lazy]`): the decoder is a chunk of its own, fetched when the first
/// frame is decoded, so a page that never scans without `BarcodeDetector`
/// never downloads it.
#[cfg(feature = "hydrate")]
#[lazy]
fn decode_qr(w: usize, h: usize, grey: Vec<u8>) -> Vec<String> {
    if grey.len() < w * h {
        return Vec::new();
    }
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| grey[y * w + x]);
    img.detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, content)| content))
        .collect()
}
