//! Finds where a key or value stands in a YAML text, so that problems found after parsing
//! (a wrong type, an unknown id, a duplicate) can be reported at the editor's line and column.
//!
//! YAML parsers hand back values without positions; rather than a second parser, this reads the
//! block structure that content files use (indentation, `key:` and `- ` items, short `[a, b]`
//! lists). Anything it cannot place falls back to the nearest enclosing key it can, so a report
//! is never without a line.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// Positions of keys and values by path: `persyaratan.2.wajib`, `dasar_hukum.1`.
#[derive(Debug, Default)]
pub struct Locator {
    keys: HashMap<String, Pos>,
    values: HashMap<String, Pos>,
    first_line: usize,
}

struct Frame {
    indent: usize,
    path: String,
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

/// Strips a trailing ` # comment` outside quotes.
fn strip_comment(s: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => return s[..i].trim_end(),
            None => {}
        }
        prev = c;
    }
    s.trim_end()
}

/// Splits `key: rest` (key unquoted or quoted); `None` when the text is not a key line.
fn key_of(s: &str) -> Option<(&str, usize)> {
    let bytes = s.as_bytes();
    let (key, end) = if bytes.first() == Some(&b'"') || bytes.first() == Some(&b'\'') {
        let q = bytes[0] as char;
        let close = s[1..].find(q)? + 1;
        (&s[1..close], close + 1)
    } else {
        let colon = s.find(": ").or_else(|| s.strip_suffix(':').map(|k| k.len()))?;
        (&s[..colon], colon)
    };
    let after = &s[end..];
    if !(after.starts_with(": ") || after == ":") || key.is_empty() || key.contains(['[', '{']) {
        return None;
    }
    let value_offset = end + 1 + (after.len() - 1 - after[1..].trim_start().len());
    Some((key.trim(), value_offset))
}

impl Locator {
    /// `first_line` is the file line on which `yaml` starts.
    pub fn new(yaml: &str, first_line: usize) -> Self {
        let mut loc = Locator {
            first_line,
            ..Default::default()
        };
        let mut frames: Vec<Frame> = vec![];
        // Keys whose value is a block (nothing after the colon): the owners of following items.
        let mut block_keys: Vec<(usize, String)> = vec![];
        let mut counters: HashMap<String, usize> = HashMap::new();

        for (i, raw) in yaml.lines().enumerate() {
            let line = first_line + i;
            let content = strip_comment(raw.trim_start());
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let mut indent = raw.len() - raw.trim_start().len();
            let mut rest = content;
            let mut parent: Option<String> = None;

            if rest == "-" || rest.starts_with("- ") {
                while block_keys.last().is_some_and(|(ind, _)| *ind > indent) {
                    block_keys.pop();
                }
                while frames.last().is_some_and(|f| f.indent > indent) {
                    frames.pop();
                }
                let owner = block_keys.last().map(|(_, p)| p.clone()).unwrap_or_default();
                let n = counters.entry(owner.clone()).or_insert(0);
                let item = join(&owner, &n.to_string());
                *n += 1;
                let dash_pos = Pos {
                    line,
                    column: indent + 1,
                };
                loc.keys.insert(item.clone(), dash_pos);
                let after = rest[1..].trim_start();
                let shift = rest.len() - after.len();
                indent += shift;
                rest = after;
                if rest.is_empty() {
                    continue;
                }
                if key_of(rest).is_none() {
                    loc.values.insert(
                        item.clone(),
                        Pos {
                            line,
                            column: indent + 1,
                        },
                    );
                    loc.flow_items(&item, rest, line, indent);
                    continue;
                }
                frames.push(Frame {
                    indent,
                    path: item.clone(),
                });
                parent = Some(item);
            }

            let Some((key, value_offset)) = key_of(rest) else {
                continue;
            };
            let parent = match parent {
                Some(p) => p,
                None => {
                    while frames.last().is_some_and(|f| f.indent > indent) {
                        frames.pop();
                    }
                    match frames.last() {
                        Some(f) if f.indent == indent => f.path.clone(),
                        _ => {
                            let p = block_keys
                                .iter()
                                .rev()
                                .find(|(ind, _)| *ind < indent)
                                .map(|(_, p)| p.clone())
                                .unwrap_or_default();
                            frames.push(Frame {
                                indent,
                                path: p.clone(),
                            });
                            p
                        }
                    }
                }
            };
            while block_keys.last().is_some_and(|(ind, _)| *ind >= indent) {
                block_keys.pop();
            }
            let path = join(&parent, key);
            loc.keys.insert(
                path.clone(),
                Pos {
                    line,
                    column: indent + 1,
                },
            );
            let value = &rest[value_offset.min(rest.len())..];
            if value.is_empty() {
                block_keys.push((indent, path));
            } else {
                let column = indent + 1 + value_offset;
                loc.values.insert(path.clone(), Pos { line, column });
                loc.flow_items(&path, value, line, column - 1);
            }
        }
        loc
    }

    /// Records the items of a one-line flow list `[a, b, c]`.
    fn flow_items(&mut self, path: &str, value: &str, line: usize, col0: usize) {
        let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) else {
            return;
        };
        let mut offset = 1;
        for (n, part) in inner.split(',').enumerate() {
            let lead = part.len() - part.trim_start().len();
            self.values.insert(
                join(path, &n.to_string()),
                Pos {
                    line,
                    column: col0 + offset + lead + 1,
                },
            );
            offset += part.len() + 1;
        }
    }

    /// Where the key at `path` stands; falls back to the nearest ancestor, then the first line.
    pub fn key(&self, path: &str) -> Pos {
        let mut p = path;
        loop {
            if let Some(pos) = self.keys.get(p) {
                return *pos;
            }
            match p.rfind('.') {
                Some(i) => p = &p[..i],
                None => {
                    return Pos {
                        line: self.first_line,
                        column: 1,
                    };
                }
            }
        }
    }

    /// Where the value at `path` stands; falls back to its key.
    pub fn value(&self, path: &str) -> Pos {
        self.values.get(path).copied().unwrap_or_else(|| self.key(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "\
nama: Izin A   # komentar
persyaratan:
  - id: ktp
    nama: KTP
    format: [pdf, jpg]
  - id: npwp
    wajib: false
    tipe_pemohon:
      - perusahaan
dasar_hukum: [pp-24-2018, perpres-97-2014]
kontak:
  email: a@b.id
";

    #[test]
    fn finds_top_level_keys_and_values() {
        let l = Locator::new(YAML, 2);
        assert_eq!(l.key("nama"), Pos { line: 2, column: 1 });
        assert_eq!(l.value("nama"), Pos { line: 2, column: 7 });
        assert_eq!(l.key("kontak.email"), Pos { line: 13, column: 3 });
    }

    #[test]
    fn finds_keys_inside_sequence_items() {
        let l = Locator::new(YAML, 2);
        assert_eq!(l.key("persyaratan.0"), Pos { line: 4, column: 3 });
        assert_eq!(l.key("persyaratan.0.id"), Pos { line: 4, column: 5 });
        assert_eq!(l.key("persyaratan.1.wajib"), Pos { line: 8, column: 5 });
        assert_eq!(l.value("persyaratan.1.tipe_pemohon.0"), Pos { line: 10, column: 9 });
    }

    #[test]
    fn finds_items_of_flow_lists() {
        let l = Locator::new(YAML, 2);
        assert_eq!(l.value("dasar_hukum.1"), Pos { line: 11, column: 27 });
        assert_eq!(l.value("persyaratan.0.format.1"), Pos { line: 6, column: 19 });
    }

    #[test]
    fn compact_sequences_at_the_parent_indent_are_understood() {
        let l = Locator::new("persyaratan:\n- id: a\n  nama: A\n- id: b\n", 1);
        assert_eq!(l.key("persyaratan.1.id"), Pos { line: 4, column: 3 });
        assert_eq!(l.key("persyaratan.0.nama"), Pos { line: 3, column: 3 });
    }

    #[test]
    fn unknown_paths_fall_back_to_the_nearest_known_ancestor() {
        let l = Locator::new(YAML, 2);
        assert_eq!(l.key("persyaratan.0.ukuran_maks_mb"), Pos { line: 4, column: 3 });
        assert_eq!(l.key("tidak_ada"), Pos { line: 2, column: 1 });
    }
}
