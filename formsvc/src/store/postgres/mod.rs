//! PostgreSQL: the store for several instances.
