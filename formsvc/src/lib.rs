//! The sicantik form service: registration of applicants, accounts, officer review and the
//! emails between them, stored in SQLite and sent through an outbox. It renders its pages with
//! the site's theme and reads the permit catalogue from the generator's content model.

pub mod application;
pub mod audit;
pub mod backup;
pub mod blob;
pub mod client_addr;
pub mod clock;
pub mod config;
pub mod deadline;
pub mod domain;
pub mod error;
pub mod flash;
mod form;
pub mod keys;
pub mod mail;
pub mod observe;
pub mod officers;
pub mod outbox;
pub mod privacy;
pub mod ratelimit;
pub mod records;
pub mod retention;
pub mod routes;
#[doc(hidden)]
pub mod samples;
pub mod scan;
pub mod second_factor;
pub mod security;
pub mod server;
pub mod service;
pub mod store;
pub mod sweeper;
pub mod upload;
pub mod web;
pub mod wilayah;

pub use config::Config;
pub use error::{Error, Result};
pub use service::{Service, serve};
