//! Loads a theme: its templates into one minijinja environment, and its static files under
//! fingerprinted names (`site.css` → `/assets/site.3f2a9c1b.css`) so browsers may cache them
//! forever. The service renders its pages through the same `Theme`, inside the same layout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use minijinja::{Environment, UndefinedBehavior, Value};
use sha2::{Digest, Sha256};

use crate::error::Problem;

/// A static file of the theme under its fingerprinted name.
#[derive(Debug, Clone)]
pub struct Asset {
    /// The name templates ask for: `site.css`.
    pub name: String,
    /// Where it is served: `/assets/site.3f2a9c1b.css`.
    pub url: String,
    pub bytes: Arc<Vec<u8>>,
}

impl Asset {
    /// The output path relative to the site root: `assets/site.3f2a9c1b.css`.
    pub fn out_path(&self) -> &str {
        self.url.trim_start_matches('/')
    }
}

pub struct Theme {
    pub dir: PathBuf,
    env: Environment<'static>,
    assets: BTreeMap<String, Asset>,
}

fn fingerprint(name: &str, bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let short: String = hash.iter().take(4).map(|b| format!("{b:02x}")).collect();
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("/assets/{stem}.{short}.{ext}"),
        None => format!("/assets/{name}.{short}"),
    }
}

/// Drops comments and the white space CSS does not need. Strings and `url(...)` are copied as
/// they are; white space is kept where it separates words (`a b`, `1px solid`), so selectors
/// and values mean what they meant.
pub fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for d in chars.by_ref() {
                    if prev == '*' && d == '/' {
                        break;
                    }
                    prev = d;
                }
                pending_space = true;
            }
            '"' | '\'' => {
                if pending_space && !out.is_empty() && !out.ends_with(['{', '}', ';', ':', ',', '>', '(']) {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
                while let Some(d) = chars.next() {
                    out.push(d);
                    if d == '\\' {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    } else if d == c {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => pending_space = true,
            '{' | '}' | ';' | ',' | '>' => {
                if c == '}' && out.ends_with(';') {
                    out.pop();
                }
                out.push(c);
                pending_space = false;
            }
            c => {
                if pending_space
                    && !out.is_empty()
                    && !out.ends_with(['{', '}', ';', ',', '>', '('])
                    && (!out.ends_with(':') || out.ends_with("::") || !paren_or_block_value(&out))
                {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
            }
        }
    }
    out
}

/// Whether the `:` that `out` ends with separates a property from its value (inside a block,
/// outside parentheses), where the space after it can go; in a selector (`a :focus`) it stays.
fn paren_or_block_value(out: &str) -> bool {
    let in_block = match (out.rfind('{'), out.rfind('}')) {
        (Some(o), Some(c)) => o > c,
        (Some(_), None) => true,
        _ => false,
    };
    // `@media (min-width: 40em)`: inside parentheses the space may go as well.
    let in_parens = out.rfind('(') > out.rfind(')');
    in_block || in_parens
}

/// Writes `s` HTML-escaped, copying the runs between special characters in one go.
fn write_escaped(out: &mut impl std::fmt::Write, s: &str) -> std::fmt::Result {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&s[last..i])?;
        out.write_str(entity)?;
        last = i + 1;
    }
    out.write_str(&s[last..])
}

/// Where a template error stands, as a `Problem` on the template file.
pub fn template_problem(dir: &Path, e: &minijinja::Error) -> Problem {
    let name = e.name().unwrap_or("?");
    let file = dir.join("templates").join(name);
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        source = s.source();
    }
    Problem::new(file, e.line().unwrap_or(1), 1, format!("kesalahan templat: {detail}"))
}

impl Theme {
    /// Loads every template and static file of the theme at `dir`; reports every template
    /// that does not parse.
    pub fn load(dir: &Path) -> Result<Theme, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        // The default escaper also escapes `/`, which turns every URL into `&#x2f;` soup and
        // bloats pages; escaping & < > " ' is what HTML needs, in text and in quoted attributes.
        env.set_formatter(|out, state, value| {
            if let Some(s) = value.as_str()
                && !value.is_safe()
                && state.auto_escape() == minijinja::AutoEscape::Html
            {
                write_escaped(out, s)
                    .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write failed"))
            } else {
                minijinja::escape_formatter(out, state, value)
            }
        });
        let templates = dir.join("templates");
        let mut names = Vec::new();
        for entry in walkdir::WalkDir::new(&templates)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(&templates).unwrap_or(entry.path());
            let name = rel.to_string_lossy().replace('\\', "/");
            match std::fs::read_to_string(entry.path()) {
                Ok(src) => names.push((name, src)),
                Err(e) => problems.push(Problem::new(
                    entry.path(),
                    1,
                    1,
                    format!("templat tidak dapat dibaca: {e}"),
                )),
            }
        }
        if names.is_empty() {
            problems.push(Problem::new(
                &templates,
                1,
                1,
                "folder templat tema tidak ditemukan atau kosong",
            ));
        }
        for (name, src) in names {
            if let Err(e) = env.add_template_owned(name, src) {
                problems.push(template_problem(dir, &e));
            }
        }

        let mut assets = BTreeMap::new();
        let statics = dir.join("static");
        for entry in walkdir::WalkDir::new(&statics)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(&statics).unwrap_or(entry.path());
            let name = rel.to_string_lossy().replace('\\', "/");
            match std::fs::read(entry.path()) {
                Ok(bytes) => {
                    // Stylesheets are served minified: every page loads one, on slow links.
                    let bytes = match (name.ends_with(".css"), String::from_utf8(bytes)) {
                        (true, Ok(css)) => minify_css(&css).into_bytes(),
                        (_, Ok(text)) => text.into_bytes(),
                        (_, Err(e)) => e.into_bytes(),
                    };
                    let url = fingerprint(&name, &bytes);
                    assets.insert(
                        name.clone(),
                        Asset {
                            name,
                            url,
                            bytes: Arc::new(bytes),
                        },
                    );
                }
                Err(e) => problems.push(Problem::new(
                    entry.path(),
                    1,
                    1,
                    format!("berkas tema tidak dapat dibaca: {e}"),
                )),
            }
        }
        let urls: BTreeMap<String, String> = assets.iter().map(|(k, a)| (k.clone(), a.url.clone())).collect();
        env.add_function("asset", move |name: String| -> Result<String, minijinja::Error> {
            urls.get(&name).cloned().ok_or_else(|| {
                minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("asset(\"{name}\"): there is no static/{name} in the theme"),
                )
            })
        });
        if problems.is_empty() {
            Ok(Theme {
                dir: dir.to_path_buf(),
                env,
                assets,
            })
        } else {
            Err(problems)
        }
    }

    pub fn assets(&self) -> impl Iterator<Item = &Asset> {
        self.assets.values()
    }

    /// The static file `name` of the theme (`favicon.ico`), if it has one.
    pub fn asset(&self, name: &str) -> Option<&Asset> {
        self.assets.get(name)
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.env.get_template(name).is_ok()
    }

    /// Renders `template` with `ctx`; an error becomes a `Problem` on the template's line.
    pub fn render(&self, template: &str, ctx: Value) -> Result<String, Problem> {
        let t = self
            .env
            .get_template(template)
            .map_err(|e| template_problem(&self.dir, &e))?;
        t.render(ctx).map_err(|e| template_problem(&self.dir, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::minify_css;

    #[test]
    fn minified_css_keeps_what_selectors_and_values_mean() {
        let css = "/* head */\n.nav :focus-visible {\n  outline: 3px solid #000;\n  margin: 0 auto;\n}\n@media (min-width: 40em) {\n  a > b, c::after { content: \"a  b\"; }\n}\n";
        assert_eq!(
            minify_css(css),
            ".nav :focus-visible{outline:3px solid #000;margin:0 auto}@media (min-width:40em){a>b,c::after{content:\"a  b\"}}"
        );
    }
}
