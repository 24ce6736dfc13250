//! The content loader: one file of `content/` (YAML front matter and Markdown, or the YAML of
//! `situs.yaml`) read into the model. The input's first line is the file's path inside the
//! content folder, so that the path rules are fuzzed too and every kind of file is reachable;
//! the rest is the file's text.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Content files are read as UTF-8; anything else is refused before the loader sees it.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some((rel, text)) = text.split_once('\n') else {
        return;
    };
    let _ = generator::parse_one(Path::new(rel), text);
});
