//! The socket on a memory store: permissions, the line protocol, stale and live sockets,
//! removal at stop.

use super::*;
use std::os::unix::fs::FileTypeExt;

use ordo_core::store::MemoryStore;
use ordo_core::testkit::sample;
use serde_json::json;

fn pool() -> EnginePool<MemoryStore> {
    EnginePool::new(
        sample::engine_with_cheap_passwords(MemoryStore::new(), 3).0,
        2,
    )
}

/// Sends `lines` on one connection, returns the answers.
async fn exchange_lines(path: &Path, lines: &[String]) -> Vec<Value> {
    let stream = UnixStream::connect(path).await.unwrap();
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut answers = Vec::new();
    for line in lines {
        write.write_all(line.as_bytes()).await.unwrap();
        write.write_all(b"\n").await.unwrap();
        let mut answer = String::new();
        reader.read_line(&mut answer).await.unwrap();
        answers.push(serde_json::from_str(&answer).unwrap());
    }
    answers
}

fn line(value: Value) -> String {
    value.to_string()
}

#[tokio::test]
async fn the_socket_is_owner_only_answers_the_contract_and_goes_at_stop() {
    let dir = tempfile::tempdir().unwrap();
    let socket = bind(dir.path()).unwrap();
    let path = socket.path().to_path_buf();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    assert!(!dir.path().join(BINDING_DIR).exists());
    let (stop, stopped) = watch::channel(false);
    let served = tokio::spawn(serve(socket, pool(), stopped));

    let answers = exchange_lines(
        &path,
        &[
            line(json!({"caller": "alice", "session": null,
                "request": {"op": "product.create", "args": {"sku": "MUG-1", "name": "Mug",
                "base_price": {"amount": "5.00", "currency": "EUR"}, "tax_category": "standard"}}})),
            line(json!({"caller": "alice", "request": {"op": "product.get", "args": {"sku": "MUG-1"}, "extra": 7}})),
            line(json!({"caller": "alice", "request": {"op": "no.such"}})),
            "not json".to_string(),
            line(json!({"caller": "", "request": {"op": "product.list"}})),
            line(json!({"caller": "alice", "session": "00", "request": {"op": "product.list"}})),
        ],
    )
    .await;
    assert_eq!(answers[0]["ok"]["sku"], "MUG-1", "{}", answers[0]);
    assert_eq!(answers[1]["ok"]["name"], "Mug");
    assert_eq!(answers[1]["extra"], 7);
    assert_eq!(answers[2]["error"]["code"], "unknown_op");
    assert_eq!(answers[3]["error"]["code"], "malformed_request");
    assert_eq!(answers[4]["error"]["code"], "malformed_request");
    assert_eq!(answers[5]["error"]["kind"], "unauthenticated");

    stop.send(true).unwrap();
    served.await.unwrap();
    assert!(!path.exists(), "the socket is removed at stop");
}

#[tokio::test]
async fn a_line_over_the_limit_is_refused_and_the_connection_closed() {
    let dir = tempfile::tempdir().unwrap();
    let socket = bind(dir.path()).unwrap();
    let path = socket.path().to_path_buf();
    let (stop, stopped) = watch::channel(false);
    let served = tokio::spawn(serve(socket, pool(), stopped));
    let huge = "x".repeat(MAX_LINE_BYTES + 10);
    let stream = UnixStream::connect(&path).await.unwrap();
    let (read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        // The service may close before all of it is written.
        let _ = write.write_all(huge.as_bytes()).await;
        let _ = write.write_all(b"\n").await;
    });
    let mut reader = BufReader::new(read);
    let mut answer = String::new();
    reader.read_line(&mut answer).await.unwrap();
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["error"]["code"], "request_too_large");
    let mut rest = String::new();
    assert_eq!(
        reader.read_line(&mut rest).await.unwrap(),
        0,
        "closed after: {rest}"
    );
    writer.await.unwrap();
    stop.send(true).unwrap();
    served.await.unwrap();
}

#[tokio::test]
async fn a_stale_socket_is_replaced_and_a_live_one_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(ordo_storage::SERVICE_SOCKET);
    // Stale: bound by a process that is gone (the listener is dropped).
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(
        std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_socket()
    );
    let socket = bind(dir.path()).unwrap();
    // Live: the socket just bound answers.
    match bind(dir.path()) {
        Err(SocketError::InUse(p)) => assert_eq!(p, path),
        other => panic!("{other:?}"),
    }
    drop(socket);
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, "a file").unwrap();
    assert!(matches!(bind(dir.path()), Err(SocketError::NotASocket(_))));
}
