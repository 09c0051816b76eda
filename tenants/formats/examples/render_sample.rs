//! Writes the test fixture (a two-sheet French register) in every format, plus a bundle, to a
//! directory, for checking by hand (LibreOffice, pdftotext, pdftoppm...).
//!
//! `cargo run -p formats --example render_sample -- /tmp/sample`

#[path = "../tests/common/mod.rs"]
mod common;

use formats::{bundle, render, Format, ManifestMeta, TenantRef};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "sample".into()));
    std::fs::create_dir_all(&dir)?;
    let doc = common::document();
    let mut all = Vec::new();
    for format in Format::ALL {
        for file in render(&doc, format)? {
            std::fs::write(dir.join(&file.name), &file.bytes)?;
            println!("{:>9} bytes  {}", file.bytes.len(), file.name);
            all.push(file);
        }
    }
    let meta = ManifestMeta {
        software_version: env!("CARGO_PKG_VERSION").into(),
        generated_at: doc.generated_at,
        principal: "dpo@exemple.fr".into(),
        tenants: vec![TenantRef {
            id: "t-38".into(),
            name: "Saint-Étienne-de-Crossey".into(),
        }],
        purpose: "Exemple".into(),
    };
    let b = bundle(all, meta)?;
    std::fs::write(dir.join("bundle.zip"), &b.zip)?;
    println!(
        "{:>9} bytes  bundle.zip (manifest sha256 {})",
        b.zip.len(),
        b.manifest_sha256
    );
    Ok(())
}
