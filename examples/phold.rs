//! PHOLD, the standard benchmark of discrete-event kernels, on cutover's engine.
//!
//! ```text
//! cargo run --release --example phold -- --lps 10000 --end 100000
//! events=997946 wall_s=0.029393 events_per_s=33951801
//! ```
//!
//! `benches/peer/run.sh` runs the same model in SimPy with the same flags and prints the ratio.

#[path = "phold/model.rs"]
mod model;

use std::time::Instant;

use clap::Parser;

/// PHOLD: N logical processes, each event schedules one more, to a random LP with probability
/// `remote`. Times are integer ticks.
#[derive(Parser, Debug)]
struct Args {
    /// Logical processes (each holds one pending event).
    #[arg(long, default_value_t = 10_000)]
    lps: u32,
    /// Simulated end time in ticks: events at or after it are not processed.
    #[arg(long, default_value_t = 100_000)]
    end: u64,
    /// Mean delay in ticks between an event and the one it schedules.
    #[arg(long, default_value_t = 1_000)]
    mean: u64,
    /// Minimum delay in ticks (must be below --mean).
    #[arg(long, default_value_t = 100)]
    lookahead: u64,
    /// Probability that an event goes to a random LP instead of its own.
    #[arg(long, default_value_t = 0.25)]
    remote: f64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() {
    let args = Args::parse();
    if args.lps == 0 || args.mean <= args.lookahead || !(0.0..=1.0).contains(&args.remote) {
        eprintln!("Error: need --lps > 0, --mean > --lookahead and --remote in [0, 1]");
        std::process::exit(2);
    }
    let params = model::Params {
        lps: args.lps,
        end: args.end,
        mean: args.mean,
        lookahead: args.lookahead,
        remote: args.remote,
        seed: args.seed,
    };
    let phold = model::Phold::new(params);
    // Timed from the first event: drawing the LPs' streams is set-up, not kernel work.
    let start = Instant::now();
    let events = phold.run();
    let wall = start.elapsed().as_secs_f64();
    println!(
        "events={events} wall_s={wall:.6} events_per_s={:.0}",
        events as f64 / wall
    );
    // The count is a check on the kernel, not only a speed: every event schedules exactly one
    // more, so the rate is `lps / mean` per tick whatever the queue does.
    let expected = params.expected_events();
    if expected >= 10_000.0 {
        let ratio = events as f64 / expected;
        assert!(
            (0.95..1.05).contains(&ratio),
            "processed {events} events, expected about {expected:.0}"
        );
    }
}
