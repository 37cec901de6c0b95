//! manifest.json: what produced an output folder, so a result can be traced and reproduced.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The record of one run. Everything but `threads` and `wall_seconds` is determined by the inputs.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    pub version: String,
    pub scenario: String,
    pub scenario_sha256: String,
    pub policy: String,
    pub seed: u64,
    /// The programme's first day and its deadline (ISO dates), for charts.
    pub start: String,
    pub deadline: String,
    pub replications: u64,
    pub detail_replication: Option<u64>,
    pub threads: usize,
    pub command: Vec<String>,
    pub events: u64,
    pub wall_seconds: f64,
    pub files: Vec<String>,
}

impl Manifest {
    pub fn sha256_hex(text: &str) -> String {
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a manifest always serialises");
        bytes.push(b'\n');
        bytes
    }
}
