//! The folders of content, theme and site come from a flag when one is given, else from the
//! same `SICANTIK_*_DIR` settings the service reads (a flag's default used to override them).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `sicantik build --no-search` in `cwd` (a folder without content, theme or settings file),
/// with the folders only in the environment.
fn build(cwd: &Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sicantik"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("SICANTIK_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("SICANTIK_CONTENT_DIR", repo().join("content"))
        .env("SICANTIK_THEME_DIR", repo().join("themes/default"))
        .env("SICANTIK_PUBLIC_DIR", cwd.join("situs"))
        .args(extra)
        .args(["build", "--no-search"])
        .current_dir(cwd)
        .output()
        .expect("run sicantik")
}

#[test]
fn without_flags_the_build_uses_the_folders_the_settings_name() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = build(tmp.path(), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        tmp.path().join("situs/index.html").is_file(),
        "the site is where SICANTIK_PUBLIC_DIR says"
    );
    assert!(!tmp.path().join("public").exists(), "not in the default folder");
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains(&format!("Situs dibangun di {}", tmp.path().join("situs").display())),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_flag_wins_over_the_setting() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let flag = tmp.path().join("dari-argumen");
    let out = build(tmp.path(), &["--out", flag.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(flag.join("index.html").is_file());
    assert!(!tmp.path().join("situs").exists());
}
