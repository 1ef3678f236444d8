//! The site's pages the function sends people to after a form: the one list
//! of them, with today's paths as defaults. The site names its own in
//! `config.toml` (`[extra.result_pages]`), the function reads the same
//! (serve passes them on; on Lambda, `MAILLAGE_RESULT_PAGES`), and the
//! build refuses a site that lacks one of them.

use serde::Deserialize;

/// The variable that names the result pages on Lambda:
/// `registered=/merci/,report_sent=/bilan/merci/` (unnamed ones keep their
/// default).
pub const RESULT_PAGES_VAR: &str = "MAILLAGE_RESULT_PAGES";

/// Paths of the site's result pages, each `/like/this/`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResultPages {
    /// After a registration with a seat.
    pub registered: String,
    /// After a registration on the waiting list.
    pub waiting: String,
    /// After a cancellation.
    pub cancelled: String,
    /// The organisers' report form (linked from the report key's page).
    pub report_form: String,
    /// After a report is sent.
    pub report_sent: String,
    /// Where anyone checks an attestation's code; attestations link to it.
    /// Only linked, never a redirect's target: a site may do without it.
    pub attestation_check: String,
}

impl Default for ResultPages {
    fn default() -> Self {
        ResultPages {
            registered: "/inscription/confirmee/".into(),
            waiting: "/inscription/liste-attente/".into(),
            cancelled: "/annulation/confirmee/".into(),
            report_form: "/bilan/".into(),
            report_sent: "/bilan/envoye/".into(),
            attestation_check: "/attestation/verifier/".into(),
        }
    }
}

impl ResultPages {
    /// Each page with its key and when the function sends people there.
    pub fn all(&self) -> [(&'static str, &str, &'static str); 5] {
        [
            ("registered", &self.registered, "after a registration"),
            (
                "waiting",
                &self.waiting,
                "after a registration on the waiting list",
            ),
            ("cancelled", &self.cancelled, "after a cancellation"),
            ("report_form", &self.report_form, "to send a report"),
            ("report_sent", &self.report_sent, "after a report is sent"),
        ]
    }

    /// Refuses a path that is not `/absolute/` on the site (no host, query
    /// or fragment): the message names the key.
    pub fn validate(&self) -> Result<(), String> {
        let linked = ("attestation_check", self.attestation_check.as_str(), "");
        for (key, path, _) in self.all().into_iter().chain([linked]) {
            if !crate::urls::is_site_folder(path) {
                return Err(format!(
                    "result_pages.{key}: {path:?} is not a path of the site like \"/inscription/confirmee/\""
                ));
            }
        }
        Ok(())
    }

    /// Reads `key=/path/` pairs separated by commas over the defaults.
    pub fn from_pairs(value: &str) -> Result<ResultPages, String> {
        let mut pages = ResultPages::default();
        for (key, path) in crate::urls::key_paths(value)? {
            match key {
                "registered" => pages.registered = path,
                "waiting" => pages.waiting = path,
                "cancelled" => pages.cancelled = path,
                "report_form" => pages.report_form = path,
                "report_sent" => pages.report_sent = path,
                "attestation_check" => pages.attestation_check = path,
                other => {
                    return Err(format!(
                        "unknown result page {other:?} (registered, waiting, cancelled, report_form, report_sent, attestation_check)"
                    ))
                }
            }
        }
        pages.validate()?;
        Ok(pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_override_the_defaults_and_bad_paths_are_named() {
        let pages =
            ResultPages::from_pairs("registered=/merci/, report_sent=/bilan/merci/").unwrap();
        assert_eq!(pages.registered, "/merci/");
        assert_eq!(pages.report_sent, "/bilan/merci/");
        assert_eq!(pages.waiting, ResultPages::default().waiting);
        let error = ResultPages::from_pairs("cancelled=https://ailleurs.example/").unwrap_err();
        assert!(error.contains("result_pages.cancelled"), "{error}");
        let error = ResultPages::from_pairs("merci=/merci/").unwrap_err();
        assert!(error.contains("unknown result page"), "{error}");
        assert!(ResultPages::from_pairs("registered=/../x/").is_err());
    }
}
