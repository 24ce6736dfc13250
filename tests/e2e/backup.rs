//! `sicantik backup` taken while people register and upload, checked with `backup verify`, and
//! `sicantik restore` into an empty place with a new instance started on it: every submission
//! acknowledged before the backup began is there, its documents byte for byte, and the
//! applicants' sessions still work. A damaged archive fails `backup verify` (which `restore` runs first).
//! `restore` into a place that already holds a database or documents refuses and changes nothing.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;

use crate::cluster::*;
use crate::people::*;

/// One uploader's tries per requirement: the bytes, whether acknowledged, and whether that was
/// before the backup began.
type Tries = BTreeMap<&'static str, Vec<(Vec<u8>, bool, bool)>>;

fn run(cluster_backend: Backend<'_>, restore_backend: Backend<'_>) {
    let extra = [
        ("SICANTIK_LIMIT_REGISTRATIONS_PER_ADDRESS", "100000"),
        ("SICANTIK_LIMIT_LOGINS_PER_ADDRESS", "100000"),
    ];
    let cluster = Cluster::start_on(cluster_backend, 1, &extra, Setup::Officer);
    let url = cluster.instances[0].url.clone();
    let officer_client = officer(&url);
    let mut uploaders = Vec::new();
    for j in 0..2 {
        let (user, email) = (format!("arsip.{j}"), format!("arsip{j}@contoh.id"));
        register(&Client::new(), &url, &url, &registration(&user, &email, 9100 + j))
            .unwrap_or_else(|e| panic!("{e}\n{}", cluster.logs()));
        let c = approve_and_sign_in(&cluster, &officer_client, &url, &url, &user, &email);
        let nomor = new_application(&c, &url);
        uploaders.push((c, nomor));
    }

    let work = tempfile::tempdir().expect("temp dir");
    let archive = work.path().join("cadangan.tar");
    let stop = AtomicBool::new(false);
    let started = AtomicBool::new(false);
    let acks = AtomicUsize::new(0);
    let uploaded = AtomicUsize::new(0);
    let registered: Mutex<Vec<(String, bool)>> = Mutex::default();
    let tries: Vec<Tries> = std::thread::scope(|s| {
        for t in 0..2 {
            let (url, stop, started, acks, registered) = (&url, &stop, &started, &acks, &registered);
            s.spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) && n < 2000 {
                    n += 1;
                    let (user, email) = (format!("antre.{t}.{n}"), format!("antre{t}.{n}@contoh.id"));
                    if let Ok(nomor) = register(&Client::new(), url, url, &registration(&user, &email, t * 2000 + n)) {
                        let before = !started.load(Ordering::SeqCst);
                        registered.lock().expect("lock").push((nomor, before));
                        acks.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
        let uploads: Vec<_> = uploaders
            .iter()
            .enumerate()
            .map(|(j, (c, nomor))| {
                let (url, stop, started, acks, uploaded) = (&url, &stop, &started, &acks, &uploaded);
                s.spawn(move || {
                    let mut tries = Tries::new();
                    let mut n = 0;
                    while !stop.load(Ordering::SeqCst) {
                        n += 1;
                        let requirement = PDF_REQUIREMENTS[n % PDF_REQUIREMENTS.len()];
                        let page = c.get(&format!("{url}/layanan/permohonan/{nomor}/dokumen"));
                        let bytes = pdf(&format!("arsip {j}.{n}"));
                        let done = c
                            .try_upload(
                                &format!("{url}/layanan/permohonan/{nomor}/dokumen/{requirement}"),
                                &page,
                                &format!("{requirement}.pdf"),
                                "application/pdf",
                                &bytes,
                            )
                            .is_ok_and(|r| r.status == 303);
                        let before = !started.load(Ordering::SeqCst);
                        tries.entry(requirement).or_default().push((bytes, done, before));
                        if done {
                            acks.fetch_add(1, Ordering::SeqCst);
                            uploaded.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    tries
                })
            })
            .collect();

        let _stop = StopOnDrop(&stop);
        // Under load: the backup, and a little more load after it.
        let wait_for = |counter: &AtomicUsize, n: usize| {
            let t = Instant::now();
            while counter.load(Ordering::SeqCst) < n {
                assert!(t.elapsed() < Duration::from_secs(120), "the load does not get going");
                std::thread::sleep(Duration::from_millis(20));
            }
        };
        wait_for(&acks, 30);
        // At least one document acknowledged before the backup, for the comparison below.
        wait_for(&uploaded, 1);
        started.store(true, Ordering::SeqCst);
        let out = cluster
            .command(work.path(), &["backup"])
            .arg(&archive)
            .output()
            .expect("run sicantik backup");
        assert!(
            out.status.success(),
            "backup failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let after = acks.load(Ordering::SeqCst);
        wait_for(&acks, after + 10);
        stop.store(true, Ordering::SeqCst);
        uploads.into_iter().map(|u| u.join().expect("an uploader")).collect()
    });

    // The archive checks out, and a damaged copy does not.
    let verify = |path: &std::path::Path| {
        cluster
            .command(work.path(), &["backup", "verify"])
            .arg(path)
            .output()
            .expect("run sicantik backup verify")
    };
    let out = verify(&archive);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("utuh"));
    let mut bytes = std::fs::read(&archive).expect("read the archive");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    let damaged = work.path().join("rusak.tar");
    std::fs::write(&damaged, &bytes).expect("write the damaged copy");
    let out = verify(&damaged);
    assert!(!out.status.success(), "a damaged archive passed verify");
    let why = String::from_utf8_lossy(&out.stderr);
    assert!(
        why.contains("SHA-256") || why.contains("damaged") || why.contains("checksum") || why.contains("bytes"),
        "the refusal says what is wrong: {why}"
    );

    // The documents are in the archive as stored, encrypted: none is a file that was uploaded,
    // none reads as a PDF. No entry holds the master key, in bytes or as the text it was given in.
    let key_text = master_key();
    let key = base64::engine::general_purpose::STANDARD
        .decode(&key_text)
        .expect("the master key is base64");
    let plain: HashSet<&[u8]> = tries
        .iter()
        .flat_map(|t| t.values().flatten().map(|(b, _, _)| b.as_slice()))
        .collect();
    let entries = entries(&archive);
    let documents: Vec<_> = entries.iter().filter(|(n, _)| n.starts_with("documents/")).collect();
    assert!(!documents.is_empty(), "the archive holds no document");
    for (name, bytes) in &documents {
        assert!(
            !plain.contains(bytes.as_slice()),
            "{name} is an uploaded document in the clear"
        );
        assert!(
            !bytes.starts_with(b"%PDF") && !holds(bytes, b"% arsip "),
            "{name} reads as the uploaded PDF"
        );
    }
    for (name, bytes) in &entries {
        assert!(
            !holds(bytes, &key) && !holds(bytes, key_text.as_bytes()),
            "{name} holds the master key"
        );
    }

    // Restored into an empty place, with a new instance on it.
    let restored = Cluster::start_on(restore_backend, 1, &extra, Setup::Restore(&archive));
    let url = restored.instances[0].url.clone();
    let stored: HashSet<String> = restored
        .db
        .rows("SELECT nomor FROM applicants")
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .collect();
    let registered = registered.lock().expect("lock").clone();
    let before: Vec<&String> = registered.iter().filter(|(_, b)| *b).map(|(n, _)| n).collect();
    assert!(!before.is_empty());
    for nomor in &before {
        assert!(
            stored.contains(*nomor),
            "{nomor}, acknowledged before the backup, is not restored"
        );
    }
    let mut compared = 0;
    for ((c, nomor), tries) in uploaders.iter().zip(&tries) {
        // The session made before the backup is valid on the restored instance.
        assert_eq!(c.get(&format!("{url}/layanan/")).status, 200);
        for (requirement, tries) in tries {
            let Some(last) = tries.iter().rposition(|(_, done, before)| *done && *before) else {
                continue;
            };
            let id = document_address(&restored, nomor, requirement)
                .unwrap_or_else(|| panic!("{nomor} {requirement}: acknowledged before the backup, not restored"));
            let file = c.get(&format!("{url}/layanan/berkas/{id}"));
            assert_eq!(file.status, 200, "{nomor} {requirement}");
            assert!(
                tries[last..].iter().any(|(b, _, _)| *b == file.body),
                "{nomor} {requirement}: the restored document is not the one acknowledged before the backup \
                 (nor a later one)"
            );
            compared += 1;
        }
    }
    assert!(compared > 0, "no document acknowledged before the backup was compared");
    println!(
        "{} registrations acknowledged before the backup, {} in all; {compared} documents compared",
        before.len(),
        registered.len()
    );
}

/// Every entry of the tar archive at `path`: its name and its bytes.
fn entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let file = std::fs::File::open(path).expect("open the archive");
    let mut tar = tar::Archive::new(file);
    tar.entries()
        .expect("read the archive")
        .map(|e| {
            let mut e = e.expect("an archive entry");
            let name = e.path().expect("an entry name").display().to_string();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).expect("read an entry");
            (name, bytes)
        })
        .collect()
}

/// Whether `needle` occurs in `bytes`.
fn holds(bytes: &[u8], needle: &[u8]) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_backup_under_load_restores_everything_acknowledged_before_it_on_the_embedded_store() {
    run(Backend::Embedded, Backend::Embedded);
}

#[test]
fn a_backup_under_load_restores_everything_acknowledged_before_it_on_postgres_and_s3() {
    let Some(servers) =
        Servers::from_env("a_backup_under_load_restores_everything_acknowledged_before_it_on_postgres_and_s3")
    else {
        return;
    };
    run(Backend::Shared(&servers), Backend::Shared(&servers));
}

/// A small office on `backend` (one applicant, one uploaded document) and its archive in `work`.
fn small_archive(backend: Backend<'_>, work: &Path) -> (Cluster, PathBuf) {
    let cluster = Cluster::start_on(backend, 1, &[], Setup::Officer);
    let url = cluster.instances[0].url.clone();
    let (user, email) = ("arsip.kecil", "arsipkecil@contoh.id");
    register(&Client::new(), &url, &url, &registration(user, email, 9300)).unwrap_or_else(|e| panic!("{e}"));
    let c = approve_and_sign_in(&cluster, &officer(&url), &url, &url, user, email);
    let nomor = new_application(&c, &url);
    let requirement = PDF_REQUIREMENTS[0];
    let page = c.get(&format!("{url}/layanan/permohonan/{nomor}/dokumen"));
    let r = c
        .try_upload(
            &format!("{url}/layanan/permohonan/{nomor}/dokumen/{requirement}"),
            &page,
            &format!("{requirement}.pdf"),
            "application/pdf",
            &pdf("arsip kecil"),
        )
        .unwrap_or_else(|e| panic!("upload: {e}\n{}", cluster.logs()));
    assert_eq!(r.status, 303, "{}", r.text());
    let archive = work.join("cadangan.tar");
    let out = cluster
        .command(work, &["backup"])
        .arg(&archive)
        .output()
        .expect("run sicantik backup");
    assert!(
        out.status.success(),
        "backup failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (cluster, archive)
}

/// `sicantik restore ARCHIVE` run in `place` with the cluster's settings and `env` over them.
fn restore_into(cluster: &Cluster, place: &Path, archive: &Path, env: &[(&str, String)]) -> Output {
    std::fs::create_dir_all(place).expect("create the place");
    cluster
        .command(place, &["restore"])
        .arg(archive)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("run sicantik restore")
}

/// Every file under `dir` with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).expect("read")))
        .collect()
}

/// `restore` in `place` fails, says `why`, and leaves every file there as it was.
fn refused(cluster: &Cluster, place: &Path, archive: &Path, env: &[(&str, String)], why: &str) {
    std::fs::create_dir_all(place).expect("create the place");
    let before = files(place);
    let out = restore_into(cluster, place, archive, env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "restore went ahead:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(stderr.contains(why), "the refusal does not say {why:?}: {stderr}");
    assert_eq!(
        files(place).keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "a refused restore added or removed files"
    );
    assert!(files(place) == before, "a refused restore changed a file");
}

#[test]
fn restore_refuses_a_data_directory_that_has_a_database_or_documents_already() {
    let work = tempfile::tempdir().expect("temp dir");
    let (cluster, archive) = small_archive(Backend::Embedded, work.path());

    // The database file is there (the old data directory was not moved aside).
    let place = work.path().join("ada-basis-data");
    let data = place.join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    rusqlite::Connection::open(data.join("sicantik.sqlite3"))
        .and_then(|c| c.execute_batch("CREATE TABLE catatan (isi TEXT); INSERT INTO catatan VALUES ('data lama');"))
        .expect("an existing database");
    let env = [("SICANTIK_DATA_DIR", data.display().to_string())];
    refused(&cluster, &place, &archive, &env, "exists already");

    // Only the documents folder holds something.
    let place = work.path().join("ada-berkas");
    let data = place.join("data");
    std::fs::create_dir_all(data.join("berkas")).expect("documents folder");
    std::fs::write(data.join("berkas").join("berkas-lama"), b"berkas lama").expect("an old document");
    let env = [("SICANTIK_DATA_DIR", data.display().to_string())];
    refused(&cluster, &place, &archive, &env, "document store is not empty");

    // Once the old document is gone, the same place takes the archive.
    std::fs::remove_file(data.join("berkas").join("berkas-lama")).expect("remove the old document");
    let out = restore_into(&cluster, &place, &archive, &env);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(data.join("sicantik.sqlite3").exists());
}

#[test]
fn restore_refuses_a_postgres_database_that_has_tables_already() {
    let Some(servers) = Servers::from_env("restore_refuses_a_postgres_database_that_has_tables_already") else {
        return;
    };
    let work = tempfile::tempdir().expect("temp dir");
    let (cluster, archive) = small_archive(Backend::Shared(&servers), work.path());
    let target = Database::create(&servers.postgres);
    target.rows("CREATE TABLE catatan (isi text); INSERT INTO catatan VALUES ('data lama')");
    let prefix = format!("s3://{}/{}", servers.s3_bucket, target.name);
    let place = work.path().join("ada-tabel");
    let env = [
        ("SICANTIK_DATABASE_URL", target.url.clone()),
        ("SICANTIK_STORAGE_URL", prefix.clone()),
    ];
    refused(&cluster, &place, &archive, &env, "has tables already");
    assert_eq!(
        target.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"),
        vec![vec![Some("catatan".to_string())]],
        "a refused restore changed the database"
    );
    assert_eq!(
        target.rows("SELECT isi FROM catatan"),
        vec![vec![Some("data lama".to_string())]]
    );

    // Nothing went into the bucket prefix either: with an empty database, it takes the archive.
    let empty = Database::create(&servers.postgres);
    let env = [
        ("SICANTIK_DATABASE_URL", empty.url.clone()),
        ("SICANTIK_STORAGE_URL", prefix),
    ];
    let out = restore_into(&cluster, &place, &archive, &env);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        empty.rows("SELECT count(*) FROM documents"),
        vec![vec![Some("1".to_string())]]
    );
}
