//! Integration tests: one binary, modules named by the behaviour they check.
//!
//! Every test that touches files works in its own temporary folder; the scenarios are small so the
//! whole suite stays fast in a debug build.

mod arguments;
mod bad_input;
mod calibrate;
mod causes;
mod charts;
mod chat;
mod cli;
mod common;
mod concurrency;
mod csv_strict;
mod declared_policies;
mod detail_records;
mod determinism;
mod docs;
mod erlang_c;
mod file_modes;
#[cfg(target_os = "linux")]
mod full_disk;
mod golden;
mod helpdesk;
mod interrupt;
mod invariants;
mod legends;
mod limits;
mod messages;
mod model_behaviour;
mod numbers;
mod operators;
mod output_safety;
mod policies;
mod precision;
mod programmes;
mod properties;
mod report;
mod scenario_files;
mod scenarios;
mod seek;
mod select;
mod sensitivity;
mod slurm;
mod statistical_guarantees;
mod sweep;
mod sweep_checks;
