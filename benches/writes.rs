//! Durable writes through the service's one SQLite writer: how many requests per second one
//! client at a time gets (one commit each), and how many many clients at once get (group
//! commit). Each request inserts an outbox row, as a registration does, in a real SQLite file
//! with `synchronous=FULL`.
//!
//! Run: `cargo bench --bench writes`. Prints figures; asserts nothing.

use std::sync::Arc;
use std::time::Instant;

use formsvc::outbox::NewMail;
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

async fn run(db: DynStore, clients: usize, per_client: usize) -> f64 {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..per_client {
                let m = mail(c * per_client + i);
                db.enqueue(vec![m]).await.expect("write");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    (clients * per_client) as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db: DynStore = Arc::new(SqliteStore::open(&dir.path().join("bench.sqlite3")).expect("db"));
    println!("durable writes (synchronous=FULL, WAL) in {}", dir.path().display());
    for (clients, per_client) in [(1, 300), (8, 200), (64, 100), (256, 40)] {
        let rate = rt.block_on(run(db.clone(), clients, per_client));
        println!(
            "{clients:>4} concurrent clients: {rate:>8.0} requests/s ({} requests)",
            clients * per_client
        );
    }
}
