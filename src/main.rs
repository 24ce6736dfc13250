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
    /// The content directory editors maintain [default: SICANTIK_CONTENT_DIR, else content].
    #[arg(long, global = true)]
    content: Option<PathBuf>,
    /// The theme directory (templates and static files) [default: SICANTIK_THEME_DIR, else
    /// themes/default].
    #[arg(long, global = true)]
    theme: Option<PathBuf>,
    /// Where the site is built [default: SICANTIK_PUBLIC_DIR, else public].
    #[arg(long, global = true)]
    out: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site from content/ into public/ (replaced only when the whole build succeeds).
    Build {
        /// Build without the search index.
        #[arg(long)]
        no_search: bool,
    },
    /// Check content and theme, reporting every problem; writes nothing.
    Check,
    /// Build the site if needed and serve it with the form service (registration, accounts,
    /// officer console) on one address.
    Serve,
    /// Manage officer accounts.
    Officer {
        #[command(subcommand)]
        command: OfficerCommand,
    },
    /// Write one archive of the database, the documents and the content, while the service
    /// runs; `backup verify SRC` checks an archive without restoring it.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Backup {
        /// The archive to write; it must not exist (e.g. /var/backups/sicantik/2026-12-02.tar).
        #[arg(required = true)]
        dest: Option<PathBuf>,
        #[command(subcommand)]
        command: Option<BackupCommand>,
    },
    /// Restore an archive into an empty data directory (or empty database and bucket), after
    /// verifying it.
    Restore {
        /// The archive `sicantik backup` wrote.
        src: PathBuf,
    },
    /// Master keys: make one, rotate to a new one, encrypt documents stored before encryption.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// The processing record (UU PDP Pasal 31: which officer opened whose data, when), for the
    /// office's data protection officer.
    DataAccess {
        #[command(subcommand)]
        command: DataAccessCommand,
    },
    /// Apply the retention schedule of content/situs.yaml (`retensi`): erase what is past its
    /// period, with an audit line per kind. `serve` does this once a day.
    Retention {
        /// Only list what would be erased (kinds, counts and numbers; no personal data).
        #[arg(long)]
        dry_run: bool,
    },
    /// Rebuild on every save and serve the site with live reload.
    Watch {
        /// Address to serve on.
        #[arg(long, env = "SICANTIK_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
    },
}

#[derive(Subcommand)]
enum DataAccessCommand {
    /// Print the record of every applicant whose username (or email) is given, as CSV on
    /// standard output, newest first.
    Export {
        /// The applicant's username, or their email address.
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum BackupCommand {
    /// Check an archive against its manifest (sizes, SHA-256, the database copy) without
    /// restoring it.
    Verify { src: PathBuf },
}

#[derive(Subcommand)]
enum OfficerCommand {
    /// Create an officer. Without --password-stdin, prints a one-time link to set the password.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// Defaults to the site's instansi (content/situs.yaml).
        #[arg(long)]
        instansi: Option<String>,
        /// Defaults to the site's unit.
        #[arg(long)]
        unit: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
        /// May disable other officers of its instansi from the console.
        #[arg(long)]
        admin: bool,
    },
    /// Every officer account: unit, role, active or disabled, last sign-in.
    List,
    /// Disable an officer: it can no longer sign in, and its sessions end at once.
    Disable { username: String },
    /// Remove an officer's second factor (a lost phone and no recovery code): its sessions end,
    /// and its next sign-in enrols a new one.
    ResetMfa {
        #[arg(long)]
        username: String,
    },
    /// Give an officer the admin right (disabling officers of its instansi from the console).
    Admin {
        username: String,
        /// Take the right away instead.
        #[arg(long)]
        revoke: bool,
    },
}

/// What an archive holds, in a line for the operator.
fn describe(m: &formsvc::backup::Manifest) -> String {
    let count = |t: &str| m.counts.get(t).copied().unwrap_or(0);
    let bytes: u64 = m.documents.iter().map(|d| d.size).sum();
    format!(
        "basis data {} ({} pemohon, {} permohonan, {} petugas), {} dokumen ({:.1} MB), {} berkas konten",
        m.engine,
        count("applicants"),
        count("applications"),
        count("officers"),
        m.documents.len(),
        bytes as f64 / 1e6,
        m.content.len()
    )
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Make a new random master key. Writes it to FILE (mode 0600, never over an existing
    /// file), or prints it. (A positional FILE: `--out` is the site's output folder.)
    Generate {
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Re-wrap every document key and the NIK key under the --new master key, unwrapping with
    /// --old, in batches (documents are not re-encrypted). Safe to stop and run again.
    Rotate {
        #[arg(long)]
        old: PathBuf,
        #[arg(long)]
        new: PathBuf,
    },
    /// Encrypt the documents stored before encryption, with the configured master key.
    EncryptDocuments,
}

/// The service's configuration, with the directories given on the command line.
fn service_config(cli: &Cli) -> anyhow::Result<formsvc::Config> {
    let mut cfg = formsvc::Config::load()?;
    // A flag wins over the settings; without one the settings (SICANTIK_*_DIR, sicantik.toml)
    // stand, as the unit file of the deploy kit relies on.
    if let Some(dir) = &cli.content {
        cfg.content_dir = dir.clone();
    }
    if let Some(dir) = &cli.theme {
        cfg.theme_dir = dir.clone();
    }
    if let Some(dir) = &cli.out {
        cfg.public_dir = dir.clone();
    }
    Ok(cfg)
}

/// A directory for the commands without the service (build, check, watch): the flag, else
/// the same variable the service reads, else the default.
fn dir(flag: &Option<PathBuf>, var: &str, default: &str) -> PathBuf {
    flag.clone()
        .or_else(|| std::env::var_os(var).filter(|v| !v.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(default))
}

fn options(cli: &Cli, search: Search, live_reload: bool) -> Options {
    Options {
        content_dir: dir(&cli.content, "SICANTIK_CONTENT_DIR", "content"),
        theme_dir: dir(&cli.theme, "SICANTIK_THEME_DIR", "themes/default"),
        out_dir: dir(&cli.out, "SICANTIK_PUBLIC_DIR", "public"),
        search,
        base_url: std::env::var("SICANTIK_BASE_URL").ok().filter(|s| !s.is_empty()),
        live_reload,
    }
}

/// Logs go to stderr (journald keeps them under systemd): readable lines by default, one JSON
/// object per line with `SICANTIK_LOG_FORMAT=json` for log collectors. `SICANTIK_LOG` filters
/// (`info` by default; `access=debug` adds a line per site file served).
fn init_logging() -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SICANTIK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match std::env::var("SICANTIK_LOG_FORMAT").as_deref() {
        Ok("json") => logs.json().with_current_span(true).with_span_list(false).init(),
        Ok("text") | Err(_) => logs.init(),
        Ok(other) => return Err(format!("SICANTIK_LOG_FORMAT: \"{other}\" is neither text nor json")),
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = init_logging() {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Content problems are for editors: print them as they are, one per line.
            if let Some(Error::Content(problems)) = e.downcast_ref::<Error>() {
                eprintln!("{problems}");
            } else if let Some(formsvc::Error::Content(problems)) = e.downcast_ref::<formsvc::Error>() {
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
            let search = if *no_search { Search::Skip } else { Search::Index };
            let opts = options(cli, search, false);
            let report = generator::build(&opts)?;
            for w in &report.warnings {
                eprintln!("{w}");
            }
            println!(
                "Situs dibangun di {}: {} halaman ({} jenis izin), {} berkas, pencarian {}, {} ms.",
                opts.out_dir.display(),
                report.pages,
                report.permits,
                report.files,
                if report.searchable { "terindeks" } else { "tidak dibuat" },
                report.elapsed.as_millis()
            );
        }
        Command::Check => {
            let report = generator::check(&options(cli, Search::Skip, false))?;
            // Warnings do not fail the check: the site can be published, and editors see what
            // to fill in.
            for w in &report.warnings {
                eprintln!("{w}");
            }
            println!(
                "Konten dan tema benar: {} halaman ({} jenis izin) siap dibangun, {} ms.",
                report.pages,
                report.permits,
                report.elapsed.as_millis()
            );
            // Notes for editors, not problems: the check has passed. One per line in the same
            // `file:line:column: message` form as problems, so an editor's tools jump to them.
            if !report.notes.is_empty() {
                println!(
                    "Belum diverifikasi ({} butir; catatan untuk editor, tidak tampil di situs):",
                    report.notes.len()
                );
                for n in &report.notes {
                    println!("{n}");
                }
            }
        }
        Command::Serve => {
            let cfg = service_config(cli)?;
            let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            runtime.block_on(formsvc::serve(cfg))?;
        }
        Command::Officer {
            command:
                OfficerCommand::Add {
                    username,
                    name,
                    email,
                    instansi,
                    unit,
                    password_stdin,
                    admin,
                },
        } => {
            let password = if *password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("cannot read the password from standard input")?;
                Some(line.trim_end_matches(['\r', '\n']).to_string())
            } else {
                None
            };
            let cfg = service_config(cli)?;
            let new = formsvc::officers::NewOfficer {
                username: username.clone(),
                nama: name.clone(),
                email: email.clone(),
                instansi: instansi.clone(),
                unit: unit.clone(),
                password,
                admin: *admin,
            };
            let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            match runtime.block_on(formsvc::officers::add(cfg, new))? {
                Some(link) => println!(
                    "Petugas {username} dibuat. Tautan sekali pakai untuk membuat kata sandi (berlaku 48 jam):\n{link}"
                ),
                None => println!("Petugas {username} dibuat dengan kata sandi yang diberikan."),
            }
        }
        Command::Officer {
            command: OfficerCommand::List,
        } => {
            let cfg = service_config(cli)?;
            let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let accounts = runtime.block_on(formsvc::officers::list(cfg))?;
            println!("NAMA PENGGUNA\tINSTANSI\tUNIT\tPERAN\tSTATUS\tMASUK TERAKHIR (WIB)");
            for a in &accounts {
                let status = match a.disabled_at {
                    None => "aktif".to_string(),
                    Some(at) => format!("nonaktif sejak {}", formsvc::clock::format_wib(at)),
                };
                let last = a
                    .last_login_at
                    .map_or_else(|| "belum pernah".to_string(), formsvc::clock::format_wib);
                let peran = if a.admin { "admin" } else { "petugas" };
                println!("{}\t{}\t{}\t{peran}\t{status}\t{last}", a.username, a.instansi, a.unit);
            }
            println!("{} akun petugas.", accounts.len());
        }
        Command::Officer {
            command: OfficerCommand::Disable { username },
        } => {
            let cfg = service_config(cli)?;
            let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            if !runtime.block_on(formsvc::officers::disable(cfg, username))? {
                anyhow::bail!("no officer is named {username}");
            }
            println!("Petugas {username} dinonaktifkan: tidak dapat masuk lagi dan semua sesinya telah diakhiri.");
        }
        Command::Officer {
            command: OfficerCommand::ResetMfa { username },
        } => {
            let cfg = service_config(cli)?;
            let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            if !runtime.block_on(formsvc::officers::reset_second_factor(cfg, username))? {
                anyhow::bail!("no officer is named {username}");
            }
            println!(
                "Verifikasi dua langkah petugas {username} direset: semua sesinya telah diakhiri, dan saat masuk berikutnya ia mengaktifkan verifikasi dua langkah dengan ponsel barunya."
            );
        }
        Command::Officer {
            command: OfficerCommand::Admin { username, revoke },
        } => {
            let cfg = service_config(cli)?;
            let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            if !runtime.block_on(formsvc::officers::set_admin(cfg, username, !*revoke))? {
                anyhow::bail!("no officer is named {username}");
            }
            if *revoke {
                println!("Hak admin petugas {username} dicabut.");
            } else {
                println!("Petugas {username} kini admin: dapat menonaktifkan petugas lain di instansinya dari konsol.");
            }
        }
        Command::Retention { dry_run } => {
            let cfg = service_config(cli)?;
            let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let report = runtime.block_on(formsvc::retention::run_configured(cfg, !*dry_run))?;
            let verb = if *dry_run { "akan dihapus" } else { "dihapus" };
            if report.erased.is_empty() {
                println!("Tidak ada data yang {verb}: semuanya masih dalam masa simpan.");
            }
            for (kind, n, ids) in &report.erased {
                println!("{} ({}): {n} {verb}", kind.as_str(), kind.label());
                for id in ids {
                    println!("  {id}");
                }
            }
            if report.documents > 0 {
                println!(
                    "{} dokumen {verb}; berkasnya dihapus dari penyimpanan dokumen setelah masa tenggang \
                     SICANTIK_DISCARD_GRACE_HOURS.",
                    report.documents
                );
            }
            if !report.archive_due.is_empty() {
                println!(
                    "{} permohonan selesai telah melewati masa simpan dan perlu diserahkan ke arsip (tidak dihapus):",
                    report.archive_due.len()
                );
                for id in &report.archive_due {
                    println!("  {id}");
                }
            }
        }
        Command::Backup { dest, command } => {
            let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            match (command, dest) {
                (Some(BackupCommand::Verify { src }), _) => {
                    let m = runtime.block_on(formsvc::backup::verify(src))?;
                    println!("Arsip {} utuh: {}.", src.display(), describe(&m));
                }
                (None, Some(dest)) => {
                    let cfg = service_config(cli)?;
                    let m = runtime.block_on(formsvc::backup::backup(&cfg, dest))?;
                    println!("Cadangan ditulis di {}: {}.", dest.display(), describe(&m));
                }
                (None, None) => anyhow::bail!("name the archive to write: sicantik backup DEST"),
            }
        }
        Command::Restore { src } => {
            let cfg = service_config(cli)?;
            let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let m = runtime.block_on(formsvc::backup::restore(&cfg, src))?;
            println!("Dipulihkan dari {}: {}.", src.display(), describe(&m));
        }
        Command::Key { command } => key(cli, command)?,
        Command::DataAccess {
            command: DataAccessCommand::Export { username },
        } => {
            let cfg = service_config(cli)?;
            let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            match runtime.block_on(formsvc::privacy::export_configured(&cfg, username))? {
                Some(csv) => print!("{csv}"),
                None => anyhow::bail!("no applicant has the username or email {username}"),
            }
        }
        Command::Watch { addr } => {
            let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            runtime.block_on(generator::watch::watch(options(cli, Search::Skip, true), addr))?;
        }
    }
    Ok(())
}

fn key(cli: &Cli, command: &KeyCommand) -> anyhow::Result<()> {
    use formsvc::keys;
    match command {
        KeyCommand::Generate { file: Some(path) } => {
            let key = keys::generate_key_file(path)?;
            println!(
                "Kunci induk baru (id {}) ditulis di {}, hanya dapat dibaca pemiliknya. Simpan salinannya terpisah \
                 dari cadangan data: tanpa kunci ini, dokumen dan NIK tidak dapat dibaca kembali.",
                key.id(),
                path.display()
            );
        }
        KeyCommand::Generate { file: None } => print!("{}", keys::new_key_text()),
        KeyCommand::Rotate { old, new } => {
            let old = keys::read_key_file(old, "--old")?;
            let new = keys::read_key_file(new, "--new")?;
            let cfg = service_config(cli)?;
            let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let report = runtime.block_on(keys::maintenance::rotate_configured(&cfg, &old, &new))?;
            println!(
                "Rotasi ke kunci induk {}: {} kunci dokumen dibungkus ulang; kunci NIK {}.",
                new.id(),
                report.rewrapped,
                if report.nik_key_rewrapped {
                    "dibungkus ulang"
                } else {
                    "sudah dengan kunci baru"
                }
            );
            for (key_id, n) in &report.by_key {
                match key_id {
                    Some(id) => println!("  {n} dokumen dengan kunci {id}"),
                    None => {
                        println!("  {n} dokumen lama belum terenkripsi (jalankan `sicantik key encrypt-documents`)")
                    }
                }
            }
            for (id, why) in &report.failed {
                eprintln!("document {id}: {why}");
            }
            if !report.failed.is_empty() {
                anyhow::bail!("{} document keys could not be re-wrapped", report.failed.len());
            }
        }
        KeyCommand::EncryptDocuments => {
            let cfg = service_config(cli)?;
            let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let report = runtime.block_on(keys::maintenance::encrypt_configured(&cfg))?;
            println!("{} dokumen lama dienkripsi.", report.encrypted);
            for (id, why) in &report.failed {
                eprintln!("document {id}: {why}");
            }
            if !report.failed.is_empty() {
                anyhow::bail!("{} documents were left unencrypted", report.failed.len());
            }
        }
    }
    Ok(())
}
