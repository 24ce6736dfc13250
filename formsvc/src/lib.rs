//! The form service (filled by the service issues).
