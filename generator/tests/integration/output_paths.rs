//! The output folder is the only place a build writes, whatever a source
//! says: a path that leaves it is refused at the line that asks for it,
//! and two sources that want the same file are both named. `check`
//! reports the same problems as `build`.

use crate::common;

use std::path::Path;

use common::{files, fixture, fixture_with, options, read};

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The blog fixture three folders down in a fresh folder, so that paths
/// climbing out of its output have somewhere to land; returns (top, site).
fn nested_blog() -> (tempfile::TempDir, std::path::PathBuf) {
    let top = tempfile::tempdir().unwrap();
    let site = top.path().join("a/b/site");
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blog"),
        &site,
    );
    (top, site)
}

fn build_error(root: &Path) -> String {
    maillage::build(&options(root))
        .expect_err("the build must fail")
        .to_string()
}

fn check_error(root: &Path) -> String {
    maillage::check::check(&options(root), false)
        .expect_err("the check must fail")
        .to_string()
}

#[test]
fn paths_that_leave_the_output_folder_are_refused_and_nothing_is_written() {
    let (top, site) = nested_blog();
    let before = files(top.path());
    write(
        &site,
        "content/docs/evasion.md",
        "+++\ntitle = \"Évasion\"\npath = \"../../escape-path\"\naliases = [\"/a/\", \"../../escape-alias.html\"]\nweight = 9\n+++\n",
    );
    write(
        &site,
        "content/docs/loin.md",
        "---\ntitle: Loin\naliases:\n  - ../../../../../../../../escape-far/\nweight: 9\n---\n",
    );
    let mut expected = before.clone();
    expected.push("a/b/site/content/docs/evasion.md".into());
    expected.push("a/b/site/content/docs/loin.md".into());
    expected.sort();

    for err in [build_error(&site), check_error(&site)] {
        assert!(
            err.contains("content/docs/evasion.md:3: `path`: the page would be written at `../../escape-path/index.html`: it leads outside the output folder"),
            "{err}"
        );
        assert!(
            err.contains("content/docs/evasion.md:4: `aliases`: alias `../../escape-alias.html` would be written at `../../escape-alias.html`: it leads outside the output folder"),
            "{err}"
        );
        assert!(
            err.contains(
                "content/docs/loin.md:4: `aliases`: alias `../../../../../../../../escape-far/`"
            ),
            "{err}"
        );
        assert!(err.contains("note: no page was rendered"), "{err}");
        // Nothing written anywhere: not above the site, not in it.
        assert_eq!(files(top.path()), expected);
        assert!(!top.path().join("a/escape-path").exists());
        assert!(!top.path().join("a/b/escape-path").exists());
    }
}

// The pages put in `content/docs/` have a weight: that section sorts by
// weight, and (as Zola) a page its section cannot sort is not written.
#[test]
fn every_source_of_an_output_path_is_confined() {
    let dir = fixture("blog");
    let config = dir.path().join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    // Without slugs, the names given are the paths written.
    std::fs::write(
        &config,
        text.replace(
            "[markdown]",
            "[slugify]\npaths = \"off\"\ntaxonomies = \"off\"\n\n[markdown]",
        ),
    )
    .unwrap();
    write(
        dir.path(),
        "content/docs/glissant.md",
        "+++\ntitle = \"Glissant\"\nslug = \"../../../glisse\"\nweight = 9\n[taxonomies]\ntags = [\"ok\", \"../../../étiquette\"]\n+++\n",
    );
    write(
        dir.path(),
        "content/pages/_index.md",
        "+++\ntitle = \"Pages\"\npaginate_by = 1\npaginate_path = \"../../../../pager\"\naliases = [\"/../../section/\"]\n+++\n",
    );
    write(
        dir.path(),
        "content/pages/un.md",
        "+++\ntitle = \"Un\"\n+++\n",
    );
    write(
        dir.path(),
        "content/pages/deux.md",
        "+++\ntitle = \"Deux\"\n+++\n",
    );
    let err = build_error(dir.path());
    for expected in [
        "content/docs/glissant.md:3: `slug`: the page would be written at `docs/../../../glisse/index.html`",
        "content/docs/glissant.md:6: `tags`: term `../../../étiquette` of taxonomy `tags` would be written at `tags/../../../étiquette/index.html`",
        "content/pages/_index.md:4: `paginate_path`: pager 2 of the section would be written at `pages/../../../../pager/2/index.html`",
        "content/pages/_index.md:5: `aliases`: alias `/../../section/`",
    ] {
        assert!(err.contains(expected), "{expected}\n{err}");
    }
    assert!(!dir.path().join("public").exists());
}

#[test]
fn paths_that_stay_inside_are_written_where_a_file_system_would_put_them() {
    let dir = fixture("blog");
    // Zola writes these (leading slashes, `.`, `..` that stays inside).
    write(
        dir.path(),
        "content/docs/chemins.md",
        "+++\ntitle = \"Chemins\"\npath = \"/guides/./x/../chemins\"\naliases = [\"ancien/\", \"/vieux.html\", \"docs//autre\"]\nweight = 9\n+++\n",
    );
    maillage::build(&options(dir.path())).unwrap();
    let all = files(&dir.path().join("public"));
    for file in [
        "guides/chemins/index.html",
        "ancien/index.html",
        "vieux.html",
        "docs/autre/index.html",
    ] {
        assert!(all.contains(&file.to_string()), "{file}: {all:?}");
    }
    // The permalink keeps the path as written, as Zola's does; browsers
    // resolve it to the file written.
    let redirect = read(dir.path(), "public/vieux.html");
    assert!(redirect.contains("/guides/./x/../chemins/"), "{redirect}");
}

#[test]
fn an_alias_cannot_replace_the_home_page_or_another_page() {
    let dir = fixture("blog");
    write(
        dir.path(),
        "content/docs/raccourci.md",
        "+++\ntitle = \"Raccourci\"\naliases = [\n  \"/index.html\",\n  \"/blog/\",\n  \"docs/a\",\n]\nweight = 9\n+++\n",
    );
    write(
        dir.path(),
        "content/docs/double.md",
        "+++\ntitle = \"Double\"\naliases = [\"/ancien/\"]\nweight = 9\n+++\n",
    );
    write(
        dir.path(),
        "content/docs/triple.md",
        "+++\ntitle = \"Triple\"\naliases = [\"ancien\"]\npath = \"docs/double\"\nweight = 9\n+++\n",
    );
    for err in [build_error(dir.path()), check_error(dir.path())] {
        for expected in [
            // page vs alias: the home page, a section, a page.
            "content/docs/raccourci.md:4: `aliases`: alias `/index.html` would write `index.html`, which content/_index.md (the section) also writes",
            "content/docs/raccourci.md:5: `aliases`: alias `/blog/` would write `blog/index.html`, which content/blog/_index.md (the section) also writes",
            "content/docs/raccourci.md:6: `aliases`: alias `docs/a` would write `docs/a/index.html`, which content/docs/a.md (the page) also writes",
            // alias vs alias, written differently.
            "content/docs/triple.md:3: `aliases`: alias `ancien` would write `ancien/index.html`, which content/docs/double.md:3 (alias `/ancien/`) also writes",
            // page vs page.
            "content/docs/triple.md:4: `path`: the page would write `docs/double/index.html`, which content/docs/double.md (the page) also writes",
        ] {
            assert!(err.contains(expected), "{expected}\n{err}");
        }
        assert!(!dir.path().join("public").exists());
    }
}

fn data_options(root: &Path) -> maillage::BuildOptions {
    maillage::BuildOptions {
        root: root.to_path_buf(),
        extensions: maillage::extensions::standard(),
        ..Default::default()
    }
}

#[test]
fn data_pages_collide_with_content() {
    let dir = fixture_with(
        "data-site",
        &[
            (
                "content/page-lieu.md",
                "+++\ntitle = \"Lieu\"\npath = \"lieux/mediatheque-des-capucins-brest\"\n+++\n",
            ),
            (
                "content/plan.md",
                "+++\ntitle = \"Plan\"\naliases = [\"/carte/\"]\n+++\n",
            ),
        ],
    );
    let build = maillage::build(&data_options(dir.path()))
        .expect_err("collisions")
        .to_string();
    let check = maillage::check::check(&data_options(dir.path()), false)
        .expect_err("collisions")
        .to_string();
    for err in [build, check] {
        for expected in [
            // page vs data page
            "data/places.yaml:1: the page of place `mediatheque-des-capucins-brest` would write `lieux/mediatheque-des-capucins-brest/index.html`, which content/page-lieu.md:3 (the page) also writes",
            // alias vs data page
            "content/plan.md:3: `aliases`: alias `/carte/` would write `carte/index.html`, which the map also writes",
        ] {
            assert!(err.contains(expected), "{expected}\n{err}");
        }
    }
    assert!(!dir.path().join("public").exists());
}

/// What the claims say a build writes is what it writes: no file escapes
/// the collision check.
#[test]
fn every_file_written_was_claimed() {
    for (name, extensions) in [
        ("blog", Vec::new()),
        ("multilingue", Vec::new()),
        ("data-site", maillage::extensions::standard()),
    ] {
        let dir = fixture(name);
        let options = maillage::BuildOptions {
            root: dir.path().to_path_buf(),
            extensions,
            ..Default::default()
        };
        let site = maillage::load_site(&options).unwrap();
        let planned = maillage::render::claims::Planned {
            root: &site.root,
            library: &site.library,
            extra_pages: &site.contribution.pages,
            extra_files: &site.contribution.files,
            required_pages: &site.contribution.required_pages,
        };
        let mut claimed: Vec<String> = maillage::render::claims::claims(&planned)
            .into_iter()
            .map(|(path, _)| {
                maillage::output::OutputPath::new(&path)
                    .unwrap()
                    .to_string()
            })
            .collect();
        claimed.sort();
        claimed.dedup();
        maillage::build(&options).unwrap();
        let statics: Vec<String> =
            maillage::output::static_files(dir.path(), site.config.theme.as_deref())
                .into_iter()
                .map(|(rel, _)| rel)
                .collect();
        let written: Vec<String> = files(&dir.path().join("public"))
            .into_iter()
            .filter(|f| !statics.contains(f))
            .collect();
        assert_eq!(claimed, written, "{name}");
    }
}

/// The command on `root` with `args`: (success, standard error).
fn run(root: &Path, args: &[&str]) -> (bool, String) {
    let out = common::maillage()
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// An output folder that would take the sources with it (the root, a
/// folder above it, a folder of sources, one inside them, a link to the
/// root) is refused with a message that names what it holds, `--force`
/// or not, and the sources are all still there, however many builds ask.
#[cfg(unix)]
#[test]
fn an_output_folder_holding_the_sources_is_refused() {
    let (top, site) = nested_blog();
    let before = files(&site);
    std::os::unix::fs::symlink(".", site.join("here")).unwrap();
    let at = |rel: &str| site.join(rel).to_string_lossy().to_string();
    for (output, says) in [
        (at("."), "holds the site's root"),
        (
            top.path().join("a").to_string_lossy().to_string(),
            "holds the site's root",
        ),
        (at("content"), "holds `content`"),
        (at("templates/../static"), "holds `static`"),
        (at("here"), "holds the site's root"),
    ] {
        for force in [false, true] {
            let mut args = vec!["build", "--output-dir", &output];
            if force {
                args.push("--force");
            }
            let (ok, stderr) = run(&site, &args);
            assert!(!ok, "{args:?} built");
            assert!(stderr.contains(says), "{args:?}: {stderr}");
        }
    }
    let config = read(&site, "config.toml");
    write(
        &site,
        "config.toml",
        &format!("output_dir = \"content/blog\"\n{config}"),
    );
    let (ok, stderr) = run(&site, &["build"]);
    assert!(!ok && stderr.contains("lies inside `content`"), "{stderr}");
    write(&site, "config.toml", &config);
    std::fs::remove_file(site.join("here")).unwrap();
    assert_eq!(files(&site), before, "every source is where it was");
}

/// `--output-dir` naming a folder that holds files and is not the site's
/// last output (someone's documents) is refused unless `--force` says to
/// replace it, as Zola refuses it; the site's own output is replaced
/// unasked, build after build, and a failed build does not change that.
#[test]
fn an_output_dir_holding_other_files_needs_force() {
    let (top, site) = nested_blog();
    let documents = top.path().join("documents");
    std::fs::create_dir_all(&documents).unwrap();
    std::fs::write(documents.join("letter.txt"), "Chère Camille").unwrap();
    let output = documents.to_string_lossy().to_string();
    let (ok, stderr) = run(&site, &["build", "--output-dir", &output]);
    assert!(!ok, "built into a folder of documents");
    assert!(stderr.contains("pass --force"), "{stderr}");
    assert_eq!(read(&documents, "letter.txt"), "Chère Camille");

    let dist = top.path().join("dist").to_string_lossy().to_string();
    for round in 0..3 {
        let (ok, stderr) = run(&site, &["build", "--output-dir", &dist]);
        assert!(ok, "round {round}: {stderr}");
    }
    let template = read(&site, "templates/page.html");
    write(&site, "templates/page.html", "{{ undefined_function() }}");
    let (ok, _) = run(&site, &["build", "--output-dir", &dist]);
    assert!(!ok, "a broken template fails the build");
    write(&site, "templates/page.html", &template);
    let (ok, stderr) = run(&site, &["build", "--output-dir", &dist]);
    assert!(ok, "after a failed build: {stderr}");

    let (ok, stderr) = run(&site, &["build", "--output-dir", &output, "--force"]);
    assert!(ok, "{stderr}");
    assert!(documents.join("index.html").is_file());
}

/// A `public` that is a link to a folder elsewhere (a web server's) is
/// built into that folder, build after build: the link stays, and the
/// folder holds the latest output.
#[cfg(unix)]
#[test]
fn an_output_folder_that_is_a_link_is_built_where_it_leads() {
    let (top, site) = nested_blog();
    let served = top.path().join("www/site");
    std::fs::create_dir_all(&served).unwrap();
    std::os::unix::fs::symlink(&served, site.join("public")).unwrap();
    for round in 0..3 {
        let mut text = read(&site, "content/_index.md");
        text.push_str(&format!("\nÉdition {round}.\n"));
        write(&site, "content/_index.md", &text);
        let (ok, stderr) = run(&site, &["build"]);
        assert!(ok, "round {round}: {stderr}");
        assert!(
            site.join("public").symlink_metadata().unwrap().is_symlink(),
            "round {round}: the link stays"
        );
        let home = read(&served, "index.html");
        assert!(home.contains(&format!("Édition {round}.")), "round {round}");
    }
}
