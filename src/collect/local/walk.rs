//! Walking workspace folders in parallel and searching the env files found.
//!
//! Ignore files (`.gitignore`, `.ignore`, git's global excludes) are not honoured and hidden
//! files are visited: a hidden, git-ignored `.env` is exactly the risk. Symbolic links are
//! followed; a link back into its own ancestry is counted and not followed. Each walker thread
//! keeps its own [`Tally`], merged once the walk is over.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

use super::{
    ALWAYS_SKIPPED_DIRS, DEPENDENCY_DIRS, ENV_FILE_PATTERNS, ScanOptions, Scanned, Tally, detect,
    read,
};
use crate::inventory::ProblemKind;

pub(super) fn scan(roots: &[PathBuf], options: &ScanOptions) -> Result<Scanned, String> {
    // Every root is checked before anything is walked.
    let mut tally = Tally::default();
    let mut usable = Vec::with_capacity(roots.len());
    for root in roots {
        match std::fs::metadata(root) {
            Ok(metadata) if metadata.is_dir() || metadata.is_file() => usable.push(root),
            Ok(_) => {
                return Err(format!(
                    "workspace {} is neither a folder nor a file",
                    root.display()
                ));
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!(
                    "workspace {} does not exist: give the path of a folder to scan",
                    root.display()
                ));
            }
            Err(err) => {
                tally.stats.unreadable += 1;
                tally.problem(
                    &root.display().to_string(),
                    ProblemKind::Unreadable,
                    err.kind().to_string(),
                );
            }
        }
    }
    let names = Names::new(&options.include)?;
    for root in usable {
        let exclude = exclude_matcher(root, &options.exclude)?;
        tally.merge(walk_root(root, options, &names, exclude));
    }
    Ok(tally.finish(options.max_file_bytes, Vec::new()))
}

/// Which file names are env files.
pub(super) struct Names {
    builtin: GlobSet,
    include: Option<GlobSet>,
}

impl Names {
    fn new(include: &[String]) -> Result<Names, String> {
        let builtin = glob_set(ENV_FILE_PATTERNS.iter().copied())
            .map_err(|err| format!("built-in env file pattern: {err}"))?;
        let include = if include.is_empty() {
            None
        } else {
            Some(
                glob_set(include.iter().map(String::as_str))
                    .map_err(|err| format!("--include: {err}"))?,
            )
        };
        Ok(Names { builtin, include })
    }

    /// Whether a file name is an env file. The built-in patterns all hold `env` or `compose`,
    /// checked first: most files are not candidates, and this keeps them cheap.
    pub(super) fn is_candidate(&self, name: &OsStr) -> bool {
        let bytes = name.as_encoded_bytes();
        let maybe = contains_ascii_ignore_case(bytes, b"env")
            || contains_ascii_ignore_case(bytes, b"compose");
        (maybe && self.builtin.is_match(name))
            || self.include.as_ref().is_some_and(|set| set.is_match(name))
    }
}

fn glob_set<'a>(patterns: impl Iterator<Item = &'a str>) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = GlobBuilder::new(pattern)
            .case_insensitive(true)
            .literal_separator(true)
            .build()
            .map_err(|err| format!("invalid glob `{pattern}`: {}", err.kind()))?;
        builder.add(glob);
    }
    builder.build().map_err(|err| err.to_string())
}

fn contains_ascii_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle))
}

/// The `exclude` patterns, gitignore-style, relative to `root`.
fn exclude_matcher(root: &Path, patterns: &[String]) -> Result<Option<Gitignore>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GitignoreBuilder::new(root);
    for pattern in patterns {
        builder
            .add_line(None, pattern)
            .map_err(|err| format!("--exclude: invalid pattern `{pattern}`: {err}"))?;
    }
    builder
        .build()
        .map(Some)
        .map_err(|err| format!("--exclude: {err}"))
}

/// Folders not entered, decided before the walker reads them.
struct Skip {
    skip_dependencies: bool,
    exclude: Option<Gitignore>,
    skipped: AtomicU64,
    /// The root, resolved: a linked folder is entered only when it resolves inside it.
    inside: Option<PathBuf>,
    outside: AtomicU64,
}

impl Skip {
    /// `true` to enter or visit the entry.
    fn keep(&self, entry: &DirEntry) -> bool {
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if is_dir && self.skip_dir(entry) {
            self.skipped.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        if is_dir && entry.path_is_symlink() && entry.depth() > 0 {
            let target = std::fs::canonicalize(entry.path()).ok();
            let inside = match (&target, &self.inside) {
                (Some(target), Some(root)) => target.starts_with(root),
                _ => false,
            };
            if !inside {
                self.outside.fetch_add(1, Ordering::Relaxed);
                return false;
            }
        }
        if let Some(exclude) = &self.exclude
            && exclude.matched(entry.path(), is_dir).is_ignore()
        {
            if is_dir {
                self.skipped.fetch_add(1, Ordering::Relaxed);
            }
            return false;
        }
        true
    }

    fn skip_dir(&self, entry: &DirEntry) -> bool {
        let name = entry.file_name().as_encoded_bytes();
        let listed = |list: &[&str]| list.iter().any(|d| d.as_bytes() == name);
        if listed(ALWAYS_SKIPPED_DIRS) {
            return true;
        }
        self.skip_dependencies
            && (listed(DEPENDENCY_DIRS)
                // A Python virtualenv under another name (`.env`, `env`, `py3env`).
                || (contains_ascii_ignore_case(name, b"env")
                    && entry.path().join("pyvenv.cfg").is_file()))
    }
}

fn walk_root(
    root: &Path,
    options: &ScanOptions,
    names: &Names,
    exclude: Option<Gitignore>,
) -> Tally {
    let skip = std::sync::Arc::new(Skip {
        skip_dependencies: !options.include_dependencies,
        exclude,
        skipped: AtomicU64::new(0),
        inside: std::fs::canonicalize(root).ok(),
        outside: AtomicU64::new(0),
    });
    let mut builder = WalkBuilder::new(root);
    builder
        .standard_filters(false)
        .hidden(false)
        .parents(false)
        .ignore(false)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .require_git(false)
        .follow_links(true)
        .threads(options.threads);
    let filter = std::sync::Arc::clone(&skip);
    builder.filter_entry(move |entry| filter.keep(entry));

    let results = Mutex::new(Vec::new());
    let shown = root.display().to_string();
    let mut visitors = Visitors {
        root: &shown,
        names,
        max_bytes: options.max_file_bytes,
        results: &results,
    };
    builder.build_parallel().visit(&mut visitors);

    let mut tally = Tally::default();
    let parts = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for part in parts {
        tally.merge(part);
    }
    tally.stats.skipped_dirs += skip.skipped.load(Ordering::Relaxed);
    tally.stats.links_outside += skip.outside.load(Ordering::Relaxed);
    tally
}

struct Visitors<'s> {
    root: &'s str,
    names: &'s Names,
    max_bytes: u64,
    results: &'s Mutex<Vec<Tally>>,
}

impl<'s> ParallelVisitorBuilder<'s> for Visitors<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Visitor {
            root: self.root,
            names: self.names,
            max_bytes: self.max_bytes,
            results: self.results,
            tally: Tally::default(),
        })
    }
}

/// One walker thread: counts what it visits, searches env files, and hands its tally over when
/// the walk is done.
struct Visitor<'s> {
    /// The root as given, for errors that name no path.
    root: &'s str,
    names: &'s Names,
    max_bytes: u64,
    results: &'s Mutex<Vec<Tally>>,
    tally: Tally,
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        let tally = std::mem::take(&mut self.tally);
        let mut results = self
            .results
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        results.push(tally);
    }
}

impl ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        match entry {
            Ok(entry) => self.entry(&entry),
            Err(err) => self.error(&err),
        }
        WalkState::Continue
    }
}

impl Visitor<'_> {
    fn entry(&mut self, entry: &DirEntry) {
        let Some(file_type) = entry.file_type() else {
            return;
        };
        if file_type.is_dir() {
            return;
        }
        self.tally.stats.files_seen += 1;
        // A root given as a file is searched whatever its name; sockets, pipes and devices
        // never are (opening a pipe would block).
        if !file_type.is_file()
            || (entry.depth() > 0 && !self.names.is_candidate(entry.file_name()))
        {
            return;
        }
        self.tally.stats.candidate_files += 1;
        let shown = entry.path().display().to_string();
        if let Some(text) =
            read::read_candidate(entry.path(), &shown, self.max_bytes, &mut self.tally)
        {
            self.tally.found.extend(detect::scan_text(&shown, &text));
        }
    }

    fn error(&mut self, err: &ignore::Error) {
        match err {
            ignore::Error::Partial(errors) => {
                for err in errors {
                    self.error(err);
                }
            }
            ignore::Error::WithLineNumber { err, .. } | ignore::Error::WithDepth { err, .. } => {
                self.error(err);
            }
            ignore::Error::WithPath { path, err } => self.error_at(path, err),
            ignore::Error::Loop { ancestor, child } => self.symlink_loop(ancestor, child),
            other => {
                // Only I/O errors arise with every ignore file off; keep any other out of the
                // report's detail, which must never carry more than a reason.
                self.tally.stats.unreadable += 1;
                let detail = other.io_error().map_or_else(
                    || "could not be walked".to_owned(),
                    |e| e.kind().to_string(),
                );
                self.tally
                    .problem(self.root, ProblemKind::Unreadable, detail);
            }
        }
    }

    fn error_at(&mut self, path: &Path, err: &ignore::Error) {
        match err {
            ignore::Error::WithPath { path, err } => self.error_at(path, err),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                self.error_at(path, err);
            }
            ignore::Error::Loop { ancestor, child } => self.symlink_loop(ancestor, child),
            ignore::Error::Partial(errors) => {
                for err in errors {
                    self.error_at(path, err);
                }
            }
            other => {
                let kind = other.io_error().map(std::io::Error::kind);
                // A dangling link or a file gone since its folder was listed matters only if
                // it was an env file.
                if kind == Some(std::io::ErrorKind::NotFound)
                    && !path
                        .file_name()
                        .is_some_and(|name| self.names.is_candidate(name))
                {
                    return;
                }
                self.tally.stats.unreadable += 1;
                let detail =
                    kind.map_or_else(|| "could not be walked".to_owned(), |k| k.to_string());
                self.tally
                    .problem(&path.display().to_string(), ProblemKind::Unreadable, detail);
            }
        }
    }

    fn symlink_loop(&mut self, ancestor: &Path, child: &Path) {
        self.tally.stats.symlink_loops += 1;
        self.tally.problem(
            &child.display().to_string(),
            ProblemKind::SymlinkLoop,
            format!("symbolic link back to {}, not followed", ancestor.display()),
        );
    }
}
