//! A running `ordo serve` on the data directory: found by its socket (`ordo.sock`), and
//! sent requests there instead of opening the store (which the service holds).
//!
//! The protocol is ordo-bots' admin socket: one JSON line per request
//! (`ordo_bots::socket::SocketRequest`), one line of the contract's response back. Idle
//! connections are kept for the next request of the same command, so the requests of one
//! command (sign in, the command, sign out) share one connection, and concurrent
//! requests (`outbox ack --all`) open more.

use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context as _;
use ordo_api::{ApiError, Request, Response};
use ordo_bots::socket::SocketRequest;

use crate::context::Refused;

/// A running service's socket, and the connections to it.
#[derive(Debug)]
pub struct Service {
    path: PathBuf,
    /// The OS user, as the requests' caller.
    caller: String,
    idle: Mutex<Vec<Connection>>,
}

#[derive(Debug)]
struct Connection {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Connection {
    fn open(path: &Path) -> std::io::Result<Connection> {
        let stream = UnixStream::connect(path)?;
        Ok(Connection {
            writer: stream.try_clone()?,
            reader: BufReader::new(stream),
        })
    }
}

/// The service running on `data`, if one answers on its socket. A socket file nobody
/// answers on (a service that crashed) counts as none.
///
/// # Errors
/// If the socket may not be used (another user's service: the socket is owner-only).
pub fn find(data: &Path, caller: &str) -> anyhow::Result<Option<Service>> {
    let path = data.join(ordo_storage::SERVICE_SOCKET);
    match Connection::open(&path) {
        Ok(connection) => Ok(Some(Service {
            path,
            caller: caller.to_string(),
            idle: Mutex::new(vec![connection]),
        })),
        // Only a socket we may not use is worth saying: anything else (no socket, a stale
        // one, a data directory that is not one) is for opening the store to report.
        Err(e) if e.kind() != ErrorKind::PermissionDenied => Ok(None),
        Err(e) => Err(anyhow::anyhow!(
            "cannot reach the ordo serve running on {} through {}: {e} (the socket answers \
             only the user the service runs as)",
            data.display(),
            path.display()
        )),
    }
}

impl Service {
    /// Sends `request` (acting as `session`'s user, if given) and returns the contract's
    /// response.
    ///
    /// # Errors
    /// If the service cannot be reached or closes the connection (it is stopping).
    pub fn send(&self, session: Option<&str>, request: Request) -> anyhow::Result<Response> {
        let message = SocketRequest {
            caller: self.caller.clone(),
            session: session.map(str::to_string),
            request: serde_json::to_value(&request)?,
        };
        let mut line = serde_json::to_string(&message)?;
        line.push('\n');
        let idle = self.idle.lock().map_or(None, |mut idle| idle.pop());
        let mut connection = match idle {
            Some(connection) => connection,
            None => Connection::open(&self.path).with_context(|| self.unreachable())?,
        };
        connection
            .writer
            .write_all(line.as_bytes())
            .with_context(|| self.unreachable())?;
        let mut answer = String::new();
        let read = connection
            .reader
            .read_line(&mut answer)
            .with_context(|| self.unreachable())?;
        if read == 0 {
            return Err(anyhow::anyhow!(
                "the ordo serve on {} closed the connection (is it stopping?); try again",
                self.path.display()
            ));
        }
        let response: Response = serde_json::from_str(&answer).with_context(|| {
            format!(
                "the service at {} answered with something that is not a response",
                self.path.display()
            )
        })?;
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(connection);
        }
        Ok(response)
    }

    fn unreachable(&self) -> String {
        format!("cannot reach the ordo serve at {}", self.path.display())
    }

    /// The refusal of a command that needs the data directory to itself (`restore`,
    /// `backup`, `demo`) while the service holds it: a conflict (exit 5), like a store in
    /// use.
    pub fn busy(&self, command: &str, advice: &str) -> anyhow::Error {
        let data = self.path.parent().map_or_else(
            || self.path.display().to_string(),
            |d| d.display().to_string(),
        );
        Refused(ApiError {
            code: "store_locked".to_string(),
            kind: "conflict".to_string(),
            field: None,
            message: format!(
                "ordo serve is running on {data} (its socket {} answers), so `ordo {command}` \
                 cannot use the data directory; {advice}",
                self.path.display()
            ),
        })
        .into()
    }
}
