//! End-to-end tests across the workspace: the real `content/` built by the real `sicantik`
//! binary and checked in a real browser, and several `sicantik serve` processes sharing one
//! PostgreSQL database and one S3 bucket.

mod applications;
mod backup;
mod cluster;
mod instances;
mod journey;
mod people;
mod site;
mod support;
