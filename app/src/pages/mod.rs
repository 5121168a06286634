//! One module per page (or small group of pages) of the app.

pub mod account;
pub mod attendance;
pub mod auth;
pub mod badges;
pub mod claim;
pub mod connections;
pub mod dashboard;
pub mod event;
pub mod events;
pub mod follow_up;
pub mod home;
pub mod imports;
pub mod integrations;
pub mod join;
pub mod lazy;
pub mod leads;
pub mod meet;
pub mod messages;
pub mod not_found;
pub mod people;
pub mod push;
pub mod rooms;
pub mod scanner;
pub mod schedule;
pub mod settings;
