//! Integration tests of the generator: one binary, one module per behaviour.

mod content_problems;
mod editorial;
mod fixture;
mod guide_images;
mod watch;
