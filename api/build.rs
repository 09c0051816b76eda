//! Builds the web console (`web/`) and embeds it in the server binary, so that
//! `cargo build --release` alone gives a server that serves the console from any directory.
//!
//! The console is rebuilt only when its sources change (`cargo:rerun-if-changed` below).
//! `MUTUALIS_CONSOLE_DIST=/path/to/dist` embeds an already built console instead (the
//! container image builds it in a Node.js stage); otherwise Node.js and npm are required.
use std::path::{Path, PathBuf};
use std::process::Command;

const NODE_MISSING: &str =
    "building Mutualis needs Node.js (20 or later) and npm to build its web console: \
     install them (Debian: apt-get install nodejs npm), or set MUTUALIS_CONSOLE_DIST to a console \
     already built with `npm run build` in web/";

fn main() {
    println!("cargo:rerun-if-env-changed=MUTUALIS_CONSOLE_DIST");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let dist = match std::env::var("MUTUALIS_CONSOLE_DIST") {
        Ok(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if !dir.join("index.html").is_file() {
                fail(&format!(
                    "MUTUALIS_CONSOLE_DIST={}: no index.html there (build the console with `npm run build` in web/)",
                    dir.display()
                ));
            }
            dir
        }
        _ => {
            let web = manifest.join("../web");
            watch_console_sources(&web, &manifest.join("schema.graphql"));
            let dist = out.join("console");
            build_console(&web, &dist);
            dist
        }
    };
    // Always embedded, also in debug builds: the tests run the binary from empty directories.
    // (memory-serve would otherwise print one build warning per file.)
    std::env::set_var("MEMORY_SERVE_QUIET", "1");
    memory_serve::load_directory_with_embed(dist, true);
}

fn fail(message: &str) -> ! {
    // Cargo prints a failed build script's stderr under the build error: one sentence, no
    // panic backtrace.
    eprintln!("\n  {message}\n");
    std::process::exit(1);
}

/// Every input of the console build, except what the build itself writes (`src/gql/`,
/// generated from the schema; `node_modules/`): watching those would rebuild every time.
fn watch_console_sources(web: &Path, schema: &Path) {
    for file in [
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "codegen.ts",
        "tsconfig.json",
    ] {
        println!("cargo:rerun-if-changed={}", web.join(file).display());
    }
    println!("cargo:rerun-if-changed={}", schema.display());
    for dir in ["public"] {
        if web.join(dir).exists() {
            println!("cargo:rerun-if-changed={}", web.join(dir).display());
        }
    }
    let src = web.join("src");
    // Each entry but gql/ (a directory is scanned whole, so src/ itself is not named).
    if let Ok(entries) = std::fs::read_dir(&src) {
        for e in entries.flatten() {
            if e.file_name() != "gql" {
                println!("cargo:rerun-if-changed={}", e.path().display());
            }
        }
    }
}

fn npm() -> Command {
    let mut c = Command::new("npm");
    // Cargo's DEBUG and PROFILE mean other things to Node tools.
    c.env_remove("DEBUG").env_remove("PROFILE");
    c
}

fn run(mut c: Command, what: &str) {
    let status = match c.status() {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => fail(NODE_MISSING),
        Err(e) => fail(&format!("{what}: {e}")),
    };
    if !status.success() {
        fail(&format!(
            "{what} failed ({status}); its output is above (cargo build -vv shows it)"
        ));
    }
}

fn build_console(web: &Path, dist: &Path) {
    if Command::new("node").arg("--version").output().is_err()
        || npm().arg("--version").output().is_err()
    {
        fail(NODE_MISSING);
    }
    // Dependencies: installed when missing or when the lock file is newer than the install.
    let installed = web.join("node_modules/.package-lock.json");
    let stale = match (
        std::fs::metadata(&installed).and_then(|m| m.modified()),
        std::fs::metadata(web.join("package-lock.json")).and_then(|m| m.modified()),
    ) {
        (Ok(i), Ok(l)) => l > i,
        _ => true,
    };
    if stale {
        let mut c = npm();
        c.current_dir(web)
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
        run(c, "npm ci (in web/)");
    }
    // codegen + type check + vite build, into OUT_DIR (vite.config.ts reads the variable).
    let mut c = npm();
    c.current_dir(web)
        .args(["run", "build", "--silent"])
        .env("MUTUALIS_CONSOLE_OUT", dist);
    run(c, "npm run build (in web/)");
    if !dist.join("index.html").is_file() {
        fail("the console build wrote no index.html");
    }
}
