//! The `maillage` command itself.

use std::process::Command;

fn maillage() -> Command {
    Command::new(env!("CARGO_BIN_EXE_maillage"))
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["build", "--help"],
        vec!["serve", "--help"],
        vec!["check", "--help"],
        vec!["init", "--help"],
    ] {
        let out = maillage().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[test]
fn init_then_build_then_check() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("mon-site");
    let out = maillage().arg("init").arg(&site).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = maillage()
        .args(["--root"])
        .arg(&site)
        .arg("build")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.starts_with("Built 1 pages, 2 sections,"),
        "{summary}"
    );
    assert!(summary.trim_end().ends_with(" ms"), "{summary}");
    let page =
        std::fs::read_to_string(site.join("public/actualites/premiere-rencontre/index.html"))
            .unwrap();
    assert!(page.contains("22 novembre 2026"), "{page}");
    let out = maillage()
        .arg("--root")
        .arg(&site)
        .arg("check")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A second init in the same folder refuses to overwrite.
    let out = maillage().arg("init").arg(&site).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_broken_site_exits_with_1_and_lists_problems() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "base_url = \"https://ex.org\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(dir.path().join("content/a.md"), "+++\ntitle = 1\n+++\n").unwrap();
    std::fs::write(dir.path().join("content/b.md"), "no front matter\n").unwrap();
    let out = maillage()
        .arg("--root")
        .arg(dir.path())
        .arg("build")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("content/a.md:2:"), "{err}");
    assert!(err.contains("content/b.md:1:1"), "{err}");
    assert!(err.contains("2 errors found"), "{err}");
    assert!(!dir.path().join("public").exists());
}

/// A failure that is not in the site's files (here the `--store` flag) is
/// named as what failed, without a file or a count of site problems.
#[test]
fn a_failure_outside_the_site_names_what_failed() {
    let dir = tempfile::tempdir().unwrap();
    let out = maillage()
        .arg("--root")
        .arg(dir.path())
        .args(["sync", "--store", "postgres:rencontres"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: --store: unknown store in \"postgres:rencontres\""),
        "{stderr}"
    );
    assert!(!stderr.contains("nothing was written"), "{stderr}");
}
