//! The sicantik generator: reads `content/` into one in-memory model, checks it, and renders
//! the public site through the theme's templates. The service reads the same model, so the
//! permit catalogue and its requirement lists are defined only in `content/`.

pub mod build;
pub mod editorial;
pub mod error;
pub mod finder;
mod frontmatter;
pub mod holidays;
pub mod links;
mod load;
mod locate;
pub mod markdown;
pub mod model;
pub mod precompress;
pub mod render;
pub mod routes;
mod schema;
pub mod search;
pub mod site_files;
pub mod theme;
pub mod watch;

pub use build::{Options, Report, Search, build, check};
pub use error::{Error, Problem, Problems, Result};
pub use load::load;
#[doc(hidden)]
pub use load::parse_one;
pub use model::*;
pub use routes::ServiceRoutes;
pub use site_files::site_router;
pub use theme::Theme;
