//! The `sicantik` command: parse arguments, call the libraries, print what happened.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use generator::{Error, Options, Search};

#[derive(Parser)]
#[command(
    name = "sicantik",
    version,
    about = "Panduan perizinan DPMPTSP Provinsi Sumatera Selatan: situs dan layanan formulir"
)]
struct Cli {
    /// The content directory editors maintain.
    #[arg(long, global = true, default_value = "content")]
    content: PathBuf,
    /// The theme directory (templates and static files).
    #[arg(long, global = true, default_value = "themes/default")]
    theme: PathBuf,
    /// Where the site is built.
    #[arg(long, global = true, default_value = "public")]
    out: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site from content/ into public/ (replaced only when the whole build succeeds).
    Build {
        /// Build without the Pagefind search index.
        #[arg(long)]
        no_search: bool,
    },
    /// Check content and theme, reporting every problem; writes nothing.
    Check,
    /// Rebuild on every save and serve the site with live reload.
    Watch {
        /// Address to serve on.
        #[arg(long, env = "SICANTIK_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
    },
}

fn options(cli: &Cli, search: Search, live_reload: bool) -> Options {
    Options {
        content_dir: cli.content.clone(),
        theme_dir: cli.theme.clone(),
        out_dir: cli.out.clone(),
        search,
        base_url: std::env::var("SICANTIK_BASE_URL").ok().filter(|s| !s.is_empty()),
        live_reload,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Content problems are for editors: print them as they are, one per line.
            if let Some(Error::Content(problems)) = e.downcast_ref::<Error>() {
                eprintln!("{problems}");
            } else {
                eprintln!("error: {e:#}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Build { no_search } => {
            let search = if *no_search {
                Search::Skip
            } else {
                Search::find(&std::env::current_dir()?)
                    .context("Pagefind is not installed: run `npm ci` in the project root, or build with --no-search")?
            };
            let report = generator::build(&options(cli, search, false))?;
            println!(
                "Situs dibangun di {}: {} halaman ({} jenis izin), {} berkas, pencarian {}, {} ms.",
                cli.out.display(),
                report.pages,
                report.permits,
                report.files,
                if report.searchable { "terindeks" } else { "tidak dibuat" },
                report.elapsed.as_millis()
            );
        }
        Command::Check => {
            let report = generator::check(&options(cli, Search::Skip, false))?;
            println!(
                "Konten dan tema benar: {} halaman ({} jenis izin) siap dibangun, {} ms.",
                report.pages,
                report.permits,
                report.elapsed.as_millis()
            );
        }
        Command::Watch { addr } => {
            let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            runtime.block_on(generator::watch::watch(options(cli, Search::Skip, true), addr))?;
        }
    }
    Ok(())
}
