//! Image processing: a site whose templates resize its photos, built once
//! with an empty cache (every image encoded) and then rebuilt unchanged
//! (nothing encoded again), with `maillage build` (release profile).
//!
//!     cargo bench -p maillage --bench images
//!
//! Environment: MAILLAGE_BENCH_PHOTOS (default 20 photos of 1600×1200, each
//! resized three ways: a 300×200 JPEG thumbnail, an 800-wide WebP, a PNG
//! within 1200×1200), MAILLAGE_BENCH_RUNS (default 3).

mod support;

use std::path::Path;
use std::process::Command;

use support::{env_or, measure, median};

/// A site of `photos` co-located photos and a page template resizing each.
fn make_site(dir: &Path, photos: usize) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "base_url = \"https://example.org\"\ntitle = \"Photos\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("content")).unwrap();
    std::fs::write(
        dir.join("content/_index.md"),
        "+++\ntitle = \"Photos\"\n+++\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/index.html"),
        "<!doctype html><ul>{% for p in section.pages %}<li>{{ p.title }}</li>{% endfor %}</ul>",
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/page.html"),
        r#"<!doctype html><h1>{{ page.title }}</h1>
{% set src = page.colocated_path ~ "photo.png" %}
{% set a = resize_image(path=src, width=300, height=200, op="fill", format="jpg") %}
{% set b = resize_image(path=src, width=800, op="fit_width", format="webp") %}
{% set c = resize_image(path=src, width=1200, height=1200, op="fit") %}
<img src="{{ a.url }}"><img src="{{ b.url }}"><img src="{{ c.url }}">"#,
    )
    .unwrap();
    for i in 0..photos {
        let folder = dir.join(format!("content/photo-{i}"));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("index.md"),
            format!("+++\ntitle = \"Photo {i}\"\n+++\n"),
        )
        .unwrap();
        let image = image::RgbImage::from_fn(1600, 1200, |x, y| {
            let v = (x * 7 + y * 13 + i as u32 * 31) % 256;
            image::Rgb([v as u8, (x / 7 % 256) as u8, (y / 5 % 256) as u8])
        });
        image.save(folder.join("photo.png")).unwrap();
    }
}

/// Processed images whose file is newer than `since`.
fn written_since(cache: &Path, since: std::time::SystemTime) -> usize {
    std::fs::read_dir(cache)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| {
                    e.metadata()
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| t > since)
                })
                .count()
        })
        .unwrap_or(0)
}

fn main() {
    let photos: usize = env_or("MAILLAGE_BENCH_PHOTOS", 20);
    let runs: usize = env_or("MAILLAGE_BENCH_RUNS", 3);
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-images");
    let site = target.join("site");
    make_site(&site, photos);
    let maillage = env!("CARGO_BIN_EXE_maillage");
    let cache = site.join("static/processed_images");
    let build = || {
        let mut command = Command::new(maillage);
        command
            .current_dir(&site)
            .args(["build", "--force", "-o"])
            .arg(target.join("public"));
        command
    };
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    let (mut encoded_cold, mut encoded_warm) = (0, 0);
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(&cache);
        let before = std::time::SystemTime::now();
        cold.push(measure(&mut build()).wall.as_secs_f64());
        encoded_cold = written_since(&cache, before);
        std::thread::sleep(std::time::Duration::from_millis(20));
        let before = std::time::SystemTime::now();
        warm.push(measure(&mut build()).wall.as_secs_f64());
        encoded_warm = written_since(&cache, before);
    }
    println!(
        "{photos} photos of 1600×1200, {} resized images, {runs} runs",
        photos * 3
    );
    println!("| build | wall (s, median) | images encoded |");
    println!("| --- | --- | --- |");
    println!("| empty cache | {:.2} | {encoded_cold} |", median(cold));
    println!(
        "| rebuild, nothing changed | {:.2} | {encoded_warm} |",
        median(warm)
    );
}
