//! Splits a content file into its YAML front matter and its Markdown body, remembering on which
//! line each starts so that problems in either can be reported at the editor's line.

/// A content file cut in two. Line numbers are 1-based lines of the whole file.
#[derive(Debug)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// The line of the file on which the first YAML line stands.
    pub yaml_line: usize,
    pub body: &'a str,
    /// The line of the file on which the body starts.
    pub body_line: usize,
}

/// Why a file could not be split; each carries the 1-based line to report.
#[derive(Debug, PartialEq, Eq)]
pub enum SplitError {
    NoOpening,
    NotClosed { line: usize },
}

impl SplitError {
    pub fn line(&self) -> usize {
        match self {
            SplitError::NoOpening => 1,
            SplitError::NotClosed { line } => *line,
        }
    }

    pub fn message(&self) -> &'static str {
        match self {
            SplitError::NoOpening => {
                "berkas harus diawali baris \"---\", lalu data YAML (front matter), lalu baris \"---\" lagi"
            }
            SplitError::NotClosed { .. } => {
                "front matter tidak ditutup: tambahkan baris \"---\" setelah data YAML, sebelum isi halaman"
            }
        }
    }
}

pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().ok_or(SplitError::NoOpening)?;
    if first.trim_end() != "---" {
        return Err(SplitError::NoOpening);
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[offset + line.len()..],
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(SplitError::NotClosed { line: line_no })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_from_body_with_line_numbers() {
        let s = split("---\nnama: A\nkategori: B\n---\n\nIsi.\n").unwrap();
        assert_eq!(s.yaml, "nama: A\nkategori: B\n");
        assert_eq!(s.yaml_line, 2);
        assert_eq!(s.body, "\nIsi.\n");
        assert_eq!(s.body_line, 5);
    }

    #[test]
    fn a_file_without_opening_dashes_is_refused_at_line_one() {
        assert_eq!(split("nama: A\n").unwrap_err(), SplitError::NoOpening);
    }

    #[test]
    fn an_unclosed_front_matter_is_reported_at_the_last_line() {
        assert_eq!(
            split("---\nnama: A\nkategori: B\n").unwrap_err(),
            SplitError::NotClosed { line: 3 }
        );
    }

    #[test]
    fn windows_line_endings_and_a_byte_order_mark_are_accepted() {
        let s = split("\u{feff}---\r\nnama: A\r\n---\r\nIsi\r\n").unwrap();
        assert_eq!(s.yaml, "nama: A\r\n");
        assert_eq!(s.body, "Isi\r\n");
    }
}
