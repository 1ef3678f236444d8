//! `maillage check`: everything `build` validates, rendering included but
//! nothing written, plus anchors of internal links, the internal links of
//! every rendered page ([`links`]) and, on request, the hosts of external
//! links.

mod links;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::build::{load_site, BuildOptions};
use crate::error::{Diagnostic, Diagnostics, Result};
use links::LinkSink;

/// Checks the site; the summary says what was checked.
pub fn check(options: &BuildOptions, external: bool) -> Result<String> {
    let start = Instant::now();
    let site = load_site(options)?;
    for warning in &site.contribution.warnings {
        eprintln!("warning: {warning}");
    }
    // Rendering and the links' anchors are checked independently: both
    // report everything they find.
    let mut errors = Diagnostics::new();
    // Images asked for are not encoded: check writes nothing.
    let sink = LinkSink::new(&site.library.config.base_url);
    if let Err(e) = site.render_without_images(&sink, None) {
        errors.extend(e);
    }
    let lib = &site.library;
    let statics = crate::output::static_files(&site.root, site.config.theme.as_deref());
    let rendered_links = sink.report(
        &site.root,
        lib,
        &site.contribution.pages,
        statics.into_iter().map(|(rel, _)| rel),
    );
    errors.extend(rendered_links.errors);
    let mut internal = 0;
    let mut ids: HashMap<&str, Option<HashSet<&str>>> = HashMap::new();
    let mut external_links: Vec<(String, String, usize)> = Vec::new();
    let sources = lib
        .pages
        .iter()
        .map(|p| (&p.file.relative, &p.rendered))
        .chain(lib.sections.iter().map(|s| (&s.file.relative, &s.rendered)));
    for (relative, rendered) in sources {
        for (target, anchor, line) in &rendered.internal_links {
            internal += 1;
            let Some(anchor) = anchor else { continue };
            // Each target's ids, gathered once: a page may link thousands
            // of times to a page with thousands of headings.
            let anchors = ids.entry(target.as_str()).or_insert_with(|| {
                lib.page_index
                    .get(target)
                    .map(|&i| &lib.pages[i].rendered.anchors)
                    .or_else(|| {
                        lib.section_index
                            .get(target)
                            .map(|&i| &lib.sections[i].rendered.anchors)
                    })
                    .map(|list| list.iter().map(String::as_str).collect())
            });
            if let Some(anchors) = anchors {
                if !anchors.contains(anchor.as_str()) && anchor != "continue-reading" {
                    errors.push(
                        Diagnostic::new(
                            format!("content/{relative}"),
                            format!("link `@/{target}#{anchor}`: content/{target} has no heading with id `{anchor}`"),
                        )
                        .at(*line, None),
                    );
                }
            }
        }
        for (url, line) in &rendered.external_links {
            external_links.push((relative.clone(), url.clone(), *line));
        }
    }
    if external {
        let hosts: BTreeSet<String> = external_links
            .iter()
            .filter_map(|(_, url, _)| host_port(url))
            .collect();
        for host in hosts {
            if !answers(&host) {
                for (relative, url, line) in external_links
                    .iter()
                    .filter(|(_, u, _)| host_port(u).as_ref() == Some(&host))
                {
                    errors.push(
                        Diagnostic::new(
                            format!("content/{relative}"),
                            format!("external link {url}: {host} does not answer"),
                        )
                        .at(*line, None),
                    );
                }
            }
        }
    }
    errors.into_result(format!(
        "Checked {} pages, {} sections, {} internal links, {} data pages, {} links of the rendered pages{} in {} ms: no problem found",
        lib.pages.len(),
        lib.sections.len(),
        internal,
        site.contribution.pages.len(),
        rendered_links.links,
        if external {
            format!(", {} external links", external_links.len())
        } else {
            String::new()
        },
        start.elapsed().as_millis()
    ))
}

fn host_port(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    let port = if scheme == "http" { 80 } else { 443 };
    Some(if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:{port}")
    })
}

fn answers(host: &str) -> bool {
    match host.to_socket_addrs() {
        Ok(mut addrs) => {
            addrs.any(|a| TcpStream::connect_timeout(&a, Duration::from_secs(5)).is_ok())
        }
        Err(_) => false,
    }
}
