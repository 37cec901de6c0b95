//! The `cutover` binary: parse the command line, call the library, map errors to exit codes.

use std::io::ErrorKind;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let command: Vec<String> = std::env::args().collect();
    let cli = cutover::cli::Cli::parse();
    match cutover::cli::run(cli, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(cutover::Error::Output { source, .. }) if source.kind() == ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
