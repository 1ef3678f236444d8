//! `serve` over real HTTP on loopback: pages from memory, live reload,
//! an edited page re-rendered, the API mount point.

use crate::common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::{fixture, options};

fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    request(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    )
}

fn request(addr: SocketAddr, raw: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

/// The response's head (as text) and the length of its body, in bytes.
fn head_and_body_length(addr: SocketAddr, raw: &str) -> (String, usize) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    (
        String::from_utf8_lossy(&bytes[..end]).to_lowercase(),
        bytes.len() - end - 4,
    )
}

#[test]
fn pages_are_compressed_for_clients_that_ask() {
    let dir = fixture("blog");
    let handle = maillage::serve::start(options(dir.path()), 0, None).unwrap();
    let ask = |encoding: &str| {
        head_and_body_length(
            handle.addr,
            &format!("GET / HTTP/1.1\r\nHost: localhost\r\n{encoding}Connection: close\r\n\r\n"),
        )
    };
    let (plain_head, plain) = ask("");
    assert!(plain_head.starts_with("http/1.1 200"), "{plain_head}");
    assert!(!plain_head.contains("content-encoding"), "{plain_head}");
    let (gzip_head, gzipped) = ask("Accept-Encoding: gzip\r\n");
    assert!(gzip_head.starts_with("http/1.1 200"), "{gzip_head}");
    assert!(gzip_head.contains("content-encoding: gzip"), "{gzip_head}");
    assert!(gzipped < plain, "{gzipped} bytes gzipped, {plain} plain");
}

#[test]
fn serves_pages_and_rerenders_an_edited_page() {
    let dir = fixture("blog");
    let handle = maillage::serve::start(options(dir.path()), 0, None).unwrap();
    let addr = handle.addr;

    let (status, home) = get(addr, "/");
    assert_eq!(status, 200);
    assert!(home.contains("Accueil du carnet"));
    assert!(
        home.contains("/__maillage/livereload"),
        "live reload script injected"
    );
    assert!(
        home.contains(&format!("http://{addr}/")),
        "links point at the local server"
    );
    let (status, css) = get(addr, "/style.css");
    assert_eq!(status, 200);
    assert!(css.contains("margin: 0"));
    assert!(
        css.contains("content-type: text/css; charset=utf-8"),
        "{css}"
    );
    // Paths are percent-decoded before they are looked up.
    let (status, escaped) = get(addr, "/style%2Ecss");
    assert_eq!(status, 200);
    assert!(escaped.contains("margin: 0"));
    let (status, missing) = get(addr, "/nulle-part/");
    assert_eq!(status, 404);
    assert!(missing.contains("404"));
    let (status, _) = get(addr, "/api/inscriptions");
    assert_eq!(status, 404, "no API handler given");

    // Edit a page: it and its listings change, nothing else is rebuilt.
    let post = dir.path().join("content/blog/third.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(
        &post,
        text.replace("Troisième billet", "Troisième billet revu"),
    )
    .unwrap();
    wait_until(10, "the edited page was not re-rendered", || {
        get(addr, "/blog/third/")
            .1
            .contains("Troisième billet revu")
    });
    let (_, listing) = get(addr, "/blog/");
    assert!(
        listing.contains("Troisième billet revu"),
        "the section listing shows the new title"
    );
    let (_, neighbour) = get(addr, "/blog/yaml-post/");
    assert!(
        neighbour.contains("Troisième billet revu"),
        "the neighbour's link shows the new title"
    );

    // A template change reloads the whole site.
    let template = dir.path().join("templates/taxonomy_list.html");
    let t = std::fs::read_to_string(&template).unwrap();
    std::fs::write(&template, t.replace("<h1>", "<h1 class=\"changed\">")).unwrap();
    wait_until(10, "the template change was not applied", || {
        get(addr, "/tags/").1.contains("class=\"changed\"")
    });
}

#[test]
fn mounts_the_api_handler_under_api() {
    let dir = fixture("blog");
    let echo = |req: axum::extract::Request| async move {
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, 1024).await.unwrap();
        let text = format!(
            "{} {} {}",
            parts.method,
            parts.uri.path(),
            String::from_utf8_lossy(&body)
        );
        (http::StatusCode::CREATED, text)
    };
    let handler = axum::Router::new().route("/api/{*rest}", axum::routing::any(echo));
    let handle = maillage::serve::start(options(dir.path()), 0, Some(handler)).unwrap();
    let (status, response) = request(
        handle.addr,
        "POST /api/inscriptions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nConnection: close\r\n\r\nnom=a",
    );
    assert_eq!(status, 201);
    assert!(
        response.ends_with("POST /api/inscriptions nom=a"),
        "{response}"
    );
}

/// The served files with the server's own address made neutral, so that
/// two servers' files compare (calendars' long lines unfolded first: the
/// address may be cut across two lines).
fn served_files(
    handle: &maillage::serve::ServeHandle,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    let addr = handle.addr.to_string();
    handle
        .site
        .files()
        .into_iter()
        .map(|(path, bytes)| {
            let text = String::from_utf8_lossy(&bytes)
                .replace("\r\n ", "")
                .replace(&addr, "ADDR");
            (path, text.into_bytes())
        })
        .collect()
}

/// A copy of the demo served (the clock pinned), with its options.
fn serve_demo_copy() -> (
    common::TempSite,
    maillage::BuildOptions,
    maillage::serve::ServeHandle,
) {
    std::env::set_var("MAILLAGE_NOW", "2026-11-22T12:00");
    let site = common::demo_copy();
    let options = maillage::BuildOptions {
        root: site.to_path_buf(),
        extensions: maillage::extensions::standard(),
        ..Default::default()
    };
    let handle = maillage::serve::start(options.clone(), 0, None).unwrap();
    (site, options, handle)
}

/// After a data edit, a content edit and a template edit, serve renders
/// again only what read the changed sources, and serves the same files as
/// a server started afresh on the same sources.
#[test]
fn serve_re_renders_what_read_a_change_and_serves_what_a_fresh_start_does() {
    let (site, options, handle) = serve_demo_copy();
    let everything = handle.site.last_rendered();
    type Edit = fn(&std::path::Path);
    let edits: [(&str, Edit); 3] = [
        ("data", |site| {
            common::replace_in(
                site,
                "data/meetups/culture-numerique.yaml",
                "Culture numérique, rencontre de la semaine 1 à Rennes",
                "Culture numérique à Rennes, première rencontre",
            )
        }),
        ("content", |site| {
            let path = site.join("content/actualites/rentree-2026.md");
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text + "\nUn paragraphe ajouté.\n").unwrap();
        }),
        ("template", |site| {
            common::replace_in(
                site,
                "themes/maillage/templates/meetup.html",
                "{% block",
                "{# edited #}{% block",
            )
        }),
    ];
    for (what, edit) in edits {
        edit(&site);
        handle.site.rebuild().unwrap();
        let rendered = handle.site.last_rendered();
        assert!(
            rendered > 0 && rendered < everything / 2,
            "{what}: {rendered} of {everything} rendered again"
        );
        serves_what_a_fresh_start_does(&handle, &options, what);
    }
    drop(handle);
}

/// Checks that `handle` serves the same files as a server started afresh
/// with `options`.
fn serves_what_a_fresh_start_does(
    handle: &maillage::serve::ServeHandle,
    options: &maillage::BuildOptions,
    what: &str,
) {
    let fresh = maillage::serve::start(options.clone(), 0, None).unwrap();
    let (mine, theirs) = (served_files(handle), served_files(&fresh));
    let differ: Vec<&String> = theirs
        .iter()
        .filter(|(path, bytes)| mine.get(*path) != Some(*bytes))
        .map(|(path, _)| path)
        .collect();
    assert!(
        differ.is_empty(),
        "{what}: differs from a fresh start: {differ:?}"
    );
    assert_eq!(mine.len(), theirs.len(), "{what}");
}

/// An edited page is re-rendered alone with what reads it: its lists, the
/// search index, and the pages whose templates read it through a function
/// (the kit's print page gathers every chapter with `get_section`); what
/// is served is then what a fresh start serves.
#[test]
fn a_content_edit_re_renders_what_reads_the_page() {
    let (site, options, handle) = serve_demo_copy();
    let everything = handle.site.last_rendered();
    let marker = "Un paragraphe ajouté pendant que le site est servi.";
    // The last edit also moves the page's date, which the sitemap shows.
    for (file, page, date) in [
        ("content/faq.md", "faq/index.html", None),
        (
            "content/kit/accueillir.md",
            "kit/accueillir/index.html",
            None,
        ),
        (
            "content/actualites/rentree-2026.md",
            "actualites/rentree-2026/index.html",
            Some(("date = 2026-09-01", "date = 2026-09-02")),
        ),
    ] {
        let path = site.join(file);
        let mut text = std::fs::read_to_string(&path).unwrap();
        if let Some((from, to)) = date {
            text = text.replacen(from, to, 1);
        }
        std::fs::write(&path, format!("{text}\n{marker}\n")).unwrap();
        wait_until(20, &format!("{file}: the edit did not show"), || {
            handle
                .site
                .file(page)
                .is_some_and(|bytes| String::from_utf8_lossy(&bytes).contains(marker))
        });
        assert_eq!(
            handle.site.last_rendered(),
            everything,
            "{file}: the site was not loaded again"
        );
        serves_what_a_fresh_start_does(&handle, &options, file);
    }
    drop(handle);
}

/// An edit of a page then its undoing, each re-rendering the page alone:
/// the page comes back as it was. The render of the edit must not leave
/// the page's last trace behind it, or the undone page matches that trace
/// and keeps the edit's bytes.
#[test]
fn an_edit_undone_shows_the_page_as_it_was() {
    let (site, options, handle) = serve_demo_copy();
    let everything = handle.site.last_rendered();
    let marker = "Un paragraphe ajouté, puis retiré.";
    let path = site.join("content/faq.md");
    let original = std::fs::read_to_string(&path).unwrap();
    let shows_marker = || {
        handle
            .site
            .file("faq/index.html")
            .is_some_and(|bytes| String::from_utf8_lossy(&bytes).contains(marker))
    };
    std::fs::write(&path, format!("{original}\n{marker}\n")).unwrap();
    wait_until(20, "the edit did not show", shows_marker);
    std::fs::write(&path, &original).unwrap();
    wait_until(20, "the page still shows the undone edit", || {
        !shows_marker()
    });
    assert_eq!(
        handle.site.last_rendered(),
        everything,
        "the site was not loaded again"
    );
    serves_what_a_fresh_start_does(&handle, &options, "undone");
    drop(handle);
}

/// Holds a render: each page of [`Held`] built on one of the
/// render's threads waits until the gate opens (or 20 s have passed, for
/// a server that answers only once its render is over).
#[derive(Default)]
struct Gate {
    open: std::sync::Mutex<bool>,
    opened: std::sync::Condvar,
    timed_out: std::sync::atomic::AtomicBool,
}

impl Gate {
    fn hold(&self) {
        if rayon::current_thread_index().is_none() {
            return;
        }
        self.wait();
    }

    /// Waits until the gate opens, on any thread.
    fn wait(&self) {
        let open = self.open.lock().unwrap();
        let (mut open, waited) = self
            .opened
            .wait_timeout_while(open, Duration::from_secs(20), |open| !*open)
            .unwrap();
        if waited.timed_out() {
            self.timed_out
                .store(true, std::sync::atomic::Ordering::SeqCst);
            *open = true;
            self.opened.notify_all();
        }
    }

    fn release(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }

    /// Holds the next render.
    fn close(&self) {
        *self.open.lock().unwrap() = false;
    }

    /// Whether the render is still held: the gate neither released nor
    /// opened by its time limit.
    fn holding(&self) -> bool {
        !*self.open.lock().unwrap() && !self.timed_out.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Opens the gate when the test ends, passed or failed: other tests share
/// the render's threads.
struct OpenOnDrop(std::sync::Arc<Gate>);

impl Drop for OpenOnDrop {
    fn drop(&mut self) {
        self.0.release();
    }
}

/// Pages `/tenue/N/` whose context is built behind [`Gate`]; notes which
/// pages a render's threads built.
struct Held {
    gate: std::sync::Arc<Gate>,
    built: std::sync::Mutex<std::collections::BTreeSet<usize>>,
}

impl Held {
    fn new(gate: std::sync::Arc<Gate>) -> Held {
        Held {
            gate,
            built: Default::default(),
        }
    }
}

const HELD_PAGES: usize = 64;

impl maillage::site::ContextBuilder for Held {
    fn build(&self, index: usize) -> serde_json::Map<String, serde_json::Value> {
        self.gate.hold();
        if rayon::current_thread_index().is_some() {
            self.built.lock().unwrap().insert(index);
        }
        let mut fields = serde_json::Map::new();
        fields.insert("n".into(), index.into());
        fields
    }
}

/// The [`Held`] pages, the same builder for every load of the site.
struct HeldPages(std::sync::Arc<Held>);

/// The [`Held`] pages, a builder of their own for each load of the site
/// (in the order of the loads), to tell the renders apart.
struct HeldPagesEachLoad {
    gate: std::sync::Arc<Gate>,
    /// Holds each load of the site while closed.
    loading: std::sync::Arc<Gate>,
    loads: std::sync::Mutex<Vec<std::sync::Arc<Held>>>,
}

fn held_pages(builder: std::sync::Arc<Held>) -> maillage::site::Contribution {
    let builder: std::sync::Arc<dyn maillage::site::ContextBuilder> = builder;
    let pages = (0..HELD_PAGES)
        .map(|index| maillage::site::ExtraPage {
            path: format!("/tenue/{index}/"),
            template: "tenue.html".into(),
            context: maillage::site::PageContext::Deferred {
                builder: builder.clone(),
                index,
            },
            lang: None,
            in_sitemap: true,
            updated: None,
            source: maillage::error::Source::part("a held page"),
            search: None,
        })
        .collect();
    maillage::site::Contribution {
        pages,
        ..Default::default()
    }
}

impl maillage::site::SiteExtension for HeldPages {
    fn name(&self) -> &str {
        "held"
    }

    fn contribute(
        &self,
        _root: &std::path::Path,
        _config: &std::sync::Arc<maillage::config::Config>,
    ) -> maillage::error::Result<maillage::site::Contribution> {
        Ok(held_pages(self.0.clone()))
    }
}

impl maillage::site::SiteExtension for HeldPagesEachLoad {
    fn name(&self) -> &str {
        "held"
    }

    fn contribute(
        &self,
        _root: &std::path::Path,
        _config: &std::sync::Arc<maillage::config::Config>,
    ) -> maillage::error::Result<maillage::site::Contribution> {
        let builder = std::sync::Arc::new(Held::new(self.gate.clone()));
        self.loads.lock().unwrap().push(builder.clone());
        self.loading.wait();
        Ok(held_pages(builder))
    }
}

/// The blog with `templates/tenue.html`, for the [`Held`] pages, showing
/// `paragraph`.
fn blog_with_tenue(paragraph: &str) -> tempfile::TempDir {
    let page = format!("<!DOCTYPE html><html><body><p>{paragraph}</p></body></html>");
    common::fixture_with("blog", &[("templates/tenue.html", &page)])
}

/// The body of an HTTP answer read whole (`Connection: close`).
fn body(response: &str) -> &str {
    response.split_once("\r\n\r\n").map_or("", |(_, body)| body)
}

/// `html` without the live-reload script that serve adds before `</body>`.
fn without_reload_script(html: &str) -> String {
    let start = html
        .find("<script>(function(){var s=new EventSource(")
        .expect("the live-reload script");
    let end = start + html[start..].find("</script>").unwrap() + "</script>".len();
    format!("{}{}", &html[..start], &html[end..])
}

/// While the first render is held (none of its `/tenue/N/` pages can be
/// finished), serve already answers: a held page rendered alone at once,
/// the home page, a redirect, a 404; each page is then byte for byte the
/// file a clean `maillage build` writes (with the live-reload script), and
/// an edit made during the render shows once it is over.
#[test]
fn pages_are_served_while_the_site_renders() {
    let dir = blog_with_tenue("Page tenue {{ n }} sur {{ current_url | safe }}");
    let gate = std::sync::Arc::new(Gate::default());
    let _open = OpenOnDrop(gate.clone());
    let mut options = options(dir.path());
    options.extensions = vec![std::sync::Arc::new(HeldPages(std::sync::Arc::new(
        Held::new(gate.clone()),
    )))];
    let handle = maillage::serve::start(options.clone(), 0, None).unwrap();
    let addr = handle.addr;

    let (status, held) = get(addr, "/tenue/7/");
    assert_eq!(status, 200, "{held}");
    assert!(body(&held).contains("Page tenue 7 sur http://"), "{held}");
    let (status, home) = get(addr, "/");
    assert_eq!(status, 200, "{home}");
    assert!(home.contains("Accueil du carnet"));
    let (status, moved) = get(addr, "/tenue/7");
    assert_eq!(status, 301, "{moved}");
    assert!(moved.contains("location: /tenue/7/"), "{moved}");
    let (status, missing) = get(addr, "/nulle-part/");
    assert_eq!(status, 404, "{missing}");
    assert!(
        gate.holding(),
        "the pages were served only once the site was rendered"
    );

    // Edited while the render is held: applied once it is over.
    common::replace_in(
        dir.path(),
        "content/blog/third.md",
        "Troisième billet",
        "Troisième billet revu",
    );
    gate.release();
    let files = handle.site.first_render().unwrap();
    assert!(files > HELD_PAGES, "{files} files");

    // What was served early is what the whole render gives, and what a
    // clean build writes, the live-reload script aside.
    let output = tempfile::tempdir().unwrap();
    maillage::build::build(&maillage::BuildOptions {
        output: Some(output.path().to_path_buf()),
        base_url: Some(format!("http://{addr}")),
        ..options
    })
    .unwrap();
    for (response, file) in [
        (&held, "tenue/7/index.html"),
        (&home, "index.html"),
        (&missing, "404.html"),
    ] {
        let early = body(response);
        assert!(early.contains("/__maillage/livereload"), "{file}");
        let served = handle.site.file(file).unwrap();
        assert_eq!(early.as_bytes(), served, "{file}: not what the render gave");
        let built = std::fs::read_to_string(output.path().join(file)).unwrap();
        assert_eq!(without_reload_script(early), built, "{file}");
    }
    wait_until(20, "the edit made during the render was lost", || {
        get(addr, "/blog/third/")
            .1
            .contains("Troisième billet revu")
    });
}

/// A template edit reloads the site and renders again every page that
/// uses the template; the page asked for meanwhile shows the edit at once
/// (rendered alone from the new site), before that render is over, and is
/// what the render then gives.
#[test]
fn a_template_edit_shows_before_the_site_is_rendered_again() {
    let dir = blog_with_tenue("Page tenue {{ n }}");
    let gate = std::sync::Arc::new(Gate::default());
    let _open = OpenOnDrop(gate.clone());
    gate.release();
    let mut options = options(dir.path());
    options.extensions = vec![std::sync::Arc::new(HeldPages(std::sync::Arc::new(
        Held::new(gate.clone()),
    )))];
    let handle = maillage::serve::start(options, 0, None).unwrap();
    handle.site.first_render().unwrap();
    let addr = handle.addr;
    assert!(body(&get(addr, "/tenue/7/").1).contains("Page tenue 7</p>"));

    gate.close();
    common::replace_in(
        dir.path(),
        "templates/tenue.html",
        "Page tenue {{ n }}",
        "Page tenue {{ n }}, revue",
    );
    let early = eventually(
        10,
        "the edit did not show while the site rendered again: ",
        || {
            let (status, page) = get(addr, "/tenue/7/");
            if status == 200 && page.contains("Page tenue 7, revue") {
                Ok(page)
            } else {
                Err(page)
            }
        },
    );
    assert!(
        gate.holding(),
        "the edit showed only once the site was rendered again"
    );
    gate.release();
    let rendered = eventually(20, "the render never ended", || {
        handle
            .site
            .file("tenue/7/index.html")
            .ok_or_else(String::new)
    });
    assert_eq!(body(&early).as_bytes(), rendered);
}

/// What `check` gives once it gives something, asked for every 20 ms for
/// `seconds` at most; the test fails with `what` (told the last check's
/// value, if any) otherwise.
fn eventually<T>(seconds: u64, what: &str, mut check: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let last = match check() {
            Ok(value) => return value,
            Err(last) => last,
        };
        assert!(Instant::now() < deadline, "{what}{last}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `page` once it holds `text`, asked for until then (10 s at most).
fn page_showing(addr: SocketAddr, page: &str, text: &str) -> String {
    eventually(10, &format!("{page} never showed {text:?}: "), || {
        let (status, body) = get(addr, page);
        if status == 200 && body.contains(text) {
            Ok(body)
        } else {
            Err(body)
        }
    })
}

/// Waits for `condition`, for `seconds` at most; fails with `what`.
fn wait_until(seconds: u64, what: &str, mut condition: impl FnMut() -> bool) {
    eventually(seconds, what, || {
        if condition() {
            Ok(())
        } else {
            Err(String::new())
        }
    })
}

/// The blog with [`HeldPagesEachLoad`] pages, served once its first render
/// (not held) is over; the gates open again when it is dropped.
struct HeldServer {
    dir: tempfile::TempDir,
    gate: std::sync::Arc<Gate>,
    held: std::sync::Arc<HeldPagesEachLoad>,
    options: maillage::BuildOptions,
    handle: maillage::serve::ServeHandle,
    _open: [OpenOnDrop; 2],
}

impl HeldServer {
    fn start() -> HeldServer {
        let dir = blog_with_tenue("Page tenue {{ n }}");
        let gate = std::sync::Arc::new(Gate::default());
        gate.release();
        let held = std::sync::Arc::new(HeldPagesEachLoad {
            gate: gate.clone(),
            loading: Default::default(),
            loads: Default::default(),
        });
        held.loading.release();
        let _open = [OpenOnDrop(gate.clone()), OpenOnDrop(held.loading.clone())];
        let mut options = options(dir.path());
        options.extensions = vec![held.clone()];
        let handle = maillage::serve::start(options.clone(), 0, None).unwrap();
        handle.site.first_render().unwrap();
        HeldServer {
            dir,
            gate,
            held,
            options,
            handle,
            _open,
        }
    }

    /// Edits `templates/tenue.html` with the render of that edit held, and
    /// waits for the edit to show.
    fn first_edit_held(&self) {
        self.gate.close();
        common::replace_in(
            self.dir.path(),
            "templates/tenue.html",
            "Page tenue {{ n }}",
            "Page tenue {{ n }}, revue",
        );
        page_showing(self.handle.addr, "/tenue/7/", "Page tenue 7, revue</p>");
        assert_eq!(
            self.held.loads.lock().unwrap().len(),
            2,
            "one load per edit"
        );
    }

    /// Waits until the server has seen a newer change that reloads the
    /// site, while the first edit's render is held.
    /// Waits for the newer change to be seen: waiting to be applied, or,
    /// when the render it stops had a thread the gate did not hold and so
    /// stopped at once, applied already (`/tenue/7/` then shows `shown`).
    fn newer_change_seen(&self, shown: &str) {
        wait_until(10, "the newer change was not seen", || {
            self.handle.site.reload_waiting()
                || get(self.handle.addr, "/tenue/7/").1.contains(shown)
        });
        assert!(self.gate.holding(), "the first edit's render was not held");
    }

    /// The held pages that the first edit's render built, once it is over.
    fn first_edit_reached(&self) -> std::collections::BTreeSet<usize> {
        let first_edit = self.held.loads.lock().unwrap()[1].clone();
        let reached = first_edit.built.lock().unwrap().clone();
        assert!(
            reached.len() < HELD_PAGES,
            "the first edit's render ran to its end: {} held pages built",
            reached.len()
        );
        reached
    }
}

/// A template edit made while the render of the edit before it is under
/// way (held) stops that render at its next job and is applied at once:
/// it shows on a page that render had not reached, that render never
/// runs to its end, and the site is then, byte for byte, what a fresh
/// start serves.
#[test]
fn a_newer_template_edit_stops_the_render_of_the_one_before() {
    let served = HeldServer::start();
    let dir = &served.dir;
    let (held, addr) = (&served.held, served.handle.addr);
    served.first_edit_held();

    // The second, seen while that render is held; then the render goes on.
    common::replace_in(
        dir.path(),
        "templates/tenue.html",
        "revue",
        "revue deux fois",
    );
    served.newer_change_seen("revue deux fois");
    held.loading.close();
    served.gate.release();

    // The second edit's load has begun (and is held): the first edit's
    // render is over, having built the pages under way only.
    wait_until(20, "the second edit was not loaded", || {
        held.loads.lock().unwrap().len() >= 3
    });
    let reached = served.first_edit_reached();
    // Meanwhile, a page it did not reach is rendered alone from its site.
    let unreached = (0..HELD_PAGES).find(|n| !reached.contains(n)).unwrap();
    let page = format!("/tenue/{unreached}/");
    let (status, meanwhile) = get(addr, &page);
    assert_eq!(status, 200, "{meanwhile}");
    assert!(
        meanwhile.contains(&format!("Page tenue {unreached}, revue</p>")),
        "{meanwhile}"
    );
    held.loading.release();
    page_showing(
        addr,
        &page,
        &format!("Page tenue {unreached}, revue deux fois</p>"),
    );
    serves_what_a_fresh_start_does(&served.handle, &served.options, "two template edits");
    assert_eq!(
        held.loads.lock().unwrap()[2].built.lock().unwrap().len(),
        HELD_PAGES,
        "the second edit's render built every held page"
    );
}

/// A newer edit that breaks a template stops the held render of the edit
/// before it, and its error is shown; the files that render left (those
/// it rendered, and the others as they were) are taken by the load that
/// follows the fix, and the site is then what a fresh start serves.
#[test]
fn a_render_stopped_by_a_broken_template_leaves_nothing_behind() {
    let served = HeldServer::start();
    let dir = &served.dir;
    let addr = served.handle.addr;
    served.first_edit_held();

    common::replace_in(dir.path(), "templates/tenue.html", "{{ n }}", "{{ n ");
    served.newer_change_seen("La construction a échoué");
    served.gate.release();
    let broken = eventually(20, "the error was not shown: ", || {
        let (_, page) = get(addr, "/tenue/7/");
        if page.contains("La construction a échoué") {
            Ok(page)
        } else {
            Err(page)
        }
    });
    assert!(broken.contains("tenue.html"), "{broken}");
    served.first_edit_reached();

    common::replace_in(
        dir.path(),
        "templates/tenue.html",
        "{{ n ",
        "{{ n }}, réparée",
    );
    page_showing(addr, "/tenue/7/", "Page tenue 7, réparée, revue</p>");
    let files = served.handle.site.files().len();
    assert_eq!(
        served.handle.site.last_rendered(),
        HELD_PAGES,
        "rendered again by the fix, of {files} files: the held pages alone"
    );
    serves_what_a_fresh_start_does(&served.handle, &served.options, "a template fixed");
}

/// A page whose template fails: serve answers with the error once the
/// render meets it, the first render ends with it, and the command stops
/// with it, as when the site does not load.
#[test]
fn a_page_that_fails_to_render_shows_its_error() {
    let dir = common::fixture_with(
        "blog",
        &[
            (
                "templates/en-panne.html",
                "{{ throw(message=\"gabarit en panne\") }}",
            ),
            (
                "content/blog/panne.md",
                "+++\ntitle = \"Panne\"\ndate = 2026-01-02\ntemplate = \"en-panne.html\"\n+++\nTexte.\n",
            ),
        ],
    );
    let handle = maillage::serve::start(options(dir.path()), 0, None).unwrap();
    let (status, page) = get(handle.addr, "/blog/panne/");
    assert_eq!(status, 500, "{page}");
    assert!(page.contains("gabarit en panne"), "{page}");
    let error = handle.site.first_render().unwrap_err().to_string();
    assert!(error.contains("gabarit en panne"), "{error}");
    let (status, home) = get(handle.addr, "/");
    assert_eq!(status, 500, "{home}");
    assert!(home.contains("La construction a échoué"), "{home}");
    drop(handle);

    let out = common::maillage()
        .arg("--root")
        .arg(dir.path())
        .args(["serve", "--port", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert_eq!(stderr.matches("gabarit en panne").count(), 1, "{stderr}");
}

/// Every file of the demo site (pages, pagers, feeds, aliases, data pages,
/// GeoJSON, calendars...), rendered alone through the job that
/// `jobs_by_file` names for it, as serve renders a file asked for before
/// its turn, comes out byte for byte as the whole render writes it.
#[test]
fn every_file_rendered_alone_is_what_the_whole_render_writes() {
    use maillage::output::MemorySink;
    std::env::set_var("MAILLAGE_NOW", "2026-11-22T12:00");
    let root = common::demo_copy();
    let site = maillage::load_site(&maillage::BuildOptions {
        root: root.to_path_buf(),
        extensions: maillage::extensions::standard(),
        ..Default::default()
    })
    .unwrap();
    let script = "<script>recharger()</script>";
    let whole = MemorySink::default();
    site.render_without_images(&whole, Some(script)).unwrap();
    let whole = whole.files.into_inner().unwrap();
    let jobs = site.jobs_by_file();
    let mut planned: Vec<&String> = jobs.keys().collect();
    let mut written: Vec<&String> = whole.keys().collect();
    planned.sort();
    written.sort();
    assert_eq!(planned, written, "the files planned are the files written");
    let renderer = site.renderer(Some(script));
    let mut rendered = std::collections::HashMap::new();
    for (path, job) in &jobs {
        let files = rendered.entry(format!("{job:?}")).or_insert_with(|| {
            let alone = MemorySink::default();
            renderer.render_alone(job, &alone).unwrap();
            alone.files.into_inner().unwrap()
        });
        assert!(
            files.get(path) == whole.get(path),
            "{path}: rendered alone by {job:?}, not what the whole render wrote"
        );
    }
    assert!(rendered.len() > 100, "{} jobs", rendered.len());
    std::fs::remove_dir_all(&root).unwrap();
}
