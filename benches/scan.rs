//! Workspace scan at scale: 100,000 files in 2,500 nested source folders (10 projects × 10
//! modules × 25 folders, 3 to 5 levels deep, 40 files each), 500 of them env files (`.env`,
//! `.env.local`, `prod.env`, `docker-compose.yml`, `.env.example`) holding a mix of fake access
//! keys, database URLs, tokens and plain settings — plus a `node_modules` folder of 1,000 files
//! that the scan skips.
//!
//! The tree is written once, before timing; it is then in the page cache, so the figure is the
//! walk and the search, not the disk.
//!
//! Measured: `scan_workspaces` with default options (all cores).
//!
//! `cargo bench --bench scan`; figures are reported, not asserted.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use ringfence::collect::local::{ScanOptions, scan_workspaces};

const PROJECTS: usize = 10;
const MODULES: usize = 10;
const FOLDERS: usize = 25;
const FILES_PER_FOLDER: usize = 40;
/// One file in this many is an env file: 500 of 100,000.
const ENV_EVERY: usize = 200;

const ENV_NAMES: [&str; 5] = [
    ".env",
    ".env.local",
    "prod.env",
    "docker-compose.yml",
    ".env.example",
];
const SOURCE_NAMES: [(&str, &str); 6] = [
    ("mod", "rs"),
    ("handler", "py"),
    ("index", "ts"),
    ("config", "yaml"),
    ("README", "md"),
    ("settings", "json"),
];

/// A fake access key id unique to `n`: `AKIA` and 16 base-32 characters.
fn key_id(prefix: &str, n: usize) -> String {
    const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut id = String::from(prefix);
    let mut x = n as u64 * 2_654_435_761 + 12_345;
    for _ in 0..16 {
        id.push(BASE32[(x % 32) as usize] as char);
        x /= 32;
        x += 7;
    }
    id
}

fn env_file(name: &str, n: usize) -> String {
    let mut text = String::from("# generated for the scan benchmark\n");
    let assignments: Vec<String> = vec![
        "NODE_ENV=production".into(),
        format!("PORT={}", 8000 + n % 100),
        "LOG_LEVEL=info".into(),
        format!("DB_HOST=db{n}.internal.example.com"),
        match n % 4 {
            0 => format!(
                "AWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCY{n:010}",
                key_id("AKIA", n)
            ),
            1 => format!(
                "DATABASE_URL=postgres://app:pw-{n}-EXAMPLE@db{n}.internal.example.com:5432/app"
            ),
            2 => format!(
                "AWS_ACCESS_KEY_ID={}\nAWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLE{n}",
                key_id("ASIA", n)
            ),
            _ => format!("API_TOKEN=tok_{n}_EXAMPLE0123456789\nDB_PASSWORD=${{DB_PASSWORD}}"),
        },
        "FEATURE_FLAGS=search,billing".into(),
    ];
    if name.starts_with("docker-compose") {
        text.push_str("services:\n  app:\n    environment:\n");
        for assignment in assignments.iter().flat_map(|a| a.lines()) {
            text.push_str(&format!("      - {assignment}\n"));
        }
    } else {
        for assignment in &assignments {
            text.push_str(assignment);
            text.push('\n');
        }
    }
    text
}

fn write(path: &Path, content: &[u8]) {
    fs::write(path, content).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
}

/// Writes the tree under `root`; returns how many env files it holds.
fn tree(root: &Path) -> usize {
    let source = b"// generated source file for the scan benchmark\nfn main() {}\n";
    let mut n = 0;
    let mut env_files = 0;
    for p in 0..PROJECTS {
        for m in 0..MODULES {
            for f in 0..FOLDERS {
                let mut folder = root.join(format!("project{p}/module{m}/folder{f}"));
                for level in 0..f % 3 {
                    folder.push(["src", "inner"][level]);
                }
                fs::create_dir_all(&folder).expect("benchmark folder");
                for i in 0..FILES_PER_FOLDER {
                    if n % ENV_EVERY == ENV_EVERY / 2 {
                        let name = ENV_NAMES[(n / ENV_EVERY) % ENV_NAMES.len()];
                        write(&folder.join(name), env_file(name, n).as_bytes());
                        env_files += 1;
                    } else {
                        let (stem, ext) = SOURCE_NAMES[i % SOURCE_NAMES.len()];
                        write(&folder.join(format!("{stem}{i}.{ext}")), source);
                    }
                    n += 1;
                }
            }
        }
    }
    for package in 0..20 {
        let folder = root.join(format!("node_modules/package{package}/lib"));
        fs::create_dir_all(&folder).expect("benchmark folder");
        for i in 0..49 {
            write(&folder.join(format!("index{i}.js")), source);
        }
        write(&folder.join(".env"), env_file(".env", package).as_bytes());
    }
    env_files
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let root: PathBuf = dir.path().join("ws");
    let started = Instant::now();
    let env_files = tree(&root);
    let written = started.elapsed();
    let roots = vec![root];
    let options = ScanOptions::default();

    let started = Instant::now();
    let scanned = scan_workspaces(&roots, &options).expect("the tree exists");
    eprintln!(
        "{} files ({env_files} env files) written in {written:?}; first scan {:?}: {} seen, {} candidates, {} read, {} folders skipped, {} findings",
        scanned.stats.files_seen,
        started.elapsed(),
        scanned.stats.files_seen,
        scanned.stats.candidate_files,
        scanned.stats.files_read,
        scanned.stats.skipped_dirs,
        scanned.found.len()
    );

    let mut group = c.benchmark_group("scan");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    group.bench_function("100k files, 500 env files", |b| {
        b.iter(|| scan_workspaces(&roots, &options))
    });
    group.finish();
}

criterion_group!(scan, benches);
criterion_main!(scan);
