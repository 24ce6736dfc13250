//! Integration tests of the form service: the real service on port 0 with a temporary data
//! directory (a real SQLite file), driven through its HTML forms over HTTP, against a real SMTP
//! server on loopback. Every test runs on the embedded store and again on PostgreSQL + S3
//! (`backend`), and every upload is scanned by real clamd when `SICANTIK_TEST_CLAMD` names one
//! (`.ci/services` starts it).

mod access;
mod accounts;
mod applications;
mod backend;
mod check_answers;
mod console;
mod dokumen;
mod encryption;
mod forms;
mod hardening;
mod helpers;
mod mail;
mod ops;
mod registration;
mod retention;
mod rights;
mod scan;
mod second_factor;
mod security;
mod smtp;
mod store;
