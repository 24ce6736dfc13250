use super::*;

fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
}

#[test]
fn defaults_need_nothing_configured() {
    let c = Config::from_env(env(&[])).expect("defaults");
    assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
    assert_eq!(c.base_url, "http://127.0.0.1:8080");
    assert!(c.smtp_url.is_none());
    assert_eq!(c.data_dir, PathBuf::from("data"));
}

#[test]
fn a_bad_value_names_the_setting() {
    let e = Config::from_env(env(&[("SICANTIK_ADDR", "nowhere")])).expect_err("bad addr");
    assert!(e.to_string().contains("SICANTIK_ADDR"), "{e}");
    let e = Config::from_env(env(&[("SICANTIK_SMTP_URL", "ftp://x")])).expect_err("bad smtp");
    assert!(e.to_string().contains("SICANTIK_SMTP_URL"), "{e}");
    let e = Config::from_env(env(&[("SICANTIK_BASE_URL", "localhost")])).expect_err("bad base");
    assert!(e.to_string().contains("SICANTIK_BASE_URL"), "{e}");
}

#[test]
fn the_database_is_the_sqlite_file_unless_a_postgres_url_is_given() {
    let c = Config::from_env(env(&[])).expect("defaults");
    assert!(matches!(&c.database_url, DatabaseUrl::Sqlite(p) if p == &PathBuf::from("data/sicantik.sqlite3")));
    let c = Config::from_env(env(&[(
        "SICANTIK_DATABASE_URL",
        "postgres://u:rahasia@db.example.id:5432/sicantik",
    )]))
    .expect("postgres");
    assert!(matches!(c.database_url, DatabaseUrl::Postgres(_)));
    assert!(!format!("{c:?}").contains("rahasia"), "the password never prints");
    let e = Config::from_env(env(&[("SICANTIK_DATABASE_URL", "mysql://x")])).expect_err("bad url");
    assert!(e.to_string().contains("SICANTIK_DATABASE_URL"), "{e}");
}

#[test]
fn trusted_proxies_are_addresses_or_ranges() {
    let c = Config::from_env(env(&[("SICANTIK_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8 ::1")])).expect("ok");
    assert_eq!(c.trusted_proxies.len(), 3);
    assert!(c.trusted_proxies[1].contains(&"10.1.2.3".parse::<std::net::IpAddr>().expect("ip")));
    let e = Config::from_env(env(&[("SICANTIK_TRUSTED_PROXIES", "nginx")])).expect_err("bad");
    assert!(e.to_string().contains("SICANTIK_TRUSTED_PROXIES"), "{e}");
}

#[test]
fn a_shared_form_key_must_be_32_bytes() {
    let ok = Config::from_env(env(&[(
        "SICANTIK_FORM_KEY",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    )]))
    .expect("key");
    assert!(ok.form_key.0.is_some());
    let e = Config::from_env(env(&[("SICANTIK_FORM_KEY", "c2hvcnQ=")])).expect_err("short");
    assert!(e.to_string().contains("SICANTIK_FORM_KEY"), "{e}");
}

#[test]
fn documents_default_to_the_berkas_folder_in_the_data_dir() {
    let c = Config::from_env(env(&[("SICANTIK_DATA_DIR", "/srv/sicantik")])).expect("ok");
    assert!(
        matches!(&c.storage, StorageConfig::Local { dir } if dir == &PathBuf::from("/srv/sicantik/berkas")),
        "{:?}",
        c.storage
    );
}

#[test]
fn a_folder_is_given_as_a_path_or_a_file_url() {
    for (url, dir) in [
        ("/mnt/berkas", "/mnt/berkas"),
        ("arsip/berkas", "arsip/berkas"),
        ("file:///mnt/berkas", "/mnt/berkas"),
    ] {
        let c = Config::from_env(|k| (k == "SICANTIK_STORAGE_URL").then(|| url.to_string())).expect(url);
        assert!(
            matches!(&c.storage, StorageConfig::Local { dir: d } if d == &PathBuf::from(dir)),
            "{url}"
        );
    }
}

#[test]
fn an_s3_url_takes_endpoint_region_and_keys_from_their_own_settings() {
    let c = Config::from_env(env(&[
        ("SICANTIK_STORAGE_URL", "s3://dokumen/sicantik/berkas/"),
        ("SICANTIK_S3_ENDPOINT", "http://127.0.0.1:9000/"),
        ("AWS_REGION", "ap-southeast-3"),
        ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "rahasia-s3"),
        ("AWS_SESSION_TOKEN", "token-sesi"),
    ]))
    .expect("ok");
    let StorageConfig::S3 {
        bucket,
        prefix,
        endpoint,
        region,
        access_key_id,
        secret_access_key,
        session_token,
        allow_http,
    } = &c.storage
    else {
        panic!("not S3: {:?}", c.storage);
    };
    assert_eq!(bucket, "dokumen");
    assert_eq!(prefix, "sicantik/berkas");
    assert_eq!(endpoint.as_deref(), Some("http://127.0.0.1:9000"));
    assert_eq!(region, "ap-southeast-3");
    assert_eq!(access_key_id.as_deref(), Some("AKIAEXAMPLE"));
    assert_eq!(secret_access_key.as_ref().map(Secret::expose), Some("rahasia-s3"));
    assert_eq!(session_token.as_ref().map(Secret::expose), Some("token-sesi"));
    assert!(allow_http, "an http:// endpoint is reached over http");
    let printed = format!("{c:?}");
    assert!(
        !printed.contains("rahasia-s3") && !printed.contains("token-sesi"),
        "{printed}"
    );
}

#[test]
fn s3_defaults_to_aws_in_us_east_1_over_https() {
    let c = Config::from_env(env(&[("SICANTIK_STORAGE_URL", "s3://dokumen")])).expect("ok");
    let StorageConfig::S3 {
        prefix,
        endpoint,
        region,
        access_key_id,
        allow_http,
        ..
    } = c.storage
    else {
        panic!("not S3");
    };
    assert_eq!(prefix, "");
    assert_eq!(endpoint, None);
    assert_eq!(region, "us-east-1");
    assert_eq!(access_key_id, None);
    assert!(!allow_http);
    let c = Config::from_env(env(&[
        ("SICANTIK_STORAGE_URL", "s3://dokumen"),
        ("SICANTIK_S3_REGION", "ap-southeast-1"),
        ("AWS_REGION", "eu-west-1"),
    ]))
    .expect("ok");
    assert!(matches!(c.storage, StorageConfig::S3 { region, .. } if region == "ap-southeast-1"));
}

#[test]
fn a_bad_storage_setting_names_the_setting_and_never_prints_a_key() {
    for (pairs, setting) in [
        (
            &[("SICANTIK_STORAGE_URL", "ftp://host/berkas")][..],
            "SICANTIK_STORAGE_URL",
        ),
        (
            &[("SICANTIK_STORAGE_URL", "s3:///tanpa-bucket")][..],
            "SICANTIK_STORAGE_URL",
        ),
        (
            &[("SICANTIK_STORAGE_URL", "s3://dokumen/a/../b")][..],
            "SICANTIK_STORAGE_URL",
        ),
        (
            &[
                ("SICANTIK_STORAGE_URL", "s3://dokumen"),
                ("SICANTIK_S3_ENDPOINT", "minio:9000"),
            ][..],
            "SICANTIK_S3_ENDPOINT",
        ),
        (
            &[
                ("SICANTIK_STORAGE_URL", "s3://dokumen"),
                ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"),
            ][..],
            "AWS_SECRET_ACCESS_KEY",
        ),
    ] {
        let e = Config::from_env(move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
            .expect_err(setting);
        assert!(e.to_string().contains(setting), "{e}");
    }
    let e = Config::from_env(env(&[(
        "SICANTIK_STORAGE_URL",
        "s3://AKIAEXAMPLE:rahasia-s3@dokumen/berkas",
    )]))
    .expect_err("credentials in the URL");
    assert!(e.to_string().contains("SICANTIK_STORAGE_URL"), "{e}");
    assert!(!e.to_string().contains("rahasia-s3"), "{e}");
}

#[test]
fn the_smtp_password_never_prints() {
    let c = Config::from_env(env(&[("SICANTIK_SMTP_URL", "smtps://u:rahasia@mail.example.id:465")])).expect("ok");
    assert!(!format!("{c:?}").contains("rahasia"));
}
