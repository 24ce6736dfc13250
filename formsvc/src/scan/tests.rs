//! The scanner against real clamd: `SICANTIK_TEST_CLAMD` (TCP) and `SICANTIK_TEST_CLAMD_UNIX`
//! (the same daemon's socket) with the test signatures `.ci/services` writes, and
//! `SICANTIK_TEST_CLAMD_SMALL`, a second daemon with small limits (a 1 MiB stream, 512 KiB
//! files, `AlertExceedsMax`, a 3 s read timeout). Each test says why it skipped when its
//! daemon is not set.

use super::*;

/// The EICAR test string, put together here so that this file itself is not "infected".
pub(crate) fn eicar() -> Vec<u8> {
    [
        r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR",
        "-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",
    ]
    .concat()
    .into_bytes()
}

/// A small PDF with `extra` bytes of comment in it.
fn pdf(extra: usize) -> Vec<u8> {
    let mut b = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    b.extend(std::iter::repeat_n(b'%', extra));
    b.extend_from_slice(b"\n%%EOF\n");
    b
}

fn clamd(var: &str, timeout: Duration) -> Option<Clamd> {
    match std::env::var(var).ok().filter(|v| !v.is_empty()) {
        Some(raw) => Some(Clamd::new(ClamdAddress::parse(&raw).expect(var), timeout)),
        None => {
            println!("skipped: {var} not set (source .ci/services to start clamd)");
            None
        }
    }
}

/// Streams `data` in parts of `part` bytes, as an upload arrives.
async fn scan(scanner: &dyn Scanner, data: &[u8], part: usize) -> Result<(), Refusal> {
    let mut s = scanner.start().await?;
    for p in data.chunks(part) {
        s.send(p).await?;
    }
    s.finish().await
}

fn test_file(name: &str) -> Vec<u8> {
    let path = std::path::Path::new("/usr/share/clamav-testfiles").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{} (apt install clamav-testfiles): {e}", path.display()))
}

#[test]
fn only_stream_ok_is_clean() {
    assert_eq!(judge("stream: OK\0"), Ok(()));
    assert_eq!(
        judge("stream: Eicar-Test-Signature.UNOFFICIAL FOUND\0"),
        Err(Refusal::Infected("Eicar-Test-Signature.UNOFFICIAL".into()))
    );
    assert_eq!(
        judge("stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND"),
        Err(Refusal::Unscannable("Heuristics.Limits.Exceeded.MaxFileSize".into()))
    );
    assert_eq!(
        judge("INSTREAM size limit exceeded. ERROR"),
        Err(Refusal::Unscannable("INSTREAM size limit exceeded. ERROR".into()))
    );
    for no_verdict in [
        "",
        "\0",
        "COMMAND READ TIMED OUT",
        "Can't allocate memory ERROR",
        "stream: OK OK",
    ] {
        assert!(
            matches!(judge(no_verdict), Err(Refusal::Unavailable(_))),
            "{no_verdict:?} must not pass"
        );
    }
}

#[tokio::test]
async fn clean_bytes_pass_and_eicar_is_found_in_a_file_a_pdf_and_a_zip() {
    let Some(clamd) = clamd("SICANTIK_TEST_CLAMD", Duration::from_secs(30)) else {
        return;
    };
    let version = clamd.version().await.expect("clamd answers VERSION");
    assert!(version.starts_with("ClamAV"), "{version}");
    assert_eq!(scan(&clamd, &pdf(300_000), 8192).await, Ok(()));
    let mut hidden = pdf(100_000);
    hidden.extend_from_slice(&eicar());
    hidden.extend_from_slice(&pdf(1000));
    for (what, data) in [
        ("the EICAR string", eicar()),
        ("EICAR inside a PDF's bytes, across parts", hidden),
        ("clam.pdf", test_file("clam.pdf")),
        ("clam.zip", test_file("clam.zip")),
    ] {
        match scan(&clamd, &data, 1000).await {
            Err(Refusal::Infected(name)) => assert!(
                name.starts_with("Eicar-Test-Signature") || name.starts_with("ClamAV-Test-File"),
                "{what}: {name}"
            ),
            other => panic!("{what}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_unix_socket_speaks_the_same() {
    let Some(clamd) = clamd("SICANTIK_TEST_CLAMD_UNIX", Duration::from_secs(30)) else {
        return;
    };
    assert_eq!(scan(&clamd, &pdf(10_000), 4096).await, Ok(()));
    assert!(matches!(
        scan(&clamd, &test_file("clam.zip"), 100).await,
        Err(Refusal::Infected(_))
    ));
}

#[tokio::test]
async fn a_scanner_that_is_not_there_gives_no_verdict() {
    // A port nobody listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let down = Clamd::new(ClamdAddress::Tcp(format!("127.0.0.1:{port}")), Duration::from_secs(5));
    match down.start().await {
        Err(Refusal::Unavailable(why)) => assert!(why.contains("cannot connect"), "{why}"),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("a scan started without a scanner"),
    }
    let missing = Clamd::new(
        ClamdAddress::Unix("/nonexistent/clamd.ctl".into()),
        Duration::from_secs(5),
    );
    assert!(matches!(missing.version().await, Err(Refusal::Unavailable(_))));
}

#[tokio::test]
async fn a_slow_verdict_is_no_verdict() {
    let Some(clamd) = clamd("SICANTIK_TEST_CLAMD", Duration::from_millis(1)) else {
        return;
    };
    // Scanning 8 MB takes clamd far longer than a millisecond; whichever step runs out of
    // time first, the file is refused, never passed.
    match scan(&clamd, &pdf(8 << 20), 64 << 10).await {
        Err(Refusal::Unavailable(why)) => assert!(why.contains(" ms"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn over_the_scanners_limits_a_file_is_not_judged_and_not_passed() {
    let Some(small) = clamd("SICANTIK_TEST_CLAMD_SMALL", Duration::from_secs(30)) else {
        return;
    };
    assert_eq!(scan(&small, &pdf(100_000), 8192).await, Ok(()), "under every limit");
    // Over StreamMaxLength (1 MiB): clamd says so and hangs up mid-file.
    match scan(&small, &pdf(3 << 20), 16 << 10).await {
        Err(Refusal::Unscannable(why)) => assert!(why.contains("size limit exceeded"), "{why}"),
        other => panic!("{other:?}"),
    }
    // Under it but over MaxFileSize (512 KiB), EICAR at the end: without AlertExceedsMax clamd
    // would skip the file and say OK.
    let mut tail = pdf(700_000);
    tail.extend_from_slice(&eicar());
    match scan(&small, &tail, 16 << 10).await {
        Err(Refusal::Unscannable(why)) => assert!(why.starts_with("Heuristics.Limits.Exceeded"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn clamd_hanging_up_before_a_verdict_is_no_verdict() {
    let Some(small) = clamd("SICANTIK_TEST_CLAMD_SMALL", Duration::from_secs(30)) else {
        return;
    };
    // Its ReadTimeout is 3 s: go quiet for longer mid-file, then end the file.
    let mut s = small.start().await.expect("start");
    s.send(b"%PDF-1.4\n").await.expect("first part");
    tokio::time::sleep(Duration::from_secs(5)).await;
    let sent_more = s.send(b"more").await;
    let verdict = match sent_more {
        Err(e) => Err(e),
        Ok(()) => s.finish().await,
    };
    assert!(matches!(verdict, Err(Refusal::Unavailable(_))), "{verdict:?}");
}
