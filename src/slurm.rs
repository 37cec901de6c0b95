//! Slurm: a sweep as a job array of shards and a merge job that runs after them. The job scripts
//! are pure functions of a [`Submission`]; `sbatch --parsable` submits them and `scontrol show
//! job` follows them, which needs no accounting database (`sacct` would).

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
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

/// Short options of `sbatch` that take no value, so that a letter after one of them in a bundle
/// (`-vJx`) is an option of its own; any other letter takes the rest of the bundle as its value
/// (`-pdebug`). `-k` takes an optional value and is counted here, so that a bundle is refused
/// rather than let through where getopt could read it either way.
const SHORT_FLAGS: &[char] = &['h', 'H', 'I', 'k', 'O', 'Q', 's', 'u', 'v', 'V', 'W'];

/// The reserved option `arg` sets, as `sbatch` (getopt_long) reads it: a long option by its
/// name or any abbreviation of it (`--arr=1-50` is `--array`), a short one anywhere in a bundle
/// of flags (`-vJx` is `-v -J x`).
fn reserved(arg: &str) -> Option<&'static str> {
    if let Some(long) = arg.strip_prefix("--") {
        let name = long.split('=').next().unwrap_or(long);
        if name.is_empty() {
            return None;
        }
        return RESERVED
            .iter()
            .find(|(reserved, _)| reserved[2..].starts_with(name))
            .map(|(reserved, _)| *reserved);
    }
    for letter in arg.strip_prefix('-')?.chars() {
        if let Some((long, _)) = RESERVED.iter().find(|(_, short)| *short == Some(letter)) {
            return Some(long);
        }
        if !SHORT_FLAGS.contains(&letter) {
            return None;
        }
    }
    None
}

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
            if let Some(long) = reserved(arg) {
                let taken = if name == long {
                    String::new()
                } else {
                    format!(" (sbatch may read it as {long})")
                };
                return Err(format!(
                    "--sbatch `{arg}`{taken}: cutover sets {long} itself (the array, its merge and their logs)"
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
        "# some tasks again by hand, say task {n}: sbatch --array={n} {}",
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

/// The most cutover reads of what a Slurm command prints on one stream, in bytes: its answer is
/// a job id or a line or two of error, and `quoted` shows 400 characters at the most.
const READ_AT_MOST: usize = 1 << 20;

/// The most cutover reads of what `scontrol show job -o` prints: a line of some 1,500 bytes per
/// task of an array that has started, so tens of thousands of tasks fit. Past it, `show_job`
/// fails rather than judge the array by part of its tasks.
const SHOW_JOB_AT_MOST: usize = 64 << 20;

/// What is read and thrown away past the bound, so that the command can write the rest and end:
/// past this too, the stream is closed, and a command still writing gets SIGPIPE.
const DISCARDED_AT_MOST: u64 = 64 << 20;

/// What a Slurm command printed on one of its streams: at most its first `limit` bytes, and how
/// many it printed in all (or at least, if it printed without end).
#[derive(Debug)]
struct Printed {
    text: String,
    /// The bytes printed, those read and those thrown away.
    length: u64,
    limit: usize,
    /// Closed before the command stopped printing (after `DISCARDED_AT_MOST` thrown away).
    endless: bool,
}

impl Printed {
    /// Reads `stream` to its end, keeping its first `limit` bytes; a read that fails ends it.
    fn read(mut stream: impl Read, limit: usize) -> Printed {
        let mut kept = Vec::new();
        let _ = (&mut stream).take(limit as u64).read_to_end(&mut kept);
        let mut length = kept.len() as u64;
        let mut endless = false;
        if kept.len() == limit {
            let mut rest = (&mut stream).take(DISCARDED_AT_MOST);
            let discarded = std::io::copy(&mut rest, &mut std::io::sink()).unwrap_or(0);
            length += discarded;
            endless = discarded == DISCARDED_AT_MOST;
        }
        Printed {
            text: String::from_utf8_lossy(&kept).into_owned(),
            length,
            limit,
            endless,
        }
    }

    /// More was printed than read.
    fn cut(&self) -> bool {
        self.length > self.limit as u64
    }

    /// What a message quotes of it ([`quoted`]), saying where it was cut if it was.
    fn quoted(&self) -> String {
        let quoted = quoted(&self.text);
        if !self.cut() {
            return quoted;
        }
        format!(
            "{quoted} [cut: only its first {} were read, of {}{} bytes]",
            mebibytes(self.limit),
            if self.endless { "more than " } else { "" },
            self.length
        )
    }
}

/// `1 MiB`, `64 MiB`.
fn mebibytes(bytes: usize) -> String {
    format!("{} MiB", bytes >> 20)
}

/// What a Slurm command printed, and how it ended.
#[derive(Debug)]
struct Answer {
    status: ExitStatus,
    stdout: Printed,
    stderr: Printed,
}

/// Runs `command` with nothing on its stdin, reading at most `stdout_limit` bytes of its stdout
/// and `READ_AT_MOST` of its stderr: `sbatch`, `scontrol` and `scancel` are whatever programs
/// PATH finds, and may print anything, at any length. What they print past that is read and
/// thrown away (both streams at once, on a thread for stderr), so that they do not block on a
/// full pipe.
fn run(command: &mut Command, stdout_limit: usize) -> std::io::Result<Answer> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        unreachable!("both streams are piped");
    };
    let printed = std::thread::scope(|scope| {
        let stderr = std::thread::Builder::new()
            .name("slurm-stderr".into())
            .spawn_scoped(scope, || Printed::read(stderr, READ_AT_MOST))?;
        let stdout = Printed::read(stdout, stdout_limit);
        let stderr = stderr
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok::<_, std::io::Error>((stdout, stderr))
    });
    let (stdout, stderr) = match printed {
        Ok(printed) => printed,
        Err(e) => {
            // No thread to read stderr: the command is not left running behind.
            let _ = child.kill();
            let _ = child.wait();
            return Err(e);
        }
    };
    Ok(Answer {
        status: child.wait()?,
        stdout,
        stderr,
    })
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
    let output = run(
        Command::new("sbatch")
            .arg("--parsable")
            .args(extra)
            .arg(script),
        READ_AT_MOST,
    )
    .map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => SubmitError::NotFound,
        _ => SubmitError::Refused(format!("cannot run sbatch: {e}")),
    })?;
    if !output.status.success() {
        let message = output.stderr.quoted();
        return Err(SubmitError::Refused(if !message.is_empty() {
            message
        } else if output.stdout.cut() {
            // Stopped by SIGPIPE, say, printing without end on its stdout.
            format!(
                "sbatch failed ({}), having printed `{}` on its stdout",
                output.status,
                output.stdout.quoted()
            )
        } else {
            format!("sbatch failed ({}) and said nothing", output.status)
        }));
    }
    let id = (!output.stdout.cut())
        .then(|| parse_job_id(&output.stdout.text))
        .flatten();
    id.ok_or_else(|| {
        SubmitError::Refused(format!(
            "sbatch printed `{}` where a job id was expected",
            output.stdout.quoted()
        ))
    })
}

/// The job id in `sbatch --parsable`'s answer: `ID` or `ID;CLUSTER`.
fn parse_job_id(stdout: &str) -> Option<String> {
    let id = stdout.trim().split(';').next()?.trim();
    is_job_id(id).then(|| id.to_string())
}

/// Refuses to pass `id` to a Slurm command unless it is a job id ([`is_job_id`]).
fn check_job_id(id: &str) -> Result<(), String> {
    if is_job_id(id) {
        Ok(())
    } else {
        Err(format!("`{}` is not a job id", quoted(id)))
    }
}

/// Whether `text` is a job id as `sbatch` gives them: digits only, so that it can be passed to
/// `scontrol` and `scancel` as it is and never reads as an option (`--me`) or a list.
pub fn is_job_id(text: &str) -> bool {
    (1..=20).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

/// One line of `scontrol show job -o`: a job, an array task, or the pending rest of an array.
#[derive(Clone, Debug, PartialEq)]
pub struct JobRecord {
    pub job_id: String,
    /// The job array a task is of (`ArrayJobId`); `None` for a plain job.
    pub array_job_id: Option<String>,
    /// The array task (`2`), or the tasks still pending (`3-5`); `None` for a plain job.
    pub array_task: Option<String>,
    pub state: String,
    pub reason: String,
    /// The job script's exit code (the part of `ExitCode=N:S` before the colon).
    pub exit_code: i32,
}

impl JobRecord {
    /// Whether this is job `id`, or a task of job array `id`.
    pub fn is_of(&self, id: &str) -> bool {
        self.job_id == id || self.array_job_id.as_deref() == Some(id)
    }

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
                array_job_id: field("ArrayJobId").map(quoted),
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

/// What the controller says of job `id` (every task, for an array): only the records that are
/// of it, whatever else `scontrol` prints. `Ok(None)`: it does not know the job (never
/// submitted, or finished longer ago than its `MinJobAge`).
pub fn show_job(id: &str) -> Result<Option<Vec<JobRecord>>, String> {
    check_job_id(id)?;
    let output = run(
        Command::new("scontrol").args(["show", "job", "-o", id]),
        SHOW_JOB_AT_MOST,
    )
    .map_err(|e| format!("cannot run scontrol: {e}"))?;
    if !output.status.success() {
        if output.stderr.text.contains("Invalid job id") {
            return Ok(None);
        }
        return Err(format!(
            "scontrol show job {id} failed: {}",
            output.stderr.quoted()
        ));
    }
    if output.stdout.cut() {
        return Err(format!(
            "scontrol show job {id} printed more than cutover reads of it: `{}`",
            output.stdout.quoted()
        ));
    }
    let mut records = parse_show_job(&output.stdout.text);
    records.retain(|r| r.is_of(id));
    if records.is_empty() {
        return Err(format!(
            "scontrol show job {id} printed no record of that job: `{}`",
            output.stdout.quoted()
        ));
    }
    Ok(Some(records))
}

/// Cancels job `id` if it is still pending.
pub fn cancel_pending(id: &str) -> Result<(), String> {
    check_job_id(id)?;
    let output = run(
        Command::new("scancel").args(["--state=PENDING", id]),
        READ_AT_MOST,
    )
    .map_err(|e| format!("cannot run scancel: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("scancel {id} failed: {}", output.stderr.quoted()))
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
# some tasks again by hand, say task 3: sbatch --array=3 /scratch/ana/grid-results/slurm/shards.sh
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

    /// sbatch reads options as getopt_long does: an abbreviation of a long option is that
    /// option, and short flags bundle. Those that reach a reserved option are refused; other
    /// options, and a reserved letter inside another option's value, pass.
    #[test]
    fn abbreviated_and_bundled_reserved_options_are_refused() {
        for (arg, reserved) in [
            ("--arr=1-50", "--array"),
            ("--a=1", "--array"),
            ("--dep=singleton", "--dependency"),
            ("--outp=/tmp/x.log", "--output"),
            ("--job=x", "--job-name"),
            ("--wra=id", "--wrap"),
            ("--parsa", "--parsable"),
            ("-vJx", "--job-name"),
            ("-Hvd1", "--dependency"),
        ] {
            let err = SbatchOptions::parse(&strings(&[arg]), None).unwrap_err();
            assert!(
                err.contains(&format!("may read it as {reserved}")),
                "{arg}: {err}"
            );
            assert!(
                err.contains(&format!("cutover sets {reserved} itself")),
                "{arg}: {err}"
            );
        }
        for fine in [
            "--partition=short",
            "--time=01:00:00",
            "-pdebug",
            "-t1:00:00",
            "--mem=4G",
            "--open-mode=append",
            "--wait-all-nodes=1",
            "--account=ajob",
            "-vv",
        ] {
            let options = SbatchOptions::parse(&strings(&[fine]), None);
            assert_eq!(options.unwrap().passthrough, [fine]);
        }
    }

    #[test]
    fn job_ids_are_digits_only() {
        assert!(is_job_id("1234"));
        for bad in ["", "--me", "-u0", "12 34", "12,13", "1_2", &"9".repeat(21)] {
            assert!(!is_job_id(bad), "{bad:?}");
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
    fn a_stream_is_read_to_a_bound_and_the_rest_counted_and_thrown_away() {
        let bytes = |n: usize| vec![b'x'; n];
        let whole = Printed::read(&bytes(READ_AT_MOST)[..], READ_AT_MOST);
        assert_eq!((whole.text.len(), whole.length), (READ_AT_MOST, 1 << 20));
        assert!(!whole.cut() && !whole.quoted().contains("cut"));
        let flood = Printed::read(&bytes(3 << 20)[..], READ_AT_MOST);
        assert_eq!((flood.text.len(), flood.length), (READ_AT_MOST, 3 << 20));
        assert!(flood.cut() && !flood.endless);
        assert!(
            flood.quoted().starts_with("xxx")
                && flood.quoted().ends_with(
                    "... (1048576 characters) [cut: only its first 1 MiB were read, of 3145728 bytes]"
                ),
            "{}",
            flood.quoted()
        );
        // A command that prints without end: its stream is closed once enough is thrown away.
        let endless = Printed::read(std::io::repeat(b'y'), READ_AT_MOST);
        assert!(endless.endless && endless.cut());
        assert_eq!(endless.length, READ_AT_MOST as u64 + DISCARDED_AT_MOST);
        assert!(
            endless
                .quoted()
                .ends_with("[cut: only its first 1 MiB were read, of more than 68157440 bytes]"),
            "{}",
            endless.quoted()
        );
    }

    /// Both streams are read at once, so a command that fills one pipe while cutover would be
    /// reading the other does not wait for ever; each is kept to its bound.
    #[cfg(unix)]
    #[test]
    fn a_command_printing_megabytes_on_both_streams_ends_with_each_cut() {
        let script = "head -c 3000000 /dev/zero | tr '\\0' o; head -c 2000000 /dev/zero | tr '\\0' e >&2; \
                      echo done >&2; exit 3";
        let answer = run(Command::new("sh").args(["-c", script]), READ_AT_MOST).unwrap();
        assert_eq!(answer.status.code(), Some(3));
        assert_eq!(answer.stdout.length, 3_000_000);
        assert_eq!(answer.stderr.length, 2_000_005);
        assert!(answer.stdout.text.len() == READ_AT_MOST && answer.stdout.text.starts_with('o'));
        assert!(answer.stderr.text.len() == READ_AT_MOST && answer.stderr.text.starts_with('e'));
        let answer = run(
            Command::new("sh").args(["-c", "echo 12;  echo oops >&2"]),
            4,
        )
        .unwrap();
        assert!(answer.status.success());
        assert_eq!(
            (answer.stdout.text.as_str(), answer.stdout.cut()),
            ("12\n", false)
        );
        assert_eq!(
            (answer.stderr.text.as_str(), answer.stderr.cut()),
            ("oops\n", false)
        );
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
                array_job_id: Some("11".into()),
                array_task: Some("2".into()),
                state: "FAILED".into(),
                reason: "NonZeroExitCode".into(),
                exit_code: 2,
            }
        );
        assert!(!records[0].is_active() && !records[1].is_active() && records[2].is_active());
        assert!(records.iter().all(|r| r.is_of("11")));
        assert!(records[1].is_of("13") && !records[1].is_of("12") && !records[1].is_of("1"));
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
