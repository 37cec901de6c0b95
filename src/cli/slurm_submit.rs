//! `cutover sweep --slurm N`: writes the job scripts into OUT/slurm, submits the shard array and
//! its merge, and with `--wait` follows the merge job to its end. The Slurm side is `crate::slurm`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::sweep_commands::{SweepArgs, record_grid};
use crate::error::Error;
use crate::output;
use crate::output::sweep_files::{self as store, Cells, GridInfo};
use crate::scenario::{MemoryBudget, Source};
use crate::slurm::{self, MergeEnd, SbatchOptions, Submission, SubmitError};

/// OUT/slurm/jobs.json: the jobs of the last submission into a folder.
#[derive(Debug, Serialize, Deserialize)]
struct Jobs {
    shards: usize,
    /// The shard array, if any task had to run.
    array: Option<String>,
    tasks: Vec<usize>,
    merge: String,
}

pub fn submit_sweep(
    args: &SweepArgs,
    source: &Source,
    info: &GridInfo,
    out: &Path,
    shards: usize,
    wait_lock: bool,
) -> Result<(), Error> {
    let options = SbatchOptions::parse(&args.sbatch, args.sim.threads).map_err(Error::Usage)?;
    if shards > info.cells.len() {
        return Err(Error::Usage(format!(
            "--slurm {shards}: the grid has {} cells, so at most {} shards have work; use --slurm {}",
            info.cells.len(),
            info.cells.len(),
            info.cells.len()
        )));
    }
    // Job scripts start elsewhere: every path in them is absolute, and checked before anything
    // is written.
    let out = std::path::absolute(out).map_err(output::failed_on(out))?;
    slurm::check_path(&out).map_err(|e| Error::Usage(format!("--out: {e}")))?;
    let scenario = match source {
        Source::File(path) => {
            let path = path
                .canonicalize()
                .map_err(|e| Error::Usage(format!("cannot resolve {}: {e}", path.display())))?;
            path.to_str()
                .ok_or_else(|| Error::Usage(format!("{} is not UTF-8", path.display())))?
                .to_string()
        }
        Source::Bundled(b) => b.name.to_string(),
    };
    let cutover = std::env::current_exe()
        .map_err(|e| Error::Internal(format!("cannot find the cutover binary: {e}")))?;
    let mut sweep_flags = vec![
        "--seed".to_string(),
        info.seed.to_string(),
        "--reps".to_string(),
        info.replications.to_string(),
    ];
    for assignment in &info.overrides {
        sweep_flags.extend(["--set".to_string(), assignment.clone()]);
    }
    for target in &info.precision {
        sweep_flags.extend(["--precision".to_string(), target.clone()]);
    }
    let sub = Submission {
        cutover,
        scenario,
        name: info.scenario.clone(),
        sweep_flags,
        out: out.clone(),
        shards,
        options,
        no_charts: args.no_charts,
    };

    let shards_root = out.join(crate::files::SHARDS_DIR);
    // The shard jobs write into it: a link there would have them write outside the folder.
    output::check_subdir(&shards_root)?;
    if !args.resume && has_entries(&shards_root) {
        return Err(Error::Usage(format!(
            "{} holds the shards of an earlier submission: add --resume to keep their finished cells, or choose another --out",
            shards_root.display()
        )));
    }
    // Held while the folder is prepared and the jobs submitted, and released before `--wait`:
    // the merge job writes into this folder and takes its lock (waiting for it, should it start
    // before the submission is done).
    let folder = super::lock_folder(&out, wait_lock)?;
    folder.invalidate(true)?;
    folder.subdir(crate::files::SLURM_DIR)?;
    folder.subdir(crate::files::SHARDS_DIR)?;
    record_grid(&out, info, None, args.resume, Cells::Sweep)?;
    let jobs_path = sub.slurm_dir().join(slurm::JOBS_FILE);
    if args.resume
        && let Some(previous) = read_jobs(&jobs_path)?
    {
        tidy_previous(&previous, shards, args.sim.quiet)?;
    }
    let mut tasks = Vec::new();
    for task in 1..=shards {
        if !args.resume || !shard_complete(&sub, info, task)? {
            tasks.push(task);
        }
    }

    let shards_script = sub.slurm_dir().join(slurm::SHARDS_SCRIPT);
    let merge_script = sub.slurm_dir().join(slurm::MERGE_SCRIPT);
    let scripts = [
        (&shards_script, slurm::shards_script(&sub)),
        (&merge_script, slurm::merge_script(&sub)),
    ];
    for (path, text) in &scripts {
        output::write_atomic(path, text.as_bytes())?;
    }
    let array = if tasks.is_empty() {
        None
    } else {
        let extra: Vec<String> = if tasks.len() == shards {
            Vec::new()
        } else {
            vec![format!("--array={}", list(&tasks))]
        };
        Some(sbatch(&shards_script, &extra, &scripts, None)?)
    };
    let dependency: Vec<String> = array
        .iter()
        .map(|id| format!("--dependency=afterok:{id}"))
        .collect();
    let merge = sbatch(&merge_script, &dependency, &scripts, array.as_deref())?;
    let jobs = Jobs {
        shards,
        array: array.clone(),
        tasks: tasks.clone(),
        merge: merge.clone(),
    };
    let mut bytes = serde_json::to_vec_pretty(&jobs).expect("job ids always serialise");
    bytes.push(b'\n');
    let ids: Vec<&str> = array.iter().map(String::as_str).chain([&*merge]).collect();
    // The jobs are Slurm's now: a message that said only what could not be written would have
    // the same command run again, submitting them twice, which `--resume` cannot refuse
    // without this record.
    output::write_atomic(&jobs_path, &bytes).map_err(|e| Error::Scheduler {
        message: format!(
            "{e}\n({} submitted and will run, but without that record --resume cannot tell: follow them with squeue -j {}, and before running this command again let them end or cancel them with scancel {})",
            match &array {
                Some(id) => format!(
                    "job array {id} (tasks {}) and merge job {merge} were",
                    list(&tasks)
                ),
                None => format!("merge job {merge} was"),
            },
            ids.join(","),
            ids.join(" ")
        ),
        exit_code: u8::try_from(e.exit_code()).unwrap_or(1),
    })?;

    if !args.sim.quiet {
        say!(
            "{}: {} cells x {} replications in {shards} shards; job scripts and logs in {}",
            info.scenario,
            info.cells.len(),
            info.replications,
            sub.slurm_dir().display()
        );
        match &array {
            Some(id) => say!(
                "submitted job array {id} (tasks {}) and merge job {merge}, which runs once every task has succeeded",
                list(&tasks)
            ),
            None => say!("every shard is complete; submitted merge job {merge}"),
        }
        say!("follow them with: squeue -j {}", ids.join(","));
        say!(
            "the merged sweep will be in {}; if a task fails, read its log ({}), mend the cause and run this command again with --resume",
            out.display(),
            sub.slurm_dir().join("shard-K.log").display()
        );
    }
    drop(folder);
    if args.wait {
        wait(&sub, array.as_deref(), &merge, args.sim.quiet)?;
    }
    Ok(())
}

/// Submits one job script, turning sbatch's failures into errors that say what to do.
fn sbatch(
    script: &Path,
    extra: &[String],
    scripts: &[(&PathBuf, String)],
    submitted_array: Option<&str>,
) -> Result<String, Error> {
    slurm::sbatch(script, extra).map_err(|e| match e {
        SubmitError::NotFound => {
            for (path, text) in scripts {
                say!("# {}\n{text}", path.display());
            }
            Error::Usage(format!(
                "sbatch is not on PATH, so nothing was submitted: run this command on a Slurm login node, or submit the job scripts above (written into {}) yourself",
                script.parent().unwrap_or(script).display()
            ))
        }
        SubmitError::Refused(message) => {
            let mut message = format!("Slurm refused {}: {message}", script.display());
            if let Some(id) = submitted_array {
                message.push_str(&format!(
                    "\n(job array {id} was submitted; once the cause is mended, run this command again with --resume to submit the merge)"
                ));
            }
            Error::Scheduler {
                message,
                exit_code: 1,
            }
        }
    })
}

/// Waits for the merge job; an error if it did not complete, naming the failed tasks.
fn wait(sub: &Submission, array: Option<&str>, merge: &str, quiet: bool) -> Result<(), Error> {
    let scheduler = |message: String| Error::Scheduler {
        message,
        exit_code: 1,
    };
    let end = slurm::wait_for_merge(merge, |record| {
        if !quiet {
            say!("merge job {merge}: {} ({})", record.state, record.reason);
        }
    })
    .map_err(scheduler)?;
    match end {
        MergeEnd::Completed => {
            if !quiet {
                say!("merged sweep in {}", sub.out.display());
            }
            Ok(())
        }
        MergeEnd::DependencyNeverSatisfied => {
            let records = match array {
                Some(id) => slurm::show_job(id).map_err(scheduler)?.unwrap_or_default(),
                None => Vec::new(),
            };
            let failed: Vec<String> = records
                .into_iter()
                .filter(|r| !r.is_active() && r.state != "COMPLETED")
                .filter_map(|r| {
                    let task: usize = r.array_task?.parse().ok()?;
                    let log = sub.shard_log(task);
                    Some(format!(
                        "task {task} ended {}{} (log: {})",
                        r.state,
                        last_line(&log).map_or(String::new(), |l| format!(": {l}")),
                        log.display()
                    ))
                })
                .collect();
            Err(scheduler(format!(
                "merge job {merge} can never start: a task of job array {} failed\n  {}\nmend the cause and run this command again with --resume",
                array.unwrap_or("?"),
                if failed.is_empty() {
                    format!("see the logs in {}", sub.slurm_dir().display())
                } else {
                    failed.join("\n  ")
                }
            )))
        }
        MergeEnd::Failed { state, exit_code } => Err(Error::Scheduler {
            message: format!(
                "merge job {merge} ended {state} with exit code {exit_code}; see {}",
                sub.merge_log().display()
            ),
            exit_code: u8::try_from(exit_code.clamp(1, 255)).unwrap_or(1),
        }),
        MergeEnd::Unknown => Err(scheduler(format!(
            "Slurm no longer knows merge job {merge}; see {} for how it ended",
            sub.merge_log().display()
        ))),
    }
}

/// Before a resubmission: refuses while tasks of the last array are still queued or running
/// (they would write the same shard folders), and cancels its merge job if still pending (its
/// dependency failed, so it would wait for ever).
fn tidy_previous(previous: &Jobs, shards: usize, quiet: bool) -> Result<(), Error> {
    if previous.shards != shards {
        return Err(Error::Usage(format!(
            "--resume: this sweep was submitted as --slurm {}; resume it with the same number of shards",
            previous.shards
        )));
    }
    let known = |id: &str| slurm::show_job(id).map(Option::unwrap_or_default);
    if let Some(array) = &previous.array {
        let records = known(array).map_err(|message| Error::Scheduler {
            message,
            exit_code: 1,
        })?;
        if records.iter().any(|r| r.is_active()) {
            return Err(Error::Usage(format!(
                "--resume: tasks of job array {array} are still pending or running; wait for them (squeue -j {array}) or cancel them (scancel {array})"
            )));
        }
    }
    let merge = &previous.merge;
    let pending = known(merge)
        .map_err(|message| Error::Scheduler {
            message,
            exit_code: 1,
        })?
        .iter()
        .any(|r| r.state == "PENDING");
    if pending {
        slurm::cancel_pending(merge).map_err(|message| Error::Scheduler {
            message,
            exit_code: 1,
        })?;
        if !quiet {
            say!("cancelled merge job {merge} of the last submission, which could never start");
        }
    }
    Ok(())
}

/// Whether shard `task`'s folder holds every cell of its shard, complete.
fn shard_complete(sub: &Submission, info: &GridInfo, task: usize) -> Result<bool, Error> {
    let dir = sub.shard_dir(task);
    if let Ok(Some(manifest)) = store::GridManifest::read(&dir)
        && let Some([_, n]) = manifest.shard
        && n != sub.shards
    {
        return Err(Error::Usage(format!(
            "--resume: {} is a shard of a {n}-way split; resume with --slurm {n}",
            dir.display()
        )));
    }
    let budget = MemoryBudget::current().map_err(Error::Usage)?;
    Ok((0..info.cells.len())
        .filter(|c| c % sub.shards == task - 1)
        .all(|c| {
            matches!(
                store::read_cell(&store::cell_path(&dir, c), info, c, Cells::Sweep, budget),
                Ok(Some(_))
            )
        }))
}

fn read_jobs(path: &Path) -> Result<Option<Jobs>, Error> {
    let text = match crate::output::read_small_json(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::Usage(format!("cannot read {}: {e}", path.display()))),
    };
    let not_ours = |why: String| {
        Error::Usage(format!(
            "{} is not cutover's record of jobs: {why}",
            path.display()
        ))
    };
    let jobs: Jobs = serde_json::from_str(&text).map_err(|e| not_ours(e.to_string()))?;
    if jobs.shards == 0 {
        return Err(not_ours(
            "`shards` is 0, and a submission has one or more".into(),
        ));
    }
    // The ids go to scontrol and scancel: an edited one (`--me`) must never reach them.
    for (key, id) in [
        ("array", jobs.array.as_deref()),
        ("merge", Some(&jobs.merge[..])),
    ] {
        if let Some(id) = id.filter(|id| !slurm::is_job_id(id)) {
            return Err(not_ours(format!(
                "`{key}` is `{}`, not a job id (digits, as sbatch gives them)",
                slurm::quoted(id)
            )));
        }
    }
    Ok(Some(jobs))
}

/// The last line a job wrote to its log (its error, when it failed), if the log can be read.
fn last_line(log: &Path) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    // Only the end of the log: a task's log can be long, and its error is last.
    let mut file = crate::scenario::open_regular(log).ok()?;
    file.seek(SeekFrom::End(0)).ok()?;
    let tail_start = file.stream_position().ok()?.saturating_sub(64 * 1024);
    file.seek(SeekFrom::Start(tail_start)).ok()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
    Some(slurm::quoted(line))
}

fn has_entries(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) || dir.is_file()
}

/// Task numbers as Slurm writes an array: `1-3`, or `2,5` for a resubmission.
fn list(tasks: &[usize]) -> String {
    match tasks {
        [first, .., last] if last - first + 1 == tasks.len() => format!("{first}-{last}"),
        _ => tasks
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(","),
    }
}
