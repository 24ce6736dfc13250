//! Counting attempts in a window, per address and per account: brute force against login and
//! floods of registrations are refused with 429 before they reach the database.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Limiter {
    window: Duration,
    max: u32,
    hits: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    pub fn new(max: u32, window: Duration) -> Limiter {
        Limiter {
            window,
            max,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `key` may try now; counts the attempt.
    pub fn allow(&self, key: &str) -> bool {
        let Ok(mut hits) = self.hits.lock() else { return false };
        let now = Instant::now();
        if hits.len() > 100_000 {
            hits.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = hits.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.max
    }

    /// Whether `key` is over its limit, without counting.
    pub fn blocked(&self, key: &str) -> bool {
        let Ok(hits) = self.hits.lock() else { return true };
        hits.get(key)
            .is_some_and(|(start, n)| start.elapsed() < self.window && *n >= self.max)
    }

    /// Counts a failure for `key` (login: only wrong passwords count against the account).
    pub fn record(&self, key: &str) {
        let _ = self.allow(key);
    }

    pub fn reset(&self, key: &str) {
        if let Ok(mut hits) = self.hits.lock() {
            hits.remove(key);
        }
    }
}

/// The limits the service applies.
pub struct Limits {
    /// Failed logins per account.
    pub login_account: Limiter,
    /// Login attempts per address.
    pub login_address: Limiter,
    /// Registrations per address.
    pub register_address: Limiter,
    /// Password reset requests per address.
    pub reset_address: Limiter,
    /// "Cek Status" lookups per address (numbers are hard to guess; this keeps it so).
    pub status_address: Limiter,
}

impl Default for Limits {
    fn default() -> Self {
        let quarter = Duration::from_secs(15 * 60);
        let hour = Duration::from_secs(3600);
        Limits {
            login_account: Limiter::new(5, quarter),
            login_address: Limiter::new(30, quarter),
            register_address: Limiter::new(10, hour),
            reset_address: Limiter::new(5, hour),
            status_address: Limiter::new(30, quarter),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_refused_after_its_limit_until_the_window_passes() {
        let l = Limiter::new(2, Duration::from_millis(50));
        assert!(l.allow("a"));
        assert!(l.allow("a"));
        assert!(!l.allow("a"));
        assert!(l.allow("b"), "other keys are not affected");
        std::thread::sleep(Duration::from_millis(60));
        assert!(l.allow("a"));
    }
}
