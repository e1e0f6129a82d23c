//! A Fluxer bot's everyday path: send a message with a file, edit it, list the messages
//! before it (pagination parameters), read it back.
//!
//! It needs the full Fluxer description with `spec/overlays/fluxer.overlay.yaml` (which adds
//! the message bodies upstream leaves out), so the generator ships it only with crates that
//! have the operations and the model below; `tests/tests/bot.rs` builds it in such a crate and
//! runs it against a loopback server:
//!
//! ```text
//! FLUXER_BOT_TOKEN=… cargo run --example bot --no-default-features \
//!     --features channels,rustls-tls -- BASE_URL CHANNEL_ID
//! ```

// needs-operations: send_message edit_message list_messages get_message
// needs-types: MessageCreateMultipartRequest

use fluxer_sdk::apis::channels::{EditMessageBody, SendMessageBody};
use fluxer_sdk::models::{
    MessageAttachmentRequest, MessageCreateMultipartRequest, MessageCreateRequest,
    MessageEditRequest,
};
use fluxer_sdk::types::{Binary, Snowflake};
use fluxer_sdk::Client;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let base_url = args.next().unwrap_or_else(|| fluxer_sdk::DEFAULT_BASE_URL.into());
    let channel: Snowflake = args.next().ok_or("CHANNEL_ID missing")?.parse()?;
    let token = std::env::var("FLUXER_BOT_TOKEN")?;
    let client = Client::builder(&base_url).bot_token(token).build()?;
    let channels = client.channels();

    // The message, with one file: attachment entry 0 names the part `files[0]`.
    let message = MessageCreateRequest::new()
        .content("Nightly report attached")
        .attachments([MessageAttachmentRequest::new(0, "report.txt")]);
    let file = Binary::new("report.txt", b"all green\n".to_vec()).with_content_type("text/plain");
    let upload = MessageCreateMultipartRequest::new(message).files_0(file);
    let sent = channels.send_message(channel, &SendMessageBody::Multipart(upload)).await?;
    println!("sent {} ({} attachment)", sent.id, sent.attachments.as_ref().map_or(0, Vec::len));

    // Edit its text; the attachment stays.
    let edit = MessageEditRequest::new().content("Nightly report attached (all green)");
    channels.edit_message(channel, sent.id, &EditMessageBody::Json(edit)).await?;

    // Up to 50 messages before it: required arguments first, optional ones chained.
    let earlier = channels.list_messages(channel).limit("50").before(sent.id).await?;
    println!("{} earlier", earlier.len());

    let read = channels.get_message(channel, sent.id).await?;
    println!("read back: {}", read.content);
    Ok(())
}
