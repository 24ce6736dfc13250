//! `spawn_app()` starts the real service on `127.0.0.1:0` with its own data directory and SMTP
//! server; `Browser` is a cookie-keeping HTTP client that reads forms the way a browser would.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::backend::{self, Backend};
use crate::smtp::SmtpServer;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub struct TestApp {
    pub base: String,
    pub data: tempfile::TempDir,
    pub smtp: SmtpServer,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    public: tempfile::TempDir,
    env: Vec<(String, String)>,
    /// The test's own PostgreSQL database, dropped at the end (PostgreSQL + S3 runs only).
    database: Option<TestDatabase>,
    /// The officers' authenticator apps: the key each enrolled, and the last step it answered.
    phones: std::sync::Mutex<HashMap<String, Phone>>,
}

/// What an officer's authenticator app holds.
#[derive(Clone)]
pub struct Phone {
    pub secret: String,
    last_step: i64,
}

impl Phone {
    pub fn new(secret: String) -> Phone {
        Phone { secret, last_step: 0 }
    }

    /// The next code the service will accept: the current one, unless it answered with it
    /// already (a code is accepted once), then the next step's, which the service still takes;
    /// past that, it waits for the clock.
    pub fn next_code(&mut self) -> String {
        loop {
            let now = formsvc::clock::now();
            let step = (now / 30).max(self.last_step + 1);
            if step <= now / 30 + 1 {
                self.last_step = step;
                return formsvc::second_factor::code_at(&self.secret, step * 30).expect("a code");
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
    }
}

/// The key an enrolment page shows for typing into an app, spaces removed.
pub fn enrolment_key(page: &str) -> Option<String> {
    let start = page.find("<p class=\"kunci\"><code>")? + "<p class=\"kunci\"><code>".len();
    let end = start + page[start..].find("</code>")?;
    Some(page[start..end].chars().filter(|c| !c.is_whitespace()).collect())
}

/// A database made for one test on the PostgreSQL server of `SICANTIK_TEST_POSTGRES_URL`.
pub struct TestDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

/// Runs `f` with a client of `url`, on a runtime of its own (tests are synchronous).
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

impl TestDatabase {
    fn create(admin_url: &str) -> TestDatabase {
        let name = format!(
            "sicantik_test_{}",
            &formsvc::security::random_token().to_lowercase().replace(['-', '_'], "")[..16]
        );
        with_pg(admin_url, async |c| {
            c.batch_execute(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create the test database")
        });
        let mut url = url::Url::parse(admin_url).expect("SICANTIK_TEST_POSTGRES_URL is a URL");
        url.set_path(&format!("/{name}"));
        TestDatabase {
            admin_url: admin_url.to_string(),
            name,
            url: url.to_string(),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        with_pg(&self.admin_url, async |c| {
            let _ = c
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        });
    }
}

pub struct Options {
    pub smtp: Option<SmtpServer>,
    pub retry_base_ms: u64,
    pub max_attempts: u32,
    /// More settings, e.g. `SICANTIK_TRUSTED_PROXIES`; `SICANTIK_CLAMD` here replaces the
    /// clamd of `SICANTIK_TEST_CLAMD`.
    pub env: Vec<(&'static str, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            smtp: None,
            retry_base_ms: 100,
            max_attempts: 12,
            env: Vec::new(),
        }
    }
}

pub fn spawn_app() -> TestApp {
    spawn_app_with(Options::default())
}

fn start(env: &[(String, String)], port: u16) -> (tokio::sync::oneshot::Sender<()>, std::thread::JoinHandle<()>, u16) {
    let lookup = env.to_vec();
    let cfg = formsvc::Config::from_env(move |k| lookup.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
        .expect("config");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
            let port = listener.local_addr().expect("addr").port();
            let service = formsvc::Service::new(cfg).await.expect("service starts");
            ready_tx.send(port).expect("ready");
            service
                .run(listener, async move {
                    let _ = rx.await;
                })
                .await
                .expect("service runs");
        });
    });
    let port = ready_rx.recv_timeout(Duration::from_secs(30)).expect("service ready");
    (tx, thread, port)
}

pub fn spawn_app_with(opts: Options) -> TestApp {
    let smtp = opts.smtp.unwrap_or_else(SmtpServer::start);
    let data = tempfile::tempdir().expect("data dir");
    let public = tempfile::tempdir().expect("public dir");
    // The base URL names the port, so find a free one first.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("probe")
        .local_addr()
        .expect("addr")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let env: Vec<(String, String)> = [
        ("SICANTIK_DATA_DIR", data.path().display().to_string()),
        ("SICANTIK_BASE_URL", base.clone()),
        ("SICANTIK_SMTP_URL", smtp.url()),
        (
            "SICANTIK_MAIL_FROM",
            "DPMPTSP Provinsi Sumatera Selatan <noreply@dpmptsp.test>".to_string(),
        ),
        ("SICANTIK_CONTENT_DIR", repo().join("content").display().to_string()),
        (
            "SICANTIK_THEME_DIR",
            repo().join("themes/default").display().to_string(),
        ),
        ("SICANTIK_PUBLIC_DIR", public.path().display().to_string()),
        ("SICANTIK_MAIL_RETRY_BASE_MS", opts.retry_base_ms.to_string()),
        ("SICANTIK_MAIL_MAX_ATTEMPTS", opts.max_attempts.to_string()),
        ("SICANTIK_UPLOAD_IDLE_SECONDS", "1".to_string()),
        // Low per-address limits, so the tests that reach them stay short.
        ("SICANTIK_LIMIT_REGISTRATIONS_PER_ADDRESS", "10".to_string()),
        ("SICANTIK_LIMIT_LOGINS_PER_ADDRESS", "30".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let (backend_env, database) = backend_env();
    // Later entries win: the backend's, then the test's own settings.
    let mut env = env;
    env.extend(backend_env);
    env.extend(opts.env.iter().map(|(k, v)| (k.to_string(), v.clone())));
    // Every upload of every test goes through real clamd when `.ci/services` started one,
    // unless the test names a scanner of its own.
    if let Some(clamd) = std::env::var("SICANTIK_TEST_CLAMD").ok().filter(|v| !v.is_empty())
        && !env.iter().any(|(k, _)| k == "SICANTIK_CLAMD")
    {
        env.push(("SICANTIK_CLAMD".to_string(), clamd));
    }
    let (tx, thread, _) = start(&env, port);
    TestApp {
        base,
        data,
        smtp,
        shutdown: Some(tx),
        thread: Some(thread),
        public,
        env,
        database,
        phones: Default::default(),
    }
}

/// The settings that put the service on the test's backend: nothing for the embedded store;
/// a database of its own and a prefix of its own in the bucket for PostgreSQL + S3.
pub fn backend_env() -> (Vec<(String, String)>, Option<TestDatabase>) {
    match backend::current() {
        Backend::Embedded => (Vec::new(), None),
        Backend::PostgresS3 => {
            let servers = backend::servers().expect("servers are set for a PostgreSQL + S3 run");
            let db = TestDatabase::create(&servers.postgres);
            let env = vec![
                ("SICANTIK_DATABASE_URL".to_string(), db.url.clone()),
                ("SICANTIK_DATABASE_POOL".to_string(), "4".to_string()),
                (
                    "SICANTIK_STORAGE_URL".to_string(),
                    format!("s3://{}/{}", servers.s3_bucket, db.name),
                ),
                ("SICANTIK_S3_ENDPOINT".to_string(), servers.s3_endpoint),
            ];
            // The service's settings are read from this list, not the process: hand it the
            // bucket's credentials, so it never looks for instance credentials elsewhere.
            let mut env = env;
            for k in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"] {
                let v = std::env::var(k).unwrap_or_else(|_| {
                    if k == "AWS_REGION" {
                        "us-east-1".into()
                    } else {
                        "test".into()
                    }
                });
                env.push((k.to_string(), v));
            }
            (env, Some(db))
        }
    }
}

impl TestApp {
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// Stops the service (graceful shutdown) and starts it again on the same data directory.
    pub fn restart(&mut self) {
        self.stop();
        let port: u16 = self.base.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
        let (tx, thread, _) = start(&self.env, port);
        self.shutdown = Some(tx);
        self.thread = Some(thread);
        let _ = &self.public;
    }

    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            t.join().expect("service thread");
        }
    }

    /// The service's database, to check what was (not) stored.
    pub fn db(&self) -> Sql {
        match &self.database {
            None => Sql::Sqlite(self.data.path().join("sicantik.sqlite3")),
            Some(db) => Sql::Postgres(db.url.clone()),
        }
    }

    /// The service's settings, as it reads them.
    pub fn config(&self) -> formsvc::Config {
        let lookup = self.env.clone();
        formsvc::Config::from_env(move |k| lookup.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())).expect("config")
    }

    /// Sets (or replaces) one of the service's settings, for the next `restart`.
    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.retain(|(k, _)| k != name);
        self.env.push((name.to_string(), value.to_string()));
    }

    /// Every object in the document store, with its bytes as stored.
    pub fn raw_objects(&self) -> Vec<(String, Vec<u8>)> {
        let cfg = self.config();
        block_on(async {
            use futures_util::StreamExt;
            let blobs = formsvc::blob::Blobs::open(&cfg.storage).expect("document store");
            let mut out = Vec::new();
            for (name, _, _) in blobs.list().await.expect("list documents") {
                let mut bytes = Vec::new();
                let mut s = blobs.get(&name, None).await.expect("read the object");
                while let Some(chunk) = s.next().await {
                    bytes.extend_from_slice(&chunk.expect("chunk"));
                }
                out.push((name, bytes));
            }
            out
        })
    }

    /// Writes `bytes` over the stored object `name` (to spoil it, or to make it look like a
    /// document stored before encryption).
    pub fn overwrite_object(&self, name: &str, bytes: Vec<u8>) {
        let cfg = self.config();
        block_on(async {
            let blobs = formsvc::blob::Blobs::open(&cfg.storage).expect("document store");
            blobs.put_raw(name, bytes.into()).await.expect("overwrite the object");
        })
    }

    /// The objects in the service's document store (folder or bucket prefix).
    pub fn stored_documents(&self) -> usize {
        let lookup = self.env.clone();
        let cfg = formsvc::Config::from_env(move |k| lookup.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
            .expect("config");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let blobs = formsvc::blob::Blobs::open(&cfg.storage).expect("document store");
            blobs.list().await.expect("list documents").len()
        })
    }

    /// The link to document `id` (its random address), as its pages give it.
    pub fn document_url(&self, id: i64) -> String {
        let alamat = self
            .db()
            .texts(&format!("SELECT alamat FROM documents WHERE id = {id}"));
        format!(
            "/layanan/berkas/{}",
            alamat.first().expect("the document has an address")
        )
    }

    /// Creates an officer of `instansi` (default: the site's) with a password.
    pub fn add_officer(&self, username: &str, email: &str, instansi: Option<&str>) -> &'static str {
        let lookup = self.env.clone();
        let cfg = formsvc::Config::from_env(move |k| lookup.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
            .expect("config");
        let new = formsvc::officers::NewOfficer {
            username: username.into(),
            nama: "Petugas Perizinan".into(),
            email: email.into(),
            instansi: instansi.map(str::to_string),
            unit: None,
            password: Some(OFFICER_PASSWORD.into()),
            admin: false,
        };
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(formsvc::officers::add(cfg, new)).expect("officer added");
        OFFICER_PASSWORD
    }

    pub fn officer(&self, username: &str) -> Browser {
        let b = self.browser();
        let page = b.get("/layanan/petugas/masuk");
        let r = b.post(
            "/layanan/petugas/masuk",
            &page,
            &[("login", username), ("password", OFFICER_PASSWORD)],
        );
        assert_eq!(r.status, 303, "officer login: {}", r.body);
        self.second_step(&b, username, r.location());
        b
    }

    /// Passes Verifikasi Dua Langkah as the officer with their phone would, enrolling it first
    /// when the service asks (the key read off the page, as typed into an app).
    pub fn second_step(&self, b: &Browser, username: &str, location: &str) {
        let mut phones = self.phones.lock().expect("phones");
        let r = if location.ends_with("/aktifkan-verifikasi") {
            let page = b.get(location);
            assert_eq!(page.status, 200, "enrolment: {}", page.body);
            let mut phone = Phone::new(enrolment_key(&page.body).expect("the key on the enrolment page"));
            let r = b.post(location, &page, &[("kode", &phone.next_code())]);
            assert_eq!(r.status, 200, "enrolment confirmed: {}", r.body);
            assert!(r.body.contains("Simpan Kode Pemulihan"), "{}", r.body);
            phones.insert(username.to_string(), phone);
            return;
        } else {
            assert!(location.ends_with("/verifikasi"), "the second step: {location}");
            let page = b.get(location);
            assert_eq!(page.status, 200, "verification: {}", page.body);
            let phone = phones
                .get_mut(username)
                .expect("the officer enrolled a phone in this test");
            b.post(location, &page, &[("kode", &phone.next_code())])
        };
        assert_eq!(r.status, 303, "second step: {}", r.body);
    }

    /// The officer's phone, once enrolled.
    pub fn phone(&self, username: &str) -> Option<Phone> {
        self.phones.lock().expect("phones").get(username).cloned()
    }
}

pub const OFFICER_PASSWORD: &str = "petugas perizinan sumsel 2026";

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs `f` to completion on a runtime of its own (tests are synchronous).
pub fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// The service's database, for checking what was (not) stored. The tests' SQL is plain enough
/// for both engines.
pub enum Sql {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Sql {
    /// The first column of the first row, a number.
    pub fn count(&self, sql: &str) -> i64 {
        match self {
            Sql::Sqlite(path) => {
                let c = rusqlite::Connection::open(path).expect("open db");
                c.query_row(sql, [], |r| r.get(0)).expect("count query")
            }
            Sql::Postgres(url) => with_pg(url, async |c| {
                let row = c.query_one(sql, &[]).await.expect("count query");
                row.try_get::<_, i64>(0)
                    .or_else(|_| row.try_get::<_, i32>(0).map(i64::from))
                    .expect("a number")
            }),
        }
    }

    /// Everything the database holds, as text: the SQLite files' bytes (the write-ahead log
    /// included), or every row of every PostgreSQL table.
    pub fn dump(&self) -> String {
        match self {
            Sql::Sqlite(path) => {
                let mut all = String::new();
                for suffix in ["", "-wal", "-shm"] {
                    let file = PathBuf::from(format!("{}{suffix}", path.display()));
                    if let Ok(bytes) = std::fs::read(&file) {
                        all.push_str(&String::from_utf8_lossy(&bytes));
                    }
                }
                all
            }
            Sql::Postgres(url) => with_pg(url, async |c| {
                let tables = c
                    .query(
                        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
                        &[],
                    )
                    .await
                    .expect("tables");
                let mut all = String::new();
                for t in tables {
                    let name: String = t.get(0);
                    for row in c
                        .query(&format!("SELECT t::text FROM {name} t"), &[])
                        .await
                        .expect("rows")
                    {
                        all.push_str(&row.get::<_, String>(0));
                        all.push('\n');
                    }
                }
                all
            }),
        }
    }

    /// The first column of every row, as text.
    pub fn texts(&self, sql: &str) -> Vec<String> {
        match self {
            Sql::Sqlite(path) => {
                let c = rusqlite::Connection::open(path).expect("open db");
                let mut stmt = c.prepare(sql).expect("query");
                stmt.query_map([], |r| r.get::<_, String>(0))
                    .expect("rows")
                    .collect::<Result<Vec<_>, _>>()
                    .expect("text")
            }
            Sql::Postgres(url) => with_pg(url, async |c| {
                c.query(sql, &[])
                    .await
                    .expect("query")
                    .iter()
                    .map(|r| r.get::<_, String>(0))
                    .collect()
            }),
        }
    }

    pub fn exec(&self, sql: &str) {
        match self {
            Sql::Sqlite(path) => {
                let c = rusqlite::Connection::open(path).expect("open db");
                c.busy_timeout(Duration::from_secs(5)).expect("busy timeout");
                c.execute_batch(sql).expect("exec");
            }
            Sql::Postgres(url) => with_pg(url, async |c| c.batch_execute(sql).await.expect("exec")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn location(&self) -> &str {
        self.header("location").unwrap_or("")
    }

    /// The value of the hidden input `name` in the page.
    pub fn hidden(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')?;
        Some(self.body[start..start + end].to_string())
    }
}

/// A client that keeps cookies like a browser and does not follow redirects (tests look at them).
pub struct Browser {
    base: String,
    agent: ureq::Agent,
    cookies: std::cell::RefCell<HashMap<String, String>>,
    /// Sent with every request (a proxy's `X-Forwarded-For`, say).
    extra: Vec<(String, String)>,
}

impl Browser {
    /// Uploads `bytes` as field `berkas` of the DOKUMEN form at `path`, with the page's form token
    /// first, as a browser sends it.
    pub fn upload(&self, path: &str, page: &Resp, file_name: &str, content_type: &str, bytes: &[u8]) -> Resp {
        let csrf = page.hidden("csrf").expect("the page has a form token");
        let boundary = "----sicantikTestBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n").as_bytes(),
        );
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"berkas\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.post_body(path, &format!("multipart/form-data; boundary={boundary}"), &body)
    }

    pub fn post_body(&self, path: &str, content_type: &str, body: &[u8]) -> Resp {
        let r = self
            .request(self.agent.post(&self.url(path)))
            .header("content-type", content_type)
            .send(body);
        self.finish(r)
    }

    pub fn new(base: &str) -> Browser {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        Browser {
            base: base.to_string(),
            agent,
            cookies: Default::default(),
            extra: Vec::new(),
        }
    }

    /// The same browser, sending `name: value` with every request.
    pub fn with_header(mut self, name: &str, value: &str) -> Browser {
        self.extra.push((name.to_string(), value.to_string()));
        self
    }

    fn request<B>(&self, mut r: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        r = r.header("cookie", &self.cookie_header());
        for (k, v) in &self.extra {
            r = r.header(k, v);
        }
        r
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .borrow()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&self, resp: &ureq::http::Response<ureq::Body>) {
        for v in resp.headers().get_all("set-cookie") {
            let Ok(v) = v.to_str() else { continue };
            let first = v.split(';').next().unwrap_or("");
            if let Some((k, val)) = first.split_once('=') {
                let expired = v.contains("Max-Age=0");
                let mut jar = self.cookies.borrow_mut();
                if expired || val.is_empty() {
                    jar.remove(k);
                } else {
                    jar.insert(k.to_string(), val.to_string());
                }
            }
        }
    }

    fn finish(&self, resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Resp {
        let mut resp = resp.expect("HTTP request");
        self.keep(&resp);
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let body = resp.body_mut().read_to_string().unwrap_or_default();
        Resp { status, headers, body }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub fn get(&self, path: &str) -> Resp {
        let r = self.request(self.agent.get(&self.url(path))).call();
        self.finish(r)
    }

    /// A download that must succeed as a transfer: its status and headers, and its body.
    pub fn download(&self, path: &str) -> (Resp, Vec<u8>) {
        self.try_download(path).expect("the download")
    }

    /// A download: its status and headers and its whole body, or how it failed (the server
    /// broke the connection off, before or during the body).
    pub fn try_download(&self, path: &str) -> Result<(Resp, Vec<u8>), String> {
        let mut resp = self
            .request(self.agent.get(&self.url(path)))
            .call()
            .map_err(|e| format!("no answer: {e}"))?;
        self.keep(&resp);
        let head = Resp {
            status: resp.status().as_u16(),
            headers: resp
                .headers()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                .collect(),
            body: String::new(),
        };
        let body = resp
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .map_err(|e| format!("the body broke off: {e}"))?;
        Ok((head, body))
    }

    /// Posts `fields` with the form token of `page` (as the browser would from that page).
    pub fn post(&self, path: &str, page: &Resp, fields: &[(&str, &str)]) -> Resp {
        let csrf = page.hidden("csrf").expect("the page has a form token");
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        self.post_raw(path, &all)
    }

    /// Posts `fields` with the form token of `page` and reads the whole answer as bytes (a
    /// download asked for with a form).
    pub fn post_download(&self, path: &str, page: &Resp, fields: &[(&str, &str)]) -> (Resp, Vec<u8>) {
        let csrf = page.hidden("csrf").expect("the page has a form token");
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        let mut resp = self
            .request(self.agent.post(&self.url(path)))
            .send_form(all.iter().copied())
            .expect("HTTP request");
        self.keep(&resp);
        let head = Resp {
            status: resp.status().as_u16(),
            headers: resp
                .headers()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                .collect(),
            body: String::new(),
        };
        let body = resp
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .expect("the whole body");
        (head, body)
    }

    /// Posts exactly `fields`, nothing added.
    pub fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let r = self
            .request(self.agent.post(&self.url(path)))
            .send_form(fields.iter().copied());
        self.finish(r)
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.borrow().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies.borrow_mut().insert(name.to_string(), value.to_string());
    }
}

/// A valid registration, as a person would fill it in.
pub fn registration(username: &str, email: &str) -> Vec<(String, String)> {
    [
        ("username", username),
        ("nama", "Siti Aminah"),
        ("email", email),
        ("instansi", "Provinsi Sumatera Selatan"),
        ("tipe_identitas", "KTP"),
        ("nomor_identitas", "1671044508900001"),
        ("jenis_kelamin", "P"),
        ("tempat_lahir", "Palembang"),
        ("tanggal_lahir_hari", "5"),
        ("tanggal_lahir_bulan", "8"),
        ("tanggal_lahir_tahun", "1990"),
        ("pekerjaan", "Wiraswasta"),
        ("npwp", ""),
        ("telepon", "0812-3456-7890"),
        ("alamat", "Jl. Jenderal Sudirman No. 10, Kelurahan 20 Ilir"),
        ("kabupaten", "16.71"),
        ("kode_pos", "30129"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Opens the form, fills it with `fields` and presses DAFTAR.
pub fn register(b: &Browser, fields: &[(String, String)]) -> Resp {
    let page = b.get("/layanan/registrasi");
    assert_eq!(page.status, 200);
    let form_id = page.hidden("form_id").expect("form id");
    let mut all: Vec<(&str, &str)> = vec![("form_id", &form_id)];
    all.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    b.post("/layanan/registrasi", &page, &all)
}

pub fn with(fields: &[(String, String)], key: &str, value: &str) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| {
            if k == key {
                (k.clone(), value.to_string())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect()
}

pub const WAIT: Duration = Duration::from_secs(15);

/// Registers `username`, has an officer approve, and sets `password`; returns the applicant's
/// browser, signed out.
pub fn active_applicant(app: &TestApp, username: &str, email: &str, password: &str) -> Browser {
    if app.db().count("SELECT count(*) FROM officers") == 0 {
        app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    }
    let b = app.browser();
    assert_eq!(register(&b, &registration(username, email)).status, 303);
    let id = app
        .db()
        .count(&format!("SELECT id FROM applicants WHERE username = '{username}'"));
    let officer = app.officer("petugas1");
    let detail = officer.get(&format!("/layanan/petugas/registrasi/{id}"));
    assert_eq!(
        officer
            .post(&format!("/layanan/petugas/registrasi/{id}/setujui"), &detail, &[])
            .status,
        303
    );
    let link = wait_for_link(app, email, "disetujui");
    let form = b.get(&link);
    let token = form.hidden("token").expect("token");
    let r = b.post(
        "/layanan/atur-sandi",
        &form,
        &[("token", &token), ("password", password), ("password2", password)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    b
}

/// The latest mail to `to` whose subject contains `subject`, once it has arrived.
pub fn wait_for_mail(app: &TestApp, to: &str, subject: &str) -> crate::smtp::Mail {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let found = app
            .smtp
            .messages()
            .into_iter()
            .rev()
            .find(|m| m.envelope_to == [to.to_string()] && m.subject.contains(subject));
        if let Some(m) = found {
            return m;
        }
        assert!(std::time::Instant::now() < deadline, "no {subject} mail to {to}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

pub fn wait_for_link(app: &TestApp, to: &str, subject: &str) -> String {
    wait_for_mail(app, to, subject)
        .link_starting_with(&format!("{}/layanan/atur-sandi?token=", app.base))
        .expect("link")
}

pub fn login(b: &Browser, login: &str, password: &str) -> Resp {
    let page = b.get("/layanan/masuk");
    b.post("/layanan/masuk", &page, &[("login", login), ("password", password)])
}
