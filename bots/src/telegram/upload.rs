//! Files the bot sends to a chat: a pick list as a PDF document (`sendDocument`), a sales
//! chart as a PNG photo (`sendPhoto`), both uploaded from memory (multipart/form-data,
//! teloxide's `InputFile::memory`). Each waits for the chat's turn like a message, and a
//! 429 is waited out as for the bot's texts. What was sent is described for the
//! communication log and the service's log by [`Upload::describe`]: kind, file name and
//! size, never the bytes.

use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::InputFile;

use super::bot::{MAX_RATE_LIMITED_TRIES, MAX_RETRY_AFTER};
use super::pace::ChatPacer;

/// How a file is shown in the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UploadKind {
    /// A file to download (`sendDocument`).
    Document,
    /// An image shown in the chat (`sendPhoto`).
    Photo,
}

/// One file for a chat, made in memory.
#[derive(Clone)]
pub(super) struct Upload {
    /// Document or photo.
    pub(super) kind: UploadKind,
    /// The file name the chat shows (`picklist-W1.pdf`).
    pub(super) name: String,
    /// The file's bytes.
    pub(super) bytes: Vec<u8>,
    /// The words under it (Telegram allows 1024 characters; ours are one line).
    pub(super) caption: String,
}

impl Upload {
    /// What was sent, for a log: `document picklist-W1.pdf (1234 bytes)`.
    pub(super) fn describe(&self) -> String {
        let kind = match self.kind {
            UploadKind::Document => "document",
            UploadKind::Photo => "photo",
        };
        format!("{kind} {} ({} bytes)", self.name, self.bytes.len())
    }
}

/// Sends `upload` to `chat` in the chat's turn; a 429 is sent again after Telegram's
/// `retry_after` (at most [`MAX_RATE_LIMITED_TRIES`] tries, each wait at most
/// [`MAX_RETRY_AFTER`]).
///
/// # Errors
/// The Bot API's refusal, or a network failure, of the last try.
pub(super) async fn send(
    bot: &Bot,
    pacer: &ChatPacer,
    chat: ChatId,
    upload: &Upload,
) -> ResponseResult<()> {
    let mut tries = 0;
    loop {
        tries += 1;
        pacer.wait_turn(chat.0).await;
        let file = InputFile::memory(upload.bytes.clone()).file_name(upload.name.clone());
        let sent = match upload.kind {
            UploadKind::Document => bot
                .send_document(chat, file)
                .caption(upload.caption.clone())
                .await
                .map(drop),
            UploadKind::Photo => bot
                .send_photo(chat, file)
                .caption(upload.caption.clone())
                .await
                .map(drop),
        };
        match sent {
            Ok(()) => {
                tracing::info!(chat = chat.0, sent = %upload.describe(), "Telegram file sent");
                return Ok(());
            }
            Err(RequestError::RetryAfter(wait)) if tries < MAX_RATE_LIMITED_TRIES => {
                tokio::time::sleep(wait.duration().min(MAX_RETRY_AFTER)).await;
            }
            Err(error) => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_described_by_kind_name_and_size_never_its_bytes() {
        let upload = Upload {
            kind: UploadKind::Document,
            name: "picklist-W1.pdf".into(),
            bytes: b"%PDF-1.7 secret".to_vec(),
            caption: "Pick list".into(),
        };
        assert_eq!(upload.describe(), "document picklist-W1.pdf (15 bytes)");
        let photo = Upload {
            kind: UploadKind::Photo,
            ..upload
        };
        assert_eq!(photo.describe(), "photo picklist-W1.pdf (15 bytes)");
    }
}
