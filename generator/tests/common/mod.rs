//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub(crate) mod process;
pub(crate) mod zola_diff;

use std::path::{Path, PathBuf};

/// Copies a fixture site into a fresh temporary folder.
pub(crate) fn fixture(name: &str) -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dir = tempfile::tempdir().expect("temporary folder");
    copy_dir(&src, dir.path());
    dir
}

/// A fixture site with `files` (path relative to the site, text) written
/// over it.
pub(crate) fn fixture_with(name: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = fixture(name);
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

pub(crate) fn copy_dir(src: &Path, dest: &Path) {
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(src).unwrap();
        let target = dest.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Replaces `from` with `to` in the file `rel` of the site at `root`.
pub(crate) fn replace_in(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = read(root, rel);
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The `error:` lines of a failed build's report.
pub(crate) fn error_lines(report: &str) -> Vec<&str> {
    report.lines().filter(|l| l.starts_with("error:")).collect()
}

pub(crate) fn read(root: &Path, rel: &str) -> String {
    let path = root.join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `maillage` command built with the tests.
pub(crate) fn maillage() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_maillage"));
    // Tests in this process pin the clock for their own builds, at any
    // moment: a command reads the clock only when given it explicitly.
    command.env_remove(maillage_model::clock::NOW_VAR);
    command
}

/// Runs `command` and returns its output; panics with what it wrote on
/// stderr when it fails.
pub(crate) fn run_ok(command: &mut std::process::Command) -> std::process::Output {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `maillage init --network` at `site`.
pub(crate) fn init_network(site: &std::path::Path) {
    run_ok(maillage().args(["init", "--network"]).arg(site));
}

/// The theme's npm packages (the map libraries), as the site's owner
/// installs them: the repository's, which tests/setup.sh installs.
pub(crate) fn link_theme_modules(site: &std::path::Path) {
    let modules =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes/maillage/node_modules");
    assert!(
        modules.is_dir(),
        "run tests/setup.sh first: {} is missing",
        modules.display()
    );
    std::os::unix::fs::symlink(&modules, site.join("themes/maillage/node_modules")).unwrap();
}

/// Builds the site at `dir` with the command, the clock at `now`; panics
/// with the command's errors when the build fails.
pub(crate) fn build_at(dir: &Path, now: &str) {
    run_ok(
        maillage()
            .arg("--root")
            .arg(dir)
            .arg("build")
            .env("MAILLAGE_NOW", now),
    );
}

/// Every file under `dir`, relative, `/`-separated, sorted.
pub(crate) fn files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    out.sort();
    out
}

pub(crate) fn options(root: &Path) -> maillage::BuildOptions {
    maillage::BuildOptions {
        root: root.to_path_buf(),
        ..Default::default()
    }
}

pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A copy of a site in a temporary folder, removed when dropped.
pub(crate) struct TempSite(tempfile::TempDir);

impl std::ops::Deref for TempSite {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for TempSite {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

/// The demo site (config, content, data, theme) in a fresh folder, the
/// theme's npm packages linked.
pub(crate) fn demo_copy() -> TempSite {
    demo_copy_in(&std::env::temp_dir())
}

/// [`demo_copy`] in a folder under `parent`.
pub(crate) fn demo_copy_in(parent: &Path) -> TempSite {
    let repo = repo_root();
    let temp = tempfile::Builder::new()
        .prefix("maillage-demo-")
        .tempdir_in(parent)
        .unwrap();
    let dir = temp.path();
    std::fs::copy(repo.join("config.toml"), dir.join("config.toml")).unwrap();
    for name in ["content", "data", "static", "templates"] {
        if repo.join(name).is_dir() {
            copy_dir(&repo.join(name), &dir.join(name));
        }
    }
    for entry in std::fs::read_dir(repo.join("themes")).unwrap() {
        let theme = entry.unwrap().path();
        let target = dir.join("themes").join(theme.file_name().unwrap());
        std::fs::create_dir_all(&target).unwrap();
        for item in std::fs::read_dir(&theme).unwrap() {
            let item = item.unwrap().path();
            let name = item.file_name().unwrap();
            if name == "node_modules" {
                std::os::unix::fs::symlink(&item, target.join(name)).unwrap();
            } else if item.is_dir() {
                copy_dir(&item, &target.join(name));
            } else {
                std::fs::copy(&item, target.join(name)).unwrap();
            }
        }
    }
    TempSite(temp)
}

/// The embedded store of a served demo copy, relative to its root.
pub(crate) const DEMO_STORE: &str = ".maillage/store.sqlite";

/// `maillage serve` with the function on a fresh copy of the demo site (its
/// root returned) and an SQLite store of its own, on a free port.
pub(crate) fn serve_demo() -> (TempSite, maillage::live::LiveServer) {
    serve_demo_in(&std::env::temp_dir())
}

/// [`serve_demo`], its copy in a folder under `parent`.
pub(crate) fn serve_demo_in(parent: &Path) -> (TempSite, maillage::live::LiveServer) {
    let site = demo_copy_in(parent);
    let options = maillage::BuildOptions {
        root: site.to_path_buf(),
        ..Default::default()
    };
    let store = maillage::store_cli::StoreSpec::Sqlite(site.join(DEMO_STORE));
    let live = maillage::live::start(options, 0, maillage::serve::Limits::default(), &store)
        .expect("maillage serve");
    // The live loop's tests start from the whole site rendered.
    live.server.site.first_render().expect("the first render");
    (site, live)
}
