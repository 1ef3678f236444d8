//! Zola's image processing: `resize_image` and `get_image_metadata`.
//!
//! Templates ask for resized images while they render; each request is
//! queued under a file name made from the source path, the operation and
//! the format, and its URL returned at once. After rendering, [`process`]
//! encodes what is missing or older than its source into
//! `static/processed_images/` (the cache Zola keeps there too, so an
//! unchanged image is not encoded again on the next build) and removes the
//! files no template asked for; the static files' copy then publishes them.
//!
//! [`process`]: ImageProcessor::process

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use rayon::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The folder, under the output and under `static/`, of processed images.
pub const PROCESSED_DIR: &str = "processed_images";

/// How to resize (`op`), with Zola's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResizeOp {
    /// Exactly this size, whatever the aspect ratio.
    Scale(u32, u32),
    FitWidth(u32),
    FitHeight(u32),
    /// Within this box, aspect ratio kept; never enlarged.
    Fit(u32, u32),
    /// Exactly this size, cropped around the centre to keep the aspect ratio.
    Fill(u32, u32),
}

impl ResizeOp {
    pub fn from_args(op: &str, width: Option<u32>, height: Option<u32>) -> Result<Self, String> {
        let both = |name: &str| match (width, height) {
            (Some(w), Some(h)) => Ok((w, h)),
            _ => Err(format!("op=\"{name}\" needs a `width` and a `height`")),
        };
        match op {
            "scale" => both(op).map(|(w, h)| ResizeOp::Scale(w, h)),
            "fit" => both(op).map(|(w, h)| ResizeOp::Fit(w, h)),
            "fill" => both(op).map(|(w, h)| ResizeOp::Fill(w, h)),
            "fit_width" => width
                .map(ResizeOp::FitWidth)
                .ok_or_else(|| "op=\"fit_width\" needs a `width`".to_string()),
            "fit_height" => height
                .map(ResizeOp::FitHeight)
                .ok_or_else(|| "op=\"fit_height\" needs a `height`".to_string()),
            other => Err(format!(
                "unknown op `{other}`: expected scale, fit_width, fit_height, fit or fill"
            )),
        }
    }

    fn key(&self) -> String {
        format!("{self:?}")
    }
}

/// What to do to the source: crop (x, y, w, h), then resize (w, h).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Plan {
    pub crop: Option<(u32, u32, u32, u32)>,
    pub resize: Option<(u32, u32)>,
}

impl Plan {
    /// Zola's arithmetic: integer proportions, `fit` leaves smaller images
    /// alone, `fill` only crops when the aspect ratios differ noticeably.
    pub fn new(op: ResizeOp, (orig_w, orig_h): (u32, u32)) -> Plan {
        let (ow, oh) = (u64::from(orig_w), u64::from(orig_h));
        let resize = |w: u64, h: u64| Plan {
            crop: None,
            resize: Some((w as u32, h as u32)),
        };
        match op {
            ResizeOp::Scale(w, h) => resize(w.into(), h.into()),
            ResizeOp::FitWidth(w) => resize(w.into(), oh * u64::from(w) / ow.max(1)),
            ResizeOp::FitHeight(h) => resize(ow * u64::from(h) / oh.max(1), h.into()),
            ResizeOp::Fit(w, h) => {
                if orig_w <= w && orig_h <= h {
                    Plan::default()
                } else if ow * u64::from(h) > oh * u64::from(w) {
                    Plan::new(ResizeOp::FitWidth(w), (orig_w, orig_h))
                } else {
                    Plan::new(ResizeOp::FitHeight(h), (orig_w, orig_h))
                }
            }
            ResizeOp::Fill(w, h) => {
                let factor_w = orig_w as f32 / w as f32;
                let factor_h = orig_h as f32 / h as f32;
                if (factor_w - factor_h).abs() <= 0.1 {
                    return resize(w.into(), h.into());
                }
                let (crop_w, crop_h) = if factor_w < factor_h {
                    (orig_w, (factor_w * h as f32).round() as u32)
                } else {
                    ((factor_h * w as f32).round() as u32, orig_h)
                };
                let (x, y) = if factor_w < factor_h {
                    (0, (orig_h - crop_h) / 2)
                } else {
                    ((orig_w - crop_w) / 2, 0)
                };
                Plan {
                    crop: Some((x, y, crop_w, crop_h)),
                    resize: Some((w, h)),
                }
            }
        }
    }
}

/// The output format (`format`, `quality`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    Jpeg(u8),
    Png,
    /// WebP is written lossless: the pure-Rust encoder has no lossy mode,
    /// so `quality` is checked but not used.
    WebP(Option<u8>),
    Avif(u8, u8),
}

impl OutputFormat {
    /// `auto` keeps JPEG for JPEG sources and PNG for the others, as Zola does.
    pub fn from_args(
        source_is_lossy: bool,
        format: &str,
        quality: Option<u8>,
        speed: Option<u8>,
    ) -> Result<Self, String> {
        let format = match (format, source_is_lossy) {
            ("auto", true) => "jpg",
            ("auto", false) => "png",
            (other, _) => other,
        };
        let in_range = |q: u8, low: u8, what: &str| {
            if (low..=100).contains(&q) {
                Ok(q)
            } else {
                Err(format!(
                    "quality for {what} must be between {low} and 100; {q} is not"
                ))
            }
        };
        match format {
            "jpg" | "jpeg" => Ok(OutputFormat::Jpeg(in_range(
                quality.unwrap_or(75),
                1,
                "JPEG",
            )?)),
            "png" => Ok(OutputFormat::Png),
            "webp" => Ok(OutputFormat::WebP(
                quality.map(|q| in_range(q, 0, "WebP")).transpose()?,
            )),
            "avif" => {
                let speed = speed.unwrap_or(5);
                if !(1..=10).contains(&speed) {
                    return Err(format!(
                        "speed for AVIF must be between 1 and 10; {speed} is not"
                    ));
                }
                Ok(OutputFormat::Avif(
                    in_range(quality.unwrap_or(80), 1, "AVIF")?,
                    speed,
                ))
            }
            other => Err(format!(
                "unknown format `{other}`: expected auto, jpg, png, webp or avif"
            )),
        }
    }

    pub fn extension(&self) -> &'static str {
        match self {
            OutputFormat::Jpeg(_) => "jpg",
            OutputFormat::Png => "png",
            OutputFormat::WebP(_) => "webp",
            OutputFormat::Avif(..) => "avif",
        }
    }
}

/// A source image's size (EXIF rotation applied) and format.
#[derive(Debug, Clone, Copy)]
struct Meta {
    size: (u32, u32),
    format: ImageFormat,
}

/// One queued resize.
#[derive(Debug, Clone)]
struct Job {
    source: PathBuf,
    plan: Plan,
    format: OutputFormat,
}

/// What [`ImageProcessor::process`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Processed {
    /// Images encoded in this run.
    pub encoded: usize,
    /// Images already in the cache, newer than their source.
    pub reused: usize,
}

/// The queue of resizes asked for by templates, and the cache they go to.
pub struct ImageProcessor {
    root: PathBuf,
    theme: Option<String>,
    /// `https://example.org/processed_images/`.
    base_url: String,
    jobs: Mutex<BTreeMap<String, Job>>,
    meta: Mutex<HashMap<PathBuf, Meta>>,
}

impl ImageProcessor {
    pub fn new(root: &Path, theme: Option<&str>, base_url: String) -> Self {
        ImageProcessor {
            root: root.to_path_buf(),
            theme: theme.map(str::to_string),
            base_url,
            jobs: Mutex::default(),
            meta: Mutex::default(),
        }
    }

    /// The cache folder, `static/processed_images/` of the site.
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join("static").join(PROCESSED_DIR)
    }

    /// Finds `path` as Zola does: `@/` in `content/`; else from the site's
    /// root, then in `static/`, `content/` and the theme's `static/`.
    pub fn find(&self, path: &str) -> Option<PathBuf> {
        find_file(&self.root, self.theme.as_deref(), path)
    }

    fn meta(&self, source: &Path) -> Result<Meta, String> {
        if let Some(m) = self
            .meta
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(source)
        {
            return Ok(*m);
        }
        let m = read_meta(source)?;
        self.meta
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(source.to_path_buf(), m);
        Ok(m)
    }

    /// `resize_image`: queues the resize and returns what Zola returns
    /// (`url`, `static_path`, `width`, `height`, `orig_width`, `orig_height`).
    pub fn resize(
        &self,
        path: &str,
        op: ResizeOp,
        format: &str,
        quality: Option<u8>,
        speed: Option<u8>,
    ) -> Result<Value, String> {
        let source = self
            .find(path)
            .ok_or_else(|| format!("image `{path}` not found"))?;
        let meta = self.meta(&source)?;
        let format =
            OutputFormat::from_args(meta.format == ImageFormat::Jpeg, format, quality, speed)?;
        if matches!(format, OutputFormat::Avif(..)) && !cfg!(feature = "avif") {
            return Err("AVIF output needs Maillage built with the `avif` feature".into());
        }
        let name = file_name(&source, path, op, format);
        let plan = Plan::new(op, meta.size);
        let (width, height) = plan.resize.unwrap_or(meta.size);
        self.jobs.lock().unwrap_or_else(|e| e.into_inner()).insert(
            name.clone(),
            Job {
                source,
                plan,
                format,
            },
        );
        Ok(json!({
            "url": format!("{}{name}", self.base_url),
            "static_path": format!("static/{PROCESSED_DIR}/{name}"),
            "width": width,
            "height": height,
            "orig_width": meta.size.0,
            "orig_height": meta.size.1,
        }))
    }

    /// `get_image_metadata`: `width`, `height`, `format` and `mime`.
    pub fn metadata(&self, path: &str, allow_missing: bool) -> Result<Value, String> {
        let Some(source) = self.find(path) else {
            return if allow_missing {
                Ok(Value::Null)
            } else {
                Err(format!("image `{path}` not found"))
            };
        };
        if source
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
        {
            let (width, height) = svg_size(&source)?;
            return Ok(
                json!({ "width": width, "height": height, "format": "svg", "mime": "text/svg+xml" }),
            );
        }
        let meta = self.meta(&source)?;
        Ok(json!({
            "width": meta.size.0,
            "height": meta.size.1,
            "format": meta.format.extensions_str().first().copied().unwrap_or(""),
            "mime": meta.format.to_mime_type(),
        }))
    }

    /// Encodes every queued image missing from the cache or older than its
    /// source, in parallel, and deletes cached files no template asked for.
    pub fn process(&self) -> Result<Processed, String> {
        let jobs = std::mem::take(&mut *self.jobs.lock().unwrap_or_else(|e| e.into_inner()));
        let dir = self.cache_dir();
        if jobs.is_empty() && !dir.is_dir() {
            return Ok(Processed::default());
        }
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let results: Vec<Result<bool, String>> = jobs
            .par_iter()
            .map(|(name, job)| {
                let target = dir.join(name);
                if is_fresh(&job.source, &target) {
                    return Ok(false);
                }
                let bytes = encode(job).map_err(|e| format!("{}: {e}", job.source.display()))?;
                write_atomically(&target, &bytes)
                    .map_err(|e| format!("{}: {e}", target.display()))?;
                Ok(true)
            })
            .collect();
        let mut done = Processed::default();
        for result in results {
            if result? {
                done.encoded += 1;
            } else {
                done.reused += 1;
            }
        }
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if entry.path().is_file() && !jobs.contains_key(&name) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        Ok(done)
    }
}

/// `stem.<16 hex digits>.<ext>`, Zola's pattern; the digits are a hash of
/// the path as written, the operation and the format (SHA-256, stable from
/// one build and one compiler to the next).
fn file_name(source: &Path, path: &str, op: ResizeOp, format: OutputFormat) -> String {
    let mut hasher = Sha256::new();
    hasher.update(path.as_bytes());
    hasher.update([0]);
    hasher.update(op.key().as_bytes());
    hasher.update([0]);
    hasher.update(format!("{format:?}").as_bytes());
    let digest = hasher.finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "image".into());
    format!("{stem}.{hex}.{}", format.extension())
}

pub fn find_file(root: &Path, theme: Option<&str>, path: &str) -> Option<PathBuf> {
    if let Some(rest) = path.strip_prefix("@/") {
        let p = root.join("content").join(rest);
        return p.is_file().then_some(p);
    }
    let path = path.trim_start_matches('/');
    let mut candidates = vec![
        root.join(path),
        root.join("static").join(path),
        root.join("content").join(path),
    ];
    if let Some(theme) = theme {
        candidates.push(root.join("themes").join(theme).join("static").join(path));
    }
    candidates.into_iter().find(|p| p.is_file())
}

fn read_meta(source: &Path) -> Result<Meta, String> {
    let reader = ImageReader::open(source)
        .and_then(|r| r.with_guessed_format())
        .map_err(|e| format!("cannot read image {}: {e}", source.display()))?;
    let format = reader
        .format()
        .ok_or_else(|| format!("{}: not an image format Maillage reads", source.display()))?;
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| format!("cannot read image {}: {e}", source.display()))?;
    let (w, h) = decoder.dimensions();
    let turned = matches!(
        decoder.orientation(),
        Ok(image::metadata::Orientation::Rotate90
            | image::metadata::Orientation::Rotate270
            | image::metadata::Orientation::Rotate90FlipH
            | image::metadata::Orientation::Rotate270FlipH)
    );
    let size = if turned { (h, w) } else { (w, h) };
    Ok(Meta { size, format })
}

/// Width and height of an SVG: its `width`/`height` attributes, else its
/// `viewBox`.
fn svg_size(path: &Path) -> Result<(f64, f64), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let tag_start = text
        .find("<svg")
        .ok_or_else(|| format!("{}: no <svg> element", path.display()))?;
    let tag = &text[tag_start
        ..text[tag_start..]
            .find('>')
            .map_or(text.len(), |i| tag_start + i)];
    let attr = |name: &str| -> Option<String> {
        let re = regex::Regex::new(&format!(r#"\s{name}\s*=\s*["']([^"']*)["']"#)).ok()?;
        re.captures(tag).map(|c| c[1].to_string())
    };
    let number = |s: &str| s.trim().trim_end_matches("px").parse::<f64>().ok();
    if let (Some(w), Some(h)) = (
        attr("width").as_deref().and_then(number),
        attr("height").as_deref().and_then(number),
    ) {
        return Ok((w, h));
    }
    let view_box = attr("viewBox").unwrap_or_default();
    let parts: Vec<f64> = view_box
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter_map(number)
        .collect();
    match parts[..] {
        [_, _, w, h] => Ok((w, h)),
        _ => Err(format!("{}: no width, height nor viewBox", path.display())),
    }
}

fn is_fresh(source: &Path, target: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(source), modified(target)) {
        (Some(s), Some(t)) => t >= s,
        _ => false,
    }
}

fn decode(source: &Path) -> Result<DynamicImage, String> {
    let mut decoder = ImageReader::open(source)
        .and_then(|r| r.with_guessed_format())
        .map_err(|e| e.to_string())?
        .into_decoder()
        .map_err(|e| e.to_string())?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    img.apply_orientation(orientation);
    Ok(img)
}

fn encode(job: &Job) -> Result<Vec<u8>, String> {
    let mut img = decode(&job.source)?;
    if let Some((x, y, w, h)) = job.plan.crop {
        img = img.crop_imm(x, y, w, h);
    }
    if let Some((w, h)) = job.plan.resize {
        img = img.resize_exact(w, h, image::imageops::FilterType::Lanczos3);
    }
    let mut out = Cursor::new(Vec::new());
    match job.format {
        OutputFormat::Png => img.write_to(&mut out, ImageFormat::Png),
        OutputFormat::Jpeg(quality) => {
            let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
            rgb.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut out, quality,
            ))
        }
        OutputFormat::WebP(_) => {
            let rgba = DynamicImage::ImageRgba8(img.to_rgba8());
            rgba.write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut out))
        }
        #[cfg(feature = "avif")]
        OutputFormat::Avif(quality, speed) => {
            let rgba = DynamicImage::ImageRgba8(img.to_rgba8());
            rgba.write_with_encoder(image::codecs::avif::AvifEncoder::new_with_speed_quality(
                &mut out, speed, quality,
            ))
        }
        #[cfg(not(feature = "avif"))]
        OutputFormat::Avif(..) => return Err("AVIF output needs the `avif` feature".into()),
    }
    .map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

/// Writes through a temporary file renamed into place, so that an
/// interrupted build never leaves a truncated image in the cache.
fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = target.with_extension(format!(
        "{}.tmp{}",
        target.extension().and_then(|e| e.to_str()).unwrap_or(""),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_follow_zola() {
        assert_eq!(
            Plan::new(ResizeOp::FitWidth(150), (300, 200)).resize,
            Some((150, 100))
        );
        assert_eq!(
            Plan::new(ResizeOp::FitHeight(50), (300, 200)).resize,
            Some((75, 50))
        );
        assert_eq!(
            Plan::new(ResizeOp::Fit(400, 400), (300, 200)),
            Plan::default()
        );
        assert_eq!(
            Plan::new(ResizeOp::Fit(100, 100), (300, 200)).resize,
            Some((100, 66))
        );
        let fill = Plan::new(ResizeOp::Fill(100, 100), (300, 200));
        assert_eq!(fill.crop, Some((50, 0, 200, 200)));
        assert_eq!(fill.resize, Some((100, 100)));
        assert_eq!(
            Plan::new(ResizeOp::Scale(10, 90), (300, 200)).resize,
            Some((10, 90))
        );
    }

    #[test]
    fn formats_and_their_limits() {
        assert_eq!(
            OutputFormat::from_args(true, "auto", None, None),
            Ok(OutputFormat::Jpeg(75))
        );
        assert_eq!(
            OutputFormat::from_args(false, "auto", None, None),
            Ok(OutputFormat::Png)
        );
        assert!(OutputFormat::from_args(false, "jpg", Some(0), None).is_err());
        assert!(OutputFormat::from_args(false, "gif", None, None).is_err());
        assert!(ResizeOp::from_args("fill", Some(1), None).is_err());
        assert!(ResizeOp::from_args("crop", Some(1), Some(1)).is_err());
    }
}
