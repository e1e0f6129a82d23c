//! An OAuth2 app: exchange the authorization code for tokens, read the user's profile with
//! them, then, as the app's bot, list its applications and clear one's redirect URIs.
//!
//! ```text
//! FLUXER_BOT_TOKEN=… cargo run -p fluxer-sdk --example oauth2_app -- \
//!     <base-url> <client-id> <client-secret> <code> <redirect-uri>
//! ```

// needs-operations: exchange_oauth2_token get_oauth2_userinfo
// needs-operations: list_user_applications update_oauth_application

use fluxer_sdk::models::{ApplicationUpdateRequest, TokenRequestAuthorizationCode};
use fluxer_sdk::types::{Nullable, Snowflake};
use fluxer_sdk::{Client, Error};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let Err(e) = run().await else {
        return ExitCode::SUCCESS;
    };
    // The one place that looks into errors: what to tell the user.
    match e.downcast_ref::<Error>().and_then(Error::status) {
        Some(s) if s.as_u16() == 401 => eprintln!("error: the credentials were refused (401)"),
        Some(s) if s.as_u16() == 429 => eprintln!("error: rate limited (429) after retries; {e}"),
        _ => eprintln!("error: {e}"),
    }
    ExitCode::FAILURE
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base_url, client_id, client_secret, code, redirect_uri] = args.as_slice() else {
        return Err("usage: oauth2_app BASE_URL CLIENT_ID CLIENT_SECRET CODE REDIRECT_URI".into());
    };
    let bot_token = std::env::var("FLUXER_BOT_TOKEN")?;
    let client = Client::builder(base_url).bot_token(bot_token).build()?;

    let grant = TokenRequestAuthorizationCode::new(code, redirect_uri)
        .client_id(client_id.parse::<Snowflake>()?)
        .client_secret(client_secret);
    let tokens = client.oauth2().exchange_oauth2_token(&grant.into()).await?;
    println!("granted `{}` for {} s", tokens.scope, tokens.expires_in);

    // On the user's behalf: the access token as `Authorization: Bearer …`.
    let as_user = client.with_oauth2_token(tokens.access_token.as_str());
    let me = as_user.oauth2().get_oauth2_userinfo().await?;
    println!("signed in as {} ({})", me.username, me.id);

    // As the bot: its applications, and the first one's redirect URIs cleared (`null`).
    let api = client.oauth2();
    let apps = api.list_user_applications().await?.into_inner();
    let Some(app) = apps.first() else {
        return Ok(());
    };
    let clear = ApplicationUpdateRequest::new().redirect_uris(Nullable::Null);
    let app = api.update_oauth_application(app.id, &clear).await?;
    println!("{}: {} redirect URIs", app.name, app.redirect_uris.len());
    Ok(())
}
