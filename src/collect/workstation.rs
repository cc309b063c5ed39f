//! The workstation scan as part of collection: scan the workspaces and the AWS configuration,
//! then attribute every access key found to its account — by the IAM users' key ids in the
//! inventory, and with `sts:GetAccessKeyInfo` when asked — and keep only redacted forms.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::local::{self, Found, FoundProfile, KeyId, ScanOptions, Scanned};
use super::{CollectOptions, key_accounts};
use crate::error::Error;
use crate::inventory::{
    KeyOwner, KeySource, LocalCredential, MAX_PROBLEMS, ScanStats, Snapshot, Workstation,
    key_id_digest,
};

/// What to scan on this machine.
#[derive(Debug, Clone, Default)]
pub struct WorkstationOptions {
    /// Workspace folders (or files).
    pub workspaces: Vec<PathBuf>,
    /// The AWS configuration files to read, when any: (config, credentials, the folder or
    /// description shown in reports).
    pub aws_files: Option<AwsFiles>,
    pub scan: ScanOptions,
    /// Ask `sts:GetAccessKeyInfo` for keys the inventory does not know (sends the key id).
    pub attribute_keys: bool,
}

#[derive(Debug, Clone)]
pub struct AwsFiles {
    pub config: PathBuf,
    pub credentials: PathBuf,
    /// How the report names where they came from (`~/.aws`, or the folder given).
    pub shown_as: String,
    /// The default folder (`~/.aws`) both files are in, when they are: if it does not exist,
    /// the machine holds no AWS profile there and SEC002 is not applicable. `None` for a
    /// folder named with `--aws-home` (which must exist) and for files named by
    /// `AWS_CONFIG_FILE`/`AWS_SHARED_CREDENTIALS_FILE`.
    pub default_folder: Option<PathBuf>,
}

impl AwsFiles {
    /// The files of an AWS configuration folder.
    pub fn in_folder(dir: &Path) -> Self {
        AwsFiles {
            config: dir.join("config"),
            credentials: dir.join("credentials"),
            shown_as: dir.display().to_string(),
            default_folder: None,
        }
    }

    /// Where the AWS CLI and SDKs look: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else
    /// `~/.aws/config` and `~/.aws/credentials`. `None` without a home folder.
    pub fn standard() -> Option<Self> {
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(PathBuf::from);
        let dir = home.map(|h| h.join(".aws"));
        let config = std::env::var_os("AWS_CONFIG_FILE")
            .map(PathBuf::from)
            .or_else(|| dir.as_ref().map(|d| d.join("config")))?;
        let credentials = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
            .map(PathBuf::from)
            .or_else(|| dir.as_ref().map(|d| d.join("credentials")))?;
        let (shown_as, default_folder) = match (&dir, config.parent()) {
            (Some(d), Some(p)) if p == d && credentials.parent() == Some(d.as_path()) => {
                (d.display().to_string(), Some(d.clone()))
            }
            _ => (
                format!("{} and {}", config.display(), credentials.display()),
                None,
            ),
        };
        Some(AwsFiles {
            config,
            credentials,
            shown_as,
            default_folder,
        })
    }
}

/// Scans the workstation and attributes what it found, using `snapshot`'s IAM users (and
/// STS with `collect` when `attribute_keys` is set).
pub fn scan(
    options: &WorkstationOptions,
    snapshot: &Snapshot,
    collect: &CollectOptions,
) -> Result<Workstation, Error> {
    let workspaces = if options.workspaces.is_empty() {
        Scanned::default()
    } else {
        local::scan_workspaces(&options.workspaces, &options.scan).map_err(Error::Usage)?
    };
    // A default folder that does not exist holds nothing to read; one that exists but
    // cannot be read is read anyway, and its files become problems (unknown, never clean).
    let aws_home_absent = options
        .aws_files
        .as_ref()
        .and_then(|f| f.default_folder.as_ref())
        .is_some_and(|dir| {
            std::fs::symlink_metadata(dir)
                .is_err_and(|err| err.kind() == std::io::ErrorKind::NotFound)
        });
    let aws = options
        .aws_files
        .as_ref()
        .filter(|_| !aws_home_absent)
        .map(|files| {
            local::scan_aws_config(
                &files.config,
                &files.credentials,
                options.scan.max_file_bytes,
            )
        });
    let known = inventory_keys(snapshot);
    let mut ids: BTreeSet<&KeyId> = BTreeSet::new();
    ids.extend(workspaces.found.iter().filter_map(|f| f.key_id.as_ref()));
    if let Some(aws) = &aws {
        ids.extend(aws.profiles.iter().filter_map(|p| p.key_id.as_ref()));
    }
    let asked: Vec<String> = ids
        .iter()
        .filter(|id| !known.contains_key(key_id_digest(id.expose()).as_str()))
        .map(|id| id.expose().to_owned())
        .collect();
    let sts = if options.attribute_keys && !asked.is_empty() {
        key_accounts(collect, &asked)?
    } else {
        BTreeMap::new()
    };
    let attribute = |credential: &mut LocalCredential, id: Option<&KeyId>| {
        let Some(id) = id else { return };
        if let Some((account, user)) = known.get(key_id_digest(id.expose()).as_str()) {
            credential.owner = Some(KeyOwner {
                account_id: (*account).to_owned(),
                source: KeySource::Inventory,
                user_arn: Some((*user).to_owned()),
            });
            return;
        }
        match sts.get(id.expose()) {
            Some(Ok(account)) => {
                credential.owner = Some(KeyOwner {
                    account_id: account.clone(),
                    source: KeySource::GetAccessKeyInfo,
                    user_arn: None,
                });
            }
            Some(Err(error)) => credential.attribution_error = Some(error.clone()),
            None => {}
        }
    };

    let mut workstation = Workstation {
        workspaces: options
            .workspaces
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        aws_home: options.aws_files.as_ref().map(|f| f.shown_as.clone()),
        aws_home_absent,
        aws_files: options
            .aws_files
            .iter()
            .flat_map(|f| [&f.config, &f.credentials])
            .map(|p| p.display().to_string())
            .collect(),
        attributed_with_sts: options.attribute_keys,
        stats: ScanStats {
            max_file_bytes: options.scan.max_file_bytes,
            ..ScanStats::default()
        },
        ..Workstation::default()
    };
    workstation.stats.add(&workspaces.stats);
    for scanned in std::iter::once(workspaces).chain(aws) {
        workstation.problems.extend(scanned.problems);
        for Found {
            mut credential,
            key_id,
        } in scanned.found
        {
            attribute(&mut credential, key_id.as_ref());
            workstation.credentials.push(credential);
        }
        for FoundProfile {
            mut profile,
            key_id,
        } in scanned.profiles
        {
            if let Some(key) = &mut profile.static_key {
                attribute(key, key_id.as_ref());
            }
            workstation.profiles.push(profile);
        }
    }
    workstation.normalize();
    // The AWS configuration's problems are kept whatever the workspaces held: SEC002 reads
    // them to know a file is unknown.
    let (mut kept, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut workstation.problems)
        .into_iter()
        .partition(|p| workstation.aws_files.contains(&p.path));
    kept.extend(rest);
    kept.truncate(MAX_PROBLEMS);
    kept.sort();
    workstation.problems = kept;
    Ok(workstation)
}

/// Every IAM user's access key in the inventory, by the digest of its id → (account, user ARN).
fn inventory_keys(snapshot: &Snapshot) -> BTreeMap<&str, (&str, &str)> {
    let mut keys = BTreeMap::new();
    for account in &snapshot.accounts {
        for user in account.iam.iter().flat_map(|iam| &iam.users) {
            for key in user.access_keys.iter().flatten() {
                if let Some(digest) = &key.id_sha256 {
                    keys.insert(digest.as_str(), (account.id.as_str(), user.arn.as_str()));
                }
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{AccessKey, Account, Iam, User};

    fn collect_options() -> CollectOptions {
        CollectOptions {
            org: false,
            role_name: "RingfenceAudit".into(),
            accounts: None,
            regions: None,
            profile: None,
            endpoint_url: None,
            concurrency: 1,
            progress: false,
            verbose: false,
            timeout: std::time::Duration::from_secs(60),
            call_timeouts: Default::default(),
        }
    }

    #[test]
    fn keys_are_matched_to_iam_users_by_digest_and_the_rest_left_unattributed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nOTHER_KEY=AKIAI44QH8DHBEXAMPLE\n",
        )
        .unwrap();
        let aws = dir.path().join("aws");
        std::fs::create_dir(&aws).unwrap();
        std::fs::write(
            aws.join("credentials"),
            "[ci]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        )
        .unwrap();
        let mut snapshot = Snapshot::new("2026-11-20T09:00:00Z".parse().unwrap());
        snapshot.accounts.push(Account {
            id: "222222222222".into(),
            iam: Some(Iam {
                users: vec![User {
                    name: "ci".into(),
                    arn: "arn:aws:iam::222222222222:user/ci".into(),
                    access_keys: Some(vec![AccessKey {
                        id: Some("AKIA…MPLE".into()),
                        id_sha256: Some(key_id_digest("AKIAIOSFODNN7EXAMPLE")),
                        active: true,
                        ..Default::default()
                    }]),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            ..Default::default()
        });
        let options = WorkstationOptions {
            workspaces: vec![dir.path().to_path_buf()],
            aws_files: Some(AwsFiles::in_folder(&aws)),
            scan: ScanOptions::default(),
            attribute_keys: false,
        };
        let workstation = scan(&options, &snapshot, &collect_options()).unwrap();
        let owners: Vec<Option<&str>> = workstation
            .credentials
            .iter()
            .map(|c| c.owner.as_ref().map(|o| o.account_id.as_str()))
            .collect();
        assert_eq!(owners, [Some("222222222222"), None]);
        let owner = workstation.credentials[0].owner.as_ref().unwrap();
        assert_eq!(owner.source, KeySource::Inventory);
        assert_eq!(
            owner.user_arn.as_deref(),
            Some("arn:aws:iam::222222222222:user/ci")
        );
        let key = workstation.profiles[0].static_key.as_ref().unwrap();
        assert_eq!(
            key.owner.as_ref().map(|o| o.account_id.as_str()),
            Some("222222222222")
        );
        assert_eq!(workstation.aws_files.len(), 2);
        assert!(!workstation.attributed_with_sts);
        let text = serde_json::to_string(&workstation).unwrap();
        assert!(
            !text.contains("AKIAIOSFODNN7EXAMPLE") && !text.contains("wJalrXUtnFEMI"),
            "{text}"
        );
    }
}
