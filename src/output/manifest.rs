//! manifest.json: what produced an output folder, so a result can be traced and reproduced.

use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::files;
use crate::policy::Definition;
use crate::scenario::{Phases, Scenario, offset_label};
use crate::study::precision::{Precision, TargetCheck};

/// A folder's manifest.json, of whatever kind (a run's, a sweep's, a study's): each says whether
/// the folder is complete and lists its files, and is written by [`write_manifest`].
pub trait FolderManifest: Serialize + Clone {
    /// Whether every file listed is written, and the files listed.
    fn completion(&mut self) -> (&mut bool, &mut Vec<String>);
}

/// Writes `manifest` as `dir`/manifest.json, saying `complete`, with `more` files (charts, the
/// report) listed after those the command wrote first. A folder is a command's only when its
/// manifest.json says `complete`: the old manifest is removed before a command writes anything,
/// and this one is written last (`false` only while the charts, which read it, are drawn).
pub fn write_manifest(
    dir: &Path,
    manifest: &impl FolderManifest,
    complete: bool,
    more: &[String],
) -> Result<(), Error> {
    let mut m = manifest.clone();
    let (is_complete, files) = m.completion();
    *is_complete = complete;
    files.extend(more.iter().cloned());
    super::write_atomic(&dir.join(files::MANIFEST), &to_json(&m))
}

/// A manifest as written: pretty JSON and a final line break.
pub fn to_json(manifest: &impl Serialize) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(manifest).expect("a manifest always serialises");
    bytes.push(b'\n');
    bytes
}

/// What every manifest of a scenario's folder begins with: the program, whether the folder is
/// complete, and the scenario as it ran with its policies.
#[derive(Clone, Debug, Serialize)]
pub struct Head {
    pub version: String,
    /// See [`write_manifest`].
    pub complete: bool,
    pub scenario: String,
    /// The scenario's `description`: the question it asks, for the report (recorded by `run`,
    /// `compare`, `select` and `seek`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The effective scenario's hash: see [`Manifest::scenario_sha256`].
    pub scenario_sha256: String,
    /// Every `--set` given, in order; they are part of the scenario that ran.
    pub overrides: Vec<String>,
    /// The policies run, comma-separated.
    pub policy: String,
    /// Each policy's full definition: a declared one as written, a built-in one as its
    /// declarative form.
    pub policies: Vec<Definition>,
}

impl Head {
    /// `scenario` with `overrides` applied, run under the policies named.
    pub fn new(scenario: &Scenario, overrides: &[String], policies: &[String]) -> Head {
        Head {
            version: env!("CARGO_PKG_VERSION").to_string(),
            complete: false,
            scenario: scenario.name.clone(),
            description: Some(scenario.description.clone()),
            scenario_sha256: Manifest::scenario_sha256(&scenario.source_text, overrides),
            overrides: overrides.to_vec(),
            policy: policies.join(","),
            policies: policies
                .iter()
                .filter_map(|name| scenario.policy_definition(name))
                .collect(),
        }
    }

    /// The head of a study that varies `scenario`'s keys under its own batch policy
    /// (sensitivity, calibrate), which records no description.
    pub fn of_study(scenario: &Scenario, overrides: &[String]) -> Head {
        Head {
            description: None,
            ..Head::new(
                scenario,
                overrides,
                std::slice::from_ref(&scenario.batching.policy),
            )
        }
    }
}

/// How a command ran, recorded after what its inputs fixed: threads, the command line, the
/// events simulated, the wall time and the files written.
#[derive(Clone, Debug, Serialize)]
pub struct Execution {
    pub threads: usize,
    pub command: Vec<String>,
    pub events: u64,
    pub wall_seconds: f64,
    pub files: Vec<String>,
}

impl Execution {
    pub fn new(
        threads: usize,
        command: Vec<String>,
        events: u64,
        wall_seconds: f64,
        files: Vec<String>,
    ) -> Execution {
        Execution {
            threads,
            command,
            events,
            wall_seconds,
            files,
        }
    }
}

/// The names of `files` (as [`super::write_files`] takes them), in order.
pub fn file_names(files: &[(&str, Vec<u8>)]) -> Vec<String> {
    files.iter().map(|(name, _)| name.to_string()).collect()
}

/// The record of a run, a comparison or a study of policies (select, seek). Everything but
/// `threads` and `wall_seconds` is determined by the inputs. Built by [`Manifest::run`],
/// [`Manifest::comparison`] or [`Manifest::study`].
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    #[serde(flatten)]
    pub head: Head,
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
    #[serde(flatten)]
    pub ran: Execution,
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

impl FolderManifest for Manifest {
    fn completion(&mut self) -> (&mut bool, &mut Vec<String>) {
        (&mut self.head.complete, &mut self.ran.files)
    }
}

impl Manifest {
    /// A run's: `replications` of `scenario` (with `overrides` applied) under `policy`, with
    /// `--precision` its targets' record, and the detail replication if one was recorded.
    pub fn run(
        scenario: &Scenario,
        overrides: &[String],
        policy: &str,
        replications: u64,
        precision: Option<PrecisionRecord>,
        detail_replication: Option<u64>,
        ran: Execution,
    ) -> Manifest {
        let policies = [policy.to_string()];
        Manifest {
            precision,
            detail_replication,
            ..Manifest::new(scenario, overrides, &policies, replications, ran)
        }
    }

    /// A comparison's: every policy named on the same `replications` each.
    pub fn comparison(
        scenario: &Scenario,
        overrides: &[String],
        policies: &[String],
        replications: u64,
        precision: Option<PrecisionRecord>,
        ran: Execution,
    ) -> Manifest {
        Manifest {
            precision,
            ..Manifest::new(scenario, overrides, policies, replications, ran)
        }
    }

    /// A study's (select, seek): what it was asked and how it ended (`study`, whose `kind` names
    /// it), and the replications it ran in all.
    pub fn study(
        scenario: &Scenario,
        overrides: &[String],
        policies: &[String],
        replications: u64,
        study: serde_json::Value,
        ran: Execution,
    ) -> Manifest {
        Manifest {
            study: Some(study),
            ..Manifest::new(scenario, overrides, policies, replications, ran)
        }
    }

    /// What every kind has: what `scenario` and the policies fix, and how the command ran.
    fn new(
        scenario: &Scenario,
        overrides: &[String],
        policies: &[String],
        replications: u64,
        ran: Execution,
    ) -> Manifest {
        Manifest {
            head: Head::new(scenario, overrides, policies),
            seed: scenario.seed,
            start: scenario.calendar.start.to_string(),
            deadline: scenario.calendar.deadline.to_string(),
            replications,
            precision: None,
            study: None,
            detail_replication: None,
            ran,
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
}
