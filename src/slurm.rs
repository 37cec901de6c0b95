//! Slurm: a sweep as a job array of shards and a merge job that runs after them. The job scripts
//! are pure functions of a [`Submission`]; `sbatch --parsable` submits them and `scontrol show
//! job` follows them, which needs no accounting database (`sacct` would).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::files::{SHARDS_DIR, SLURM_DIR};
pub const SHARDS_SCRIPT: &str = "shards.sh";
pub const MERGE_SCRIPT: &str = "merge.sh";
/// What the last submission into a folder was, so `--resume` can tidy up after it.
pub const JOBS_FILE: &str = "jobs.json";

/// How often `--wait` asks the controller about the merge job.
const POLL: Duration = Duration::from_secs(2);

/// Options cutover sets itself: passing them through would break the array or its merge.
const RESERVED: &[(&str, Option<char>)] = &[
    ("--array", Some('a')),
    ("--dependency", Some('d')),
    ("--output", Some('o')),
    ("--job-name", Some('J')),
    ("--parsable", None),
    ("--wrap", None),
];

/// The `--sbatch` options of a submission: the CPUs of each task, and the rest passed through
/// unchanged to both jobs.
#[derive(Clone, Debug, PartialEq)]
pub struct SbatchOptions {
    pub cpus_per_task: u64,
    pub passthrough: Vec<String>,
}

impl SbatchOptions {
    /// Checks the `--sbatch` arguments (one option each, `--name=value` or `-Xvalue`) and takes
    /// out `--cpus-per-task`, which becomes each shard's `--threads` (as `--threads` alone
    /// becomes `--cpus-per-task`); one CPU if neither is given.
    pub fn parse(args: &[String], threads: Option<u64>) -> Result<SbatchOptions, String> {
        let mut cpus = None;
        let mut passthrough = Vec::new();
        for arg in args {
            if !arg.starts_with('-') || arg == "-" || arg == "--" {
                return Err(format!(
                    "--sbatch `{arg}` is not an sbatch option; give one option per --sbatch, e.g. --sbatch=--partition=short"
                ));
            }
            if let Some(bad) = arg
                .chars()
                .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '\'' | '"' | '\\'))
            {
                return Err(format!(
                    "--sbatch `{}` holds {bad:?}, which a #SBATCH line cannot carry; write options as --name=value, one per --sbatch",
                    arg.escape_debug()
                ));
            }
            let name = arg.split('=').next().unwrap_or(arg);
            let short = arg
                .strip_prefix('-')
                .filter(|rest| !rest.starts_with('-'))
                .and_then(|rest| rest.chars().next());
            if let Some((long, _)) = RESERVED
                .iter()
                .find(|(long, s)| *long == name || (short.is_some() && *s == short))
            {
                return Err(format!(
                    "--sbatch `{arg}`: cutover sets {long} itself (the array, its merge and their logs)"
                ));
            }
            let value = if name == "--cpus-per-task" {
                Some(arg.split_once('=').map_or("", |(_, v)| v))
            } else if short == Some('c') {
                Some(arg[2..].trim_start_matches('='))
            } else {
                None
            };
            match value {
                Some(v) => {
                    let n: u64 = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=1024).contains(n))
                        .ok_or_else(|| {
                            format!(
                                "--sbatch `{arg}`: CPUs per task must be a number from 1 to 1024"
                            )
                        })?;
                    cpus = Some(n);
                }
                None => passthrough.push(arg.clone()),
            }
        }
        let cpus_per_task = match (cpus, threads) {
            (Some(c), Some(t)) if c != t => {
                return Err(format!(
                    "--threads {t} and --sbatch --cpus-per-task={c} disagree; each shard runs one thread per CPU of its task, so give one of them"
                ));
            }
            (Some(c), _) | (None, Some(c)) => c,
            (None, None) => 1,
        };
        Ok(SbatchOptions {
            cpus_per_task,
            passthrough,
        })
    }
}

/// Everything the job scripts say: where cutover, the scenario and the output folder are, and
/// how the sweep is split.
#[derive(Clone, Debug)]
pub struct Submission {
    /// The cutover binary (absolute: jobs start in another environment).
    pub cutover: PathBuf,
    /// The scenario file (absolute) or the name of a bundled scenario.
    pub scenario: String,
    /// The scenario's name, for job names and comments.
    pub name: String,
    /// Flags every shard repeats: seed, replications, overrides.
    pub sweep_flags: Vec<String>,
    /// The output folder (absolute).
    pub out: PathBuf,
    pub shards: usize,
    pub options: SbatchOptions,
    pub no_charts: bool,
}

impl Submission {
    pub fn slurm_dir(&self) -> PathBuf {
        self.out.join(SLURM_DIR)
    }

    pub fn shard_dir(&self, task: usize) -> PathBuf {
        self.out.join(SHARDS_DIR).join(task.to_string())
    }

    /// The log of array task `task`.
    pub fn shard_log(&self, task: usize) -> PathBuf {
        self.slurm_dir().join(format!("shard-{task}.log"))
    }

    pub fn merge_log(&self) -> PathBuf {
        self.slurm_dir().join("merge.log")
    }
}

/// Checks that a path can stand in a `#SBATCH` line and a job script as it is: those lines are
/// split at blanks and Slurm reads `%` in log names as a pattern.
pub fn check_path(path: &Path) -> Result<&str, String> {
    let text = path
        .to_str()
        .ok_or_else(|| format!("{} is not UTF-8", path.display()))?;
    match text
        .chars()
        .find(|c| !(c.is_alphanumeric() || "/._-+,:@=".contains(*c)))
    {
        None => Ok(text),
        Some(bad) => Err(format!(
            "{text} holds {bad:?}, which #SBATCH lines cannot carry; use a path of letters, digits and / . _ - + , : @ ="
        )),
    }
}

/// `text` as one word for bash: as it is when it is plain, else in single quotes.
fn quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@=%".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// The array job: task K runs shard K/N into `shards/K`. Always `--resume`, so a task run again
/// (resubmitted, or requeued by Slurm) keeps the cells it already finished.
pub fn shards_script(s: &Submission) -> String {
    let n = s.shards;
    let script = s.slurm_dir().join(SHARDS_SCRIPT);
    let mut t = String::new();
    let _ = writeln!(t, "#!/bin/bash");
    let _ = writeln!(
        t,
        "# The sweep of {}, split in {n} shards: task K of this array runs shard K/{n} into",
        s.name
    );
    let _ = writeln!(
        t,
        "# {}/K. Written by `cutover sweep --slurm {n}`, which submits it; to run",
        path_text(&s.out.join(SHARDS_DIR))
    );
    let _ = writeln!(
        t,
        "# some tasks again by hand: sbatch --array=2,3 {}",
        path_text(&script)
    );
    let _ = writeln!(t, "#SBATCH --job-name=cutover-{}", s.name);
    let _ = writeln!(t, "#SBATCH --array=1-{n}");
    let _ = writeln!(t, "#SBATCH --cpus-per-task={}", s.options.cpus_per_task);
    let _ = writeln!(
        t,
        "#SBATCH --output={}",
        path_text(&s.slurm_dir().join("shard-%a.log"))
    );
    for option in &s.options.passthrough {
        let _ = writeln!(t, "#SBATCH {option}");
    }
    let _ = writeln!(t, "set -eu");
    let mut words = vec![
        quote(&path_text(&s.cutover)),
        "sweep".into(),
        quote(&s.scenario),
    ];
    words.extend(s.sweep_flags.iter().map(|f| quote(f)));
    let _ = writeln!(t, "exec {} \\", words.join(" "));
    let _ = writeln!(
        t,
        "    --shard \"$SLURM_ARRAY_TASK_ID/{n}\" --out {}/\"$SLURM_ARRAY_TASK_ID\" \\",
        quote(&path_text(&s.out.join(SHARDS_DIR)))
    );
    let _ = writeln!(
        t,
        "    --threads \"${{SLURM_CPUS_PER_TASK:-1}}\" --resume --quiet"
    );
    t
}

/// The merge job: the cell files of every shard folder into the output folder. Submitted with
/// `--dependency=afterok:ARRAY`, so it runs only when every task succeeded; `--wait-lock`, as
/// the submission may still hold the output folder when a quick array is done.
pub fn merge_script(s: &Submission) -> String {
    let n = s.shards;
    let script = s.slurm_dir().join(MERGE_SCRIPT);
    let mut t = String::new();
    let _ = writeln!(t, "#!/bin/bash");
    let _ = writeln!(
        t,
        "# The merge of the {n} shards of the sweep of {} into {}. Written by",
        s.name,
        path_text(&s.out)
    );
    let _ = writeln!(
        t,
        "# `cutover sweep --slurm {n}`, which submits it to run after every task of the array"
    );
    let _ = writeln!(
        t,
        "# succeeded: sbatch --dependency=afterok:ARRAY_JOB_ID {}",
        path_text(&script)
    );
    let _ = writeln!(t, "#SBATCH --job-name=cutover-{}-merge", s.name);
    let _ = writeln!(t, "#SBATCH --output={}", path_text(&s.merge_log()));
    for option in &s.options.passthrough {
        let _ = writeln!(t, "#SBATCH {option}");
    }
    let _ = writeln!(t, "set -eu");
    let _ = writeln!(
        t,
        "exec {} merge {}/{{1..{n}}} --out {} --wait-lock --quiet{}",
        quote(&path_text(&s.cutover)),
        quote(&path_text(&s.out.join(SHARDS_DIR))),
        quote(&path_text(&s.out)),
        if s.no_charts { " --no-charts" } else { "" }
    );
    t
}

/// The characters of a Slurm command's output that a message quotes when it is long (up to twice
/// as many are quoted whole): a Slurm error is a line or two.
const QUOTED: usize = 200;

/// What a message quotes of a Slurm command's output (or a job's log): its lines joined on one,
/// their start and their length if long, controls escaped. `sbatch`, `scontrol` and `scancel`
/// are whatever programs of those names PATH finds, and may print anything, at any length.
pub fn quoted(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    crate::scenario::abbreviate_to(&lines.join("; "), QUOTED)
}

/// Why `sbatch` did not give a job id.
#[derive(Debug)]
pub enum SubmitError {
    /// There is no `sbatch` to run: not a Slurm submission host.
    NotFound,
    /// `sbatch` ran and refused the job; its message.
    Refused(String),
}

/// Submits `script` with `sbatch --parsable` and the `extra` options, returning the job id.
pub fn sbatch(script: &Path, extra: &[String]) -> Result<String, SubmitError> {
    let output = Command::new("sbatch")
        .arg("--parsable")
        .args(extra)
        .arg(script)
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => SubmitError::NotFound,
            _ => SubmitError::Refused(format!("cannot run sbatch: {e}")),
        })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let message = quoted(&stderr);
        return Err(SubmitError::Refused(if message.is_empty() {
            format!("sbatch failed ({}) and said nothing", output.status)
        } else {
            message
        }));
    }
    parse_job_id(&stdout).ok_or_else(|| {
        SubmitError::Refused(format!(
            "sbatch printed `{}` where a job id was expected",
            quoted(&stdout)
        ))
    })
}

/// The job id in `sbatch --parsable`'s answer: `ID` or `ID;CLUSTER`.
fn parse_job_id(stdout: &str) -> Option<String> {
    let id = stdout.trim().split(';').next()?.trim();
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_digit())).then(|| id.to_string())
}

/// One line of `scontrol show job -o`: a job, an array task, or the pending rest of an array.
#[derive(Clone, Debug, PartialEq)]
pub struct JobRecord {
    pub job_id: String,
    /// The array task (`2`), or the tasks still pending (`3-5`); `None` for a plain job.
    pub array_task: Option<String>,
    pub state: String,
    pub reason: String,
    /// The job script's exit code (the part of `ExitCode=N:S` before the colon).
    pub exit_code: i32,
}

impl JobRecord {
    /// Neither finished nor failed yet.
    pub fn is_active(&self) -> bool {
        matches!(
            self.state.as_str(),
            "PENDING"
                | "RUNNING"
                | "CONFIGURING"
                | "COMPLETING"
                | "REQUEUED"
                | "REQUEUE_HOLD"
                | "REQUEUE_FED"
                | "RESIZING"
                | "SUSPENDED"
                | "STOPPED"
                | "SIGNALING"
                | "STAGE_OUT"
                | "RESV_DEL_HOLD"
        )
    }
}

/// Reads `scontrol show job -o`: one record per line, fields `Key=Value` separated by blanks
/// (values of the fields read here hold no blanks).
pub fn parse_show_job(text: &str) -> Vec<JobRecord> {
    text.lines()
        .filter_map(|line| {
            let field = |key: &str| {
                line.split_whitespace()
                    .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
            };
            Some(JobRecord {
                job_id: quoted(field("JobId")?),
                array_task: field("ArrayTaskId").map(quoted),
                state: quoted(field("JobState")?),
                reason: quoted(field("Reason").unwrap_or("None")),
                exit_code: field("ExitCode")
                    .and_then(|e| e.split(':').next()?.parse().ok())
                    .unwrap_or(0),
            })
        })
        .collect()
}

/// What the controller says of job `id` (every task, for an array). `Ok(None)`: it does not know
/// the job (never submitted, or finished longer ago than its `MinJobAge`).
pub fn show_job(id: &str) -> Result<Option<Vec<JobRecord>>, String> {
    let output = Command::new("scontrol")
        .args(["show", "job", "-o", id])
        .output()
        .map_err(|e| format!("cannot run scontrol: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        if stderr.contains("Invalid job id") {
            return Ok(None);
        }
        return Err(format!(
            "scontrol show job {id} failed: {}",
            quoted(&stderr)
        ));
    }
    let records = parse_show_job(&stdout);
    if records.is_empty() {
        return Err(format!(
            "scontrol show job {id} printed no job: `{}`",
            quoted(&stdout)
        ));
    }
    Ok(Some(records))
}

/// Cancels job `id` if it is still pending.
pub fn cancel_pending(id: &str) -> Result<(), String> {
    let output = Command::new("scancel")
        .args(["--state=PENDING", id])
        .output()
        .map_err(|e| format!("cannot run scancel: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "scancel {id} failed: {}",
            quoted(&String::from_utf8_lossy(&output.stderr))
        ))
    }
}

/// How a merge job ended, as far as `--wait` is concerned.
#[derive(Debug, PartialEq)]
pub enum MergeEnd {
    Completed,
    /// It ran and failed, was cancelled, timed out...: its state and exit code.
    Failed {
        state: String,
        exit_code: i32,
    },
    /// A task of the array failed, so the merge can never start.
    DependencyNeverSatisfied,
    /// The controller no longer knows the job.
    Unknown,
}

/// Whether the merge job's record means the wait is over, and how it ended.
pub fn merge_end(record: Option<&JobRecord>) -> Option<MergeEnd> {
    let Some(r) = record else {
        return Some(MergeEnd::Unknown);
    };
    if r.state == "COMPLETED" {
        Some(MergeEnd::Completed)
    } else if r.reason == "DependencyNeverSatisfied" {
        Some(MergeEnd::DependencyNeverSatisfied)
    } else if r.is_active() {
        None
    } else {
        Some(MergeEnd::Failed {
            state: r.state.clone(),
            exit_code: r.exit_code,
        })
    }
}

/// Polls the controller until the merge job `id` ends, calling `seen` whenever its state or
/// reason changes.
pub fn wait_for_merge(id: &str, mut seen: impl FnMut(&JobRecord)) -> Result<MergeEnd, String> {
    let mut last: Option<(String, String)> = None;
    loop {
        let records = show_job(id)?;
        let record = records.as_ref().and_then(|r| r.first());
        if let Some(r) = record {
            let now = (r.state.clone(), r.reason.clone());
            if last.as_ref() != Some(&now) {
                seen(r);
                last = Some(now);
            }
        }
        if let Some(end) = merge_end(record) {
            return Ok(end);
        }
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submission(options: SbatchOptions) -> Submission {
        Submission {
            cutover: PathBuf::from("/opt/cutover/bin/cutover"),
            scenario: "/home/ana/grid study.toml".into(),
            name: "grid".into(),
            sweep_flags: vec![
                "--seed".into(),
                "7".into(),
                "--reps".into(),
                "100".into(),
                "--set".into(),
                "name=it's".into(),
            ],
            out: PathBuf::from("/scratch/ana/grid-results"),
            shards: 3,
            options,
            no_charts: false,
        }
    }

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_shards_script_runs_task_k_as_shard_k_of_n() {
        let options = SbatchOptions::parse(
            &strings(&["--partition=short", "-c4", "--time=1:00:00"]),
            None,
        )
        .unwrap();
        assert_eq!(
            shards_script(&submission(options)),
            r#"#!/bin/bash
# The sweep of grid, split in 3 shards: task K of this array runs shard K/3 into
# /scratch/ana/grid-results/shards/K. Written by `cutover sweep --slurm 3`, which submits it; to run
# some tasks again by hand: sbatch --array=2,3 /scratch/ana/grid-results/slurm/shards.sh
#SBATCH --job-name=cutover-grid
#SBATCH --array=1-3
#SBATCH --cpus-per-task=4
#SBATCH --output=/scratch/ana/grid-results/slurm/shard-%a.log
#SBATCH --partition=short
#SBATCH --time=1:00:00
set -eu
exec /opt/cutover/bin/cutover sweep '/home/ana/grid study.toml' --seed 7 --reps 100 --set 'name=it'\''s' \
    --shard "$SLURM_ARRAY_TASK_ID/3" --out /scratch/ana/grid-results/shards/"$SLURM_ARRAY_TASK_ID" \
    --threads "${SLURM_CPUS_PER_TASK:-1}" --resume --quiet
"#
        );
    }

    #[test]
    fn the_merge_script_merges_every_shard_folder_into_the_output_folder() {
        let options =
            SbatchOptions::parse(&strings(&["--cpus-per-task=8", "-pshort"]), None).unwrap();
        let mut s = submission(options);
        s.no_charts = true;
        assert_eq!(
            merge_script(&s),
            r#"#!/bin/bash
# The merge of the 3 shards of the sweep of grid into /scratch/ana/grid-results. Written by
# `cutover sweep --slurm 3`, which submits it to run after every task of the array
# succeeded: sbatch --dependency=afterok:ARRAY_JOB_ID /scratch/ana/grid-results/slurm/merge.sh
#SBATCH --job-name=cutover-grid-merge
#SBATCH --output=/scratch/ana/grid-results/slurm/merge.log
#SBATCH -pshort
set -eu
exec /opt/cutover/bin/cutover merge /scratch/ana/grid-results/shards/{1..3} --out /scratch/ana/grid-results --wait-lock --quiet --no-charts
"#
        );
    }

    #[test]
    fn cpus_per_task_and_threads_are_one_setting() {
        let parse = |args: &[&str], threads| SbatchOptions::parse(&strings(args), threads);
        assert_eq!(parse(&[], None).unwrap().cpus_per_task, 1);
        assert_eq!(parse(&[], Some(6)).unwrap().cpus_per_task, 6);
        assert_eq!(
            parse(&["--cpus-per-task=6"], None).unwrap().cpus_per_task,
            6
        );
        assert!(parse(&["-c"], None).is_err(), "a -c without a number");
        assert_eq!(parse(&["-c=6"], Some(6)).unwrap().cpus_per_task, 6);
        let both = parse(&["--cpus-per-task=4"], Some(8)).unwrap_err();
        assert!(both.contains("disagree"), "{both}");
        let zero = parse(&["--cpus-per-task=0"], None).unwrap_err();
        assert!(zero.contains("from 1 to 1024"), "{zero}");
    }

    #[test]
    fn sbatch_options_that_would_break_the_scripts_are_refused() {
        for (arg, needle) in [
            ("--array=1-4", "--array"),
            ("-a1-4", "--array"),
            ("--dependency=afterok:1", "--dependency"),
            ("--output=x.log", "--output"),
            ("-Jname", "--job-name"),
            ("--wrap=ls", "--wrap"),
            ("--partition short", "' '"),
            ("--comment=a\nrm -rf /", "'\\n'"),
            ("--comment=\"x\"", "'\"'"),
            ("partition=short", "not an sbatch option"),
        ] {
            let err = SbatchOptions::parse(&strings(&[arg]), None).unwrap_err();
            assert!(err.contains(needle), "{arg}: {err}");
        }
    }

    #[test]
    fn paths_that_sbatch_lines_cannot_carry_are_refused() {
        assert!(check_path(Path::new("/scratch/a-b_c.d/x+y@z")).is_ok());
        for bad in ["/a b", "/a%b", "/a'b", "/a\nb", "/a$b"] {
            assert!(check_path(Path::new(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn what_slurm_prints_is_quoted_bounded_and_printable() {
        // A program named `sbatch` that clears the screen, sets the terminal's title and floods it.
        let flood = format!(
            "\u{1b}[2J\u{1b}]0;title\u{7}sbatch: error: {}\n",
            "x".repeat(100_000)
        );
        let shown = quoted(&flood);
        assert!(shown.chars().count() < 2 * QUOTED + 30, "{shown}");
        assert!(!shown.contains(char::is_control), "{shown}");
        assert!(shown.starts_with("\\u{1b}[2J\\u{1b}]0;title\\u{7}sbatch: error: xx"));
        let length = flood.trim().chars().count();
        assert!(
            shown.ends_with(&format!("... ({length} characters)")),
            "{shown}"
        );
        // Slurm's own message of a line or two is quoted whole, on one line.
        assert_eq!(
            quoted("sbatch: error: Invalid account\nsbatch: error: Batch job submission failed\n"),
            "sbatch: error: Invalid account; sbatch: error: Batch job submission failed"
        );
        assert_eq!(quoted(" \n"), "");
        // What `scontrol` says of a job, shown as it is read.
        let records = parse_show_job(&format!(
            "JobId=7 JobState=FAILED\u{1b}[8m Reason={} ExitCode=1:0",
            "r".repeat(10_000)
        ));
        assert_eq!(records[0].state, "FAILED\\u{1b}[8m");
        assert!(records[0].reason.ends_with("... (10000 characters)"));
        assert_eq!(records[0].exit_code, 1);
    }

    #[test]
    fn job_ids_are_read_with_or_without_a_cluster_name() {
        assert_eq!(parse_job_id("1234\n").as_deref(), Some("1234"));
        assert_eq!(parse_job_id("1234;mycluster\n").as_deref(), Some("1234"));
        assert_eq!(parse_job_id("Submitted batch job 1234"), None);
        assert_eq!(parse_job_id(""), None);
    }

    const ARRAY: &str = "JobId=12 ArrayJobId=11 ArrayTaskId=1 JobName=cutover-grid UserId=root(0) JobState=COMPLETED Reason=None Dependency=(null) ExitCode=0:0 Command=/x/shards.sh\n\
JobId=13 ArrayJobId=11 ArrayTaskId=2 JobName=cutover-grid JobState=FAILED Reason=NonZeroExitCode ExitCode=2:0\n\
JobId=11 ArrayJobId=11 ArrayTaskId=3-5 JobName=cutover-grid JobState=PENDING Reason=Resources ExitCode=0:0\n";

    #[test]
    fn scontrol_records_give_state_reason_task_and_exit_code() {
        let records = parse_show_job(ARRAY);
        assert_eq!(records.len(), 3);
        assert_eq!(
            records[1],
            JobRecord {
                job_id: "13".into(),
                array_task: Some("2".into()),
                state: "FAILED".into(),
                reason: "NonZeroExitCode".into(),
                exit_code: 2,
            }
        );
        assert!(!records[0].is_active() && !records[1].is_active() && records[2].is_active());
        assert!(parse_show_job("slurm_load_jobs error: Invalid job id specified\n").is_empty());
    }

    #[test]
    fn waiting_ends_on_completion_failure_or_a_dependency_that_cannot_be_met() {
        let merge = |state: &str, reason: &str, exit: i32| {
            let line =
                format!("JobId=14 JobName=m JobState={state} Reason={reason} ExitCode={exit}:0");
            parse_show_job(&line).remove(0)
        };
        assert_eq!(merge_end(Some(&merge("PENDING", "Dependency", 0))), None);
        assert_eq!(merge_end(Some(&merge("RUNNING", "None", 0))), None);
        assert_eq!(
            merge_end(Some(&merge("COMPLETED", "None", 0))),
            Some(MergeEnd::Completed)
        );
        assert_eq!(
            merge_end(Some(&merge("PENDING", "DependencyNeverSatisfied", 0))),
            Some(MergeEnd::DependencyNeverSatisfied)
        );
        assert_eq!(
            merge_end(Some(&merge("FAILED", "NonZeroExitCode", 2))),
            Some(MergeEnd::Failed {
                state: "FAILED".into(),
                exit_code: 2
            })
        );
        assert_eq!(merge_end(None), Some(MergeEnd::Unknown));
    }
}
