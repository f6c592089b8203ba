//! A plain HTTP/1.1 client of the live server over loopback TCP, and a server process to talk
//! to: what the server's tests and its load driver use to drive it as an ERP and open pages
//! would. Raw sockets on purpose: the tests also send what no well-behaved client library
//! would (a body that never ends, a 50 MB body, garbage).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A server process started for a test or a load run; killed when dropped.
pub struct ServerProcess {
    /// The process.
    pub child: Child,
    /// Where it listens.
    pub address: SocketAddr,
}

impl ServerProcess {
    /// Starts `binary serve ARGS --port 0` and waits for its `listening on http://...` line.
    ///
    /// # Errors
    /// The process did not start, or ended before it listened.
    pub fn start(binary: &Path, args: &[String]) -> Result<ServerProcess, String> {
        let mut child = Command::new(binary)
            .arg("serve")
            .args(args)
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("{}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(address) = line.strip_prefix("listening on http://") {
                        let address = address.trim().parse().map_err(|e| format!("{line}: {e}"))?;
                        return Ok(ServerProcess { child, address });
                    }
                }
                _ => {
                    let _ = child.kill();
                    return Err("the server ended before it listened".to_owned());
                }
            }
        }
    }

    /// Kills the process at once (SIGKILL) and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An answer: its status and body.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body, as text.
    pub body: String,
}

impl Answer {
    /// The body as JSON (`Null` when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Sends one request (closing the connection after it) and reads the whole answer.
///
/// # Errors
/// The connection failed, or the answer is not HTTP.
pub fn request(
    address: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &[u8],
) -> Result<Answer, String> {
    let mut stream = TcpStream::connect(address).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(60))).map_err(|e| e.to_string())?;
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    // A server may answer (413) and close before the whole body is sent: then the write fails
    // and the answer is still there to read.
    let _ = stream.write_all(body);
    read_answer(&mut stream)
}

/// Reads an answer until the server closes the connection.
///
/// # Errors
/// Nothing came, or it is not HTTP.
pub fn read_answer(stream: &mut TcpStream) -> Result<Answer, String> {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| format!("not an HTTP answer: {text:?}"))?;
    let status =
        head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| format!("no status in {head:?}"))?;
    Ok(Answer { status, body: body.to_owned() })
}

/// A client of `GET /api/stream`: each change's JSON as it arrives.
pub struct StreamReader {
    lines: std::io::Lines<BufReader<TcpStream>>,
}

impl StreamReader {
    /// Opens the stream and reads past the answer's head; the stream ends for this reader after
    /// `silence` without a line (the server sends a keep-alive comment every 15 s).
    ///
    /// # Errors
    /// The connection failed or the answer is not 200.
    pub fn open(address: SocketAddr, silence: Duration) -> Result<StreamReader, String> {
        let mut stream = TcpStream::connect(address).map_err(|e| e.to_string())?;
        stream.set_read_timeout(Some(silence)).map_err(|e| e.to_string())?;
        let head = format!("GET /api/stream HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n");
        stream.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
        let mut lines = BufReader::new(stream).lines();
        let status = lines.next().and_then(Result::ok).unwrap_or_default();
        if !status.contains(" 200 ") {
            return Err(format!("the stream answered {status:?}"));
        }
        for line in lines.by_ref() {
            if line.map_err(|e| e.to_string())?.is_empty() {
                break;
            }
        }
        Ok(StreamReader { lines })
    }

    /// The next change (the text after `data: `), skipping chunk sizes, comments and blank
    /// lines; `None` when the stream ends or stays silent too long.
    pub fn next_change(&mut self) -> Option<String> {
        for line in self.lines.by_ref() {
            let line = line.ok()?;
            if let Some(data) = line.strip_prefix("data: ") {
                return Some(data.to_owned());
            }
        }
        None
    }
}
