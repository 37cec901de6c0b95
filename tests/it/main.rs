//! Integration tests: one binary, modules named by the behaviour they check.
//!
//! Every test that touches files works in its own temporary folder; the scenarios are small so the
//! whole suite stays fast in a debug build.

mod bad_input;
mod chat;
mod cli;
mod common;
mod determinism;
mod erlang_c;
mod model_behaviour;
mod operators;
mod policies;
mod scenario_files;
mod scenarios;
mod sweep;
