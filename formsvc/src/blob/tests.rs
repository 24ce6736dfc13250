use futures_util::stream::Stream;
use object_store::aws::AmazonS3;
use sha2::{Digest, Sha256};

use super::multipart::PART_BYTES;
use super::sealed::{CHUNK, HEADER_LEN, SEALED_CHUNK, sealed_len};
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
    .expect("open")
    .with_keys(Arc::new(Keyring::ephemeral()));
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
    let blobs = Blobs::open(&cfg.storage)
        .expect("open S3")
        .with_keys(Arc::new(Keyring::ephemeral()));
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
    the_stored_object_is_encrypted_and_reveals_nothing_of_the_document,
    a_spoiled_or_truncated_object_is_an_error_never_wrong_bytes,
    a_key_is_bound_to_its_object,
    a_document_stored_before_encryption_is_served_as_stored,
);

/// `len` bytes that are not all alike, in `chunk`-sized pieces.
fn pattern(len: usize, chunk: usize) -> Vec<Bytes> {
    let data: Vec<u8> = (0..len).map(|i| (i * 7 + i / 4096) as u8).collect();
    data.chunks(chunk).map(Bytes::copy_from_slice).collect()
}

fn ok_stream(chunks: Vec<Bytes>) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> {
    futures_util::stream::iter(chunks.into_iter().map(Ok))
}

/// The decrypted document.
async fn read_all(blobs: &Blobs, stored: &Stored) -> Vec<u8> {
    let (got, err) = read_until_error(blobs, &stored.name, Some(&stored.key)).await;
    assert!(err.is_none(), "{err:?}");
    got
}

/// The object's bytes as stored.
async fn raw(blobs: &Blobs, name: &str) -> Vec<u8> {
    let (got, err) = read_until_error(blobs, name, None).await;
    assert!(err.is_none(), "{err:?}");
    got
}

/// What a read yields before its first error, and that error (`get`'s own included).
async fn read_until_error(blobs: &Blobs, name: &str, key: Option<&WrappedKey>) -> (Vec<u8>, Option<Error>) {
    let mut out = Vec::new();
    let mut s = match blobs.get(name, key).await {
        Ok(s) => s,
        Err(e) => return (out, Some(e)),
    };
    while let Some(chunk) = s.next().await {
        match chunk {
            Ok(c) => out.extend_from_slice(&c),
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
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
    let back = read_all(&b.blobs, &stored).await;
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
        (stored.name.as_str(), sealed_len(whole.len() as u64)),
        "the object is the encrypted document: a header and a tag per 64 KiB"
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
    assert_eq!(read_all(&b.blobs, &stored).await, b"%PDF-1.7\n");
    b.blobs.delete(&stored.name).await.expect("delete");
    assert!(matches!(
        b.blobs.get(&stored.name, Some(&stored.key)).await,
        Err(Error::NotFound)
    ));
    assert_eq!(b.blobs.list().await.expect("list"), vec![]);
    b.blobs.delete(&stored.name).await.expect("deleting again is fine");
}

async fn a_missing_or_strange_name_is_not_found(b: Backend) {
    let missing = format!("{}.bin", crate::security::random_token());
    assert!(matches!(b.blobs.get(&missing, None).await, Err(Error::NotFound)));
    for strange in [
        "../sicantik.sqlite3",
        "a/b.bin",
        ".bin",
        "x.pdf",
        "..%2fx.bin",
        "x.bin#1",
        "",
    ] {
        assert!(
            matches!(b.blobs.get(strange, None).await, Err(Error::NotFound)),
            "{strange}"
        );
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

/// A PDF with a marker that must not be found in any stored byte.
fn marked_pdf(len: usize) -> Vec<u8> {
    let mut d = b"%PDF-1.7\n% NIK 1671044508900001 RAHASIA-PENANDA\n".to_vec();
    while d.len() < len {
        d.extend_from_slice(b"(RAHASIA-PENANDA) Tj 1671044508900001\n");
    }
    d.truncate(len);
    d
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn the_stored_object_is_encrypted_and_reveals_nothing_of_the_document(b: Backend) {
    let doc = marked_pdf(3 * CHUNK + 123);
    let stored = b
        .blobs
        .put_stream(ok_stream(vec![Bytes::from(doc.clone())]), 50 * MIB as u64)
        .await
        .expect("put");
    assert_eq!(
        (stored.size, stored.sha256.as_str()),
        (doc.len() as u64, hex_sha256(&doc).as_str())
    );
    for (name, _, _) in b.blobs.list().await.expect("list") {
        let bytes = raw(&b.blobs, &name).await;
        for marker in [&b"RAHASIA-PENANDA"[..], b"1671044508900001", b"%PDF-"] {
            assert!(
                !contains(&bytes, marker),
                "{name} shows {:?}",
                String::from_utf8_lossy(marker)
            );
        }
        assert!(bytes.starts_with(b"SCDK\x01"), "the versioned header");
    }
    let key = stored.key.wrapped.as_bytes();
    assert!(
        !contains(&raw(&b.blobs, &stored.name).await, key),
        "the key is not beside the object"
    );
    assert_eq!(read_all(&b.blobs, &stored).await, doc);
    b.blobs.delete(&stored.name).await.expect("clean up");
}

async fn a_spoiled_or_truncated_object_is_an_error_never_wrong_bytes(b: Backend) {
    let doc = marked_pdf(3 * CHUNK + 500);
    let stored = b
        .blobs
        .put_stream(ok_stream(vec![Bytes::from(doc.clone())]), 50 * MIB as u64)
        .await
        .expect("put");
    let good = raw(&b.blobs, &stored.name).await;
    let mut spoils: Vec<(&str, Vec<u8>)> = Vec::new();
    for (what, pos) in [
        ("header", 6),
        ("first chunk", HEADER_LEN + 10),
        ("third chunk", HEADER_LEN + 2 * SEALED_CHUNK + 99),
        ("last tag", good.len() - 1),
    ] {
        let mut bad = good.clone();
        bad[pos] ^= 0x20;
        spoils.push((what, bad));
    }
    spoils.push((
        "cut in the third chunk",
        good[..HEADER_LEN + 2 * SEALED_CHUNK + 40].to_vec(),
    ));
    spoils.push((
        "cut at a chunk boundary",
        good[..HEADER_LEN + 3 * SEALED_CHUNK].to_vec(),
    ));
    spoils.push(("empty", Vec::new()));
    for (what, bad) in spoils {
        b.blobs.put_raw(&stored.name, Bytes::from(bad)).await.expect("spoil");
        let (got, err) = read_until_error(&b.blobs, &stored.name, Some(&stored.key)).await;
        assert!(matches!(err, Some(Error::Crypto(_))), "{what}: {err:?}");
        assert!(doc.starts_with(&got) && got.len() < doc.len(), "{what}: wrong bytes");
    }
    b.blobs.delete(&stored.name).await.expect("clean up");
}

async fn a_key_is_bound_to_its_object(b: Backend) {
    let put = |d: &'static [u8]| b.blobs.put_stream(ok_stream(vec![Bytes::from_static(d)]), 1024);
    let one = put(b"%PDF-1.7 satu").await.expect("put");
    let two = put(b"%PDF-1.7 dua").await.expect("put");
    let (got, err) = read_until_error(&b.blobs, &one.name, Some(&two.key)).await;
    assert!(got.is_empty() && matches!(err, Some(Error::Crypto(_))), "{err:?}");
    let stranger = Keyring::ephemeral();
    let foreign = stranger.wrap(&crate::keys::DataKey::random(), &format!("document:{}", one.name));
    let (_, err) = read_until_error(&b.blobs, &one.name, Some(&foreign)).await;
    assert!(
        matches!(&err, Some(Error::Crypto(m)) if m.contains("not configured")),
        "{err:?}"
    );
    for s in [one, two] {
        b.blobs.delete(&s.name).await.expect("clean up");
    }
}

async fn a_document_stored_before_encryption_is_served_as_stored(b: Backend) {
    let name = format!("{}.bin", crate::security::random_token());
    b.blobs
        .put_raw(&name, Bytes::from_static(b"%PDF-1.4 lama"))
        .await
        .expect("an old plain object");
    assert_eq!(raw(&b.blobs, &name).await, b"%PDF-1.4 lama");
    b.blobs.delete(&name).await.expect("clean up");
}

#[tokio::test]
async fn a_store_without_the_master_key_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blobs = Blobs::open(&StorageConfig::Local {
        dir: dir.path().join("berkas"),
    })
    .expect("open");
    let err = blobs
        .put_stream(ok_stream(vec![Bytes::from_static(b"%PDF-")]), 1024)
        .await
        .expect_err("no key");
    assert!(matches!(err, PutError::Store(Error::Internal(_))), "{err:?}");
    assert!(blobs.list().await.expect("list").is_empty());
}
