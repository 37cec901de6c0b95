//! Arguments: any argument vector, however hostile (bytes that are not UTF-8, numbers out of range,
//! junk flags), gets an answer and an exit code, never a panic (exit 101); a seed means the same on
//! the command line as in a scenario.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::process::{Command, Output};

use proptest::prelude::*;

use crate::common::{SMALL_SCENARIO, assert_bad_input, temp_dir, write_file};

fn cutover_os(cwd: &std::path::Path, args: &[OsString]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .current_dir(cwd)
        // Anything that gets as far as simulating is refused for memory at once: the property is
        // about the arguments, not about running scenarios.
        .env("CUTOVER_MEMORY_LIMIT", "1")
        .output()
        .expect("the cutover binary starts")
}

#[test]
fn arguments_that_are_not_utf8_are_bad_input_not_a_panic() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let bad = |prefix: &[u8]| {
        let mut bytes = prefix.to_vec();
        bytes.push(0xff);
        OsString::from_vec(bytes)
    };
    let utf8 = &["invalid UTF-8"][..];
    // An unknown flag or command is refused as unknown; a value that is not UTF-8 says so.
    let cases: Vec<(Vec<OsString>, &[&str])> = vec![
        (vec!["validate".into(), bad(b"a")], utf8),
        (vec!["run".into(), bad(b"s")], utf8),
        (
            vec![
                "run".into(),
                scenario.clone().into(),
                "--set".into(),
                bad(b"seed="),
            ],
            utf8,
        ),
        // A path that is not UTF-8, named by its argument wherever one is taken: it would be
        // recorded changed in manifest.json and report.html, naming another folder.
        (
            vec!["run".into(), "--out".into(), bad(b"o")],
            &["invalid UTF-8", "'--out <OUT>'"],
        ),
        (
            vec!["sweep".into(), scenario.into(), bad(b"--sh")],
            &["unexpected argument"],
        ),
        (vec![bad(b"r")], &["unrecognized subcommand"]),
    ];
    for (args, says) in cases {
        assert_bad_input(&cutover_os(dir.path(), &args), says);
    }
    let path_cases = |bad: &dyn Fn(&[u8]) -> OsString| -> Vec<(Vec<OsString>, &str)> {
        vec![
            (vec!["run".into(), bad(b"s")], "'[SCENARIO]'"),
            (
                vec!["sweep".into(), "--out".into(), bad(b"o")],
                "'--out <OUT>'",
            ),
            (
                vec!["compare".into(), "--out".into(), bad(b"o")],
                "'--out <OUT>'",
            ),
            (
                vec!["sensitivity".into(), "--out".into(), bad(b"o")],
                "'--out <OUT>'",
            ),
            (
                vec!["select".into(), "--out".into(), bad(b"o")],
                "'--out <OUT>'",
            ),
            (
                vec!["calibrate".into(), "--observed".into(), bad(b"w.csv")],
                "'--observed <OBS.csv>'",
            ),
            (
                vec![
                    "merge".into(),
                    "a".into(),
                    "b".into(),
                    "--out".into(),
                    bad(b"o"),
                ],
                "'--out <OUT>'",
            ),
            (
                vec![
                    "merge".into(),
                    bad(b"a"),
                    "b".into(),
                    "--out".into(),
                    "m".into(),
                ],
                "'<DIRS>...'",
            ),
            (vec!["plot".into(), bad(b"o")], "'<DIR>'"),
        ]
    };
    for (args, names) in path_cases(&bad) {
        assert_bad_input(&cutover_os(dir.path(), &args), &["invalid UTF-8", names]);
    }
    // A path holding what does not show as itself, which the messages, the manifest and the
    // report would write: a line end (that would forge a line), a tab, an escape, an override.
    for unseen in ["\nError: forged", "\t", "\u{1b}[2J", "\u{202e}"] {
        let hostile =
            |prefix: &[u8]| OsString::from(format!("{}{unseen}", String::from_utf8_lossy(prefix)));
        for (args, names) in path_cases(&hostile) {
            let out = cutover_os(dir.path(), &args);
            let stderr = assert_bad_input(&out, &["does not show as itself", names]);
            assert!(!stderr.contains("\nError: forged"), "{stderr}");
        }
    }
    // Refused before anything was written.
    let written: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(written.len(), 1, "only the scenario: {written:?}");
}

#[test]
fn seed_flag_and_seed_key_accept_and_refuse_the_same_values() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let largest = i64::MAX.to_string();
    let beyond = (i64::MAX as u64 + 1).to_string();
    for seed in [&largest, &beyond] {
        let by_flag = Command::new(env!("CARGO_BIN_EXE_cutover"))
            .args(["run", &scenario, "--reps", "1", "--seed", seed, "-q"])
            .args(["--no-charts", "--out", "o"])
            .current_dir(dir.path())
            .env("CUTOVER_MEMORY_LIMIT", "1")
            .output()
            .unwrap();
        let by_key = Command::new(env!("CARGO_BIN_EXE_cutover"))
            .args(["run", &scenario, "--reps", "1", "--set"])
            .arg(format!("seed={seed}"))
            .args(["-q", "--no-charts", "--out", "o"])
            .current_dir(dir.path())
            .env("CUTOVER_MEMORY_LIMIT", "1")
            .output()
            .unwrap();
        // With no memory to run in, an accepted seed ends at the memory check.
        let accepted = |o: &Output| String::from_utf8_lossy(&o.stderr).contains("needs about");
        assert_eq!(
            accepted(&by_flag),
            accepted(&by_key),
            "seed {seed}:\n{}\n{}",
            String::from_utf8_lossy(&by_flag.stderr),
            String::from_utf8_lossy(&by_key.stderr)
        );
        assert_eq!(accepted(&by_flag), seed == &largest, "seed {seed}");
        assert_eq!(by_flag.status.code(), Some(2));
        assert_eq!(by_key.status.code(), Some(2));
    }
}

/// A value that the command line refuses is quoted by its start and its length, with the flag and
/// the range it accepts, however long it is; and what the message quotes of an argument holds no
/// control character, even when colour is forced (as on a terminal).
#[test]
fn a_refused_flag_value_is_named_briefly_with_the_range_and_never_raw() {
    let dir = temp_dir();
    let digits = "9".repeat(100_000);
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_cutover"))
            .args(args)
            .current_dir(dir.path())
            .env("CLICOLOR_FORCE", "1")
            .env("CUTOVER_MEMORY_LIMIT", "1")
            .output()
            .unwrap();
        let stderr = assert_bad_input(&out, &[]);
        assert!(
            stderr.len() < 1_000,
            "{} bytes: {}",
            stderr.len(),
            &stderr[..1_000]
        );
        stderr
    };
    const CALIBRATE: &[&str] = &[
        "calibrate",
        "small-pilot",
        "--observed",
        "w.csv",
        "--fit",
        "seed=1..2",
    ];
    let ranges: &[(&[&str], &str, &str)] = &[
        (&["run"], "--reps", "from 1 to 1000000"),
        (&["run"], "--seed", "from 0 to 9223372036854775807"),
        (&["run"], "--threads", "from 1 to 1024"),
        (&["run"], "--detail", "nor `none`"),
        (&["sweep", "small-pilot"], "--shard", "K/N"),
        (&["sweep", "small-pilot"], "--slurm", "from 1 to 1000000"),
        (
            &[
                "sensitivity",
                "small-pilot",
                "--vary",
                "copy.per_tenant=1..2",
            ],
            "--samples",
            "from 2 to 65536",
        ),
        (CALIBRATE, "--iterations", "from 1 to 10000"),
        (CALIBRATE, "--holdout", "from 0 to 18446744073709551615"),
        (
            &[
                "select",
                "small-pilot",
                "--policies",
                "fifo,random",
                "--metric",
                "slips",
                "--delta",
                "1",
            ],
            "--n0",
            "from 0 to 18446744073709551615",
        ),
    ];
    for (command, flag, range) in ranges {
        for value in [digits.as_str(), "-1", "-1e3", "1e3"] {
            // As `--flag=value` and as `--flag value`: a value starting with a dash is the
            // flag's value, refused with its range, not taken for an unknown flag.
            let assignment = format!("{flag}={value}");
            for given in [vec![&assignment[..]], vec![flag, value]] {
                let mut args = command.to_vec();
                args.extend(given);
                let stderr = run(&args);
                for needle in [&flag[..], range] {
                    assert!(
                        stderr.contains(needle),
                        "{flag} {value:.9}: no `{needle}`:\n{stderr}"
                    );
                }
                if value == digits {
                    assert!(stderr.contains("(100000 digits)"), "{stderr}");
                }
            }
        }
    }
    // select's two real numbers: a negative one, in any notation, reaches select's own check.
    for (flag, value, says) in [
        ("--alpha", "-5e-324", "--alpha -5e-324: "),
        ("--alpha", "-0.05", "--alpha -0.05: "),
        (
            "--delta",
            "-1e-3",
            "--delta -0.001: the indifference zone must be",
        ),
    ] {
        let mut args = vec!["select", "small-pilot", "--policies", "fifo,random"];
        args.extend(["--metric", "slips", flag, value]);
        if flag != "--delta" {
            args.extend(["--delta", "1"]);
        }
        let stderr = run(&args);
        assert!(
            stderr.contains(says),
            "{flag} {value}: no `{says}`:\n{stderr}"
        );
    }
    // clap's own words (the usage line) are not shortened.
    let stderr = run(&["select", "s", "--n1", "5"]);
    assert!(
        stderr.contains("<DELTA> <SCENARIO>") && !stderr.contains("characters)"),
        "{stderr}"
    );
    let escape = "\u{1b}]0;title\u{7}\u{1b}[2J";
    for args in [
        vec![format!("ru{escape}n")],
        vec!["run".into(), format!("--x{escape}")],
        vec!["run".into(), format!("--reps={escape}")],
        vec![
            "sensitivity".into(),
            "s".into(),
            format!("--method={escape}"),
        ],
        vec!["run".into(), format!("--{}", "x".repeat(100_000))],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let stderr = run(&args);
        // clap's own colours are `ESC [ ... m`; nothing else of the argument may reach the screen.
        for raw in ["\u{7}", "\u{1b}]", "\u{1b}[2J"] {
            assert!(!stderr.contains(raw), "{raw:?} in {stderr:?}");
        }
    }
}

/// A path longer than any path can be (a scenario, a folder, a file read) is refused by its
/// length, not echoed back whole in a message that it cannot be read.
#[test]
fn a_path_longer_than_any_path_is_refused_by_its_length() {
    let dir = temp_dir();
    let long = "d".repeat(100_000);
    let calibrate = "calibrate small-pilot --fit copy.per_tenant=1..2 --observed";
    for words in [
        "run",
        "run small-pilot --out",
        "compare small-pilot --policies fifo,random --out",
        "sweep",
        "sensitivity --vary copy.per_tenant=1..2",
        "select --policies fifo,random --metric slips --delta 1",
        "seek --vary operators.weekend=1..2 --require mean(slips)<=1",
        calibrate,
        "validate",
        "plot",
        "merge --out o",
        "merge sh --out",
    ] {
        let mut args: Vec<&str> = words.split(' ').collect();
        args.push(&long);
        let out = Command::new(env!("CARGO_BIN_EXE_cutover"))
            .args(&args)
            .current_dir(dir.path())
            .env("CUTOVER_MEMORY_LIMIT", "1")
            .output()
            .unwrap();
        let stderr = assert_bad_input(
            &out,
            &["a path of 100000 bytes, longer than the 4096 a path can have"],
        );
        assert!(stderr.len() < 1_000, "{words}: {stderr:.1000}");
    }
}

/// One argument: a word the command line knows, a number, or random bytes (often not UTF-8).
fn argument() -> impl Strategy<Value = OsString> {
    let words = prop::sample::select(vec![
        "run",
        "compare",
        "sweep",
        "merge",
        "validate",
        "plot",
        "scenarios",
        "--out",
        "--set",
        "--seed",
        "--reps",
        "--threads",
        "--shard",
        "--resume",
        "--policies",
        "--detail",
        "--wait-lock",
        "--no-charts",
        "-q",
        "small-pilot",
        "seed=18446744073709551616",
        "name=..",
        "1/0",
        "-1",
        "18446744073709551616",
        "=",
        "",
    ]);
    prop_oneof![
        words.prop_map(OsString::from),
        // An argument cannot hold a NUL byte: the operating system ends it there.
        prop::collection::vec(1..=255u8, 0..12).prop_map(OsString::from_vec),
        any::<i128>().prop_map(|n| OsString::from(n.to_string())),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_argument_vector_makes_the_binary_panic(
        args in prop::collection::vec(argument(), 0..6),
    ) {
        let dir = temp_dir();
        let out = cutover_os(dir.path(), &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert!(
            out.status.code().is_some_and(|c| c != 101) && !stderr.contains("panicked"),
            "{args:?}: exit {:?}\n{stderr}",
            out.status.code()
        );
    }
}
