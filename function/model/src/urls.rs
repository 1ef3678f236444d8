//! Where the network's pages live on the site: the one URL scheme that the
//! generator writes and the function links to, with today's folders as
//! defaults. A site names its own in `config.toml` (`[extra.urls]`); the
//! function reads the same (serve passes them on; on Lambda,
//! `MAILLAGE_URLS`).
//!
//! Only the four top folders move. What lies under them keeps its name:
//! `passees/` and `page/N/` beside meetup pages, `types/` beside place
//! pages, `calendrier.ics`, `atom.xml` and the map's `.geojson` files.

use serde::Deserialize;

/// The variable that names the folders on Lambda:
/// `meetups=/evenements/,places=/structures/` (unnamed ones keep their
/// default).
pub const URLS_VAR: &str = "MAILLAGE_URLS";

/// The four folders of the network's pages, each `/like/this/`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteUrls {
    /// Meetup pages, the listings and the feed.
    pub meetups: String,
    /// Place pages and the lists of places.
    pub places: String,
    /// Region pages and their list.
    pub regions: String,
    /// The map page and its GeoJSON files.
    pub map: String,
}

impl Default for SiteUrls {
    fn default() -> Self {
        SiteUrls {
            meetups: "/rencontres/".into(),
            places: "/lieux/".into(),
            regions: "/regions/".into(),
            map: "/carte/".into(),
        }
    }
}

/// Whether `path` is a folder of the site: `/absolute/`, no host, query,
/// fragment or `..`.
pub fn is_site_folder(path: &str) -> bool {
    path.starts_with('/')
        && path.ends_with('/')
        && !path.starts_with("//")
        && !path.contains(['?', '#', '\\'])
        && !path.split('/').any(|part| part == "..")
}

/// The `key=/path/` pairs of a variable, separated by commas.
pub(crate) fn key_paths(value: &str) -> Result<Vec<(&str, String)>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            pair.split_once('=')
                .map(|(key, path)| (key.trim(), path.trim().to_string()))
                .ok_or_else(|| format!("{pair:?} is not key=/path/"))
        })
        .collect()
}

impl SiteUrls {
    fn all(&self) -> [(&'static str, &str); 4] {
        [
            ("meetups", &self.meetups),
            ("places", &self.places),
            ("regions", &self.regions),
            ("map", &self.map),
        ]
    }

    /// Refuses a folder that is not `/absolute/` on the site, the site's
    /// root, or one folder given twice: the message names the key.
    pub fn validate(&self) -> Result<(), String> {
        for (i, (key, path)) in self.all().into_iter().enumerate() {
            if !is_site_folder(path) || path == "/" {
                return Err(format!(
                    "urls.{key}: {path:?} is not a folder of the site like \"/rencontres/\""
                ));
            }
            if let Some((other, _)) = self.all()[..i].iter().find(|(_, p)| *p == path) {
                return Err(format!(
                    "urls.{key}: {path:?} is already the folder of urls.{other}"
                ));
            }
        }
        Ok(())
    }

    /// Reads `key=/path/` pairs separated by commas over the defaults.
    pub fn from_pairs(value: &str) -> Result<SiteUrls, String> {
        let mut urls = SiteUrls::default();
        for (key, path) in key_paths(value)? {
            match key {
                "meetups" => urls.meetups = path,
                "places" => urls.places = path,
                "regions" => urls.regions = path,
                "map" => urls.map = path,
                other => {
                    return Err(format!(
                        "unknown folder {other:?} (meetups, places, regions, map)"
                    ))
                }
            }
        }
        urls.validate()?;
        Ok(urls)
    }

    /// `/rencontres/<id>/`.
    pub fn meetup(&self, id: &str) -> String {
        format!("{}{id}/", self.meetups)
    }

    /// `/rencontres/passees/`.
    pub fn past_meetups(&self) -> String {
        format!("{}passees/", self.meetups)
    }

    /// `/rencontres/atom.xml`.
    pub fn feed(&self) -> String {
        format!("{}atom.xml", self.meetups)
    }

    /// `/lieux/<id>/`.
    pub fn place(&self, id: &str) -> String {
        format!("{}{id}/", self.places)
    }

    /// `/lieux/types/<code>/`.
    pub fn place_type(&self, code: &str) -> String {
        format!("{}types/{code}/", self.places)
    }

    /// `/regions/<slug>/`.
    pub fn region(&self, slug: &str) -> String {
        format!("{}{slug}/", self.regions)
    }

    /// `/carte/<name>`: a file of the whole map.
    pub fn map_file(&self, name: &str) -> String {
        format!("{}{name}", self.map)
    }

    /// `/carte/regions/<code>/<name>`: a file of one region's map.
    pub fn region_map_file(&self, code: &str, name: &str) -> String {
        format!("{}regions/{code}/{name}", self.map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_todays_folders() {
        let urls = SiteUrls::default();
        assert_eq!(urls.meetup("brest"), "/rencontres/brest/");
        assert_eq!(urls.past_meetups(), "/rencontres/passees/");
        assert_eq!(urls.place_type("tiers-lieu"), "/lieux/types/tiers-lieu/");
        assert_eq!(urls.region("bretagne"), "/regions/bretagne/");
        assert_eq!(
            urls.region_map_file("53", "lieux.geojson"),
            "/carte/regions/53/lieux.geojson"
        );
        assert_eq!(urls.feed(), "/rencontres/atom.xml");
    }

    #[test]
    fn pairs_override_the_defaults_and_bad_folders_are_named() {
        let urls = SiteUrls::from_pairs("meetups=/evenements/, map=/plan/").unwrap();
        assert_eq!(urls.meetup("brest"), "/evenements/brest/");
        assert_eq!(urls.map_file("lieux.geojson"), "/plan/lieux.geojson");
        assert_eq!(urls.places, "/lieux/");
        let error = SiteUrls::from_pairs("places=https://ailleurs.example/").unwrap_err();
        assert!(error.contains("urls.places"), "{error}");
        let error = SiteUrls::from_pairs("places=/").unwrap_err();
        assert!(error.contains("urls.places"), "{error}");
        let error = SiteUrls::from_pairs("regions=/lieux/").unwrap_err();
        assert!(
            error.contains("urls.regions") && error.contains("urls.places"),
            "{error}"
        );
        let error = SiteUrls::from_pairs("events=/x/").unwrap_err();
        assert!(error.contains("unknown folder"), "{error}");
    }
}
