//! Form pieces: labelled fields and the alert that shows a server error.

use crate::error::AppError;
use leptos::prelude::*;

/// Shows the error of the last submission, if any, as an alert that screen
/// readers announce. Works without JavaScript too: the error comes back in
/// the URL after a plain form post and is read from there.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            view! {
                <p class="form-error" role="alert">
                    {e.to_string()}
                </p>
            }
        })
    }
}

/// The error of a server action's last result, as a signal for [`FormError`].
pub fn action_error<I, O>(action: ServerAction<I>) -> Signal<Option<AppError>>
where
    I: server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}

/// A labelled text input. `name` is the server function argument it fills.
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(optional)] minlength: Option<u32>,
    /// Id of a `<datalist>` offering suggestions.
    #[prop(optional)]
    list: Option<&'static str>,
) -> impl IntoView {
    let id = format!("f-{name}");
    let hint_id = hint.map(|_| format!("{id}-hint"));
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                autocomplete=autocomplete
                maxlength=maxlength
                minlength=minlength
                list=list
                aria-describedby=hint_id.clone()
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
        </div>
    }
}

/// A labelled multi-line input.
#[component]
pub fn TextArea(
    name: &'static str,
    label: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] maxlength: Option<u32>,
) -> impl IntoView {
    let id = format!("f-{name}");
    let hint_id = hint.map(|_| format!("{id}-hint"));
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <textarea id=id name=name rows="4" maxlength=maxlength aria-describedby=hint_id.clone()>
                {value}
            </textarea>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
        </div>
    }
}

/// For a message box: Enter sends the message (the form is submitted as
/// its button would), Shift+Enter breaks the line, as in every chat. While
/// an input method is composing (Japanese, Chinese, …) Enter belongs to
/// it, and with Ctrl, Alt or Cmd held the browser keeps its own meaning.
/// Without JavaScript the box is a plain textarea and the button sends.
pub fn send_on_enter(ev: leptos::ev::KeyboardEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if ev.key() != "Enter"
            || ev.shift_key()
            || ev.is_composing()
            || ev.alt_key()
            || ev.ctrl_key()
            || ev.meta_key()
        {
            return;
        }
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
            .and_then(|t| t.form())
        else {
            return;
        };
        ev.prevent_default();
        // Like the button: the form's checks run, then its submit handler.
        let _ = form.request_submit();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}
