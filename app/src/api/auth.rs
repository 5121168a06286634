//! Accounts: sign up, log in, log out, and the signed-in person's profile.
//!
//! Sign-up does not tell whether an address has an account (OWASP ASVS V2,
//! issue 15). Whatever the address, a well-formed sign-up gets the same
//! answer — status, body and redirect target (`next`, or "my events") —
//! after one Argon2 computation, and a fresh session cookie:
//!
//! - a new address: the account is created and signed in;
//! - a known address with that account's password: it is its owner, who is
//!   simply signed in (as a login would);
//! - a known address with another password: nothing changes, nobody is
//!   signed in, and the owner gets a mail ("someone tried to sign up with
//!   your address; if it was you, log in"), at most one an hour.
//!
//! What the answer cannot hide is what follows it: the next page is signed
//! in or not. Hiding that too would mean confirming every new address by
//! mail before its first sign-in; until Rapport does, probing is slowed by
//! the per-address sign-up limit, costs an Argon2 computation each, and
//! tells the owner. Login failures are limited per (account, address), so
//! a stranger's guesses never lock the owner out (see `limits.rs`).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    api::{context, limits},
    domain::{Email, Password, PersonName},
    ports::{NewUser, StoreError},
    service::password,
};

/// The signed-in person as the navigation shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// The account's id: the browser keeps things per person with it (the
    /// offline scan queue), so a shared phone never mixes two people's.
    pub user_id: String,
    pub display_name: String,
    pub email: String,
}

/// Who is signed in, if anyone.
#[server(prefix = "/api", endpoint = "me")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn me() -> Result<Option<CurrentUser>, AppError> {
    Ok(context::current_user().await?.map(|u| CurrentUser {
        user_id: u.id.to_string(),
        display_name: u.display_name,
        email: u.email.as_str().to_owned(),
    }))
}

/// Creates an account and signs it in, then goes to `next` (or "my events").
/// The same answer whether or not the address has an account (see the
/// module documentation).
#[server(prefix = "/api", endpoint = "signup")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn signup(
    display_name: String,
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    let display_name = PersonName::parse("display_name", &display_name)?;
    let email = Email::parse(&email)?;
    let password = Password::parse(&password)?;
    let state = context::state()?;
    state.limits.signup(limits::client_ip().await)?;
    let signed_in = match state.store.credentials(&email).await? {
        None => create_account(&state, email.clone(), display_name, password).await?,
        Some(existing) => {
            // One Argon2 computation either way: the time taken tells
            // nothing either.
            let id = existing.user_id;
            if password::verify(password, Some(existing.password_hash)).await? {
                Some(id)
            } else {
                None
            }
        }
    };
    match signed_in {
        Some(user) => {
            context::sign_in(user).await?;
        }
        None => {
            tracing::info!("sign-up with a registered address; its owner is told");
            notify_owner(&state, &email);
            // The new-account answer carries a fresh session cookie: so
            // does this one (signed out).
            let session = context::session().await?;
            session.cycle_id().await.map_err(|_| AppError::Internal)?;
            session
                .insert("signup_attempted", true)
                .await
                .map_err(|_| AppError::Internal)?;
        }
    }
    context::redirect_local(next.as_deref(), "/events");
    Ok(())
}

/// A new account for `email`; `None` when the address was taken a moment
/// ago (the race reads like any known address).
#[cfg(feature = "ssr")]
async fn create_account(
    state: &crate::state::AppState,
    email: Email,
    display_name: PersonName,
    password: Password,
) -> Result<Option<crate::domain::UserId>, AppError> {
    let password_hash = password::hash(password).await?;
    match state
        .store
        .create_user(NewUser {
            email,
            display_name,
            password_hash,
        })
        .await
    {
        Ok(user) => {
            tracing::info!(user = %user.id, "account created");
            Ok(Some(user.id))
        }
        Err(StoreError::Conflict(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Mails the owner of `email` that someone tried to sign up with it (at
/// most once an hour), in the background: the answer does not wait.
#[cfg(feature = "ssr")]
fn notify_owner(state: &crate::state::AppState, email: &Email) {
    if !state.limits.signup_notice(email.as_str()) {
        return;
    }
    let body = format!(
        "Hello,\n\nSomeone tried to create a Rapport account with this address.\n\
         You already have one, so nothing was changed.\n\n\
         If it was you, log in instead:\n\n{}/login\n\n\
         If it was not you, you can ignore this message.\n",
        state.config.public_url
    );
    let (postman, email) = (state.postman.clone(), email.clone());
    tokio::spawn(async move {
        postman
            .account_notice(&email, "Your Rapport account", &body)
            .await;
    });
}

/// Signs in with email and password, then goes to `next` (or "my events").
#[server(prefix = "/api", endpoint = "login")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    // Malformed input cannot match an account: same answer as a wrong password.
    let (Ok(email), Ok(password)) = (Email::parse(&email), Password::parse(&password)) else {
        return Err(AppError::BadCredentials);
    };
    let state = context::state()?;
    state
        .limits
        .login(email.as_str(), limits::client_ip().await)?;
    let credentials = state.store.credentials(&email).await?;
    let user_id = credentials.as_ref().map(|c| c.user_id);
    let ok = password::verify(password, credentials.map(|c| c.password_hash)).await?;
    match (ok, user_id) {
        (true, Some(id)) => {
            // The wrong passwords typed here before no longer count.
            state
                .limits
                .login_succeeded(email.as_str(), limits::client_ip().await);
            context::sign_in(id).await?;
            context::redirect_local(next.as_deref(), "/events");
            Ok(())
        }
        _ => Err(AppError::BadCredentials),
    }
}

/// Ends the session.
#[server(prefix = "/api", endpoint = "logout")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn logout() -> Result<(), AppError> {
    context::sign_out().await?;
    leptos_axum::redirect("/");
    Ok(())
}
