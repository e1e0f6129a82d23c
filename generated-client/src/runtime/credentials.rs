//! Security schemes, credentials, and choosing and applying them to a request.

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, COOKIE};

use super::*;

/// One security scheme of the API description (`components.securitySchemes`).
///
/// Generated code declares one `static` per scheme and refers to it from each operation's
/// [`Security`] requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SecurityScheme {
    /// The scheme's name in the API description, e.g. `"botToken"`. Credentials are registered
    /// under this name with [`ClientBuilder::credential`].
    pub name: &'static str,
    /// How the credential is transmitted.
    pub kind: SchemeKind,
}

/// How a [`SecurityScheme`] transmits its credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchemeKind {
    /// apiKey in a header; value sent = prefix + token (Fluxer: header "Authorization", prefix
    /// "Bot " / "" / "Admin ").
    ApiKeyHeader {
        /// Header name, e.g. `"Authorization"` or `"X-Api-Key"`.
        header: &'static str,
        /// Text put in front of the token, e.g. `"Bot "`; may be empty.
        prefix: &'static str,
    },
    /// apiKey in the query string: `?param=<token>`.
    ApiKeyQuery {
        /// Query parameter name.
        param: &'static str,
    },
    /// apiKey in a cookie: `Cookie: cookie=<token>`.
    ApiKeyCookie {
        /// Cookie name.
        cookie: &'static str,
    },
    /// http bearer and oauth2/openIdConnect: `Authorization: Bearer <token>`
    Bearer,
    /// http basic: `Authorization: Basic base64(user:pass)`
    Basic,
}

impl SchemeKind {
    /// Whether this kind takes a [`Credential::Basic`] (true) or a [`Credential::Token`].
    pub fn wants_basic(&self) -> bool {
        matches!(self, SchemeKind::Basic)
    }
}

/// A secret string: Debug/Display print "***" (never the token).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// Gives access to the secret value. Do not log the result.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A credential held for one security scheme.
///
/// Its `Debug` output never contains the secret part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A token for apiKey, bearer, oauth2 and openIdConnect schemes.
    Token(Secret),
    /// User name and password for http basic schemes.
    Basic {
        /// User name (sent in clear inside the base64 value).
        username: String,
        /// Password.
        password: Secret,
    },
}

impl Credential {
    /// A [`Credential::Token`].
    pub fn token(token: impl Into<Secret>) -> Self {
        Credential::Token(token.into())
    }

    /// A [`Credential::Basic`].
    pub fn basic(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Credential::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    /// Whether this credential can be used with a scheme of the given kind.
    pub fn fits(&self, kind: &SchemeKind) -> bool {
        matches!(self, Credential::Basic { .. }) == kind.wants_basic()
    }
}

impl From<Secret> for Credential {
    fn from(value: Secret) -> Self {
        Credential::Token(value)
    }
}

/// An operation's security: OR of alternatives, each an AND of schemes. Empty slice = no auth
/// sent.
///
/// An empty alternative (`&[]`) means "anonymous access allowed": nothing is sent when no other
/// alternative can be satisfied.
pub type Security = &'static [&'static [&'static SecurityScheme]];

/// Picks the credentials to send for `security` (see [`Security`] and [`RequestSpec`]).
pub(super) fn choose_credentials<'a>(
    security: Security,
    held: &'a HashMap<&'static str, Credential>,
    auth_override: Option<&'a Credential>,
) -> Result<Vec<(&'static SecurityScheme, &'a Credential)>, Error<Infallible>> {
    if security.is_empty() {
        return Ok(Vec::new());
    }
    let holds =
        |scheme: &SecurityScheme| held.get(scheme.name).filter(|cred| cred.fits(&scheme.kind));
    let from_client = |schemes: &[&'static SecurityScheme]| {
        schemes
            .iter()
            .map(|scheme| holds(scheme).map(|cred| (*scheme, cred)))
            .collect::<Option<Vec<_>>>()
    };

    if let Some(cred) = auth_override {
        // The override stands for the first scheme of the chosen alternative.
        for alternative in security.iter().filter(|alt| !alt.is_empty()) {
            if cred.fits(&alternative[0].kind) {
                if let Some(mut rest) = from_client(&alternative[1..]) {
                    rest.insert(0, (alternative[0], cred));
                    return Ok(rest);
                }
            }
        }
        if let Some(alternative) = security.iter().find(|alt| !alt.is_empty()) {
            let first = alternative[0];
            if !cred.fits(&first.kind) {
                return Err(Error::InvalidRequest(format!(
                    "the override credential does not fit security scheme `{}`",
                    first.name
                )));
            }
            let mut chosen = vec![(first, cred)];
            chosen.extend(
                alternative[1..]
                    .iter()
                    .filter_map(|scheme| holds(scheme).map(|c| (*scheme, c))),
            );
            return Ok(chosen);
        }
        return Ok(Vec::new());
    }

    for alternative in security.iter().filter(|alt| !alt.is_empty()) {
        if let Some(chosen) = from_client(alternative) {
            return Ok(chosen);
        }
    }
    if security.iter().any(|alt| alt.is_empty()) {
        return Ok(Vec::new());
    }
    let mut names: Vec<&str> = Vec::new();
    for scheme in security.iter().flat_map(|alt| alt.iter()) {
        if !names.contains(&scheme.name) {
            names.push(scheme.name);
        }
    }
    Err(Error::InvalidRequest(format!(
        "no credentials for any of: {}",
        names.join(", ")
    )))
}

fn secret_header(value: &str) -> Result<HeaderValue, Error<Infallible>> {
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        Error::InvalidRequest("credential contains characters not allowed in a header".to_owned())
    })?;
    value.set_sensitive(true);
    Ok(value)
}

pub(super) fn apply_credential(
    scheme: &SecurityScheme,
    credential: &Credential,
    headers: &mut HeaderMap,
    query: &mut Vec<(String, String)>,
) -> Result<(), Error<Infallible>> {
    let token = match credential {
        Credential::Token(token) => token.expose(),
        Credential::Basic { .. } => "",
    };
    match scheme.kind {
        SchemeKind::ApiKeyHeader { header, prefix } => {
            let name = HeaderName::from_bytes(header.as_bytes()).map_err(|_| {
                Error::InvalidRequest(format!(
                    "invalid header name `{header}` for `{}`",
                    scheme.name
                ))
            })?;
            if name == AUTHORIZATION && is_auth_set(headers) {
                return Ok(());
            }
            headers.insert(name, secret_header(&format!("{prefix}{token}"))?);
        }
        SchemeKind::Bearer => {
            if !is_auth_set(headers) {
                headers.insert(AUTHORIZATION, secret_header(&format!("Bearer {token}"))?);
            }
        }
        SchemeKind::Basic => {
            if let Credential::Basic { username, password } = credential {
                if !is_auth_set(headers) {
                    let encoded = base64::engine::general_purpose::STANDARD
                        .encode(format!("{username}:{}", password.expose()));
                    headers.insert(AUTHORIZATION, secret_header(&format!("Basic {encoded}"))?);
                }
            }
        }
        SchemeKind::ApiKeyQuery { param } => {
            query.retain(|(name, _)| name != param);
            query.push((param.to_owned(), token.to_owned()));
        }
        SchemeKind::ApiKeyCookie { cookie } => {
            let pair = format!("{cookie}={token}");
            let value = match headers.get(COOKIE).and_then(|v| v.to_str().ok()) {
                Some(existing) if !existing.is_empty() => format!("{existing}; {pair}"),
                _ => pair,
            };
            headers.insert(COOKIE, secret_header(&value)?);
        }
    }
    Ok(())
}

/// Authorization counts as set once a credential put it there (marked sensitive); a plain
/// default header `Authorization` is replaced by the operation's credential.
fn is_auth_set(headers: &HeaderMap) -> bool {
    headers
        .get(AUTHORIZATION)
        .is_some_and(HeaderValue::is_sensitive)
}
