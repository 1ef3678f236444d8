//! [`RebuildTrigger::from_env`]: the trigger as environment variables
//! describe it. The table is in `function/docs/rebuild-trigger.md`.

use std::time::Duration;

use super::target::{Preset, Secret, Target, TargetError};
use super::{RebuildTrigger, DEFAULT_WINDOW};

/// `webhook` (default), `github`, `gitlab` or `build-hook`.
pub const PRESET_VAR: &str = "MAILLAGE_TRIGGER_PRESET";
/// The endpoint (for `github`, optional: the API URL, for GitHub Enterprise
/// Server or a test receiver).
pub const URL_VAR: &str = "MAILLAGE_TRIGGER_URL";
/// The HMAC-SHA256 signing secret (required for `webhook`, optional else).
pub const SECRET_VAR: &str = "MAILLAGE_TRIGGER_SECRET";
/// GitHub's token or GitLab's pipeline trigger token.
pub const TOKEN_VAR: &str = "MAILLAGE_TRIGGER_TOKEN";
/// `OWNER/REPO` for `github`.
pub const REPOSITORY_VAR: &str = "MAILLAGE_TRIGGER_REPOSITORY";
/// The `event_type` for `github` (default `maillage-rebuild`).
pub const EVENT_TYPE_VAR: &str = "MAILLAGE_TRIGGER_EVENT_TYPE";
/// The ref a GitLab pipeline runs on (default `main`).
pub const REF_VAR: &str = "MAILLAGE_TRIGGER_REF";
/// The window in seconds (default 60; decimals allowed, `0` sends one
/// trigger per change). The same variable as the SAM template's.
pub const WINDOW_VAR: &str = "MAILLAGE_TRIGGER_WINDOW_SECONDS";

/// A configuration that cannot work, named so an operator can fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rebuild trigger: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

impl From<TargetError> for ConfigError {
    fn from(error: TargetError) -> Self {
        ConfigError(error.0)
    }
}

impl RebuildTrigger {
    /// The trigger the environment configures, coalesced in this process;
    /// `Ok(None)` when none is (neither `MAILLAGE_TRIGGER_URL` nor, for
    /// GitHub, `MAILLAGE_TRIGGER_REPOSITORY` is set). Add
    /// [`RebuildTrigger::with_coalescer`] to share the window across
    /// instances.
    pub fn from_env() -> Result<Option<RebuildTrigger>, ConfigError> {
        RebuildTrigger::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`RebuildTrigger::from_env`], reading variables from `lookup`.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<RebuildTrigger>, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let preset_name = get(PRESET_VAR).unwrap_or_else(|| "webhook".into());
        let preset = Preset::parse(&preset_name).ok_or_else(|| {
            ConfigError(format!(
                "{PRESET_VAR}={preset_name:?} is not one of webhook, github, gitlab, build-hook"
            ))
        })?;
        let url = get(URL_VAR);
        let secret = get(SECRET_VAR).map(Secret::new);
        let token = || {
            get(TOKEN_VAR)
                .map(Secret::new)
                .ok_or_else(|| ConfigError(format!("{TOKEN_VAR} is required for {preset_name}")))
        };
        let target = match preset {
            Preset::Webhook => {
                let Some(url) = url else { return Ok(None) };
                let secret = secret.clone().ok_or_else(|| {
                    ConfigError(format!("{SECRET_VAR} is required to sign the webhook"))
                })?;
                Target::webhook(&url, secret)?
            }
            Preset::GitHubDispatch => {
                let Some(repository) = get(REPOSITORY_VAR) else {
                    return if url.is_some() {
                        Err(ConfigError(format!(
                            "{REPOSITORY_VAR} (OWNER/REPO) is required for github"
                        )))
                    } else {
                        Ok(None)
                    };
                };
                let mut target = Target::github_dispatch(&repository, token()?)?;
                if let Some(url) = &url {
                    target = target.with_url(url)?;
                }
                target.with_event_type(&get(EVENT_TYPE_VAR).unwrap_or_default())
            }
            Preset::GitLabPipeline => {
                let Some(url) = url else { return Ok(None) };
                Target::gitlab_pipeline(&url, token()?, get(REF_VAR).as_deref())?
            }
            Preset::BuildHook => {
                let Some(url) = url else { return Ok(None) };
                Target::build_hook(&url)?
            }
        };
        let target = match secret {
            Some(secret) => target.with_secret(secret),
            None => target,
        };
        let window = match get(WINDOW_VAR) {
            None => DEFAULT_WINDOW,
            Some(value) => value
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
                .ok_or_else(|| {
                    ConfigError(format!("{WINDOW_VAR}={value:?} is not a number of seconds"))
                })?,
        };
        Ok(Some(RebuildTrigger::new(target).with_window(window)))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<Option<RebuildTrigger>, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        RebuildTrigger::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn nothing_configured_means_no_trigger() {
        assert!(from(&[]).unwrap().is_none());
        assert!(from(&[(PRESET_VAR, "github")]).unwrap().is_none());
    }

    #[test]
    fn each_preset_reads_what_it_needs() {
        let webhook = from(&[
            (URL_VAR, "https://ci.example.org/hooks/maillage"),
            (SECRET_VAR, "s"),
            (WINDOW_VAR, "0.3"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(webhook.window(), Duration::from_millis(300));
        assert_eq!(webhook.inner.target.preset(), Preset::Webhook);

        let github = from(&[
            (PRESET_VAR, "github"),
            (REPOSITORY_VAR, "reseau/site"),
            (TOKEN_VAR, "t"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(github.window(), DEFAULT_WINDOW);
        assert_eq!(github.inner.target.preset(), Preset::GitHubDispatch);

        let gitlab = from(&[
            (PRESET_VAR, "gitlab"),
            (
                URL_VAR,
                "https://gitlab.example.org/api/v4/projects/7/trigger/pipeline",
            ),
            (TOKEN_VAR, "t"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(gitlab.inner.target.preset(), Preset::GitLabPipeline);

        let hook = from(&[
            (PRESET_VAR, "build-hook"),
            (URL_VAR, "https://api.netlify.com/build_hooks/x"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(hook.inner.target.preset(), Preset::BuildHook);
    }

    #[test]
    fn mistakes_are_named() {
        let error = from(&[(URL_VAR, "https://ci.example.org/")]).unwrap_err();
        assert!(error.0.contains(SECRET_VAR), "{error}");
        let error = from(&[(PRESET_VAR, "jenkins")]).unwrap_err();
        assert!(error.0.contains("jenkins"), "{error}");
        let error = from(&[
            (PRESET_VAR, "gitlab"),
            (URL_VAR, "https://gitlab.example.org/"),
        ])
        .unwrap_err();
        assert!(error.0.contains(TOKEN_VAR), "{error}");
        let error = from(&[
            (URL_VAR, "https://ci.example.org/"),
            (SECRET_VAR, "s"),
            (WINDOW_VAR, "a minute"),
        ])
        .unwrap_err();
        assert!(error.0.contains(WINDOW_VAR), "{error}");
        let error = from(&[(URL_VAR, "ci.example.org"), (SECRET_VAR, "s")]).unwrap_err();
        assert!(error.0.contains("http"), "{error}");
    }
}
