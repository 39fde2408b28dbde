//! Responses: `{"ok": <view>}` or `{"error": {"code", "kind", "field", "message"}}`, with
//! the request's `extra` echoed, and the status number every front shares.

use ordo_core::error::{Error, ErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Success.
pub const STATUS_OK: i32 = 0;

/// A refusal or failure, as every front reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable snake_case code scripts and hosts match on (`insufficient_stock`, …).
    pub code: String,
    /// The kind: `bad_request`, `validation`, `not_found`, `conflict`, `unauthenticated`,
    /// `forbidden` or `internal`.
    pub kind: String,
    /// The input field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub field: Option<String>,
    /// A sentence for the person who reads it.
    pub message: String,
}

impl ApiError {
    /// A malformed request (status 2): bad JSON, an unknown op, wrong argument types.
    pub fn bad_request(code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            code: code.to_string(),
            kind: ErrorKind::BadRequest.code().to_string(),
            field: None,
            message: message.into(),
        }
    }

    /// The wire form of an engine error.
    pub fn from_engine(error: &Error) -> ApiError {
        ApiError {
            code: error.code().to_string(),
            kind: error.kind().code().to_string(),
            field: error.field().map(str::to_string),
            message: error.to_string(),
        }
    }

    /// The status number of this error.
    pub fn status(&self) -> i32 {
        ErrorKind::ALL
            .iter()
            .find(|kind| kind.code() == self.kind)
            .map_or(ErrorKind::Internal.status(), |kind| kind.status())
    }
}

/// What a request produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The view of what the operation returned.
    Ok(Value),
    /// Why it did not happen.
    Error(ApiError),
}

/// The answer to one request: `{"ok": …, "extra": …}` or `{"error": …, "extra": …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The result.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The request's `extra`, unchanged (hosts match asynchronous answers with it).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub extra: Option<Value>,
}

impl Response {
    /// A success carrying `value`.
    pub fn ok(value: Value, extra: Option<Value>) -> Response {
        Response {
            outcome: Outcome::Ok(value),
            extra,
        }
    }

    /// A failure.
    pub fn error(error: ApiError, extra: Option<Value>) -> Response {
        Response {
            outcome: Outcome::Error(error),
            extra,
        }
    }

    /// 0 for success, else the error's status number.
    pub fn status(&self) -> i32 {
        match &self.outcome {
            Outcome::Ok(_) => STATUS_OK,
            Outcome::Error(error) => error.status(),
        }
    }

    /// The response as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            format!(
                r#"{{"error":{{"code":"internal","kind":"internal","message":"cannot render the response: {}"}}}}"#,
                e.to_string().replace('"', "'")
            )
        })
    }
}
