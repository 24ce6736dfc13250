//! The service's pages, one module per journey.

pub mod account;
pub mod application;
pub mod officer;
pub mod registration;
pub mod review;
