//! The local AWS emulator (moto server) for the live-collection tests: installed into
//! `target/moto-venv` on first use, started on a free port per test, stopped on drop.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MOTO: &str = "moto[server]==5.2.5";

static INSTALL: Mutex<()> = Mutex::new(());

fn venv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/moto-venv")
}

/// Installs moto into the virtualenv unless it is there already.
fn ensure_installed() -> PathBuf {
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let venv = venv();
    let server = venv.join("bin/moto_server");
    if server.exists() {
        return venv;
    }
    let status = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().unwrap_or_else(|err| {
        panic!("the live-collection tests need python3 (with venv) to install the AWS emulator: {err}")
    });
    assert!(
        status.success(),
        "python3 -m venv {} failed",
        venv.display()
    );
    let status = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", MOTO])
        .status()
        .expect("pip could not be started");
    assert!(
        status.success(),
        "pip install {MOTO} failed: the live-collection tests need it (PyPI must be reachable)"
    );
    venv
}

pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Moto {
    pub fn start() -> Moto {
        let venv = ensure_installed();
        // Tests run in parallel: a port the OS hands out twice would let one test talk to
        // another's emulator (and lose it when that test ends). Each port is used once per
        // process, and a server that exits at once (port taken) is replaced.
        static USED: Mutex<Vec<u16>> = Mutex::new(Vec::new());
        for _ in 0..5 {
            let port = loop {
                let port = TcpListener::bind("127.0.0.1:0")
                    .unwrap()
                    .local_addr()
                    .unwrap()
                    .port();
                let mut used = USED.lock().unwrap_or_else(|e| e.into_inner());
                if !used.contains(&port) {
                    used.push(port);
                    break port;
                }
            };
            let mut child = Command::new(venv.join("bin/moto_server"))
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
                .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("moto_server could not be started");
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut exited = false;
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                if child.try_wait().ok().flatten().is_some() {
                    exited = true;
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "moto_server did not listen on port {port} within 60 s"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
            // Something else may have answered on the port while our server failed to bind.
            std::thread::sleep(Duration::from_millis(200));
            if exited || child.try_wait().ok().flatten().is_some() {
                continue;
            }
            return Moto {
                child,
                endpoint: format!("http://127.0.0.1:{port}"),
            };
        }
        panic!("moto_server exited at start five times (ports taken?)");
    }

    /// Seeds an organization (see `seed_org.py`) and returns what it created.
    pub fn seed(&self, scale: &str) -> serde_json::Value {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/seed_org.py");
        let output = Command::new(venv().join("bin/python"))
            .arg(script)
            .args([&self.endpoint, "--scale", scale])
            .output()
            .expect("the seed script could not be started");
        assert!(
            output.status.success(),
            "seeding failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("the seed script prints JSON")
    }

    /// Environment for a ringfence process talking to this emulator as the management account.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("AWS_CONFIG_FILE", "/dev/null".into()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".into()),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
