//! Two `sicantik serve` processes on one PostgreSQL database and one S3 bucket, as an office runs
//! them for a deploy without downtime: whatever a person does on one instance holds on the
//! other, and killing one loses nothing it acknowledged while the other goes on serving.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::cluster::*;
use crate::people::*;

#[test]
fn two_instances_share_accounts_sessions_forms_documents_limits_and_the_outbox() {
    let Some(servers) =
        Servers::from_env("two_instances_share_accounts_sessions_forms_documents_limits_and_the_outbox")
    else {
        return;
    };
    let cluster = Cluster::start(&servers, 2, &[("SICANTIK_LOG_FORMAT", "json")]);
    let (a, b) = (cluster.instances[0].url.clone(), cluster.instances[1].url.clone());

    // Registrasi Pemohon: the form from one instance, DAFTAR on the other.
    let visitor = Client::new();
    let fields = registration("siti.aminah", "siti@contoh.id", 0);
    let nomor = register(&visitor, &b, &a, &fields).unwrap_or_else(|e| panic!("{e}\n{}", cluster.logs()));
    assert!(nomor.starts_with("REG-"), "{nomor}");

    // Approved on the second; the password set from the emailed link; signed in on the second.
    let officer = officer(&b);
    let applicant = approve_and_sign_in(&cluster, &officer, &b, &b, "siti.aminah", "siti@contoh.id");

    // The session made on the second instance is valid on the first.
    let home = applicant.get(&format!("{a}/layanan/"));
    assert_eq!(home.status, 200, "{}", home.text());
    assert!(home.text().contains("Siti Aminah"), "{}", home.text());

    // PERMOHONAN on the first; the DOKUMEN page from the second, the upload on the first.
    let permohonan = new_application(&applicant, &a);
    let dokumen = applicant.get(&format!("{b}/layanan/permohonan/{permohonan}/dokumen"));
    assert_eq!(dokumen.status, 200, "{}", dokumen.text());
    let bytes = pdf("surat permohonan dari dua instans");
    let r = applicant
        .try_upload(
            &format!("{a}/layanan/permohonan/{permohonan}/dokumen/surat-permohonan"),
            &dokumen,
            "surat.pdf",
            "application/pdf",
            &bytes,
        )
        .expect("upload");
    assert_eq!(r.status, 303, "{}", r.text());

    // Downloaded from the second instance, byte for byte.
    let id = document_address(&cluster, &permohonan, "surat-permohonan").expect("the document is stored");
    let file = applicant.get(&format!("{b}/layanan/berkas/{id}"));
    assert_eq!(file.status, 200);
    assert_eq!(file.header("content-type"), Some("application/pdf"));
    assert_eq!(file.body, bytes);
    // ... and the application on the first instance lists it.
    let check = applicant.get(&format!("{a}/layanan/permohonan/{permohonan}"));
    assert!(check.text().contains("surat.pdf"), "{}", check.text());

    // Wrong passwords counted across both: three on one, two on the other, and then even the
    // right password waits.
    let guesser = Client::new();
    for (i, at) in [&a, &b, &a, &b, &a].into_iter().enumerate() {
        let r = login(&guesser, at, "siti.aminah", "tebakan yang salah");
        assert_eq!(r.status, 401, "wrong password {}: {}", i + 1, r.text());
    }
    let r = login(&guesser, &b, "siti.aminah", PW);
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(r.text().contains("Terlalu banyak percobaan"));

    // Mail from both instances, each message delivered once with both outbox workers running.
    for i in 1..=8 {
        let at = if i % 2 == 0 { &a } else { &b };
        let fields = registration(&format!("pemohon.{i}"), &format!("pemohon{i}@contoh.id"), i);
        register(&Client::new(), at, at, &fields).unwrap_or_else(|e| panic!("{e}\n{}", cluster.logs()));
    }
    cluster.wait_until_outbox_is_empty();
    let queued: Vec<String> = cluster
        .db
        .rows("SELECT message_id FROM outbox ORDER BY id")
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .map(|id| id.trim_matches(['<', '>']).to_string())
        .collect();
    assert!(
        queued.len() >= 2 * 9,
        "a receipt and an officer's notice per registration, and the approval: {queued:?}"
    );
    let mut delivered: HashMap<String, usize> = HashMap::new();
    for m in cluster.mails() {
        *delivered.entry(m.message_id.clone()).or_default() += 1;
    }
    let twice: Vec<_> = delivered.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    let expected: HashSet<&String> = queued.iter().collect();
    let got: HashSet<&String> = delivered.keys().collect();
    assert_eq!(got, expected, "every queued email arrives, and nothing else");
    assert_eq!(
        cluster
            .db
            .number("SELECT count(*) FROM outbox WHERE status <> 'terkirim'"),
        0
    );

    // For the log collector: one JSON object per line, each request's lines under its id.
    for instance in &cluster.instances {
        let log = std::fs::read_to_string(&instance.log).expect("the instance's log");
        let json: Vec<&str> = log.lines().filter(|l| l.starts_with('{')).collect();
        assert!(
            json.iter().any(|l| l.contains("\"target\":\"access\"")
                && l.contains("\"route\":\"/layanan/registrasi\"")
                && l.contains("\"name\":\"request\"")),
            "no access line of a registration under its request id in {}",
            instance.log.display()
        );
        // And without the personal data of the people it served (UU PDP): none of what Siti
        // typed, in any form the service writes it.
        for private in [
            "1671044508900001",
            "siti@contoh.id",
            "siti.aminah",
            "Siti Aminah",
            "0812-3456-7890",
            "081234567890",
            "6281234567890",
            "Jenderal Sudirman",
        ] {
            assert!(
                !log.contains(private),
                "{private} is in the log of {}",
                instance.log.display()
            );
        }
        let other: Vec<&str> = log
            .lines()
            .filter(|l| !l.starts_with('{') && !l.starts_with("Situs dan layanan berjalan"))
            .collect();
        assert!(other.is_empty(), "lines that are not JSON: {other:?}");
    }
}

/// What one uploading person tried, per requirement, in order: the bytes and whether the
/// service acknowledged them.
type Attempts = BTreeMap<&'static str, Vec<(Vec<u8>, bool)>>;

#[test]
fn an_instance_killed_under_load_loses_nothing_it_acknowledged_and_the_other_goes_on() {
    let Some(servers) =
        Servers::from_env("an_instance_killed_under_load_loses_nothing_it_acknowledged_and_the_other_goes_on")
    else {
        return;
    };
    // Every client is 127.0.0.1: the per-address limits must not be what refuses.
    let mut cluster = Cluster::start(
        &servers,
        2,
        &[
            ("SICANTIK_LIMIT_REGISTRATIONS_PER_ADDRESS", "100000"),
            ("SICANTIK_LIMIT_LOGINS_PER_ADDRESS", "100000"),
        ],
    );
    let urls: Vec<String> = cluster.instances.iter().map(|i| i.url.clone()).collect();

    // People with an application in DOKUMEN, before the load.
    const UPLOADERS: usize = 3;
    const REGISTRARS: usize = 4;
    let officer_client = officer(&urls[1]);
    let mut uploaders = Vec::new();
    for j in 0..UPLOADERS {
        let (user, email) = (format!("nelayan.{j}"), format!("nelayan{j}@contoh.id"));
        register(
            &Client::new(),
            &urls[0],
            &urls[0],
            &registration(&user, &email, 9000 + j),
        )
        .unwrap_or_else(|e| panic!("{e}\n{}", cluster.logs()));
        let c = approve_and_sign_in(&cluster, &officer_client, &urls[1], &urls[0], &user, &email);
        let nomor = new_application(&c, &urls[0]);
        uploaders.push((c, nomor));
    }

    let stop = Arc::new(AtomicBool::new(false));
    let killed = Arc::new(AtomicBool::new(false));
    let acks = Arc::new(AtomicUsize::new(0));
    let acks_after_kill = Arc::new(AtomicUsize::new(0));
    let registered: Arc<Mutex<Vec<(String, String)>>> = Default::default();
    let ack = {
        let (acks, after, killed) = (acks.clone(), acks_after_kill.clone(), killed.clone());
        move || {
            acks.fetch_add(1, Ordering::SeqCst);
            if killed.load(Ordering::SeqCst) {
                after.fetch_add(1, Ordering::SeqCst);
            }
        }
    };

    std::thread::scope(|s| {
        let mut registrars = Vec::new();
        for t in 0..REGISTRARS {
            let (urls, stop, registered, ack) = (&urls, stop.clone(), registered.clone(), ack.clone());
            registrars.push(s.spawn(move || {
                let mut n = 0;
                // At most 2,000 each: the NIKs of the test stay apart.
                while !stop.load(Ordering::SeqCst) && n < 2000 {
                    n += 1;
                    let i = t * 2000 + n;
                    let (user, email) = (format!("beban.{t}.{n}"), format!("beban{t}.{n}@contoh.id"));
                    // The form from one instance, DAFTAR on the other: when the first has been
                    // killed, half of these fail, and are tried again as a person would.
                    if let Ok(nomor) = register(
                        &Client::new(),
                        &urls[n % 2],
                        &urls[(n + 1) % 2],
                        &registration(&user, &email, i),
                    ) {
                        registered.lock().expect("lock").push((nomor, email));
                        ack();
                    }
                }
            }));
        }
        let mut uploads = Vec::new();
        for (j, (c, nomor)) in uploaders.iter().enumerate() {
            let (urls, stop, ack) = (&urls, stop.clone(), ack.clone());
            uploads.push(s.spawn(move || {
                let mut attempts = Attempts::new();
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let requirement = PDF_REQUIREMENTS[n % PDF_REQUIREMENTS.len()];
                    let at = &urls[n % 2];
                    let Ok(page) = c.try_get(&format!("{at}/layanan/permohonan/{nomor}/dokumen")) else {
                        continue;
                    };
                    let bytes = pdf(&format!("unggahan {j}.{n}"));
                    let done = c
                        .try_upload(
                            &format!("{at}/layanan/permohonan/{nomor}/dokumen/{requirement}"),
                            &page,
                            &format!("{requirement}.pdf"),
                            "application/pdf",
                            &bytes,
                        )
                        .is_ok_and(|r| r.status == 303);
                    attempts.entry(requirement).or_default().push((bytes, done));
                    if done {
                        ack();
                    }
                }
                attempts
            }));
        }

        let _stop = StopOnDrop(&stop);
        // Under load, the first instance is killed; the load goes on until the second has
        // acknowledged as much again on its own.
        let wait_for = |counter: &AtomicUsize, n: usize, what: &str| {
            let started = Instant::now();
            while counter.load(Ordering::SeqCst) < n {
                assert!(
                    started.elapsed() < Duration::from_secs(120),
                    "only {} acknowledged {what}",
                    counter.load(Ordering::SeqCst)
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        };
        wait_for(&acks, 60, "before the kill");
        cluster.instances[0].kill();
        killed.store(true, Ordering::SeqCst);
        wait_for(&acks_after_kill, 60, "by the surviving instance");
        stop.store(true, Ordering::SeqCst);
        for r in registrars {
            r.join().expect("a registering client");
        }
        let survivor = &urls[1];
        for (u, (c, nomor)) in uploads.into_iter().zip(&uploaders) {
            let attempts = u.join().expect("an uploading client");
            // Per requirement: the document is the last acknowledged upload, or one tried
            // after it whose answer was lost with the killed instance.
            for (requirement, tries) in attempts {
                let Some(last_ack) = tries.iter().rposition(|(_, done)| *done) else {
                    continue;
                };
                let id = document_address(&cluster, nomor, requirement)
                    .unwrap_or_else(|| panic!("{nomor}: the acknowledged {requirement} is gone"));
                let file = c.get(&format!("{survivor}/layanan/berkas/{id}"));
                assert_eq!(file.status, 200, "{nomor} {requirement}");
                assert!(
                    tries[last_ack..].iter().any(|(bytes, _)| *bytes == file.body),
                    "{nomor} {requirement}: the stored document is neither the last acknowledged \
                     upload nor a later one:\n{}",
                    String::from_utf8_lossy(&file.body)
                );
            }
        }
    });

    // Every acknowledged registration is there, with its receipt queued or sent.
    let registered = registered.lock().expect("lock").clone();
    let stored: HashSet<String> = cluster
        .db
        .rows("SELECT nomor FROM applicants")
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .collect();
    let mailed: HashSet<String> = cluster
        .db
        .rows("SELECT recipient FROM outbox WHERE kind = 'registrasi_diterima'")
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .collect();
    for (nomor, email) in &registered {
        assert!(stored.contains(nomor), "acknowledged {nomor} is not stored");
        assert!(mailed.contains(email), "the receipt of {nomor} was not queued");
    }
    println!(
        "{} registrations acknowledged, {} of them and of the uploads after the kill",
        registered.len(),
        acks_after_kill.load(Ordering::SeqCst)
    );

    // The survivor still serves, and sends what is queued (but what the killed instance had
    // claimed, which waits for its lease).
    let survivor = &cluster.instances[1];
    let page = Client::new().get(&format!("{}/layanan/masuk", survivor.url));
    assert_eq!(page.status, 200);
    let last = registered.last().expect("registrations").1.clone();
    cluster.wait_for_mail(&last, "Registrasi Pemohon diterima");
}
