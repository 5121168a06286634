//! Who is signed in, known to every component.
//!
//! The login, sign-up and logout actions live here, at the top of the app,
//! so that the navigation's "who am I" resource refetches whenever one of
//! them completes, without a full page reload.

use crate::api::auth::{me, Login, Logout, CurrentUser, Signup};
use crate::error::AppError;
use leptos::prelude::*;

/// The session actions and the current-user resource, provided as context.
#[derive(Clone, Copy)]
pub struct SessionCtx {
    pub login: ServerAction<Login>,
    pub signup: ServerAction<Signup>,
    pub logout: ServerAction<Logout>,
    pub me: Resource<Result<Option<CurrentUser>, AppError>>,
}

pub fn provide_session() {
    let login = ServerAction::<Login>::new();
    let signup = ServerAction::<Signup>::new();
    let logout = ServerAction::<Logout>::new();
    let me = Resource::new(
        move || (login.version().get(), signup.version().get(), logout.version().get()),
        |_| me(),
    );
    provide_context(SessionCtx { login, signup, logout, me });
}

pub fn use_session() -> SessionCtx {
    expect_context::<SessionCtx>()
}
