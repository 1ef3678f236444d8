//! The function's settings, from environment variables.

use maillage_model::result_pages::{ResultPages, RESULT_PAGES_VAR};
use maillage_model::urls::{SiteUrls, URLS_VAR};
use maillage_model::zone::{self, Tz};

/// Environment variable: the site's base URL (`https://rencontres.example.org`).
pub const SITE_URL_VAR: &str = "MAILLAGE_SITE_URL";
/// Environment variable: the only origin allowed by CORS.
pub const SITE_ORIGIN_VAR: &str = "MAILLAGE_SITE_ORIGIN";
/// Environment variable: the path prefix the function answers under.
pub const API_BASE_VAR: &str = "MAILLAGE_API_BASE";
/// Environment variable: the function's public URL, when it is not the
/// site's URL followed by the path prefix.
pub const API_URL_VAR: &str = "MAILLAGE_API_URL";
/// Environment variable: days after a meetup ends before personal data expires.
pub const RETENTION_DAYS_VAR: &str = "MAILLAGE_RETENTION_DAYS";
/// Environment variable: days after a meetup ends before its attestations
/// (name, role, meetup, day, code) expire; at least the retention above.
pub const ATTESTATION_RETENTION_DAYS_VAR: &str = "MAILLAGE_ATTESTATION_RETENTION_DAYS";
/// Environment variable: requests per client and per minute (0 turns it off).
pub const RATE_LIMIT_VAR: &str = "MAILLAGE_RATE_LIMIT";
/// Environment variable: the site's time zone (IANA name); times of meetups
/// elsewhere are followed by their zone's name.
pub const TIME_ZONE_VAR: &str = "MAILLAGE_TIME_ZONE";

/// Environment variable: the site's name, in the header of the pages the
/// function renders.
pub const SITE_NAME_VAR: &str = "MAILLAGE_SITE_NAME";

/// Environment variable: hours before a meetup's start, in its local time,
/// when its registrants get the automatic reminder (0 turns it off).
pub const REMINDER_HOURS_VAR: &str = "MAILLAGE_REMINDER_HOURS";
/// Default lead of the automatic reminder: two days.
pub const DEFAULT_REMINDER_HOURS: u32 = 48;

/// Default retention of personal data after a meetup, in days.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;
/// Default retention of attestations after a meetup, in days (three years).
pub const DEFAULT_ATTESTATION_RETENTION_DAYS: u32 = 3 * 365;
/// Default number of requests a client may send per minute.
pub const DEFAULT_RATE_LIMIT_PER_MINUTE: u32 = 30;

/// How the function answers: where the site is, who may call it from a
/// browser, how long personal data lives, how fast a client may send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionConfig {
    /// The site's base URL, without a trailing slash. Form posts are
    /// redirected to its result pages; empty means redirects relative to
    /// the host that served the request (the function and the site share it).
    pub site_url: String,
    /// The only origin (`scheme://host[:port]`) allowed by CORS; empty
    /// allows none.
    pub site_origin: String,
    /// The path prefix the routes live under (`/api`), without a trailing slash.
    pub api_base: String,
    /// The function's public base URL, for the cancellation links given to
    /// people; empty means `site_url` followed by `api_base`.
    pub api_url: String,
    /// Days after a meetup ends before its registrations and private notes expire.
    pub retention_days: u32,
    /// Days after a meetup ends before its attestations expire.
    pub attestation_retention_days: u32,
    /// Requests a client may send per minute (token bucket); 0 turns it off.
    pub rate_limit_per_minute: u32,
    /// Hours before a meetup's start (local time) when the automatic
    /// reminder goes; 0 turns it off.
    pub reminder_hours: u32,
    /// The site's time zone.
    pub time_zone: Tz,
    /// The site's name, in the header of the pages the function renders.
    pub site_name: String,
    /// The site's pages people are sent to after a form.
    pub result_pages: ResultPages,
    /// Where the network's pages live (a meetup's page, after a form sent
    /// without JavaScript).
    pub urls: SiteUrls,
}

impl Default for FunctionConfig {
    fn default() -> Self {
        FunctionConfig {
            site_url: String::new(),
            site_origin: String::new(),
            api_base: "/api".into(),
            api_url: String::new(),
            retention_days: DEFAULT_RETENTION_DAYS,
            attestation_retention_days: DEFAULT_ATTESTATION_RETENTION_DAYS,
            rate_limit_per_minute: DEFAULT_RATE_LIMIT_PER_MINUTE,
            reminder_hours: DEFAULT_REMINDER_HOURS,
            time_zone: zone::DEFAULT,
            site_name: "Maillage".into(),
            result_pages: ResultPages::default(),
            urls: SiteUrls::default(),
        }
    }
}

impl FunctionConfig {
    /// Reads the documented `MAILLAGE_*` variables; unset ones keep their
    /// default. The error names the variable and what is wrong with it.
    pub fn from_env() -> Result<FunctionConfig, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Same as [`FunctionConfig::from_env`], from any source of variables.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<FunctionConfig, String> {
        let get = |name: &str| {
            lookup(name)
                .map(|value| value.trim().to_string())
                .filter(|value| !value.is_empty())
        };
        let mut config = FunctionConfig::default();
        if let Some(origin) = get(SITE_ORIGIN_VAR) {
            config.site_origin = parse_origin(&origin)
                .ok_or_else(|| format!("{SITE_ORIGIN_VAR} must be an origin like https://rencontres.example.org, not {origin:?}"))?;
        }
        if let Some(url) = get(SITE_URL_VAR) {
            config.site_url = parse_base_url(&url)
                .ok_or_else(|| format!("{SITE_URL_VAR} must be an http(s) URL, not {url:?}"))?;
        } else {
            // A site served at its origin's root: the origin is its URL.
            config.site_url = config.site_origin.clone();
        }
        if let Some(base) = get(API_BASE_VAR) {
            config.api_base = normalise_base(&base).ok_or_else(|| {
                format!("{API_BASE_VAR} must be a path starting with '/', like /api, not {base:?}")
            })?;
        }
        if let Some(url) = get(API_URL_VAR) {
            config.api_url = parse_base_url(&url)
                .ok_or_else(|| format!("{API_URL_VAR} must be an http(s) URL, not {url:?}"))?;
        }
        if let Some(days) = get(RETENTION_DAYS_VAR) {
            config.retention_days =
                days.parse()
                    .ok()
                    .filter(|days| *days <= 3650)
                    .ok_or_else(|| {
                        format!(
                        "{RETENTION_DAYS_VAR} must be a number of days (0 to 3650), not {days:?}"
                    )
                    })?;
        }
        if let Some(days) = get(ATTESTATION_RETENTION_DAYS_VAR) {
            config.attestation_retention_days = days
                .parse()
                .ok()
                .filter(|days| *days <= 3650)
                .ok_or_else(|| {
                    format!("{ATTESTATION_RETENTION_DAYS_VAR} must be a number of days (0 to 3650), not {days:?}")
                })?;
        }
        if let Some(hours) = get(REMINDER_HOURS_VAR) {
            config.reminder_hours = hours
                .parse()
                .ok()
                .filter(|hours| *hours <= 24 * 60)
                .ok_or_else(|| {
                    format!(
                        "{REMINDER_HOURS_VAR} must be a number of hours (0 to 1440), not {hours:?}"
                    )
                })?;
        }
        if config.attestation_retention_days < config.retention_days {
            return Err(format!(
                "{ATTESTATION_RETENTION_DAYS_VAR} ({}) must be at least {RETENTION_DAYS_VAR} ({}): attestations outlive the registrations they come from",
                config.attestation_retention_days, config.retention_days
            ));
        }
        if let Some(rate) = get(RATE_LIMIT_VAR) {
            config.rate_limit_per_minute = rate.parse().map_err(|_| {
                format!("{RATE_LIMIT_VAR} must be a number of requests per minute (0 = off), not {rate:?}")
            })?;
        }
        if let Some(name) = get(SITE_NAME_VAR) {
            config.site_name = name;
        }
        if let Some(name) = get(TIME_ZONE_VAR) {
            config.time_zone = zone::parse(&name).ok_or_else(|| {
                format!("{TIME_ZONE_VAR} must be a time zone name like Europe/Paris, not {name:?}")
            })?;
        }
        if let Some(pairs) = get(RESULT_PAGES_VAR) {
            config.result_pages =
                ResultPages::from_pairs(&pairs).map_err(|e| format!("{RESULT_PAGES_VAR}: {e}"))?;
        }
        if let Some(pairs) = get(URLS_VAR) {
            config.urls = SiteUrls::from_pairs(&pairs).map_err(|e| format!("{URLS_VAR}: {e}"))?;
        }
        Ok(config)
    }

    /// The public URL of a route, for links given to people.
    pub(crate) fn public_api_url(&self, route: &str) -> String {
        if self.api_url.is_empty() {
            format!("{}{}{}", self.site_url, self.api_base, route)
        } else {
            format!("{}{}", self.api_url, route)
        }
    }

    /// The header of the pages the function renders: the site's name,
    /// linked to its home page when the site's URL is known.
    pub(crate) fn site(&self) -> super::pages::Site {
        super::pages::Site {
            name: self.site_name.clone(),
            home: Some(self.site_page("/")),
        }
    }

    /// The URL of a page of the site (`path` starts with '/').
    pub(crate) fn site_page(&self, path: &str) -> String {
        format!("{}{}", self.site_url, path)
    }
}

/// `https://host[:port]` without path, or `None`.
fn parse_origin(value: &str) -> Option<String> {
    let url = parse_base_url(value)?;
    let rest = url.split_once("://")?.1;
    (!rest.contains('/')).then_some(url)
}

/// An http(s) URL without a trailing slash, query or fragment.
fn parse_base_url(value: &str) -> Option<String> {
    let value = value.trim().trim_end_matches('/');
    let (scheme, rest) = value.split_once("://")?;
    let host = rest.split('/').next()?;
    let ok = matches!(scheme, "http" | "https")
        && !host.is_empty()
        && !value.contains(['?', '#', ' ', '"', '<', '>', '\\']);
    ok.then(|| value.to_string())
}

/// `/api`, `/` → ``, `api/` → `None`.
fn normalise_base(value: &str) -> Option<String> {
    if !value.starts_with('/') || value.contains(['?', '#', ' ']) {
        return None;
    }
    Some(value.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> Result<FunctionConfig, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        FunctionConfig::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_without_variables() {
        assert_eq!(from(&[]).unwrap(), FunctionConfig::default());
        assert_eq!(FunctionConfig::default().api_base, "/api");
        assert_eq!(FunctionConfig::default().retention_days, 90);
        assert_eq!(FunctionConfig::default().attestation_retention_days, 1095);
    }

    #[test]
    fn attestations_outlive_registrations() {
        let error = from(&[
            (RETENTION_DAYS_VAR, "400"),
            (ATTESTATION_RETENTION_DAYS_VAR, "300"),
        ])
        .unwrap_err();
        assert!(error.contains(ATTESTATION_RETENTION_DAYS_VAR), "{error}");
        assert!(from(&[(RETENTION_DAYS_VAR, "1200")]).is_err());
    }

    #[test]
    fn reads_every_variable() {
        let config = from(&[
            (SITE_URL_VAR, "https://rencontres.example.org/"),
            (SITE_ORIGIN_VAR, "https://rencontres.example.org"),
            (API_BASE_VAR, "/fonction/"),
            (API_URL_VAR, "https://api.example.org/fonction"),
            (RETENTION_DAYS_VAR, "30"),
            (ATTESTATION_RETENTION_DAYS_VAR, "730"),
            (RATE_LIMIT_VAR, "0"),
            (TIME_ZONE_VAR, "Indian/Reunion"),
        ])
        .unwrap();
        assert_eq!(config.site_url, "https://rencontres.example.org");
        assert_eq!(config.api_base, "/fonction");
        assert_eq!(config.retention_days, 30);
        assert_eq!(config.attestation_retention_days, 730);
        assert_eq!(config.rate_limit_per_minute, 0);
        assert_eq!(config.time_zone.name(), "Indian/Reunion");
        assert_eq!(
            config.public_api_url("/registrations/cancel"),
            "https://api.example.org/fonction/registrations/cancel"
        );
    }

    #[test]
    fn the_origin_stands_for_the_site_url() {
        let config = from(&[(SITE_ORIGIN_VAR, "https://rencontres.example.org")]).unwrap();
        assert_eq!(config.site_url, "https://rencontres.example.org");
        assert_eq!(
            config.public_api_url("/x"),
            "https://rencontres.example.org/api/x"
        );
    }

    #[test]
    fn refuses_bad_values_naming_the_variable() {
        for (name, value) in [
            (SITE_ORIGIN_VAR, "https://example.org/path"),
            (SITE_ORIGIN_VAR, "example.org"),
            (SITE_URL_VAR, "ftp://example.org"),
            (API_BASE_VAR, "api"),
            (RETENTION_DAYS_VAR, "-3"),
            (ATTESTATION_RETENTION_DAYS_VAR, "toujours"),
            (RATE_LIMIT_VAR, "many"),
            (TIME_ZONE_VAR, "Paris"),
        ] {
            let error = from(&[(name, value)]).unwrap_err();
            assert!(error.contains(name), "{error}");
        }
    }
}
