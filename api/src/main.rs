use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = api::cli::Cli::parse();
    let outcome = api::cli::run(cli).await;
    // The exporter's last batch, sent off the async runtime (its client blocks).
    let _ = tokio::task::spawn_blocking(api::telemetry::flush_traces).await;
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mutualis: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
