//! cutover: a seeded discrete-event simulator of tenant transition weekends.
//!
//! A provider moves thousands of customer tenants from BPOS to Office 365, a batch per weekend,
//! through the phases Pre-Approval, PrimaryPrep (T-60), SecondaryPrep (T-30), Approval (T-14),
//! Pre-Stage (T-7), Lock (T-1), DataUpgrade (T) and Finalize (T+48h). This crate simulates such a
//! programme from a scenario file and reports how many tenants make the deadline, how many slip,
//! and how busy the operators are.
//!
//! ```
//! use cutover::scenario::Scenario;
//!
//! let scenario = Scenario::from_text(
//!     "name = \"tiny\"\n[population]\ntenants = 50\n",
//!     "tiny.toml",
//!     &["batching.max_tenants=25".to_string()],
//! )
//! .expect("a valid scenario");
//! let policy = cutover::policy::by_name(&scenario.batching.policy).unwrap();
//! let result = cutover::model::simulate(&scenario, policy.as_ref(), 0, false);
//! assert_eq!(result.metrics.tenants, 50);
//! assert!(result.metrics.transitioned <= 50);
//! ```
//!
//! Layout: [`engine`] is the generic kernel, [`model`] one replication, [`policy`] batch
//! policies, [`scenario`] input, [`sweep`] parallel replications, [`stats`] statistics, [`output`]
//! files, [`slurm`] sweeps as Slurm jobs. See ARCHITECTURE.md.

/// Prints a line to standard output for a person reading the screen. A standard output closed
/// early (`cutover run | head -3`) is not the command's failure: the files are what it makes, so
/// the line is dropped and the command finishes its work, where `println!` would panic. The line
/// often names a folder or a scenario as given, so its control characters are escaped
/// ([`printable`]).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stdout(),
            "{}",
            $crate::error::printable(&format!($($arg)*))
        );
    }};
}

/// `say!` on standard error, for what is not a result (an error, a wait, what a stop leaves). A
/// standard error that is gone (a closed terminal, SIGHUP's usual cause) loses the line and the
/// command goes on, where `eprintln!` would panic (exit 101).
macro_rules! tell {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            $crate::error::printable(&format!($($arg)*))
        );
    }};
}

/// `say!`, the line wrapped at spaces within 80 columns ([`cli::wrap`]): for a sentence that
/// may be longer than a terminal is wide.
macro_rules! say_wrapped {
    ($($arg:tt)*) => {{
        say!("{}", $crate::cli::wrap(&format!($($arg)*)));
    }};
}

pub mod chart;
pub mod cli;
pub mod compare;
pub mod date;
pub mod engine;
mod error;
pub mod files;
pub mod model;
pub mod output;
pub mod phase;
pub mod policy;
pub mod report;
pub mod scenario;
pub mod slurm;
pub mod stats;
pub mod study;
pub mod sweep;

pub use error::{Error, Kept, Signal, Stage, printable};
