//! The upload type check: `sniff`, which decides a file's type from its first bytes, the
//! structure check that follows the file as it streams (`upload::structure`), and the names a
//! document is kept and served under (`clean_name`, `download_name`).

#![no_main]

use formsvc::upload::structure::{Kind, Structure};
use formsvc::upload::{clean_name, download_name, sniff};
use libfuzzer_sys::fuzz_target;

const TYPES: [&str; 5] = [
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/zip",
    "x/other",
];

fuzz_target!(|data: &[u8]| {
    let kind = sniff(data);
    // The upload decides on the first 8 bytes while the file streams past (`Sniffer`), so no
    // later byte may change the verdict.
    if data.len() > 8 {
        assert_eq!(kind, sniff(&data[..8]));
    }
    if let Some((ext, content_type)) = kind {
        assert!(matches!(
            (ext, content_type),
            ("pdf", "application/pdf") | ("jpg", "image/jpeg") | ("png", "image/png") | ("zip", "application/zip")
        ));
    }

    // The structure check: whatever a file holds, a verdict and no panic, and the same verdict
    // however the file is cut into parts on its way in.
    if let Some(kind) = Kind::sniff(data) {
        let whole = judge(kind, data, &[data.len()]);
        let cut = data.get(8).map_or(1, |b| usize::from(*b) % 97 + 1);
        assert_eq!(judge(kind, data, &[cut, 3, 1, 4096]), whole, "cut at {cut}");
    }

    // File names arrive as any text the browser sends.
    let raw = String::from_utf8_lossy(data);
    let kept = clean_name(&raw);
    assert!(!kept.is_empty());
    assert!(kept.len() <= 150, "{} bytes", kept.len());
    assert!(!kept.contains(['/', '\\']), "{kept:?}");
    assert!(!kept.chars().any(char::is_control), "{kept:?}");
    assert!(
        !kept.contains(['\u{202E}', '\u{202D}', '\u{2066}', '\u{200B}', '\u{FEFF}']),
        "{kept:?}"
    );
    let content_type = TYPES[data.first().map_or(0, |b| usize::from(*b) % TYPES.len())];
    let served = download_name(&raw, content_type);
    let ext = match content_type {
        "application/pdf" => ".pdf",
        "image/jpeg" => ".jpg",
        "image/png" => ".png",
        "application/zip" => ".zip",
        _ => ".bin",
    };
    assert!(served.ends_with(ext), "{served:?}");
    assert!(!served.contains(['/', '\\']), "{served:?}");
});

/// The verdict on `data` fed in parts of the sizes `parts` (repeating the last).
fn judge(kind: Kind, data: &[u8], parts: &[usize]) -> bool {
    let mut s = Structure::new(kind);
    let mut rest = data;
    let mut sizes = parts
        .iter()
        .copied()
        .chain(std::iter::repeat(*parts.last().unwrap_or(&1)));
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(1).clamp(1, rest.len());
        s.feed(&rest[..n]);
        rest = &rest[n..];
    }
    s.finish().is_ok()
}
