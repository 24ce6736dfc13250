//! The upload type check: `sniff`, which decides a file's type from its first bytes, and the
//! names a document is kept and served under (`clean_name`, `download_name`).

#![no_main]

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
