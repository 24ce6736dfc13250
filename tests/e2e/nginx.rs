//! The shipped nginx site (`deploy/nginx/sicantik.conf`) in front of the real `sicantik serve`,
//! over HTTPS with a certificate made for the test: the file is rendered with the test's ports,
//! paths and certificate only, and nginx (Debian's package) runs in the foreground under a main
//! configuration that mirrors Debian's `nginx.conf`. Through it: a permit page as nginx serves it
//! from `public/` (the build's pre-compressed copy, the same security headers as the service's,
//! the cache lifetimes), the redirect from HTTP, TLS with the suites of Mozilla's intermediate
//! list only, and a whole journey — Registrasi Pemohon, the officer's approval, the password
//! from the emailed link, PERMOHONAN, an upload larger than nginx's default body limit (streamed
//! to the service, not spooled), its download byte for byte; `/healthz`, `/readyz` and
//! `/metrics` only to the addresses the site allows. Then the per-address registration
//! limit, with each client on a loopback address of its own (127.0.0.2, 127.0.0.3, …): the
//! service must see each client's own address through the trusted proxy, so one client reaching
//! the limit gets 429 while another, through the same nginx, still registers.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, RustlsConnector, Transport,
};

use crate::cluster::*;
use crate::people::*;
use crate::support::*;

const PW: &str = "sungai musi mengalir ke laut";
/// Registrations per address and hour, for this test (SICANTIK_LIMIT_REGISTRATIONS_PER_ADDRESS).
const LIMIT: usize = 2;
/// How long nginx may take to answer after it starts, and to stop after SIGTERM.
const NGINX_TIMEOUT: Duration = Duration::from_secs(20);
/// A permit page of the real content.
const PERMIT_PAGE: &str = "/izin/izin-pemasangan-rumpon/";

// --- Clients on loopback addresses of their own ---------------------------------------------

/// Connects from `source` (any 127.x.y.z is this machine's loopback on Linux), so nginx sees
/// that address as the client's, as it would see a citizen's.
#[derive(Debug)]
struct FromAddress {
    source: IpAddr,
}

impl Connector<()> for FromAddress {
    type Out = Plain;

    fn connect(&self, details: &ConnectionDetails, _chained: Option<()>) -> Result<Option<Plain>, ureq::Error> {
        let addr: SocketAddr = *details
            .addrs
            .first()
            .ok_or_else(|| ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "no address")))?;
        let socket = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::STREAM, None)?;
        socket.bind(&SocketAddr::new(self.source, 0).into())?;
        socket.connect_timeout(&addr.into(), Duration::from_secs(10))?;
        let stream: TcpStream = socket.into();
        // The agent's 60 s for the whole request holds too; these only keep a read or write
        // from waiting longer than that on its own.
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        stream.set_write_timeout(Some(Duration::from_secs(60)))?;
        stream.set_nodelay(true)?;
        let config = details.config;
        Ok(Some(Plain {
            stream,
            buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
        }))
    }
}

/// A blocking TCP stream as a ureq transport, never reused (each request connects again).
#[derive(Debug)]
struct Plain {
    stream: TcpStream,
    buffers: LazyBuffers,
}

impl Transport for Plain {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, _timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.write_all(&self.buffers.output()[..amount])?;
        Ok(())
    }

    fn await_input(&mut self, _timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let n = self.stream.read(self.buffers.input_append_buf())?;
        self.buffers.input_appended(n);
        Ok(n > 0)
    }

    fn is_open(&mut self) -> bool {
        false
    }
}

/// A browser at `source` that trusts the test's certificate authority `ca` (PEM).
fn client_at(source: [u8; 4], ca: &[u8]) -> Client {
    let cert = ureq::tls::Certificate::from_pem(ca).expect("the test certificate parses");
    let tls = ureq::tls::TlsConfig::builder()
        .provider(ureq::tls::TlsProvider::Rustls)
        .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![cert])))
        .build();
    let config = Client::config().tls_config(tls).build();
    let connector = FromAddress {
        source: IpAddr::V4(Ipv4Addr::from(source)),
    }
    .chain(RustlsConnector::default());
    Client::with_agent(ureq::Agent::with_parts(config, connector, DefaultResolver::default()))
}

// --- nginx ----------------------------------------------------------------------------------

/// nginx in the foreground with the shipped site, stopped with SIGTERM (then SIGKILL) on drop.
struct Nginx {
    child: Option<Child>,
    error_log: PathBuf,
    /// Whether Debian's brotli_static module is loaded (sicantik-brotli.conf is then included).
    brotli: bool,
}

impl Nginx {
    fn logs(&self) -> String {
        tail(&self.error_log)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
        let started = Instant::now();
        while started.elapsed() < NGINX_TIMEOUT {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("run {what}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed ({}):\n{text}", out.status);
    text
}

/// A self-signed certificate for 127.0.0.1 in `dir`: (certificate, key).
fn certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    run(
        Command::new("openssl")
            .args(["req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"])
            .args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"])
            .args(["-addext", "subjectAltName=IP:127.0.0.1"])
            // A server certificate, not a CA's (which -x509 makes by default and rustls refuses
            // to accept as the server's own).
            .args(["-addext", "basicConstraints=critical,CA:FALSE"])
            .args(["-addext", "extendedKeyUsage=serverAuth"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert),
        "openssl req -x509",
    );
    (cert, key)
}

/// `deploy/nginx/sicantik.conf` with the test's values in place of the ones an operator edits;
/// each must be found, so that the file tested is the file shipped.
fn render_site(replacements: &[(&str, String)]) -> String {
    let shipped = std::fs::read_to_string(repo().join("deploy/nginx/sicantik.conf")).expect("read the nginx site");
    let mut site = shipped;
    for (from, to) in replacements {
        assert!(
            site.contains(from),
            "deploy/nginx/sicantik.conf no longer contains {from:?}: update tests/e2e/nginx.rs"
        );
        site = site.replace(from, to);
    }
    for line in site.lines().filter(|l| !l.trim_start().starts_with('#')) {
        for left in [
            "example.go.id",
            ":8080",
            "/etc/letsencrypt",
            "/var/www/sicantik",
            ":443",
            ":80;",
        ] {
            assert!(!line.contains(left), "the rendered site still says {left:?}: {line}");
        }
    }
    site
}

/// Starts nginx with the shipped site on loopback, in front of `serve` on `upstream`.
fn start_nginx(dir: &Path, public: &Path, upstream: u16, https: u16, http: u16) -> Nginx {
    let dir = dir.join("nginx");
    for sub in ["logs", "temp", "snippets", "acme"] {
        std::fs::create_dir_all(dir.join(sub)).expect("nginx dirs");
    }
    let (cert, key) = certificate(&dir);

    // The snippets as an operator installs them: the brotli one only where the module is.
    let brotli = std::fs::read_dir("/etc/nginx/modules-enabled")
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().contains("brotli-static"))
        })
        .unwrap_or(false);
    let mut snippets = vec!["sicantik-headers.conf"];
    if brotli {
        snippets.push("sicantik-brotli.conf");
    }
    for name in snippets {
        std::fs::copy(repo().join("deploy/nginx").join(name), dir.join("snippets").join(name)).expect("copy a snippet");
    }

    let d = dir.display();
    let site = render_site(&[
        (
            "/etc/letsencrypt/live/perizinan.example.go.id/fullchain.pem",
            cert.display().to_string(),
        ),
        (
            "/etc/letsencrypt/live/perizinan.example.go.id/privkey.pem",
            key.display().to_string(),
        ),
        ("server_name perizinan.example.go.id;", "server_name 127.0.0.1;".into()),
        ("listen 443 ssl http2;", format!("listen 127.0.0.1:{https} ssl http2;")),
        ("listen 80;", format!("listen 127.0.0.1:{http};")),
        // IPv6 may be missing in a CI container; the IPv4 listener is the one tested.
        ("listen [::]:443 ssl http2;", String::new()),
        ("listen [::]:80;", String::new()),
        (
            "https://$server_name$request_uri",
            format!("https://$server_name:{https}$request_uri"),
        ),
        ("/var/www/sicantik/public", public.display().to_string()),
        ("http://127.0.0.1:8080", format!("http://127.0.0.1:{upstream}")),
        ("/etc/nginx/snippets/", format!("{d}/snippets/")),
        ("/var/www/letsencrypt", format!("{d}/acme")),
    ]);
    std::fs::write(dir.join("sicantik.conf"), site).expect("write the site");

    // Debian's nginx.conf, with every path inside the test's directory. Its module lines name
    // `modules/…` relative to the prefix, which -p moves here: point that at Debian's modules.
    std::os::unix::fs::symlink("/usr/share/nginx/modules", dir.join("modules")).expect("link the modules");
    let root = std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false);
    let main = format!(
        "{user}pid {d}/nginx.pid;\n\
         error_log {d}/logs/error.log warn;\n\
         worker_processes 1;\n\
         include /etc/nginx/modules-enabled/*.conf;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n\
         \tsendfile on;\n\
         \ttcp_nopush on;\n\
         \ttypes_hash_max_size 2048;\n\
         \tinclude /etc/nginx/mime.types;\n\
         \tdefault_type application/octet-stream;\n\
         \tssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;\n\
         \tssl_prefer_server_ciphers on;\n\
         \taccess_log {d}/logs/access.log;\n\
         \tgzip on;\n\
         \tclient_body_temp_path {d}/temp/body;\n\
         \tproxy_temp_path {d}/temp/proxy;\n\
         \tfastcgi_temp_path {d}/temp/fastcgi;\n\
         \tuwsgi_temp_path {d}/temp/uwsgi;\n\
         \tscgi_temp_path {d}/temp/scgi;\n\
         \tinclude {d}/sicantik.conf;\n\
         }}\n",
        // As root (CI), the workers would otherwise become `nobody`, who cannot read the
        // test's private temporary directory.
        user = if root { "user root;\n" } else { "" },
    );
    let conf = dir.join("nginx.conf");
    std::fs::write(&conf, main).expect("write nginx.conf");

    let nginx = |args: &[&str]| {
        let mut c = Command::new("nginx");
        c.arg("-p").arg(&dir).arg("-c").arg(&conf).args(args);
        c
    };
    let checked = run(&mut nginx(&["-t"]), "nginx -t (installed by `bash .ci/install`)");
    println!("{}", checked.trim());

    let log = std::fs::File::create(dir.join("logs/stderr.log")).expect("nginx log");
    let child = nginx(&["-g", "daemon off;"])
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("nginx log"))
        .stderr(log)
        .spawn()
        .expect("run nginx");
    let mut nginx = Nginx {
        child: Some(child),
        error_log: dir.join("logs/error.log"),
        brotli,
    };
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = nginx.child.as_mut().expect("started").try_wait() {
            panic!("nginx exited with {status}\n{}", nginx.logs());
        }
        if TcpStream::connect(("127.0.0.1", https)).is_ok() {
            return nginx;
        }
        assert!(
            started.elapsed() < NGINX_TIMEOUT,
            "nginx does not listen on {https} after {NGINX_TIMEOUT:?}\n{}",
            nginx.logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

// --- The test --------------------------------------------------------------------------------

/// The link to the document of the upload on an application's page.
fn document_link(html: &str) -> String {
    let start = html.find("/layanan/berkas/").expect("a link to the uploaded document");
    html[start..].split('"').next().expect("link").to_string()
}

/// The id of the registration `nomor` on the officer's console.
fn registration_id(console: &str, nomor: &str) -> String {
    let at = console
        .find(&format!(">{nomor}</a>"))
        .unwrap_or_else(|| panic!("{nomor} is not on the console:\n{console}"));
    let href = console[..at]
        .rfind("petugas/registrasi/")
        .expect("a link to the registration");
    console[href + "petugas/registrasi/".len()..at]
        .trim_end_matches('"')
        .to_string()
}

#[test]
fn the_shipped_nginx_site_serves_the_journey_over_https_and_each_client_has_its_own_limit() {
    let (https, http, upstream) = (free_port(), free_port(), free_port());
    let base = format!("https://127.0.0.1:{https}");
    let limit = LIMIT.to_string();
    let stack = Stack::start_with(
        upstream,
        &base,
        &[
            ("SICANTIK_TRUSTED_PROXIES", "127.0.0.1"),
            ("SICANTIK_LIMIT_REGISTRATIONS_PER_ADDRESS", &limit),
        ],
    );
    let nginx = start_nginx(&stack.dir, &stack.public, upstream, https, http);
    let logs = || {
        format!(
            "{}\n{}\n{}",
            nginx.logs(),
            tail(&stack.serve_log),
            tail(&stack.smtp_log)
        )
    };
    let ca = std::fs::read(stack.dir.join("nginx/cert.pem")).expect("the certificate");

    // --- The site, as nginx serves it from public/ ---------------------------------------
    let visitor = client_at([127, 0, 0, 2], &ca);
    let plain_file =
        std::fs::read(stack.public.join("izin/izin-pemasangan-rumpon/index.html")).expect("the built page");
    let page = visitor.get(&format!("{base}{PERMIT_PAGE}"));
    assert_eq!(page.status, 200, "{}", logs());
    assert_eq!(page.body, plain_file, "without Accept-Encoding: the page as built");
    assert_eq!(page.header("content-encoding"), None);
    assert_eq!(page.header("cache-control"), Some("no-cache"));
    assert!(page.header("etag").is_some() && page.header("last-modified").is_some());

    // The same security headers as the service sends for the same page.
    let direct = Client::new().get(&format!("http://127.0.0.1:{upstream}{PERMIT_PAGE}"));
    assert_eq!(direct.status, 200);
    for h in [
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
        "cache-control",
    ] {
        assert_eq!(page.header(h), direct.header(h), "{h}: nginx and the service differ");
        assert!(page.header(h).is_some(), "{h} missing");
    }
    let hsts = |p: &Page| {
        p.headers
            .iter()
            .filter(|(k, _)| k == "strict-transport-security")
            .count()
    };
    assert_eq!(hsts(&page), 1, "one HSTS header on the site: {:?}", page.headers);

    // The build's pre-compressed copies, sent as they are.
    for (encoding, ext, available) in [("gzip", "gz", true), ("br", "br", nginx.brotli)] {
        let copy = stack
            .public
            .join(format!("izin/izin-pemasangan-rumpon/index.html.{ext}"));
        let Ok(expected) = std::fs::read(&copy) else {
            println!(
                "skipped the {encoding} check: the build wrote no {} (pre-compression not in this build yet)",
                copy.display()
            );
            continue;
        };
        if !available {
            println!("skipped the {encoding} check: nginx has no brotli_static module here");
            continue;
        }
        let c = client_at([127, 0, 0, 2], &ca).with_header("accept-encoding", encoding);
        let p = c.get(&format!("{base}{PERMIT_PAGE}"));
        assert_eq!(p.status, 200);
        assert_eq!(p.header("content-encoding"), Some(encoding), "{:?}", p.headers);
        assert_eq!(
            p.body, expected,
            "Accept-Encoding: {encoding}: the build's .{ext} byte for byte"
        );
        assert!(
            p.header("vary")
                .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")),
            "{:?}",
            p.headers
        );
    }

    // A fingerprinted asset is kept for a year; the redirect from HTTP keeps the path.
    let html = page.text();
    let css_at = html.find("/assets/site.").expect("the stylesheet's link");
    let css = html[css_at..].split('"').next().expect("link");
    let asset = visitor.get(&format!("{base}{css}"));
    assert_eq!(asset.status, 200, "{css}");
    assert_eq!(
        asset.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let direct_asset = Client::new().get(&format!("http://127.0.0.1:{upstream}{css}"));
    assert_eq!(asset.header("cache-control"), direct_asset.header("cache-control"));
    let redirect = Client::new().get(&format!("http://127.0.0.1:{http}{PERMIT_PAGE}?q=1"));
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.location(), format!("{base}{PERMIT_PAGE}?q=1"));

    // TLS as Mozilla's "intermediate" profile has it, though the http {} level above allows
    // TLS 1.0 as Debian's does: 1.3, and 1.2 with a suite of the list, but not 1.2 with a CBC
    // suite outside it (which OpenSSL, and nginx's own default list, would accept).
    let handshake = |args: &[&str]| {
        let mut c = Command::new("openssl");
        c.args(["s_client", "-connect", &format!("127.0.0.1:{https}")])
            .args(args)
            .stdin(Stdio::null());
        let (status, out) = run_until_quiet(c, Duration::from_secs(20));
        (status.is_some_and(|s| s.success()), out)
    };
    for (args, accepted) in [
        (&["-tls1_3"][..], true),
        (&["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"][..], true),
        (&["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"][..], false),
    ] {
        let (ok, out) = handshake(args);
        assert_eq!(ok, accepted, "openssl s_client {args:?}: accepted {ok}\n{out}");
    }

    // --- A journey through nginx --------------------------------------------------------
    let applicant = client_at([127, 0, 0, 3], &ca);
    let fields = registration("rahmat.hidayat", "rahmat@contoh.id", 0);
    let nomor = register(&applicant, &base, &base, &fields).unwrap_or_else(|e| panic!("{e}\n{}", logs()));
    // The service's own headers pass through, nothing added: one HSTS, and no-store.
    let form = applicant.get(&format!("{base}/layanan/registrasi"));
    assert_eq!(hsts(&form), 1, "{:?}", form.headers);
    assert_eq!(form.header("cache-control"), Some("no-store"));

    let officer = client_at([127, 0, 0, 4], &ca);
    sign_in_officer(&officer, &base);
    let console = officer.get(&format!("{base}/layanan/petugas/"));
    let id = registration_id(&console.text(), &nomor);
    let detail = officer.get(&format!("{base}/layanan/petugas/registrasi/{id}"));
    assert_eq!(detail.status, 200, "{}", detail.text());
    let r = officer.post(&format!("{base}/layanan/petugas/registrasi/{id}/setujui"), &detail, &[]);
    assert_eq!(r.status, 303, "{}", r.text());

    let link = wait_for_mail_in(&stack.maildir, "rahmat@contoh.id", "disetujui", logs)
        .link(&format!("{base}/layanan/atur-sandi?token="));
    let form = applicant.get(&link);
    assert_eq!(form.status, 200, "{}", form.text());
    let token = form.hidden("token").expect("the link's token in the form");
    let r = applicant.post(
        &format!("{base}/layanan/atur-sandi"),
        &form,
        &[("token", &token), ("password", PW), ("password2", PW)],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(login(&applicant, &base, "rahmat.hidayat", PW).status, 303);

    // PERMOHONAN, then a 3 MiB document: over nginx's default 1 MB and the 2 MB of the other
    // forms, under this requirement's 10 MB.
    let permohonan = new_application(&applicant, &base);
    let dokumen = applicant.get(&format!("{base}/layanan/permohonan/{permohonan}/dokumen"));
    assert_eq!(dokumen.status, 200, "{}", dokumen.text());
    let mut content = b"% tata letak rumpon lewat nginx\n".to_vec();
    content.extend((0..3 * 1024 * 1024).map(|i| (i % 251) as u8));
    let bytes = formsvc::samples::pdf(&content);
    let r = applicant
        .try_upload(
            &format!("{base}/layanan/permohonan/{permohonan}/dokumen/tata-letak-spesifikasi"),
            &dokumen,
            "tata-letak.pdf",
            "application/pdf",
            &bytes,
        )
        .unwrap_or_else(|e| panic!("upload: {e}\n{}", logs()));
    assert_eq!(r.status, 303, "{}\n{}", r.text(), logs());
    // Streamed to the service as it came, not spooled first: nginx warns when it writes a body
    // to a temporary file.
    let warnings = std::fs::read_to_string(&nginx.error_log).unwrap_or_default();
    assert!(
        !warnings.contains("buffered to a temporary file"),
        "nginx spooled the upload:\n{warnings}"
    );
    let application = applicant.get(&format!("{base}/layanan/permohonan/{permohonan}"));
    let file = applicant.get(&format!("{base}{}", document_link(&application.text())));
    assert_eq!(file.status, 200);
    assert_eq!(file.header("content-type"), Some("application/pdf"));
    assert!(file.body == bytes, "the download differs from the upload");

    // --- Health and metrics: to the addresses the site allows (loopback's 127.0.0.1 as
    // shipped), refused by nginx to anyone else ---------------------------------------------
    let monitor = client_at([127, 0, 0, 1], &ca);
    for path in ["/healthz", "/readyz", "/metrics"] {
        let r = monitor.get(&format!("{base}{path}"));
        assert_eq!(r.status, 200, "{path} from 127.0.0.1: {}\n{}", r.text(), logs());
        let r = visitor.get(&format!("{base}{path}"));
        assert_eq!(r.status, 403, "{path} from 127.0.0.2: {}", r.text());
    }

    // --- Each client's own address --------------------------------------------------------
    // 127.0.0.5 puts a made-up X-Forwarded-For of its own on every request, a new one each
    // time; nginx appends the real peer and the service takes the right-most address it does
    // not trust, so every attempt still counts against 127.0.0.5, which reaches the limit.
    for n in 1..=LIMIT + 1 {
        let c = client_at([127, 0, 0, 5], &ca).with_header("x-forwarded-for", &format!("203.0.113.{n}"));
        let fields = registration(&format!("warga.{n}"), &format!("warga{n}@contoh.id"), n);
        let r = daftar(&c, &base, &base, &fields).unwrap_or_else(|e| panic!("{e}\n{}", logs()));
        if n <= LIMIT {
            assert_eq!(r.status, 303, "registration {n} from 127.0.0.5: {}", r.text());
        } else {
            assert_eq!(
                r.status,
                429,
                "registration {n} from 127.0.0.5 is over the limit of {LIMIT}: {}",
                r.text()
            );
        }
    }
    // Behind the same nginx, 127.0.0.3 has registered once: it still may. Were every client
    // counted as nginx's 127.0.0.1, this would be the fifth registration of one address.
    let fields = registration("rahmat.kedua", "rahmat2@contoh.id", 50);
    register(&applicant, &base, &base, &fields)
        .unwrap_or_else(|e| panic!("127.0.0.3 is refused although under its own limit: {e}\n{}", logs()));
}
