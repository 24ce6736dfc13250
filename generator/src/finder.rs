//! How a typed query finds a permit: the words a permit is known by (its name, its other names
//! `nama_lain`, its category, and the instansi's words), and the rule that every typed word must
//! begin one of them. The site's filter and the form's finder in the browser apply the same
//! rules in `themes/default/static/site.js` (`searchWords`, `queryWords`, `matches`); the
//! service's PERMOHONAN finder applies these without JavaScript. Change both together: the tests
//! here and `tests/browser/forms.mjs` try the same queries.

use crate::model::{Permit, SiteSettings};

/// Affixes an Indonesian word may carry before its root: a word is also findable by what
/// follows one of them ("perikanan" by "ikan"), never by any string inside it. Order matters:
/// the first that fits is stripped.
const PREFIXES: [&str; 15] = [
    "peng", "peny", "pem", "pen", "per", "pe", "meng", "mem", "men", "me", "ber", "be", "ter", "ke", "di",
];

/// Accents dropped, lower case: "Pengesahan" and "pengesahan", "é" and "e" are one.
fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .collect::<String>()
        .to_lowercase()
}

/// The words of a text: runs of a-z and 0-9, so "#PROV. SUMSEL" is "prov", "sumsel". The old
/// spelling "ijin" is still what many people type for "izin".
fn plain_words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|w| !w.is_empty())
        .map(|w| match w.strip_prefix("ijin") {
            Some(rest) => format!("izin{rest}"),
            None => w.to_string(),
        })
        .collect()
}

/// The words an entry is found by: each word, and each word without its first fitting prefix.
pub fn entry_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in plain_words(text) {
        let root = PREFIXES
            .iter()
            .find(|p| w.len() > p.len() + 2 && w.starts_with(*p))
            .map(|p| w[p.len()..].to_string());
        out.push(w);
        out.extend(root);
    }
    out
}

/// The words of what someone typed.
pub fn query_words(typed: &str) -> Vec<String> {
    plain_words(typed)
}

/// Every typed word begins a word of the entry (an empty query matches everything).
pub fn matches(entry: &[String], query: &[String]) -> bool {
    query.iter().all(|q| entry.iter().any(|w| w.starts_with(q.as_str())))
}

/// What a permit is found by, as text: its names, its category, and the instansi's own words
/// (every permit here is the instansi's, so "#PROV. SUMSEL" lists them all).
pub fn permit_text(p: &Permit, site: &SiteSettings) -> String {
    let mut parts = vec![p.nama.as_str(), p.kategori.as_str()];
    parts.extend(p.nama_lain.iter().map(String::as_str));
    parts.push(site.instansi.as_str());
    parts.push(site.singkatan_unit.as_str());
    parts.extend(site.nama_lain_instansi.iter().map(String::as_str));
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(entry: &str, typed: &str) -> bool {
        matches(&entry_words(entry), &query_words(typed))
    }

    #[test]
    fn every_typed_word_must_begin_a_word_of_the_entry() {
        assert!(finds("Izin Pengusahaan Air Tanah", "air tan"));
        assert!(finds("Izin Pengusahaan Air Tanah", "AIR"));
        assert!(!finds("Izin Pengusahaan Air Tanah", "air laut"));
        // Inside a word is not a match: "ikan" is not in "Pemasangan".
        assert!(!finds("Izin Pemasangan Rumpon", "ang"));
        assert!(finds("anything at all", "  "));
    }

    #[test]
    fn one_indonesian_prefix_is_stripped_from_entry_words() {
        assert!(finds("Kelautan dan Perikanan", "ikan"));
        assert!(finds("Izin Pengusahaan Air Tanah", "usaha"));
        assert!(finds("Izin Penyelenggaraan Pendidikan", "didik"));
        // Short words keep their letters: "pera" is not "pe" + "ra".
        assert!(!finds("pera", "ra"));
    }

    #[test]
    fn the_old_spelling_ijin_finds_izin_and_punctuation_is_ignored() {
        assert!(finds("Izin Penyelenggaraan Angkutan Orang dalam Trayek", "ijin trayek"));
        assert!(finds("Perizinan", "izin"));
        assert!(finds("Provinsi Sumatera Selatan · Sumsel", "#PROV. SUMSEL"));
        assert!(finds("Pelayanan Perizinan", "pélayanan"));
        assert_eq!(query_words("#PROV. SUMSEL"), ["prov", "sumsel"]);
        assert_eq!(query_words("Ijin-trayek"), ["izin", "trayek"]);
    }
}
