//! The typed records the store reads and writes. Handlers build the `New…` records from parsed
//! forms and get the others back from the store; nothing here knows an engine. A value read
//! back is as typed as the form that wrote it: the store refuses a row whose status word or
//! field does not parse (`Error::Corrupt`), it never fills in a default.
//!
//! The files follow the store's concerns; every record is re-exported here, so callers name
//! `records::X` without knowing which file holds it.

mod access;
mod accounts;
mod applications;
mod audit;
mod mail;
mod officers;
mod registrations;
mod retention;
mod rights;
mod scans;

pub use self::access::*;
pub use self::accounts::*;
pub use self::applications::*;
pub use self::audit::*;
pub use self::mail::*;
pub use self::officers::*;
pub use self::registrations::*;
pub use self::retention::*;
pub use self::rights::*;
pub use self::scans::*;
