//! The service's pages, one module per journey. Route modules never import each other: what
//! two of them share lives in `auth` (who is signed in) and `views` (how records look).

pub mod account;
pub mod application;
pub mod audit;
pub mod auth;
pub mod correction;
pub mod erasure;
pub mod officer;
pub mod ops;
pub mod queue;
pub mod registration;
pub mod review;
pub mod revisit;
pub mod views;
