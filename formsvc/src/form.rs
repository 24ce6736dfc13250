//! Reading a submitted form: each field parsed into its domain type, every problem collected
//! with the field it belongs to, in the order the form shows them.

use std::collections::HashMap;

use minijinja::{Value, context};

use crate::domain::DomainError;

pub struct FormCheck<'a> {
    pub values: &'a HashMap<String, String>,
    pub errors: Vec<(&'static str, String)>,
}

impl<'a> FormCheck<'a> {
    pub fn new(values: &'a HashMap<String, String>) -> Self {
        FormCheck {
            values,
            errors: Vec::new(),
        }
    }

    pub fn raw(&self, name: &str) -> &str {
        self.values.get(name).map(|s| s.trim()).unwrap_or("")
    }

    /// A required field: `empty` is the message when nothing was entered.
    pub fn required<T>(
        &mut self,
        name: &'static str,
        empty: &str,
        parse: impl FnOnce(&str) -> Result<T, DomainError>,
    ) -> Option<T> {
        let raw = self.raw(name).to_string();
        if raw.is_empty() {
            self.errors.push((name, empty.to_string()));
            return None;
        }
        match parse(&raw) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::info!(field = name, problem = e.log_code(), "form field refused");
                self.errors.push((name, e.to_string()));
                None
            }
        }
    }

    /// An optional field: `Some(None)` when left empty.
    pub fn optional<T>(
        &mut self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, DomainError>,
    ) -> Option<Option<T>> {
        let raw = self.raw(name).to_string();
        if raw.is_empty() {
            return Some(None);
        }
        match parse(&raw) {
            Ok(v) => Some(Some(v)),
            Err(e) => {
                tracing::info!(field = name, problem = e.log_code(), "form field refused");
                self.errors.push((name, e.to_string()));
                None
            }
        }
    }

    /// Free text with a length limit (places, occupations, addresses).
    pub fn text(&mut self, name: &'static str, label: &str, min: usize, max: usize) -> Option<String> {
        let raw: String = self.raw(name).split_whitespace().collect::<Vec<_>>().join(" ");
        let n = raw.chars().count();
        if n == 0 {
            self.errors.push((name, format!("Isi {label}.")));
            None
        } else if n < min {
            self.errors.push((name, format!("{label} minimal {min} karakter.")));
            None
        } else if n > max {
            self.errors.push((name, format!("{label} maksimal {max} karakter.")));
            None
        } else if raw.chars().any(|c| c.is_control()) {
            self.errors
                .push((name, format!("{label} berisi karakter yang tidak diizinkan.")));
            None
        } else {
            Some(raw)
        }
    }

    pub fn error(&mut self, name: &'static str, message: impl Into<String>) {
        self.errors.push((name, message.into()));
    }

    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// `galat` (field → message) and `galat_daftar` (summary, in form order) for templates.
    pub fn context(&self) -> Value {
        // A field with several problems (a password too short and too common) shows them all.
        let mut by_field: HashMap<&str, String> = HashMap::new();
        for (f, m) in &self.errors {
            by_field
                .entry(f)
                .and_modify(|all| {
                    all.push(' ');
                    all.push_str(m);
                })
                .or_insert_with(|| m.clone());
        }
        let list: Vec<Value> = self
            .errors
            .iter()
            .map(|(f, m)| context! { field => f, pesan => m })
            .collect();
        context! { galat => by_field, galat_daftar => list }
    }
}
