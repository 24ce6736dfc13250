//! End-to-end tests across the workspace: the real `content/` built by the real `sicantik`
//! binary and checked in a real browser, several `sicantik serve` processes sharing one
//! PostgreSQL database and one S3 bucket, backup and restore under load, and the shipped nginx
//! site in front of `serve`.

mod applications;
mod backup;
mod cluster;
mod forms;
mod instances;
mod journey;
mod logs;
mod nginx;
mod people;
mod settings;
mod site;
mod support;
mod watch;
