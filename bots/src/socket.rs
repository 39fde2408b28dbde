//! The admin socket: how the `ordo` CLI reaches the store while `ordo serve` holds it.
//!
//! sled lets one process open a data directory, so the service listens on a Unix socket
//! inside it ([`ordo_storage::SERVICE_SOCKET`], `ordo.sock`) and every other `ordo`
//! command sends its requests there. The socket is as trusted as the data directory: a
//! request runs as the local administrator under the name the client gives
//! (`Caller::Local`), which is why only the service's own user can connect:
//!
//! - the socket file is created with mode 0600 without a moment of wider access: it is
//!   bound inside a fresh 0700 directory, set to 0600 there, and only then renamed into
//!   place (a rename keeps the listening socket);
//! - every connection's peer credentials (`SO_PEERCRED`) must carry the uid that owns the
//!   socket, i.e. the service's own effective uid; others are dropped unanswered.
//!
//! Protocol: one JSON line per request, one JSON line per answer, as many as the client
//! sends on one connection. A request is a [`SocketRequest`] (`{"caller": "<os user>",
//! "session": null | "<token>", "request": {…an ordo-api request…}}`); the answer is the
//! contract's response JSON, exactly as `execute_json` gives it.
//!
//! At start a socket file nobody answers on (left by a crash) is removed; one that
//! answers means another service holds the directory ([`SocketError::InUse`]; the
//! store's lock refuses a second service before this point anyway). The file is removed
//! when the service stops accepting.

use std::fs::DirBuilder;
use std::io::ErrorKind as IoErrorKind;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Instant;

use ordo_api::{ApiError, Caller, MAX_REQUEST_BYTES, Outcome, Response};
use ordo_core::store::Store;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::exchange;
use crate::pool::EnginePool;

/// The longest request line: a request at the contract's limit plus its envelope.
pub const MAX_LINE_BYTES: usize = MAX_REQUEST_BYTES + 64 * 1024;

/// The longest caller name accepted.
const MAX_CALLER_CHARS: usize = 128;

/// The directory the socket is bound in before it is moved into place.
const BINDING_DIR: &str = "ordo.sock.binding";

/// One request on the socket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocketRequest {
    /// Who sends it (the OS user name), for the audit trail.
    pub caller: String,
    /// A session to act as (`$ORDO_TOKEN`, `--as`), else the local administrator acts.
    #[serde(default)]
    pub session: Option<String>,
    /// The ordo-api request (`{"op": …, "args": …}`).
    pub request: Value,
}

/// Why the socket could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    /// Another service answers on the socket.
    #[error("{0} answers: another ordo serve is running on this data directory; stop it first")]
    InUse(PathBuf),
    /// Something that is not a socket is in the way.
    #[error("{0} exists and is not a socket; move it away")]
    NotASocket(PathBuf),
    /// A file-system step failed.
    #[error("cannot set up the socket {path}: {source}")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SocketError + '_ {
    move |source| SocketError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The socket bound in a data directory, not yet serving.
#[derive(Debug)]
pub struct BoundSocket {
    listener: std::os::unix::net::UnixListener,
    path: PathBuf,
    owner: u32,
}

impl BoundSocket {
    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Binds `ordo.sock` in `data_dir`, mode 0600 from the first moment (see the module).
///
/// # Errors
/// [`SocketError::InUse`] if a service answers on it; [`SocketError::NotASocket`] if
/// something else has its name; [`SocketError::Io`] if a step fails.
pub fn bind(data_dir: &Path) -> Result<BoundSocket, SocketError> {
    let path = data_dir.join(ordo_storage::SERVICE_SOCKET);
    clear_stale(&path)?;
    let binding = data_dir.join(BINDING_DIR);
    // A leftover of a crash in the middle of the steps below.
    if binding.exists() {
        std::fs::remove_dir_all(&binding).map_err(io(&binding))?;
    }
    DirBuilder::new()
        .mode(0o700)
        .create(&binding)
        .map_err(io(&binding))?;
    let bound = bind_inside(&binding, &path);
    let removed = std::fs::remove_dir_all(&binding).map_err(io(&binding));
    let socket = bound?;
    removed?;
    Ok(socket)
}

/// Binds in the private directory `binding`, sets 0600, moves the socket to `path`.
fn bind_inside(binding: &Path, path: &Path) -> Result<BoundSocket, SocketError> {
    let inside = binding.join(ordo_storage::SERVICE_SOCKET);
    let listener = std::os::unix::net::UnixListener::bind(&inside).map_err(io(&inside))?;
    std::fs::set_permissions(&inside, std::fs::Permissions::from_mode(0o600))
        .map_err(io(&inside))?;
    let owner = std::fs::metadata(&inside).map_err(io(&inside))?.uid();
    std::fs::rename(&inside, path).map_err(io(path))?;
    listener.set_nonblocking(true).map_err(io(path))?;
    Ok(BoundSocket {
        listener,
        path: path.to_path_buf(),
        owner,
    })
}

/// Removes a socket file nobody answers on.
fn clear_stale(path: &Path) -> Result<(), SocketError> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == IoErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(path)(e)),
    };
    if !std::os::unix::fs::FileTypeExt::is_socket(&metadata.file_type()) {
        return Err(SocketError::NotASocket(path.to_path_buf()));
    }
    match std::os::unix::net::UnixStream::connect(path) {
        Ok(_) => Err(SocketError::InUse(path.to_path_buf())),
        Err(_) => {
            tracing::info!(socket = %path.display(), "removing a stale socket");
            std::fs::remove_file(path).map_err(io(path))
        }
    }
}

/// Serves `socket` until `stop` turns true: stops accepting, lets every connection finish
/// the request in hand, then removes the socket file.
pub async fn serve<S: Store + Send + Sync + 'static>(
    socket: BoundSocket,
    pool: EnginePool<S>,
    stop: watch::Receiver<bool>,
) {
    let BoundSocket {
        listener,
        path,
        owner,
    } = socket;
    let listener = match UnixListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, "the socket cannot be served");
            remove(&path);
            return;
        }
    };
    let mut connections = JoinSet::new();
    let mut stopping = stop.clone();
    loop {
        tokio::select! {
            () = stopped(&mut stopping) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    if let Some(stream) = admit(stream, owner) {
                        connections.spawn(connection(stream, pool.clone(), stop.clone()));
                    }
                }
                Err(error) => tracing::warn!(%error, "socket accept failed"),
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    remove(&path);
    while connections.join_next().await.is_some() {}
}

/// The stream if its peer runs as `owner`.
fn admit(stream: UnixStream, owner: u32) -> Option<UnixStream> {
    match stream.peer_cred() {
        Ok(peer) if peer.uid() == owner => Some(stream),
        Ok(peer) => {
            tracing::warn!(
                uid = peer.uid(),
                "socket connection from another user refused"
            );
            None
        }
        Err(error) => {
            tracing::warn!(%error, "socket peer unknown; connection refused");
            None
        }
    }
}

/// Resolves when `stop` is true (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // An error means the sender is gone: nobody can stop us any more, so stop now.
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Answers the requests of one connection until it closes or the service stops.
async fn connection<S: Store + Send + Sync + 'static>(
    stream: UnixStream,
    pool: EnginePool<S>,
    mut stop: watch::Receiver<bool>,
) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let mut line = Vec::new();
        let limited = (&mut reader).take(MAX_LINE_BYTES as u64 + 1);
        let read = tokio::select! {
            () = stopped(&mut stop) => return,
            read = read_line(limited, &mut line) => read,
        };
        let (reply, keep_open) = match read {
            Ok(0) => return,
            Ok(_) if line.len() > MAX_LINE_BYTES => (too_large(), false),
            Ok(_) => (answer(&pool, &line).await, true),
            Err(error) => {
                tracing::debug!(%error, "socket read failed");
                return;
            }
        };
        let mut text = reply.to_json();
        text.push('\n');
        if write.write_all(text.as_bytes()).await.is_err() || !keep_open {
            return;
        }
    }
}

async fn read_line(
    mut reader: tokio::io::Take<&mut BufReader<tokio::net::unix::OwnedReadHalf>>,
    line: &mut Vec<u8>,
) -> std::io::Result<usize> {
    reader.read_until(b'\n', line).await
}

fn too_large() -> Response {
    Response::error(
        ApiError::bad_request(
            "request_too_large",
            format!("a request may have at most {MAX_REQUEST_BYTES} bytes"),
        ),
        None,
    )
}

/// The contract's answer to one request line.
async fn answer<S: Store + Send + Sync + 'static>(pool: &EnginePool<S>, line: &[u8]) -> Response {
    let started = Instant::now();
    let (caller, op, json) = match prepare(line) {
        Ok(prepared) => prepared,
        Err(error) => return Response::error(error, None),
    };
    let response = exchange::execute(pool, caller, json).await;
    tracing::info!(
        op = op.unwrap_or("-"),
        status = response.status(),
        code = match &response.outcome {
            Outcome::Ok(_) => "ok",
            Outcome::Error(error) => error.code.as_str(),
        },
        duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "socket request"
    );
    response
}

/// The caller, op and request text of a line.
///
/// # Errors
/// `malformed_request` for a line that is not a [`SocketRequest`] or names no usable
/// caller, or whose request names another session.
fn prepare(line: &[u8]) -> Result<(Caller, Option<&'static str>, String), ApiError> {
    let message: SocketRequest = serde_json::from_slice(line).map_err(|e| {
        ApiError::bad_request("malformed_request", format!("not a socket request: {e}"))
    })?;
    let name = message.caller.trim();
    if name.is_empty()
        || name.chars().count() > MAX_CALLER_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(ApiError::bad_request(
            "malformed_request",
            format!("caller must be a user name of 1 to {MAX_CALLER_CHARS} printable characters"),
        ));
    }
    let caller = Caller::Local {
        name: name.to_string(),
    };
    let Value::Object(request) = message.request else {
        return Err(ApiError::bad_request(
            "malformed_request",
            "request must be an ordo-api request object",
        ));
    };
    let op = exchange::op_of(&request);
    let json = exchange::with_session(request, message.session.as_deref())?;
    Ok((caller, op, json))
}

/// Removes the socket file (at shutdown).
fn remove(path: &Path) {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == IoErrorKind::NotFound => {}
        Err(error) => tracing::warn!(%error, socket = %path.display(), "cannot remove the socket"),
    }
}

#[cfg(test)]
mod tests;
