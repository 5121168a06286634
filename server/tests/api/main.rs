//! Rapport driven from outside, as its users and operators drive it: the
//! real server started on port 0 (SQLite always, PostgreSQL when
//! `RAPPORT_TEST_POSTGRES_URL` is set; CI also sets `RAPPORT_REQUIRE_POSTGRES`
//! so that half cannot be skipped), spoken to over real HTTP and WebSocket,
//! plus real `rapport` processes for the CLI and the cluster.
//!
//! One test binary, one module per capability (as zero-to-production
//! does): the server and Leptos are linked once instead of once per file,
//! which keeps the debug `target/` small and the link step short. The
//! harness (`common`) is shared with the store contract suite.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

mod accounts_and_events;
mod announcements;
mod api_v1;
mod assets;
mod attendance;
mod badges;
mod cluster;
mod dashboard;
mod follow_up;
mod imports;
mod live;
mod matching;
mod messages;
mod my_data;
mod profiles;
mod push;
mod rooms;
mod schedule;
mod seed_demo;
mod settings;
mod shutdown;
