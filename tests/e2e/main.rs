//! End-to-end tests across the workspace: the real `content/` built by the real `sicantik`
//! binary and checked in a real browser, several `sicantik serve` processes sharing one
//! PostgreSQL database and one S3 bucket, and the shipped nginx site in front of `serve`.

mod applications;
mod cluster;
mod instances;
mod journey;
mod nginx;
mod site;
mod support;
