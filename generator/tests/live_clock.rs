//! `maillage serve` follows the date: when a meetup's registrations close,
//! the site is rebuilt and its page stops offering them, with no change of
//! content, data or store. Alone in its test binary, since it moves the
//! process-wide pinned clock (`MAILLAGE_NOW`).

mod common;

use std::time::{Duration, Instant};

/// `rennes-culture-s3-2026-11` in the demo data: registrations close on
/// 26 November 2026 at 12:00 in Paris (11:00 UTC).
const MEETUP: &str = "rennes-culture-s3-2026-11";
const BEFORE_CLOSING: &str = "2026-11-26T10:59:58Z";
const AFTER_CLOSING: &str = "2026-11-26T11:00:01Z";

fn page(live: &maillage::live::LiveServer) -> String {
    let bytes = live
        .server
        .site
        .file(&format!("rencontres/{MEETUP}/index.html"))
        .expect("the meetup page is served");
    String::from_utf8(bytes).unwrap()
}

#[test]
fn registrations_closing_with_the_date_rebuild_the_page() {
    std::env::set_var("MAILLAGE_NOW", BEFORE_CLOSING);
    let (_, live) = common::serve_demo();
    let open = page(&live);
    assert!(
        open.contains("Inscriptions ouvertes"),
        "open before closing"
    );
    assert!(open.contains("id=\"inscription\""), "the form is offered");

    // The date passes the closing time: the site follows within seconds.
    std::env::set_var("MAILLAGE_NOW", AFTER_CLOSING);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let html = page(&live);
        if html.contains("Inscriptions closes") {
            assert!(!html.contains("Inscriptions ouvertes"));
            assert!(!html.contains("id=\"inscription\""), "no form any more");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the page still offers registrations after they closed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
