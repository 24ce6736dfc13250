//! Several `sicantik serve` processes on one PostgreSQL database and one S3 bucket prefix, as an
//! office runs them behind a load balancer: each with a data directory and a built site of its
//! own, all sharing the store, the documents, the one public address for emailed links and the
//! one loopback SMTP server. Or one process on the embedded store (an SQLite file and a
//! documents folder), driven the same way. The servers come from `.ci/services`
//! (`SICANTIK_TEST_POSTGRES_URL`, `SICANTIK_TEST_S3_ENDPOINT`, `SICANTIK_TEST_S3_BUCKET` and the
//! `AWS_*` credentials); the cluster gets a database and a bucket prefix of its own.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// How long a step may wait for something that happens in the background (an email).
pub const WAIT: Duration = Duration::from_secs(60);

/// Where the shared servers are, or `None` (and the test says it skipped) when unset.
pub struct Servers {
    pub postgres: String,
    pub s3_endpoint: String,
    pub s3_bucket: String,
}

impl Servers {
    pub fn from_env(test: &str) -> Option<Servers> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let found = (|| {
            Some(Servers {
                postgres: var("SICANTIK_TEST_POSTGRES_URL")?,
                s3_endpoint: var("SICANTIK_TEST_S3_ENDPOINT")?,
                s3_bucket: var("SICANTIK_TEST_S3_BUCKET").unwrap_or_else(|| "sicantik-test".into()),
            })
        })();
        if found.is_none() {
            println!(
                "skipped {test}: SICANTIK_TEST_POSTGRES_URL or SICANTIK_TEST_S3_ENDPOINT not set \
                 (`source .ci/services` starts both)"
            );
        }
        found
    }
}

/// Runs `f` with a client of `url` on a runtime of its own (the tests are synchronous).
fn with_pg<T>(url: &str, f: impl AsyncFnOnce(&tokio_postgres::Client) -> T) -> T {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect to PostgreSQL");
        let task = tokio::spawn(conn);
        let out = f(&client).await;
        drop(client);
        let _ = task.await;
        out
    })
}

/// A database of the cluster's own, dropped (with its connections) at the end.
pub struct Database {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl Database {
    /// A new empty database on the server of `admin_url`.
    pub fn create(admin_url: &str) -> Database {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let name = format!("sicantik_e2e_{}_{nanos}", std::process::id());
        with_pg(admin_url, async |c| {
            c.batch_execute(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create the cluster's database")
        });
        let (head, _) = admin_url
            .rsplit_once('/')
            .expect("SICANTIK_TEST_POSTGRES_URL ends in /database");
        Database {
            admin_url: admin_url.to_string(),
            url: format!("{head}/{name}"),
            name,
        }
    }

    /// Every row of `sql` (each column cast to text by the query itself).
    pub fn rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        with_pg(&self.url, async |c| {
            c.simple_query(sql)
                .await
                .expect("query the cluster's database")
                .into_iter()
                .filter_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => {
                        Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
                    }
                    _ => None,
                })
                .collect()
        })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let name = self.name.clone();
        with_pg(&self.admin_url, async |c| {
            let _ = c
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        });
    }
}

/// The cluster's database, to look at what was stored.
pub enum Db {
    Postgres(Database),
    Sqlite(PathBuf),
}

impl Db {
    /// Every row of `sql`, each value as text.
    pub fn rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        match self {
            Db::Postgres(db) => db.rows(sql),
            Db::Sqlite(path) => {
                let c = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                    .expect("open the SQLite file");
                let mut stmt = c.prepare(sql).expect("prepare");
                let n = stmt.column_count();
                stmt.query_map([], |r| {
                    (0..n)
                        .map(|i| {
                            Ok(match r.get_ref(i)? {
                                rusqlite::types::ValueRef::Null => None,
                                rusqlite::types::ValueRef::Integer(v) => Some(v.to_string()),
                                rusqlite::types::ValueRef::Real(v) => Some(v.to_string()),
                                rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                                    Some(String::from_utf8_lossy(t).into_owned())
                                }
                            })
                        })
                        .collect()
                })
                .expect("query")
                .collect::<rusqlite::Result<_>>()
                .expect("rows")
            }
        }
    }

    /// The one number `sql` answers.
    pub fn number(&self, sql: &str) -> i64 {
        let rows = self.rows(sql);
        rows.first()
            .and_then(|r| r.first().cloned().flatten())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{sql} answered {rows:?}, not one number"))
    }
}

/// The master key of every cluster in this test run, as `SICANTIK_MASTER_KEY` gives it.
pub fn master_key() -> String {
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    KEY.get_or_init(|| formsvc::keys::new_key_text().trim().to_string())
        .clone()
}

/// Where a cluster keeps its data.
pub enum Backend<'a> {
    /// One instance, an SQLite file and a documents folder: the embedded default.
    Embedded,
    /// PostgreSQL and S3, with a database and a bucket prefix of the cluster's own.
    Shared(&'a Servers),
}

/// What happens before the instances start.
pub enum Setup<'a> {
    /// `sicantik officer add` creates the officer `OFFICER`.
    Officer,
    /// `sicantik restore` puts this archive back (officers included).
    Restore(&'a Path),
}

/// One `sicantik serve` of the cluster.
pub struct Instance {
    pub url: String,
    port: u16,
    pub log: PathBuf,
    child: Option<Child>,
}

impl Instance {
    /// SIGKILL, as the kernel's OOM killer or a pulled plug would stop it: nothing is flushed.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The instances, their shared servers and a temporary directory; everything stops on drop.
pub struct Cluster {
    pub instances: Vec<Instance>,
    pub db: Db,
    /// The public address, which emailed links use: the first instance's (the load balancer).
    pub base: String,
    pub maildir: PathBuf,
    pub smtp_log: PathBuf,
    env: Vec<(String, String)>,
    _smtp: Children,
    _tmp: tempfile::TempDir,
}

impl Cluster {
    /// Starts `n` instances on the shared servers, with `extra` settings for all of them, and
    /// creates the officer `OFFICER` (of the site's office) from the command line.
    pub fn start(servers: &Servers, n: usize, extra: &[(&str, &str)]) -> Cluster {
        Cluster::start_on(Backend::Shared(servers), n, extra, Setup::Officer)
    }

    /// Starts `n` instances (one when embedded) on `backend`, after `setup`.
    pub fn start_on(backend: Backend<'_>, n: usize, extra: &[(&str, &str)], setup: Setup<'_>) -> Cluster {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().to_path_buf();
        let maildir = dir.join("maildir");
        let smtp_log = dir.join("smtp.log");
        let mut smtp = Children::default();
        let (child, smtp_port) = start_smtp(&maildir, &smtp_log);
        smtp.add(child);
        let ports: Vec<u16> = (0..n).map(|_| free_port()).collect();
        let base = format!("http://127.0.0.1:{}", ports[0]);
        let (db, mut env): (Db, Vec<(String, String)>) = match backend {
            Backend::Embedded => {
                assert_eq!(n, 1, "an SQLite file belongs to one instance");
                let data = dir.join("data");
                (
                    Db::Sqlite(data.join("sicantik.sqlite3")),
                    vec![("SICANTIK_DATA_DIR".into(), data.display().to_string())],
                )
            }
            Backend::Shared(servers) => {
                let db = Database::create(&servers.postgres);
                let env = vec![
                    ("SICANTIK_DATABASE_URL".into(), db.url.clone()),
                    ("SICANTIK_DATABASE_POOL".into(), "8".into()),
                    (
                        "SICANTIK_STORAGE_URL".into(),
                        format!("s3://{}/{}", servers.s3_bucket, db.name),
                    ),
                    ("SICANTIK_S3_ENDPOINT".into(), servers.s3_endpoint.clone()),
                ];
                (Db::Postgres(db), env)
            }
        };
        env.extend([
            ("SICANTIK_BASE_URL".into(), base.clone()),
            ("SICANTIK_SMTP_URL".into(), format!("smtp://127.0.0.1:{smtp_port}")),
            (
                "SICANTIK_MAIL_FROM".into(),
                "DPMPTSP Provinsi Sumatera Selatan <noreply@dpmptsp.test>".into(),
            ),
            ("SICANTIK_MAIL_RETRY_BASE_MS".into(), "200".into()),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
            // One master key for every instance (and `officer add`), as a deployment has: each
            // data directory making its own would leave all but the first unable to start. The
            // same for every cluster of the test run, as an operator restores a backup with the
            // key kept apart from it.
            ("SICANTIK_MASTER_KEY".into(), master_key()),
        ]);
        // The bucket's credentials, always given: without them the S3 client would go looking
        // for instance credentials off this machine.
        for (k, fallback) in [
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_REGION", "us-east-1"),
        ] {
            env.push((k.into(), std::env::var(k).unwrap_or_else(|_| fallback.into())));
        }
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));

        let mut cluster = Cluster {
            instances: Vec::new(),
            db,
            base,
            maildir,
            smtp_log,
            env,
            _smtp: smtp,
            _tmp: tmp,
        };
        match setup {
            Setup::Officer => cluster.add_officer(&dir),
            Setup::Restore(archive) => {
                let out = cluster
                    .command(&dir, &["restore"])
                    .arg(archive)
                    .output()
                    .expect("run sicantik restore");
                assert!(
                    out.status.success(),
                    "restore failed:\n{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        for (i, port) in ports.into_iter().enumerate() {
            let instance = cluster.spawn(&dir.join(format!("instance-{i}")), port);
            cluster.instances.push(instance);
        }
        // Start them all before waiting: they apply the migrations together.
        for instance in &mut cluster.instances {
            let child = instance.child.as_mut().expect("just started");
            wait_until_ready(child, instance.port, &instance.log);
        }
        cluster
    }

    /// `sicantik ARGS` with the cluster's settings, run from `dir`.
    pub fn command(&self, dir: &Path, args: &[&str]) -> std::process::Command {
        let mut cmd = sicantik(dir, &dir.join("tool-public"));
        cmd.args(args)
            .env("SICANTIK_DATA_DIR", dir.join("tool-data"))
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    fn add_officer(&self, dir: &Path) {
        let mut add = self
            .command(
                dir,
                &["officer", "add", "--username", OFFICER, "--name", "Petugas Satu"],
            )
            .args(["--email", OFFICER_EMAIL, "--password-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run sicantik officer add");
        writeln!(add.stdin.take().expect("stdin"), "{OFFICER_PASSWORD}").expect("write the password");
        let out = add.wait_with_output().expect("wait for sicantik officer add");
        assert!(
            out.status.success(),
            "officer add failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn spawn(&self, dir: &Path, port: u16) -> Instance {
        std::fs::create_dir_all(dir).expect("instance dir");
        let log = dir.join("serve.log");
        let file = File::create(&log).expect("serve log");
        let child = sicantik(dir, &dir.join("public"))
            .arg("serve")
            .env("SICANTIK_ADDR", format!("127.0.0.1:{port}"))
            .env("SICANTIK_DATA_DIR", dir.join("data"))
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("serve log"))
            .stderr(file)
            .spawn()
            .expect("run sicantik serve");
        Instance {
            url: format!("http://127.0.0.1:{port}"),
            port,
            log,
            child: Some(child),
        }
    }

    /// The end of every instance's log and the SMTP server's, for a failure message.
    pub fn logs(&self) -> String {
        let mut out: Vec<String> = self.instances.iter().map(|i| tail(&i.log)).collect();
        out.push(tail(&self.smtp_log));
        out.join("\n")
    }

    /// Every message the SMTP server has stored so far.
    pub fn mails(&self) -> Vec<Mail> {
        mails_in(&self.maildir)
    }

    /// Waits for the message to `to` whose subject contains `subject`.
    pub fn wait_for_mail(&self, to: &str, subject: &str) -> Mail {
        wait_for_mail_in(&self.maildir, to, subject, || self.logs())
    }

    /// Waits until the outbox holds nothing waiting to be sent.
    pub fn wait_until_outbox_is_empty(&self) {
        let started = Instant::now();
        loop {
            let waiting = self.db.number("SELECT count(*) FROM outbox WHERE status = 'antre'");
            if waiting == 0 {
                return;
            }
            assert!(
                started.elapsed() < WAIT,
                "{waiting} emails still waiting after {WAIT:?}\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Every message the loopback SMTP server has stored in `maildir` so far.
pub fn mails_in(maildir: &Path) -> Vec<Mail> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(maildir.join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            let raw = std::fs::read(e.path()).expect("read a stored message");
            out.push(Mail::parse(&raw));
        }
    }
    out
}

/// Waits for the message in `maildir` to `to` whose subject contains `subject`; `logs` says
/// what the servers wrote, should it not come.
pub fn wait_for_mail_in(maildir: &Path, to: &str, subject: &str, logs: impl Fn() -> String) -> Mail {
    let started = Instant::now();
    loop {
        if let Some(m) = mails_in(maildir)
            .into_iter()
            .find(|m| m.to == to && m.subject.contains(subject))
        {
            return m;
        }
        assert!(
            started.elapsed() < WAIT,
            "no email to {to} about {subject:?} within {WAIT:?}\n{}",
            logs()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A message as it arrived: its Message-ID, the envelope recipient, the subject and the text.
#[derive(Debug, Clone)]
pub struct Mail {
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
}

impl Mail {
    fn parse(raw: &[u8]) -> Mail {
        let parsed = mailparse::parse_mail(raw).expect("a stored message parses");
        let header = |name: &str| {
            parsed
                .headers
                .iter()
                .find(|h| h.get_key_ref().eq_ignore_ascii_case(name))
                .map(|h| h.get_value())
                .unwrap_or_default()
        };
        let text = std::iter::once(&parsed)
            .chain(parsed.subparts.iter())
            .find(|p| p.ctype.mimetype == "text/plain")
            .and_then(|p| p.get_body().ok())
            .unwrap_or_default();
        Mail {
            message_id: header("Message-ID").trim().trim_matches(['<', '>']).to_string(),
            to: header("X-RcptTo"),
            subject: header("Subject"),
            text,
        }
    }

    /// The first address in the text that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let start = self
            .text
            .find(prefix)
            .unwrap_or_else(|| panic!("no link starting with {prefix} in:\n{}", self.text));
        self.text[start..]
            .split(|c: char| c.is_whitespace() || c == '>' || c == ')')
            .next()
            .unwrap_or_default()
            .to_string()
    }
}

/// A page as the client got it.
#[derive(Debug, Clone)]
pub struct Page {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Page {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn location(&self) -> &str {
        self.header("location").unwrap_or_default()
    }

    /// The value of the hidden input `name`.
    pub fn hidden(&self, name: &str) -> Option<String> {
        let text = self.text();
        let marker = format!("name=\"{name}\" value=\"");
        let start = text.find(&marker)? + marker.len();
        let end = text[start..].find('"')?;
        Some(text[start..start + end].to_string())
    }
}

/// One person's browser: one cookie jar for every instance (they answer on one host name
/// behind a load balancer; here on one address with different ports, which cookies ignore).
/// Redirects are not followed; the tests look at them. A step that hangs fails after 60 s.
pub struct Client {
    agent: ureq::Agent,
    cookies: std::sync::Mutex<HashMap<String, String>>,
    /// Sent with every request, as a browser sends its own (`Accept-Encoding`, …).
    headers: Vec<(String, String)>,
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

impl Client {
    pub fn new() -> Client {
        Client::with_agent(Client::config().build().into())
    }

    /// The settings every test client has: no redirects followed, every status an answer, and
    /// 60 s for a whole request. For an agent of the test's own making (TLS, a transport).
    pub fn config() -> ureq::config::ConfigBuilder<ureq::typestate::AgentScope> {
        ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
    }

    pub fn with_agent(agent: ureq::Agent) -> Client {
        Client {
            agent,
            cookies: Default::default(),
            headers: Vec::new(),
        }
    }

    /// The same client sending `name: value` with every request.
    pub fn with_header(mut self, name: &str, value: &str) -> Client {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn get(&self, url: &str) -> Page {
        self.try_get(url).unwrap_or_else(|e| panic!("GET {url}: {e}"))
    }

    /// `GET`, or the transport error (a refused connection, a reset).
    pub fn try_get(&self, url: &str) -> Result<Page, ureq::Error> {
        let r = self.prepare(self.agent.get(url)).call();
        self.finish(r)
    }

    /// Posts `fields` after the form token of `page`, as the browser posts the form of that page.
    pub fn post(&self, url: &str, page: &Page, fields: &[(&str, &str)]) -> Page {
        self.try_post(url, page, fields)
            .unwrap_or_else(|e| panic!("POST {url}: {e}"))
    }

    pub fn try_post(&self, url: &str, page: &Page, fields: &[(&str, &str)]) -> Result<Page, ureq::Error> {
        let csrf = page.hidden("csrf").expect("the page has a form token");
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        let r = self.prepare(self.agent.post(url)).send_form(all.iter().copied());
        self.finish(r)
    }

    /// Uploads `bytes` as the DOKUMEN form's `berkas`, with the token of `page`.
    pub fn try_upload(
        &self,
        url: &str,
        page: &Page,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<Page, ureq::Error> {
        let csrf = page.hidden("csrf").expect("the page has a form token");
        let boundary = "----sicantikE2eBoundary1B9Xq";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n").as_bytes(),
        );
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"berkas\"; filename=\"{file_name}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = self
            .prepare(self.agent.post(url))
            .header("content-type", &format!("multipart/form-data; boundary={boundary}"))
            .send(&body[..]);
        self.finish(r)
    }

    /// The cookies and the client's own headers on a request.
    fn prepare<B>(&self, mut r: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        r = r.header("cookie", &self.cookie_header());
        for (k, v) in &self.headers {
            r = r.header(k, v);
        }
        r
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .expect("cookie jar")
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn finish(&self, r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Page, ureq::Error> {
        let mut r = r?;
        for v in r.headers().get_all("set-cookie") {
            let Ok(v) = v.to_str() else { continue };
            let Some((k, val)) = v.split(';').next().and_then(|c| c.split_once('=')) else {
                continue;
            };
            let mut jar = self.cookies.lock().expect("cookie jar");
            if val.is_empty() || v.contains("Max-Age=0") {
                jar.remove(k);
            } else {
                jar.insert(k.to_string(), val.to_string());
            }
        }
        let status = r.status().as_u16();
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        let body = r.body_mut().with_config().limit(64 * 1024 * 1024).read_to_vec()?;
        Ok(Page { status, headers, body })
    }
}

/// Sets the flag when dropped: load threads stop even when the test fails while they run
/// (a panic inside `std::thread::scope` waits for them first).
pub struct StopOnDrop<'a>(pub &'a std::sync::atomic::AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}
