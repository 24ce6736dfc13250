use futures_util::stream::Stream;
use object_store::aws::AmazonS3;
use sha2::{Digest, Sha256};

use super::multipart::PART_BYTES;
use super::*;

const MIB: usize = 1024 * 1024;

/// A store for one test, with whatever must live as long as it.
struct Backend {
    blobs: Blobs,
    _dir: Option<tempfile::TempDir>,
    /// For S3: the client and the test's prefix, to ask S3 about pending uploads.
    s3: Option<(AmazonS3, String)>,
}

fn local() -> Backend {
    let dir = tempfile::tempdir().expect("temp dir");
    let blobs = Blobs::open(&StorageConfig::Local {
        dir: dir.path().join("berkas"),
    })
    .expect("open");
    Backend {
        blobs,
        _dir: Some(dir),
        s3: None,
    }
}

/// S3 from `SICANTIK_TEST_S3_ENDPOINT` and `SICANTIK_TEST_S3_BUCKET` (keys and region from
/// the usual `AWS_*`), under a fresh prefix; `None` when they are not set.
fn s3() -> Option<Backend> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let (Some(endpoint), Some(bucket)) = (var("SICANTIK_TEST_S3_ENDPOINT"), var("SICANTIK_TEST_S3_BUCKET")) else {
        println!("skipped: SICANTIK_TEST_S3_ENDPOINT not set");
        return None;
    };
    let prefix = format!("sicantik-test/{}", crate::security::random_token());
    let url = format!("s3://{bucket}/{prefix}");
    // Through the real settings parser, so the test also covers what the service reads.
    let cfg = crate::Config::from_env(|k| match k {
        "SICANTIK_STORAGE_URL" => Some(url.clone()),
        "SICANTIK_S3_ENDPOINT" => Some(endpoint.clone()),
        k if k.starts_with("AWS_") => var(k),
        _ => None,
    })
    .expect("test S3 settings");
    let blobs = Blobs::open(&cfg.storage).expect("open S3");
    let client = s3_client(&cfg.storage).expect("S3 client");
    Some(Backend {
        blobs,
        _dir: None,
        s3: Some((client, prefix)),
    })
}

/// Runs one test function against the local folder and, when configured, S3.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn local() {
                super::$name(super::local()).await;
            }

            #[tokio::test]
            async fn s3() {
                if let Some(b) = super::s3() {
                    super::$name(b).await;
                }
            }
        }
    )*};
}

on_both!(
    a_multi_part_stream_round_trips_with_its_sha256,
    a_refused_upload_leaves_no_object_and_no_pending_parts,
    a_failing_stream_leaves_nothing,
    delete_removes_and_forgives_a_missing_object,
    a_missing_or_strange_name_is_not_found,
    check_passes_on_a_working_store,
    the_pending_count_sees_an_unfinished_upload,
);

/// `len` bytes that are not all alike, in `chunk`-sized pieces.
fn pattern(len: usize, chunk: usize) -> Vec<Bytes> {
    let data: Vec<u8> = (0..len).map(|i| (i * 7 + i / 4096) as u8).collect();
    data.chunks(chunk).map(Bytes::copy_from_slice).collect()
}

fn ok_stream(chunks: Vec<Bytes>) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> {
    futures_util::stream::iter(chunks.into_iter().map(Ok))
}

async fn read_all(blobs: &Blobs, name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut s = blobs.get(name).await.expect("get");
    while let Some(chunk) = s.next().await {
        out.extend_from_slice(&chunk.expect("chunk"));
    }
    out
}

fn hex_sha256(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// Pending multipart uploads under the test's prefix (S3), or staging files (local).
async fn pending_uploads(b: &Backend) -> usize {
    match &b.s3 {
        Some((client, prefix)) => {
            use object_store::signer::{SignedUrlOptions, Signer};
            // object_store has no call for ListMultipartUploads; sign one ourselves.
            let opts = SignedUrlOptions::default().with_query([("uploads", ""), ("prefix", prefix.as_str())]);
            let url = client
                .signed_url_opts(
                    axum::http::Method::GET,
                    &Key::from(""),
                    std::time::Duration::from_secs(60),
                    &opts,
                )
                .await
                .expect("sign");
            let r = reqwest::get(url).await.expect("list uploads");
            assert!(r.status().is_success(), "ListMultipartUploads: {}", r.status());
            let xml = r.text().await.expect("body");
            assert!(xml.contains("ListMultipartUploadsResult"), "{xml}");
            xml.matches("<Upload>").count()
        }
        None => {
            let dir = b.blobs.local_dir.as_ref().expect("local");
            std::fs::read_dir(dir)
                .expect("read dir")
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().contains('#'))
                .count()
        }
    }
}

async fn a_multi_part_stream_round_trips_with_its_sha256(b: Backend) {
    let chunks = pattern(12 * MIB, 64 * 1024);
    let whole: Vec<u8> = chunks.concat();
    assert!(whole.len() > 2 * PART_BYTES, "the test must need several parts");
    let stored = b
        .blobs
        .put_stream(ok_stream(chunks), 50 * MIB as u64)
        .await
        .expect("put");
    assert_eq!(stored.size, whole.len() as u64);
    assert_eq!(stored.sha256, hex_sha256(&whole));
    assert!(key(&stored.name).is_some(), "{}", stored.name);
    let back = read_all(&b.blobs, &stored.name).await;
    assert!(
        back == whole,
        "the bytes read back differ ({} vs {})",
        back.len(),
        whole.len()
    );
    let listed = b.blobs.list().await.expect("list");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        (listed[0].0.as_str(), listed[0].1),
        (stored.name.as_str(), whole.len() as u64)
    );
    assert_eq!(pending_uploads(&b).await, 0);
    b.blobs.delete(&stored.name).await.expect("clean up");
}

async fn a_refused_upload_leaves_no_object_and_no_pending_parts(b: Backend) {
    // 12 MiB against an 8 MiB limit: one 5 MiB part is already sent when it is refused.
    let err = b
        .blobs
        .put_stream(ok_stream(pattern(12 * MIB, 64 * 1024)), 8 * MIB as u64)
        .await
        .expect_err("too large");
    assert!(
        matches!(err, PutError::TooLarge { max_bytes } if max_bytes == 8 * MIB as u64),
        "{err:?}"
    );
    assert_eq!(b.blobs.list().await.expect("list"), vec![]);
    assert_eq!(pending_uploads(&b).await, 0, "the multipart upload was not aborted");
}

async fn a_failing_stream_leaves_nothing(b: Backend) {
    // The caller's refusal (wrong type, a stalled client) arrives as the stream's error.
    let chunks = pattern(6 * MIB, 64 * 1024)
        .into_iter()
        .map(Ok)
        .chain(std::iter::once(Err("refused")));
    let err = b
        .blobs
        .put_stream(futures_util::stream::iter(chunks), 50 * MIB as u64)
        .await
        .expect_err("refused");
    assert!(matches!(err, PutError::Refused("refused")), "{err:?}");
    assert_eq!(b.blobs.list().await.expect("list"), vec![]);
    assert_eq!(pending_uploads(&b).await, 0);
}

async fn delete_removes_and_forgives_a_missing_object(b: Backend) {
    let stored = b
        .blobs
        .put_stream(ok_stream(vec![Bytes::from_static(b"%PDF-1.7\n")]), 1024)
        .await
        .expect("put");
    assert_eq!(read_all(&b.blobs, &stored.name).await, b"%PDF-1.7\n");
    b.blobs.delete(&stored.name).await.expect("delete");
    assert!(matches!(b.blobs.get(&stored.name).await, Err(Error::NotFound)));
    assert_eq!(b.blobs.list().await.expect("list"), vec![]);
    b.blobs.delete(&stored.name).await.expect("deleting again is fine");
}

async fn a_missing_or_strange_name_is_not_found(b: Backend) {
    let missing = format!("{}.bin", crate::security::random_token());
    assert!(matches!(b.blobs.get(&missing).await, Err(Error::NotFound)));
    for strange in [
        "../sicantik.sqlite3",
        "a/b.bin",
        ".bin",
        "x.pdf",
        "..%2fx.bin",
        "x.bin#1",
        "",
    ] {
        assert!(matches!(b.blobs.get(strange).await, Err(Error::NotFound)), "{strange}");
        assert!(b.blobs.delete(strange).await.is_err(), "{strange}");
    }
}

/// Without this, "no pending uploads" could pass because the count never sees any.
async fn the_pending_count_sees_an_unfinished_upload(b: Backend) {
    let key = Key::from(format!("{}.bin", crate::security::random_token()));
    let mut upload = b.blobs.store.put_multipart(&key).await.expect("start");
    upload
        .put_part(Bytes::from(vec![7u8; PART_BYTES]).into())
        .await
        .expect("part");
    assert_eq!(pending_uploads(&b).await, 1);
    upload.abort().await.expect("abort");
    assert_eq!(pending_uploads(&b).await, 0);
}

async fn check_passes_on_a_working_store(b: Backend) {
    b.blobs.check().await.expect("ready");
}

#[test]
fn only_names_put_stream_makes_are_keys() {
    assert!(key(&format!("{}.bin", crate::security::random_token())).is_some());
    assert!(key("Ab_-09.bin").is_some());
    for bad in [
        "../x.bin", "x/y.bin", "x.bin/..", ".bin", "x.BIN", "x y.bin", "x.bin\n", "é.bin",
    ] {
        assert!(key(bad).is_none(), "{bad}");
    }
}

#[tokio::test]
async fn a_missing_local_folder_fails_the_check() {
    let b = local();
    std::fs::remove_dir_all(b.blobs.local_dir.as_ref().expect("local")).expect("remove");
    assert!(b.blobs.check().await.is_err());
}
