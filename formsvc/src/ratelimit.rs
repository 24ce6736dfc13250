//! Limits on attempts, counted in the store so they hold across instances and restarts. Each
//! limit is keyed first by what identifies the person (the account, the identifier typed, the
//! identity number, the application number) and only second, generously, by address: behind a
//! proxy or a carrier-grade NAT many people share one address, and a town must not be locked
//! out by one of them.

use crate::clock::now;
use crate::config::Config;
use crate::error::Result;
use crate::security::token_hash;
use crate::store::Shared;

/// At most `max` attempts in a fixed window of `window` seconds.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Names the counter in the store (`login`, `register-ip`, …).
    pub scope: &'static str,
    pub max: i64,
    pub window: i64,
}

impl Limit {
    /// The counter's key: the scope and a hash of what it counts, so the store keeps no email
    /// address or NIK in its counters.
    fn key(&self, subject: &str) -> String {
        format!("{}:{}", self.scope, &token_hash(subject)[..32])
    }

    /// Counts one attempt; whether it is within the limit.
    pub async fn allow(&self, store: &dyn Shared, subject: &str) -> Result<bool> {
        Ok(store.hit(&self.key(subject), self.window, now()).await? <= self.max)
    }

    /// Whether the limit is reached, without counting.
    pub async fn reached(&self, store: &dyn Shared, subject: &str) -> Result<bool> {
        Ok(store.hits(&self.key(subject), self.window, now()).await? >= self.max)
    }

    pub async fn clear(&self, store: &dyn Shared, subject: &str) -> Result<()> {
        store.clear_hits(&self.key(subject)).await
    }
}

const QUARTER: i64 = 15 * 60;
const HOUR: i64 = 3600;
const DAY: i64 = 24 * 3600;

/// The limits the service applies.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Wrong passwords per account (once the account is known) or per unknown identifier.
    pub login_failures: Limit,
    /// Login attempts per address.
    pub login_address: Limit,
    /// Registrations per identity number (NIK or passport).
    pub register_identity: Limit,
    /// Registrations per address.
    pub register_address: Limit,
    /// Password reset requests per identifier typed.
    pub reset_identifier: Limit,
    /// Password reset requests per address.
    pub reset_address: Limit,
    /// Cek Status lookups per application number.
    pub status_number: Limit,
    /// Cek Status lookups per address (numbers are hard to guess; this keeps it so).
    pub status_address: Limit,
}

impl Limits {
    pub fn from_config(cfg: &Config) -> Limits {
        Limits {
            login_failures: Limit {
                scope: "login",
                max: 5,
                window: QUARTER,
            },
            login_address: Limit {
                scope: "login-ip",
                max: cfg.limit_logins_per_address,
                window: QUARTER,
            },
            register_identity: Limit {
                scope: "register-id",
                max: 5,
                window: DAY,
            },
            register_address: Limit {
                scope: "register-ip",
                max: cfg.limit_registrations_per_address,
                window: HOUR,
            },
            reset_identifier: Limit {
                scope: "reset",
                max: 5,
                window: HOUR,
            },
            reset_address: Limit {
                scope: "reset-ip",
                max: cfg.limit_logins_per_address / 5,
                window: HOUR,
            },
            status_number: Limit {
                scope: "status",
                max: 10,
                window: QUARTER,
            },
            status_address: Limit {
                scope: "status-ip",
                max: cfg.limit_logins_per_address,
                window: QUARTER,
            },
        }
    }
}
