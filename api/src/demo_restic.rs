//! The embedded demo's real restic repository. When restic is installed, the first start makes
//! one in the data directory (`restic-demo`, its generated password beside it in
//! `restic-demo.password`, mode 0600), backs up a few generated town-hall files on three nights
//! with the host and tags of one demo policy, and registers the password with the collector's
//! settings: the in-process worker then reads real snapshots. Without restic there is no
//! repository and no demo policy names one, so nothing warns. Restic runs as child processes
//! (tokio::process), each under a timeout, the whole under a budget.
use chrono::{Duration, Utc};
use std::path::{Path, PathBuf};
use tenants::backups::collector::ResticSettings;
use tenants::backups::demo::{RESTIC_HOST, RESTIC_PASSWORD_REF, RESTIC_TAGS};
use tenants::backups::restic::{Restic, ResticPassword};

const COMMAND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
const BUDGET: std::time::Duration = std::time::Duration::from_secs(120);

/// Makes (or finds) the repository and registers its password in `restic`; returns its
/// location for the demo policy, or None when restic is not installed.
pub async fn prepare(data_dir: &Path, restic: &mut ResticSettings) -> Option<String> {
    let made = tokio::time::timeout(BUDGET, make(data_dir, &restic.binary)).await;
    let (location, password) = match made {
        Ok(Ok(Some(found))) => found,
        Ok(Ok(None)) => return None,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "demo restic repository not made: the demo's backups come from reports only");
            return None;
        }
        Err(_) => {
            tracing::warn!(
                "demo restic repository not made in {BUDGET:?}: the demo's backups come from reports only"
            );
            return None;
        }
    };
    restic.passwords.insert(
        RESTIC_PASSWORD_REF.to_owned(),
        ResticPassword::new(password),
    );
    Some(location)
}

async fn make(data_dir: &Path, binary: &Path) -> Result<Option<(String, String)>, String> {
    let io = |what: &Path, e: std::io::Error| format!("{}: {e}", what.display());
    tokio::fs::create_dir_all(data_dir)
        .await
        .map_err(|e| io(data_dir, e))?;
    let data_dir = tokio::fs::canonicalize(data_dir)
        .await
        .map_err(|e| io(data_dir, e))?;
    let repo = data_dir.join("restic-demo");
    let password_file = data_dir.join("restic-demo.password");
    let location = repo.display().to_string();
    // Made by an earlier start: reused as it is (a second start changes nothing).
    if repo.join("config").is_file() {
        if let Ok(p) = tokio::fs::read_to_string(&password_file).await {
            return Ok(Some((location, p.trim().to_owned())));
        }
    }
    if !installed(binary).await {
        tracing::info!(binary = %binary.display(), "restic is not installed: the demo's backups come from reports only");
        return Ok(None);
    }
    // What an interrupted earlier attempt left is made again.
    if tokio::fs::try_exists(&repo).await.unwrap_or(false) {
        tokio::fs::remove_dir_all(&repo)
            .await
            .map_err(|e| io(&repo, e))?;
    }
    let password = tenants::secrets::new_secret("");
    write_secret(&password_file, &password).await?;
    let r = Restic::new(location.clone(), ResticPassword::new(password.clone()))
        .with_binary(binary)
        .with_timeout(COMMAND_TIMEOUT);
    r.init().await.map_err(|e| e.to_string())?;
    let files = data_dir.join("restic-demo-fichiers");
    let now = Utc::now();
    for night in (0..3i64).rev() {
        write_files(&files, 3 - night).await?;
        r.backup_at(
            &[&files],
            RESTIC_HOST,
            RESTIC_TAGS,
            Some(now - Duration::days(night)),
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    tokio::fs::remove_dir_all(&files)
        .await
        .map_err(|e| io(&files, e))?;
    Ok(Some((location, password)))
}

/// Whether the binary runs at all (`restic version`).
async fn installed(binary: &Path) -> bool {
    let status = tokio::process::Command::new(binary)
        .arg("version")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .status();
    matches!(
        tokio::time::timeout(COMMAND_TIMEOUT, status).await,
        Ok(Ok(s)) if s.success()
    )
}

async fn write_secret(path: &Path, secret: &str) -> Result<(), String> {
    let (path, secret) = (path.to_owned(), secret.to_owned());
    tokio::task::spawn_blocking(move || {
        let _ = std::fs::remove_file(&path);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, secret.as_bytes()))
            .map_err(|e| format!("{}: {e}", path.display()))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// A few small files of a town hall's shared folders; each night adds to them.
async fn write_files(dir: &Path, nights: i64) -> Result<(), String> {
    let mut out: Vec<(PathBuf, String)> = vec![];
    let mut deliberations = String::new();
    for n in 1..=nights * 12 {
        deliberations.push_str(&format!(
            "Délibération n° {n} : approbation du procès-verbal de la séance précédente.\n"
        ));
    }
    out.push((
        dir.join("conseil-municipal").join("deliberations.txt"),
        deliberations,
    ));
    let mut register = String::from("numero;date;nature\n");
    for n in 1..=nights * 40 {
        register.push_str(&format!(
            "{n};{:02}/{:02};naissance\n",
            n % 28 + 1,
            n % 12 + 1
        ));
    }
    out.push((dir.join("etat-civil").join("registre.csv"), register));
    out.push((
        dir.join("urbanisme").join(format!("permis-{nights}.txt")),
        format!("Permis de construire n° {nights} : dossier déposé en mairie.\n").repeat(50),
    ));
    for (path, text) in out {
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        tokio::fs::write(&path, text)
            .await
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
