//! Live reload as people run `maillage serve`: from inside the site folder
//! with the default root or `--root .`, through a symlinked root, and with
//! editors that save by renaming files (vim, VS Code). Each test runs the
//! real command, edits a file on disk and waits for the served page to
//! change.

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::process::{command, Served};

const PAGE: &str = "/blog/third/";
const FILE: &str = "content/blog/third.md";
const TITLE: &str = "Troisième billet";
const NEW_TITLE: &str = "Troisième billet revu";
/// How long an edit may take to show on a busy test machine.
const LIMIT: Duration = Duration::from_secs(20);

/// `maillage [args]` run in `cwd`, serving on a free port.
fn serve_in(cwd: &Path, args: &[&str]) -> Served {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["serve", "--port", "0"]);
    Served::start(command(cwd, &all, &[]))
}

/// The page's source with its title changed.
fn edited(site: &Path) -> String {
    common::read(site, FILE).replace(TITLE, NEW_TITLE)
}

/// Edits the page in place and waits for the served page to change.
fn edit_shows(site: &Path, served: &Served) {
    assert!(served.get(PAGE).1.contains(TITLE));
    std::fs::write(site.join(FILE), edited(site)).unwrap();
    served.wait_for_page(PAGE, NEW_TITLE, LIMIT);
}

#[test]
fn an_edit_shows_with_the_default_root_from_inside_the_site() {
    let site = common::fixture("blog");
    let served = serve_in(site.path(), &[]);
    edit_shows(site.path(), &served);
}

#[test]
fn an_edit_shows_with_root_dot() {
    let site = common::fixture("blog");
    let served = serve_in(site.path(), &["--root", "."]);
    edit_shows(site.path(), &served);
}

#[test]
fn an_edit_shows_through_a_symlinked_root() {
    let site = common::fixture("blog");
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(site.path(), elsewhere.path().join("carnet")).unwrap();

    // Named by a relative path through the link...
    let served = serve_in(elsewhere.path(), &["--root", "carnet"]);
    edit_shows(site.path(), &served);
    drop(served);

    // ...and run from inside the link with the default root.
    let served = serve_in(&elsewhere.path().join("carnet"), &[]);
    let source = common::read(site.path(), FILE).replace(NEW_TITLE, "Billet numéro trois");
    std::fs::write(site.path().join(FILE), source).unwrap();
    served.wait_for_page(PAGE, "Billet numéro trois", LIMIT);

    // ...and by its absolute path.
    drop(served);
    let link = elsewhere.path().join("carnet");
    let served = serve_in(elsewhere.path(), &["--root", link.to_str().unwrap()]);
    let source = common::read(site.path(), FILE).replace("Billet numéro trois", TITLE);
    std::fs::write(site.path().join(FILE), source).unwrap();
    served.wait_for_page(PAGE, TITLE, LIMIT);
}

/// Waits until the server says it re-rendered the page alone (with its
/// lists), not the whole site.
fn rerendered_alone(served: &mut Served) {
    let line = served.wait_for_line(
        |l| l.starts_with("Re-rendered ") || l.starts_with("Rebuilt the site"),
        LIMIT,
    );
    assert!(
        line.starts_with(&format!("Re-rendered {FILE} ")),
        "a save is an edit of the page: {line}\n{}",
        served.output()
    );
}

#[test]
fn a_save_by_vim_renaming_the_file_shows() {
    let site = common::fixture("blog");
    let mut served = serve_in(site.path(), &[]);
    let file = site.path().join(FILE);
    let text = edited(site.path());

    // vim's backup-rename-write: it checks that it may create files in the
    // folder, renames the file to its backup, writes a new file under the
    // name, then deletes the backup.
    let probe = file.with_file_name("4913");
    std::fs::write(&probe, "").unwrap();
    std::fs::remove_file(&probe).unwrap();
    let backup = file.with_file_name("third.md~");
    std::fs::rename(&file, &backup).unwrap();
    std::fs::write(&file, text).unwrap();
    std::fs::remove_file(&backup).unwrap();

    served.wait_for_page(PAGE, NEW_TITLE, LIMIT);
    rerendered_alone(&mut served);
}

#[test]
fn a_save_by_vs_code_writing_a_temporary_file_shows() {
    let site = common::fixture("blog");
    let mut served = serve_in(site.path(), &[]);
    let file = site.path().join(FILE);

    // VS Code's atomic write: a temporary file beside it, renamed over it.
    let temporary = file.with_file_name("third.md.vsctmp");
    std::fs::write(&temporary, edited(site.path())).unwrap();
    std::fs::rename(&temporary, &file).unwrap();

    served.wait_for_page(PAGE, NEW_TITLE, LIMIT);
    rerendered_alone(&mut served);
}

/// A file written in two parts, with a pause longer than an editor's save
/// between them, is read once closed: the half written page (its front
/// matter not closed) is never applied.
#[test]
fn a_file_written_slowly_is_read_once_closed() {
    use std::io::Write;
    let site = common::fixture("blog");
    let mut served = serve_in(site.path(), &[]);
    let text = edited(site.path());
    let cut = text.find(NEW_TITLE).unwrap() + NEW_TITLE.len();
    let mut file = std::fs::File::create(site.path().join(FILE)).unwrap();
    file.write_all(&text.as_bytes()[..cut]).unwrap();
    file.flush().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let (status, page) = served.get(PAGE);
    assert_eq!(status, 200, "the half written file was read:\n{page}");
    assert!(!page.contains(NEW_TITLE), "{page}");
    file.write_all(&text.as_bytes()[cut..]).unwrap();
    drop(file);
    served.wait_for_page(PAGE, NEW_TITLE, LIMIT);
    rerendered_alone(&mut served);
}

#[test]
fn a_data_edit_shows_with_the_default_root() {
    let site = common::fixture("data-site");
    let served = Served::start(command(
        site.path(),
        &["serve", "--port", "0"],
        &[("MAILLAGE_NOW", "2026-11-22T12:00")],
    ));
    let page = "/lieux/mediatheque-des-capucins-brest/";
    let places = site.path().join("data/places.yaml");
    let text = std::fs::read_to_string(&places).unwrap();
    assert!(served.get(page).1.contains("Médiathèque des Capucins"));
    std::fs::write(
        &places,
        text.replace(
            "Médiathèque des Capucins",
            "Médiathèque François-Mitterrand",
        ),
    )
    .unwrap();
    served.wait_for_page(page, "Médiathèque François-Mitterrand", LIMIT);
}

/// A meetup edited in `data/` while served: the store holds its new
/// definition (here its capacity) by the time its page shows the edit.
#[test]
fn a_data_edit_is_synced_into_the_store_before_its_page_shows() {
    let site = common::fixture("data-site");
    let served = Served::start(command(
        site.path(),
        &["serve", "--port", "0"],
        &[("MAILLAGE_NOW", "2026-11-22T12:00")],
    ));
    let page = "/rencontres/carto-rennes-2026-12/";
    assert!(served.get(page).1.contains("saison 2"));
    let file = "data/meetups/communaute.yaml";
    let text = common::read(site.path(), file);
    let edited =
        text.replacen("saison 2", "saison deux", 1)
            .replacen("capacity: 20", "capacity: 120", 1);
    std::fs::write(site.path().join(file), edited).unwrap();
    served.wait_for_page(page, "saison deux", LIMIT);
    let store =
        maillage_store::sqlite::SqliteStore::open(&site.path().join(".maillage/store.sqlite"))
            .unwrap();
    let stored = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(maillage_store::Store::meetup(
            &store,
            "carto-rennes-2026-12",
        ))
        .unwrap()
        .expect("the meetup is in the store");
    assert_eq!(stored.capacity, 120, "{}", served.output());
    assert!(stored.title.contains("saison deux"));
}
