//! Memory of the form service under many large document uploads at once: uploads are streamed
//! to disk (`formsvc/src/upload.rs`), so the service's resident memory should not grow with the
//! size of the bodies in flight.
//!
//! The bench starts the real `sicantik serve` as its own OS process (so its memory is measured
//! alone) on a free port with a temporary data directory and no SMTP server (emails become
//! `.eml` files, from which the set-password links are read), creates an officer with
//! `sicantik officer add`, and prepares K = 8 signed-in applicants, each with a draft
//! application for `izin-pemasangan-rumpon`, over a tiny hand-written HTTP/1.1 client
//! (`Connection: close`, one cookie jar per applicant). Then it measures two phases, each of
//! ROUNDS rounds in which all K applicants upload a document for `tata-letak-spesifikasi` (PDF,
//! at most 10 MB) at the same time, each body written from memory in 64 KiB writes:
//!
//! - baseline: 1 KiB PDFs, the peak without large bodies;
//! - large: 9 MiB PDFs, 8 × 9 MiB = 72 MiB in flight per round.
//!
//! A sampler thread reads `/proc/<pid>/status` (VmRSS, VmHWM) every 20 ms. Before each phase
//! the peak (VmHWM) is reset through `/proc/<pid>/clear_refs` so it covers that phase only
//! (when the kernel refuses, VmHWM counts from the start of the process, site build included,
//! and the output says so). Printed per phase: RSS before, peak RSS (VmHWM) and its growth over
//! RSS before, the highest sampled VmRSS, RSS after, MiB uploaded, throughput (MiB/s,
//! uploads/s) and the median/max upload latency; then RSS after each round. Compare growth, not
//! absolute RSS: what the service holds before the phases varies from run to run (tens of MiB)
//! with the Argon2 password-hashing memory the allocator keeps from preparing the applicants.
//! Prints figures; asserts nothing.
//!
//! It measures each document store (blob backend) in turn, with a fresh service each, the
//! records in SQLite for both:
//!
//! - `local`: the documents folder in the data directory (the default; fsync on);
//! - `s3`: an S3 bucket, when `SICANTIK_TEST_S3_ENDPOINT` and `SICANTIK_TEST_S3_BUCKET` are
//!   set (`source .ci/services` starts moto and sets them, with `AWS_*`); the service writes
//!   under a prefix of its own, which the bench empties at the end. With moto, the S3 server
//!   runs on the same cores and keeps every object in its memory, so its throughput says more
//!   about moto than about S3; the service's memory is the figure to compare.
//!
//! and ends with one line per backend: large-phase MiB/s, uploads/s and peak growth.
//!
//! Run: `cargo build --release && cargo bench --bench uploads [-- ROUNDS] [--local|--s3]`
//! (default 5 rounds; `--local` only the folder, `--s3` only S3 and an error without the
//! variables; with neither, S3 runs when the variables are set and says why not otherwise).
//! With S3: `source .ci/services && cargo bench --bench uploads`.
//! The bench runs `target/release/sicantik`, found in the directory above the bench executable
//! (`target/release/deps/..`); `cargo bench` builds the package's binary there too, and the
//! bench says how to build it when it is missing (e.g. the bench executable run on its own).
//! The registration limit (60 per address per hour) bounds K; every backend and every run
//! starts a fresh service, so reruns are not limited.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant, SystemTime};

/// Applicants uploading at once (the registration limit is 60 per address per hour).
const K: usize = 8;
const LARGE: usize = 9 * 1024 * 1024;
const SMALL: usize = 1024;
const WRITE_CHUNK: usize = 64 * 1024;
const SAMPLE_EVERY: Duration = Duration::from_millis(20);
const PERMIT: &str = "izin-pemasangan-rumpon";
const REQUIREMENT: &str = "tata-letak-spesifikasi";
const PASSWORD: &str = "hujan turun di jembatan ampera";
const OFFICER_PASSWORD: &str = "petugas perizinan sumsel 2026";
const MIB: f64 = 1024.0 * 1024.0;

// ---------------------------------------------------------------------------------------------
// The document stores

/// Where the service keeps documents in one measurement.
enum Backend {
    /// The documents folder in the data directory.
    Local,
    /// A bucket on an S3-compatible server, under a prefix of this run's own.
    S3 { endpoint: String, bucket: String },
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Backend::Local => "local",
            Backend::S3 { .. } => "s3",
        }
    }

    fn describe(&self) -> String {
        match self {
            Backend::Local => "local documents folder (fsync on)".into(),
            Backend::S3 { endpoint, bucket } => format!("S3 bucket {bucket} at {endpoint}"),
        }
    }

    /// The service's settings for this store: none for the folder; the bucket, a prefix of
    /// its own, the endpoint and the credentials for S3 (moto takes any; never printed).
    fn env(&self) -> Vec<(String, String)> {
        match self {
            Backend::Local => Vec::new(),
            Backend::S3 { endpoint, bucket } => {
                let nanos = SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos());
                let prefix = format!("bench-uploads-{}-{nanos}", std::process::id());
                let mut env = vec![
                    ("SICANTIK_STORAGE_URL".to_string(), format!("s3://{bucket}/{prefix}")),
                    ("SICANTIK_S3_ENDPOINT".to_string(), endpoint.clone()),
                    ("AWS_EC2_METADATA_DISABLED".to_string(), "true".to_string()),
                ];
                for (k, default) in [
                    ("AWS_ACCESS_KEY_ID", "test"),
                    ("AWS_SECRET_ACCESS_KEY", "test"),
                    ("AWS_REGION", "us-east-1"),
                ] {
                    let v = std::env::var(k).ok().filter(|v| !v.is_empty());
                    env.push((k.to_string(), v.unwrap_or_else(|| default.to_string())));
                }
                env
            }
        }
    }
}

/// The backends to measure, from the arguments (`--local`, `--s3`) and the environment.
fn backends(args: &[String]) -> Vec<Backend> {
    let only_local = args.iter().any(|a| a == "--local");
    let only_s3 = args.iter().any(|a| a == "--s3");
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let s3 = match (var("SICANTIK_TEST_S3_ENDPOINT"), var("SICANTIK_TEST_S3_BUCKET")) {
        (Some(endpoint), Some(bucket)) => Some(Backend::S3 { endpoint, bucket }),
        _ => None,
    };
    let mut out = Vec::new();
    if !only_s3 {
        out.push(Backend::Local);
    }
    match s3 {
        Some(b) if !only_local => out.push(b),
        Some(_) => println!("S3: skipped (--local)"),
        None if only_s3 => {
            eprintln!(
                "--s3 needs SICANTIK_TEST_S3_ENDPOINT and SICANTIK_TEST_S3_BUCKET (and AWS_*): \
                 source .ci/services first"
            );
            std::process::exit(1);
        }
        None if !only_local => println!(
            "S3: skipped (SICANTIK_TEST_S3_ENDPOINT and SICANTIK_TEST_S3_BUCKET are not set; \
             `source .ci/services` starts moto and sets them)"
        ),
        None => {}
    }
    out
}

/// The service's document store, opened with the service's own settings, and a runtime to
/// ask it with.
fn open_blobs(env: &[(String, String)], data: &Path) -> (tokio::runtime::Runtime, formsvc::blob::Blobs) {
    let lookup: Vec<(String, String)> = env
        .iter()
        .cloned()
        .chain([("SICANTIK_DATA_DIR".to_string(), data.display().to_string())])
        .collect();
    let cfg = formsvc::Config::from_env(move |k| lookup.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
        .expect("the bench's settings");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let blobs = formsvc::blob::Blobs::open(&cfg.storage).expect("document store");
    (rt, blobs)
}

// ---------------------------------------------------------------------------------------------
// The service process

/// The running `sicantik serve`; killed (by its own pid) when dropped, also on panic.
struct Server {
    child: Child,
    addr: SocketAddr,
    dir: tempfile::TempDir,
    /// The backend's settings the service runs with.
    env: Vec<(String, String)>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

/// `sicantik` with the bench's settings: its own data directory, no SMTP, no `sicantik.toml`
/// (it runs in the temporary directory, which also keeps Pagefind out of the site build), and
/// the backend's `env`.
fn sicantik(bin: &Path, repo: &Path, dir: &Path, addr: SocketAddr, env: &[(String, String)]) -> Command {
    let mut cmd = Command::new(bin);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("SICANTIK_") {
            cmd.env_remove(k);
        }
    }
    cmd.current_dir(dir)
        .env("SICANTIK_ADDR", addr.to_string())
        .env("SICANTIK_DATA_DIR", dir.join("data"))
        .env("SICANTIK_BASE_URL", format!("http://{addr}"))
        .env("SICANTIK_LOG", "warn")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .arg("--content")
        .arg(repo.join("content"))
        .arg("--theme")
        .arg(repo.join("themes/default"))
        .arg("--out")
        .arg(dir.join("public"));
    cmd
}

fn start_server(bin: &Path, repo: &Path, backend: &Backend) -> Server {
    let env = backend.env();
    let dir = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("probe port")
        .local_addr()
        .expect("addr")
        .port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));

    let mut add = sicantik(bin, repo, dir.path(), addr, &env)
        .args([
            "officer",
            "add",
            "--username",
            "petugas1",
            "--name",
            "Petugas Satu",
            "--email",
            "petugas1@dpmptsp.test",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sicantik officer add");
    add.stdin
        .take()
        .expect("stdin")
        .write_all(format!("{OFFICER_PASSWORD}\n").as_bytes())
        .expect("password");
    let out = add.wait_with_output().expect("officer add");
    assert!(
        out.status.success(),
        "sicantik officer add failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let log = std::fs::File::create(dir.path().join("serve.log")).expect("log file");
    let child = sicantik(bin, repo, dir.path(), addr, &env)
        .arg("serve")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("run sicantik serve");
    let mut server = Server { child, addr, dir, env };
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("sicantik serve exited ({status}):\n{}", server.log_tail());
        }
        if TcpStream::connect_timeout(&server.addr, Duration::from_millis(200)).is_ok() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "sicantik serve did not listen:\n{}",
            server.log_tail()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

// ---------------------------------------------------------------------------------------------
// A tiny HTTP/1.1 client, one cookie jar per user

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn location(&self) -> &str {
        self.header("location").unwrap_or("")
    }

    /// The value of the hidden input `name`.
    fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no hidden {name} in the page (status {})", self.status))
            + marker.len();
        let end = self.body[start..].find('"').expect("end of value");
        self.body[start..start + end].to_string()
    }

    fn expect(self, status: u16, what: &str) -> Resp {
        if self.status != status {
            let snippet: String = self.body.chars().take(600).collect();
            panic!("{what}: expected {status}, got {}\n{snippet}", self.status);
        }
        self
    }
}

/// Splits a raw response into status, headers and (de-chunked) body.
fn parse_response(raw: &[u8]) -> Option<Resp> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
            let size_text = std::str::from_utf8(&rest[..eol]).ok()?;
            let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
            if size == 0 || rest.len() < eol + 2 + size {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[(eol + 4 + size).min(rest.len())..];
        }
        body = out;
    }
    Some(Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn read_to_end(stream: &mut TcpStream) -> Vec<u8> {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    raw
}

fn form_encode(fields: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        let mut out = String::new();
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(b as char),
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    }
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A browser-like client: keeps its cookies, follows no redirects.
struct Client {
    addr: SocketAddr,
    cookies: BTreeMap<String, String>,
}

impl Client {
    fn new(addr: SocketAddr) -> Client {
        Client {
            addr,
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn request(&mut self, method: &str, path: &str, content_type: Option<&str>, body: &[u8]) -> Resp {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: sicantik-bench\r\n",
            self.addr
        );
        if !self.cookies.is_empty() {
            head.push_str(&format!("Cookie: {}\r\n", self.cookie_header()));
        }
        if let Some(ct) = content_type {
            head.push_str(&format!("Content-Type: {ct}\r\nContent-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
        stream.write_all(head.as_bytes()).expect("write request");
        stream.write_all(body).expect("write body");
        let raw = read_to_end(&mut stream);
        let resp = parse_response(&raw).unwrap_or_else(|| panic!("{method} {path}: no HTTP response"));
        for (k, v) in &resp.headers {
            if !k.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            let first = v.split(';').next().unwrap_or("");
            if let Some((name, value)) = first.split_once('=') {
                if value.is_empty() || v.contains("Max-Age=0") {
                    self.cookies.remove(name.trim());
                } else {
                    self.cookies.insert(name.trim().to_string(), value.to_string());
                }
            }
        }
        resp
    }

    fn get(&mut self, path: &str) -> Resp {
        self.request("GET", path, None, b"")
    }

    /// Posts `fields` with the form token of `page`, as the browser would from that page.
    fn post(&mut self, path: &str, page: &Resp, fields: &[(&str, &str)]) -> Resp {
        let csrf = page.hidden("csrf");
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        let body = form_encode(&all);
        self.request("POST", path, Some("application/x-www-form-urlencoded"), body.as_bytes())
    }
}

// ---------------------------------------------------------------------------------------------
// Preparing the applicants

/// A signed-in applicant with a draft application: what an upload needs.
struct Applicant {
    cookies: String,
    csrf: String,
    upload_path: String,
}

fn registration(username: &str, email: &str, nik: &str) -> Vec<(&'static str, String)> {
    [
        ("username", username),
        ("nama", "Siti Aminah"),
        ("email", email),
        ("instansi", "Provinsi Sumatera Selatan"),
        ("tipe_identitas", "KTP"),
        ("nomor_identitas", nik),
        ("jenis_kelamin", "P"),
        ("tempat_lahir", "Palembang"),
        ("tanggal_lahir", "1990-08-05"),
        ("pekerjaan", "Wiraswasta"),
        ("npwp", ""),
        ("telepon", "0812-3456-7890"),
        ("alamat", "Jl. Jenderal Sudirman No. 10, Kelurahan 20 Ilir"),
        ("kabupaten", "16.71"),
        ("kode_pos", "30129"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

/// Undoes quoted-printable: soft line breaks and `=XX` escapes.
fn unquote_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The set-password link (path and query) of the newest `.eml` to `email` that has one.
fn set_password_link(surel: &Path, email: &str) -> Option<String> {
    let mut newest: Option<(SystemTime, String)> = None;
    for entry in std::fs::read_dir(surel).ok()?.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let Ok(raw) = std::fs::read_to_string(&path) else {
            continue;
        };
        let text = unquote_printable(&raw);
        if !text.contains(email) {
            continue;
        }
        let Some(at) = text.find("/layanan/atur-sandi?token=") else {
            continue;
        };
        let link: String = text[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "/-_.?=&%".contains(*c))
            .collect();
        let modified = entry
            .metadata()
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        if newest.as_ref().is_none_or(|(t, _)| modified >= *t) {
            newest = Some((modified, link));
        }
    }
    newest.map(|(_, link)| link)
}

fn prepare_applicants(server: &Server) -> Vec<Applicant> {
    let addr = server.addr;
    // A NIK of their own each (the serial varies): the service registers one identity number
    // at most 5 times a day.
    let users: Vec<(String, String, String)> = (1..=K)
        .map(|i| {
            (
                format!("nelayan{i}"),
                format!("nelayan{i}@contoh.id"),
                format!("167104450890{i:04}"),
            )
        })
        .collect();

    // Registrasi Pemohon, each in its own browser.
    let mut browsers: Vec<Client> = Vec::new();
    for (username, email, nik) in &users {
        let mut b = Client::new(addr);
        let page = b.get("/layanan/registrasi").expect(200, "registration form");
        let form_id = page.hidden("form_id");
        let fields = registration(username, email, nik);
        let mut all: Vec<(&str, &str)> = vec![("form_id", &form_id)];
        all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        b.post("/layanan/registrasi", &page, &all).expect(303, "DAFTAR");
        browsers.push(b);
    }

    // The officer approves every waiting registration.
    let mut officer = Client::new(addr);
    let page = officer.get("/layanan/petugas/masuk").expect(200, "officer login form");
    officer
        .post(
            "/layanan/petugas/masuk",
            &page,
            &[("login", "petugas1"), ("password", OFFICER_PASSWORD)],
        )
        .expect(303, "officer login");
    let console = officer.get("/layanan/petugas/").expect(200, "officer console");
    let marker = "/layanan/petugas/registrasi/";
    let mut ids: Vec<String> = console
        .body
        .match_indices(marker)
        .map(|(at, _)| {
            console.body[at + marker.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .filter(|id| !id.is_empty())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), K, "waiting registrations in the console");
    for id in &ids {
        let detail = officer
            .get(&format!("/layanan/petugas/registrasi/{id}"))
            .expect(200, "registration detail");
        officer
            .post(&format!("/layanan/petugas/registrasi/{id}/setujui"), &detail, &[])
            .expect(303, "Setujui");
    }

    // Each sets a password from the emailed link, signs in and creates a draft application.
    let surel = server.data().join("surel");
    let mut applicants = Vec::new();
    for ((username, email, nik), mut b) in users.iter().zip(browsers) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let link = loop {
            if let Some(link) = set_password_link(&surel, email) {
                break link;
            }
            assert!(
                Instant::now() < deadline,
                "no set-password email to {email} in {}",
                surel.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let form = b.get(&link).expect(200, "set-password form");
        let token = form.hidden("token");
        b.post(
            "/layanan/atur-sandi",
            &form,
            &[("token", &token), ("password", PASSWORD), ("password2", PASSWORD)],
        )
        .expect(303, "Atur Kata Sandi");
        let page = b.get("/layanan/masuk").expect(200, "login form");
        b.post("/layanan/masuk", &page, &[("login", username), ("password", PASSWORD)])
            .expect(303, "login");

        let page = b
            .get(&format!(
                "/layanan/permohonan/baru?izin={PERMIT}&tipe=perorangan&jenis=baru"
            ))
            .expect(200, "PERMOHONAN form");
        let form_id = page.hidden("form_id");
        let r = b
            .post(
                "/layanan/permohonan/baru",
                &page,
                &[
                    ("form_id", &form_id),
                    ("izin", PERMIT),
                    ("tipe", "perorangan"),
                    ("jenis", "baru"),
                    ("pemohon_nama", "Siti Aminah"),
                    ("pemohon_identitas", nik),
                    ("pemohon_telepon", "0812-3456-7890"),
                    ("pemohon_email", email),
                    ("pemohon_alamat", "Jl. Jenderal Sudirman No. 10, Kelurahan 20 Ilir"),
                ],
            )
            .expect(303, "BUAT");
        let nomor = r
            .location()
            .trim_start_matches("/layanan/permohonan/")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        assert!(nomor.starts_with("PRM-"), "application number from {:?}", r.location());
        let docs = b
            .get(&format!("/layanan/permohonan/{nomor}/dokumen"))
            .expect(200, "DOKUMEN page");
        applicants.push(Applicant {
            csrf: docs.hidden("csrf"),
            cookies: b.cookie_header(),
            upload_path: format!("/layanan/permohonan/{nomor}/dokumen/{REQUIREMENT}"),
        });
    }
    applicants
}

// ---------------------------------------------------------------------------------------------
// Uploads and memory

/// A whole PDF of about `size` bytes, its content stream incompressible noise.
fn pdf(size: usize) -> Vec<u8> {
    let mut noise = Vec::with_capacity(size);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    // The PDF's own objects take about 500 bytes.
    while noise.len() < size.saturating_sub(512) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise.push(x as u8);
    }
    formsvc::samples::pdf(&noise)
}

struct Upload {
    status: u16,
    latency: Duration,
    body: String,
}

/// One DOKUMEN upload over a fresh connection: the form token first, then the file, the body
/// written in 64 KiB writes. The latency runs from connect to the end of the response.
fn upload(addr: SocketAddr, who: &Applicant, file: &[u8]) -> Upload {
    let boundary = "----sicantikBenchBoundary7MA4YWxkTrZu0gW";
    let preamble = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"berkas\"; filename=\"tata letak.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n",
        who.csrf
    );
    let epilogue = format!("\r\n--{boundary}--\r\n");
    let length = preamble.len() + file.len() + epilogue.len();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nUser-Agent: sicantik-bench\r\nCookie: {}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\r\n{preamble}",
        who.upload_path, who.cookies
    );
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .expect("timeout");
    // A refusal may come before the whole body is sent; then the response is still read.
    let _ = (|| -> std::io::Result<()> {
        stream.write_all(head.as_bytes())?;
        for chunk in file.chunks(WRITE_CHUNK) {
            stream.write_all(chunk)?;
        }
        stream.write_all(epilogue.as_bytes())
    })();
    let raw = read_to_end(&mut stream);
    let latency = started.elapsed();
    match parse_response(&raw) {
        Some(r) => Upload {
            status: r.status,
            latency,
            body: r.body,
        },
        None => Upload {
            status: 0,
            latency,
            body: "no HTTP response".into(),
        },
    }
}

/// VmRSS and VmHWM of `pid`, in KiB.
fn memory(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Resets the peak (VmHWM) to the current RSS; false when the kernel refuses.
fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

struct Phase {
    name: String,
    uploads: usize,
    failed: usize,
    first_failure: Option<String>,
    bytes: u64,
    wall: Duration,
    rss_before: u64,
    hwm: u64,
    sampled_max: u64,
    samples: usize,
    rss_after: u64,
    /// VmRSS after each round, in KiB.
    rounds: Vec<u64>,
    latencies: Vec<Duration>,
}

impl Phase {
    fn mib_per_s(&self) -> f64 {
        self.bytes as f64 / MIB / self.wall.as_secs_f64().max(1e-9)
    }

    fn uploads_per_s(&self) -> f64 {
        (self.uploads - self.failed) as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    /// Peak (VmHWM) over RSS before the phase, in MiB.
    fn growth(&self) -> f64 {
        mib(self.hwm) - mib(self.rss_before)
    }
}

fn run_phase(name: &str, server: &Server, applicants: &[Applicant], size: usize, rounds: usize) -> (Phase, bool) {
    let pid = server.pid();
    let addr = server.addr;
    let file = Arc::new(pdf(size));
    let reset = reset_peak(pid);
    let (rss_before, _) = memory(pid).expect("service memory");

    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let (mut max, mut n) = (0u64, 0usize);
            while !stop.load(Ordering::Relaxed) {
                if let Some((rss, _)) = memory(pid) {
                    max = max.max(rss);
                    n += 1;
                }
                std::thread::sleep(SAMPLE_EVERY);
            }
            (max, n)
        })
    };

    let mut results: Vec<Upload> = Vec::new();
    let mut wall = Duration::ZERO;
    let mut after_rounds = Vec::new();
    for _ in 0..rounds {
        let barrier = Barrier::new(applicants.len() + 1);
        let (round, elapsed) = std::thread::scope(|s| {
            let handles: Vec<_> = applicants
                .iter()
                .map(|who| {
                    let (barrier, file) = (&barrier, &file);
                    s.spawn(move || {
                        barrier.wait();
                        upload(addr, who, file)
                    })
                })
                .collect();
            barrier.wait();
            let started = Instant::now();
            let round: Vec<Upload> = handles.into_iter().map(|h| h.join().expect("upload thread")).collect();
            (round, started.elapsed())
        });
        wall += elapsed;
        results.extend(round);
        after_rounds.push(memory(pid).map_or(0, |(rss, _)| rss));
    }

    // One more sample after the last response, then stop.
    std::thread::sleep(SAMPLE_EVERY);
    stop.store(true, Ordering::Relaxed);
    let (sampled_max, samples) = sampler.join().expect("sampler");
    let (rss_after, hwm) = memory(pid).expect("service memory");

    let failures: Vec<&Upload> = results.iter().filter(|u| u.status != 303).collect();
    let first_failure = failures.first().map(|u| {
        let snippet: String = u.body.chars().take(300).collect();
        format!("status {}: {snippet}", u.status)
    });
    let phase = Phase {
        name: name.to_string(),
        uploads: results.len(),
        failed: failures.len(),
        first_failure,
        bytes: (results.len() - failures.len()) as u64 * size as u64,
        wall,
        rss_before,
        hwm,
        sampled_max,
        samples,
        rss_after,
        rounds: after_rounds,
        latencies: results.iter().map(|u| u.latency).collect(),
    };
    (phase, reset)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// What one backend's measurement found.
struct Report {
    backend: &'static str,
    baseline: Phase,
    large: Phase,
    /// Whether the kernel let VmHWM be reset before both phases.
    reset: bool,
    /// Objects in the document store at the end, and their bytes.
    stored: (usize, u64),
}

/// Starts a service on `backend`, prepares the applicants and runs both phases.
fn measure(bin: &Path, repo: &Path, backend: &Backend, rounds: usize) -> Report {
    println!();
    println!("== {}: {}", backend.name(), backend.describe());
    println!("starting {} serve …", bin.display());
    let server = start_server(bin, repo, backend);
    let (rss_idle, _) = memory(server.pid()).expect("service memory");
    let prepared = Instant::now();
    let applicants = prepare_applicants(&server);
    let (rss_ready, _) = memory(server.pid()).expect("service memory");
    println!(
        "service pid {} on {}: RSS {:.1} MiB when listening, {:.1} MiB after preparing {K} signed-in applicants with a draft {PERMIT} ({:.1} s)",
        server.pid(),
        server.addr,
        mib(rss_idle),
        mib(rss_ready),
        prepared.elapsed().as_secs_f64()
    );
    println!(
        "{K} concurrent uploads to {REQUIREMENT} per round, {rounds} rounds per phase, bodies written in {} KiB writes; RSS sampled every {} ms",
        WRITE_CHUNK / 1024,
        SAMPLE_EVERY.as_millis()
    );

    let (baseline, reset_a) = run_phase("baseline 1 KiB", &server, &applicants, SMALL, rounds);
    let (large, reset_b) = run_phase("large 9 MiB", &server, &applicants, LARGE, rounds);
    let (rt, blobs) = open_blobs(&server.env, &server.data());
    let objects = rt.block_on(blobs.list()).expect("list the document store");
    let stored = (objects.len(), objects.iter().map(|(_, size, _)| size).sum());
    if let Backend::S3 { .. } = backend {
        // The prefix is this run's own: leave the bucket as it was.
        for (name, _, _) in &objects {
            let _ = rt.block_on(blobs.delete(name));
        }
        if let Ok(left) = rt.block_on(blobs.list())
            && !left.is_empty()
        {
            println!(
                "note: {} objects left under the bench's prefix in the bucket",
                left.len()
            );
        }
    }
    drop(server);
    let report = Report {
        backend: backend.name(),
        baseline,
        large,
        reset: reset_a && reset_b,
        stored,
    };
    print_report(&report);
    report
}

fn print_report(r: &Report) {
    let (baseline, large) = (&r.baseline, &r.large);
    println!();
    println!(
        "{:<15} {:>7} {:>6} {:>9} {:>10} {:>9} {:>9} {:>9} {:>9} {:>8} {:>9} {:>10} {:>9}",
        "phase",
        "uploads",
        "failed",
        "MiB up",
        "RSS before",
        "peak HWM",
        "growth",
        "peak smpl",
        "RSS after",
        "MiB/s",
        "uploads/s",
        "median ms",
        "max ms"
    );
    for p in [baseline, large] {
        let mut lat = p.latencies.clone();
        lat.sort();
        let median = lat.get(lat.len() / 2).copied().unwrap_or_default();
        let max = lat.last().copied().unwrap_or_default();
        println!(
            "{:<15} {:>7} {:>6} {:>9.2} {:>10.1} {:>9.1} {:>+9.1} {:>9.1} {:>9.1} {:>8.1} {:>9.1} {:>10.1} {:>9.1}",
            p.name,
            p.uploads,
            p.failed,
            p.bytes as f64 / MIB,
            mib(p.rss_before),
            mib(p.hwm),
            mib(p.hwm) - mib(p.rss_before),
            mib(p.sampled_max),
            mib(p.rss_after),
            p.mib_per_s(),
            p.uploads_per_s(),
            ms(median),
            ms(max)
        );
    }
    println!(
        "(memory in MiB of the service process; peak HWM = VmHWM during the phase, growth = peak HWM − RSS before, \
         peak smpl = highest VmRSS sample)"
    );
    println!();
    let in_flight = (K * LARGE) as f64 / MIB;
    println!(
        "bodies in flight per large round: {K} × {:.0} MiB = {in_flight:.0} MiB; growth during the large phase: {:+.1} MiB \
         (baseline phase: {:+.1} MiB); {:.0} MiB uploaded in all",
        LARGE as f64 / MIB,
        large.growth(),
        baseline.growth(),
        large.bytes as f64 / MIB
    );
    for p in [baseline, large] {
        let trace: Vec<String> = p.rounds.iter().map(|kib| format!("{:.1}", mib(*kib))).collect();
        println!("RSS after each {} round: {} MiB", p.name, trace.join(", "));
    }
    println!(
        "samples: {} (baseline), {} (large); documents in the store at the end: {} objects, {:.1} MiB (one per applicant, replaced each round)",
        baseline.samples,
        large.samples,
        r.stored.0,
        r.stored.1 as f64 / MIB
    );
    if !r.reset {
        println!(
            "note: /proc/<pid>/clear_refs refused resetting VmHWM, so peak HWM counts from the service's start \
             (site build included); peak smpl is the phase's own peak"
        );
    }
    for p in [baseline, large] {
        if let Some(f) = &p.first_failure {
            println!(
                "warning: {} of {} uploads in {} failed; first: {f}",
                p.failed, p.uploads, p.name
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rounds: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(5).max(1);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let exe = std::env::current_exe().expect("bench executable");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|release| release.join(format!("sicantik{}", std::env::consts::EXE_SUFFIX)))
        .expect("target directory");
    if !bin.is_file() {
        eprintln!(
            "{} not found: this bench runs the release binary as its own process.\n\
             Build it first: cargo build --release && cargo bench --bench uploads",
            bin.display()
        );
        std::process::exit(1);
    }
    if !Path::new("/proc/self/status").exists() {
        eprintln!("this bench reads memory from /proc/<pid>/status (Linux only)");
        std::process::exit(1);
    }

    let reports: Vec<Report> = backends(&args)
        .iter()
        .map(|backend| measure(&bin, repo, backend, rounds))
        .collect();

    println!();
    println!(
        "large phase ({K} × {:.0} MiB per round, {rounds} rounds) per backend:",
        LARGE as f64 / MIB
    );
    println!(
        "{:<8} {:>8} {:>10} {:>14} {:>17} {:>7}",
        "backend", "MiB/s", "uploads/s", "growth (MiB)", "baseline growth", "failed"
    );
    for r in &reports {
        println!(
            "{:<8} {:>8.1} {:>10.1} {:>+14.1} {:>+17.1} {:>7}",
            r.backend,
            r.large.mib_per_s(),
            r.large.uploads_per_s(),
            r.large.growth(),
            r.baseline.growth(),
            r.large.failed + r.baseline.failed
        );
    }
}
