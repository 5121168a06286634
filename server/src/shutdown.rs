//! The process's one shutdown ([`Shutdown`]): a cancellation token that
//! tells every background loop and WebSocket to stop, and a task tracker
//! that lets start-up wait for them before the database closes. A module
//! of its own so the parts it stops (the hub, its PostgreSQL listener, the
//! webhook worker) need not import `startup`, which builds them.

use std::{future::Future, time::Duration};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// The one shutdown of a running server, handed to everything that runs
/// beside the requests (housekeeping, the webhook worker, the PostgreSQL
/// listener and presence, the hub's clock and fan-out tasks, the
/// WebSockets). Cloning it is cheap; every clone is the same shutdown.
///
/// A token and a tracker rather than mini-redis's broadcast and drop
/// guard: the same pattern, written once and kept by the tokio project,
/// and the tracker can also count the sockets, which axum hands off after
/// the upgrade and so does not wait for.
#[derive(Clone, Debug, Default)]
pub struct Shutdown {
    /// Cancelled once, when the server begins to stop. Loops watch it
    /// between steps, so a step under way (a batch of webhooks, a
    /// heartbeat) finishes before its task returns.
    token: CancellationToken,
    /// Every task started through [`Shutdown::spawn`] or holding a
    /// [`Shutdown::task_token`], so [`Application::run_until`](crate::startup::Application::run_until) can wait for
    /// them before closing the database.
    tasks: TaskTracker,
}

impl Shutdown {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts `task` as one the shutdown waits for. The task must return
    /// soon after [`Shutdown::cancelled`] completes.
    pub fn spawn<F>(&self, task: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.tasks.spawn(task)
    }

    /// A task started elsewhere (axum starts each WebSocket's task) that
    /// the shutdown waits for while this token is alive: hold it in the
    /// task's state.
    pub fn task_token(&self) -> tokio_util::task::task_tracker::TaskTrackerToken {
        self.tasks.token()
    }

    /// Completes when the server begins to stop (at once if it has).
    pub fn cancelled(&self) -> tokio_util::sync::WaitForCancellationFuture<'_> {
        self.token.cancelled()
    }

    /// Whether the server has begun to stop.
    pub fn is_stopping(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Begins the shutdown: every loop is told to stop, and no task
    /// started from now on keeps [`Shutdown::wait`] from completing once
    /// it ends. Idempotent.
    pub fn begin(&self) {
        self.token.cancel();
        self.tasks.close();
    }

    /// Waits up to `grace` for every tracked task to end; false if some
    /// are still running then (they are logged and left to the process's
    /// exit).
    pub async fn wait(&self, grace: Duration) -> bool {
        tokio::time::timeout(grace, self.tasks.wait()).await.is_ok()
    }

    /// How many tracked tasks are running.
    pub fn running(&self) -> usize {
        self.tasks.len()
    }

    /// Whether the shutdown began and every tracked task has ended.
    pub fn finished(&self) -> bool {
        self.tasks.is_closed() && self.tasks.is_empty()
    }
}
