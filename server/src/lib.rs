//! The `rapport` server process: configuration, start-up and graceful
//! shutdown, the axum router, the SQLite and PostgreSQL stores, sessions,
//! the realtime hub (live rooms over WebSocket), the public REST API and
//! its webhook worker, the demo seed and the command-line interface.

#![recursion_limit = "256"]

pub mod api_v1;
pub mod assets;
pub mod badges;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod contacts;
pub mod db;
pub mod exports;
pub mod follow_up;
pub mod http;
pub mod imports;
pub mod mail;
pub mod origin;
pub mod photos;
pub mod push;
pub mod realtime;
pub mod redirect;
pub mod secret;
pub mod seed;
pub mod sessions;
pub mod shutdown;
pub mod signed_in;
#[cfg(test)]
mod spans;
pub mod startup;
pub mod webhooks;
