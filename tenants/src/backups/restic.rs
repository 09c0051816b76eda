//! Adapter around the `restic` binary (Debian's package, 0.14 on bookworm).
//!
//! The repository location and its password are passed to restic through the environment
//! (`RESTIC_REPOSITORY`, `RESTIC_PASSWORD`), never on the command line (visible in `ps`) and
//! never logged. Every run has a timeout; the child is killed when it expires. Errors carry
//! the command (`snapshots`, `stats --mode raw-data`...) and a short stderr excerpt with the
//! password and URL credentials redacted.
//!
//! The JSON structs accept missing optional fields: restic adds fields between versions
//! (0.14 has no `program_version`, `summary` or compression figures).
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::process::Command;

/// The collector only reads: without a lock, a worker killed mid-command (its restic goes on
/// alone, or dies) leaves no stale lock to block the commune's next backup.
const NO_LOCK: &str = "--no-lock";
/// Default limit for one restic run.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// Longest stderr excerpt kept in an error, in characters.
const STDERR_EXCERPT: usize = 600;

/// Restic exit status for "snapshot created, but some source files could not be read".
const EXIT_INCOMPLETE: i32 = 3;

/// A repository password. `Debug` does not print it and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct ResticPassword(String);

impl ResticPassword {
    pub fn new(password: impl Into<String>) -> Self {
        Self(password.into())
    }

    /// The clear password, for the child's environment only.
    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ResticPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResticPassword(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ResticError {
    #[error("restic binary not found: {binary}")]
    BinaryMissing { binary: String },
    #[error("restic {command}: could not start the binary: {source}")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("restic {command} timed out after {timeout:?} (killed)")]
    Timeout { command: String, timeout: Duration },
    #[error("restic {command}: wrong repository password (or no key found)")]
    WrongPassword { command: String },
    #[error("restic {command}: no repository at the configured location: {stderr}")]
    RepositoryNotFound { command: String, stderr: String },
    #[error("restic {command} failed ({status}): {stderr}")]
    Failed {
        command: String,
        status: String,
        stderr: String,
    },
    #[error("restic {command}: unexpected JSON output: {source}")]
    Json {
        command: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("restic {command}: no summary line in the JSON output")]
    NoSummary { command: String },
}

/// One snapshot, as printed by `restic snapshots --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub time: DateTime<Utc>,
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    pub id: String,
    #[serde(default)]
    pub short_id: String,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub tree: Option<String>,
    /// Restic >= 0.15 only.
    #[serde(default)]
    pub program_version: Option<String>,
    /// Restic >= 0.17 only: the run's figures, kept in the snapshot.
    #[serde(default)]
    pub summary: Option<SnapshotSummary>,
}

/// The `summary` restic >= 0.17 stores in each snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotSummary {
    #[serde(default)]
    pub backup_start: Option<DateTime<Utc>>,
    #[serde(default)]
    pub backup_end: Option<DateTime<Utc>>,
    #[serde(default)]
    pub data_added: u64,
    #[serde(default)]
    pub total_files_processed: u64,
    #[serde(default)]
    pub total_bytes_processed: u64,
}

/// `restic stats --json` (any mode). Field meaning depends on the mode: in `restore-size`,
/// `total_file_count` counts files *and* directories of each snapshot, summed over snapshots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    #[serde(default)]
    pub total_size: u64,
    #[serde(default)]
    pub total_file_count: u64,
    /// `raw-data` mode only.
    #[serde(default)]
    pub total_blob_count: Option<u64>,
    #[serde(default)]
    pub snapshots_count: u64,
    /// Restic >= 0.15 (`raw-data` mode, compressed repositories).
    #[serde(default)]
    pub total_uncompressed_size: Option<u64>,
    #[serde(default)]
    pub compression_ratio: Option<f64>,
}

/// `--mode` of `restic stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatsMode {
    /// Size of the files as restored (restic's default).
    #[default]
    RestoreSize,
    /// Bytes stored in the repository after deduplication: what the storage costs.
    RawData,
    FilesByContents,
    BlobsPerFile,
}

impl StatsMode {
    fn as_arg(self) -> &'static str {
        match self {
            StatsMode::RestoreSize => "restore-size",
            StatsMode::RawData => "raw-data",
            StatsMode::FilesByContents => "files-by-contents",
            StatsMode::BlobsPerFile => "blobs-per-file",
        }
    }
}

/// The `summary` line of `restic backup --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupSummary {
    #[serde(default)]
    pub files_new: u64,
    #[serde(default)]
    pub files_changed: u64,
    #[serde(default)]
    pub files_unmodified: u64,
    #[serde(default)]
    pub dirs_new: u64,
    #[serde(default)]
    pub dirs_changed: u64,
    #[serde(default)]
    pub dirs_unmodified: u64,
    #[serde(default)]
    pub data_blobs: u64,
    #[serde(default)]
    pub tree_blobs: u64,
    #[serde(default)]
    pub data_added: u64,
    /// Restic >= 0.17.
    #[serde(default)]
    pub data_added_packed: Option<u64>,
    #[serde(default)]
    pub total_files_processed: u64,
    #[serde(default)]
    pub total_bytes_processed: u64,
    /// Seconds.
    #[serde(default)]
    pub total_duration: f64,
    /// Short id in restic 0.14; absent with `--dry-run`.
    #[serde(default)]
    pub snapshot_id: Option<String>,
    /// Restic exited with status 3: the snapshot exists but some files could not be read.
    #[serde(default, skip_deserializing)]
    pub incomplete: bool,
}

#[derive(Deserialize)]
struct MessageType {
    #[serde(default)]
    message_type: Option<String>,
}

/// One restic repository, reached through the `restic` binary.
#[derive(Debug, Clone)]
pub struct Restic {
    binary: PathBuf,
    repository: String,
    password: ResticPassword,
    timeout: Duration,
}

impl Restic {
    /// Uses `restic` from `PATH` and [`DEFAULT_TIMEOUT`].
    pub fn new(repository: impl Into<String>, password: ResticPassword) -> Self {
        Self {
            binary: PathBuf::from("restic"),
            repository: repository.into(),
            password,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    pub fn with_binary(mut self, binary: impl Into<PathBuf>) -> Self {
        self.binary = binary.into();
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// `restic init`: creates the repository.
    pub async fn init(&self) -> Result<(), ResticError> {
        self.run("init", &["init"], &[0]).await.map(|_| ())
    }

    /// `restic snapshots --json`, oldest first.
    pub async fn snapshots(&self) -> Result<Vec<Snapshot>, ResticError> {
        let command = "snapshots";
        let out = self
            .run(command, &["snapshots", "--json", NO_LOCK], &[0])
            .await?;
        // Restic prints `null` for an empty repository in some versions.
        let snapshots: Option<Vec<Snapshot>> = parse(command, &out.stdout)?;
        Ok(snapshots.unwrap_or_default())
    }

    /// `restic stats --json --mode <mode>` over all snapshots.
    pub async fn stats(&self, mode: StatsMode) -> Result<Stats, ResticError> {
        let command = format!("stats --mode {}", mode.as_arg());
        let out = self
            .run(
                &command,
                &["stats", "--json", NO_LOCK, "--mode", mode.as_arg()],
                &[0],
            )
            .await?;
        parse(&command, &out.stdout)
    }

    /// `restic stats --json --mode <mode> <id>...` over the given snapshots only (all when
    /// `ids` is empty): in `raw-data` mode, the stored bytes those snapshots need together.
    pub async fn stats_for(&self, mode: StatsMode, ids: &[&str]) -> Result<Stats, ResticError> {
        let command = format!("stats --mode {} ({} snapshots)", mode.as_arg(), ids.len());
        let mut args = vec!["stats", "--json", NO_LOCK, "--mode", mode.as_arg(), "--"];
        args.extend_from_slice(ids);
        let out = self.run(&command, &args, &[0]).await?;
        parse(&command, &out.stdout)
    }

    /// `restic backup --json --host <host> --tag <t>... <paths>`: returns the summary line.
    pub async fn backup(
        &self,
        paths: &[&Path],
        host: &str,
        tags: &[&str],
    ) -> Result<BackupSummary, ResticError> {
        self.backup_at(paths, host, tags, None).await
    }

    /// The same with the snapshot's time set (`--time`, which restic reads in the local time
    /// zone, as chrono's `Local` does), for snapshots dated in the past.
    pub async fn backup_at(
        &self,
        paths: &[&Path],
        host: &str,
        tags: &[&str],
        time: Option<DateTime<Utc>>,
    ) -> Result<BackupSummary, ResticError> {
        let command = "backup";
        let time = time.map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        });
        let mut args: Vec<&std::ffi::OsStr> = vec!["backup".as_ref(), "--json".as_ref()];
        if let Some(t) = &time {
            args.push("--time".as_ref());
            args.push(t.as_ref());
        }
        args.push("--host".as_ref());
        args.push(host.as_ref());
        for tag in tags {
            args.push("--tag".as_ref());
            args.push(tag.as_ref());
        }
        args.push("--".as_ref());
        for path in paths {
            args.push(path.as_os_str());
        }
        let out = self.run(command, &args, &[0, EXIT_INCOMPLETE]).await?;
        let mut summary: BackupSummary = summary_line(command, &out.stdout)?;
        summary.incomplete = out.status == Some(EXIT_INCOMPLETE);
        Ok(summary)
    }

    async fn run<S: AsRef<std::ffi::OsStr>>(
        &self,
        command: &str,
        args: &[S],
        accepted: &[i32],
    ) -> Result<Output, ResticError> {
        let mut cmd = Command::new(&self.binary);
        cmd.args(args)
            // Only these two carry the secrets: drop the alternatives restic would prefer.
            .env_remove("RESTIC_PASSWORD_FILE")
            .env_remove("RESTIC_PASSWORD_COMMAND")
            .env_remove("RESTIC_REPOSITORY_FILE")
            .env("RESTIC_REPOSITORY", &self.repository)
            .env("RESTIC_PASSWORD", self.password.expose())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        tracing::debug!(binary = %self.binary.display(), command, "running restic");
        let child = cmd.spawn().map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                ResticError::BinaryMissing {
                    binary: self.binary.display().to_string(),
                }
            } else {
                ResticError::Spawn {
                    command: command.to_owned(),
                    source,
                }
            }
        })?;
        // Dropping the future on timeout drops the child, which kills it (kill_on_drop).
        let output = match tokio::time::timeout(self.timeout, child.wait_with_output()).await {
            Ok(output) => output.map_err(|source| ResticError::Spawn {
                command: command.to_owned(),
                source,
            })?,
            Err(_) => {
                return Err(ResticError::Timeout {
                    command: command.to_owned(),
                    timeout: self.timeout,
                })
            }
        };
        let status = output.status.code();
        if status.is_some_and(|code| accepted.contains(&code)) {
            return Ok(Output {
                status,
                stdout: output.stdout,
            });
        }
        let stderr = self.excerpt(&output.stderr);
        let command = command.to_owned();
        Err(if stderr.contains("wrong password") {
            ResticError::WrongPassword { command }
        } else if stderr.contains("Is there a repository at the following location?")
            || stderr.contains("unable to open config file")
        {
            ResticError::RepositoryNotFound { command, stderr }
        } else {
            ResticError::Failed {
                command,
                status: match status {
                    Some(code) => format!("exit status {code}"),
                    None => "killed by a signal".to_owned(),
                },
                stderr,
            }
        })
    }

    /// The end of stderr (where restic's fatal message is), credentials redacted.
    fn excerpt(&self, stderr: &[u8]) -> String {
        let text = redact(
            String::from_utf8_lossy(stderr).trim(),
            self.password.expose(),
        );
        let count = text.chars().count();
        if count <= STDERR_EXCERPT {
            text
        } else {
            let tail: String = text.chars().skip(count - STDERR_EXCERPT).collect();
            format!("…{tail}")
        }
    }
}

struct Output {
    status: Option<i32>,
    stdout: Vec<u8>,
}

fn parse<T: serde::de::DeserializeOwned>(command: &str, stdout: &[u8]) -> Result<T, ResticError> {
    serde_json::from_slice(stdout).map_err(|source| ResticError::Json {
        command: command.to_owned(),
        source,
    })
}

/// Finds and parses the `"message_type":"summary"` line among restic's JSON lines.
fn summary_line(command: &str, stdout: &[u8]) -> Result<BackupSummary, ResticError> {
    for line in stdout.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if !line.starts_with(b"{") {
            continue;
        }
        let kind: MessageType = parse(command, line)?;
        if kind.message_type.as_deref() == Some("summary") {
            return parse(command, line);
        }
    }
    Err(ResticError::NoSummary {
        command: command.to_owned(),
    })
}

/// Replaces the password and any `scheme://user:secret@` credentials.
fn redact(text: &str, password: &str) -> String {
    let mut text = if password.is_empty() {
        text.to_owned()
    } else {
        text.replace(password, "<redacted>")
    };
    let mut from = 0;
    while let Some(found) = text[from..].find("://") {
        let start = from + found + 3;
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || c == '/')
            .map_or(text.len(), |i| start + i);
        match text[start..end].rfind('@') {
            Some(at) => {
                text.replace_range(start..start + at, "<redacted>");
                from = start + "<redacted>".len() + 1;
            }
            None => from = end,
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    const PASSWORD: &str = "s3cr3t-Mutualis-pw-7b1e";

    /// A temporary directory removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(label: &str) -> Self {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            let path = std::env::temp_dir()
                .join(format!("mutualis-{label}-{}-{nanos}", std::process::id()));
            std::fs::create_dir_all(&path).expect("create temp dir");
            Self(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// The restic binary for the tests: MUTUALIS_TEST_RESTIC, else `restic` in PATH.
    /// None (test skipped) only outside CI; under CI a missing restic fails.
    fn restic_binary() -> Option<PathBuf> {
        if let Some(path) = std::env::var_os("MUTUALIS_TEST_RESTIC").filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(path));
        }
        let found = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("restic"))
                .find(|candidate| candidate.is_file())
        });
        if found.is_none() {
            let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
            assert!(
                !ci,
                "restic is not installed and CI is set: run `source tests/services.sh; ensure_restic`"
            );
            eprintln!(
                "SKIPPED: restic is not installed (set MUTUALIS_TEST_RESTIC or run \
                 `source tests/services.sh; ensure_restic`)"
            );
        }
        found
    }

    fn assert_no_password(err: &ResticError) {
        let display = err.to_string();
        let debug = format!("{err:?}");
        assert!(
            !display.contains(PASSWORD),
            "password in Display: {display}"
        );
        assert!(!debug.contains(PASSWORD), "password in Debug: {debug}");
    }

    #[tokio::test]
    async fn backups_restic_real_repository() {
        let Some(binary) = restic_binary() else {
            return;
        };
        let tmp = TempDir::new("restic");
        let repo_dir = tmp.0.join("repo");
        let data = tmp.0.join("data");
        std::fs::create_dir_all(data.join("sub")).expect("test fixture");
        // Three files and two directories (data, data/sub).
        std::fs::write(data.join("notes.txt"), "conseil municipal\n".repeat(100))
            .expect("test fixture");
        let mut big = Vec::with_capacity(300_000);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        while big.len() < 300_000 {
            // xorshift: incompressible, so deduplication is the only saving.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            big.extend_from_slice(&x.to_le_bytes());
        }
        std::fs::write(data.join("registre.bin"), &big).expect("test fixture");
        std::fs::write(data.join("sub").join("budget.csv"), "ligne;montant\n1;2\n")
            .expect("test fixture");
        let data_bytes = (std::fs::metadata(data.join("notes.txt"))
            .expect("test fixture")
            .len()
            + big.len() as u64
            + std::fs::metadata(data.join("sub/budget.csv"))
                .expect("test fixture")
                .len()) as u64;

        let restic = Restic::new(repo_dir.to_string_lossy(), ResticPassword::new(PASSWORD))
            .with_binary(&binary)
            .with_timeout(Duration::from_secs(120));
        assert!(!format!("{restic:?}").contains(PASSWORD));

        let started = Instant::now();
        restic.init().await.expect("restic init");
        let init_time = started.elapsed();

        let host = "mairie-test";
        let tags = ["commune:21600158600017", "policy:fichiers"];
        let started = Instant::now();
        let first = restic
            .backup(&[data.as_path()], host, &tags)
            .await
            .expect("first backup");
        let first_time = started.elapsed();
        assert_eq!(first.files_new, 3, "{first:?}");
        assert_eq!(first.total_files_processed, 3);
        assert_eq!(first.total_bytes_processed, data_bytes);
        assert!(first.data_added >= big.len() as u64, "{first:?}");
        assert!(first.snapshot_id.is_some());
        assert!(!first.incomplete);

        // Change one small file: only it (and the trees) are new data.
        std::fs::write(
            data.join("sub").join("budget.csv"),
            "ligne;montant\n1;2\n2;5\n",
        )
        .expect("test fixture");
        let started = Instant::now();
        let second = restic
            .backup(&[data.as_path()], host, &tags)
            .await
            .expect("second backup");
        let second_time = started.elapsed();
        assert_eq!(second.files_changed, 1, "{second:?}");
        assert_eq!(second.files_unmodified, 2, "{second:?}");
        assert!(
            second.data_added < first.data_added / 10,
            "second data_added {} vs first {}",
            second.data_added,
            first.data_added
        );

        let started = Instant::now();
        let snapshots = restic.snapshots().await.expect("snapshots");
        let snapshots_time = started.elapsed();
        assert_eq!(snapshots.len(), 2, "{snapshots:?}");
        let data_path = data.to_string_lossy().into_owned();
        for snap in &snapshots {
            assert_eq!(snap.hostname, host);
            assert_eq!(snap.tags, tags);
            assert_eq!(snap.paths, vec![data_path.clone()]);
            assert_eq!(snap.id.len(), 64);
            assert!(snap.id.starts_with(&snap.short_id) && snap.short_id.len() == 8);
        }
        assert!(snapshots[0].time <= snapshots[1].time);
        assert_eq!(
            snapshots[0].short_id,
            first.snapshot_id.clone().expect("snapshot id")
        );
        assert_eq!(
            snapshots[1].short_id,
            second.snapshot_id.clone().expect("snapshot id")
        );
        assert_eq!(
            snapshots[1].parent.as_deref(),
            Some(snapshots[0].id.as_str())
        );

        let started = Instant::now();
        let restore = restic.stats(StatsMode::RestoreSize).await.expect("stats");
        let raw = restic.stats(StatsMode::RawData).await.expect("stats raw");
        let stats_time = started.elapsed();
        assert_eq!(restore.snapshots_count, 2);
        // restore-size counts every node of each snapshot's tree: the 3 files, data/sub, and
        // every directory of the absolute path backed up (/tmp, /tmp/mutualis-..., .../data),
        // which restic 0.14 keeps in the snapshot.
        let path_dirs = data.ancestors().count() as u64 - 1;
        let per_snapshot = 3 + 1 + path_dirs;
        assert_eq!(restore.total_file_count, 2 * per_snapshot, "{restore:?}");
        // Bytes as restored: both snapshots, the second one 4 bytes larger.
        assert_eq!(restore.total_size, 2 * data_bytes + 4, "{restore:?}");
        assert_eq!(raw.snapshots_count, 2);
        assert!(raw.total_blob_count.is_some_and(|n| n > 0), "{raw:?}");
        // Deduplicated storage: about one copy of the data, well under two.
        assert!(raw.total_size >= big.len() as u64, "{raw:?}");
        assert!(raw.total_size < data_bytes + data_bytes / 2, "{raw:?}");

        // Wrong password.
        let wrong = Restic::new(
            repo_dir.to_string_lossy(),
            ResticPassword::new(format!("{PASSWORD}-wrong")),
        )
        .with_binary(&binary);
        let err = wrong.snapshots().await.expect_err("wrong password");
        assert!(matches!(err, ResticError::WrongPassword { .. }), "{err:?}");
        assert_no_password(&err);

        // Missing repository.
        let missing = Restic::new(
            tmp.0.join("nowhere").to_string_lossy(),
            ResticPassword::new(PASSWORD),
        )
        .with_binary(&binary);
        let err = missing
            .stats(StatsMode::RawData)
            .await
            .expect_err("missing");
        assert!(
            matches!(err, ResticError::RepositoryNotFound { .. }),
            "{err:?}"
        );
        assert_no_password(&err);

        eprintln!(
            "restic figures: init {init_time:?}, backup 1 {first_time:?} (data_added {} B), \
             backup 2 {second_time:?} (data_added {} B), snapshots {snapshots_time:?}, \
             stats x2 {stats_time:?}, raw size {} B",
            first.data_added, second.data_added, raw.total_size
        );
    }

    #[tokio::test]
    async fn backups_restic_binary_missing() {
        let restic = Restic::new("/nonexistent", ResticPassword::new(PASSWORD))
            .with_binary("/nonexistent/bin/restic");
        let err = restic.snapshots().await.expect_err("missing binary");
        assert!(matches!(err, ResticError::BinaryMissing { .. }), "{err:?}");
        assert_no_password(&err);
    }

    #[tokio::test]
    async fn backups_restic_timeout_kills() {
        let tmp = TempDir::new("restic-timeout");
        let fake = tmp.0.join("restic");
        std::fs::write(&fake, "#!/bin/sh\nexec sleep 30\n").expect("test fixture");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755))
                .expect("test fixture");
        }
        let restic = Restic::new("/nonexistent", ResticPassword::new(PASSWORD))
            .with_binary(&fake)
            .with_timeout(Duration::from_millis(300));
        let started = Instant::now();
        let err = restic.snapshots().await.expect_err("timeout");
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(matches!(err, ResticError::Timeout { .. }), "{err:?}");
        assert_no_password(&err);
    }

    #[tokio::test]
    async fn backups_restic_failure_is_redacted() {
        let tmp = TempDir::new("restic-fail");
        let fake = tmp.0.join("restic");
        // A restic that echoes its secrets to stderr and fails.
        std::fs::write(
            &fake,
            "#!/bin/sh\necho \"Fatal: $RESTIC_PASSWORD at rest:https://u:$RESTIC_PASSWORD@h/r\" >&2\nexit 1\n",
        )
        .expect("test fixture");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755))
                .expect("test fixture");
        }
        let restic = Restic::new("/nonexistent", ResticPassword::new(PASSWORD)).with_binary(&fake);
        let err = restic.stats(StatsMode::RawData).await.expect_err("fails");
        match &err {
            ResticError::Failed {
                command, stderr, ..
            } => {
                assert_eq!(command, "stats --mode raw-data");
                assert!(stderr.contains("<redacted>"), "{stderr}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_no_password(&err);
    }

    #[test]
    fn backups_restic_parses_014_json_and_tolerates_missing_fields() {
        let snaps: Vec<Snapshot> = serde_json::from_str(
            r#"[{"time":"2026-11-24T01:18:59.443103494Z","tree":"ee","paths":["/d"],"hostname":"h1","username":"root","tags":["t1"],"id":"cc1ae786f8af","short_id":"cc1ae786"},
                {"time":"2026-11-24T01:19:00Z","paths":["/d"],"id":"648e"}]"#,
        )
        .expect("restic 0.14 JSON parses");
        assert_eq!(snaps[0].tags, ["t1"]);
        assert!(snaps[1].tags.is_empty() && snaps[1].hostname.is_empty());
        let stats: Stats = serde_json::from_str(
            r#"{"total_size":201296,"total_file_count":0,"total_blob_count":7,"snapshots_count":2}"#,
        )
        .expect("restic 0.14 JSON parses");
        assert_eq!(stats.total_blob_count, Some(7));
        let summary = summary_line(
            "backup",
            br#"{"message_type":"status","percent_done":0,"total_files":1,"total_bytes":6}
{"message_type":"summary","files_new":2,"data_added":201063,"total_bytes_processed":200006,"total_duration":0.21,"snapshot_id":"cc1ae786"}
"#,
        )
        .expect("restic 0.14 JSON parses");
        assert_eq!(summary.files_new, 2);
        assert_eq!(summary.data_added, 201_063);
        assert_eq!(summary.snapshot_id.as_deref(), Some("cc1ae786"));
        let err =
            summary_line("backup", b"{\"message_type\":\"status\"}\n").expect_err("must fail");
        assert!(matches!(err, ResticError::NoSummary { .. }));
        let err = parse::<Stats>("stats --mode raw-data", b"not json").expect_err("must fail");
        assert!(err.to_string().contains("stats --mode raw-data"));
    }

    #[test]
    fn backups_password_debug_and_redaction() {
        let pw = ResticPassword::new(PASSWORD);
        assert!(!format!("{pw:?}").contains(PASSWORD));
        let text = redact(
            &format!("bad {PASSWORD} rest:https://alice:other@host:8000/repo s3:https://host/b"),
            PASSWORD,
        );
        assert!(!text.contains(PASSWORD) && !text.contains("alice") && !text.contains("other"));
        assert!(text.contains("https://<redacted>@host:8000/repo"), "{text}");
        assert!(text.contains("s3:https://host/b"), "{text}");
    }
}
