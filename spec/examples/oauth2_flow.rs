//! The OAuth2 authorization-code flow: exchange the code the authorize step returned for
//! tokens, then read the signed-in user's profile with the access token.
//!
//! ```text
//! cargo run -p fluxer-sdk --example oauth2_flow -- \
//!     <base-url> <client-id> <client-secret> <code> <redirect-uri>
//! ```
//!
//! `<base-url>` is the API root, e.g. `https://api.fluxer.app/v1` or a local mock server.

use fluxer_sdk::models::{TokenRequest, TokenRequestAuthorizationCode};
use fluxer_sdk::types::Snowflake;
use fluxer_sdk::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base_url, client_id, client_secret, code, redirect_uri] = args.as_slice() else {
        eprintln!(
            "usage: oauth2_flow <base-url> <client-id> <client-secret> <code> <redirect-uri>"
        );
        std::process::exit(2);
    };

    // The token endpoint needs no credentials of the client's own.
    let client = Client::builder(base_url).build()?;

    let mut grant = TokenRequestAuthorizationCode::new(code.clone(), redirect_uri.clone());
    grant.client_id = Some(client_id.parse::<Snowflake>()?);
    grant.client_secret = Some(client_secret.clone());
    let tokens = client
        .oauth2()
        .exchange_oauth2_token(&TokenRequest::AuthorizationCode(grant))
        .await?
        .into_inner();
    println!(
        "granted scopes `{}`, expiring in {} s",
        tokens.scope, tokens.expires_in
    );

    // Calls on the user's behalf carry the access token as `Authorization: Bearer …`.
    let as_user = client.with_oauth2_token(tokens.access_token);
    let me = as_user.oauth2().get_oauth2_userinfo().await?;
    println!(
        "signed in as {} (id {}, status {})",
        me.username,
        me.id,
        me.status()
    );
    Ok(())
}
