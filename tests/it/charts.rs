//! Charts: `run`, `compare` and `sweep` draw theirs after writing their CSV files, `--no-charts`
//! draws none, and `cutover plot DIR` redraws a folder's charts from its files alone.

use std::path::Path;

use crate::common::{
    SMALL_SCENARIO, assert_bad_input, assert_success, cutover, set_cell, temp_dir, write_file,
};

const RUN_CHARTS: [&str; 8] = [
    "phases",
    "completion",
    "weekend",
    "operators",
    "helpdesk",
    "islands",
    "slips",
    "causes",
];

/// Decodes a PNG and counts the pixels that are not white.
fn inked_pixels(path: &Path) -> usize {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = png::Decoder::new(bytes.as_slice())
        .read_info()
        .expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).expect("one frame");
    assert_eq!((info.width, info.height), (1200, 700), "{}", path.display());
    let channels = info.color_type.samples();
    pixels[..info.buffer_size()]
        .chunks_exact(channels)
        .filter(|p| p.iter().take(3).any(|c| *c != 255))
        .count()
}

fn svg(dir: &Path, name: &str) -> String {
    let path = dir.join("charts").join(format!("{name}.svg"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every named chart is there in both formats, its PNG not blank.
fn assert_charts(dir: &Path, names: &[&str]) {
    for name in names {
        let png = dir.join("charts").join(format!("{name}.png"));
        let inked = inked_pixels(&png);
        assert!(
            inked > 20_000,
            "{} is nearly blank ({inked} pixels)",
            png.display()
        );
        assert!(svg(dir, name).contains("<text"), "{name}.svg has no text");
    }
}

fn csv_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn run_draws_every_chart_with_its_title_and_axes() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let out = cutover(
        dir.path(),
        &["run", &scenario, "--reps", "2", "--out", "out"],
    );
    assert_success(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("8 charts"), "{stdout}");
    let folder = dir.path().join("out");
    assert_charts(&folder, &RUN_CHARTS);
    let expected: [(&str, &[&str]); 7] = [
        (
            "phases",
            &[
                "small: tenants per phase",
                "date",
                "tenants",
                "Pre-Approval",
            ],
        ),
        (
            "completion",
            &[
                "small: tenants transitioned",
                "mean of 2 replications",
                "deadline",
            ],
        ),
        (
            "weekend",
            &[
                "small: busiest weekend",
                "Pre-Stage (T-7)",
                "Lock, DataUpgrade, Finalize",
                "tenant",
            ],
        ),
        (
            "operators",
            &[
                "small: operators over the busiest weekend",
                "errors outstanding",
                "operators on duty",
            ],
        ),
        (
            "helpdesk",
            &[
                "small: help desk in the week after the busiest weekend",
                "tickets waiting",
                "agents on duty",
            ],
        ),
        (
            "islands",
            &[
                "small: chat islands",
                "days from T (service upgrade weekend)",
            ],
        ),
        (
            "slips",
            &[
                "small: slips per replication",
                "slips per replication (rollbacks)",
            ],
        ),
    ];
    for (name, texts) in expected {
        let text = svg(&folder, name);
        for t in texts {
            assert!(text.contains(t), "{name}.svg lacks `{t}`");
        }
    }
}

#[test]
fn no_charts_leaves_no_chart_folder_and_plot_draws_them_later() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let out = cutover(
        dir.path(),
        &[
            "run",
            &scenario,
            "--reps",
            "1",
            "--out",
            "out",
            "--no-charts",
            "--quiet",
        ],
    );
    assert_success(&out);
    assert!(out.stdout.is_empty(), "--quiet printed {:?}", out.stdout);
    let folder = dir.path().join("out");
    assert!(!folder.join("charts").exists());
    let before = csv_files(&folder);

    let plot = cutover(dir.path(), &["plot", "out"]);
    assert_success(&plot);
    assert_charts(&folder, &RUN_CHARTS);
    assert_eq!(csv_files(&folder), before, "plot changed a CSV file");

    // The same data gives the same charts, byte for byte; `-q` prints nothing.
    let first = std::fs::read(folder.join("charts/weekend.png")).unwrap();
    let quiet = cutover(dir.path(), &["plot", "out", "-q"]);
    assert_success(&quiet);
    assert!(
        quiet.stdout.is_empty(),
        "plot -q printed {:?}",
        quiet.stdout
    );
    assert_eq!(
        std::fs::read(folder.join("charts/weekend.png")).unwrap(),
        first
    );
}

/// The files `folder`'s manifest.json lists, and its text without the lines of that list.
fn manifest_files(folder: &Path) -> (Vec<String>, String) {
    let text = std::fs::read_to_string(folder.join("manifest.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let files = json["files"]
        .as_array()
        .expect("a list of files")
        .iter()
        .map(|f| f.as_str().expect("a file name").to_string())
        .collect();
    let mut listing = false;
    let mut rest = String::new();
    for line in text.split_inclusive('\n') {
        if line.starts_with("  \"files\": [") {
            listing = true;
        } else if listing {
            listing = !line.starts_with("  ]");
        } else {
            rest.push_str(line);
        }
    }
    (files, rest)
}

/// `plot` of a folder written with `--no-charts` lists the charts it draws in manifest.json, as
/// the command would have: every file listed is there, and every chart there is listed, so the
/// next command into the folder, which removes what the manifest lists, removes them. Nothing
/// else of the manifest changes, not a byte: the command, the timing, `complete`, a field this
/// version does not know (a newer one's) in its place. A chart listed that is drawn no more
/// (an older set's) is listed no more. A run's folder and a comparison's.
#[test]
fn plot_lists_the_charts_it_draws_in_the_manifest_and_changes_nothing_else() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let compare = ["compare", &scenario, "--policies", "fifo,smallest-first"];
    let run = ["run", &scenario];
    for (command, charts) in [(&compare[..], 7), (&run[..], RUN_CHARTS.len())] {
        let out = [command, &["--reps", "2", "--out", "o", "--no-charts", "-q"]].concat();
        assert_success(&cutover(dir.path(), &out));
        let folder = dir.path().join("o");
        let path = folder.join("manifest.json");
        // A newer version's field, which this one does not know, between two it does.
        let text = std::fs::read_to_string(&path).unwrap().replacen(
            "  \"seed\": ",
            "  \"future\": {\n    \"z\": [\n      1\n    ],\n    \"a\": null\n  },\n  \"seed\": ",
            1,
        );
        std::fs::write(&path, &text).unwrap();
        let (before, rest) = manifest_files(&folder);
        assert!(
            before.iter().all(|f| !f.starts_with("charts/")),
            "{before:?}"
        );

        assert_success(&cutover(dir.path(), &["plot", "o", "-q"]));
        let (after, after_rest) = manifest_files(&folder);
        assert_eq!(
            after_rest, rest,
            "plot changed more of the manifest than `files`"
        );
        let mut drawn: Vec<String> = std::fs::read_dir(folder.join("charts"))
            .unwrap()
            .map(|e| format!("charts/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
        drawn.sort();
        assert_eq!(drawn.len(), 2 * charts, "{drawn:?}");
        let mut listed: Vec<String> = after
            .iter()
            .filter(|f| f.starts_with("charts/"))
            .cloned()
            .collect();
        listed.sort();
        assert_eq!(listed, drawn, "the charts present are not those listed");
        for file in &after {
            assert!(folder.join(file).is_file(), "{file} is listed but absent");
        }
        let kept: Vec<&String> = after.iter().filter(|f| !f.starts_with("charts/")).collect();
        assert_eq!(
            kept,
            before.iter().collect::<Vec<_>>(),
            "the command's files"
        );

        // An older set's chart, listed but drawn no more, leaves the list; and a plot that
        // changes nothing leaves the manifest as it was, byte for byte.
        let stale = std::fs::read_to_string(&path).unwrap().replacen(
            "  \"files\": [\n",
            "  \"files\": [\n    \"charts/gone.png\",\n",
            1,
        );
        std::fs::write(&path, &stale).unwrap();
        assert_success(&cutover(dir.path(), &["plot", "o", "-q"]));
        assert_eq!(manifest_files(&folder), (after, rest));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_success(&cutover(dir.path(), &["plot", "o", "-q"]));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        std::fs::remove_dir_all(&folder).unwrap();
    }
}

#[test]
fn charts_never_change_the_csv_files() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let args = ["run", scenario.as_str(), "--reps", "2", "--quiet", "--out"];
    assert_success(&cutover(dir.path(), &[&args[..], &["with"]].concat()));
    assert_success(&cutover(
        dir.path(),
        &[&args[..], &["without", "--no-charts"]].concat(),
    ));
    assert_eq!(
        csv_files(&dir.path().join("with")),
        csv_files(&dir.path().join("without"))
    );
}

#[test]
fn plot_of_a_folder_without_its_files_is_bad_input() {
    let dir = temp_dir();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let out = cutover(dir.path(), &["plot", "empty"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("manifest.json"), "{stderr}");

    let out = cutover(dir.path(), &["plot", "nowhere"]);
    assert_eq!(out.status.code(), Some(2));

    // A folder that lacks a result its manifest lists is not plotted, nor marked complete.
    let lacking = dir.path().join("lacking");
    let args = ["run", "small-pilot", "--reps", "1", "-q", "--out"];
    assert_success(&cutover(
        dir.path(),
        &[&args[..], &[lacking.to_str().unwrap()]].concat(),
    ));
    let manifest = lacking.join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let unfinished = text.replace("\"complete\": true", "\"complete\": false");
    std::fs::write(&manifest, &unfinished).unwrap();
    std::fs::remove_file(lacking.join("tenants.csv")).unwrap();
    let out = cutover(dir.path(), &["plot", lacking.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is not whole: its manifest.json lists tenants.csv, which is not there"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), unfinished);

    // A spans.csv with each span twice is refused at the first repeat, not drawn bar by bar.
    let twice = dir.path().join("twice");
    assert_success(&cutover(
        dir.path(),
        &[&args[..], &[twice.to_str().unwrap()]].concat(),
    ));
    let spans = std::fs::read_to_string(twice.join("spans.csv")).unwrap();
    let (header, body) = spans.split_once('\n').unwrap();
    std::fs::write(twice.join("spans.csv"), format!("{header}\n{body}{body}")).unwrap();
    let repeat = body.lines().count() + 2;
    let out = cutover(dir.path(), &["plot", twice.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let named = format!("spans.csv: line {repeat}, column 4 (`phase`): tenant ");
    assert!(
        stderr.contains(&named) && stderr.contains("a second time"),
        "{stderr}"
    );

    // A sweep stopped before its last cell: its grid and cells, no manifest yet.
    std::fs::create_dir_all(dir.path().join("stopped/cells")).unwrap();
    std::fs::write(dir.path().join("stopped/grid.json"), "{}").unwrap();
    let out = cutover(dir.path(), &["plot", "stopped"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("holds an unfinished sweep or study") && stderr.contains("--resume"),
        "{stderr}"
    );

    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let run = [
        "run",
        scenario.as_str(),
        "--reps",
        "1",
        "--out",
        "out",
        "--quiet",
    ];
    assert_success(&cutover(dir.path(), &[&run[..], &["--no-charts"]].concat()));
    std::fs::remove_file(dir.path().join("out/hourly.csv")).unwrap();
    let out = cutover(dir.path(), &["plot", "out"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("hourly.csv"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn compare_draws_a_chart_per_main_metric() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let out = cutover(
        dir.path(),
        &[
            "compare",
            &scenario,
            "--policies",
            "fifo,smallest-first",
            "--reps",
            "2",
            "--out",
            "cmp",
            "--quiet",
        ],
    );
    assert_success(&out);
    let folder = dir.path().join("cmp");
    let names = [
        "compare_transitioned",
        "compare_slips",
        "compare_makespan_days",
    ];
    assert_charts(&folder, &names);
    let text = svg(&folder, "compare_slips");
    assert!(
        text.contains("small: slips (rollbacks) by policy"),
        "{text}"
    );
    assert!(text.contains("difference from fifo") && text.contains("smallest-first"));
}

#[test]
fn sweep_draws_each_metric_against_each_key_and_a_heatmap() {
    let dir = temp_dir();
    let grid = format!(
        "{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, 3]\n\"batching.max_tenants\" = [30, 60]\n"
    );
    let scenario = write_file(dir.path(), "grid.toml", &grid);
    let out = cutover(
        dir.path(),
        &[
            "sweep", &scenario, "--reps", "2", "--out", "grid", "--quiet",
        ],
    );
    assert_success(&out);
    let folder = dir.path().join("grid");
    let names = [
        "slips_by_operators_weekend",
        "slips_by_batching_max_tenants",
        "slips_heatmap",
        "transitioned_by_operators_weekend",
    ];
    assert_charts(&folder, &names);
    let text = svg(&folder, "slips_by_operators_weekend");
    assert!(
        text.contains("small: slips (rollbacks) by operators.weekend"),
        "{text}"
    );
    assert!(text.contains("batching.max_tenants=30"));
    // A shard draws nothing: its folder holds only cell files until the merge.
    let shard = cutover(
        dir.path(),
        &[
            "sweep", &scenario, "--reps", "2", "--out", "shard", "--shard", "1/2", "--quiet",
        ],
    );
    assert_success(&shard);
    assert!(!dir.path().join("shard/charts").exists());
    // Merging the shards draws the whole sweep's charts.
    let other = cutover(
        dir.path(),
        &[
            "sweep", &scenario, "--reps", "2", "--out", "other", "--shard", "2/2", "--quiet",
        ],
    );
    assert_success(&other);
    let merged = cutover(
        dir.path(),
        &["merge", "shard", "other", "--out", "merged", "--quiet"],
    );
    assert_success(&merged);
    assert_charts(&dir.path().join("merged"), &names);
}

/// Every file under `dir` with its bytes, sorted.
fn contents(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    crate::common::files_under(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

/// `plot` never says complete a folder whose files do not add up: a weekly file that is not
/// UTF-8 or has rows of other lengths, or whose weeks or counts are not a calendar's (no chart
/// draws them, but `calibrate --observed` reads their format), completion.csv and
/// timeseries.csv with days out of order or dates that are not their days', spans.csv with a
/// phase that ends before it starts. Each is refused naming file, line and column, and the
/// folder is left as it was.
#[test]
fn plot_refuses_rows_that_do_not_add_up_naming_them() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let run = [
        "run",
        &scenario,
        "--reps",
        "1",
        "--out",
        "out",
        "-q",
        "--no-charts",
    ];
    assert_success(&cutover(dir.path(), &run));
    let out = dir.path().join("out");
    let manifest = out.join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("\"complete\": true", "\"complete\": false"),
    )
    .unwrap();
    // File, line, cell, what is written there, and what plot says.
    let cases = [
        (
            "weekly.csv",
            3,
            1,
            "\u{0}",
            "weekly.csv: line 3, column 1 (`week`)",
        ),
        (
            "weekly.csv",
            3,
            2,
            "2011-09-13",
            "weekly.csv: line 3, column 2 (`week_start`): 2011-09-13 is not 7 days after",
        ),
        ("weekly.csv", 4, 1, "1", "above the row before's 1"),
        (
            "weekly.csv",
            2,
            2,
            "",
            "weekly.csv: line 2, column 2 (`week_start`): an empty cell is not a date",
        ),
        (
            "weekly.csv",
            2,
            3,
            "-1",
            "weekly.csv: line 2, column 3 (`transitioned`): -1 is not a count",
        ),
        (
            "weekly.csv",
            2,
            3,
            "",
            "weekly.csv: line 2, column 3 (`transitioned`): an empty cell is not a count",
        ),
        (
            "weekly.csv",
            3,
            1,
            "",
            "weekly.csv: line 3, column 1 (`week`): an empty cell is not a whole number above",
        ),
        ("weekly_detail.csv", 2, 3, "1,2", "found record with"),
        (
            "completion.csv",
            5,
            1,
            "abc",
            "completion.csv: line 5, column 1 (`day`)",
        ),
        (
            "completion.csv",
            5,
            2,
            "2011-02-30",
            "completion.csv: line 5, column 2 (`date`)",
        ),
        (
            "timeseries.csv",
            3,
            1,
            "2914000",
            "timeseries.csv: line 3, column 2 (`date`): 2011-09-06 is not 2914000 days after",
        ),
        (
            "spans.csv",
            2,
            6,
            "2000-01-01T00:00",
            "spans.csv: line 2, column 6 (`end`): it is before the phase's start",
        ),
    ];
    for (name, line, cell, value, says) in cases {
        let written = set_cell(&out.join(name), line, cell, value);
        let before = contents(&out);
        assert_bad_input(&cutover(dir.path(), &["plot", "out"]), &[says]);
        assert_eq!(contents(&out), before, "{says}");
        std::fs::write(out.join(name), written).unwrap();
    }
    assert_success(&cutover(dir.path(), &["plot", "out", "-q"]));
    assert!(
        std::fs::read_to_string(&manifest)
            .unwrap()
            .contains("\"complete\": true")
    );
}

/// `plot` holds each data file of a folder to the kind its manifest names: a file of another
/// command's folder put in it (a run's replications.csv in a sweep's folder, a comparison's
/// comparison.csv or replications.csv in a run's, a seek's seek.csv copied in as selection.csv)
/// is refused before anything is drawn, naming the file, line 1 and what was expected, and the
/// folder is left as it was.
#[test]
fn plot_refuses_a_data_file_of_another_kind_of_folder_naming_it() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let grid = format!("{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, 3]\n");
    let grid = write_file(dir.path(), "grid.toml", &grid);
    let policies = ["--policies", "fifo,smallest-first"];
    let seek = [
        "--vary",
        "operators.weekend=1..2",
        "--require",
        "mean(slips) <= 1000",
    ];
    let commands: [Vec<&str>; 4] = [
        vec!["run", &scenario, "--no-charts"],
        [&["compare", &scenario, "--no-charts"][..], &policies].concat(),
        vec!["sweep", &grid, "--no-charts"],
        [&["seek", &scenario][..], &seek].concat(),
    ];
    for (args, out) in commands.iter().zip(["run", "cmp", "grid", "seek"]) {
        let rest = ["--reps", "2", "--out", out, "-q"];
        assert_success(&cutover(dir.path(), &[&args[..], &rest].concat()));
    }
    let path = |p: &str| dir.path().join(p);
    let copy = |from: &str, to: &str| {
        std::fs::copy(path(from), path(to)).unwrap();
    };
    let refused = |folder: &str, needles: &[&str]| {
        let before = contents(&path(folder));
        assert_bad_input(&cutover(dir.path(), &["plot", folder]), needles);
        assert_eq!(contents(&path(folder)), before, "plot changed {folder}");
    };
    copy("run/replications.csv", "grid/replications.csv");
    refused(
        "grid",
        &[
            "grid/replications.csv, line 1",
            "a sweep's replications.csv",
            "it begins `replication,seed,tenants,transitioned`, where it should begin `cell,operators.weekend,replication,seed`",
        ],
    );
    copy("cmp/comparison.csv", "run/comparison.csv");
    refused(
        "run",
        &[
            "run/comparison.csv, line 1",
            "a run folder (so its manifest says) holds no comparison.csv",
        ],
    );
    std::fs::remove_file(path("run/comparison.csv")).unwrap();
    copy("cmp/replications.csv", "run/replications.csv");
    refused(
        "run",
        &[
            "run/replications.csv, line 1",
            "a run's replications.csv",
            "it begins `policy,replication`, where it should begin `replication,seed`",
        ],
    );
    copy("seek/seek.csv", "seek/selection.csv");
    refused(
        "seek",
        &[
            "seek/selection.csv, line 1",
            "a seek study folder (so its manifest says) holds no selection.csv, only seek.csv",
        ],
    );
}

/// A swept key holding a work kind's long name (a programme's own kinds are named by the
/// scenario) still names charts within the 255 bytes a file name can have: the chart
/// `transitioned_by_workitems_<230 characters>_...` could not be written, and the sweep failed
/// (exit 2, `complete: false`) once every cell had run. The report still names the key.
#[test]
fn a_long_swept_key_names_charts_a_file_system_can_hold() {
    let dir = temp_dir();
    let kind = "u".repeat(230);
    let t2t = include_str!("../../scenarios/tenant-to-tenant.toml").replace("user_notice", &kind);
    let s = write_file(dir.path(), "t2t.toml", &t2t);
    let axis = format!("sweep.workitems.{kind}.hard_failure_probability=[0.01, 0.02]");
    let args = [
        "sweep",
        &s,
        "--set",
        &axis,
        "--set",
        "population.tenants=20",
        "--reps",
        "1",
    ];
    let out = cutover(dir.path(), &[&args[..], &["--out", "o", "-q"]].concat());
    assert_success(&out);
    let charts: Vec<String> = std::fs::read_dir(dir.path().join("o/charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        charts
            .iter()
            .any(|c| c.starts_with("transitioned_by_workitems_uuu")),
        "{charts:?}"
    );
    assert!(charts.iter().all(|c| c.len() < 200), "{charts:?}");
    let report = std::fs::read_to_string(dir.path().join("o/report.html")).unwrap();
    assert!(report.contains(&format!("workitems.{kind}.hard_failure_probability")));
}

/// Two swept keys whose file-name forms agree (work kinds `mail-sync` and `mail_sync`) each
/// keep their own charts: one key's replaced the other's, and the manifest listed the file
/// left twice. The report's captions name each key.
#[test]
fn keys_alike_in_file_names_keep_their_own_charts() {
    let dir = temp_dir();
    let t2t = include_str!("../../scenarios/tenant-to-tenant.toml")
        .replace("user_notice", "mail-sync")
        .replace("mailbox_presync", "mail_sync");
    let s = write_file(dir.path(), "t2t.toml", &t2t);
    let args = [
        "sweep",
        &s,
        "--set",
        "sweep.workitems.mail-sync.hard_failure_probability=[0.01, 0.02]",
        "--set",
        "sweep.workitems.mail_sync.hard_failure_probability=[0.01, 0.03]",
        "--set",
        "population.tenants=20",
        "--reps",
        "1",
        "--out",
        "o",
        "-q",
    ];
    assert_success(&cutover(dir.path(), &args));
    let by_key: Vec<String> = std::fs::read_dir(dir.path().join("o/charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|c| c.starts_with("slips_by_") && c.ends_with(".png"))
        .collect();
    assert_eq!(by_key.len(), 2, "{by_key:?}");
    let manifest = std::fs::read_to_string(dir.path().join("o/manifest.json")).unwrap();
    assert_eq!(manifest.matches(&by_key[0]).count(), 1, "{manifest}");
    let report = std::fs::read_to_string(dir.path().join("o/report.html")).unwrap();
    for key in ["mail-sync", "mail_sync"] {
        let caption = format!("against <code>workitems.{key}.hard_failure_probability</code>");
        assert!(report.contains(&caption), "{caption}");
    }
}
