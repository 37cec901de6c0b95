//! A run is a pure function of (scenario, seed): the thread count never changes a byte of the CSV
//! output, the same seed repeats it, and another seed changes it.

use std::path::Path;

use serde_json::Value;

use crate::common::{SMALL_SCENARIO, assert_success, cutover, temp_dir, write_file};

const CSV_FILES: [&str; 5] = [
    "replications.csv",
    "summary.csv",
    "tenants.csv",
    "batches.csv",
    "timeseries.csv",
];

/// Runs the small scenario into `dir/out` with the extra `args`; returns the output folder.
fn run(dir: &Path, scenario: &str, out: &str, args: &[&str]) -> std::path::PathBuf {
    let out_dir = dir.join(out);
    let mut all = vec![
        "run",
        scenario,
        "--reps",
        "6",
        "--quiet",
        "--out",
        out_dir.to_str().expect("UTF-8 path"),
    ];
    all.extend_from_slice(args);
    assert_success(&cutover(dir, &all));
    out_dir
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file} in {}: {e}", dir.display()))
}

fn manifest(dir: &Path) -> serde_json::Map<String, Value> {
    match serde_json::from_slice(&read(dir, "manifest.json")).expect("manifest.json is JSON") {
        Value::Object(map) => map,
        other => panic!("manifest.json is not an object: {other}"),
    }
}

/// The recorded command line without the flags that were meant to differ.
fn command_without(value: &Value, flags: &[&str]) -> Vec<String> {
    let args: Vec<String> = value
        .as_array()
        .expect("command is a list")
        .iter()
        .map(|a| a.as_str().expect("arguments are strings").to_string())
        .collect();
    let mut kept = Vec::new();
    let mut skip_value = false;
    // The program path is the same binary either way; compare from the subcommand on.
    for a in args.into_iter().skip(1) {
        if skip_value {
            skip_value = false;
        } else if flags.contains(&a.as_str()) {
            skip_value = true;
        } else {
            kept.push(a);
        }
    }
    kept
}

#[test]
fn thread_count_changes_no_byte_of_the_results() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let one = run(dir.path(), &scenario, "one", &["--threads", "1"]);
    let two = run(dir.path(), &scenario, "two", &["--threads", "2"]);
    for file in CSV_FILES {
        let (a, b) = (read(&one, file), read(&two, file));
        assert!(a.len() > 100, "{file} is nearly empty");
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
    let (a, b) = (manifest(&one), manifest(&two));
    assert_eq!(a["threads"], 1);
    assert_eq!(b["threads"], 2);
    let keys: Vec<&String> = a.keys().collect();
    assert_eq!(keys, b.keys().collect::<Vec<_>>(), "same manifest keys");
    for key in keys {
        match key.as_str() {
            "threads" | "wall_seconds" => {}
            // The command line differs in exactly the flags we changed.
            "command" => assert_eq!(
                command_without(&a[key], &["--threads", "--out"]),
                command_without(&b[key], &["--threads", "--out"]),
                "manifest command"
            ),
            _ => assert_eq!(a[key], b[key], "manifest field `{key}`"),
        }
    }
}

#[test]
fn same_seed_repeats_and_another_seed_differs() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let first = run(
        dir.path(),
        &scenario,
        "first",
        &["--seed", "99", "--threads", "2"],
    );
    let again = run(
        dir.path(),
        &scenario,
        "again",
        &["--seed", "99", "--threads", "2"],
    );
    let other = run(
        dir.path(),
        &scenario,
        "other",
        &["--seed", "100", "--threads", "2"],
    );
    for file in CSV_FILES {
        assert!(
            read(&first, file) == read(&again, file),
            "{file} differs for the same seed"
        );
    }
    assert_eq!(manifest(&first)["seed"], 99);
    assert_eq!(manifest(&other)["seed"], 100);
    assert!(
        read(&first, "replications.csv") != read(&other, "replications.csv"),
        "a different seed gave the same replications"
    );
}
