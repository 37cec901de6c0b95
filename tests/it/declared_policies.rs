//! Declarative policies (`[policies.NAME]`): the built-in ones written as data give the same bytes,
//! declared policies run in `run` and `compare`, and their mistakes are located.

use cutover::model::ReplicationMetrics;
use cutover::output;
use cutover::policy::{BatchPolicy, NAMES};
use cutover::scenario::Scenario;
use cutover::sweep::run_replications;

use crate::common::{
    SMALL_SCENARIO, assert_bad_input, assert_success, cutover, scenario, temp_dir, write_file,
};

/// The seven built-in policies in their declarative form, named `d-<built-in name>`.
const BUILT_INS_DECLARED: &str = r#"
[policies.d-fifo]

[policies.d-smallest-first]
order = ["seats"]

[policies.d-largest-first]
order = ["seats desc"]

[policies.d-data-balanced]
order = ["data desc"]

[policies.d-risk-spread]
error_budget = true

[policies.d-region-waves]
order = ["region asc"]

[policies.d-random]
order = ["random"]
"#;

/// The bytes of replications.csv, and of batches.csv and tenants.csv of the detail replication,
/// of three replications under `policy`.
fn run_bytes(sc: &Scenario, policy: &dyn BatchPolicy) -> Vec<Vec<u8>> {
    let results = run_replications(sc, policy, 3, Some(2), Some(1)).unwrap();
    let rows: Vec<(Vec<String>, &ReplicationMetrics)> =
        results.iter().map(|r| (Vec::new(), &r.metrics)).collect();
    let detail = results.iter().find_map(|r| r.detail.as_ref()).unwrap();
    vec![
        output::replications_csv(&[], &rows),
        output::batches_csv(&detail.batches),
        output::tenants_csv(&sc.phases.programme, None, &detail.tenants),
    ]
}

#[test]
fn every_built_in_policy_written_declaratively_gives_the_same_bytes() {
    let text = format!("{SMALL_SCENARIO}{BUILT_INS_DECLARED}");
    // Small batches, an operator budget that binds, and a region order, so the policies differ.
    let sc = scenario(
        &text,
        &[
            "batching.max_tenants=12",
            "batching.region_order=[\"EMEA\"]",
            "phases.window_hours=4",
        ],
    );
    let mut seen: Vec<Vec<Vec<u8>>> = Vec::new();
    for name in NAMES {
        let built_in = run_bytes(&sc, sc.policy(name).unwrap().as_ref());
        let declared = run_bytes(&sc, sc.policy(&format!("d-{name}")).unwrap().as_ref());
        for (file, (a, b)) in ["replications.csv", "batches.csv", "tenants.csv"]
            .iter()
            .zip(built_in.iter().zip(&declared))
        {
            assert!(a == b, "{name}: the declarative form changes {file}");
        }
        seen.push(built_in);
    }
    // The comparison means something only if the policies choose differently.
    seen.sort();
    seen.dedup();
    assert!(seen.len() >= 5, "only {} distinct results", seen.len());
}

#[test]
fn the_manifest_records_every_policy_definition() {
    let dir = temp_dir();
    let text = format!(
        "{SMALL_SCENARIO}\n[policies.slipped-waves]\norder = [\"slips desc\", \"region\", \"seats\"]\nregion_order = [\"EMEA\", \"NA\"]\ncaps = [{{ per = \"region\", value = \"NA\", max_tenants = 8 }}, {{ per = \"size\", max_seats = 4000 }}]\nblackouts = [{{ regions = [\"EMEA\"], from = 2011-12-17, until = 2012-01-07 }}]\n"
    );
    let file = write_file(dir.path(), "small.toml", &text);
    let out = dir.path().join("cmp");
    let run = cutover(
        dir.path(),
        &[
            "compare",
            &file,
            "--policies",
            "fifo,slipped-waves",
            "--reps",
            "2",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_success(&run);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let policies = manifest["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 2);
    assert_eq!(policies[0]["name"], "fifo");
    assert_eq!(policies[0]["built_in"], true);
    let declared = &policies[1];
    assert_eq!(declared["name"], "slipped-waves");
    assert_eq!(declared["order"][0]["key"], "slips");
    assert_eq!(declared["order"][0]["descending"], true);
    assert_eq!(declared["region_order"][0], "EMEA");
    assert_eq!(declared["caps"][0]["value"], "NA");
    assert_eq!(declared["caps"][0]["max_tenants"], 8);
    assert_eq!(declared["blackouts"][0]["from"], "2011-12-17");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("slipped-waves"), "{stdout}");
}

#[test]
fn a_sweep_over_policies_records_each_definition_once() {
    let dir = temp_dir();
    let text = format!(
        "{SMALL_SCENARIO}\n[policies.big-first]\norder = [\"seats desc\"]\n[sweep]\n\"batching.policy\" = [\"fifo\", \"big-first\", \"fifo\"]\n"
    );
    let file = write_file(dir.path(), "small.toml", &text);
    let out = dir.path().join("sweep");
    let run = cutover(
        dir.path(),
        &[
            "sweep",
            &file,
            "--reps",
            "1",
            "--no-charts",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_success(&run);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let policies = manifest["grid"]["policies"].as_array().unwrap();
    let names: Vec<&str> = policies
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["fifo", "big-first"]);
    assert_eq!(policies[1]["built_in"], false);
    assert_eq!(policies[1]["order"][0]["key"], "seats");
    assert_eq!(policies[1]["order"][0]["descending"], true);
}

#[test]
fn caps_and_blackouts_hold_in_the_batches() {
    let text = format!(
        "{SMALL_SCENARIO}\n[policies.capped]\ncaps = [{{ per = \"region\", value = \"EMEA\", max_tenants = 3 }}]\nblackouts = [{{ regions = [\"NA\"], from = 2011-11-01, until = 2011-12-31 }}]\n"
    );
    let sc = scenario(&text, &[]);
    let policy = sc.policy("capped").unwrap();
    let detail = cutover::model::simulate(&sc, policy.as_ref(), 0, true)
        .detail
        .unwrap();
    let batch_weekend: Vec<_> = detail
        .batches
        .iter()
        .map(|b| (b.batch, b.weekend))
        .collect();
    let mut emea_per_batch = std::collections::HashMap::new();
    let (from, until) = ("2011-11-01".parse().unwrap(), "2011-12-31".parse().unwrap());
    let mut batched = 0;
    for t in &detail.tenants {
        let Some(batch) = t.batch else { continue };
        batched += 1;
        if t.region == "EMEA" {
            *emea_per_batch.entry(batch).or_insert(0) += 1;
        }
        let weekend = batch_weekend.iter().find(|(b, _)| *b == batch).unwrap().1;
        assert!(
            t.region != "NA" || weekend < from || weekend > until,
            "tenant {} of NA went on {weekend}, in the blackout",
            t.tenant
        );
    }
    assert!(batched > 100, "only {batched} tenants batched");
    // A tenant's last batch is counted; earlier attempts only make these counts smaller.
    assert!(
        emea_per_batch.values().all(|&n| n <= 3),
        "{emea_per_batch:?}"
    );
    assert!(emea_per_batch.values().any(|&n| n == 3));
}

#[test]
fn inventory_columns_order_and_cap_tenants() {
    let dir = temp_dir();
    let mut csv = String::from("tenant,seats,priority,unit\n");
    for i in 0..40 {
        csv.push_str(&format!(
            "t{i},{},{},{}\n",
            10 + i,
            i % 4,
            if i % 2 == 0 { "retail" } else { "public" }
        ));
    }
    write_file(dir.path(), "inv.csv", &csv);
    let text = r#"
name = "inv"
seed = 3
replications = 2
[population]
inventory = "inv.csv"
attributes = ["priority", "unit"]
[batching]
max_tenants = 6
[policies.priority-first]
order = ["priority desc"]
caps = [{ per = "unit", value = "public", max_tenants = 2 }]
"#;
    let sc =
        Scenario::from_text_in(text, "inv.toml", dir.path(), &[]).unwrap_or_else(|e| panic!("{e}"));
    let detail =
        cutover::model::simulate(&sc, sc.policy("priority-first").unwrap().as_ref(), 0, true)
            .detail
            .unwrap();
    let first = detail.tenants.iter().filter_map(|t| t.batch).min().unwrap();
    let in_first: Vec<u32> = detail
        .tenants
        .iter()
        .filter(|t| t.batch == Some(first) && t.slips == 0)
        .map(|t| t.tenant)
        .collect();
    assert!(!in_first.is_empty());
    // Highest priority (3) first; of the public unit (odd rows) at most two.
    assert!(
        in_first.iter().all(|t| t % 4 == 3 || t % 2 == 0),
        "{in_first:?}"
    );
    assert!(
        in_first.iter().filter(|t| *t % 2 == 1).count() <= 2,
        "{in_first:?}"
    );
}

/// An inventory column orders by number when every cell that is not empty is a finite number
/// (`1` and `1.0` tie and keep the readiness order), and tenants with an empty cell go last
/// whichever the direction: `prio desc` puts the highest priority first, not the unknown ones.
/// A cell such as `NaN` is not a number, and the column orders as text.
#[test]
fn an_ordering_column_puts_empty_cells_last_and_ties_equal_numbers() {
    let first_batch_of = |cells: &[&str], order: &str, most: usize| -> Vec<String> {
        let dir = temp_dir();
        let mut csv = String::from("tenant,seats,prio\n");
        for (i, cell) in cells.iter().enumerate() {
            csv.push_str(&format!("t{i},{},{cell}\n", 10 + i));
        }
        write_file(dir.path(), "inv.csv", &csv);
        let text = format!(
            "name = \"inv\"\nreplications = 1\n[population]\ninventory = \"inv.csv\"\n\
             attributes = [\"prio\"]\nblocked_fraction = 0\n[batching]\nmax_tenants = {most}\n\
             policy = \"p\"\n[policies.p]\norder = [\"{order}\"]\n"
        );
        let sc = Scenario::from_text_in(&text, "inv.toml", dir.path(), &[])
            .unwrap_or_else(|e| panic!("{e}"));
        let detail = cutover::model::simulate(&sc, sc.policy("p").unwrap().as_ref(), 0, true)
            .detail
            .unwrap();
        let first = detail.tenants.iter().filter_map(|t| t.batch).min().unwrap();
        let mut names: Vec<String> = detail
            .tenants
            .iter()
            .filter(|t| t.batch == Some(first))
            .map(|t| format!("t{}", t.tenant))
            .collect();
        names.sort();
        names
    };
    let first_batch = |cells: &[&str], order: &str| first_batch_of(cells, order, 3);
    let cells = ["1", "", "3", "2", "", "5", "4"];
    assert_eq!(first_batch(&cells, "prio desc"), ["t2", "t5", "t6"]);
    assert_eq!(first_batch(&cells, "prio"), ["t0", "t2", "t3"]);
    // Numbers, not text: 10 above 9; 1.0 ties with 1.
    let cells = ["9", "10", "", "1.0", "8", "1"];
    assert_eq!(first_batch(&cells, "prio desc"), ["t0", "t1", "t4"]);
    assert_eq!(first_batch(&cells, "prio"), ["t3", "t4", "t5"]);
    // Tied, the readiness order decides: the first listed, whichever is written `1`.
    assert_eq!(first_batch_of(&["1.0", "", "1"], "prio", 1), ["t0"]);
    assert_eq!(first_batch_of(&["1", "", "1.0"], "prio", 1), ["t0"]);
    // NaN is no number: text order, in which "NaN" is above "9", and "9" above "10".
    let cells = ["9", "10", "", "NaN", "1"];
    assert_eq!(first_batch(&cells, "prio desc"), ["t0", "t1", "t3"]);
}

/// A region is the name a reader sees: written with a combining accent in a policy's
/// `region_order`, `blackouts` and `caps` or in the inventory, `Café` names the region declared
/// with `é`, and tenants.csv writes it as declared.
#[test]
fn a_region_named_with_its_accent_encoded_otherwise_is_the_same_region() {
    let dir = temp_dir();
    let (composed, decomposed) = ("Caf\u{e9}", "Cafe\u{301}");
    write_file(
        dir.path(),
        "inv.csv",
        &format!("tenant,seats,blocked_days,region\na,5,0,{decomposed}\nb,5,0,NA\n"),
    );
    let text = format!(
        "name = \"u\"\n[population]\ninventory = \"inv.csv\"\nregions = [\"{composed}\", \"NA\"]\n\
         blocked_fraction = 0\n[batching]\npolicy = \"p\"\nmax_tenants = 1\n[policies.p]\n\
         order = [\"region\"]\nregion_order = [\"{decomposed}\"]\n\
         blackouts = [{{ regions = [\"{decomposed}\"], from = 2012-01-07, until = 2012-01-31 }}]\n\
         caps = [{{ per = \"region\", value = \"{decomposed}\", max_tenants = 1 }}]\n"
    );
    let file = write_file(dir.path(), "s.toml", &text);
    let args = [
        "run",
        &file,
        "--reps",
        "1",
        "-q",
        "--no-charts",
        "--out",
        "o",
    ];
    assert_success(&cutover(dir.path(), &args));
    let tenants = std::fs::read_to_string(dir.path().join("o/tenants.csv")).unwrap();
    let a = tenants.lines().find(|l| l.starts_with("0,a,")).unwrap();
    assert!(a.starts_with(&format!("0,a,{composed},")), "{a}");
}

/// Runs `run` on `policies` appended to the small scenario; returns stderr.
fn invalid(policies: &str, needles: &[&str]) -> String {
    let dir = temp_dir();
    let file = write_file(
        dir.path(),
        "bad.toml",
        &format!("{SMALL_SCENARIO}{policies}"),
    );
    assert_bad_input(
        &cutover(dir.path(), &["run", &file, "--reps", "1"]),
        needles,
    )
}

/// The line of SMALL_SCENARIO's end, where appended policies start.
fn line(offset: usize) -> usize {
    SMALL_SCENARIO.lines().count() + offset
}

#[test]
fn an_unknown_ordering_key_is_located_with_the_nearest() {
    invalid(
        "[policies.mine]\norder = [\"slips desc\", \"seets\"]\n",
        &[
            "ordering key `seets`",
            &format!("bad.toml:{}:24", line(2)),
            "did you mean `seats`?",
        ],
    );
    invalid(
        "[policies.mine]\norder = [\"seats downwards\"]\n",
        &["`KEY desc`", &format!("bad.toml:{}", line(2))],
    );
}

#[test]
fn a_column_the_inventory_lacks_is_located() {
    invalid(
        "[policies.mine]\ncaps = [{ per = \"priority\", max_tenants = 3 }]\n",
        &[
            "no group `priority`",
            &format!("bad.toml:{}:17", line(2)),
            "population.attributes",
        ],
    );
    invalid(
        "[policies.mine]\norder = [\"business_unit\"]\n",
        &[
            "ordering key `business_unit`",
            &format!("bad.toml:{}:10", line(2)),
        ],
    );
}

#[test]
fn a_region_that_is_not_one_is_located_with_the_nearest() {
    invalid(
        "[policies.mine]\norder = [\"region\"]\nregion_order = [\"NA\", \"EMA\"]\n",
        &[
            "`policies.mine.region_order` names `EMA`, which is not a region",
            &format!("bad.toml:{}:23", line(3)),
            "did you mean `EMEA`?",
        ],
    );
    invalid(
        "[policies.mine]\ncaps = [{ per = \"region\", value = \"Asia\", max_tenants = 3 }]\n",
        &["= \"Asia\" is no region", &format!("bad.toml:{}", line(2))],
    );
}

#[test]
fn a_policy_declared_twice_or_shadowing_a_built_in_is_located() {
    invalid(
        "[policies.mine]\norder = [\"seats\"]\n[policies.mine]\norder = [\"data\"]\n",
        &[
            "policy `mine` is declared twice",
            &format!("bad.toml:{}:11", line(3)),
        ],
    );
    invalid(
        "[policies.smallest-first]\norder = [\"seats\"]\n",
        &[
            "policy `smallest-first` is built in",
            &format!("bad.toml:{}:11", line(1)),
        ],
    );
}

/// A declared policy's name is a cell of comparison.csv: like a region's, it cannot start like a
/// spreadsheet formula, and the refusal is located at the table's name.
#[test]
fn a_policy_name_that_starts_like_a_formula_is_located() {
    for name in ["-cmd", "-1", "--"] {
        invalid(
            &format!("[policies.{name}]\norder = [\"seats\"]\n"),
            &[
                &format!("policy name `{name}` starts with `-`"),
                "formula",
                &format!("bad.toml:{}:11", line(1)),
                "starting with a letter, a digit or '_'",
            ],
        );
    }
    for name in ["\"=cmd\"", "\"+1\"", "\"@SUM(A1)\""] {
        invalid(
            &format!("[policies.{name}]\norder = [\"seats\"]\n"),
            &[
                "policy name",
                "formula",
                &format!("bad.toml:{}:11", line(1)),
            ],
        );
    }
    // Within a name, `-` stays a plain character.
    let dir = temp_dir();
    let file = write_file(
        dir.path(),
        "ok.toml",
        &format!("{SMALL_SCENARIO}[policies.a-b-]\norder = [\"seats\"]\n"),
    );
    assert_success(&cutover(dir.path(), &["validate", &file]));
}

/// A policy's name is checked by the check every name shares: an empty or blank one says so.
#[test]
fn an_empty_or_blank_policy_name_says_so() {
    invalid(
        "[policies.\"\"]\norder = [\"seats\"]\n",
        &[
            "policy name `` is empty",
            &format!("bad.toml:{}:11", line(1)),
        ],
    );
    invalid(
        "[policies.\" \"]\norder = [\"seats\"]\n",
        &["policy name ` ` is only blank characters"],
    );
}

/// An unknown `batching.policy` is answered with the names there are: the built-in ones and the
/// declared ones that are valid, not a declared name that is itself refused (which `--policies`
/// would refuse in turn), and never a name of thousands of characters whole.
#[test]
fn an_unknown_policy_lists_only_the_valid_declared_names() {
    let long = format!("z{}", "y".repeat(4999));
    let policies = format!(
        "[policies.mine-first]\norder = [\"seats\"]\n[policies.-mine]\norder = [\"seats\"]\n\
         [policies.{long}]\norder = [\"seats\"]\n[policies.\"mïne\"]\norder = [\"seats\"]\n"
    );
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", &format!("{SMALL_SCENARIO}{policies}"));
    let set = "batching.policy=\"mine-frist\"";
    let err = assert_bad_input(
        &cutover(dir.path(), &["run", &file, "--set", set, "--reps", "1"]),
        &["did you mean `mine-first`?", "valid values: fifo, "],
    );
    let hint = err
        .lines()
        .find(|l| l.contains("valid values"))
        .expect("the hint line");
    assert!(hint.ends_with(", mine-first)"), "{hint}");
    assert!(!hint.contains("-mine,") && !hint.contains("mïne"), "{hint}");
    assert!(!err.contains(&"y".repeat(100)), "{err}");
    assert!(err.contains("(5000 characters)"), "{err}");
    // A valid name of the longest length is offered whole.
    let longest = "q".repeat(64);
    let file = write_file(
        dir.path(),
        "t.toml",
        &format!("{SMALL_SCENARIO}[policies.{longest}]\norder = [\"seats\"]\n"),
    );
    let set = format!("batching.policy=\"{longest}x\"");
    let err = assert_bad_input(
        &cutover(dir.path(), &["run", &file, "--set", &set, "--reps", "1"]),
        &[&format!("did you mean `{longest}`? valid values: fifo, ")],
    );
    assert!(err.contains(&format!(", {longest})")), "{err}");
}

#[test]
fn an_unknown_policy_name_offers_the_declared_ones() {
    let dir = temp_dir();
    let text = format!("{SMALL_SCENARIO}[policies.slipped-first]\norder = [\"slips desc\"]\n");
    let file = write_file(dir.path(), "s.toml", &text);
    let run = cutover(
        dir.path(),
        &[
            "compare",
            &file,
            "--policies",
            "fifo,slipped-frist",
            "--reps",
            "1",
        ],
    );
    assert_bad_input(&run, &["did you mean `slipped-first`?"]);
    let run = cutover(
        dir.path(),
        &[
            "run",
            &file,
            "--set",
            "batching.policy=\"slipped-frist\"",
            "--reps",
            "1",
        ],
    );
    assert_bad_input(&run, &["batching.policy", "did you mean `slipped-first`?"]);
}
