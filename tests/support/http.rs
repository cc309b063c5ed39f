//! The one HTTP request a test endpoint reads from a connection: its head lines and body.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;

pub struct HttpRequest {
    /// The request line and the header lines, each with its `\r\n`.
    pub head: Vec<String>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// Reads the head up to the blank line, then `Content-Length` bytes of body; `None` when
    /// the connection ends before that.
    pub fn read(reader: &mut BufReader<TcpStream>) -> Option<HttpRequest> {
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            if line == "\r\n" {
                break;
            }
            head.push(line);
        }
        let mut request = HttpRequest {
            head,
            body: Vec::new(),
        };
        let length = request
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        request.body = vec![0; length];
        reader.read_exact(&mut request.body).ok()?;
        Some(request)
    }

    /// The value of the header `name` (any case), trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.iter().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}
