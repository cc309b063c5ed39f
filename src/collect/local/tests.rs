//! Scans of real folders and files, built in a temporary directory by each test.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use super::*;
use crate::inventory::{CredentialKind, MAX_PROBLEMS, ProblemKind};

const KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const TEMP_KEY: &str = "ASIAIOSFODNN7EXAMPLE";
const OTHER_KEY: &str = "AKIAI44QH7DHBEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const OTHER_SECRET: &str = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN0123456789";
const PASSWORD: &str = "s3cr3t-Passw0rd-EXAMPLE";
const API_TOKEN: &str = "ghp_EXAMPLEa1b2c3d4e5f6g7h8i9j0";

fn write(root: &Path, relative: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = root.join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, content).unwrap();
    path
}

fn scan(roots: &[PathBuf], options: &ScanOptions) -> Scanned {
    scan_workspaces(roots, options).unwrap()
}

fn scan_one(root: &Path) -> Scanned {
    scan(&[root.to_path_buf()], &ScanOptions::default())
}

/// `(file relative to root, line, kind)` of every finding.
fn where_found(scanned: &Scanned, root: &Path) -> Vec<(String, u32, CredentialKind)> {
    let prefix = format!("{}/", root.display());
    scanned
        .found
        .iter()
        .map(|f| {
            let file = f
                .credential
                .file
                .strip_prefix(&prefix)
                .unwrap_or(&f.credential.file);
            (file.to_owned(), f.credential.line, f.credential.kind)
        })
        .collect()
}

fn files(scanned: &Scanned, root: &Path) -> Vec<String> {
    let mut files: Vec<String> = where_found(scanned, root)
        .into_iter()
        .map(|(file, _, _)| file)
        .collect();
    files.dedup();
    files
}

/// Whether permission bits stop this process (they do not for root).
fn permissions_enforced(path: &Path) -> bool {
    fs::read(path).is_err()
}

#[test]
fn nothing_secret_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    write(
        &ws,
        "app/.env",
        format!(
            "AWS_ACCESS_KEY_ID={KEY}\nAWS_SECRET_ACCESS_KEY={SECRET}\nAWS_SESSION_TOKEN={TOKEN}\n\
             DATABASE_URL=postgres://app:{PASSWORD}@db.example.com:5432/app?sslmode=require&password={PASSWORD}\n\
             GITHUB_TOKEN={API_TOKEN}\nDB_PASSWORD='{PASSWORD}'\n# old: AWS_SECRET_ACCESS_KEY={OTHER_SECRET}\n"
        ),
    );
    write(
        &ws,
        "svc/docker-compose.yml",
        format!(
            "services:\n  api:\n    environment:\n      - AWS_ACCESS_KEY_ID={TEMP_KEY}\n      - \"REDIS_URL=redis://:{PASSWORD}@cache:6379\"\n      JWT_SECRET: {API_TOKEN}\n"
        ),
    );
    write(
        &ws,
        "lone/.env.production",
        format!("aws_secret_access_key = {OTHER_SECRET}\n"),
    );
    write(
        &ws,
        "mongo/.env",
        format!("MONGO=mongodb+srv://u:{PASSWORD}@c.example.net/db\n"),
    );
    // Files that become problems must not leak either.
    write(
        &ws,
        "big/.env",
        format!("TOKEN={API_TOKEN}\n").repeat(200_000),
    );
    write(&ws, "bin/.env", format!("K={KEY}\0{SECRET}"));
    let mut latin1 = format!("DB_PASSWORD={PASSWORD}\nK={OTHER_KEY}\n").into_bytes();
    latin1.extend_from_slice(b"NAME=caf\xe9\n");
    write(&ws, "latin1/.env", latin1);
    let aws = dir.path().join("aws");
    let credentials = write(
        &aws,
        "credentials",
        format!(
            "[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n\
             [other]\naws_secret_access_key = {OTHER_SECRET}\n"
        ),
    );
    let config = write(
        &aws,
        "config",
        format!(
            "[profile ci]\naws_access_key_id = {OTHER_KEY}\naws_secret_access_key = {OTHER_SECRET}\ncredential_process = get-creds --token {API_TOKEN}\n"
        ),
    );

    let workspace = scan(std::slice::from_ref(&ws), &ScanOptions::default());
    let profiles = scan_aws_config(&config, &credentials, DEFAULT_MAX_FILE_BYTES);
    assert!(workspace.found.len() >= 10, "{:#?}", workspace.found);
    assert_eq!(workspace.stats.skipped_large, 1);
    assert_eq!(workspace.stats.skipped_binary, 1);
    assert_eq!(workspace.stats.non_utf8, 1);
    assert_eq!(profiles.profiles.len(), 3);

    let mut output = format!("{workspace:?}\n{workspace:#?}\n{profiles:?}\n");
    for scanned in [&workspace, &profiles] {
        for found in &scanned.found {
            output += &serde_json::to_string(&found.credential).unwrap();
            output += &format!("{:?}", found.key_id);
        }
        for found in &scanned.profiles {
            output += &serde_json::to_string(&found.profile).unwrap();
            output += &format!("{:?}", found.key_id);
        }
        for problem in &scanned.problems {
            output += &serde_json::to_string(problem).unwrap();
        }
    }
    for secret in [
        KEY,
        TEMP_KEY,
        OTHER_KEY,
        SECRET,
        OTHER_SECRET,
        TOKEN,
        PASSWORD,
        API_TOKEN,
    ] {
        let chars: Vec<char> = secret.chars().collect();
        for window in chars.windows(8) {
            let piece: String = window.iter().collect();
            assert!(
                !output.contains(&piece),
                "`{piece}` (from a secret) appears in the output:\n{output}"
            );
        }
    }
    // The full ids are still there for attribution.
    let ids: Vec<&str> = workspace
        .found
        .iter()
        .filter_map(|f| f.key_id.as_ref().map(KeyId::expose))
        .collect();
    assert!(ids.contains(&KEY) && ids.contains(&TEMP_KEY) && ids.contains(&OTHER_KEY));
}

#[test]
fn key_id_debug_is_redacted() {
    let id = KeyId::new(KEY);
    assert_eq!(format!("{id:?}"), "AKIA…MPLE");
    assert_eq!(id.redacted(), "AKIA…MPLE");
    assert_eq!(id.expose(), KEY);
    assert!(!id.is_temporary() && KeyId::new(TEMP_KEY).is_temporary());
}

#[test]
fn env_files_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let line = format!("GITHUB_TOKEN={API_TOKEN}\n");
    for name in [
        ".env",
        "a/.env.local",
        "a/.ENV.Production",
        "a/.env.example",
        "b/prod.env",
        "b/.envrc",
        "b/.flaskenv",
        "c/docker-compose.yml",
        "c/docker-compose.prod.yaml",
        "c/compose.yaml",
        "c/Compose.override.YML",
        // Not env files.
        "d/config.yml",
        "d/main.rs",
        "d/environment.ts",
        "d/.env-sample",
        "d/envoy.yaml",
        "d/.env.d/readme",
    ] {
        write(root, name, &line);
    }
    let scanned = scan_one(root);
    assert_eq!(
        files(&scanned, root),
        vec![
            ".env",
            "a/.ENV.Production",
            "a/.env.example",
            "a/.env.local",
            "b/.envrc",
            "b/.flaskenv",
            "b/prod.env",
            "c/Compose.override.YML",
            "c/compose.yaml",
            "c/docker-compose.prod.yaml",
            "c/docker-compose.yml",
        ]
    );
    assert_eq!(scanned.stats.files_seen, 17);
    assert_eq!(scanned.stats.candidate_files, 11);
    assert_eq!(scanned.stats.files_read, 11);
    assert!(scanned.problems.is_empty());
    // The path as reached from the root.
    assert_eq!(
        scanned.found[0].credential.file,
        root.join(".env").display().to_string()
    );

    let options = ScanOptions {
        include: vec!["*.TFVARS".into(), "config.yml".into()],
        ..ScanOptions::default()
    };
    write(root, "e/prod.tfvars", &line);
    let scanned = scan(&[root.to_path_buf()], &options);
    let found = files(&scanned, root);
    assert!(
        found.contains(&"e/prod.tfvars".to_owned()) && found.contains(&"d/config.yml".to_owned())
    );
    assert_eq!(scanned.stats.candidate_files, 13);
}

#[test]
fn paths_keep_the_root_as_given() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ws/app/.env", format!("K={KEY}\n"));
    let relative = dir.path().join("ws/../ws");
    let scanned = scan(std::slice::from_ref(&relative), &ScanOptions::default());
    assert_eq!(
        scanned.found[0].credential.file,
        relative.join("app/.env").display().to_string()
    );
}

#[test]
fn size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "small/.env", format!("K={KEY}\n"));
    write(root, "big/.env", format!("K={KEY}\n").repeat(100));
    let options = ScanOptions {
        max_file_bytes: 1024,
        ..ScanOptions::default()
    };
    let scanned = scan(&[root.to_path_buf()], &options);
    assert_eq!(files(&scanned, root), vec!["small/.env"]);
    assert_eq!(scanned.stats.skipped_large, 1);
    assert_eq!(scanned.stats.files_read, 1);
    assert_eq!(scanned.stats.max_file_bytes, 1024);
    assert_eq!(scanned.problems.len(), 1);
    let problem = &scanned.problems[0];
    assert_eq!(problem.kind, ProblemKind::TooLarge);
    assert_eq!(problem.path, root.join("big/.env").display().to_string());
    assert_eq!(problem.detail, "2.2 KiB, over the 1.0 KiB limit");

    let scanned = scan_one(root);
    assert_eq!(scanned.stats.max_file_bytes, DEFAULT_MAX_FILE_BYTES);
    assert_eq!(scanned.stats.skipped_large, 0);
}

#[test]
fn binary_and_non_utf8_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "bin/.env", format!("K={KEY}\n\0\x01"));
    let mut latin1 = b"NAME=caf\xe9\n".to_vec();
    latin1.extend_from_slice(format!("K={KEY}\n").as_bytes());
    write(root, "latin1/.env", latin1);
    let scanned = scan_one(root);
    assert_eq!(
        where_found(&scanned, root),
        vec![("latin1/.env".to_owned(), 2, CredentialKind::AwsAccessKey)]
    );
    assert_eq!(scanned.stats.skipped_binary, 1);
    assert_eq!(scanned.stats.non_utf8, 1);
    assert_eq!(
        scanned.stats.files_read, 1,
        "the non-UTF-8 file is searched"
    );
    let kinds: Vec<ProblemKind> = scanned.problems.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![ProblemKind::Binary, ProblemKind::NonUtf8]);
}

#[test]
fn unreadable_files_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let file = write(root, "locked/.env", format!("K={KEY}\n"));
    write(root, "closed/inner/.env", format!("K={TEMP_KEY}\n"));
    let closed = root.join("closed");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(&closed, fs::Permissions::from_mode(0o000)).unwrap();
    let enforced = permissions_enforced(&file);
    let scanned = scan_one(root);
    fs::set_permissions(&closed, fs::Permissions::from_mode(0o755)).unwrap();
    if enforced {
        assert!(scanned.found.is_empty());
        assert_eq!(scanned.stats.unreadable, 2);
        let problems: Vec<(String, ProblemKind, &str)> = scanned
            .problems
            .iter()
            .map(|p| {
                let path = p
                    .path
                    .strip_prefix(&format!("{}/", root.display()))
                    .unwrap_or(&p.path);
                (path.to_owned(), p.kind, p.detail.as_str())
            })
            .collect();
        assert_eq!(
            problems,
            vec![
                (
                    "closed".to_owned(),
                    ProblemKind::Unreadable,
                    "permission denied"
                ),
                (
                    "locked/.env".to_owned(),
                    ProblemKind::Unreadable,
                    "permission denied"
                ),
            ]
        );
    } else {
        // Running as root: permission bits do not stop reading, so both files are searched.
        assert_eq!(
            files(&scanned, root),
            vec!["closed/inner/.env", "locked/.env"]
        );
        assert_eq!(scanned.stats.unreadable, 0);
    }
}

#[test]
fn unreadable_even_for_root() {
    // Links that cannot be followed fail whoever runs the scan.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "plain.txt", "x");
    symlink(root.join("missing"), root.join(".env")).unwrap();
    symlink(root.join("plain.txt/below"), root.join(".env.local")).unwrap();
    symlink(root.join("missing"), root.join("not-a-candidate.txt")).unwrap();
    let scanned = scan_one(root);
    assert_eq!(scanned.stats.unreadable, 2, "{:?}", scanned.problems);
    assert!(
        scanned
            .problems
            .iter()
            .all(|p| p.kind == ProblemKind::Unreadable)
    );
    let details: Vec<&str> = scanned.problems.iter().map(|p| p.detail.as_str()).collect();
    assert_eq!(details, vec!["entity not found", "not a directory"]);
}

#[test]
fn symlink_loops_are_counted_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "sub/.env", format!("K={KEY}\n"));
    symlink("..", root.join("sub/back")).unwrap();
    symlink(".", root.join("sub/here")).unwrap();
    let scanned = scan(
        &[root.to_path_buf()],
        &ScanOptions {
            threads: 2,
            ..ScanOptions::default()
        },
    );
    assert_eq!(files(&scanned, root), vec!["sub/.env"]);
    assert_eq!(scanned.stats.symlink_loops, 2);
    assert!(
        scanned
            .problems
            .iter()
            .all(|p| p.kind == ProblemKind::SymlinkLoop)
    );
    assert_eq!(
        scanned.problems[0].path,
        root.join("sub/back").display().to_string()
    );
    // A link to a sibling folder is followed.
    write(root, "real/.env", format!("K={TEMP_KEY}\n"));
    symlink("../real", root.join("sub/alias")).unwrap();
    let scanned = scan_one(root);
    assert_eq!(
        files(&scanned, root),
        vec!["real/.env", "sub/.env", "sub/alias/.env"]
    );
}

#[test]
fn dependency_folders() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let line = format!("K={KEY}\n");
    write(root, "app/.env", &line);
    write(root, "app/node_modules/pkg/.env", &line);
    write(root, "app/node_modules/other/.env", &line);
    write(root, "target/debug/.env", &line);
    write(root, ".git/.env", &line);
    write(root, "py/.env/pyvenv.cfg", "home = /usr/bin\n");
    write(root, "py/.env/lib/.env", &line);
    write(root, "py/envs/.env", &line);
    let scanned = scan_one(root);
    assert_eq!(files(&scanned, root), vec!["app/.env", "py/envs/.env"]);
    assert_eq!(
        scanned.stats.skipped_dirs, 4,
        "node_modules, target, .git, the venv"
    );

    let options = ScanOptions {
        include_dependencies: true,
        ..ScanOptions::default()
    };
    let scanned = scan(&[root.to_path_buf()], &options);
    assert_eq!(
        files(&scanned, root),
        vec![
            "app/.env",
            "app/node_modules/other/.env",
            "app/node_modules/pkg/.env",
            "py/.env/lib/.env",
            "py/envs/.env",
            "target/debug/.env"
        ]
    );
    assert_eq!(scanned.stats.skipped_dirs, 1, ".git is never entered");

    // A root named like a dependency folder is still scanned.
    let scanned = scan_one(&root.join("app/node_modules"));
    assert_eq!(scanned.found.len(), 2);
}

#[test]
fn git_ignored_and_hidden_files_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".git/HEAD", "ref: refs/heads/main\n");
    write(root, ".gitignore", ".env\n.secrets/\n");
    write(root, ".ignore", "*\n");
    write(root, ".git/info/exclude", "*\n");
    write(root, ".env", format!("K={KEY}\n"));
    write(root, ".secrets/.env", format!("K={TEMP_KEY}\n"));
    let scanned = scan_one(root);
    assert_eq!(files(&scanned, root), vec![".env", ".secrets/.env"]);
}

#[test]
fn exclude_patterns() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let line = format!("K={KEY}\n");
    write(root, "app/.env", &line);
    write(root, "app/.env.example", &line);
    write(root, "fixtures/.env", &line);
    write(root, "app/fixtures/.env", &line);
    write(root, "docs/deep/er/.env", &line);
    let options = ScanOptions {
        exclude: vec!["fixtures/".into(), "*.example".into(), "/docs/deep".into()],
        ..ScanOptions::default()
    };
    let scanned = scan(&[root.to_path_buf()], &options);
    assert_eq!(files(&scanned, root), vec!["app/.env"]);
    assert_eq!(scanned.stats.skipped_dirs, 3);

    let bad = ScanOptions {
        exclude: vec!["src/{a,b".into()],
        ..ScanOptions::default()
    };
    let err = scan_workspaces(&[root.to_path_buf()], &bad).unwrap_err();
    assert!(err.contains("src/{a,b"), "{err}");
    let bad = ScanOptions {
        include: vec!["[".into()],
        ..ScanOptions::default()
    };
    assert!(scan_workspaces(&[root.to_path_buf()], &bad).is_err());
}

#[test]
fn a_root_may_be_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "settings/prod.properties",
        format!("db.password={PASSWORD}\n"),
    );
    let scanned = scan(std::slice::from_ref(&file), &ScanOptions::default());
    assert_eq!(scanned.found.len(), 1);
    assert_eq!(scanned.found[0].credential.file, file.display().to_string());
    assert_eq!(
        scanned.found[0].credential.kind,
        CredentialKind::GenericSecret
    );
    assert_eq!(scanned.stats.files_seen, 1);
    assert_eq!(scanned.stats.candidate_files, 1);
}

#[test]
fn roots_that_do_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ws/.env", format!("K={KEY}\n"));
    let missing = dir.path().join("nowhere");
    let err = scan_workspaces(
        &[dir.path().join("ws"), missing.clone()],
        &ScanOptions::default(),
    )
    .unwrap_err();
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn several_roots_and_any_thread_count_give_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for i in 0..30 {
        write(
            root,
            &format!("a/p{i}/.env"),
            format!("K={KEY}\nDB_PASSWORD=pw-{i}-EXAMPLE-long\nX=mysql://u:pw{i}EXAMPLE@db{i}/x\n"),
        );
        write(root, &format!("b/p{i}/src/main.rs"), "fn main() {}\n");
        write(root, &format!("b/p{i}/.env"), "\0");
    }
    let roots = vec![root.join("b"), root.join("a")];
    let render = |threads| {
        let scanned = scan(
            &roots,
            &ScanOptions {
                threads,
                ..ScanOptions::default()
            },
        );
        format!("{scanned:?}")
    };
    let one = render(1);
    assert_eq!(one, render(4));
    assert_eq!(one, render(0));
    let scanned = scan(&roots, &ScanOptions::default());
    assert_eq!(scanned.found.len(), 90);
    assert_eq!(scanned.stats.files_seen, 90);
    assert_eq!(scanned.stats.skipped_binary, 30);
    let files: Vec<&str> = scanned
        .found
        .iter()
        .map(|f| f.credential.file.as_str())
        .collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
}

#[test]
fn problems_are_capped_but_all_counted() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..MAX_PROBLEMS + 20 {
        write(dir.path(), &format!("p{i:03}/.env"), "\0");
    }
    let scanned = scan_one(dir.path());
    assert_eq!(scanned.stats.skipped_binary, (MAX_PROBLEMS + 20) as u64);
    assert_eq!(scanned.problems.len(), MAX_PROBLEMS);
    assert!(scanned.problems[0].path.ends_with("p000/.env"));
}

#[test]
fn aws_config_profiles() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "config",
        format!(
            "# managed by hand
[default]
region = eu-west-1

[profile prod]
role_arn = arn:aws:iam::111111111111:role/admin ; the break-glass role
source_profile = default
; a comment

[profile sso-dev]
sso_session = corp
sso_account_id = 222222222222
SSO_Role_Name = Developer

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[services local]
s3 =
  endpoint_url = http://localhost:4566

[ignored]
aws_access_key_id = {OTHER_KEY}

[profile proc]
credential_process = /usr/local/bin/creds --profile proc
[profile temp]
region = us-east-1
"
        ),
    );
    let credentials = write(
        dir.path(),
        "credentials",
        format!(
            "[default]
aws_access_key_id = {KEY}
aws_secret_access_key = {SECRET}
# aws_session_token = {TOKEN}

[temp]
aws_access_key_id={TEMP_KEY}
aws_secret_access_key={SECRET}
aws_session_token={TOKEN}
  continuation = ignored

[secret-only]
aws_secret_access_key = {OTHER_SECRET}

[placeholder]
aws_access_key_id = <your key id>
aws_secret_access_key =

[profile bad]
aws_access_key_id = {OTHER_KEY}
"
        ),
    );
    let scanned = scan_aws_config(&config, &credentials, DEFAULT_MAX_FILE_BYTES);
    assert!(scanned.found.is_empty());
    assert!(scanned.problems.is_empty());
    assert_eq!(scanned.stats.files_seen, 2);
    assert_eq!(scanned.stats.candidate_files, 2);
    assert_eq!(scanned.stats.files_read, 2);
    let names: Vec<&str> = scanned
        .profiles
        .iter()
        .map(|p| p.profile.name.as_str())
        .collect();
    assert_eq!(
        names,
        vec![
            "default",
            "placeholder",
            "proc",
            "prod",
            "secret-only",
            "sso-dev",
            "temp"
        ]
    );
    let get = |name: &str| {
        scanned
            .profiles
            .iter()
            .find(|p| p.profile.name == name)
            .unwrap()
    };
    let config_file = config.display().to_string();
    let credentials_file = credentials.display().to_string();

    let default = get("default");
    assert_eq!(
        (default.profile.file.as_str(), default.profile.line),
        (config_file.as_str(), 2)
    );
    let key = default.profile.static_key.as_ref().unwrap();
    assert_eq!(key.kind, CredentialKind::AwsAccessKey);
    assert_eq!(
        (key.file.as_str(), key.line),
        (credentials_file.as_str(), 2)
    );
    assert_eq!(key.name.as_deref(), Some("aws_access_key_id"));
    assert_eq!(key.fingerprint, "AKIA…MPLE");
    assert_eq!(
        (key.with_secret, key.with_session_token),
        (Some(true), Some(false))
    );
    assert_eq!(default.key_id.as_ref().map(KeyId::expose), Some(KEY));

    let prod = get("prod");
    assert_eq!(
        prod.profile.role_arn.as_deref(),
        Some("arn:aws:iam::111111111111:role/admin")
    );
    assert_eq!(prod.profile.source_profile.as_deref(), Some("default"));
    assert!(prod.profile.static_key.is_none() && prod.key_id.is_none());

    let sso = get("sso-dev");
    assert_eq!(sso.profile.sso_account_id.as_deref(), Some("222222222222"));
    assert_eq!(sso.profile.sso_role_name.as_deref(), Some("Developer"));
    assert!(get("proc").profile.credential_process);
    assert!(!sso.profile.credential_process);

    let temp = get("temp");
    assert_eq!(
        (temp.profile.file.as_str(), temp.profile.line),
        (config_file.as_str(), 28)
    );
    let key = temp.profile.static_key.as_ref().unwrap();
    assert_eq!(key.kind, CredentialKind::AwsTemporaryKey);
    assert_eq!(
        (key.with_secret, key.with_session_token),
        (Some(true), Some(true))
    );
    assert!(temp.key_id.as_ref().is_some_and(KeyId::is_temporary));

    let lone = get("secret-only");
    let key = lone.profile.static_key.as_ref().unwrap();
    assert_eq!(key.kind, CredentialKind::AwsSecretKey);
    assert_eq!(key.fingerprint, "je7M…");
    assert_eq!(key.name.as_deref(), Some("aws_secret_access_key"));
    assert!(lone.key_id.is_none());

    assert!(get("placeholder").profile.static_key.is_none());
}

#[test]
fn aws_config_missing_or_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let scanned = scan_aws_config(
        &dir.path().join("config"),
        &dir.path().join("credentials"),
        DEFAULT_MAX_FILE_BYTES,
    );
    assert!(scanned.profiles.is_empty() && scanned.problems.is_empty());
    assert_eq!(scanned.stats.files_seen, 0);
    assert_eq!(scanned.stats.max_file_bytes, DEFAULT_MAX_FILE_BYTES);

    // A folder where the file should be, and an oversized file.
    fs::create_dir(dir.path().join("config")).unwrap();
    write(
        dir.path(),
        "credentials",
        format!("[default]\naws_access_key_id = {KEY}\n").repeat(100),
    );
    let scanned = scan_aws_config(
        &dir.path().join("config"),
        &dir.path().join("credentials"),
        1000,
    );
    assert!(scanned.profiles.is_empty());
    assert_eq!(scanned.stats.files_seen, 2);
    assert_eq!(scanned.stats.files_read, 0);
    assert_eq!(
        (scanned.stats.unreadable, scanned.stats.skipped_large),
        (1, 1)
    );
    let kinds: Vec<ProblemKind> = scanned.problems.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![ProblemKind::Unreadable, ProblemKind::TooLarge]);
    assert_eq!(scanned.problems[0].detail, "is a directory");
}

#[test]
fn linked_folders_are_entered_only_inside_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    write(&root, "app/.env", format!("K={KEY}\n"));
    write(dir.path(), "elsewhere/.env", format!("K={KEY}\n"));
    write(dir.path(), "shared.env", format!("K={KEY}\n"));
    // Inside: entered (the same file twice, by two paths); outside: not; a linked file: read.
    symlink(root.join("app"), root.join("app-link")).unwrap();
    symlink(dir.path().join("elsewhere"), root.join("out")).unwrap();
    symlink("/", root.join("everything")).unwrap();
    symlink(dir.path().join("shared.env"), root.join("shared.env")).unwrap();
    let scanned = scan(std::slice::from_ref(&root), &ScanOptions::default());
    assert_eq!(
        files(&scanned, &root),
        vec!["app-link/.env", "app/.env", "shared.env"]
    );
    // `/` is also an ancestor of the workspace: the walker may see it as a loop first.
    assert_eq!(scanned.stats.links_outside + scanned.stats.symlink_loops, 2);
    assert!(scanned.stats.links_outside >= 1);
}
