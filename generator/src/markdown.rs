//! Renders an editor's Markdown to HTML, and notes what the link checker and the editor need:
//! every link with its line and column, the ids it gives headings, and problems such as a
//! heading level that would break the page outline or an image without alternative text.

use std::collections::HashSet;
use std::path::Path;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::error::Problem;

/// A link written in Markdown, with its place in the source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLink {
    pub dest: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub links: Vec<SourceLink>,
    pub problems: Vec<Problem>,
}

/// Turns heading text into an anchor id: "Tentang Izin Ini" → "tentang-izin-ini".
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = match c {
            'á' | 'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "bagian".to_string() } else { out }
}

/// The words of `src` without markup, for the search index. Every block ends with a line break
/// and every break inside one becomes a space, so two blocks never run together into one word
/// ("Kategori" and "Energi" must not become "KategoriEnergi" in a search excerpt).
pub fn plain_text(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for event in Parser::new_ext(src, Options::ENABLE_TABLES) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::TableCell) => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::CodeBlock,
            ) => out.push('\n'),
            _ => {}
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

fn level_number(l: HeadingLevel) -> usize {
    l as usize
}

/// Renders `src`, a body that starts on file line `first_line` of `file`. Headings must be at
/// `min_level` or deeper, because the template puts the page's own headings above them.
/// `taken` holds ids the template already uses on the page; generated ids avoid them.
pub fn render(src: &str, file: &Path, first_line: usize, min_level: HeadingLevel, taken: &[&str]) -> Rendered {
    let mut out = Rendered::default();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(src.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let pos = |offset: usize| -> (usize, usize) {
        let line = line_starts.partition_point(|&s| s <= offset) - 1;
        let col = src[line_starts[line]..offset].chars().count() + 1;
        (first_line + line, col)
    };
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION;
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut used: HashSet<String> = taken.iter().map(|s| s.to_string()).collect();
    let mut heading_at: Option<(usize, String)> = None;
    let mut image_alt: Option<(usize, String)> = None;
    let mut last_level = min_level as usize - 1;

    for (event, range) in Parser::new_ext(src, opts).into_offset_iter() {
        match &event {
            Event::Start(Tag::Heading { level, .. }) => {
                let n = level_number(*level);
                let (line, column) = pos(range.start);
                if n < min_level as usize {
                    let hashes = "#".repeat(min_level as usize);
                    out.problems.push(Problem::new(
                        file,
                        line,
                        column,
                        format!("judul tingkat {n} tidak dapat dipakai di isi ini karena halaman sudah memiliki judul di atasnya; gunakan \"{hashes} \" atau lebih"),
                    ));
                } else if n > last_level + 1 {
                    let wanted = "#".repeat(last_level + 1);
                    out.problems.push(Problem::new(
                        file,
                        line,
                        column,
                        format!("judul tingkat {n} melompati tingkat {}; gunakan \"{wanted} \" agar urutan judul tetap runtut bagi pembaca layar", last_level + 1),
                    ));
                }
                last_level = n;
                heading_at = Some((events.len(), String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, text)) = heading_at.take()
                    && let Event::Start(Tag::Heading { id, .. }) = &mut events[start]
                {
                    let wanted = match id {
                        Some(explicit) => explicit.to_string(),
                        None => slugify(&text),
                    };
                    let mut unique = wanted.clone();
                    let mut n = 2;
                    while !used.insert(unique.clone()) {
                        unique = format!("{wanted}-{n}");
                        n += 1;
                    }
                    *id = Some(CowStr::from(unique));
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let (line, column) = pos(range.start);
                out.links.push(SourceLink {
                    dest: dest_url.to_string(),
                    line,
                    column,
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let (line, column) = pos(range.start);
                out.links.push(SourceLink {
                    dest: dest_url.to_string(),
                    line,
                    column,
                });
                image_alt = Some((range.start, String::new()));
            }
            Event::End(TagEnd::Image) => {
                if let Some((start, alt)) = image_alt.take()
                    && alt.trim().is_empty()
                {
                    let (line, column) = pos(start);
                    out.problems.push(Problem::new(
                        file,
                        line,
                        column,
                        "gambar perlu teks alternatif: tulis ![keterangan gambar](alamat) agar terbaca oleh pembaca layar",
                    ));
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = heading_at.as_mut() {
                    text.push_str(t);
                }
                if let Some((_, alt)) = image_alt.as_mut() {
                    alt.push_str(t);
                }
            }
            _ => {}
        }
        // Raw HTML is shown as text: editors write Markdown, and the pages stay valid and safe.
        let event = match event {
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            e => e,
        };
        events.push(event);
    }
    pulldown_cmark::html::push_html(&mut out.html, events.into_iter());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(src: &str) -> Rendered {
        render(
            src,
            Path::new("content/izin/a.md"),
            10,
            HeadingLevel::H2,
            &["persyaratan"],
        )
    }

    #[test]
    fn plain_text_keeps_the_words_of_separate_blocks_apart() {
        let t = plain_text(
            "## Kategori\nEnergi dan **Sumber Daya**\n\n- diajukan oleh\n- Perorangan\n\n| A | B |\n|---|---|\n| satu | dua |\n",
        );
        assert_eq!(
            t,
            "Kategori\nEnergi dan Sumber Daya\ndiajukan oleh\nPerorangan\nA B \nsatu dua"
        );
    }

    #[test]
    fn headings_get_anchor_ids_that_do_not_collide_with_the_template() {
        let r = md("## Persyaratan\n\n## Tentang Izin Ini\n\n## Prosedur {#cara}\n");
        assert!(r.html.contains("<h2 id=\"persyaratan-2\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"tentang-izin-ini\">"));
        assert!(r.html.contains("<h2 id=\"cara\">"));
        assert!(r.problems.is_empty());
    }

    #[test]
    fn links_are_collected_with_their_file_line_and_column() {
        let r = md("Teks.\n\nLihat [panduan](/panduan/#registrasi) dan [PP](../../peraturan/).\n");
        assert_eq!(
            r.links[0],
            SourceLink {
                dest: "/panduan/#registrasi".into(),
                line: 12,
                column: 7
            }
        );
        assert_eq!(r.links[1].dest, "../../peraturan/");
        assert_eq!(r.links[1].column, 43);
    }

    #[test]
    fn a_top_level_heading_in_a_body_is_reported_at_its_line() {
        let r = md("Teks\n\n# Judul\n");
        assert_eq!(r.problems.len(), 1);
        assert_eq!((r.problems[0].line, r.problems[0].column), (12, 1));
        assert!(r.problems[0].message.contains("judul tingkat 1"));
    }

    #[test]
    fn a_skipped_heading_level_is_reported() {
        let r = md("## A\n\n#### B\n");
        assert_eq!(r.problems.len(), 1);
        assert!(r.problems[0].message.contains("melompati"));
    }

    #[test]
    fn an_image_without_alternative_text_is_reported() {
        let r = md("![](/gambar.png)\n");
        assert!(r.problems[0].message.contains("teks alternatif"));
    }

    #[test]
    fn raw_html_is_escaped_not_rendered() {
        let r = md("Halo <script>alert(1)</script>\n");
        assert!(r.html.contains("&lt;script&gt;"));
        assert!(!r.html.contains("<script>"));
    }

    #[test]
    fn slugs_drop_accents_and_punctuation() {
        assert_eq!(slugify("Café: Tata Cara (baru)"), "cafe-tata-cara-baru");
    }
}
