//! The multipart reader of document uploads, `formsvc::upload::receive`, fed a request as axum
//! hands it to the route: the input's first line is the boundary of the `Content-Type` header,
//! the rest is the body. The file goes into a local store in a temporary folder (under `TMPDIR`
//! when set, else in /dev/shm where there is one, so no disk is written). Besides "no panic",
//! each input checks the promise of `receive` that a refusal keeps nothing in the store (no
//! object and no staging file), and that what it accepts is of an allowed type and within the
//! size limit.

#![no_main]

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::extract::{FromRequest, Multipart};
use formsvc::blob::Blobs;
use formsvc::config::StorageConfig;
use formsvc::keys::Keyring;
use formsvc::upload::{Destination, receive};
use libfuzzer_sys::fuzz_target;

/// Small, so that inputs of libFuzzer's usual length also reach the size limit.
const MAX_BYTES: u64 = 1024;

struct Env {
    rt: tokio::runtime::Runtime,
    // Statics are never dropped, so this folder outlives the process; every input leaves it
    // empty (checked below), and its prefix says whose it is.
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    blobs: Blobs,
    allowed: Vec<String>,
}

static ENV: LazyLock<Env> = LazyLock::new(|| {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    // The store syncs every file it writes: on a disk that would cost more than the parsing.
    let shm = std::path::Path::new("/dev/shm");
    let mut builder = tempfile::Builder::new();
    builder.prefix("sicantik-fuzz-multipart-");
    let dir = if std::env::var_os("TMPDIR").is_none() && shm.is_dir() {
        builder.tempdir_in(shm)
    } else {
        builder.tempdir()
    }
    .expect("temporary folder");
    let root = dir.path().join("berkas");
    let blobs = Blobs::open(&StorageConfig::Local { dir: root.clone() })
        .expect("local store")
        .with_keys(Arc::new(Keyring::ephemeral()));
    Env {
        rt,
        _dir: dir,
        root,
        blobs,
        allowed: ["pdf", "jpg", "png"].map(String::from).to_vec(),
    }
});

fuzz_target!(|data: &[u8]| {
    let env = &*ENV;
    let Some(nl) = data.iter().position(|&b| b == b'\n') else {
        return;
    };
    let (boundary, body) = (&data[..nl], &data[nl + 1..]);
    // A header value cannot hold every byte; such a request never reaches the route.
    let Ok(boundary) = std::str::from_utf8(boundary) else {
        return;
    };
    let Ok(request) = axum::http::Request::builder()
        .method("POST")
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(axum::body::Body::from(body.to_vec()))
    else {
        return;
    };
    env.rt.block_on(async {
        let Ok(mut multipart) = Multipart::from_request(request, &()).await else {
            return;
        };
        let to = Destination {
            blobs: &env.blobs,
            scanner: None,
        };
        let result = receive(
            &mut multipart,
            to,
            &env.allowed,
            MAX_BYTES,
            Duration::from_secs(5),
            |t| t == "ok",
        )
        .await;
        match result {
            Ok(received) => {
                assert!(
                    matches!(received.content_type, "application/pdf" | "image/jpeg" | "image/png"),
                    "{}",
                    received.content_type
                );
                assert!(received.size > 0 && received.size <= MAX_BYTES, "{}", received.size);
                received.discard(&env.blobs).await;
            }
            Err(_) => {}
        }
        let objects = env.blobs.list().await.expect("list the store");
        assert!(objects.is_empty(), "kept after the upload ended: {objects:?}");
        let left = std::fs::read_dir(&env.root).map(|d| d.count()).unwrap_or(0);
        assert_eq!(left, 0, "a file was left in the store's folder");
    });
});
