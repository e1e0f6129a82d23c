//! Contract driver for `tests/tests/contract_prism.rs` (`full_spec_oauth2_users_channels_validate`).
//!
//! Not compiled in the workspace: the test copies it to `target/contract/driver/src/main.rs`,
//! next to a `Cargo.toml` depending on `fluxer-full`, the crate generated from the upstream
//! Fluxer document. It calls every operation of the OAuth2, Users and Channels tags with
//! simple, schema-valid inputs against the base URL in `argv[1]` (a Prism mock server) and
//! prints one JSON line per operation:
//!
//! `{"tag", "op", "status", "violations", "decode_error", "error"}` for a call,
//! `{"tag", "op", "skipped"}` for an operation it does not call (with the reason), and last a
//! `{"tag": "canary", ...}` line for a deliberately invalid request, which must show violations.

use std::collections::BTreeMap;

use fluxer_full::apis::channels::{
    AddReactionParams, DeleteChannelParams, ListMessagesParams, ListPinnedMessagesParams,
    ListReactionUsersParams, RemoveGroupDmRecipientParams, RemoveOwnReactionParams,
    RemoveReactionParams,
};
use fluxer_full::apis::users::{
    GetUserProfileParams, ListMentionsForCurrentUserParams, ListSavedMessagesParams,
};
use fluxer_full::models::*;
use fluxer_full::types::{Base64, Nullable, Snowflake};
use fluxer_full::{Client, RetryPolicy};
use serde_json::{json, Value};

const APP: Snowflake = Snowflake::new(123456789012345678);
const CHANNEL: Snowflake = Snowflake::new(1100000000000000001);
const MESSAGE: Snowflake = Snowflake::new(1200000000000000002);
const USER: Snowflake = Snowflake::new(1300000000000000003);
const GUILD: Snowflake = Snowflake::new(1400000000000000004);
const ATTACHMENT: Snowflake = Snowflake::new(1500000000000000005);
const REDIRECT_URI: &str = "https://example.com/oauth2/callback";
const PASSWORD: &str = "correct horse battery staple";

/// A 1x1 transparent PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// The violations Prism reported: the `sl-violations` header, or an error Prism made up
/// itself (`application/problem+json` whose `type` is one of Prism's error URLs).
fn violations(headers: &reqwest::header::HeaderMap, raw: Option<&[u8]>) -> Vec<Value> {
    let mut out: Vec<Value> = headers
        .get_all("sl-violations")
        .iter()
        .flat_map(|value| {
            let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Array(items)) => items,
                Ok(other) => vec![other],
                Err(_) => vec![Value::String(text)],
            }
        })
        .collect();
    if let Some(body) = raw.and_then(|raw| serde_json::from_slice::<Value>(raw).ok()) {
        let prism = body
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.starts_with("https://stoplight.io/prism/errors#"));
        if prism {
            out.push(body);
        }
    }
    out
}

fn report<T>(tag: &str, op: &str, result: fluxer_full::Result<T>) {
    let mut line = json!({ "tag": tag, "op": op, "status": null, "violations": [],
        "decode_error": null, "error": null });
    match result {
        Ok(response) => {
            line["status"] = json!(response.status().as_u16());
            line["violations"] = json!(violations(response.headers(), None));
        }
        Err(fluxer_full::Error::Api(api)) => {
            line["status"] = json!(api.status.as_u16());
            let found = violations(&api.headers, Some(&api.raw));
            if found.is_empty() && api.body.is_none() && !api.raw.is_empty() {
                line["decode_error"] = json!(format!(
                    "the HTTP {} error body did not decode into the error model; raw body: {}",
                    api.status,
                    String::from_utf8_lossy(&api.raw)
                ));
            }
            line["violations"] = json!(found);
        }
        Err(fluxer_full::Error::Decode(decode)) => {
            line["status"] = json!(decode.status.as_u16());
            line["violations"] = json!(violations(&decode.headers, None));
            line["decode_error"] = json!(format!(
                "at JSON path `{}`: {}; raw body: {}",
                decode.path,
                decode.message,
                String::from_utf8_lossy(&decode.raw)
            ));
        }
        Err(other) => line["error"] = json!(other.to_string()),
    }
    println!("{line}");
}

/// Records an operation the driver does not call, with the reason.
#[allow(dead_code)]
fn skip(tag: &str, op: &str, reason: &str) {
    println!("{}", json!({ "tag": tag, "op": op, "skipped": reason }));
}

macro_rules! call {
    ($tag:literal, $op:ident, $call:expr) => {
        report($tag, stringify!($op), $call.await)
    };
}

fn password() -> SudoVerificationSchema {
    let mut sudo = SudoVerificationSchema::new();
    sudo.password = Some(PASSWORD.into());
    sudo
}

fn totp() -> SudoVerificationSchema {
    let mut sudo = SudoVerificationSchema::new();
    sudo.mfa_method = Some(SudoVerificationSchemaMfaMethod::from("totp"));
    sudo.mfa_code = Some("123456".into());
    sudo
}

async fn oauth2(client: &Client) {
    let api = client.oauth2();
    let app = APP.to_string();
    call!(
        "OAuth2",
        get_current_user_applications,
        api.get_current_user_applications()
    );
    call!(
        "OAuth2",
        get_current_user_oauth2,
        api.get_current_user_oauth2()
    );
    call!(
        "OAuth2",
        list_user_oauth2_authorizations,
        api.list_user_oauth2_authorizations()
    );
    call!(
        "OAuth2",
        delete_user_oauth2_authorization,
        api.delete_user_oauth2_authorization(&app)
    );

    let mut create = ApplicationCreateRequest::new("Contract Test App".into());
    create.redirect_uris = Nullable::Value(vec![REDIRECT_URI.into()]);
    create.bot_public = Some(true);
    create.bot_require_code_grant = Some(false);
    call!(
        "OAuth2",
        create_oauth_application,
        api.create_oauth_application(&create)
    );
    call!(
        "OAuth2",
        list_user_applications2,
        api.list_user_applications2()
    );
    call!(
        "OAuth2",
        get_oauth_application,
        api.get_oauth_application(&app)
    );

    let mut update = ApplicationUpdateRequest::new();
    update.name = Some("Contract Test App (renamed)".into());
    update.redirect_uris = Nullable::Null;
    update.bot_public = Some(false);
    call!(
        "OAuth2",
        update_oauth_application,
        api.update_oauth_application(&app, &update)
    );
    call!(
        "OAuth2",
        delete_oauth_application,
        api.delete_oauth_application(&app, &password())
    );

    let mut bot = BotProfileUpdateRequest::new();
    bot.username = Some("contract_bot".into());
    bot.discriminator = Some("0420".into());
    bot.avatar = Nullable::Value(Base64(PNG.to_vec()));
    bot.banner = Nullable::Null;
    bot.bio = Nullable::Value("Checks requests against the OpenAPI document.".into());
    call!(
        "OAuth2",
        update_bot_profile,
        api.update_bot_profile(&app, &bot)
    );
    call!(
        "OAuth2",
        reset_bot_token2,
        api.reset_bot_token2(&app, &totp())
    );
    call!(
        "OAuth2",
        reset_client_secret2,
        api.reset_client_secret2(&app, &password())
    );
    call!(
        "OAuth2",
        get_public_application,
        api.get_public_application(&app)
    );

    let mut consent = AuthorizeConsentRequest::new(APP, "identify email".into());
    consent.response_type = Some("code".into());
    consent.redirect_uri = Some(REDIRECT_URI.into());
    consent.state = Some("xyz-state-123".into());
    consent.guild_id = Some(GUILD);
    call!(
        "OAuth2",
        provide_oauth2_consent,
        api.provide_oauth2_consent(&consent)
    );

    let mut introspect = IntrospectRequestForm::new("access-token-abc123".into());
    introspect.client_id = Some(APP);
    introspect.client_secret = Some("client-secret".into());
    call!(
        "OAuth2",
        introspect_oauth2_token,
        api.introspect_oauth2_token(&introspect)
    );

    let mut code =
        TokenRequestAuthorizationCode::new("authorization-code-xyz".into(), REDIRECT_URI.into());
    code.client_id = Some(APP);
    code.client_secret = Some("client-secret".into());
    call!(
        "OAuth2",
        exchange_oauth2_token,
        api.exchange_oauth2_token(&TokenRequest::AuthorizationCode(code))
    );

    let mut revoke = RevokeRequestForm::new("access-token-abc123".into());
    revoke.token_type_hint = Some(RevokeRequestFormTokenTypeHint::from("access_token"));
    revoke.client_id = Some(APP);
    call!(
        "OAuth2",
        revoke_oauth2_token,
        api.revoke_oauth2_token(&revoke)
    );
    call!("OAuth2", get_oauth2_userinfo, api.get_oauth2_userinfo());
    call!(
        "OAuth2",
        list_user_applications,
        api.list_user_applications()
    );
}

async fn users(client: &Client) {
    let api = client.users();
    call!("Users", get_current_user, api.get_current_user());

    let mut me = UserUpdateWithVerificationRequest::new();
    me.username = Some("contract_user".into());
    me.discriminator = Some("1234".into());
    me.global_name = Nullable::Value("Contract User".into());
    me.bio = Nullable::Null;
    me.accent_color = Nullable::Value(0x3366ff);
    me.avatar = Nullable::Value(Base64(PNG.to_vec()));
    me.premium_badge_hidden = Some(true);
    me.password = Some(PASSWORD.into());
    call!("Users", update_current_user, api.update_current_user(&me));
    call!(
        "Users",
        forget_authorized_ips,
        api.forget_authorized_ips(&password())
    );
    call!("Users", list_private_channels, api.list_private_channels());

    let mut dm = CreatePrivateChannelRequest::new();
    dm.recipients = Some(vec![USER, Snowflake::new(1300000000000000004)]);
    call!(
        "Users",
        create_private_channel,
        api.create_private_channel(&dm)
    );
    let preload = PreloadMessagesRequest::new(vec![CHANNEL]);
    call!(
        "Users",
        preload_messages_for_channels_alt,
        api.preload_messages_for_channels_alt(&preload)
    );
    call!(
        "Users",
        pin_direct_message_channel,
        api.pin_direct_message_channel(CHANNEL)
    );
    call!(
        "Users",
        unpin_direct_message_channel,
        api.unpin_direct_message_channel(CHANNEL)
    );
    call!(
        "Users",
        delete_current_user_account,
        api.delete_current_user_account(&password())
    );
    call!(
        "Users",
        disable_current_user_account,
        api.disable_current_user_account(&totp())
    );

    let ticket = EmailChangeTicketRequest::new("ticket-abc".into());
    call!(
        "Users",
        request_bounced_email_replacement,
        api.request_bounced_email_replacement(&EmailChangeBouncedRequestNewRequest::new(
            "new@example.com".into()
        ))
    );
    call!(
        "Users",
        resend_bounced_email_replacement_code,
        api.resend_bounced_email_replacement_code(&ticket)
    );
    call!(
        "Users",
        verify_bounced_email_replacement,
        api.verify_bounced_email_replacement(&EmailChangeBouncedVerifyNewRequest::new(
            "ticket-abc".into(),
            "123456".into()
        ))
    );
    call!(
        "Users",
        request_new_email_address,
        api.request_new_email_address(&EmailChangeRequestNewRequest::new(
            "ticket-abc".into(),
            "new@example.com".into(),
            "proof-abc".into()
        ))
    );
    call!(
        "Users",
        resend_new_email_confirmation,
        api.resend_new_email_confirmation(&ticket)
    );
    call!(
        "Users",
        resend_original_email_confirmation,
        api.resend_original_email_confirmation(&ticket)
    );
    call!(
        "Users",
        start_email_change,
        api.start_email_change(&BTreeMap::new())
    );
    call!(
        "Users",
        verify_new_email_address,
        api.verify_new_email_address(&EmailChangeVerifyNewRequest::new(
            "ticket-abc".into(),
            "123456".into(),
            "proof-abc".into()
        ))
    );
    call!(
        "Users",
        verify_original_email_address,
        api.verify_original_email_address(&EmailChangeVerifyOriginalRequest::new(
            "ticket-abc".into(),
            "123456".into()
        ))
    );
    call!("Users", list_user_gifts, api.list_user_gifts());

    let mut settings = UserGuildSettingsUpdateRequest::new();
    settings.message_notifications = Some(UserNotificationSettings::from(1));
    settings.muted = Some(false);
    settings.mute_config = Nullable::Null;
    settings.suppress_everyone = Some(true);
    call!(
        "Users",
        update_dm_notification_settings,
        api.update_dm_notification_settings(&settings)
    );
    call!(
        "Users",
        update_guild_settings_for_user,
        api.update_guild_settings_for_user(GUILD, &settings)
    );
    call!("Users", request_data_harvest, api.request_data_harvest());
    call!(
        "Users",
        get_latest_data_harvest,
        api.get_latest_data_harvest()
    );
    call!(
        "Users",
        get_data_harvest_status,
        api.get_data_harvest_status("1600000000000000006")
    );
    call!(
        "Users",
        get_data_harvest_download_url,
        api.get_data_harvest_download_url("1600000000000000006")
    );
    let mut mentions = ListMentionsForCurrentUserParams::new();
    mentions.limit = Some("25".into());
    mentions.everyone = Some("true".into());
    mentions.before = Some(MESSAGE);
    call!(
        "Users",
        list_mentions_for_current_user,
        api.list_mentions_for_current_user(&mentions)
    );
    call!("Users", delete_mention, api.delete_mention(MESSAGE));
    call!(
        "Users",
        request_bulk_message_deletion,
        api.request_bulk_message_deletion(&password())
    );
    call!(
        "Users",
        cancel_bulk_message_deletion2,
        api.cancel_bulk_message_deletion2()
    );
    call!(
        "Users",
        test_bulk_message_deletion,
        api.test_bulk_message_deletion()
    );

    let mut backup = MfaBackupCodesRequest::new(true);
    backup.password = Some(PASSWORD.into());
    call!(
        "Users",
        get_backup_codes_mfa,
        api.get_backup_codes_mfa(&backup)
    );
    call!("Users", disable_sms_mfa, api.disable_sms_mfa(&password()));
    call!("Users", enable_sms_mfa, api.enable_sms_mfa(&password()));
    call!(
        "Users",
        disable_totp_mfa,
        api.disable_totp_mfa(&DisableTotpRequest::new("123456".into()))
    );
    call!(
        "Users",
        enable_totp_mfa,
        api.enable_totp_mfa(&EnableMfaTotpRequest::new(
            "JBSWY3DPEHPK3PXP".into(),
            "123456".into()
        ))
    );
    call!(
        "Users",
        list_webauthn_credentials,
        api.list_webauthn_credentials()
    );
    let mut assertion = BTreeMap::new();
    assertion.insert("id".to_string(), json!("credential-abc"));
    assertion.insert("type".to_string(), json!("public-key"));
    let register =
        WebAuthnRegisterRequest::new(assertion, "challenge-abc".into(), "Security key".into());
    call!(
        "Users",
        register_webauthn_credential,
        api.register_webauthn_credential(&register)
    );
    call!(
        "Users",
        get_webauthn_registration_options,
        api.get_webauthn_registration_options(&password())
    );
    call!(
        "Users",
        delete_webauthn_credential,
        api.delete_webauthn_credential("credential-abc", &password())
    );
    call!(
        "Users",
        update_webauthn_credential,
        api.update_webauthn_credential(
            "credential-abc",
            &WebAuthnCredentialUpdateRequest::new("Renamed key".into())
        )
    );
    call!(
        "Users",
        list_current_user_notes,
        api.list_current_user_notes()
    );
    let target = USER.to_string();
    call!("Users", get_note_on_user, api.get_note_on_user(&target));
    let mut note = UserNoteUpdateRequest::new();
    note.note = Nullable::Value("met at the contract test".into());
    call!(
        "Users",
        set_note_on_user,
        api.set_note_on_user(&target, &note)
    );
    call!(
        "Users",
        complete_password_change,
        api.complete_password_change(&PasswordChangeCompleteRequest::new(
            "ticket-abc".into(),
            "proof-abc".into(),
            "a new long password".into()
        ))
    );
    call!(
        "Users",
        resend_password_change_code,
        api.resend_password_change_code(&PasswordChangeTicketRequest::new("ticket-abc".into()))
    );
    call!(
        "Users",
        start_password_change,
        api.start_password_change(&BTreeMap::new())
    );
    call!(
        "Users",
        verify_password_change_code,
        api.verify_password_change_code(&PasswordChangeVerifyRequest::new(
            "ticket-abc".into(),
            "123456".into()
        ))
    );
    let mut phone = PhoneAddRequest::new("phone-token-abc".into());
    phone.password = Some(PASSWORD.into());
    call!(
        "Users",
        add_phone_to_account,
        api.add_phone_to_account(&phone)
    );
    call!(
        "Users",
        remove_phone_from_account,
        api.remove_phone_from_account(&password())
    );
    call!(
        "Users",
        send_phone_verification_code,
        api.send_phone_verification_code(&PhoneSendVerificationRequest::new("+14155550123".into()))
    );
    call!(
        "Users",
        verify_phone_code,
        api.verify_phone_code(&PhoneVerifyRequest::new(
            "+14155550123".into(),
            "123456".into()
        ))
    );
    call!(
        "Users",
        preload_messages_for_channels,
        api.preload_messages_for_channels(&preload)
    );
    call!(
        "Users",
        reset_current_user_premium_state,
        api.reset_current_user_premium_state()
    );
    let mut push = PushSubscribeRequest::new(
        "https://push.example.com/send/abc".into(),
        PushSubscribeRequestKeys::new(
            "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA".into(),
            "tBHItJI5svbpez7KI4CCXg".into(),
        ),
    );
    push.user_agent = Some("contract-test".into());
    call!(
        "Users",
        subscribe_to_push_notifications,
        api.subscribe_to_push_notifications(&push)
    );
    call!(
        "Users",
        list_push_subscriptions,
        api.list_push_subscriptions()
    );
    call!(
        "Users",
        unsubscribe_from_push_notifications,
        api.unsubscribe_from_push_notifications("subscription-abc")
    );
    call!(
        "Users",
        list_user_relationships,
        api.list_user_relationships()
    );
    call!(
        "Users",
        send_friend_request_by_tag,
        api.send_friend_request_by_tag(&FriendRequestByTagRequest::new(
            "some_friend".into(),
            "0001".into()
        ))
    );
    let mut relationship = RelationshipTypePutRequest::new();
    relationship.type_ = Some(RelationshipTypes::from(1));
    call!(
        "Users",
        accept_or_update_friend_request,
        api.accept_or_update_friend_request(USER, &relationship)
    );
    call!("Users", send_friend_request, api.send_friend_request(USER));
    call!("Users", remove_relationship, api.remove_relationship(USER));
    call!(
        "Users",
        update_relationship_nickname,
        api.update_relationship_nickname(
            USER,
            &RelationshipNicknameUpdateRequest::new(Some("Buddy".into()))
        )
    );
    let mut saved = ListSavedMessagesParams::new();
    saved.limit = Some("50".into());
    call!(
        "Users",
        list_saved_messages,
        api.list_saved_messages(&saved)
    );
    call!(
        "Users",
        save_message,
        api.save_message(&SaveMessageRequest::new(CHANNEL, MESSAGE))
    );
    call!("Users", unsave_message, api.unsave_message(MESSAGE));
    call!(
        "Users",
        list_scheduled_messages,
        api.list_scheduled_messages()
    );
    let scheduled = "1700000000000000007";
    call!(
        "Users",
        get_scheduled_message,
        api.get_scheduled_message(scheduled)
    );
    call!(
        "Users",
        cancel_scheduled_message,
        api.cancel_scheduled_message(scheduled)
    );
    call!(
        "Users",
        update_scheduled_message,
        api.update_scheduled_message(scheduled)
    );
    call!(
        "Users",
        get_current_user_settings,
        api.get_current_user_settings()
    );

    let mut user_settings = UserSettingsUpdateRequest::new();
    user_settings.status = Some(UserStatusType::from("dnd"));
    user_settings.status_resets_at = Nullable::Null;
    user_settings.theme = Some(UserThemeType::from("dark"));
    user_settings.locale = Some(Locale::from("en-US"));
    user_settings.restricted_guilds = Some(vec![GUILD]);
    user_settings.developer_mode = Some(true);
    user_settings.animate_stickers = Some(StickerAnimationOptions::from(1));
    user_settings.afk_timeout = Some(600);
    user_settings.trusted_domains = Some(vec!["example.com".into()]);
    call!(
        "Users",
        update_current_user_settings,
        api.update_current_user_settings(&user_settings)
    );
    call!("Users", list_sudo_mfa_methods, api.list_sudo_mfa_methods());
    call!("Users", send_sudo_sms_code, api.send_sudo_sms_code());
    call!(
        "Users",
        get_sudo_webauthn_authentication_options,
        api.get_sudo_webauthn_authentication_options()
    );
    call!(
        "Users",
        check_username_tag_availability,
        api.check_username_tag_availability("contract_user", "1234")
    );
    let mut profile = GetUserProfileParams::new();
    profile.guild_id = Some(GUILD);
    profile.with_mutual_friends = Some("true".into());
    call!(
        "Users",
        get_user_profile,
        api.get_user_profile(&target, &profile)
    );
    call!("Users", get_user_by_id, api.get_user_by_id(USER));
}

async fn channels(client: &Client) {
    let api = client.channels();
    call!("Channels", get_channel, api.get_channel(CHANNEL));
    let mut silent = DeleteChannelParams::new();
    silent.silent = Some("true".into());
    call!(
        "Channels",
        delete_channel,
        api.delete_channel(CHANNEL, &silent)
    );

    let mut text = ChannelUpdateTextRequest::new();
    text.name = Nullable::Value("general".into());
    text.topic = Nullable::Value("Contract tests".into());
    text.nsfw = Nullable::Value(false);
    text.rate_limit_per_user = Nullable::Value(10);
    text.parent_id = Nullable::Null;
    call!(
        "Channels",
        update_channel,
        api.update_channel(
            CHANNEL,
            &ChannelUpdateRequest::ChannelUpdateTextRequest(text)
        )
    );
    call!(
        "Channels",
        get_call_eligibility,
        api.get_call_eligibility(CHANNEL)
    );
    let mut region = CallUpdateBodySchema::new();
    region.region = Nullable::Value("us-east".into());
    call!(
        "Channels",
        update_call_region,
        api.update_call_region(CHANNEL, &region)
    );
    call!("Channels", end_call, api.end_call(CHANNEL));
    let mut ring = CallRingBodySchema::new();
    ring.recipients = Some(vec![USER]);
    call!(
        "Channels",
        ring_call_recipients,
        api.ring_call_recipients(CHANNEL, &ring)
    );
    call!(
        "Channels",
        stop_ringing_call_recipients,
        api.stop_ringing_call_recipients(CHANNEL, &ring)
    );
    let mut list = ListMessagesParams::new();
    list.limit = Some("50".into());
    list.before = Some(MESSAGE);
    call!("Channels", list_messages, api.list_messages(CHANNEL, &list));
    call!("Channels", send_message, api.send_message(CHANNEL));
    call!(
        "Channels",
        clear_channel_read_state,
        api.clear_channel_read_state(CHANNEL)
    );
    call!(
        "Channels",
        bulk_delete_messages,
        api.bulk_delete_messages(
            CHANNEL,
            &BulkDeleteMessagesRequest::new(vec![MESSAGE, Snowflake::new(1200000000000000003)])
        )
    );
    let mut pins = ListPinnedMessagesParams::new();
    pins.limit = Some(25);
    pins.before = Some(
        chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05+00:00").expect("valid date"),
    );
    call!(
        "Channels",
        list_pinned_messages,
        api.list_pinned_messages(CHANNEL, &pins)
    );
    call!("Channels", schedule_message, api.schedule_message(CHANNEL));
    call!("Channels", get_message, api.get_message(CHANNEL, MESSAGE));
    call!(
        "Channels",
        delete_message2,
        api.delete_message2(CHANNEL, MESSAGE)
    );
    call!("Channels", edit_message, api.edit_message(CHANNEL, MESSAGE));
    let mut ack = MessageAckRequest::new();
    ack.mention_count = Some(2);
    ack.manual = Some(true);
    call!(
        "Channels",
        acknowledge_message,
        api.acknowledge_message(CHANNEL, MESSAGE, &ack)
    );
    call!(
        "Channels",
        delete_message_attachment,
        api.delete_message_attachment(CHANNEL, MESSAGE, &ATTACHMENT.to_string())
    );
    call!(
        "Channels",
        remove_all_reactions,
        api.remove_all_reactions(CHANNEL, MESSAGE)
    );
    let emoji = "👍";
    let mut reactors = ListReactionUsersParams::new();
    reactors.limit = Some(25);
    reactors.after = Some(USER);
    call!(
        "Channels",
        list_reaction_users,
        api.list_reaction_users(CHANNEL, MESSAGE, emoji, &reactors)
    );
    call!(
        "Channels",
        remove_all_reactions_for_emoji,
        api.remove_all_reactions_for_emoji(CHANNEL, MESSAGE, emoji)
    );
    let mut session = AddReactionParams::new();
    session.session_id = Some("session-abc".into());
    call!(
        "Channels",
        add_reaction,
        api.add_reaction(CHANNEL, MESSAGE, emoji, &session)
    );
    call!(
        "Channels",
        remove_own_reaction,
        api.remove_own_reaction(
            CHANNEL,
            MESSAGE,
            "custom_emoji:1800000000000000008",
            &RemoveOwnReactionParams::new()
        )
    );
    call!(
        "Channels",
        remove_reaction,
        api.remove_reaction(
            CHANNEL,
            MESSAGE,
            emoji,
            &USER.to_string(),
            &RemoveReactionParams::new()
        )
    );
    let mut overwrite =
        PermissionOverwriteCreateRequest::new(PermissionOverwriteCreateRequestType::from(1));
    overwrite.allow = Some("1024".into());
    overwrite.deny = Some("2048".into());
    call!(
        "Channels",
        set_channel_permission_overwrite,
        api.set_channel_permission_overwrite(CHANNEL, &USER.to_string(), &overwrite)
    );
    call!(
        "Channels",
        delete_channel_permission_overwrite,
        api.delete_channel_permission_overwrite(CHANNEL, &USER.to_string())
    );
    call!("Channels", acknowledge_pins, api.acknowledge_pins(CHANNEL));
    call!("Channels", pin_message, api.pin_message(CHANNEL, MESSAGE));
    call!(
        "Channels",
        unpin_message,
        api.unpin_message(CHANNEL, MESSAGE)
    );
    call!(
        "Channels",
        add_group_dm_recipient,
        api.add_group_dm_recipient(CHANNEL, USER)
    );
    call!(
        "Channels",
        remove_group_dm_recipient,
        api.remove_group_dm_recipient(CHANNEL, USER, &RemoveGroupDmRecipientParams::new())
    );
    call!("Channels", list_rtc_regions, api.list_rtc_regions(CHANNEL));
    call!("Channels", indicate_typing, api.indicate_typing(CHANNEL));
    let stream = "guild:1400000000000000004:1100000000000000001:1300000000000000003";
    call!(
        "Channels",
        get_stream_preview,
        api.get_stream_preview(stream)
    );
    let mut preview = StreamPreviewUploadBodySchema::new(CHANNEL, base64_png());
    preview.content_type = Some("image/png".into());
    call!(
        "Channels",
        upload_stream_preview,
        api.upload_stream_preview(stream, &preview)
    );
    let mut stream_region = StreamUpdateBodySchema::new();
    stream_region.region = Some("us-east".into());
    call!(
        "Channels",
        update_stream_region,
        api.update_stream_region(stream, &stream_region)
    );
}

fn base64_png() -> String {
    serde_json::to_value(Base64(PNG.to_vec()))
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .expect("base64 string")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let base_url = std::env::args()
        .nth(1)
        .expect("usage: driver BASE_URL (e.g. http://127.0.0.1:4010)");
    let client = Client::builder(&base_url)
        .bot_token("contract-bot-token")
        .session_token("contract-session-token")
        .oauth2_token("contract-oauth2-token")
        .retry(RetryPolicy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client builds");
    oauth2(&client).await;
    users(&client).await;
    channels(&client).await;

    // Canary: a request breaking the document (`discriminator` must match `^\d{1,4}$`) must
    // be reported, or the lines above prove nothing.
    let bad = FriendRequestByTagRequest::new("some_friend".into(), "not-a-number".into());
    report(
        "canary",
        "canary",
        client.users().send_friend_request_by_tag(&bad).await,
    );
}
