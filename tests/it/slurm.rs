//! `cutover sweep --slurm`: the job scripts it writes (run here by bash, as Slurm would run them),
//! what it asks of `sbatch`, `scontrol` and `scancel` (fakes on PATH), and its bad input. A real
//! cluster is in tests/slurm/run.sh.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{
    SMALL_SCENARIO, assert_bad_input, assert_success, cutover, temp_dir, write_file,
};

/// Three cells of SMALL_SCENARIO, two replications each.
fn grid_scenario(dir: &Path) -> String {
    let text = SMALL_SCENARIO.replacen("replications = 3", "replications = 2", 1);
    assert!(text != SMALL_SCENARIO, "SMALL_SCENARIO sets replications");
    let text = format!("{text}\n[sweep]\n\"batching.max_tenants\" = [20, 40, 60]\n");
    write_file(dir, "grid.toml", &text)
}

/// Fake `sbatch`, `scontrol` and `scancel` in `dir/bin`. sbatch logs its arguments to
/// `dir/sbatch.log` and answers job ids from 100 up (or refuses, if `dir/refuse` exists);
/// scontrol prints `dir/job-ID` for `show job -o ID`; scancel logs its arguments.
fn fake_slurm(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let state = dir.display();
    let scripts = [
        (
            "sbatch",
            format!(
                r#"echo "$@" >> {state}/sbatch.log
if [ -e {state}/refuse ]; then
  echo "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2
  exit 1
fi
n=$(cat {state}/next 2>/dev/null || echo 100)
echo $((n + 1)) > {state}/next
echo "$n;test""#
            ),
        ),
        (
            "scontrol",
            format!(
                r#"if [ -e {state}/job-$4 ]; then cat {state}/job-$4; else
  echo "slurm_load_jobs error: Invalid job id specified" >&2; exit 1; fi"#
            ),
        ),
        ("scancel", format!(r#"echo "$@" >> {state}/scancel.log"#)),
    ];
    for (name, body) in scripts {
        let path = bin.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&path, perms).unwrap();
    }
    bin
}

/// A temporary folder with the grid scenario and the fake Slurm commands in it.
fn setup() -> (tempfile::TempDir, String, PathBuf) {
    let dir = temp_dir();
    let scenario = grid_scenario(dir.path());
    let bin = fake_slurm(dir.path());
    (dir, scenario, bin)
}

/// What the fake scontrol says of job `id`.
fn job(dir: &Path, id: u32, records: &str) {
    std::fs::write(dir.join(format!("job-{id}")), records).unwrap();
}

/// Runs cutover in `cwd` with `bin` (and the system's own folders, for `cat`) as PATH.
fn cutover_on(cwd: &Path, bin: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .current_dir(cwd)
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .output()
        .expect("the cutover binary starts")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs a job script with bash as a Slurm node would, with `env` set.
fn run_job(script: &Path, env: &[(&str, &str)]) {
    let out = Command::new("bash")
        .arg(script)
        .envs(env.iter().copied())
        .output()
        .expect("bash starts");
    assert_success(&out);
}

#[test]
fn the_job_scripts_run_as_slurm_would_give_the_bytes_of_a_local_sweep() {
    scripts_give_the_bytes_of_a_local_sweep(&[]);
}

#[test]
fn the_job_scripts_carry_precision_targets() {
    scripts_give_the_bytes_of_a_local_sweep(&["--precision", "makespan_days=0.05", "--reps", "6"]);
}

/// Submits a sweep with `flags` to the fake Slurm, runs its job scripts with bash and compares
/// the merged files with a local sweep with the same flags.
fn scripts_give_the_bytes_of_a_local_sweep(flags: &[&str]) {
    let (dir, scenario, bin) = setup();
    let mut args = vec![
        "sweep",
        &scenario,
        "--slurm",
        "2",
        "--no-charts",
        "--out",
        "cluster",
    ];
    args.extend_from_slice(flags);
    let out = cutover_on(dir.path(), &bin, &args);
    assert_success(&out);
    let printed = stdout(&out);
    assert!(
        printed.contains("submitted job array 100 (tasks 1-2) and merge job 101"),
        "{printed}"
    );
    assert!(printed.contains("squeue -j 100,101"), "{printed}");
    let cluster = dir.path().join("cluster").canonicalize().unwrap();
    let slurm = cluster.join("slurm");
    let calls = read(&dir.path().join("sbatch.log"));
    assert_eq!(
        calls,
        format!(
            "--parsable {}\n--parsable --dependency=afterok:100 {}\n",
            slurm.join("shards.sh").display(),
            slurm.join("merge.sh").display()
        )
    );
    let shards = read(&slurm.join("shards.sh"));
    assert!(shards.contains("#SBATCH --array=1-2\n"), "{shards}");
    assert!(shards.contains("#SBATCH --cpus-per-task=1\n"), "{shards}");

    for task in ["1", "2"] {
        run_job(&slurm.join("shards.sh"), &[("SLURM_ARRAY_TASK_ID", task)]);
    }
    run_job(&slurm.join("merge.sh"), &[]);
    let mut args = vec!["sweep", &scenario, "--no-charts", "--out", "local", "-q"];
    args.extend_from_slice(flags);
    let local = cutover(dir.path(), &args);
    assert_success(&local);
    for file in ["replications.csv", "summary.csv"] {
        assert_eq!(
            read(&cluster.join(file)),
            read(&dir.path().join("local").join(file)),
            "{file}"
        );
    }
}

#[test]
fn sbatch_options_reach_both_scripts_and_cpus_per_task_sets_the_threads() {
    let (dir, scenario, bin) = setup();
    let out = cutover_on(
        dir.path(),
        &bin,
        &[
            "sweep",
            &scenario,
            "--slurm",
            "3",
            "--sbatch",
            "--partition=short",
            "--sbatch=--cpus-per-task=4",
            "--out",
            "o",
            "-q",
        ],
    );
    assert_success(&out);
    assert_eq!(stdout(&out), "", "--quiet prints nothing");
    let shards = read(&dir.path().join("o/slurm/shards.sh"));
    let merge = read(&dir.path().join("o/slurm/merge.sh"));
    assert!(shards.contains("#SBATCH --partition=short\n"), "{shards}");
    assert!(shards.contains("#SBATCH --cpus-per-task=4\n"), "{shards}");
    assert!(
        shards.contains("--threads \"${SLURM_CPUS_PER_TASK:-1}\""),
        "{shards}"
    );
    assert!(merge.contains("#SBATCH --partition=short\n"), "{merge}");
    assert!(!merge.contains("cpus-per-task"), "{merge}");
}

#[test]
fn resume_submits_only_incomplete_shards_and_cancels_the_stuck_merge() {
    let (dir, scenario, bin) = setup();
    let args = [
        "sweep",
        &scenario,
        "--slurm",
        "3",
        "--no-charts",
        "--out",
        "o",
    ];
    assert_success(&cutover_on(dir.path(), &bin, &args));
    // Tasks 1 and 3 ran; task 2 failed, so merge job 101 waits for ever.
    let slurm = dir.path().join("o/slurm");
    for task in ["1", "3"] {
        run_job(&slurm.join("shards.sh"), &[("SLURM_ARRAY_TASK_ID", task)]);
    }
    job(
        dir.path(),
        100,
        "JobId=102 ArrayJobId=100 ArrayTaskId=1 JobState=COMPLETED Reason=None ExitCode=0:0\n\
         JobId=100 ArrayJobId=100 ArrayTaskId=2 JobState=FAILED Reason=NonZeroExitCode ExitCode=2:0\n",
    );
    job(
        dir.path(),
        101,
        "JobId=101 JobState=PENDING Reason=DependencyNeverSatisfied ExitCode=0:0\n",
    );

    let mut resume = args.to_vec();
    resume.push("--resume");
    let out = cutover_on(dir.path(), &bin, &resume);
    assert_success(&out);
    let printed = stdout(&out);
    assert!(printed.contains("cancelled merge job 101"), "{printed}");
    assert!(
        printed.contains("submitted job array 102 (tasks 2) and merge job 103"),
        "{printed}"
    );
    assert_eq!(
        read(&dir.path().join("scancel.log")),
        "--state=PENDING 101\n"
    );
    let calls = read(&dir.path().join("sbatch.log"));
    let last: Vec<&str> = calls.lines().skip(2).collect();
    assert!(last[0].starts_with("--parsable --array=2 "), "{calls}");
    assert!(
        last[1].starts_with("--parsable --dependency=afterok:102 "),
        "{calls}"
    );

    // While a task of the new array is still running, another resume is refused.
    job(
        dir.path(),
        102,
        "JobId=104 ArrayJobId=102 ArrayTaskId=2 JobState=RUNNING Reason=None ExitCode=0:0\n",
    );
    let again = cutover_on(dir.path(), &bin, &resume);
    assert_bad_input(
        &again,
        &["tasks of job array 102 are still pending or running"],
    );
}

/// The job ids of slurm/jobs.json go to scontrol and scancel: one that is not a job id (an edited
/// `--me` would cancel every pending job of the user) is refused naming the file, and nothing is
/// asked of Slurm; a record scontrol prints of another job is not taken for the merge job's.
#[test]
fn resume_refuses_a_record_of_jobs_that_are_not_job_ids() {
    let (dir, scenario, bin) = setup();
    let args = [
        "sweep",
        &scenario,
        "--slurm",
        "3",
        "--no-charts",
        "--out",
        "o",
    ];
    assert_success(&cutover_on(dir.path(), &bin, &args));
    let jobs = dir.path().join("o/slurm/jobs.json");
    let recorded = read(&jobs);
    let mut resume = args.to_vec();
    resume.push("--resume");
    for (from, to, key) in [
        (
            "\"merge\": \"101\"",
            "\"merge\": \"--me\"",
            "`merge` is `--me`",
        ),
        (
            "\"array\": \"100\"",
            "\"array\": \"-u0\"",
            "`array` is `-u0`",
        ),
    ] {
        assert!(recorded.contains(from), "{recorded}");
        std::fs::write(&jobs, recorded.replace(from, to)).unwrap();
        let out = cutover_on(dir.path(), &bin, &resume);
        assert_bad_input(
            &out,
            &["slurm/jobs.json is not cutover's record of jobs", key],
        );
    }
    assert!(!dir.path().join("scancel.log").exists());

    // scontrol answers for merge job 101 with another job's record: nothing is cancelled.
    std::fs::write(&jobs, &recorded).unwrap();
    job(
        dir.path(),
        101,
        "JobId=999 JobState=PENDING Reason=DependencyNeverSatisfied ExitCode=0:0\n",
    );
    let out = cutover_on(dir.path(), &bin, &resume);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("printed no record of that job"), "{stderr}");
    assert!(!dir.path().join("scancel.log").exists());
}

#[test]
fn wait_names_the_failed_task_and_exits_1_or_exits_0_once_merged() {
    let (dir, scenario, bin) = setup();
    job(
        dir.path(),
        100,
        "JobId=102 ArrayJobId=100 ArrayTaskId=2 JobState=FAILED Reason=NonZeroExitCode ExitCode=2:0\n",
    );
    job(
        dir.path(),
        101,
        "JobId=101 JobState=PENDING Reason=DependencyNeverSatisfied ExitCode=0:0\n",
    );
    let args = ["sweep", &scenario, "--slurm", "2", "--wait", "--out", "o"];
    let out = cutover_on(dir.path(), &bin, &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("merge job 101 can never start")
            && stderr.contains("task 2 ended FAILED")
            && stderr.contains("shard-2.log")
            && stderr.contains("--resume"),
        "{stderr}"
    );

    job(
        dir.path(),
        103,
        "JobId=103 JobState=COMPLETED Reason=None ExitCode=0:0\n",
    );
    job(dir.path(), 102, "");
    let mut resume = args.to_vec();
    resume.push("--resume");
    let out = cutover_on(dir.path(), &bin, &resume);
    assert_success(&out);
    assert!(stdout(&out).contains("merge job 103: COMPLETED"));
}

#[test]
fn a_failed_merge_job_gives_its_own_exit_code() {
    let (dir, scenario, bin) = setup();
    job(
        dir.path(),
        101,
        "JobId=101 JobState=FAILED Reason=NonZeroExitCode ExitCode=2:0\n",
    );
    let out = cutover_on(
        dir.path(),
        &bin,
        &["sweep", &scenario, "--slurm", "2", "--wait", "--out", "o"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("merge job 101 ended FAILED"), "{stderr}");
    assert!(stderr.contains("merge.log"), "{stderr}");
}

#[test]
fn without_sbatch_the_scripts_are_printed_and_nothing_is_submitted() {
    let dir = temp_dir();
    let scenario = grid_scenario(dir.path());
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["sweep", &scenario, "--slurm", "2", "--out", "o"])
        .current_dir(dir.path())
        .env("PATH", &empty)
        .output()
        .unwrap();
    assert_bad_input(&out, &["sbatch is not on PATH", "nothing was submitted"]);
    let printed = stdout(&out);
    assert!(printed.contains("#SBATCH --array=1-2"), "{printed}");
    assert!(printed.contains(" merge "), "{printed}");
    assert!(dir.path().join("o/slurm/shards.sh").is_file());
}

#[test]
fn a_refused_submission_passes_on_slurms_message_with_exit_code_1() {
    let (dir, scenario, bin) = setup();
    std::fs::write(dir.path().join("refuse"), "").unwrap();
    let out = cutover_on(
        dir.path(),
        &bin,
        &[
            "sweep",
            &scenario,
            "--slurm",
            "2",
            "--sbatch=-pnone",
            "--out",
            "o",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Slurm refused") && stderr.contains("Invalid partition name specified"),
        "{stderr}"
    );
}

/// A disk that fills up once the jobs are submitted, as their record (slurm/jobs.json) is
/// written: the message names the jobs, which will run, and says to let them end or cancel them
/// before running the command again, which would submit them a second time (`--resume` knows
/// them only from that record). It said only to free some space and run again.
#[cfg(target_os = "linux")]
#[test]
fn a_disk_full_after_submitting_names_the_jobs_submitted() {
    let (dir, scenario, bin) = setup();
    let disk = dir.path().join("disk");
    let out = disk.join("o");
    let mut met = false;
    for kib in (4..64).step_by(4) {
        let Some(_tmpfs) = crate::common::Tmpfs::mount(&disk, kib) else {
            return;
        };
        for file in ["sbatch.log", "next"] {
            let _ = std::fs::remove_file(dir.path().join(file));
        }
        let args = ["sweep", &scenario, "--slurm", "2", "-q", "--out"];
        let ran = cutover_on(
            dir.path(),
            &bin,
            &[&args[..], &[out.to_str().unwrap()]].concat(),
        );
        if ran.status.success() {
            break;
        }
        let stderr = String::from_utf8_lossy(&ran.stderr);
        assert_eq!(ran.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("No space left on device"), "{stderr}");
        if dir.path().join("sbatch.log").exists() {
            met = true;
            assert!(stderr.contains("slurm/jobs.json"), "{stderr}");
            assert!(
                stderr.contains("were submitted and will run")
                    && stderr.contains("squeue -j 100,101")
                    && stderr.contains("scancel 100 101"),
                "{stderr}"
            );
        }
    }
    assert!(
        met,
        "the disk never filled between submitting and recording the jobs"
    );
}

/// A program named `sbatch` that prints megabytes is read to a bound (1 MiB a stream), the rest
/// thrown away as it comes so that it can end: the message quotes the start, says that the
/// output was cut and how long it was, and stays a few lines long. It was read whole, however
/// long, and only then shortened for the screen.
#[test]
fn a_flood_from_sbatch_is_read_to_a_bound_and_the_message_says_it_was_cut() {
    let (dir, scenario, bin) = setup();
    let flood = "head -c 3000000 /dev/zero | tr '\\0' x >&2; echo ' sbatch: error: last' >&2";
    let sbatch = bin.join("sbatch");
    std::fs::write(&sbatch, format!("#!/bin/sh\n{flood}\nexit 1\n")).unwrap();
    let out = cutover_on(
        dir.path(),
        &bin,
        &["sweep", &scenario, "--slurm", "2", "--out", "o"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.len() < 2_000, "{stderr}");
    assert!(
        stderr.contains("Slurm refused")
            && stderr.contains("xxxxxxxxxx... (1048576 characters) [cut: only its first 1 MiB were read, of 3000021 bytes]"),
        "{stderr}"
    );
}

#[test]
fn bad_slurm_flags_are_refused_before_anything_is_written() {
    let (dir, scenario, bin) = setup();
    let cases: &[(&[&str], &[&str])] = &[
        (&["--slurm", "0"], &["--slurm", "0"]),
        (&["--slurm", "4"], &["3 cells", "--slurm 3"]),
        (
            &["--slurm", "2", "--shard", "1/2"],
            &["--shard", "cannot be used with"],
        ),
        (&["--sbatch=--partition=x"], &["--slurm"]),
        (&["--wait"], &["--slurm"]),
        (
            &["--slurm", "2", "--sbatch=--array=1-9"],
            &["cutover sets --array itself"],
        ),
        (
            &["--slurm", "2", "--sbatch", "--time 10"],
            &["--name=value"],
        ),
        (
            &[
                "--slurm",
                "2",
                "--threads",
                "2",
                "--sbatch=--cpus-per-task=4",
            ],
            &["disagree"],
        ),
        (&["--slurm", "2", "--out", "a b"], &["--out", "' '"]),
    ];
    for (flags, needles) in cases {
        let mut args = vec!["sweep", scenario.as_str()];
        args.extend_from_slice(flags);
        if !flags.contains(&"--out") {
            args.extend(["--out", "o"]);
        }
        let out = cutover_on(dir.path(), &bin, &args);
        assert_bad_input(&out, needles);
        assert!(
            !dir.path().join("sbatch.log").exists(),
            "{flags:?} submitted"
        );
        assert!(!dir.path().join("a b").exists(), "{flags:?} wrote a folder");
        assert!(!dir.path().join("o").exists(), "{flags:?} wrote a folder");
    }
}

#[test]
fn a_plain_submission_refuses_a_folder_that_already_holds_shards() {
    let (dir, scenario, bin) = setup();
    std::fs::create_dir_all(dir.path().join("o/shards/1")).unwrap();
    let out = cutover_on(
        dir.path(),
        &bin,
        &["sweep", &scenario, "--slurm", "2", "--out", "o"],
    );
    assert_bad_input(&out, &["shards of an earlier submission", "--resume"]);
    assert!(!dir.path().join("sbatch.log").exists());
}

/// The shard jobs write into OUT/shards/K: a `shards` that is a link to a folder elsewhere was
/// followed, so that the jobs wrote outside the output folder. It is refused before anything is
/// submitted, with or without --resume.
#[test]
fn a_linked_shards_folder_is_refused_not_followed() {
    let (dir, scenario, bin) = setup();
    let d = dir.path();
    std::fs::create_dir_all(d.join("o")).unwrap();
    std::fs::create_dir_all(d.join("elsewhere")).unwrap();
    std::os::unix::fs::symlink("../elsewhere", d.join("o/shards")).unwrap();
    for extra in [&[][..], &["--resume"]] {
        let args = [
            &["sweep", &scenario, "--slurm", "2", "--out", "o"][..],
            extra,
        ]
        .concat();
        let out = cutover_on(d, &bin, &args);
        assert_bad_input(&out, &["o/shards is a link", "remove the link"]);
        assert!(!d.join("sbatch.log").exists(), "{extra:?} submitted");
    }
    assert_eq!(std::fs::read_dir(d.join("elsewhere")).unwrap().count(), 0);
}
