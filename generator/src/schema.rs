//! Reads YAML values into the content model's fields, reporting every problem (unknown key,
//! missing key, wrong type, value out of range) in Indonesian with the editor's line and column.
//! It keeps going after a problem so that one build reports all of them.

use std::path::Path;

use serde_yaml::{Mapping, Value};

use crate::error::Problem;
use crate::locate::Locator;

/// One allowed key of a mapping: its name and, for "missing" messages, what it holds.
pub struct Key {
    pub name: &'static str,
    pub required: bool,
    pub hint: &'static str,
}

pub const fn req(name: &'static str, hint: &'static str) -> Key {
    Key {
        name,
        required: true,
        hint,
    }
}

pub const fn opt(name: &'static str, hint: &'static str) -> Key {
    Key {
        name,
        required: false,
        hint,
    }
}

/// A closed set of words an editor may write, such as `perorangan` or `pdf`.
pub trait Choice: Sized + Copy + 'static {
    const WHAT: &'static str;
    fn all() -> &'static [Self];
    fn word(self) -> &'static str;
    fn parse(s: &str) -> Option<Self> {
        Self::all().iter().copied().find(|c| c.word() == s)
    }
}

pub struct Reader<'a> {
    pub file: &'a Path,
    /// The YAML text and the file line it starts on; positions are worked out from it only
    /// when there is a problem to report, which keeps valid files cheap.
    yaml: &'a str,
    first_line: usize,
    loc: std::cell::OnceCell<Locator>,
    pub problems: Vec<Problem>,
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

pub fn describe(v: &Value) -> String {
    match v {
        Value::Null => "kosong".into(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) => format!("angka {n}"),
        Value::String(s) => format!("teks \"{s}\""),
        Value::Sequence(_) => "daftar".into(),
        Value::Mapping(_) => "kumpulan kunci".into(),
        Value::Tagged(_) => "nilai bertanda".into(),
    }
}

/// Edit distance counting a swap of two neighbouring letters as one edit (the commonest typo,
/// as in `2012` for `2021`), for "did you mean" hints.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

pub fn closest<'k>(word: &str, candidates: impl IntoIterator<Item = &'k str>) -> Option<&'k str> {
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, c)| c)
}

impl<'a> Reader<'a> {
    pub fn new(file: &'a Path, yaml: &'a str, first_line: usize) -> Self {
        Self {
            file,
            yaml,
            first_line,
            loc: std::cell::OnceCell::new(),
            problems: Vec::new(),
        }
    }

    fn loc(&self) -> &Locator {
        self.loc.get_or_init(|| Locator::new(self.yaml, self.first_line))
    }

    pub fn at_key(&mut self, path: &str, message: impl Into<String>) {
        let p = self.loc().key(path);
        self.problems.push(Problem::new(self.file, p.line, p.column, message));
    }

    pub fn at_value(&mut self, path: &str, message: impl Into<String>) {
        let p = self.loc().value(path);
        self.problems.push(Problem::new(self.file, p.line, p.column, message));
    }

    /// Checks that `v` is a mapping with only `keys`, and that every required key is there.
    pub fn mapping<'v>(&mut self, v: &'v Value, path: &str, keys: &[Key]) -> Option<&'v Mapping> {
        let Value::Mapping(map) = v else {
            let what = if path.is_empty() {
                "front matter".to_string()
            } else {
                format!("\"{path}\"")
            };
            self.at_value(
                path,
                format!("{what} harus berupa kumpulan \"kunci: nilai\", bukan {}", describe(v)),
            );
            return None;
        };
        for k in map.keys() {
            let Some(name) = k.as_str() else {
                self.at_key(path, format!("kunci harus berupa teks, bukan {}", describe(k)));
                continue;
            };
            if keys.iter().any(|key| key.name == name) {
                continue;
            }
            let kpath = join(path, name);
            let known = keys.iter().map(|k| k.name);
            let msg = match closest(name, known) {
                Some(s) => format!("kunci \"{name}\" tidak dikenal; mungkin maksudnya \"{s}\"?"),
                None => format!(
                    "kunci \"{name}\" tidak dikenal; kunci yang dapat dipakai di sini: {}",
                    keys.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
                ),
            };
            self.at_key(&kpath, msg);
        }
        for key in keys.iter().filter(|k| k.required) {
            if !map.contains_key(key.name) {
                let msg = format!("kunci wajib \"{}\" belum ada: {}", key.name, key.hint);
                self.at_key(path, msg);
            }
        }
        Some(map)
    }

    pub fn text(&mut self, map: &Mapping, path: &str, key: &str) -> Option<String> {
        let v = map.get(key)?;
        let kpath = join(path, key);
        match v {
            Value::String(s) if s.trim().is_empty() => {
                self.at_value(&kpath, format!("\"{key}\" tidak boleh kosong"));
                None
            }
            Value::String(s) => Some(s.trim().to_string()),
            Value::Null => {
                self.at_value(&kpath, format!("\"{key}\" tidak boleh kosong"));
                None
            }
            other => {
                self.at_value(
                    &kpath,
                    format!("\"{key}\" harus berupa teks, bukan {}", describe(other)),
                );
                None
            }
        }
    }

    /// Text where editors may also write a bare number (a regulation's `nomor: 24`).
    pub fn text_or_number(&mut self, map: &Mapping, path: &str, key: &str) -> Option<String> {
        match map.get(key) {
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => self.text(map, path, key),
        }
    }

    pub fn uint(&mut self, map: &Mapping, path: &str, key: &str, min: u64, max: u64, unit: &str) -> Option<u64> {
        let v = map.get(key)?;
        let kpath = join(path, key);
        match v.as_u64() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(n) => {
                self.at_value(
                    &kpath,
                    format!("\"{key}\" harus antara {min} dan {max} {unit}, bukan {n}"),
                );
                None
            }
            None => {
                let msg = format!("\"{key}\" harus berupa bilangan bulat ({unit}), bukan {}", describe(v));
                self.at_value(&kpath, msg);
                None
            }
        }
    }

    pub fn boolean(&mut self, map: &Mapping, path: &str, key: &str) -> Option<bool> {
        let v = map.get(key)?;
        match v {
            Value::Bool(b) => Some(*b),
            other => {
                let msg = format!("\"{key}\" harus true atau false, bukan {}", describe(other));
                self.at_value(&join(path, key), msg);
                None
            }
        }
    }

    /// A list of text items (written `[a, b]` or as `- a` lines).
    pub fn text_list(&mut self, map: &Mapping, path: &str, key: &str, example: &str) -> Option<Vec<(String, String)>> {
        let v = map.get(key)?;
        let kpath = join(path, key);
        let Value::Sequence(items) = v else {
            let msg = format!(
                "\"{key}\" harus berupa daftar, misalnya {example}; bukan {}",
                describe(v)
            );
            self.at_value(&kpath, msg);
            return None;
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let ipath = join(&kpath, &i.to_string());
            match item {
                Value::String(s) if !s.trim().is_empty() => out.push((s.trim().to_string(), ipath)),
                other => self.at_value(
                    &ipath,
                    format!("isi \"{key}\" harus berupa teks, bukan {}", describe(other)),
                ),
            }
        }
        Some(out)
    }

    /// A non-empty list of words of `T`, without repeats.
    pub fn choices<T: Choice + PartialEq>(&mut self, map: &Mapping, path: &str, key: &str) -> Option<Vec<T>> {
        let example = format!(
            "[{}]",
            T::all().iter().take(2).map(|c| c.word()).collect::<Vec<_>>().join(", ")
        );
        let items = self.text_list(map, path, key, &example)?;
        if items.is_empty() {
            self.at_value(
                &join(path, key),
                format!("\"{key}\" tidak boleh kosong; isi misalnya {example}"),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (word, ipath) in items {
            match T::parse(&word) {
                Some(c) if out.contains(&c) => self.at_value(&ipath, format!("\"{word}\" disebut dua kali")),
                Some(c) => out.push(c),
                None => {
                    ok = false;
                    let words: Vec<&str> = T::all().iter().map(|c| c.word()).collect();
                    let hint = match closest(&word, words.iter().copied()) {
                        Some(s) => format!("; mungkin maksudnya \"{s}\"?"),
                        None => String::new(),
                    };
                    let msg = format!(
                        "\"{word}\" bukan {} yang dikenal; pilih dari: {}{hint}",
                        T::WHAT,
                        words.join(", ")
                    );
                    self.at_value(&ipath, msg);
                }
            }
        }
        ok.then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_in_a_key_is_matched_to_the_key_meant() {
        assert_eq!(
            closest("persyaratn", ["nama", "persyaratan", "produk"]),
            Some("persyaratan")
        );
        assert_eq!(closest("zzz", ["nama", "persyaratan"]), None);
        assert_eq!(closest("pp-5-2012", ["pp-14-2012", "pp-5-2021"]), Some("pp-5-2021"));
    }
}
