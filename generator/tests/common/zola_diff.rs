//! Differential comparison with a real Zola binary: builds a site with Zola
//! and with Maillage, then compares the output paths, each page's visible
//! text (whitespace-normalised), the feeds' items and the sitemap's URLs.
//!
//! The Zola binary is named by `MAILLAGE_ZOLA`; without it the callers skip.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use regex::Regex;

/// The Zola binary named by `MAILLAGE_ZOLA`, if any.
pub(crate) fn zola_binary() -> Option<PathBuf> {
    let path = PathBuf::from(std::env::var_os("MAILLAGE_ZOLA")?);
    assert!(
        path.is_file(),
        "MAILLAGE_ZOLA names {}, which is not a file",
        path.display()
    );
    Some(path)
}

/// What a build printed, and whether it succeeded.
pub(crate) struct Built {
    pub ok: bool,
    pub log: String,
}

/// Builds `site` with `program` into `out`. Zola and Maillage take the same
/// arguments here (`build -o DIR`, run in the site's folder); the site is
/// copied first so neither sees the other's leftovers.
pub(crate) fn build_with(program: &Path, site: &Path, out: &Path) -> Built {
    let work = tempfile::tempdir().unwrap();
    super::copy_dir(site, work.path());
    let output = Command::new(program)
        .current_dir(work.path())
        .args(["build", "-o"])
        .arg(out)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    Built {
        ok: output.status.success(),
        log: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// The comparison of two output folders, Zola's being the reference.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub zola_files: usize,
    /// Zola's output paths that Maillage did not write.
    pub missing: Vec<String>,
    /// Paths Maillage wrote that Zola did not.
    pub extra: Vec<String>,
    /// Similarity of the visible text of each HTML page both wrote.
    pub similarity: BTreeMap<String, f64>,
    /// Pages whose words are Zola's in another order: Zola lists a
    /// section's pages without `sort_by`, and translations, in an order
    /// that changes from one build to the next.
    pub reordered: BTreeSet<String>,
    /// Feeds whose items (title and link) differ: path, Zola's, Maillage's.
    pub feed_differences: Vec<(String, Vec<String>, Vec<String>)>,
    /// Sitemap URLs only Zola lists, and only Maillage lists.
    pub sitemap_missing: Vec<String>,
    pub sitemap_extra: Vec<String>,
}

impl Report {
    pub(crate) fn written_share(&self) -> f64 {
        if self.zola_files == 0 {
            return 1.0;
        }
        (self.zola_files - self.missing.len()) as f64 / self.zola_files as f64
    }

    pub(crate) fn median_similarity(&self) -> f64 {
        let mut values: Vec<f64> = self.similarity.values().copied().collect();
        if values.is_empty() {
            return 1.0;
        }
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    }

    pub(crate) fn worst(&self) -> Option<(&str, f64)> {
        self.similarity
            .iter()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map(|(path, value)| (path.as_str(), *value))
    }

    /// A summary to print, the details of what differs included.
    pub(crate) fn describe(&self) -> String {
        let mut out = format!(
            "Zola wrote {} files; Maillage wrote {} of them ({:.1} %), and {} more.\n",
            self.zola_files,
            self.zola_files - self.missing.len(),
            100.0 * self.written_share(),
            self.extra.len()
        );
        out += &format!(
            "Pages compared: {}; median text similarity {:.4}",
            self.similarity.len(),
            self.median_similarity()
        );
        if let Some((path, value)) = self.worst() {
            out += &format!("; worst {value:.4} ({path})");
        }
        if !self.reordered.is_empty() {
            out += &format!(
                "; {} with the same words in another order",
                self.reordered.len()
            );
        }
        out.push('\n');
        for path in &self.missing {
            out += &format!("  missing: {path}\n");
        }
        for path in &self.extra {
            out += &format!("  extra: {path}\n");
        }
        for (path, value) in &self.similarity {
            if self.reordered.contains(path) {
                out += &format!("  text {value:.4}: {path} (the same words in another order)\n");
            } else if *value < 1.0 {
                out += &format!("  text {value:.4}: {path}\n");
            }
        }
        for (path, zola, maillage) in &self.feed_differences {
            out += &format!("  feed {path}:\n    zola:     {zola:?}\n    maillage: {maillage:?}\n");
        }
        for url in &self.sitemap_missing {
            out += &format!("  sitemap lacks: {url}\n");
        }
        for url in &self.sitemap_extra {
            out += &format!("  sitemap has more: {url}\n");
        }
        out
    }
}

/// Compares Maillage's output folder with Zola's.
pub(crate) fn compare(zola: &Path, maillage: &Path) -> Report {
    let zola_files: BTreeSet<String> = super::files(zola)
        .into_iter()
        .map(|p| comparable(&p))
        .collect();
    let maillage_files: BTreeSet<String> = super::files(maillage)
        .into_iter()
        .map(|p| comparable(&p))
        .collect();
    let mut report = Report {
        zola_files: zola_files.len(),
        missing: zola_files.difference(&maillage_files).cloned().collect(),
        extra: maillage_files.difference(&zola_files).cloned().collect(),
        ..Default::default()
    };
    let text = TextExtractor::new();
    for path in zola_files.intersection(&maillage_files) {
        let (Ok(z), Ok(m)) = (
            std::fs::read_to_string(zola.join(path)),
            std::fs::read_to_string(maillage.join(path)),
        ) else {
            continue;
        };
        if path.ends_with(".html") {
            let (z, m) = (text.words(&z), text.words(&m));
            let value = similarity(&z, &m);
            if value < 1.0 && same_words(&z, &m) {
                report.reordered.insert(path.clone());
            }
            report.similarity.insert(path.clone(), value);
        } else if path.ends_with("sitemap.xml") {
            let (z, m) = (locations(&z), locations(&m));
            report.sitemap_missing.extend(z.difference(&m).cloned());
            report.sitemap_extra.extend(m.difference(&z).cloned());
        } else if is_feed(path, &z) {
            let (zi, mi) = (feed_items(&z), feed_items(&m));
            if zi != mi {
                report.feed_differences.push((path.clone(), zi, mi));
            }
        }
    }
    report
}

/// The path as compared: a processed image's hash, which Zola and Maillage
/// compute differently, is left out (`processed_images/photo.*.png`).
fn comparable(path: &str) -> String {
    static HASHED: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let hashed = HASHED
        .get_or_init(|| Regex::new(r"^(.*processed_images/.+)\.[0-9a-f]{16}(\.\w+)$").unwrap());
    hashed.replace(path, "$1.*$2").into_owned()
}

fn is_feed(path: &str, text: &str) -> bool {
    path.ends_with(".xml") && (text.contains("<feed") || text.contains("<rss"))
}

/// Each item's or entry's title and link, in order.
pub(crate) fn feed_items(xml: &str) -> Vec<String> {
    let Ok(doc) = roxmltree::Document::parse(xml) else {
        return vec![format!("unparsable feed: {}", xml.len())];
    };
    let child_text = |node: roxmltree::Node, name: &str| {
        node.children()
            .find(|c| c.tag_name().name() == name)
            .map(|c| {
                c.text()
                    .map(str::to_string)
                    .or_else(|| c.attribute("href").map(str::to_string))
                    .unwrap_or_default()
            })
            .unwrap_or_default()
    };
    doc.descendants()
        .filter(|n| matches!(n.tag_name().name(), "item" | "entry"))
        .map(|n| {
            format!(
                "{} <{}>",
                child_text(n, "title").trim(),
                child_text(n, "link")
            )
        })
        .collect()
}

/// The `<loc>` URLs of a sitemap.
pub(crate) fn locations(xml: &str) -> BTreeSet<String> {
    let Ok(doc) = roxmltree::Document::parse(xml) else {
        return BTreeSet::from([format!("unparsable sitemap: {}", xml.len())]);
    };
    doc.descendants()
        .filter(|n| n.tag_name().name() == "loc")
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect()
}

/// The visible text of an HTML page, as words: what a reader sees, without
/// the head, scripts, styles, comments and tags; entities decoded.
pub(crate) struct TextExtractor {
    hidden: Regex,
    /// Inline elements, removed without a space: a highlighter cutting a
    /// word in two spans does not change the text.
    inline: Regex,
    tag: Regex,
    entity: Regex,
}

impl TextExtractor {
    pub(crate) fn new() -> Self {
        TextExtractor {
            hidden: Regex::new(
                r"(?is)<!--.*?-->|<head[\s>].*?</head>|<script[\s>].*?</script>|<style[\s>].*?</style>",
            )
            .unwrap(),
            inline: Regex::new(r"(?i)</?(span|a|em|strong|code|b|i|small|sup|sub|abbr|mark|time|kbd|s|u)(\s[^>]*)?>").unwrap(),
            tag: Regex::new(r"(?s)<[^>]*>").unwrap(),
            entity: Regex::new(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);").unwrap(),
        }
    }

    pub(crate) fn words(&self, html: &str) -> Vec<String> {
        let visible = self.hidden.replace_all(html, " ");
        let joined = self.inline.replace_all(&visible, "");
        let text = self.tag.replace_all(&joined, " ");
        let text = self
            .entity
            .replace_all(&text, |c: &regex::Captures| decode(&c[1]));
        text.split_whitespace().map(str::to_string).collect()
    }
}

fn decode(entity: &str) -> String {
    let code = if let Some(hex) = entity.strip_prefix("#x").or(entity.strip_prefix("#X")) {
        u32::from_str_radix(hex, 16).ok()
    } else if let Some(dec) = entity.strip_prefix('#') {
        dec.parse().ok()
    } else {
        match entity {
            "amp" => Some('&' as u32),
            "lt" => Some('<' as u32),
            "gt" => Some('>' as u32),
            "quot" => Some('"' as u32),
            "apos" => Some('\'' as u32),
            "nbsp" => Some(' ' as u32),
            _ => None,
        }
    };
    code.and_then(char::from_u32)
        .map(String::from)
        .unwrap_or_else(|| format!("&{entity};"))
}

/// Whether both texts have the same words, each as many times.
fn same_words(a: &[String], b: &[String]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort();
    b.sort();
    a == b
}

/// 2 × (longest common subsequence of words) / (words in both): 1.0 for
/// equal texts, 0.0 for texts with nothing in common.
pub(crate) fn similarity(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a == b {
        return 1.0;
    }
    let mut previous = vec![0u32; b.len() + 1];
    let mut current = vec![0u32; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
            current[j + 1] = if x == y {
                previous[j] + 1
            } else {
                previous[j + 1].max(current[j])
            };
        }
        std::mem::swap(&mut previous, &mut current);
    }
    2.0 * previous[b.len()] as f64 / (a.len() + b.len()) as f64
}
