//! The generic discrete-event kernel: integer time, a (time, sequence) event queue and seeded random streams.
//!
//! The kernel knows nothing of tenants: the model defines its own small `Copy` event type and drives the
//! loop. Everything here is deterministic; nothing reads a clock, a thread id or the environment.

mod queue;
mod rng;
mod time;

pub use queue::EventQueue;
pub use rng::{CounterRng, StreamKey, Streams, U64Streams};
pub use time::{DAY, HOUR, MINUTE, SECOND, SimTime, WEEK};
