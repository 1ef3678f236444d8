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
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, page) = get(addr, "/blog/third/");
        if page.contains("Troisième billet revu") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the edited page was not re-rendered"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
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
    let deadline = Instant::now() + Duration::from_secs(10);
    while !get(addr, "/tags/").1.contains("class=\"changed\"") {
        assert!(
            Instant::now() < deadline,
            "the template change was not applied"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
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
