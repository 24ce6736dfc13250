//! Mail out of the outbox: emails per second from a SQLite store to a real SMTP server on
//! loopback (`tests/support/smtp_server.py`, aiosmtpd, storing every message in a Maildir),
//! beside the rate at which 32 clients can put emails into the outbox. The queue keeps up when
//! the first figure is at least the second's share that is mail.
//!
//! Run: `cargo bench --bench outbox`. Prints figures; asserts nothing.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use formsvc::observe::Metrics;
use formsvc::outbox::{NewMail, Outbox, Transport};
use formsvc::store::DynStore;
use formsvc::store::sqlite::SqliteStore;

fn mail(i: usize) -> NewMail {
    NewMail {
        kind: "registrasi_diterima",
        to: format!("pemohon{i}@contoh.id"),
        subject: format!("Registrasi Pemohon diterima: REG-2026-{i:06}"),
        text: "Yth. Pemohon,\n\nRegistrasi Pemohon Anda telah kami terima.\n".repeat(4),
        html: "<p>Registrasi Pemohon Anda telah kami terima.</p>".repeat(4),
        instansi: Some("Provinsi Sumatera Selatan".into()),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let mut smtp = Command::new("python3")
        .args(["tests/support/smtp_server.py", "--port", &port.to_string(), "--maildir"])
        .arg(dir.path().join("maildir"))
        // The server runs until its stdin closes: keep a pipe open for the whole run.
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the SMTP server (pip install aiosmtpd)");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the SMTP server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let data = dir.path().join("data");
    let env = [
        ("SICANTIK_SMTP_URL".to_string(), format!("smtp://127.0.0.1:{port}")),
        ("SICANTIK_DATA_DIR".to_string(), data.display().to_string()),
    ];
    let cfg = formsvc::Config::from_env(|k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())).expect("config");
    std::fs::create_dir_all(&data).expect("data dir");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let store: DynStore = Arc::new(SqliteStore::open(&data.join("bench.sqlite3")).expect("db"));

    // How fast 32 clients fill the outbox (one email per request, as a registration's receipt).
    let n = 4000;
    let clients = 32;
    let fill = rt.block_on(async {
        let started = Instant::now();
        let tasks: Vec<_> = (0..clients)
            .map(|c| {
                let store = store.clone();
                tokio::spawn(async move {
                    for i in 0..n / clients {
                        store.enqueue(vec![mail(c * n + i)]).await.expect("enqueue");
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task");
        }
        n as f64 / started.elapsed().as_secs_f64()
    });
    println!("enqueued by {clients} clients: {fill:>8.0} emails/s ({n} emails)");

    let sent = rt.block_on(drain(&store, &cfg));
    println!("sent to a local SMTP server:  {sent:>8.0} emails/s ({n} emails, aiosmtpd storing each in a Maildir)");
    let _ = smtp.kill();
    let _ = smtp.wait();

    // The outbox's own ceiling: the same queue again, to a server that stores nothing and
    // answers at once, so the figure is the outbox's (claims, sessions, marks), not the
    // server's.
    let sink = rt.block_on(sink_server());
    let env = [
        ("SICANTIK_SMTP_URL".to_string(), format!("smtp://127.0.0.1:{sink}")),
        ("SICANTIK_DATA_DIR".to_string(), data.display().to_string()),
    ];
    let cfg = formsvc::Config::from_env(|k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())).expect("config");
    rt.block_on(async {
        for chunk in (0..n).collect::<Vec<_>>().chunks(100) {
            store
                .enqueue(chunk.iter().map(|i| mail(n + i)).collect())
                .await
                .expect("enqueue");
        }
    });
    let ceiling = rt.block_on(drain(&store, &cfg));
    println!("sent to a sink that stores nothing: {ceiling:>8.0} emails/s ({n} emails)");
}

/// Runs the outbox until the queue is empty; emails per second.
async fn drain(store: &DynStore, cfg: &formsvc::Config) -> f64 {
    let waiting = store.outbox_state().await.expect("state").waiting;
    let transport = Transport::from_config(cfg).expect("transport");
    let outbox = Outbox::new(store.clone(), transport, cfg, Arc::new(Metrics::new())).expect("outbox");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let worker = tokio::spawn(outbox.run(stop_rx));
    loop {
        let state = store.outbox_state().await.expect("state");
        if state.waiting == 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(600), "the queue did not empty");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rate = waiting as f64 / started.elapsed().as_secs_f64();
    let _ = stop_tx.send(true);
    let _ = worker.await;
    rate
}

/// A minimal SMTP server on loopback that accepts every message and keeps none; its port.
async fn sink_server() -> u16 {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = sock.set_nodelay(true);
                let (read, mut write) = sock.into_split();
                let mut lines = BufReader::new(read);
                if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
                    return;
                }
                let mut line = String::new();
                let mut in_data = false;
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let reply: &[u8] = if in_data {
                        if line == ".\r\n" {
                            in_data = false;
                            b"250 kept nowhere\r\n"
                        } else {
                            continue;
                        }
                    } else {
                        match line.get(..4).map(str::to_ascii_uppercase).as_deref() {
                            Some("EHLO") => b"250-sink\r\n250 8BITMIME\r\n",
                            Some("DATA") => {
                                in_data = true;
                                b"354 go on\r\n"
                            }
                            Some("QUIT") => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                return;
                            }
                            _ => b"250 ok\r\n",
                        }
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}
