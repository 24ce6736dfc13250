//! End-to-end tests across the workspace: the real `content/` built by the real `sicantik`
//! binary and checked in a real browser.

mod applications;
mod journey;
mod site;
mod support;
