//! The demo stays meaningful whenever it runs: `.ci/demo-site` moves its
//! dates to the week of the day given, and a build on that day finds
//! meetups to come and none left open after it took place.

use std::process::Command;

use crate::common;

fn demo_on(day: &str) -> (tempfile::TempDir, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("demo");
    let out = Command::new(root.join(".ci/demo-site"))
        .arg(&site)
        .arg(day)
        .output()
        .expect("python3 runs .ci/demo-site");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = common::run_ok(
        crate::common::maillage()
            .arg("--root")
            .arg(&site)
            .arg("build")
            .env("MAILLAGE_NOW", format!("{day}T12:00")),
    );
    let listing = std::fs::read_to_string(site.join("public/rencontres/index.html")).unwrap();
    (
        dir,
        String::from_utf8_lossy(&out.stderr).to_string() + &listing,
    )
}

#[test]
fn the_demo_moved_to_any_day_has_meetups_to_come_and_none_stale() {
    for day in ["2026-11-22", "2028-02-29", "2031-07-14"] {
        let (_dir, output) = demo_on(day);
        assert!(!output.contains("took place"), "{day}: {output}");
        assert!(
            !output.contains("has not taken place yet"),
            "{day}: {output}"
        );
        assert!(
            output.matches("class=\"card meetup-card").count() >= 10,
            "{day}: meetups to come"
        );
    }
}
