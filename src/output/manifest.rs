//! manifest.json: what produced an output folder, so a result can be traced and reproduced.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::scenario::{Phases, Scenario, offset_label};
use crate::study::precision::{Precision, TargetCheck};

/// The record of one run. Everything but `threads` and `wall_seconds` is determined by the inputs.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    pub version: String,
    /// Whether every file listed is written. A folder is one run's only when its manifest.json
    /// says `true`: the old manifest is removed before a run writes anything, and this one is
    /// written last (`false` only while the charts, which read it, are drawn).
    pub complete: bool,
    pub scenario: String,
    /// The scenario's `description`: the question it asks, for the report.
    pub description: String,
    /// The effective scenario's hash: see [`Manifest::scenario_sha256`].
    pub scenario_sha256: String,
    /// Every `--set` given, in order; they are part of the scenario that ran.
    pub overrides: Vec<String>,
    pub policy: String,
    /// Each policy's full definition: a declared one as written, a built-in one as its
    /// declarative form.
    pub policies: Vec<crate::policy::Definition>,
    pub seed: u64,
    /// The programme's first day and its deadline (ISO dates), for charts.
    pub start: String,
    pub deadline: String,
    /// Replications run (per policy of a comparison).
    pub replications: u64,
    /// With `--precision`: the targets, the ceiling and how each ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<PrecisionRecord>,
    /// For a study (select, seek): what it was asked and how it ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub study: Option<serde_json::Value>,
    pub detail_replication: Option<u64>,
    pub threads: usize,
    pub command: Vec<String>,
    pub events: u64,
    pub wall_seconds: f64,
    pub files: Vec<String>,
    /// The programme's phases in order, with their offsets from T, so charts drawn from the
    /// files alone label them as the scenario set them.
    pub phases: Vec<PhaseStart>,
}

/// One phase as the manifest records it.
#[derive(Clone, Debug, Serialize)]
pub struct PhaseStart {
    /// Its column in timeseries.csv and its name in spans.csv and tenants.csv.
    pub key: String,
    pub name: String,
    /// Hours from T at which it starts; absent for the first phase, where tenants wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_hours: Option<f64>,
    /// The offset as charts show it (`T-60`, `T`, `T+48h`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<String>,
    /// Whether spans.csv records it (the weekend phases, from the copy phase on).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub spans: bool,
}

impl PhaseStart {
    /// Every phase of a scenario's programme, in order.
    pub fn all(phases: &Phases) -> Vec<PhaseStart> {
        let programme = &phases.programme;
        programme
            .phases()
            .map(|p| {
                let start_hours = phases.start_hours(p);
                PhaseStart {
                    key: programme.key(p).to_string(),
                    name: programme.name(p).to_string(),
                    start_hours,
                    offset: start_hours.map(offset_label),
                    spans: programme.span_index(p).is_some(),
                }
            })
            .collect()
    }
}

/// What `--precision` asked and what it got, in manifest.json.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrecisionRecord {
    /// The most replications the run could use (`--reps`).
    pub ceiling: u64,
    /// Whether every target was met before the ceiling.
    pub met: bool,
    pub checks: Vec<TargetCheck>,
}

impl PrecisionRecord {
    /// The record of a run with `precision`'s targets (`None` without any).
    pub fn new(precision: &Precision, ceiling: u64, checks: Vec<TargetCheck>) -> Option<Self> {
        (!precision.is_empty()).then(|| PrecisionRecord {
            ceiling,
            met: checks.iter().all(|c| c.met),
            checks,
        })
    }
}

impl Manifest {
    /// The fields of a manifest that `scenario` (with `overrides` applied) and the policies
    /// named fix; the command fills in what it ran, by struct update.
    pub fn of(scenario: &Scenario, overrides: &[String], policies: &[String]) -> Manifest {
        Manifest {
            version: env!("CARGO_PKG_VERSION").to_string(),
            complete: false,
            scenario: scenario.name.clone(),
            description: scenario.description.clone(),
            scenario_sha256: Manifest::scenario_sha256(&scenario.source_text, overrides),
            overrides: overrides.to_vec(),
            policy: policies.join(","),
            policies: policies
                .iter()
                .filter_map(|name| scenario.policy_definition(name))
                .collect(),
            seed: scenario.seed,
            start: scenario.calendar.start.to_string(),
            deadline: scenario.calendar.deadline.to_string(),
            replications: 0,
            precision: None,
            study: None,
            detail_replication: None,
            threads: 0,
            command: Vec::new(),
            events: 0,
            wall_seconds: 0.0,
            files: Vec::new(),
            phases: PhaseStart::all(&scenario.phases),
        }
    }

    pub fn sha256_hex(text: &str) -> String {
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The hash of the scenario that actually ran: its file's text, followed by one line
    /// `--set KEY=VALUE` per override in the order given. Without overrides it is the hash of the
    /// file alone, so `sha256sum` of the file checks it.
    pub fn scenario_sha256(text: &str, overrides: &[String]) -> String {
        let mut effective = text.to_string();
        for o in overrides {
            if !effective.is_empty() && !effective.ends_with('\n') {
                effective.push('\n');
            }
            effective.push_str("--set ");
            effective.push_str(o);
            effective.push('\n');
        }
        Manifest::sha256_hex(&effective)
    }

    /// The default output folder of a command on scenario `name`: `output/<name><suffix>`, and
    /// with overrides `output/<name><suffix>-<8 hex digits of their hash>`, so a run with `--set`
    /// never replaces the results of the scenario as written.
    pub fn default_out(name: &str, suffix: &str, overrides: &[String]) -> std::path::PathBuf {
        let folder = if overrides.is_empty() {
            format!("{name}{suffix}")
        } else {
            let hash = Manifest::sha256_hex(&overrides.join("\n"));
            format!("{name}{suffix}-{}", &hash[..8])
        };
        std::path::Path::new("output").join(folder)
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a manifest always serialises");
        bytes.push(b'\n');
        bytes
    }
}
