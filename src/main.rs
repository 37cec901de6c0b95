//! The `cutover` binary: parse the command line, call the library, map errors to exit codes.

use std::ffi::OsString;
use std::io::{ErrorKind, Write};
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Arguments as the operating system gave them: a value that is not UTF-8 is clap's to refuse
    // (exit 2; a path's parser, `cli::flag_values::path`, names the argument), never a panic here.
    let args: Vec<OsString> = std::env::args_os().collect();
    let command = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let cli = match cutover::cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => cutover::cli::bounded(e).exit(),
    };
    match cutover::cli::run(cli, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(cutover::Error::Output { source, .. }) if source.kind() == ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            // Not `eprintln!`, which panics (exit 101) when stderr is gone, as it is once the
            // terminal is closed (SIGHUP): the exit code still says what happened.
            let _ = writeln!(
                std::io::stderr(),
                "Error: {}",
                cutover::printable(&format!("{e:#}"))
            );
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
