//! `maillage serve` follows the date: when a meetup's registrations close,
//! the site is rebuilt and its page stops offering them, with no change of
//! content, data or store; and the reminders due go out, once, through a
//! real SMTP server (aiosmtpd). Alone in its test binary, since it moves the
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

/// aiosmtpd on loopback (the function's test server), storing each
/// message in `maildir`; it stops when its input closes (the child dropped).
fn smtp_server(maildir: &std::path::Path) -> Option<(std::process::Child, u16)> {
    use std::io::BufRead;
    let python = std::env::var_os("MAILLAGE_TEST_PYTHON")?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let mut child = std::process::Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../function/tests/email_server/smtpd.py"
        ))
        .arg(port.to_string())
        .arg(maildir)
        .arg("0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start aiosmtpd");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "READY");
    Some((child, port))
}

/// The messages in `maildir` addressed to `email`.
fn emails_to(maildir: &std::path::Path, email: &str) -> usize {
    std::fs::read_dir(maildir)
        .unwrap()
        .filter_map(|entry| std::fs::read_to_string(entry.unwrap().path()).ok())
        .filter(|raw| {
            raw.lines()
                .any(|l| l.starts_with("To:") && l.contains(email))
        })
        .count()
}

#[test]
fn registrations_closing_with_the_date_rebuild_the_page_and_the_reminders_go() {
    std::env::set_var("MAILLAGE_NOW", BEFORE_CLOSING);
    let maildir = tempfile::tempdir().unwrap();
    let smtp = smtp_server(maildir.path());
    if let Some((_, port)) = &smtp {
        std::env::set_var("MAILLAGE_SMTP_URL", format!("smtp://127.0.0.1:{port}"));
        std::env::set_var("MAILLAGE_MAIL_FROM", "Rencontres <rencontres@example.org>");
        // The meetup starts at 18 h in Paris, six hours after its
        // registrations close: the reminder is due with the closing.
        std::env::set_var("MAILLAGE_REMINDER_HOURS", "6");
    }
    let (_site, live) = common::serve_demo();
    let email = "rappel.rennes@exemple.org";
    let now = maillage_model::clock::now();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime
        .block_on(live.store.register(maillage_model::store::NewRegistration {
            meetup_id: MEETUP.into(),
            name: "Rappel Rennes".into(),
            email: email.into(),
            role: maillage_model::meetup::Role::Participant,
            structure: None,
            need: None,
            token: "tok-rappel-rennes-0001".into(),
            registered_at: now,
            expires_at: now + chrono::Duration::days(120),
        }))
        .unwrap();
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
    if smtp.is_none() {
        return;
    }
    // The reminder goes, once.
    let deadline = Instant::now() + Duration::from_secs(30);
    while emails_to(maildir.path(), email) == 0 {
        assert!(Instant::now() < deadline, "no reminder sent");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(emails_to(maildir.path(), email), 1, "one reminder");
}
