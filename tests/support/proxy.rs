//! A fault-injecting proxy in front of the emulator, for what a real network does to a
//! collection: every answer late, or one service's endpoint hanging while the others answer.
//!
//! Each request is read whole, then, as the [`Fault`] says, held without an answer or
//! forwarded to the emulator (asking it to close the connection after answering) and its
//! answer passed back. A request's service is the one its SigV4 credential scope names
//! (`Credential=KEY/DATE/REGION/SERVICE/aws4_request`).

use std::io::{BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::http::HttpRequest;

#[derive(Debug, Clone)]
pub enum Fault {
    /// Every answer is held this long before it is passed back.
    Delay(Duration),
    /// Requests signed for this service are read and never answered, their connections held
    /// open; the rest are forwarded at once.
    HangService(&'static str),
}

pub struct Proxy {
    pub endpoint: String,
    /// Requests held without an answer, by service.
    held: Arc<Mutex<Vec<String>>>,
    forwarded: Arc<AtomicUsize>,
    flight: Arc<Mutex<Flight>>,
}

/// Requests being answered at once: now and at most, in all and by service.
#[derive(Debug, Default, Clone)]
pub struct Flight {
    now: usize,
    pub most: usize,
    by_service: std::collections::BTreeMap<String, (usize, usize)>,
}

impl Flight {
    fn enter(&mut self, service: &str) {
        self.now += 1;
        self.most = self.most.max(self.now);
        let (now, most) = self.by_service.entry(service.to_owned()).or_default();
        *now += 1;
        *most = (*most).max(*now);
    }

    fn leave(&mut self, service: &str) {
        self.now -= 1;
        if let Some((now, _)) = self.by_service.get_mut(service) {
            *now -= 1;
        }
    }

    /// The most requests of `service` answered at once.
    pub fn most_of(&self, service: &str) -> usize {
        self.by_service.get(service).map_or(0, |(_, most)| *most)
    }
}

impl Proxy {
    pub fn start(upstream: &str, fault: Fault) -> Proxy {
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let held = Arc::new(Mutex::new(Vec::new()));
        let forwarded = Arc::new(AtomicUsize::new(0));
        let flight = Arc::new(Mutex::new(Flight::default()));
        let (held_by, forwarded_by, flight_by) = (held.clone(), forwarded.clone(), flight.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (upstream, fault) = (upstream.clone(), fault.clone());
                let (held, forwarded, flight) =
                    (held_by.clone(), forwarded_by.clone(), flight_by.clone());
                std::thread::spawn(move || {
                    serve(stream, &upstream, &fault, &held, &forwarded, &flight)
                });
            }
        });
        Proxy {
            endpoint,
            held,
            forwarded,
            flight,
        }
    }

    /// The services of the requests held without an answer, one entry per request.
    pub fn held(&self) -> Vec<String> {
        self.held.lock().unwrap().clone()
    }

    pub fn forwarded(&self) -> usize {
        self.forwarded.load(Ordering::SeqCst)
    }

    /// How many requests were being answered at once.
    pub fn flight(&self) -> Flight {
        self.flight.lock().unwrap().clone()
    }
}

/// One client connection: one request, answered (or held), then closed.
fn serve(
    stream: TcpStream,
    upstream: &str,
    fault: &Fault,
    held: &Mutex<Vec<String>>,
    forwarded: &AtomicUsize,
    flight: &Mutex<Flight>,
) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let Some(request) = HttpRequest::read(&mut reader) else {
        return;
    };
    let service = service(&request);
    match fault {
        Fault::HangService(hung) if service == *hung => {
            held.lock().unwrap().push(service);
            // Hold the connection open, unanswered, until the client gives up on it.
            let mut rest = Vec::new();
            let _ = reader.read_to_end(&mut rest);
            return;
        }
        _ => {}
    }
    flight.lock().unwrap().enter(&service);
    if let Fault::Delay(delay) = fault {
        std::thread::sleep(*delay);
    }
    // The emulator closes its side after answering; the proxy closes with the answer too.
    // The request stops counting as in flight before its answer is passed back: the client
    // may send its next request the moment it has the answer.
    let answer = forward(upstream, &request);
    flight.lock().unwrap().leave(&service);
    if let Some(answer) = answer {
        forwarded.fetch_add(1, Ordering::SeqCst);
        let _ = writer.write_all(&answer);
    }
}

/// The service a request is signed for: `Credential=KEY/DATE/REGION/SERVICE/aws4_request`.
fn service(request: &HttpRequest) -> String {
    request
        .header("authorization")
        .and_then(|value| value.split("Credential=").nth(1))
        .and_then(|scope| scope.split('/').nth(3))
        .unwrap_or_default()
        .to_owned()
}

/// Sends the request to the emulator on a connection of its own, asking it to close the
/// connection after answering (instead of the client's `Connection` header), and reads the
/// whole answer.
fn forward(upstream: &str, request: &HttpRequest) -> Option<Vec<u8>> {
    let mut connection = TcpStream::connect(upstream).ok()?;
    connection
        .set_read_timeout(Some(Duration::from_secs(60)))
        .ok()?;
    let mut sent: Vec<u8> = request
        .head
        .iter()
        .filter(|line| !line.to_ascii_lowercase().starts_with("connection:"))
        .flat_map(|line| line.bytes())
        .collect();
    sent.extend_from_slice(b"Connection: close\r\n\r\n");
    sent.extend_from_slice(&request.body);
    connection.write_all(&sent).ok()?;
    let mut answer = Vec::new();
    connection.read_to_end(&mut answer).ok()?;
    Some(answer)
}
