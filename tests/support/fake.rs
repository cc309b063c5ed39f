//! A fake AWS endpoint for what the emulator cannot show: it records each request's body and
//! `Authorization` header (which names the access key id and the signing region), answers
//! `sts:GetCallerIdentity`, fails everything else with HTTP 500, and can stop listening after a
//! number of requests (an endpoint that dies mid-run: every later connection is refused), or
//! hold every other request open without answering (an endpoint that hangs).

use std::io::{BufReader, Write};

use super::http::HttpRequest;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Request {
    pub authorization: String,
    pub body: String,
}

pub struct Fake {
    pub endpoint: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

const IDENTITY: &str = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/auditor</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>";

impl Fake {
    /// Serves `limit` requests (one per connection), then closes the listening socket.
    pub fn start(limit: usize) -> Fake {
        Fake::serve(limit, false)
    }

    /// Answers `sts:GetCallerIdentity`; every other request is read and then never answered,
    /// its connection held open.
    pub fn hanging() -> Fake {
        Fake::serve(usize::MAX, true)
    }

    fn serve(limit: usize, hang: bool) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().take(limit).flatten() {
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let Some(request) = HttpRequest::read(&mut reader) else {
                    continue;
                };
                let authorization = request
                    .header("authorization")
                    .unwrap_or_default()
                    .to_owned();
                let body = String::from_utf8_lossy(&request.body).into_owned();
                let identity = body.contains("Action=GetCallerIdentity");
                if hang && !identity {
                    seen.lock().unwrap().push(Request {
                        authorization,
                        body,
                    });
                    held.push(writer);
                    continue;
                }
                let (status, xml) = if identity {
                    ("200 OK", IDENTITY)
                } else {
                    (
                        "500 Internal Server Error",
                        "<Error><Code>InternalError</Code><Message>the fake service is broken</Message></Error>",
                    )
                };
                seen.lock().unwrap().push(Request {
                    authorization,
                    body,
                });
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
                    xml.len()
                );
                let _ = writer.write_all(response.as_bytes());
            }
            // The listener is dropped here: from now on every connection is refused.
        });
        Fake { endpoint, requests }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

/// A port on which nothing listens (bound, then released).
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
