//! manifest.json: what produced an output folder, so a result can be traced and reproduced.

use std::path::Path;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
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

/// Writes `manifest` as `dir`/manifest.json saying it is not complete, listing the files the
/// command wrote: what its charts and report, which read it, are drawn from. A folder is a
/// command's only when its manifest.json says `complete`: the old manifest is removed before a
/// command writes anything, and the complete one is put in place last, with the charts and
/// report it lists ([`Relisting::completing`]).
pub fn write_manifest(dir: &Path, manifest: &impl FolderManifest) -> Result<(), Error> {
    super::write_atomic(
        &dir.join(files::MANIFEST),
        &manifest_text(manifest, false, &[]),
    )
}

/// `manifest` as manifest.json holds it, saying `complete`, with `more` files (charts, the
/// report) listed after those the command wrote first.
fn manifest_text(manifest: &impl FolderManifest, complete: bool, more: &[String]) -> Vec<u8> {
    let mut m = manifest.clone();
    let (is_complete, files) = m.completion();
    *is_complete = complete;
    files.extend(more.iter().cloned());
    to_json(&m)
}

/// A folder's manifest.json as it is to be once its charts and report are drawn, with `files`
/// listing them, and as it was before: the new text and the old, which
/// [`super::Staging::commit`] puts in place with them (the old put back if they cannot all be),
/// so that no stop leaves charts in place that the manifest does not list (the next command into
/// the folder removes the files it lists).
pub struct Relisting {
    pub(super) old: Vec<u8>,
    pub(super) new: Vec<u8>,
}

impl Relisting {
    /// The manifest a command writes last: `manifest` complete, listing `drawn` (as
    /// [`Relisting::new`] takes them) after the files the command wrote, in place of the one
    /// [`write_manifest`] wrote.
    pub fn completing(manifest: &impl FolderManifest, drawn: &[String]) -> Relisting {
        Relisting {
            old: manifest_text(manifest, false, &[]),
            new: manifest_text(manifest, true, drawn),
        }
    }

    /// `dir`'s manifest with the charts and report it lists (`charts/...`, report.html) replaced
    /// by `drawn` (as [`write_manifest`] lists them: `charts/NAME`, then report.html), after the
    /// files the command wrote, as the command lists them, and saying `complete`: a manifest that
    /// says `"complete": false` is written only once the command's results are (its charts and
    /// report, which failed to be drawn, read it), so with them drawn the folder is complete.
    /// Every other field keeps its text and its place, the timing included, so that only what
    /// `plot` changed changes, and a field this version does not know (a newer version's) stays. `None` where nothing
    /// is to change: a manifest that already lists these, or that lists no file (an older
    /// version's, whose kind of folder is told by the files present: listing the charts alone
    /// would make it a folder of none), or that is not a JSON object.
    pub fn new(dir: &Path, drawn: &[String]) -> Result<Option<Relisting>, Error> {
        let path = dir.join(files::MANIFEST);
        let text = super::read_small_json(&path)
            .map_err(|e| Error::Usage(format!("cannot read {}: {e}", path.display())))?;
        let invalid = |e: serde_json::Error| {
            Error::Usage(format!("{} is not valid JSON: {e}", path.display()))
        };
        let json: serde_json::Value = serde_json::from_str(&text).map_err(invalid)?;
        let listed: Vec<&str> = json
            .get("files")
            .and_then(|f| f.as_array())
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str())
            .collect();
        if listed.is_empty() {
            return Ok(None);
        }
        let is_drawn = |f: &str| {
            f == files::REPORT
                || f.strip_prefix(files::CHARTS_DIR)
                    .is_some_and(|name| name.starts_with('/'))
        };
        let relisted: Vec<String> = listed
            .into_iter()
            .filter(|f| !is_drawn(f))
            .map(str::to_string)
            .chain(drawn.iter().cloned())
            .collect();
        let fields: Fields = serde_json::from_str(&text).map_err(invalid)?;
        let new = to_json(&Relisted {
            fields: &fields.0,
            files: &relisted,
        });
        Ok((new != text.as_bytes()).then(|| Relisting {
            old: text.into_bytes(),
            new,
        }))
    }
}

/// A manifest's fields in their order, each value as its text (serde_json's own map would sort
/// them, and a struct would drop the fields it does not know).
struct Fields<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Fields<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InOrder<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for InOrder<'a> {
            type Value = Fields<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Fields<'a>, M::Error> {
                let mut fields = Vec::new();
                while let Some(field) = map.next_entry()? {
                    fields.push(field);
                }
                Ok(Fields(fields))
            }
        }
        deserializer.deserialize_map(InOrder(std::marker::PhantomData))
    }
}

/// [`Fields`] written back as they were, but for `files`, which lists `files`, and `complete`,
/// which says `true`. Written as pretty JSON by [`to_json`], as every manifest is, each field's
/// text comes out as it went in.
struct Relisted<'a> {
    fields: &'a [(String, &'a RawValue)],
    files: &'a [String],
}

impl Serialize for Relisted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.fields.len()))?;
        for (key, value) in self.fields {
            if key == "files" {
                map.serialize_entry(key, self.files)?;
            } else if key == "complete" {
                map.serialize_entry(key, &true)?;
            } else {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
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
    /// For the window phase alone: how many hours it may run before the tenant is rolled back,
    /// so the weekend chart can mark where the window closes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_hours: Option<f64>,
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
                    window_hours: (p == programme.window()).then_some(phases.window_hours),
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

/// What `--precision` asked of a sweep's cells and what they got, in manifest.json: per
/// target, how many cells met it and which did not (each cell's interval is in summary.csv).
/// Cells, not checks, so that a grid of 100,000 cells keeps a manifest of a few hundred KB.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepPrecision {
    /// The most replications a cell could use (`--reps`).
    pub ceiling: u64,
    /// Whether every target was met in every cell.
    pub met: bool,
    pub targets: Vec<CellsMet>,
}

/// One `--precision` target over a sweep's cells.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CellsMet {
    pub metric: String,
    pub relative: f64,
    pub cells_met: u64,
    /// The cells that reached the ceiling without meeting it, in order.
    pub cells_not_met: Vec<usize>,
}

impl SweepPrecision {
    /// The record of a sweep with `precision`'s targets (`None` without any), to which each
    /// cell's checks are then [`add`](Self::add)ed.
    pub fn new(precision: &Precision, ceiling: u64) -> Option<Self> {
        (!precision.is_empty()).then(|| SweepPrecision {
            ceiling,
            met: true,
            targets: precision
                .targets
                .iter()
                .map(|t| CellsMet {
                    metric: t.metric.to_string(),
                    relative: t.relative,
                    cells_met: 0,
                    cells_not_met: Vec::new(),
                })
                .collect(),
        })
    }

    /// Adds cell `cell`, which used `replications` and whose values, read back from its file,
    /// give `checks` (one per target, in order). A cell that stopped below the ceiling met every
    /// target (that is why it stopped; its file is refused otherwise).
    pub fn add(&mut self, cell: usize, replications: u64, checks: &[TargetCheck]) {
        for (target, check) in self.targets.iter_mut().zip(checks) {
            if replications < self.ceiling || check.met_as_read_back() {
                target.cells_met += 1;
            } else {
                target.cells_not_met.push(cell);
                self.met = false;
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A manifest as an older or newer version may have written it: fields in an order of their
    /// own, one this version does not know (`future`, its keys not in alphabetical order).
    const WRITTEN: &str = r#"{
  "version": "9.9.9",
  "complete": true,
  "future": {
    "z": [
      1,
      2.5
    ],
    "a": "\u001b"
  },
  "wall_seconds": 0.123456789,
  "files": [
    "replications.csv",
    "charts/old.png",
    "report.html",
    "summary.csv"
  ],
  "phases": []
}
"#;

    fn relisted(text: &str, drawn: &[&str]) -> Option<String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(files::MANIFEST), text).unwrap();
        let drawn: Vec<String> = drawn.iter().map(|f| f.to_string()).collect();
        Relisting::new(dir.path(), &drawn)
            .unwrap()
            .map(|r| String::from_utf8(r.new).unwrap())
    }

    #[test]
    fn only_the_charts_and_report_listed_change_and_every_other_byte_stays() {
        let new = relisted(WRITTEN, &["charts/a.png", "charts/a.svg", "report.html"]).unwrap();
        let expected = WRITTEN.replace(
            "    \"replications.csv\",\n    \"charts/old.png\",\n    \"report.html\",\n    \"summary.csv\"\n",
            "    \"replications.csv\",\n    \"summary.csv\",\n    \"charts/a.png\",\n    \"charts/a.svg\",\n    \"report.html\"\n",
        );
        assert_ne!(expected, WRITTEN);
        assert_eq!(new, expected);
        // Nothing to change: none.
        assert_eq!(
            relisted(&new, &["charts/a.png", "charts/a.svg", "report.html"]),
            None
        );
    }

    /// A manifest written as every manifest is ([`to_json`]) comes back byte for byte.
    #[test]
    fn a_manifest_as_written_is_read_back_to_the_same_bytes() {
        let manifest = serde_json::json!({
            "complete": true,
            "files": ["comparison.csv", "report.html"],
            "grid": {"cells": [{"x": 1e300, "y": -0.1}], "keys": ["k\"ey"]},
            "study": null,
        });
        let text = String::from_utf8(to_json(&manifest)).unwrap();
        assert_eq!(relisted(&text, &["report.html"]), None);
        let drawn = relisted(&text, &["charts/c.svg", "report.html"]).unwrap();
        assert_eq!(
            drawn,
            text.replace(
                "    \"report.html\"",
                "    \"charts/c.svg\",\n    \"report.html\""
            )
        );
    }

    /// A manifest saying `"complete": false`, written once the results were but before the
    /// charts and report could be drawn, says `complete` once they are, and nothing else changes.
    #[test]
    fn a_folder_whose_charts_failed_is_complete_once_they_are_drawn() {
        let unfinished = WRITTEN.replace("\"complete\": true", "\"complete\": false");
        assert_ne!(unfinished, WRITTEN);
        let listed = ["charts/old.png", "report.html"];
        assert_eq!(
            relisted(&unfinished, &listed).unwrap(),
            relisted(WRITTEN, &listed).unwrap()
        );
        // Listing the same files, it still changes, to say complete.
        let drawn = relisted(WRITTEN, &listed).unwrap();
        let undrawn = drawn.replace("\"complete\": true", "\"complete\": false");
        assert_eq!(relisted(&undrawn, &listed).unwrap(), drawn);
    }

    /// A manifest that lists no file (an older version's: its kind of folder is told by the
    /// files present), or is no object, is left alone.
    #[test]
    fn a_manifest_listing_no_file_is_left_as_it_is() {
        for text in [
            "{\"version\": \"0.0.1\"}\n",
            "{\"files\": []}",
            "[]",
            "{\"files\": 3}",
        ] {
            assert_eq!(
                relisted(text, &["charts/a.png", "report.html"]),
                None,
                "{text}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(files::MANIFEST), "{").unwrap();
        let error = Relisting::new(dir.path(), &[]).err().unwrap().to_string();
        assert!(error.contains("manifest.json is not valid JSON"), "{error}");
    }
}
