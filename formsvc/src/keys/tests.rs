use super::*;
use crate::keys::nik::Field;
use crate::records::Pemohon;

const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

#[test]
fn a_key_is_read_from_base64_or_hex_and_known_by_a_stable_id() {
    let a = MasterKey::parse(HEX, "X").expect("hex");
    let b = MasterKey::parse(&format!("  {B64}\n"), "X").expect("base64");
    assert_eq!(a.id(), b.id(), "the same key, the same id");
    assert_eq!(a.id().as_str().len(), 16);
    assert_ne!(a.id(), MasterKey::from_bytes(DataKey::random().bytes()).id());
    assert!(!format!("{a:?}").contains("0001020304"), "the key never prints");
    for bad in ["", "c2hvcnQ=", "zz", &HEX[..62]] {
        let e = MasterKey::parse(bad, "SICANTIK_MASTER_KEY").expect_err(bad);
        assert!(e.to_string().contains("SICANTIK_MASTER_KEY"), "{e}");
    }
}

#[test]
fn a_wrapped_key_opens_only_with_its_master_key_and_for_its_own_context() {
    let ring = Keyring::ephemeral();
    let key = DataKey::random();
    let w = ring.wrap(&key, "document:a.bin");
    assert_eq!(w.key_id, ring.current_id().as_str());
    assert_eq!(ring.unwrap(&w, "document:a.bin").expect("opens").bytes(), key.bytes());
    assert_ne!(ring.wrap(&key, "document:a.bin"), w, "a fresh nonce each time");
    assert_eq!(ring.unwrap(&w, "document:b.bin").err(), Some(UnwrapError::Forged));
    let other = Keyring::ephemeral();
    assert!(matches!(
        other.unwrap(&w, "document:a.bin"),
        Err(UnwrapError::UnknownKey(_))
    ));
    // The id is right but the bytes are another key's: forged, not unknown.
    let mut spoof = other.wrap(&key, "document:a.bin");
    spoof.key_id = w.key_id.clone();
    assert_eq!(ring.unwrap(&spoof, "document:a.bin").err(), Some(UnwrapError::Forged));
    let back = WrappedKey::from_bytes(&w.to_bytes()).expect("round trip");
    assert_eq!(back, w);
}

#[test]
fn a_previous_key_unwraps_but_only_the_current_one_wraps() {
    let old = Keyring::ephemeral();
    let new = Keyring::ephemeral();
    let key = DataKey::random();
    let w = old.wrap(&key, "c");
    let both = Keyring::new(new.current.clone(), vec![old.current.clone()]);
    assert_eq!(
        both.unwrap(&w, "c").expect("the previous key opens it").bytes(),
        key.bytes()
    );
    assert_eq!(both.wrap(&key, "c").key_id, new.current_id().as_str());
    assert_eq!(both.ids().len(), 2);
}

#[cfg(unix)]
#[test]
fn a_generated_key_file_is_private_and_never_overwritten() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("keys").join("master.key");
    let key = generate_key_file(&path).expect("generate");
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(key_file_mode_warning(&path).is_none());
    assert_eq!(read_key_file(&path, "X").expect("read").id(), key.id());
    assert!(generate_key_file(&path).is_err(), "an existing key is never replaced");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let warning = key_file_mode_warning(&path).expect("a readable key is reported");
    assert!(warning.contains("0644") && warning.contains("chmod 600"), "{warning}");
}

#[test]
fn only_a_loopback_base_url_gets_a_key_made_in_the_data_directory() {
    assert!(loopback("http://127.0.0.1:8080") && loopback("http://localhost:8080") && loopback("http://[::1]:80"));
    assert!(!loopback("https://perizinan.sumselprov.go.id") && !loopback("http://10.0.0.5:8080"));
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().display().to_string();
    let cfg = crate::Config::from_env(|k| (k == "SICANTIK_DATA_DIR").then(|| data.clone())).expect("config");
    let first = Keyring::from_config(&cfg).expect("made on first start");
    assert!(default_key_path(&cfg.data_dir).exists());
    let again = Keyring::from_config(&cfg).expect("read on the next");
    assert_eq!(first.current_id(), again.current_id());

    let public = crate::Config::from_env(|k| match k {
        "SICANTIK_DATA_DIR" => Some(data.clone()),
        "SICANTIK_BASE_URL" => Some("https://perizinan.example.go.id".into()),
        _ => None,
    })
    .expect("config");
    let e = Keyring::from_config(&public).expect_err("no key beside the data of a real service");
    assert!(
        e.to_string().contains("SICANTIK_MASTER_KEY_FILE") && e.to_string().contains("sicantik key generate"),
        "{e}"
    );
}

#[test]
fn the_master_key_settings_are_checked() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("k");
    let key = generate_key_file(&path).expect("key");
    let p = path.display().to_string();
    let cfg = crate::Config::from_env(|k| (k == "SICANTIK_MASTER_KEY_FILE").then(|| p.clone())).expect("file");
    assert_eq!(
        cfg.master_key.current.as_ref().map(|k| k.id().clone()),
        Some(key.id().clone())
    );
    let cfg = crate::Config::from_env(|k| (k == "SICANTIK_MASTER_KEY").then(|| HEX.to_string())).expect("inline");
    assert!(cfg.master_key.current.is_some());
    for (pairs, named) in [
        (
            vec![
                ("SICANTIK_MASTER_KEY", HEX.to_string()),
                ("SICANTIK_MASTER_KEY_FILE", p.clone()),
            ],
            "are both set",
        ),
        (vec![("SICANTIK_MASTER_KEY_PREVIOUS_FILE", p.clone())], "without"),
        (
            vec![("SICANTIK_MASTER_KEY_FILE", "/nonexistent/master.key".into())],
            "SICANTIK_MASTER_KEY_FILE=/nonexistent",
        ),
    ] {
        let e =
            crate::Config::from_env(|k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())).expect_err(named);
        assert!(e.to_string().contains(named), "{e}");
    }
}

#[test]
fn a_nik_is_sealed_differently_each_time_and_found_by_its_keyed_hash() {
    let a = NikKey::from_data_key(&DataKey::random());
    let b = NikKey::from_data_key(&DataKey::random());
    let nik = "1671044508900001";
    let (s1, s2) = (a.seal(Field::Applicant, nik), a.seal(Field::Applicant, nik));
    assert_ne!(s1, s2);
    assert!(!s1.contains(nik) && !s1.contains("1671"));
    assert_eq!(a.open(Field::Applicant, &s1).as_deref(), Some(nik));
    assert_eq!(a.open(Field::Pemohon, &s1), None, "bound to its column");
    assert_eq!(b.open(Field::Applicant, &s1), None, "another key opens nothing");
    assert_eq!(a.index(nik), a.index(nik));
    assert_ne!(a.index(nik), b.index(nik), "the hash needs the key");
    assert_ne!(a.index(nik), crate::security::token_hash(nik), "not a plain SHA-256");
    assert_eq!(a.index(nik).len(), 64);
}

#[test]
fn pemohon_json_keeps_its_number_sealed_and_reads_rows_from_before_sealing() {
    let k = NikKey::from_data_key(&DataKey::random());
    let p = Pemohon {
        nama: "Siti Aminah".into(),
        identitas: "1671044508900001".into(),
        telepon: "+6281234567890".into(),
        email: "siti@contoh.id".into(),
        alamat: "Jl. Merdeka".into(),
    };
    let json = k.pemohon_json(&p).expect("json");
    assert!(
        !json.contains("1671044508900001") && json.contains("Siti Aminah"),
        "{json}"
    );
    assert_eq!(k.pemohon_from_json(&json), Some(p.clone()));
    assert_eq!(k.seal_legacy_pemohon(&json), None, "sealed already");
    let legacy = serde_json::to_string(&p).expect("legacy json");
    assert_eq!(k.pemohon_from_json(&legacy), Some(p.clone()), "read as stored");
    let sealed = k.seal_legacy_pemohon(&legacy).expect("sealed now");
    assert!(!sealed.contains("1671044508900001"));
    assert_eq!(k.pemohon_from_json(&sealed), Some(p));
    assert_eq!(k.pemohon_from_json("{\"nama\": 1}"), None);
}
