//! SQLite: the embedded store (see `db`-style writer in later commits).
