//! `maillage region key REGION`: a new coordinator's key for a region.
//! The key opens the region's coordinator's page (`[extra]
//! coordination_page`); `data/regions.yaml` keeps only its SHA-256
//! (`coordinator_key_sha256`), which `maillage sync` gives the function.

use maillage_model::clock;
use maillage_network::data;

use super::files;
use super::key;
use crate::build::{load_config, BuildOptions};
use crate::failure::{Failure, Outcome};

/// The coordinator's page when the site does not name one.
const DEFAULT_PAGE: &str = "/coordination/";

/// `maillage region key REGION` (its slug or its code): a new key replaces
/// the region's, the change is read back, and the private link printed once.
pub(crate) fn region_key_command(options: &BuildOptions, wanted: &str) -> Outcome<String> {
    let root = &options.root;
    let config = load_config(options)?;
    let loaded = data::load(root, clock::now())?;
    let region = loaded
        .data
        .regions
        .iter()
        .find(|r| r.slug == wanted || r.code == wanted)
        .ok_or_else(|| {
            Failure::other(
                "region key",
                format!("no region {wanted:?} in data/regions.yaml (give its slug or its code)"),
            )
        })?;
    let slug = region.slug.clone();
    let file = &loaded.data.files[region.origin.file as usize];
    let entry = region.origin.entry as usize;
    let key = key::generate()?;
    let Some(line) = file.entry_line(entry) else {
        return Err(Failure::other(
            file.path.display().to_string(),
            format!("cannot find where region {slug} starts: set its coordinator_key_sha256 to {} by hand, and give the coordinator the key {}", key.sha256, key.key),
        ));
    };
    let path = root.join(&file.path);
    let previous = files::set_key_hash(
        &path,
        line,
        file.entry_line(entry + 1),
        "coordinator_key_sha256",
        &key.sha256,
    )?;
    let after = match data::load(root, clock::now()) {
        Ok(after) => after,
        Err(failure) => {
            previous.restore()?;
            return Err(failure.into());
        }
    };
    let stored = after
        .data
        .regions
        .iter()
        .find(|r| r.slug == slug)
        .and_then(|r| r.coordinator_key_sha256.as_deref());
    if stored != Some(key.sha256.as_str()) {
        previous.restore()?;
        return Err(Failure::other(
            "data/",
            format!(
                "region {slug} does not read back with its new key's hash; nothing was changed"
            ),
        ));
    }
    let page = config
        .extra
        .get("coordination_page")
        .and_then(|p| p.as_str())
        .unwrap_or(DEFAULT_PAGE);
    let link = format!(
        "{}{page}#region={slug}&cle={}",
        config.base_url.trim_end_matches('/'),
        key.key
    );
    Ok(format!(
        "New coordinator's key for region {slug} in {}; the previous key stops working once the store is synced.\n\n\
         The coordinator's private link (shown this once: data/ keeps only the key's hash):\n  {link}\nKey: {key}\nHash: {hash}\n\n\
         Give it to the region's coordinator only, then publish data/ and run `maillage sync` so the function knows the key.\n",
        file.path.display(),
        key = key.key,
        hash = key.sha256,
    ))
}
