//! Accounts: sign up, log in, log out, and the signed-in person's profile.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    api::{context, limits, password},
    domain::{Email, Password, PersonName},
    ports::{NewUser, StoreError},
};

/// The signed-in person as the navigation shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub display_name: String,
    pub email: String,
}

/// Who is signed in, if anyone.
#[server(prefix = "/api", endpoint = "me")]
pub async fn me() -> Result<Option<CurrentUser>, AppError> {
    Ok(context::current_user().await?.map(|u| CurrentUser {
        display_name: u.display_name,
        email: u.email.as_str().to_owned(),
    }))
}

/// Creates an account and signs it in, then goes to `next` (or "my events").
#[server(prefix = "/api", endpoint = "signup")]
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
    let password_hash = password::hash(password).await?;
    let user = state
        .store
        .create_user(NewUser {
            email,
            display_name,
            password_hash,
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Conflict(
                "An account with this email already exists. Log in instead.".into(),
            ),
            other => other.into(),
        })?;
    tracing::info!(user = %user.id, "account created");
    context::sign_in(user.id).await?;
    context::redirect_local(next.as_deref(), "/events");
    Ok(())
}

/// Signs in with email and password, then goes to `next` (or "my events").
#[server(prefix = "/api", endpoint = "login")]
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
            context::sign_in(id).await?;
            context::redirect_local(next.as_deref(), "/events");
            Ok(())
        }
        _ => Err(AppError::BadCredentials),
    }
}

/// Ends the session.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    context::sign_out().await?;
    leptos_axum::redirect("/");
    Ok(())
}
