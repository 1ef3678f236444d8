//! Secrets from AWS Systems Manager Parameter Store, read once at start.
//!
//! A variable `MAILLAGE_X_PARAMETER=/name` means "the value of `MAILLAGE_X`
//! is the SecureString parameter `/name`". CloudFormation cannot put a
//! SecureString into a Lambda function's environment (its `ssm-secure`
//! references are refused there), and a plain value would show in the
//! function's configuration; so the deployment passes parameter names and
//! the function reads the values, decrypted, when it starts.
//!
//! One call, `GetParameter`, signed with SigV4 by `aws-sigv4` (already in the
//! tree through the DynamoDB client) with the credentials and region of the
//! DynamoDB client's configuration, sent with the trigger's HTTP client: a
//! whole SDK crate for one operation would weigh more than this file.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use aws_sdk_dynamodb::config::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};

use crate::trigger::delivery::https_client;

/// The suffix naming a parameter that holds a variable's value.
pub const PARAMETER_SUFFIX: &str = "_PARAMETER";
/// Where to reach Parameter Store instead of `https://ssm.REGION.amazonaws.com`
/// (a local emulator, in tests).
pub const ENDPOINT_VAR: &str = "MAILLAGE_SSM_ENDPOINT";

/// The variables whose values may come from Parameter Store.
pub const SECRET_VARS: [&str; 4] = [
    crate::trigger::config::SECRET_VAR,
    crate::trigger::config::TOKEN_VAR,
    crate::trigger::config::URL_VAR,
    crate::email::SMTP_URL_VAR,
];

/// A failure to read a parameter, naming it (never its value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterError(pub String);

impl std::fmt::Display for ParameterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Parameter Store: {}", self.0)
    }
}

impl std::error::Error for ParameterError {}

/// Reads SecureString parameters, decrypted.
pub struct ParameterStore {
    credentials: SharedCredentialsProvider,
    region: String,
    endpoint: String,
}

impl ParameterStore {
    /// With the credentials and region of an AWS SDK configuration (the
    /// DynamoDB client's), at `endpoint` or AWS's regional endpoint.
    pub fn new(
        credentials: SharedCredentialsProvider,
        region: &str,
        endpoint: Option<&str>,
    ) -> ParameterStore {
        let endpoint = match endpoint.map(str::trim).filter(|e| !e.is_empty()) {
            Some(endpoint) => endpoint.trim_end_matches('/').to_string(),
            None => format!("https://ssm.{region}.amazonaws.com"),
        };
        ParameterStore {
            credentials,
            region: region.to_string(),
            endpoint,
        }
    }

    /// The credentials and region of an AWS configuration (the DynamoDB
    /// store's); the endpoint from `MAILLAGE_SSM_ENDPOINT` when set.
    pub fn from_sdk_config(
        config: &aws_config::SdkConfig,
    ) -> Result<ParameterStore, ParameterError> {
        let credentials = config
            .credentials_provider()
            .ok_or_else(|| ParameterError("no AWS credentials".into()))?;
        let region = config
            .region()
            .ok_or_else(|| ParameterError("no AWS region".into()))?;
        let endpoint = std::env::var(ENDPOINT_VAR).ok();
        Ok(ParameterStore::new(
            credentials,
            region.as_ref(),
            endpoint.as_deref(),
        ))
    }

    /// The decrypted value of the parameter `name`.
    pub async fn get(&self, name: &str) -> Result<String, ParameterError> {
        let fail = |what: String| ParameterError(format!("reading {name}: {what}"));
        let credentials = self
            .credentials
            .provide_credentials()
            .await
            .map_err(|error| fail(format!("no credentials ({error})")))?;
        let body = serde_json::json!({ "Name": name, "WithDecryption": true }).to_string();
        let uri = format!("{}/", self.endpoint);
        let mut request = http::Request::post(&uri)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", "AmazonSSM.GetParameter")
            .body(Full::new(Bytes::from(body.clone())))
            .map_err(|error| fail(format!("bad endpoint ({error})")))?;
        let identity = credentials.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("ssm")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|error| fail(error.to_string()))?
            .into();
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let signable = SignableRequest::new(
            "POST",
            &uri,
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(body.as_bytes()),
        )
        .map_err(|error| fail(error.to_string()))?;
        let (instructions, _signature) = sign(signable, &params)
            .map_err(|error| fail(error.to_string()))?
            .into_parts();
        instructions.apply_to_request_http1x(&mut request);

        let response =
            tokio::time::timeout(Duration::from_secs(5), https_client().request(request))
                .await
                .map_err(|_| fail("no answer within 5 s".into()))?
                .map_err(|_| fail("request failed".into()))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|_| fail("answer cut short".into()))?
            .to_bytes();
        let answer: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        if !status.is_success() {
            // AWS names the error (ParameterNotFound, AccessDeniedException...).
            let kind = answer["__type"].as_str().unwrap_or("").rsplit('#').next();
            return Err(fail(format!(
                "status {} {}",
                status.as_u16(),
                kind.unwrap_or("")
            )));
        }
        answer["Parameter"]["Value"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| fail("no value in the answer".into()))
    }

    /// The environment as `lookup` gives it, with each of [`SECRET_VARS`]
    /// whose `…_PARAMETER` variable is set read from Parameter Store (a
    /// value set directly gives way to the parameter).
    pub async fn resolve(
        &self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<HashMap<String, String>, ParameterError> {
        let mut resolved = HashMap::new();
        for var in SECRET_VARS {
            let Some(name) = lookup(&format!("{var}{PARAMETER_SUFFIX}"))
                .map(|name| name.trim().to_string())
                .filter(|name| !name.is_empty())
            else {
                continue;
            };
            resolved.insert(var.to_string(), self.get(&name).await?);
        }
        Ok(resolved)
    }
}

/// Whether any of [`SECRET_VARS`] is to be read from Parameter Store.
pub fn any_requested(lookup: impl Fn(&str) -> Option<String>) -> bool {
    SECRET_VARS.iter().any(|var| {
        lookup(&format!("{var}{PARAMETER_SUFFIX}")).is_some_and(|name| !name.trim().is_empty())
    })
}
