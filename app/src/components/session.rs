//! Who is signed in, known to every component.
//!
//! The navigation's "who am I" resource refetches whenever a sign-in,
//! sign-up or logout completes, without a full page reload. Login and
//! sign-up actions are created by their pages (inside `<Routes>`, where a
//! form error carried back in the URL after a JavaScript-free post is
//! visible) and registered here with [`SessionCtx::refresh_after`].

use super::resource::{resource, Data};
use crate::api::auth::{me, CurrentUser, Logout};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The current-user resource and the logout action, provided as context.
#[derive(Clone, Copy)]
pub struct SessionCtx {
    pub me: Data<Result<Option<CurrentUser>, AppError>>,
    pub logout: ServerAction<Logout>,
    /// Bumped whenever the signed-in person may have changed.
    changed: RwSignal<u64>,
}

impl SessionCtx {
    /// Refetch the current user each time `action` completes.
    pub fn refresh_after<S>(&self, action: ServerAction<S>)
    where
        S: ServerFn + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
        S::Error: Clone + Send + Sync + 'static,
    {
        let changed = self.changed;
        Effect::new(move |_| {
            if action.version().get() > 0 {
                changed.update(|n| *n += 1);
            }
        });
    }
}

pub fn provide_session() {
    let logout = ServerAction::<Logout>::new();
    let changed = RwSignal::new(0u64);
    let me = resource(move || (changed.get(), logout.version().get()), |_| me());
    provide_context(SessionCtx {
        me,
        logout,
        changed,
    });
}

pub fn use_session() -> SessionCtx {
    expect_context::<SessionCtx>()
}
