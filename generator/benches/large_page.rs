//! Builds a site whose one page is a large Markdown file full of links, at
//! 1, 5 and 20 MB, and prints the time per MB of each size: a build whose
//! cost grows linearly with the page shows the same time per MB at every
//! size.
//!
//!     cargo bench -p maillage --bench large_page
//!
//! Environment: MAILLAGE_BENCH_RUNS (default 3), MAILLAGE_BENCH_SIZES
//! (sizes in MB, default `1,5,20`). The page has 15,000 links per MB
//! (300,000 at 20 MB): internal `@/` links with anchors and external links,
//! with an HTML shortcode every 200 lines so that lines are also located
//! through expanded shortcodes, and a heading every 50 lines.

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use support::spread;

const LINKS_PER_MB: usize = 15_000;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A site with `content/grande.md` of about `mb` MB holding `links` links.
fn write_site(dir: &Path, mb: usize) -> usize {
    let links = mb * LINKS_PER_MB;
    std::fs::create_dir_all(dir.join("content")).unwrap();
    std::fs::create_dir_all(dir.join("templates/shortcodes")).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "base_url = \"https://exemple.org\"\ntitle = \"Banc d'essai\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("templates/index.html"), "{{ section.title }}").unwrap();
    std::fs::write(
        dir.join("templates/page.html"),
        "<main>{{ page.content | safe }}</main>",
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/shortcodes/encart.html"),
        "<aside>{{ texte }}</aside>",
    )
    .unwrap();
    std::fs::write(
        dir.join("content/cible.md"),
        "+++\ntitle = \"Cible\"\n+++\n## Section {#section}\n",
    )
    .unwrap();
    let target = mb * 1_000_000;
    let mut text = String::with_capacity(target + 1024);
    text.push_str("+++\ntitle = \"Une grande page\"\n+++\n");
    let mut written = 0;
    let mut line = 0;
    while written < links {
        line += 1;
        if line % 50 == 0 {
            let _ = writeln!(text, "\n## Partie {line}\n");
        }
        if line % 200 == 0 {
            let _ = writeln!(text, "{{{{ encart(texte=\"Encart {line}\") }}}}\n");
        }
        let _ = write!(
            text,
            "Voir [la cible](@/cible.md#section) puis [le site {written}](https://exemple.org/{written}/)"
        );
        written += 2;
        // Plain words up to the page's size per link.
        let per_link = target / links;
        while text.len() < written * per_link {
            text.push_str(" et un peu de texte autour");
        }
        text.push_str(".\n");
    }
    std::fs::write(dir.join("content/grande.md"), &text).unwrap();
    text.len()
}

fn main() {
    let runs = env_or("MAILLAGE_BENCH_RUNS", 3usize).max(1);
    let sizes: Vec<usize> = std::env::var("MAILLAGE_BENCH_SIZES")
        .unwrap_or_else(|_| "1,5,20".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    println!("| page | links | build median (min–max) | per MB |");
    println!("| ---: | ---: | ---: | ---: |");
    for mb in sizes {
        let dir = tempfile::tempdir().unwrap();
        let bytes = write_site(dir.path(), mb);
        let options = maillage::BuildOptions {
            root: dir.path().to_path_buf(),
            ..Default::default()
        };
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let start = Instant::now();
            maillage::build(&options).expect("the large page builds");
            times.push(start.elapsed().as_secs_f64());
        }
        let (median, min, max) = spread(&times);
        let size_mb = bytes as f64 / 1_000_000.0;
        println!(
            "| {size_mb:.1} MB | {} | {median:.2} s ({min:.2}–{max:.2}) | {:.3} s |",
            mb * LINKS_PER_MB,
            median / size_mb
        );
    }
}
