//! Programmes the scenario defines: a programme of its own runs like the BPOS one (phases in
//! timeseries.csv and spans.csv, the window's rollbacks), a programme that cannot run is refused
//! at its file, line and column, and random valid programmes keep every invariant of the model.

use cutover::model::{SpanOutcome, Status};
use cutover::scenario::Scenario;
use proptest::prelude::*;

use crate::common::run_detailed;
use crate::model_behaviour::check_invariants;

/// A small tenant-to-tenant programme: a waiting phase, copies weeks ahead, a freeze, the
/// cutover window and a clean-up after it.
const PROGRAMME: &str = r#"name = "prog"
seed = 3

[population]
tenants = 40
regions = ["NA"]

[phases]
window_hours = 2

[[phases.programme]]
key = "backlog"
name = "Backlog"

[[phases.programme]]
key = "presync"
name = "Pre-sync"
start_days = -14
work = ["mail_sync", "file_sync"]

[[phases.programme]]
key = "freeze"
start_days = -2
work = ["freeze_notice"]

[[phases.programme]]
key = "cutover"
name = "Cutover"
start_hours = 0
window = true
work = ["delta_sync", "identity_switch"]

[[phases.programme]]
key = "cleanup"
start_hours = 24
work = ["decommission"]

[batching]
max_tenants = 15

[copy]
slots = 20

[workitems]
transient_probability = 0.05
hard_failure_probability = 0.01

[workitems.mail_sync]
copy = "mailboxes"

[workitems.file_sync]
copy = "sites"

[workitems.freeze_notice]
duration_minutes = 5

[workitems.delta_sync]
duration_minutes = 30
minutes_per_seat = 0.05

[workitems.identity_switch]
duration_minutes = { dist = "lognormal", median = 20, sigma = 0.5 }
hard_failure_probability = 0.05

[workitems.decommission]
duration_minutes = 60

[operators]
weekday = 1
weekend = 2
"#;

fn load(text: &str) -> Result<Scenario, String> {
    Scenario::from_text(text, "p.toml", &[]).map_err(|e| e.to_string())
}

#[test]
fn a_programme_of_its_own_runs_through_its_phases() {
    let sc = load(PROGRAMME).expect("a valid programme");
    let programme = &sc.phases.programme;
    let keys: Vec<&str> = programme.phases().map(|p| programme.key(p)).collect();
    assert_eq!(keys, ["backlog", "presync", "freeze", "cutover", "cleanup"]);
    let (presync, cutover, cleanup) = (
        programme.find("presync").unwrap(),
        programme.window(),
        programme.last(),
    );
    assert_eq!(programme.key(cutover), "cutover");
    let mut transitioned = 0;
    let mut rolled_back = 0;
    for replication in 0..3 {
        let (m, d) = run_detailed(&sc, replication);
        check_invariants(&format!("prog {replication}"), &sc, &m, &d);
        transitioned += m.transitioned;
        for s in &d.timeseries {
            assert_eq!(s.phases.len(), 5);
        }
        for s in &d.spans {
            assert!(s.phase >= presync, "spans start at the copy phase: {s:?}");
            if s.outcome == SpanOutcome::RolledBack {
                rolled_back += 1;
                assert!(s.phase <= cutover, "no rollback after the window: {s:?}");
            }
        }
        for t in d.tenants.iter().filter(|t| t.transition_date.is_some()) {
            assert_eq!((t.final_phase, t.final_status), (cleanup, Status::Complete));
        }
    }
    assert!(transitioned > 0, "nobody transitioned");
    // A 2-hour window with 5% hard failures of the identity switch and two weekend operators
    // rolls some tenants back.
    assert!(rolled_back > 0, "no rollback in three replications");
}

#[test]
fn the_bpos_keys_and_a_programme_of_its_own_do_not_mix() {
    let text = PROGRAMME.replace("window_hours = 2", "window_hours = 2\nprestage_days = -7");
    let err = load(&text).unwrap_err();
    assert!(
        err.contains("`phases.prestage_days` sets an offset of the built-in BPOS programme"),
        "{err}"
    );
    assert!(err.contains("p.toml:10:17"), "{err}");
}

/// Each broken programme (a replacement in `PROGRAMME`) and what its refusal must say, with where.
const BROKEN: &[(&str, &str, &[&str])] = &[
    ("window = true\n", "", &["no cutover window", "p.toml:"]),
    (
        "start_days = -2",
        "start_days = -14",
        &[
            "`freeze` (T-14) starts at the same offset as `presync` (T-14)",
            "p.toml:23:14",
        ],
    ),
    (
        "start_days = -2",
        "start_days = -20",
        &[
            "phase offsets out of order",
            "`freeze` (T-20) starts before `presync`",
            "p.toml:23:14",
        ],
    ),
    (
        "key = \"freeze\"",
        "key = \"presync\"",
        &["two phases are called `presync`", "p.toml:22:7"],
    ),
    (
        "name = \"Cutover\"",
        "name = \"Pre-sync\"",
        &[
            "phases `presync` and `cutover` are both named `Pre-sync`",
            "p.toml:",
        ],
    ),
    (
        "\"identity_switch\"]",
        "\"identity_switch\", \"typo\"]",
        &[
            "work kind `typo` is not defined",
            "p.toml:31:",
            "[workitems.typo]",
        ],
    ),
    (
        "[copy]\nslots = 20\n",
        "",
        &[
            "copy kind `mail_sync` copies through copy slots, but the scenario has no `[copy]` section",
            "p.toml:19:9",
        ],
    ),
    (
        "work = [\"decommission\"]",
        "work = [\"decommission\", \"mail_sync\"]",
        &[
            "copy kind `mail_sync` runs in `cleanup`, after the window `cutover`",
            "p.toml:36:",
        ],
    ),
    (
        "work = [\"freeze_notice\"]",
        "work = [\"freeze_notice\", \"file_sync\"]",
        &["copies already start in `presync`", "p.toml:24:"],
    ),
    (
        "start_hours = 24",
        "start_hours = 1",
        &[
            "phase `cleanup` starts at T+1h, before `cutover`'s 2-hour window closes",
            "p.toml:35:15",
        ],
    ),
    (
        "key = \"backlog\"\n",
        "key = \"backlog\"\nstart_days = -30\n",
        &[
            "the first phase, `backlog`, is where tenants wait",
            "p.toml:13:14",
        ],
    ),
    (
        "start_days = -2\n",
        "",
        &["phase `freeze` has no start", "p.toml:21:"],
    ),
    (
        "key = \"freeze\"",
        "key = \"Freeze Phase\"",
        &[
            "phase key `Freeze Phase` cannot name a column",
            "p.toml:22:7",
        ],
    ),
    (
        "key = \"freeze\"",
        "key = \"errors_outstanding\"",
        &[
            "`errors_outstanding` is already a column of timeseries.csv",
            "p.toml:22:7",
        ],
    ),
    (
        "[workitems.decommission]\nduration_minutes = 60\n",
        "[workitems.decommission]\n",
        &[
            "work kind `decommission` has no `duration_minutes`",
            "p.toml:",
        ],
    ),
    (
        // -14 days less 0.36 s: the same second, where the simulation starts phases, as
        // `presync`; run, every tenant was rolled back from a freeze of no length for ever.
        "start_days = -2",
        "start_hours = -335.9999",
        &[
            "`freeze` (T-335.9999h) starts less than a second after `presync` (T-14)",
            "p.toml:23:15",
        ],
    ),
    (
        "[workitems.mail_sync]\ncopy = \"mailboxes\"",
        "[workitems.mail_sync]\ncopy = \"mailbox\"",
        &[
            "`workitems.mail_sync.copy` has no value `mailbox`",
            "did you mean `mailboxes`?",
        ],
    ),
    (
        "start_days = -2\n",
        "start_days = -2\nwindow = true\n",
        &["more than one window phase", "p.toml:"],
    ),
];

#[test]
fn a_programme_that_cannot_run_is_refused_where_it_is_written() {
    for (from, to, needles) in BROKEN {
        assert!(PROGRAMME.contains(from), "the fixture has {from:?}");
        let text = PROGRAMME.replacen(from, to, 1);
        let err = match load(&text) {
            Ok(_) => panic!("accepted: {from:?} -> {to:?}"),
            Err(e) => e,
        };
        for needle in *needles {
            assert!(
                err.contains(needle),
                "{from:?} -> {to:?}: no {needle:?} in\n{err}"
            );
        }
    }
}

/// A programme without a window, or one that is not a list of phases, is reported as that
/// alone: not followed by errors that take a stand-in for the window (copies "after the window
/// `announce`") or call every `[workitems.<kind>]` table unknown, which a planner would chase.
#[test]
fn a_programme_without_a_window_or_a_list_says_so_alone() {
    let t2t = include_str!("../../scenarios/tenant-to-tenant.toml");
    let file = "tenant-to-tenant.toml";
    let err = Scenario::from_text(&t2t.replacen("window = true\n", "", 1), file, &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains(&format!("{file}: 1 error")), "{err}");
    assert!(err.contains("has no cutover window"), "{err}");
    for set in ["phases.programme=[]", "phases.programme=3"] {
        let err = Scenario::from_text(t2t, file, &[set.to_string()])
            .unwrap_err()
            .to_string();
        assert!(err.contains(&format!("at --set {set}")), "{err}");
        assert!(!err.contains("unknown section"), "{set}: {err}");
    }
    // The tables are still read: a mistake inside one is found.
    let set = [
        "phases.programme=[]".to_string(),
        "workitems.final_sync.duration_minute=3".to_string(),
    ];
    let err = Scenario::from_text(t2t, file, &set)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unknown key `workitems.final_sync.duration_minute`"),
        "{err}"
    );
}

#[test]
fn an_empty_or_one_phase_programme_is_refused() {
    let err = load("name = \"e\"\n[phases]\nprogramme = []\n").unwrap_err();
    assert!(err.contains("`phases.programme` has 0 phases"), "{err}");
    assert!(err.contains("p.toml:3:13"), "{err}");
    let one = "name = \"e\"\n[[phases.programme]]\nkey = \"waiting\"\n";
    let err = load(one).unwrap_err();
    assert!(err.contains("`phases.programme` has 1 phase:"), "{err}");
    let many: String = (0..20)
        .map(|i| {
            format!(
                "[[phases.programme]]\nkey = \"p{i}\"\nstart_days = {}\n",
                i - 30
            )
        })
        .collect();
    let err = load(&format!("name = \"e\"\n{many}")).unwrap_err();
    assert!(err.contains("has 20 phases, more than 16"), "{err}");
}

/// A random valid programme as scenario text: `gaps` are the hours between phase starts (the
/// window's start is `shift` hours from T), `window` is the window's position among the phases
/// after the waiting one, `copy` the copy phase's (at or before the window) with which sources,
/// `work` the kinds each phase runs from a pool of four, `kinds` each pool kind's (minutes,
/// transient, hard) figures.
#[allow(clippy::too_many_arguments)]
fn random_programme(
    gaps: &[u32],
    window: usize,
    shift: i32,
    window_hours: u32,
    copy: Option<(usize, bool, bool)>,
    work: &[Vec<usize>],
    kinds: &[(u32, f64, f64)],
    seed: u64,
) -> String {
    let k = gaps.len();
    let window = window % k;
    let mut starts = vec![f64::from(shift); k];
    for i in (0..window).rev() {
        starts[i] = starts[i + 1] - f64::from(gaps[i]);
    }
    for i in window + 1..k {
        let extra = if i == window + 1 { window_hours } else { 0 };
        starts[i] = starts[i - 1] + f64::from(gaps[i] + extra);
    }
    let lead_days = ((-starts[0]) / 24.0).ceil().max(0.0) as u32 + 1;
    let mut text = format!(
        "name = \"random\"\nseed = {seed}\n[population]\ntenants = 25\nregions = [\"NA\", \"EU\"]\n\
         blocked_fraction = 0.2\n[batching]\nmax_tenants = 8\nlead_days = {lead_days}\n\
         [copy]\nslots = 6\nper_tenant = 3\n[operators]\nweekday = 1\nweekend = 1\n\
         [workitems]\nmax_retries = 3\n[phases]\nwindow_hours = {window_hours}\n\
         [[phases.programme]]\nkey = \"waiting\"\n"
    );
    let mut used = [false; 4];
    let (mut mailboxes, mut sites) = (false, false);
    for i in 0..k {
        let mut names: Vec<String> = Vec::new();
        for &w in &work[i] {
            let name = format!("job{}", w % 4);
            if !names.contains(&name) {
                used[w % 4] = true;
                names.push(name);
            }
        }
        if let Some((c, m, s)) = copy
            && c % (window + 1) == i
        {
            if m || !s {
                names.push("mail_copy".into());
                mailboxes = true;
            }
            if s {
                names.push("site_copy".into());
                sites = true;
            }
        }
        let list: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        text += &format!(
            "[[phases.programme]]\nkey = \"p{i}\"\nstart_hours = {}\nwork = [{}]\nwindow = {}\n",
            starts[i],
            list.join(", "),
            i == window
        );
    }
    for (j, &(minutes, transient, hard)) in kinds.iter().enumerate() {
        if used[j] {
            text += &format!(
                "[workitems.job{j}]\nduration_minutes = {minutes}\ntransient_probability = {transient}\nhard_failure_probability = {hard}\n"
            );
        }
    }
    if mailboxes {
        text += "[workitems.mail_copy]\ncopy = \"mailboxes\"\n";
    }
    if sites {
        text += "[workitems.site_copy]\ncopy = \"sites\"\nhard_failure_probability = 0.05\n";
    }
    text
}

proptest! {
    #![proptest_config(crate::properties::config(24))]

    /// Random valid programmes (phase lists, offsets, windows, copy phases and work kinds) load,
    /// and one replication of each keeps every invariant: the model's debug checks (on in
    /// tests) and the records' own.
    #[test]
    fn random_programmes_keep_the_invariants(
        gaps in prop::collection::vec(1u32..200, 1..7),
        window in 0usize..6,
        shift in -72i32..72,
        window_hours in 1u32..72,
        copy in prop::option::of((0usize..6, any::<bool>(), any::<bool>())),
        work in prop::collection::vec(prop::collection::vec(0usize..4, 0..3), 6),
        kinds in prop::collection::vec((0u32..240, 0.0f64..0.3, 0.0f64..0.1), 4),
        seed in 0u64..1000,
    ) {
        let text = random_programme(&gaps, window, shift, window_hours, copy, &work, &kinds, seed);
        let sc = Scenario::from_text(&text, "random.toml", &[])
            .unwrap_or_else(|e| panic!("a valid programme was refused: {e}\n{text}"));
        let programme = &sc.phases.programme;
        prop_assert_eq!(programme.len(), gaps.len() + 1);
        let (m, d) = run_detailed(&sc, 0);
        check_invariants("random programme", &sc, &m, &d);
        for s in &d.spans {
            prop_assert!(programme.span_index(s.phase).is_some(), "{:?}", s);
        }
        for t in &d.tenants {
            if t.transition_date.is_some() {
                prop_assert_eq!(t.final_phase, programme.last());
            }
        }
    }
}

/// The bundled `tenant-to-tenant` programme through every command: its phases are the columns of
/// timeseries.csv and the manifest records their offsets; compare, sweep and plot accept it.
#[test]
fn the_tenant_to_tenant_programme_runs_with_every_command() {
    use crate::common::{assert_success, cutover, read_csv, temp_dir};
    let dir = temp_dir();
    let small = [
        "--set",
        "population.tenants=30",
        "--reps",
        "2",
        "--no-charts",
    ];
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(small);
        assert_success(&cutover(dir.path(), &all));
    };
    run(&["run", "tenant-to-tenant", "--out", "run"]);
    let series = read_csv(&dir.path().join("run/timeseries.csv"));
    let keys = [
        "backlog",
        "announce",
        "presync",
        "freeze",
        "cutover",
        "cleanup",
        "decommission",
    ];
    assert_eq!(series.headers[2..9], keys, "{:?}", series.headers);
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("run/manifest.json")).unwrap(),
    )
    .unwrap();
    let offsets: Vec<&str> = manifest["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["offset"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        offsets,
        ["", "T-30", "T-21", "T-1", "T-6h", "T+48h", "T+336h"]
    );
    let spans = read_csv(&dir.path().join("run/spans.csv"));
    let phase = spans.headers.iter().position(|h| h == "phase").unwrap();
    assert!(
        spans
            .rows
            .iter()
            .all(|r| keys[2..].contains(&r[phase].as_str())),
        "spans.csv records the phases from the pre-sync on"
    );
    run(&[
        "compare",
        "tenant-to-tenant",
        "--policies",
        "fifo,largest-first",
        "--out",
        "cmp",
    ]);
    run(&[
        "sweep",
        "tenant-to-tenant",
        "--set",
        "sweep.operators.weekend=[2, 10]",
        "--out",
        "sw",
    ]);
    assert_success(&cutover(dir.path(), &["plot", "run"]));
    assert!(dir.path().join("run/charts/phases.png").is_file());
    // The window closes 54 hours after it opens at T-6h, and Decommission, a fortnight on, is
    // named above the weekend chart rather than squeezing the weekend into a sliver.
    let windows: Vec<f64> = manifest["phases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["window_hours"].as_f64())
        .collect();
    assert_eq!(windows, [54.0]);
    let weekend = std::fs::read_to_string(dir.path().join("run/charts/weekend.svg")).unwrap();
    for said in [
        "Cutover window closes (T+48h, 54 h)",
        "Decommission (T+336h) after the right edge",
        "Freeze, Cutover, Clean-up (hours)",
    ] {
        assert!(weekend.contains(said), "weekend.svg lacks `{said}`");
    }
    let report = std::fs::read_to_string(dir.path().join("run/report.html")).unwrap();
    assert!(
        report.contains("each tenant's Pre-sync, Freeze, Cutover and Clean-up;"),
        "the report's caption names the phases the chart draws"
    );
}

/// The programme docs/scenario.md shows is one the loader accepts, and runs.
#[test]
fn the_documented_programme_loads() {
    let doc = include_str!("../../docs/scenario.md");
    let example = doc
        .split("```toml\n")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .find(|block| block.contains("[[phases.programme]]"))
        .expect("docs/scenario.md shows a programme");
    let text = format!("name = \"doc\"\n[population]\ntenants = 20\n{example}");
    let sc = load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let programme = &sc.phases.programme;
    assert_eq!(programme.key(programme.window()), "cutover");
    let (m, d) = run_detailed(&sc, 0);
    check_invariants("documented programme", &sc, &m, &d);
}

/// A phase start refused for itself (out of range, not a whole number, given twice) is reported
/// once: not judged again as out of order, or as missing, against a default it never had.
#[test]
fn a_refused_phase_start_is_reported_once() {
    let t2t = include_str!("../../scenarios/tenant-to-tenant.toml");
    let file = "tenant-to-tenant.toml";
    for (to, says) in [
        (
            "start_days = 366",
            "must be between -365 and 365, found 366",
        ),
        ("start_days = 14.5", "must be an integer"),
        (
            "start_days = -21\nstart_hours = 5",
            "has both `start_days` and `start_hours`",
        ),
    ] {
        assert!(t2t.contains("start_days = -21\n"));
        let text = t2t.replacen("start_days = -21", to, 1);
        let err = Scenario::from_text(&text, file, &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains(&format!("{file}: 1 error")), "{to}: {err}");
        assert!(err.contains(says), "{to}: {err}");
    }
}
