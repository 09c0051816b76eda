//! The command line: `mutualis [serve|worker|migrate|database-roles|import-referential|
//! create-organisation|invite|grant-platform-admin|verify-audit|verify-export|import-archive|
//! export-archive|print-schema]`.
use crate::config::Config;
use crate::server::{self, StartError};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use tenants::identifiers::Siren;
use tenants::referential::{self, Referential};
use tenants::tenancy::{can, Principal};

#[derive(Parser, Debug)]
#[command(
    name = "mutualis",
    version,
    about = "Shared digital services of an intercommunality: GDPR, procurement, backups, costs and billing."
)]
pub struct Cli {
    /// TOML configuration file (settings from the environment override it).
    #[arg(long, global = true, env = "MUTUALIS_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (the default). With no configuration: embedded SQLite under ./data, demo
    /// organisation, worker in-process, demo login on loopback.
    Serve,
    /// Run the background worker alone (next to API replicas).
    Worker,
    /// Apply database migrations (as the owner: DATABASE_ADMIN_URL).
    Migrate,
    /// Run one pass of the restic collector now, print what it recorded; exits 1 when a
    /// repository could not be read.
    CollectBackups,
    /// Load the official referential (@etalab/decoupage-administratif data folder) and
    /// provision organisations with their member communes.
    ImportReferential {
        /// The package's `data` folder (holding communes.json and epci.json).
        #[arg(long)]
        data_dir: PathBuf,
        /// SIREN of an EPCI to provision (repeatable).
        #[arg(long)]
        siren: Vec<String>,
        /// Provision every EPCI of France.
        #[arg(long, conflicts_with = "siren")]
        all: bool,
    },
    /// Provision one organisation from the already imported referential.
    CreateOrganisation {
        #[arg(long)]
        siren: String,
    },
    /// Give a person a role in an organisation (the first administrator of a new one, with no
    /// SQL): they log in through OpenID Connect with this e-mail.
    Invite {
        #[arg(long)]
        email: String,
        /// org_admin, dpo, commune_admin or commune_editor.
        #[arg(long)]
        role: String,
        /// The organisation (its SIREN).
        #[arg(long)]
        siren: String,
        /// For commune roles: the commune's INSEE code.
        #[arg(long)]
        insee: Option<String>,
    },
    /// Make a person the platform's administrator (the first one of a new installation, with
    /// no SQL), or no longer with --revoke. They log in through OpenID Connect with this e-mail.
    GrantPlatformAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        revoke: bool,
    },
    /// Set up the cluster-wide roles beside the owner, as a PostgreSQL superuser
    /// (DATABASE_SUPERUSER_URL): mutualis_app (the server's role, with its password) and
    /// mutualis_backup (BYPASSRLS, read-only: what pg_dump runs as). Idempotent.
    DatabaseRoles {
        /// A superuser's connection (only one may give BYPASSRLS); any database of the cluster.
        #[arg(long, env = "DATABASE_SUPERUSER_URL")]
        superuser_url: String,
        /// A file holding mutualis_app's new password (first line).
        #[arg(long)]
        app_password_file: Option<PathBuf>,
        /// A file holding mutualis_backup's new password (first line).
        #[arg(long)]
        backup_password_file: Option<PathBuf>,
    },
    /// Recompute every tenant's audit hash chain; exits 1 when a record was changed or removed.
    VerifyAudit,
    /// Check an export bundle offline: every file against its manifest. (The server's
    /// POST /exports/verify also checks the manifest against the audit trail.)
    VerifyExport {
        /// The ZIP bundle.
        file: PathBuf,
    },
    /// Import a reversibility archive (made by « Réversibilité » in the console or by
    /// export-archive) into this instance: the manifest is verified first, identifiers already
    /// present are listed and refuse the whole archive, and everything is written in one
    /// transaction.
    ImportArchive {
        /// The ZIP archive.
        file: PathBuf,
    },
    /// Write the reversibility archive of an organisation (or of one of its communes) to a
    /// file, and record it in the audit trail.
    ExportArchive {
        /// The organisation (its SIREN).
        #[arg(long)]
        siren: String,
        /// One commune only: its INSEE code.
        #[arg(long)]
        insee: Option<String>,
        /// Where to write the ZIP.
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the GraphQL schema (SDL).
    PrintSchema,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Referential(#[from] tenants::referential::ReferentialError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Directory(#[from] tenants::directory::DirectoryError),
    #[error("audit trail: {0} problem(s) found")]
    AuditBroken(usize),
    #[error("{0}")]
    Failed(String),
}

fn progress(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(what.to_owned());
    pb
}

async fn database_roles(
    url: &str,
    app_password_file: Option<&std::path::Path>,
    backup_password_file: Option<&std::path::Path>,
) -> Result<(), CliError> {
    use crate::db_roles::{ensure, read_password, RolesError};
    let read = |f: Option<&std::path::Path>| f.map(read_password).transpose();
    let app = read(app_password_file).map_err(|e| CliError::Input(e.to_string()))?;
    let backup = read(backup_password_file).map_err(|e| CliError::Input(e.to_string()))?;
    let db = tenants::db::connect(url, 1)
        .await
        .map_err(|e| CliError::Input(RolesError::Connect(e).to_string()))?;
    let done = ensure(&db, app.as_deref(), backup.as_deref())
        .await
        .map_err(|e| CliError::Input(e.to_string()))?;
    for line in done {
        println!("{line}");
    }
    db.close().await.ok();
    Ok(())
}

/// Operator commands act with the owner's connection and the platform scope.
async fn operator_db(config: &Config) -> Result<sea_orm::DatabaseConnection, CliError> {
    server::migrate(config).await?;
    Ok(tenants::db::connect(&config.database_admin_url, 4).await?)
}

/// The uploaded files' store of this instance (`MUTUALIS_STORAGE`), for the archives.
fn open_storage(config: &Config) -> Result<tenants::storage::Storage, CliError> {
    tenants::storage::Storage::open(&config.storage)
        .map_err(|e| CliError::Input(format!("MUTUALIS_STORAGE: {e}")))
}

pub async fn run(cli: Cli) -> Result<(), CliError> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::PrintSchema = command {
        print!("{}", crate::graphql::sdl());
        return Ok(());
    }
    if let Command::VerifyExport { file } = &command {
        let bytes =
            std::fs::read(file).map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
        let m = formats::verify(&bytes)
            .map_err(|e| CliError::Input(format!("bundle NOT valid: {e}")))?;
        println!(
            "bundle valid: {} files, made {} by {} for {} tenant(s)",
            m.files.len(),
            m.generated_at,
            m.principal,
            m.tenants.len()
        );
        for f in &m.files {
            println!("  {}  {}  {} bytes", f.sha256, f.name, f.bytes);
        }
        return Ok(());
    }
    // The roles need a superuser's URL and nothing else.
    if let Command::DatabaseRoles {
        superuser_url,
        app_password_file,
        backup_password_file,
    } = &command
    {
        return database_roles(
            superuser_url,
            app_password_file.as_deref(),
            backup_password_file.as_deref(),
        )
        .await;
    }
    // The migrations need the owner's database URL and nothing else: no provider, no secret.
    if let Command::Migrate = command {
        if let Some(url) = Config::migrations_url(cli.config.as_deref())? {
            server::migrate_url(&url).await?;
            println!("migrations applied");
            return Ok(());
        }
    }
    let config = Config::load(cli.config.as_deref())?;
    crate::telemetry::init_logs(config.json_logs, &config.log_secrets, config.otlp.as_ref());
    let operator = Principal::operator();
    match command {
        Command::Serve => server::serve(config).await?,
        Command::Worker => {
            let db = server::connect(&config).await?;
            let (tx, rx) = tokio::sync::watch::channel(false);
            let ops = server::ops_port(
                &config,
                &db,
                crate::http::ops_port::Role::Worker,
                None,
                rx.clone(),
            );
            let handle = tokio::spawn(worker::run(db, server::worker_settings(&config)?, rx));
            server::shutdown_signal().await;
            let _ = tx.send(true);
            let _ = handle.await;
            if let Some(o) = ops {
                let _ = o.await;
            }
        }
        Command::CollectBackups => {
            let db = server::connect(&config).await?;
            let r = worker::collect_backups(&db, &config.restic)
                .await
                .map_err(|e| CliError::Failed(e.to_string()))?;
            println!(
                "{} repositories, {} snapshots seen, {} jobs and {} storage samples recorded, {} unmatched, {} ambiguous",
                r.repositories, r.snapshots_seen, r.jobs_recorded, r.samples_recorded, r.unmatched, r.ambiguous
            );
            // Asked for by hand, a repository left unread is named and fails the command
            // (the worker, for which webhook-only policies are normal, stays quiet).
            for f in r.skipped.iter().chain(&r.failures) {
                eprintln!("not collected: {f}");
            }
            if !r.failures.is_empty() || !r.skipped.is_empty() {
                return Err(CliError::Failed(format!(
                    "{} repositories not collected",
                    r.failures.len() + r.skipped.len()
                )));
            }
        }
        Command::Migrate => {
            server::migrate(&config).await?;
            println!("migrations applied");
        }
        Command::ImportReferential {
            data_dir,
            siren,
            all,
        } => {
            let sirens = siren
                .iter()
                .map(|s| Siren::parse(s).map_err(|e| CliError::Input(format!("--siren: {e}"))))
                .collect::<Result<Vec<_>, _>>()?;
            let r = Referential::read_dir(&data_dir)?;
            let db = operator_db(&config).await?;
            let scope = operator
                .can::<can::ManageUsers>()
                .map_err(|e| CliError::Input(e.to_string()))?;
            let pb = progress(0, "referential");
            let loaded = referential::load(&db, &r, &pb).await?;
            pb.finish();
            println!(
                "referential: {} communes, {} EPCI",
                loaded.communes, loaded.epcis
            );
            let reports = if all {
                let pb = progress(0, "provision");
                let reports = referential::provision_all(&db, &scope, &r, &pb).await?;
                pb.finish();
                reports
            } else {
                let mut v = vec![];
                for s in &sirens {
                    v.push(referential::provision(&db, &scope, s).await?);
                }
                v
            };
            let created: usize = reports.iter().map(|r| r.tenants_created).sum();
            let updated: usize = reports.iter().map(|r| r.tenants_updated).sum();
            let unchanged: usize = reports.iter().map(|r| r.tenants_unchanged).sum();
            let orgs = reports.iter().filter(|r| r.organisation_created).count();
            println!(
                "organisations: {} provisioned ({orgs} new); tenants: {created} created, {updated} updated, {unchanged} unchanged",
                reports.len()
            );
        }
        Command::CreateOrganisation { siren } => {
            let siren =
                Siren::parse(&siren).map_err(|e| CliError::Input(format!("--siren: {e}")))?;
            let db = operator_db(&config).await?;
            let scope = operator
                .can::<can::ManageUsers>()
                .map_err(|e| CliError::Input(e.to_string()))?;
            let r = referential::provision(&db, &scope, &siren).await?;
            println!(
                "organisation {}: {} tenants created, {} updated, {} unchanged",
                r.organisation_id, r.tenants_created, r.tenants_updated, r.tenants_unchanged
            );
        }
        Command::Invite {
            email,
            role,
            siren,
            insee,
        } => {
            let siren =
                Siren::parse(&siren).map_err(|e| CliError::Input(format!("--siren: {e}")))?;
            let db = operator_db(&config).await?;
            let scope = operator
                .can::<can::ManageUsers>()
                .map_err(|e| CliError::Input(e.to_string()))?;
            let m = tenants::directory::invite_by_codes(
                &db,
                &scope,
                &email,
                &role,
                siren.as_str(),
                insee.as_deref(),
            )
            .await?;
            println!(
                "{email} is {role} (membership {}); they log in with this e-mail",
                m.id
            );
        }
        Command::GrantPlatformAdmin { email, revoke } => {
            let db = operator_db(&config).await?;
            let scope = operator
                .can::<can::ManageUsers>()
                .map_err(|e| CliError::Input(e.to_string()))?;
            let changed = tenants::access::set_platform_admin(&db, &scope, &email, !revoke)
                .await
                .map_err(|e| match e {
                    tenants::access::AccessGrantError::BadInput { message, .. } => {
                        CliError::Input(format!("--email: {message}"))
                    }
                    other => CliError::Failed(other.to_string()),
                })?;
            let what = if revoke {
                "is no longer a platform administrator"
            } else {
                "is a platform administrator; they log in with this e-mail"
            };
            println!(
                "{email} {what}{}",
                if changed { "" } else { " (already so)" }
            );
        }
        Command::VerifyAudit => {
            let db = operator_db(&config).await?;
            let scope = operator
                .can::<can::ReadAudit>()
                .map_err(|e| CliError::Input(e.to_string()))?;
            let report = tenants::audit::verify(&db, &scope).await?;
            for p in &report.problems {
                println!(
                    "TAMPERED tenant {} record {}: {}",
                    p.tenant_id, p.seq, p.problem
                );
            }
            println!(
                "audit trail: {} tenants, {} records checked",
                report.tenants, report.records
            );
            if !report.problems.is_empty() {
                return Err(CliError::AuditBroken(report.problems.len()));
            }
            println!("audit trail intact");
        }
        Command::ImportArchive { file } => {
            let len = std::fs::metadata(&file)
                .map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?
                .len();
            if len > tenants::reversibility::import::MAX_ARCHIVE_BYTES {
                return Err(CliError::Input(format!(
                    "{}: {len} bytes, more than an archive may hold ({} at most)",
                    file.display(),
                    tenants::reversibility::import::MAX_ARCHIVE_BYTES
                )));
            }
            let bytes = std::fs::read(&file)
                .map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
            let db = operator_db(&config).await?;
            let store = open_storage(&config)?;
            match tenants::reversibility::import_archive(&db, &bytes, Some(&store)).await {
                Ok(r) => {
                    for (t, n) in &r.tables {
                        println!("  {t}: {n} rows");
                    }
                    println!("  stored files written back: {}", r.files);
                    for e in &r.platform_admin_cleared {
                        println!("  {e}: platform_admin flag NOT imported");
                    }
                    println!("archive imported: {} rows", r.rows);
                }
                Err(tenants::reversibility::ReversibilityError::Conflicts { count, listed }) => {
                    for c in &listed {
                        eprintln!("conflict: {} {}", c.file, c.key);
                    }
                    if listed.len() < count {
                        eprintln!("… and {} more", count - listed.len());
                    }
                    return Err(CliError::Failed(format!(
                        "archive NOT imported: {count} row(s) already present in this instance; nothing was written"
                    )));
                }
                Err(e) => {
                    return Err(CliError::Failed(format!(
                        "archive NOT imported (nothing was written): {e}"
                    )))
                }
            }
        }
        Command::ExportArchive { siren, insee, out } => {
            let siren =
                Siren::parse(&siren).map_err(|e| CliError::Input(format!("--siren: {e}")))?;
            let db = operator_db(&config).await?;
            let scope = operator
                .can::<can::ExportAllData>()
                .map_err(|e| CliError::Input(e.to_string()))?;
            let store = open_storage(&config)?;
            let a = tenants::reversibility::requests::export_by_codes(
                &db,
                &scope,
                siren.as_str(),
                insee.as_deref(),
                Some(&store),
            )
            .await
            .map_err(|e| CliError::Failed(e.to_string()))?;
            std::fs::write(&out, &a.zip)
                .map_err(|e| CliError::Input(format!("{}: {e}", out.display())))?;
            println!(
                "{}: {} rows, {} files, {} bytes, manifest SHA-256 {}",
                out.display(),
                a.rows,
                a.manifest.files.len(),
                a.zip.len(),
                a.manifest_sha256
            );
        }
        // Answered before the configuration is read.
        Command::DatabaseRoles { .. } | Command::PrintSchema | Command::VerifyExport { .. } => {}
    }
    Ok(())
}
