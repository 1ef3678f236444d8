//! The whole loop over real HTTP on loopback: `maillage serve` on a copy of
//! the demo site with the function under /api/ on an SQLite file. A
//! registration shows on the meetup page within a second, the waiting list
//! fills and a cancellation promotes, an organiser's report is published,
//! and no personal data ever reaches a generated file.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{header, HeaderMap, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use maillage::live::LiveServer;
use serde_json::Value;

const NOW: &str = "2026-11-22T12:00";

struct Loop {
    site: common::TempSite,
    store_file: PathBuf,
    live: LiveServer,
    http: Http,
}

/// One server for the whole file (the demo site takes a while to build in
/// a debug build); each test uses meetups of its own.
fn server() -> &'static Loop {
    static LOOP: OnceLock<Loop> = OnceLock::new();
    LOOP.get_or_init(|| {
        std::env::set_var("MAILLAGE_NOW", NOW);
        // The server lives as long as the test process, which never drops
        // it: its copy of the demo goes under the tests' own folder, where
        // the next run removes it.
        let parent = Path::new(env!("CARGO_TARGET_TMPDIR")).join("live-loop");
        let _ = std::fs::remove_dir_all(&parent);
        std::fs::create_dir_all(&parent).unwrap();
        let (site, live) = common::serve_demo_in(&parent);
        let store_file = site.join(common::DEMO_STORE);
        Loop {
            site,
            store_file,
            live,
            http: Http::new(),
        }
    })
}

/// A small blocking HTTP/1.1 client (hyper's).
struct Http {
    runtime: tokio::runtime::Runtime,
    client: Client<HttpConnector, Full<Bytes>>,
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .unwrap_or("")
    }
}

impl Http {
    fn new() -> Http {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = Client::builder(TokioExecutor::new()).build_http();
        Http { runtime, client }
    }

    fn send(&self, method: Method, url: &str, headers: &[(&str, &str)], body: String) -> Answer {
        let mut request = http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(Bytes::from(body))).unwrap();
        self.runtime.block_on(async {
            let response = self.client.request(request).await.expect("HTTP request");
            let (parts, body) = response.into_parts();
            let bytes = body.collect().await.unwrap().to_bytes();
            Answer {
                status: parts.status,
                headers: parts.headers,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            }
        })
    }
}

fn url(path: &str) -> String {
    format!("http://{}{path}", server().live.addr())
}

fn get(path: &str) -> Answer {
    server()
        .http
        .send(Method::GET, &url(path), &[], String::new())
}

fn encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A form post, as a browser sends it (JSON answer when `json`).
fn post(path: &str, fields: &[(&str, &str)], json: bool) -> Answer {
    let accept = if json {
        "application/json"
    } else {
        "text/html"
    };
    server().http.send(
        Method::POST,
        &url(path),
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", accept),
        ],
        encode(fields),
    )
}

struct Person {
    name: String,
    email: String,
}

fn person(tag: &str, n: usize) -> Person {
    Person {
        name: format!("Maëlle Inscrite{tag}{n}"),
        email: format!("maelle.{tag}{n}@inscrits.example.net"),
    }
}

/// Registers with the JSON answer; returns it.
fn register(meetup: &str, who: &Person, need: &str) -> Value {
    let answer = post(
        "/api/registrations",
        &[
            ("meetup", meetup),
            ("name", &who.name),
            ("email", &who.email),
            ("role", "participant"),
            ("structure", "École des Essais"),
            ("need", need),
            ("consent", "oui"),
            ("website", ""),
        ],
        true,
    );
    assert!(
        answer.status == StatusCode::CREATED || answer.status == StatusCode::OK,
        "{}: {}",
        answer.status,
        answer.body
    );
    answer.json()
}

fn token_of(answer: &Value) -> String {
    let link = answer["cancel_url"].as_str().expect("a cancellation link");
    link.split("jeton=").nth(1).expect("a token").to_string()
}

/// The meetup page's seats figure, as shown right now.
fn seats(meetup: &str) -> (Option<u32>, String) {
    let page = get(&format!("/rencontres/{meetup}/"));
    assert_eq!(page.status, StatusCode::OK, "/rencontres/{meetup}/");
    let figure = page
        .body
        .split("class=\"seats-figure\"")
        .nth(1)
        .and_then(|rest| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split('<').next())
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let n = figure
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .filter(|_| figure.contains("place"));
    (n, page.body)
}

/// Polls the meetup page until `check` holds; returns how long it took.
fn until(meetup: &str, what: &str, check: impl Fn(Option<u32>, &str) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let (n, html) = seats(meetup);
        if check(n, &html) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "/rencontres/{meetup}/ did not show {what} within a second (seats: {n:?})"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[test]
fn a_registration_shows_on_the_site_within_a_second_and_a_cancellation_frees_the_seat() {
    let meetup = "rennes-culture-s3-2026-11";
    let (before, _) = seats(meetup);
    let before = before.expect("seats left shown");
    let mut observed = Vec::new();
    let mut tokens = Vec::new();
    for n in 1..=8 {
        let answer = register(meetup, &person("rennes", n), "");
        assert_eq!(answer["status"], "confirmed", "{answer}");
        tokens.push(token_of(&answer));
        let expected = before - n as u32;
        observed.push(until(meetup, "one seat fewer", |s, _| s == Some(expected)));
    }
    let server_side = server().live.latencies();
    println!(
        "seat count on the page after the answer: median {} ms over {} registrations (server side, answer to pages replaced: median {} ms)",
        median(observed.clone()).as_millis(),
        observed.len(),
        median(server_side).as_millis()
    );

    // The other pages that show the meetup follow (the meetup's page is
    // served first): the map's GeoJSON and the listing.
    let on_the_map = || {
        let geojson: Value = serde_json::from_str(&get("/carte/rencontres.geojson").body).unwrap();
        let feature = geojson["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["id"] == meetup)
            .expect("the meetup on the map")
            .clone();
        feature["properties"]["seats_left"].clone()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while on_the_map() != before - 8 {
        assert!(Instant::now() < deadline, "the map shows {}", on_the_map());
        std::thread::sleep(Duration::from_millis(5));
    }
    let listing = get("/rencontres/").body;
    assert!(listing.contains(meetup));

    // Cancelling with the private link: the function's page, then the post.
    let page = get(&format!("/api/registrations/cancel?jeton={}", tokens[0]));
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let answer = post("/api/registrations/cancel", &[("jeton", &tokens[0])], false);
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert!(
        answer
            .location()
            .ends_with(&format!("/annulation/confirmee/?rencontre={meetup}")),
        "{}",
        answer.location()
    );
    until(meetup, "the seat freed", |s, _| s == Some(before - 7));
}

#[test]
fn a_full_meetup_takes_a_waiting_list_and_a_cancellation_promotes_the_first() {
    let meetup = "club-code-lille-2026-12";
    let (left, _) = seats(meetup);
    let left = left.expect("seats left shown") as usize;
    let mut tokens = Vec::new();
    for n in 0..left {
        let answer = register(meetup, &person("lille", n), "");
        assert_eq!(answer["status"], "confirmed", "{answer}");
        tokens.push(token_of(&answer));
    }
    until(meetup, "no seat left", |s, html| {
        s.unwrap_or(0) == 0 && html.contains("liste d'attente")
    });
    let waiting = person("lille-attente", 1);
    let answer = register(meetup, &waiting, "");
    assert_eq!(answer["status"], "waiting", "{answer}");
    assert_eq!(answer["position"], 1);
    until(meetup, "one person waiting", |_, html| {
        html.contains("1 personne en liste d'attente")
    });
    // The same person again: the same place, nothing taken.
    let again = register(meetup, &waiting, "");
    assert_eq!(again["position"], 1);

    let answer = post("/api/registrations/cancel", &[("jeton", &tokens[3])], false);
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    until(meetup, "the waiting person promoted", |s, html| {
        // The figure, not the form script's words for it.
        s.unwrap_or(0) == 0 && !html.contains("en liste d'attente</")
    });
    let store = server().live.store.clone();
    let registrants = server()
        .http
        .runtime
        .block_on(store.registrants(meetup))
        .unwrap();
    let promoted = registrants
        .iter()
        .find(|r| r.email == waiting.email)
        .unwrap();
    assert_eq!(
        promoted.status,
        maillage_store::RegistrationStatus::Confirmed
    );
}

const REPORT_MEETUP: &str = "montpellier-culture-s1-2026-11";

fn report_fields<'a>(meetup: &'a str, key: &'a str, private: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("meetup", meetup),
        ("key", key),
        ("attendance", "14"),
        (
            "outcome",
            "- Les cartes heuristiques ont **beaucoup servi**.",
        ),
        ("went_well", "- La salle était prête à l'heure."),
        ("problems", "- Le vidéoprojecteur a chauffé."),
        ("improvements", "- Prévoir des rallonges."),
        (
            "links",
            "Compte rendu | https://pad.example.org/p/montpellier",
        ),
        ("public", "outcome"),
        ("public", "improvements"),
        ("public", "links"),
        ("public", "attendance"),
        ("private_notes", private),
    ]
}

#[test]
fn a_report_sent_with_the_organisers_key_is_published_on_the_meetup_page() {
    let meetup = REPORT_MEETUP;
    let (_, html) = seats(meetup);
    assert!(!html.contains("beaucoup servi"));
    // A wrong key: refused, nothing published.
    let wrong = post(
        "/api/reports",
        &report_fields(meetup, "demo-pas-la-bonne", ""),
        false,
    );
    assert!(
        wrong.status == StatusCode::UNAUTHORIZED || wrong.status == StatusCode::FORBIDDEN,
        "{}",
        wrong.status
    );

    let key = format!("demo-{meetup}");
    let answer = post(
        "/api/reports",
        &report_fields(meetup, &key, "Une participante voudrait une attestation."),
        false,
    );
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert!(answer
        .location()
        .ends_with(&format!("/bilan/envoye/?rencontre={meetup}")));
    let took = until(meetup, "the published report", |_, html| {
        html.contains("<strong>beaucoup servi</strong>")
    });
    // The result page without its final slash keeps its query on the way.
    let result = get(&format!("/bilan/envoye?rencontre={meetup}"));
    assert_eq!(result.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        result.location(),
        format!("/bilan/envoye/?rencontre={meetup}")
    );
    println!("report published {} ms after the answer", took.as_millis());
    let (_, html) = seats(meetup);
    assert!(html.contains("Prévoir des rallonges"));
    // Tera escapes the slashes of attributes; browsers read them back.
    assert!(html
        .replace("&#x2F;", "/")
        .contains("href=\"https://pad.example.org/p/montpellier\""));
    assert!(
        !html.contains("vidéoprojecteur"),
        "problems were not ticked"
    );
    assert!(!html.contains("attestation"), "private notes stay private");
}

/// Every email address in `text`.
fn emails(text: &str) -> BTreeSet<String> {
    let pattern = regex::Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").unwrap();
    pattern
        .find_iter(text)
        .map(|m| m.as_str().to_lowercase())
        .collect()
}

pub(crate) fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks one generated file against the secrets and the allowed emails.
fn assert_clean(
    origin: &str,
    path: &str,
    bytes: &[u8],
    secrets: &[String],
    allowed: &BTreeSet<String>,
) {
    let text = String::from_utf8_lossy(bytes);
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{origin} {path} contains {secret:?}"
        );
    }
    // iCalendar UIDs (`<meetup id>@<host>`) look like addresses but are not.
    let lines: String = text
        .lines()
        .filter(|l| !l.starts_with("UID:"))
        .collect::<Vec<_>>()
        .join("\n");
    for email in emails(&lines) {
        assert!(
            allowed.contains(&email),
            "{origin} {path} publishes {email}, not a public contact of data/"
        );
    }
}

#[test]
fn no_personal_data_reaches_the_built_or_the_served_site() {
    let root = &server().site;
    let mut secrets = Vec::new();
    // Registrations with a name, an email, a phone number in the need field.
    for (n, meetup) in [
        "villeurbanne-culture-s3-2026-12",
        "apero-pedago-grenoble-2026-12",
    ]
    .iter()
    .enumerate()
    {
        let who = Person {
            name: format!("Gwenaëlle Confidentielle{n}"),
            email: format!("gwen.confidentielle{n}@secret.example.net"),
        };
        let phone = format!("06 98 76 54 3{n}");
        let answer = register(meetup, &who, &format!("Rappelez-moi au {phone}"));
        secrets.extend([who.name, who.email, phone, token_of(&answer)]);
    }
    // A report with private notes naming someone.
    let meetup = "saint-denis-culture-s1-2026-11";
    let key = format!("demo-{meetup}");
    let private = "Appeler Bérénice Privée au 07 11 22 33 44 ou berenice@prive.example.net";
    let answer = post("/api/reports", &report_fields(meetup, &key, private), false);
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    secrets.extend([
        "Bérénice Privée".to_string(),
        "07 11 22 33 44".into(),
        "berenice@prive.example.net".into(),
        key.clone(),
    ]);
    // An attestation: the organiser of a meetup already held marks
    // themselves present; neither their name nor the code may be published.
    let held = "club-code-brest-2026-11";
    let held_key = format!("demo-{held}");
    let answer = post(
        "/api/attendance",
        &[
            ("meetup", held),
            ("key", &held_key),
            ("organiser", "Anatole Attesté"),
        ],
        true,
    );
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let link = serde_json::from_str::<serde_json::Value>(&answer.body).unwrap()["organiser"]
        ["attestation"]
        .as_str()
        .unwrap()
        .to_string();
    let code = link.split_once("code=").unwrap().1.to_string();
    assert_eq!(code.len(), 26);
    secrets.extend(["Anatole Attesté".to_string(), code]);
    // A meetup proposal, accepted by the region's coordinator: the
    // proposer's full name and email, and the coordinator's key, stay out
    // of every output; the meetup's entry publishes the first name alone.
    let proposer = Person {
        name: "Dominique Proposante-Discrète".into(),
        email: "dominique.proposante@secret.example.net".into(),
    };
    let proposal = [
        ("request", "proposition-confidentielle-0001"),
        ("region", "occitanie"),
        ("belongs", "series:tiers-lieux-educatifs-occitanie"),
        ("place", "lycee-de-la-garonne-toulouse"),
        ("title", "Tiers-lieux proposés à Toulouse"),
        ("start", "2027-02-10T18:00"),
        ("end", "2027-02-10T20:00"),
        ("capacity", "16"),
        ("intentions", "Faire connaissance"),
        ("name", proposer.name.as_str()),
        ("email", proposer.email.as_str()),
        ("consent", "oui"),
    ];
    let answer = post("/api/proposals", &proposal, true);
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let coordination_key = "demo-coordination-occitanie";
    let answer = post(
        "/api/proposals/decision",
        &[
            ("region", "occitanie"),
            ("key", coordination_key),
            ("proposal", "proposition-confidentielle-0001"),
            ("decision", "accept"),
            ("request", "decision-confidentielle-0001"),
        ],
        true,
    );
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let accepted_id = "tiers-lieux-proposes-a-toulouse-2027-02";
    secrets.extend([proposer.name.clone(), proposer.email.clone()]);
    // No coordinator's key of the demo data, nor its hash.
    for region in regions_of(root) {
        secrets.push(format!("demo-coordination-{region}"));
        secrets.push(sha256_hex(&format!("demo-coordination-{region}")));
    }
    // The served site shows the accepted meetup once rebuilt.
    let start = Instant::now();
    loop {
        let page = get(&format!("/rencontres/{accepted_id}/"));
        if page.status == StatusCode::OK {
            assert!(page.body.contains("Tiers-lieux proposés à Toulouse"));
            assert!(
                page.body.contains("Dominique"),
                "the first name is published"
            );
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the accepted meetup was not served after the rebuild"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // No report key of the demo data, nor its hash, in any output.
    for id in meetup_ids(root) {
        secrets.push(format!("demo-{id}"));
        secrets.push(sha256_hex(&format!("demo-{id}")));
    }
    until(meetup, "the published report", |_, html| {
        html.contains("beaucoup servi")
    });
    let allowed = public_contacts(root);
    assert!(!allowed.is_empty());

    // The served site, after the re-render.
    let served = server().live.server.site.files();
    assert!(served.len() > 100, "{} files served", served.len());
    for (path, bytes) in &served {
        assert_clean("served", path, bytes, &secrets, &allowed);
    }

    // The built site: export from the same store file, then build, as a
    // CI job does.
    let copy = tempfile::tempdir().unwrap();
    for name in ["config.toml", "content", "data", "themes"] {
        let (from, to) = (root.join(name), copy.path().join(name));
        if name == "themes" {
            std::os::unix::fs::symlink(&from, &to).unwrap();
        } else if from.is_dir() {
            common::copy_dir(&from, &to);
        } else {
            std::fs::copy(&from, &to).unwrap();
        }
    }
    let spec = format!("sqlite:{}", server().store_file.display());
    for args in [vec!["export", "--store", &spec], vec!["build"]] {
        let output = crate::common::maillage()
            .arg("--root")
            .arg(copy.path())
            .args(&args)
            .env("MAILLAGE_NOW", NOW)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "maillage {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let accepted = common::read(copy.path(), "data/live/meetups.yaml");
    assert!(
        accepted.contains(&format!("- id: {accepted_id}")),
        "the accepted proposal was exported: {accepted}"
    );
    assert_clean(
        "exported",
        "meetups.yaml",
        accepted.as_bytes(),
        &secrets,
        &allowed,
    );
    let aggregates = common::read(copy.path(), "data/live/aggregates.json");
    assert!(
        aggregates.contains("beaucoup servi"),
        "the report was exported"
    );
    assert_clean(
        "exported",
        "aggregates.json",
        aggregates.as_bytes(),
        &secrets,
        &allowed,
    );
    let public = copy.path().join("public");
    let files = common::files(&public);
    assert!(files.len() > 100);
    // The figures and the files behind them are among the files scanned.
    for figures in [
        "regions/chiffres/index.html",
        "regions/chiffres/par-mois.csv",
        "regions/chiffres/par-region.csv",
        "regions/chiffres/chiffres.json",
        "regions/bretagne/chiffres/index.html",
        "regions/bretagne/chiffres/par-mois.csv",
        "regions/bretagne/chiffres/chiffres.json",
    ] {
        assert!(
            files.iter().any(|f| f == figures),
            "{figures} was not built"
        );
        assert!(
            served.iter().any(|(path, _)| path == figures),
            "{figures} is not served"
        );
    }
    for file in &files {
        let bytes = std::fs::read(public.join(file)).unwrap();
        assert_clean("built", file, &bytes, &secrets, &allowed);
    }
    let page = common::read(&public, &format!("rencontres/{meetup}/index.html"));
    assert!(
        page.contains("beaucoup servi"),
        "the built page has the report"
    );
    // The accepted proposal is a meetup of the built site and of its map.
    let accepted_page = common::read(&public, &format!("rencontres/{accepted_id}/index.html"));
    assert!(accepted_page.contains("Tiers-lieux proposés à Toulouse"));
    let map = common::read(&public, "carte/rencontres.geojson");
    assert!(
        map.contains(accepted_id),
        "the accepted meetup is on the map"
    );
}

/// The slugs of the demo's regions (its coordinator keys are
/// `demo-coordination-<slug>`).
fn regions_of(root: &Path) -> Vec<String> {
    common::read(root, "data/regions.yaml")
        .lines()
        .filter_map(|l| l.strip_prefix("  name: "))
        .map(|name| {
            name.to_lowercase()
                .replace(['é', 'è', 'ê'], "e")
                .replace('ô', "o")
                .replace('î', "i")
                .replace(['\'', ' '], "-")
        })
        .collect()
}

fn meetup_ids(root: &Path) -> Vec<String> {
    common::files(&root.join("data/meetups"))
        .iter()
        .flat_map(|file| {
            common::read(&root.join("data/meetups"), file)
                .lines()
                .filter_map(|l| l.strip_prefix("- id: "))
                .map(|id| id.trim().trim_matches('"').to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The public contacts the site declares: data/'s (YAML files only: the
/// live figures hold none), and the network's own addresses in config.toml
/// and in its pages (the privacy notice's address for requests).
fn public_contacts(root: &Path) -> BTreeSet<String> {
    let mut contacts: BTreeSet<String> = common::files(&root.join("data"))
        .iter()
        .filter(|f| f.ends_with(".yaml"))
        .flat_map(|f| emails(&common::read(&root.join("data"), f)))
        .collect();
    contacts.extend(emails(&common::read(root, "config.toml")));
    // The theme's strings (its example of an address).
    contacts.extend(emails(&common::read(root, "themes/maillage/theme.toml")));
    for file in common::files(&root.join("content")) {
        contacts.extend(emails(&common::read(&root.join("content"), &file)));
    }
    contacts
}

/// The live loop re-renders only the pages and files that show a meetup's
/// figures. Whatever it leaves out would differ from a full rebuild with the
/// same figures: after registrations for several meetups (on their own
/// server, so that no other test changes the site meanwhile), every served
/// file must be the one a full rebuild writes.
#[test]
fn the_pages_re_rendered_after_registrations_are_all_those_a_rebuild_changes() {
    std::env::set_var("MAILLAGE_NOW", NOW);
    let (_site, live) = common::serve_demo();
    let http = Http::new();
    let at = |path: &str| format!("http://{}{path}", live.addr());
    let map: Value = serde_json::from_str(
        &http
            .send(
                Method::GET,
                &at("/carte/rencontres.geojson"),
                &[],
                String::new(),
            )
            .body,
    )
    .unwrap();
    let open: Vec<String> = map["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["registration_state"] == "open")
        .map(|f| f["properties"]["id"].as_str().unwrap().to_string())
        .collect();
    assert!(open.len() >= 3, "{} meetups open", open.len());
    // The soonest (the next meetup at its place), the latest, one between.
    let chosen = [&open[0], &open[open.len() / 2], &open[open.len() - 1]];
    for (n, meetup) in chosen.iter().enumerate() {
        let who = person("patch", n);
        let answer = http.send(
            Method::POST,
            &at("/api/registrations"),
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Accept", "application/json"),
            ],
            encode(&[
                ("meetup", meetup),
                ("name", &who.name),
                ("email", &who.email),
                ("role", "participant"),
                ("consent", "oui"),
                ("website", ""),
            ]),
        );
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        // Each change is applied before the next one is sent.
        let deadline = Instant::now() + Duration::from_secs(30);
        while live.latencies().len() <= n {
            assert!(Instant::now() < deadline, "no re-render after {meetup}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    // A report published for a past meetup changes its summary and the
    // page of the meetup that follows it.
    let key = format!("demo-{REPORT_MEETUP}");
    let answer = http.send(
        Method::POST,
        &at("/api/reports"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        encode(&report_fields(REPORT_MEETUP, &key, "")),
    );
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let deadline = Instant::now() + Duration::from_secs(30);
    while live.latencies().len() <= chosen.len() {
        assert!(Instant::now() < deadline, "no re-render after the report");
        std::thread::sleep(Duration::from_millis(5));
    }
    let rebuilt = served_as_a_rebuild_serves(&live, "left out by the live re-render");
    // And the changes did reach the site.
    let report =
        String::from_utf8(rebuilt[&format!("rencontres/{REPORT_MEETUP}/index.html")].clone())
            .unwrap();
    assert!(report.contains("<strong>beaucoup servi</strong>"));
}

/// An edit of what meetups show (a title, a description) is applied
/// without the site loaded again: the store holds the new title, and every
/// served file is the one a full rebuild then writes. An edit that moves a
/// meetup (which loads the site again) has the same outcome.
#[test]
fn an_edit_of_what_meetups_show_re_renders_only_what_shows_them() {
    std::env::set_var("MAILLAGE_NOW", NOW);
    let (site, live) = common::serve_demo();
    let file = "data/meetups/culture-numerique.yaml";
    let page = "rencontres/rennes-culture-s1-2026-11/index.html";
    let title = "Culture numérique : on joue au réseau à Rennes";
    let shows = |text: &str| {
        live.server
            .site
            .file(page)
            .is_some_and(|bytes| String::from_utf8_lossy(&bytes).contains(text))
    };
    // A theme whose map page shows each place's next meetup by its title.
    common::replace_in(
        &site,
        "themes/maillage/templates/map.html",
        "{{ p.next_meetup.date_label }}</a>",
        "{{ p.next_meetup.date_label }}</a> ({{ p.next_meetup.title }})",
    );
    let map_shows = |text: &str| {
        live.server.site.files().into_iter().any(|(path, bytes)| {
            path == "carte/index.html" && String::from_utf8_lossy(&bytes).contains(text)
        })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !map_shows("(Culture numérique, rencontre de la semaine 3 à Rennes)") {
        assert!(
            Instant::now() < deadline,
            "the map page did not show the titles"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let everything = live.server.site.last_rendered();
    let text = common::read(&site, file);
    let edited = text
        .replacen(
            "\"Culture numérique, rencontre de la semaine 1 à Rennes\"",
            &format!("\"{title}\""),
            1,
        )
        .replacen("On « joue » le réseau", "On « joue » encore le réseau", 1)
        // The next meetup at its place: the lists of places show its title.
        .replacen(
            "\"Culture numérique, rencontre de la semaine 3 à Rennes\"",
            "\"Culture numérique : deuxième rencontre à Rennes\"",
            1,
        );
    assert_ne!(edited, text);
    std::fs::write(site.join(file), &edited).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !shows(title) {
        assert!(Instant::now() < deadline, "the new title did not show");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(shows("encore le réseau"));
    // The lists follow the meetups' own pages.
    assert!(map_shows(
        "(Culture numérique : deuxième rencontre à Rennes)"
    ));
    assert_eq!(
        live.server.site.last_rendered(),
        everything,
        "the site was loaded again"
    );
    let stored = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(live.store.meetup("rennes-culture-s1-2026-11"))
        .unwrap()
        .expect("the meetup is in the store");
    assert_eq!(stored.title, title);
    served_as_a_rebuild_serves(&live, "after a title edit");

    // A meetup moved a day later: the site is loaded again.
    let moved = edited
        .replacen("start: 2026-11-12T18:00", "start: 2026-11-13T18:00", 1)
        .replacen("end: 2026-11-12T20:30", "end: 2026-11-13T20:30", 1)
        .replacen("closes: 2026-11-12T12:00", "closes: 2026-11-13T12:00", 1);
    assert_ne!(moved, edited);
    std::fs::write(site.join(file), &moved).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !shows("content=\"vendredi 13 novembre 2026, 18 h") {
        assert!(Instant::now() < deadline, "the new date did not show");
        std::thread::sleep(Duration::from_millis(5));
    }
    served_as_a_rebuild_serves(&live, "after a meetup moved");
}

/// Every file `live` serves is the one a full rebuild writes; the rebuilt
/// files.
fn served_as_a_rebuild_serves(
    live: &LiveServer,
    what: &str,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    let served: std::collections::BTreeMap<String, Vec<u8>> =
        live.server.site.files().into_iter().collect();
    live.server.site.rebuild().expect("a full rebuild");
    let rebuilt: std::collections::BTreeMap<String, Vec<u8>> =
        live.server.site.files().into_iter().collect();
    let differ: Vec<&String> = rebuilt
        .iter()
        .filter(|(path, bytes)| served.get(*path) != Some(*bytes))
        .map(|(path, _)| path)
        .collect();
    assert!(
        differ.is_empty(),
        "{what}: differs from a rebuild: {differ:?}"
    );
    assert_eq!(served.len(), rebuilt.len(), "{what}");
    rebuilt
}
