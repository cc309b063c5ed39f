//! Writes the benchmark's target-scale estate as a snapshot file, to measure a whole run:
//!
//! ```sh
//! cargo run --release --example generate_estate -- /tmp/estate.json
//! /usr/bin/time -v target/release/ringfence evaluate /tmp/estate.json -f json -o /tmp/report.json
//! ```

#[path = "../benches/support/estate.rs"]
mod estate;

fn main() -> std::io::Result<()> {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: generate_estate OUTPUT.json");
        std::process::exit(2);
    };
    let snapshot = estate::generate(&estate::TARGET);
    std::fs::write(&path, snapshot.to_json())?;
    eprintln!("wrote {path}");
    Ok(())
}
