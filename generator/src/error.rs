//! The generator's one error type, and `Problem`: one thing wrong in the content or the theme,
//! with the place an editor has to look.

use std::fmt;
use std::path::PathBuf;

/// One problem found in a content or template file. Displayed as `file:line:column: message`,
/// the form editors' tools and terminals understand; the message is in Indonesian because
/// content editors read it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Problem {
    pub fn new(file: impl Into<PathBuf>, line: usize, column: usize, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: line.max(1),
            column: column.max(1),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Every problem of one build, sorted by file and position so the report reads top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn sorted(mut problems: Vec<Problem>) -> Self {
        problems.sort();
        problems.dedup();
        Self(problems)
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            writeln!(f, "{p}")?;
        }
        let n = self.0.len();
        write!(
            f,
            "{n} masalah ditemukan; situs tidak diterbitkan dan public/ tidak diubah."
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The content or the theme is wrong; nothing was published.
    #[error("{0}")]
    Content(Problems),
    #[error("cannot {action} {path}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the search indexer (Pagefind) failed: {0}")]
    Search(String),
    #[error("the local server failed")]
    Serve(#[source] std::io::Error),
    #[error("cannot watch {path} for changes")]
    Watch {
        path: PathBuf,
        #[source]
        source: notify::Error,
    },
}

impl Error {
    pub fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { action, path, source }
    }

    /// The content problems, when this error is about content.
    pub fn problems(&self) -> Option<&[Problem]> {
        match self {
            Error::Content(p) => Some(&p.0),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
