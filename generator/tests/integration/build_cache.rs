//! The build cache (`.maillage/build-cache.json`): a build that keeps the
//! outputs its cache says are unchanged writes the same site, byte for
//! byte, as a clean build of the same sources, whatever kind of input
//! changed; and it renders only part of the site when little changed.
//! When nothing it reads changed and the clock is within the span the last
//! output holds for (`.maillage/last-build.json`), it keeps that output
//! without loading the site.

use std::path::{Path, PathBuf};

use crate::common::{copy_dir, demo_copy, files, fixture_with, maillage, replace_in, TempSite};

const NOW: &str = "2026-11-22T12:00";

/// Builds `site` with the command at `now`; returns the summary line.
fn build(site: &Path, now: &str) -> String {
    build_with(maillage().arg("--root").arg(site), now)
}

/// Runs `maillage build` with `command`'s root at `now`; returns the
/// summary line.
fn build_with(command: &mut std::process::Command, now: &str) -> String {
    let out = command
        .arg("build")
        .env("MAILLAGE_NOW", now)
        .output()
        .unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{report}");
    report
}

/// The sources of `site` (no output, no cache) in a fresh folder.
fn clean_copy(site: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(site).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name == "public" || name.starts_with(".public.") || name == ".maillage" {
            continue;
        }
        let target = dir.path().join(&name);
        if path.is_symlink() || (name == "themes") {
            // The theme's node_modules is a link: made again.
            copy_themes(&path, &target);
        } else if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
    dir
}

fn copy_themes(src: &Path, dest: &Path) {
    for theme in std::fs::read_dir(src).unwrap() {
        let theme = theme.unwrap().path();
        let target = dest.join(theme.file_name().unwrap());
        std::fs::create_dir_all(&target).unwrap();
        for item in std::fs::read_dir(&theme).unwrap() {
            let item = item.unwrap().path();
            let name = item.file_name().unwrap();
            if item.is_symlink() {
                let link = std::fs::read_link(&item).unwrap();
                std::os::unix::fs::symlink(link, target.join(name)).unwrap();
            } else if item.is_dir() {
                copy_dir(&item, &target.join(name));
            } else {
                std::fs::copy(&item, target.join(name)).unwrap();
            }
        }
    }
}

/// The files of two output folders that differ, or that only one has.
fn differences(a: &Path, b: &Path) -> Vec<String> {
    let (fa, fb) = (files(a), files(b));
    let mut out: Vec<String> = fa
        .iter()
        .filter(|f| !fb.contains(f))
        .map(|f| format!("only in the cached build: {f}"))
        .collect();
    out.extend(
        fb.iter()
            .filter(|f| !fa.contains(f))
            .map(|f| format!("only in the clean build: {f}")),
    );
    for f in fa.iter().filter(|f| fb.contains(f)) {
        if std::fs::read(a.join(f)).unwrap() != std::fs::read(b.join(f)).unwrap() {
            out.push(format!("differs: {f}"));
        }
    }
    out
}

/// How many pages and files the build rendered again and how many it
/// kept, from its summary; `None` when it kept none.
fn rendered(report: &str) -> Option<usize> {
    let at = report.find(" pages and files rendered again")?;
    report[..at].rsplit('(').next()?.trim().parse().ok()
}

fn kept(report: &str) -> usize {
    let Some(at) = report.find(" unchanged since the last build") else {
        return 0;
    };
    report[..at].rsplit(' ').next().unwrap().parse().unwrap()
}

/// Whether the build kept the last output without loading the site.
fn untouched(report: &str) -> bool {
    report.contains("nothing changed since the last build")
}

fn total(report: &str) -> usize {
    rendered(report).unwrap_or(0) + kept(report)
}

struct Change {
    what: &'static str,
    apply: fn(&Path),
    now: &'static str,
}

fn first_page_file(site: &Path) -> PathBuf {
    site.join("content/actualites/rentree-2026.md")
}

/// The files of `dir` written since `since`.
fn written_since(dir: &Path, since: std::time::SystemTime) -> Vec<String> {
    files(dir)
        .into_iter()
        .filter(|f| {
            std::fs::metadata(dir.join(f))
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= since)
        })
        .collect()
}

#[test]
fn a_cached_build_equals_a_clean_build_after_every_kind_of_change() {
    let site = demo_built_twice();
    let since = std::time::SystemTime::now();
    let unchanged = build(&site, NOW);
    assert!(
        untouched(&unchanged),
        "nothing changed, the output is kept: {unchanged}"
    );
    let written = written_since(&site.join("public"), since);
    assert!(
        written.is_empty(),
        "nothing changed, yet written: {written:?}"
    );
    let changes = [
        Change {
            what: "content",
            apply: |s| {
                let path = first_page_file(s);
                let text = std::fs::read_to_string(&path).unwrap();
                std::fs::write(&path, text + "\nUn paragraphe ajouté.\n").unwrap();
            },
            now: NOW,
        },
        Change {
            what: "data",
            apply: |s| {
                replace_in(
                    s,
                    "data/meetups/culture-numerique.yaml",
                    "Culture numérique, rencontre de la semaine 1 à Rennes",
                    "Culture numérique à Rennes, première rencontre",
                )
            },
            now: NOW,
        },
        Change {
            what: "template",
            apply: |s| {
                replace_in(
                    s,
                    "themes/maillage/templates/meetup.html",
                    "{% block",
                    "{# edited #}{% block",
                );
                let path = s.join("themes/maillage/templates/meetup.html");
                let text = std::fs::read_to_string(&path).unwrap();
                let at = text.rfind("{% endblock").unwrap();
                let edited = format!("{}<!-- modifié -->{}", &text[..at], &text[at..]);
                std::fs::write(&path, edited).unwrap();
            },
            now: NOW,
        },
        Change {
            what: "live figures",
            apply: |s| {
                replace_in(
                    s,
                    "data/live/aggregates.json",
                    "\"ajaccio-culture-s1-2026-11\": {\n      \"confirmed\": 6",
                    "\"ajaccio-culture-s1-2026-11\": {\n      \"confirmed\": 9",
                )
            },
            now: NOW,
        },
        Change {
            // Shown in full on the pages of the meetups held there, not in
            // their summaries.
            what: "a place's address",
            apply: |s| {
                replace_in(
                    s,
                    "data/places/ile-de-france.yaml",
                    "  address: 46 rue Oberkampf\n",
                    "  address: 48 rue Oberkampf\n",
                )
            },
            now: NOW,
        },
        Change {
            // Shown on the page of the meetup that follows up on it.
            what: "a report's improvements",
            apply: |s| {
                replace_in(
                    s,
                    "data/live/aggregates.json",
                    "animée par un habitué, pour créer son compte",
                    "animée par une habituée, pour créer son compte",
                )
            },
            now: NOW,
        },
        Change {
            what: "a theme's static file",
            apply: |s| {
                let path = s.join("themes/maillage/static/css/maillage.css");
                let text = std::fs::read_to_string(&path).unwrap();
                std::fs::write(&path, text + "\n.ajout { color: inherit; }\n").unwrap();
            },
            now: NOW,
        },
        Change {
            what: "a new static file",
            apply: |s| {
                std::fs::create_dir_all(s.join("static")).unwrap();
                std::fs::write(s.join("static/bonjour.txt"), "Bonjour\n").unwrap();
            },
            now: NOW,
        },
        Change {
            what: "config",
            apply: |s| {
                let path = s.join("config.toml");
                let text = std::fs::read_to_string(&path).unwrap();
                let edited = text.replacen("title = \"", "title = \"Le ", 1);
                assert_ne!(edited, text);
                std::fs::write(&path, edited).unwrap();
            },
            now: NOW,
        },
        Change {
            what: "a deleted page",
            apply: |s| std::fs::remove_file(first_page_file(s)).unwrap(),
            now: NOW,
        },
        Change {
            what: "a renamed section",
            apply: |s| {
                std::fs::rename(s.join("content/actualites"), s.join("content/nouvelles")).unwrap();
                // And the links to it.
                for dir in ["content", "themes/maillage/templates"] {
                    for entry in walkdir::WalkDir::new(s.join(dir)).into_iter().flatten() {
                        let Ok(text) = std::fs::read_to_string(entry.path()) else {
                            continue;
                        };
                        if text.contains("actualites/") {
                            let edited = text.replace("actualites/", "nouvelles/");
                            std::fs::write(entry.path(), edited).unwrap();
                        }
                    }
                }
            },
            now: NOW,
        },
        Change {
            what: "the clock passing a meetup's start",
            apply: |_| {},
            // rennes-culture-s3-2026-11 starts on 2026-11-26 at 18:00.
            now: "2026-11-26T19:00",
        },
    ];
    let mut renders = Vec::new();
    for change in changes {
        (change.apply)(&site);
        let since = std::time::SystemTime::now();
        let report = build(&site, change.now);
        assert!(
            !untouched(&report),
            "after a change of {}, the last output was kept: {report}",
            change.what
        );
        let written = written_since(&site.join("public"), since).len();
        let clean = clean_copy(&site);
        build(clean.path(), change.now);
        let diff = differences(&site.join("public"), &clean.path().join("public"));
        assert!(
            diff.is_empty(),
            "after a change of {}, the cached build differs from a clean one:\n{}",
            change.what,
            diff.join("\n")
        );
        renders.push((change.what, rendered(&report), total(&report), written));
    }
    // Small changes render a small part of the site; the configuration
    // renders it all.
    // The files written are those changed since the output before last
    // (the folder the build writes into): few, after a small change that
    // followed a small change.
    for (what, rendered, total, written) in &renders {
        match *what {
            "content" | "data" => assert!(
                rendered.is_some_and(|n| n > 0 && n < total / 4) && *written < total / 4,
                "{what}: {rendered:?} rendered, {written} written, of {total}"
            ),
            "live figures" => assert!(
                rendered.is_some_and(|n| n > 0 && n < total / 4),
                "{what}: {rendered:?} of {total}"
            ),
            "config" => assert_eq!(*rendered, None, "{what}"),
            _ => {}
        }
    }
}

/// A change the next build must see, to make it load the site.
/// The demo built twice, a page touched in between: the output and the
/// spare folder are both known to the cache.
fn demo_built_twice() -> TempSite {
    let site = demo_copy();
    build(&site, NOW);
    touch_a_page(&site);
    build(&site, NOW);
    site
}

fn touch_a_page(site: &Path) {
    let path = first_page_file(site);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text + "\n").unwrap();
}

/// The span of clock readings the last build's output holds for, from
/// its record: (from, until).
fn clock_span(site: &Path) -> (String, String) {
    let text = std::fs::read_to_string(site.join(".maillage/last-build.json")).unwrap();
    let record: serde_json::Value = serde_json::from_str(&text).unwrap();
    let at = |key: &str| record["clock"][key].as_str().unwrap().to_string();
    (at("from"), at("until"))
}

fn instant(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// Builds `site` at `now`, then a clean copy of its sources; panics with
/// the files that differ.
fn assert_same_as_clean(site: &Path, now: &str, what: &str) {
    let clean = clean_copy(site);
    build(clean.path(), now);
    let diff = differences(&site.join("public"), &clean.path().join("public"));
    assert!(
        diff.is_empty(),
        "{what}: the build differs from a clean one:\n{}",
        diff.join("\n")
    );
}

/// The clock moves on: within the span the last output holds for (no
/// meetup opens, starts or ends, the day is the same), the output is kept
/// and is what a clean build gives at that time; at the end of the span
/// it is built again.
#[test]
fn the_output_is_kept_while_the_clock_stays_in_its_span() {
    let site = demo_copy();
    build(&site, NOW);
    let (from, until) = clock_span(&site);
    let (from, until) = (instant(&from), instant(&until));
    // Any reading in the span gives the same site.
    let later = from + (until - from) / 2;
    assert!(
        later > from,
        "the span is more than an instant: {from} to {until}"
    );
    let later = later.to_rfc3339();
    let report = build(&site, &later);
    assert!(untouched(&report), "at {later}: {report}");
    assert_same_as_clean(&site, &later, &format!("at {later}"));
    let end = until.to_rfc3339();
    let report = build(&site, &end);
    assert!(!untouched(&report), "at the span's end {end}: {report}");
    assert_same_as_clean(&site, &end, &format!("at {end}"));
}

/// Files the templates read with `load_data` outside the folders a build
/// reads anyway are inputs too; a template that reads the clock is
/// rendered at every build; an output folder replaced since is built
/// again.
#[test]
fn what_the_templates_read_and_the_output_folder_are_checked() {
    let index = "{% extends \"base.html\" %}{% block content %}\
        {% set chiffres = load_data(path=\"extra/chiffres.toml\") %}\
        <p class=\"chiffre\">{{ chiffres.lieux }} lieux</p>{% endblock content %}";
    let site = fixture_with(
        "blog",
        &[
            ("templates/index.html", index),
            ("extra/chiffres.toml", "lieux = 12\n"),
        ],
    );
    let site = site.path();
    build(site, NOW);
    assert!(untouched(&build(site, NOW)));
    std::fs::write(site.join("extra/chiffres.toml"), "lieux = 13\n").unwrap();
    let report = build(site, NOW);
    assert!(!untouched(&report), "{report}");
    let home = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    assert!(home.contains("13 lieux"), "{home}");
    assert!(untouched(&build(site, NOW)));

    std::fs::remove_dir_all(site.join("public")).unwrap();
    let report = build(site, NOW);
    assert!(!untouched(&report), "{report}");
    assert!(site.join("public/index.html").is_file());

    let index = index.replace("lieux</p>", "lieux, {{ now() }}</p>");
    std::fs::write(site.join("templates/index.html"), index).unwrap();
    build(site, NOW);
    let report = build(site, NOW);
    assert!(!untouched(&report), "a page read the clock: {report}");
}

#[test]
fn a_damaged_or_foreign_cache_is_ignored_with_a_note() {
    let site = demo_copy();
    build(&site, NOW);
    let cache = site.join(".maillage/build-cache.json");
    assert!(cache.is_file());
    std::fs::write(&cache, "{ not json").unwrap();
    touch_a_page(&site);
    let report = build(&site, NOW);
    assert!(report.contains("is damaged"), "{report}");
    assert_eq!(rendered(&report), None, "everything rendered: {report}");
    let text = std::fs::read_to_string(&cache).unwrap();
    let foreign = text.replacen("\"key\":\"maillage ", "\"key\":\"maillage 0.0.0 ", 1);
    assert_ne!(foreign, text);
    std::fs::write(&cache, foreign).unwrap();
    touch_a_page(&site);
    let report = build(&site, NOW);
    assert!(report.contains("another version"), "{report}");
    assert_eq!(rendered(&report), None, "everything rendered: {report}");
    // Another version's cache, in a shape this one does not read.
    let older = r#"{"key":"maillage 0.0.0","traces":{"calls":[],"jobs":{"page:a":{"uses":[],"calls":[1,2],"volatile":false,"outputs":[]}}},"output":{}}"#;
    std::fs::write(&cache, older).unwrap();
    touch_a_page(&site);
    let report = build(&site, NOW);
    assert!(report.contains("another version"), "{report}");
    assert_eq!(rendered(&report), None, "everything rendered: {report}");
}

/// The same site reached by another path (relative to the working folder
/// rather than absolute) keeps its cache: nothing is built again.
#[test]
fn a_root_given_by_another_path_keeps_the_cache() {
    let site = demo_copy();
    build(&site, NOW);
    let report = build_with(
        maillage()
            .current_dir(site.parent().unwrap())
            .arg("--root")
            .arg(site.file_name().unwrap()),
        NOW,
    );
    assert!(untouched(&report), "{report}");
}

/// The folder the next build writes into may be gone since the cache
/// described it: its files are written again, none taken as already there.
#[test]
fn a_spare_folder_deleted_since_the_last_build_is_written_in_full() {
    let site = demo_built_twice();
    let spare = site.join(".public.spare");
    assert!(
        spare.is_dir(),
        "the output before last is kept as the spare"
    );
    std::fs::remove_dir_all(&spare).unwrap();
    touch_a_page(&site);
    build(&site, NOW);
    assert_same_as_clean(&site, NOW, "a spare folder deleted");
}

/// Archives the site's output folders and cache with `tar` in `format`,
/// deletes them, and unpacks them where they were, as a CI job's cache
/// does between runs: every file gets a new change time.
fn archive_and_unpack(site: &Path, format: &str) {
    let archive = tempfile::tempdir().unwrap();
    let tar = |args: &[&std::ffi::OsStr]| {
        let status = std::process::Command::new("tar")
            .arg("-C")
            .arg(site)
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "tar {args:?}");
    };
    let file = archive.path().join("cache.tar");
    let kept = [".maillage", "public", ".public.spare"];
    let format = format!("--format={format}");
    let mut create: Vec<&std::ffi::OsStr> = vec![format.as_ref(), "-cf".as_ref(), file.as_ref()];
    create.extend(kept.iter().map(std::ffi::OsStr::new));
    tar(&create);
    for name in kept {
        std::fs::remove_dir_all(site.join(name)).unwrap();
    }
    tar(&["-xf".as_ref(), file.as_ref()]);
}

/// A CI job restores the cache with the output folders from an archive
/// that keeps modification times to the nanosecond (`tar --posix`, as
/// GitHub's cache action makes them): the next build still writes only
/// the files that changed. From an archive that keeps whole seconds, or
/// with a file of the reused folder edited after unpacking, the folder
/// cannot be told from one edited since: every file is written again.
/// Each build gives what a clean build gives.
#[test]
fn a_cache_unpacked_from_an_archive_is_trusted_only_whole() {
    let site = demo_built_twice();
    let total = files(&site.join("public")).len();

    archive_and_unpack(&site, "posix");
    touch_a_page(&site);
    let since = std::time::SystemTime::now();
    build(&site, NOW);
    let written = written_since(&site.join("public"), since);
    assert!(
        written.len() < total / 10,
        "{} of {total} files written again after a pax archive: {written:?}",
        written.len()
    );
    assert_same_as_clean(&site, NOW, "unpacked from a pax archive");

    archive_and_unpack(&site, "posix");
    let page = site.join(".public.spare/faq/index.html");
    let mut text = std::fs::read_to_string(&page).unwrap();
    text.push_str("<!-- edited after unpacking -->\n");
    std::fs::write(&page, text).unwrap();
    touch_a_page(&site);
    let since = std::time::SystemTime::now();
    build(&site, NOW);
    assert!(
        written_since(&site.join("public"), since).len() >= total - 5,
        "an edited folder is written again whole"
    );
    assert_same_as_clean(&site, NOW, "unpacked, then a file edited");

    archive_and_unpack(&site, "gnu");
    touch_a_page(&site);
    let since = std::time::SystemTime::now();
    build(&site, NOW);
    assert!(
        written_since(&site.join("public"), since).len() >= total - 5,
        "times kept to the second do not tell an edit apart"
    );
    assert_same_as_clean(&site, NOW, "unpacked from a gnu archive");
}

/// Two builds of the same site started together, after each of a few
/// edits: both succeed (the second waits for the first, and says so), and
/// the output is what a clean build gives. Unguarded, one of them found
/// the spare folder it was writing into emptied by the other and failed.
#[test]
fn two_builds_at_once_take_turns() {
    let site = demo_built_twice();
    let mut waited = false;
    for round in 0..4 {
        touch_a_page(&site);
        let start = || {
            maillage()
                .arg("--root")
                .arg(&*site)
                .arg("build")
                .env("MAILLAGE_NOW", NOW)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (first, second) = (start(), start());
        for child in [first, second] {
            let out = child.wait_with_output().unwrap();
            let report = String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "round {round}: {report}");
            waited |= report.contains("another build of this site is under way");
        }
        assert_same_as_clean(&site, NOW, &format!("two builds at once, round {round}"));
    }
    assert!(waited, "one build waited for the other at least once");
}

/// Someone else changes the output after a build: a deployment step
/// appends to a page in place, another writes a file of its own. Two
/// builds later that folder is the spare the build writes into: the page
/// is written again, the stray file removed, and the output is what a
/// clean build gives.
#[test]
fn an_output_changed_by_someone_else_is_not_trusted_when_reused() {
    let site = demo_built_twice();
    let page = site.join("public/faq/index.html");
    let mut text = std::fs::read_to_string(&page).unwrap();
    text.push_str("<!-- added after the build -->\n");
    std::fs::write(&page, text).unwrap();
    std::fs::write(site.join("public/added.txt"), "not from the build").unwrap();
    // This build writes into the other folder; the next one into this one.
    touch_a_page(&site);
    build(&site, NOW);
    touch_a_page(&site);
    let report = build(&site, NOW);
    assert!(
        kept(&report) > 0,
        "the reused folder is still used: {report}"
    );
    assert_same_as_clean(&site, NOW, "an output changed by someone else");
}

/// Files an extension makes from inputs it fingerprints: the next build
/// keeps them without making them again, and a change of one input makes
/// again only the files of its range, with the new bytes in the output.
#[test]
fn files_made_from_fingerprinted_inputs_are_kept_without_being_made() {
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::sync::Arc;

    use maillage::error::Source;
    use maillage::site::{Contribution, ExtraFile, FileBuilder, FileBytes, SiteExtension};

    const FILES: usize = 200;

    /// File `i` says its input; `made` counts the files made.
    struct Numbered {
        inputs: Vec<AtomicU64>,
        made: AtomicUsize,
    }
    impl FileBuilder for Numbered {
        fn bytes(&self, i: usize) -> Vec<u8> {
            self.made.fetch_add(1, Ordering::Relaxed);
            format!(
                "file {i}, input {}\n",
                self.inputs[i].load(Ordering::Relaxed)
            )
            .into_bytes()
        }
        fn fingerprint(&self, i: usize) -> Option<u64> {
            Some(self.inputs[i].load(Ordering::Relaxed))
        }
    }
    struct Extension(Arc<Numbered>);
    impl SiteExtension for Extension {
        fn name(&self) -> &str {
            "numbered"
        }
        fn contribute(
            &self,
            _root: &Path,
            _config: &Arc<maillage::config::Config>,
        ) -> maillage::error::Result<Contribution> {
            let builder: Arc<dyn FileBuilder> = self.0.clone();
            let files = (0..FILES)
                .map(|index| ExtraFile {
                    path: format!("fichiers/{index:03}.txt"),
                    bytes: FileBytes::Deferred {
                        builder: builder.clone(),
                        index,
                    },
                    in_sitemap: false,
                    source: Source::part(format!("file {index}")),
                })
                .collect();
            Ok(Contribution {
                files,
                ..Contribution::default()
            })
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("config.toml"),
        "base_url = \"https://example.org\"\ntitle = \"Fichiers\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(root.join("templates/index.html"), "accueil").unwrap();
    let numbered = Arc::new(Numbered {
        inputs: (0..FILES as u64).map(AtomicU64::new).collect(),
        made: AtomicUsize::new(0),
    });
    let options = maillage::BuildOptions {
        root: root.to_path_buf(),
        extensions: vec![Arc::new(Extension(numbered.clone()))],
        ..Default::default()
    };
    let build = || {
        numbered.made.store(0, Ordering::Relaxed);
        maillage::build::build(&options).unwrap();
        numbered.made.load(Ordering::Relaxed)
    };
    let file = |i: usize| std::fs::read_to_string(root.join(format!("public/fichiers/{i:03}.txt")));
    assert_eq!(build(), FILES, "a first build makes every file");
    assert_eq!(build(), 0, "nothing changed: nothing made");
    assert_eq!(file(7).unwrap(), "file 7, input 7\n");
    numbered.inputs[7].store(1007, Ordering::Relaxed);
    let made = build();
    assert!(made > 0 && made <= 32, "{made} files made again");
    assert_eq!(file(7).unwrap(), "file 7, input 1007\n");
    assert_eq!(file(8).unwrap(), "file 8, input 8\n");
    assert_eq!(build(), 0, "nothing changed since");
    assert_eq!(file(7).unwrap(), "file 7, input 1007\n");
}
