//! report.html: written by every command, self-contained (no script, nothing fetched), built from
//! the folder's files alone so `cutover plot` rebuilds it byte for byte, and telling the question,
//! the answer and the manifest. (tests/browser/run.sh loads it in a real browser.)

use std::path::Path;

use cutover::stats::share_of_means;

use crate::common::{
    SMALL_SCENARIO, assert_bad_input, assert_success, cutover, quick_run, read_csv, set_cell,
    temp_dir, write_file,
};

fn report(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("report.html")).expect("report.html")
}

/// Nothing in the page can make a browser fetch or run anything.
fn assert_self_contained(html: &str) {
    let lower = html.to_lowercase();
    for needle in [
        "<script", "<link", "<img", "<iframe", "@import", "url(", "src=",
    ] {
        assert!(!lower.contains(needle), "report.html holds `{needle}`");
    }
    // The only address is the SVG namespace, which names and never fetches.
    let addresses = lower.matches("http").count();
    let namespaces = lower
        .matches("xmlns=\"http://www.w3.org/2000/svg\"")
        .count();
    assert_eq!(
        addresses, namespaces,
        "an address other than the SVG namespace"
    );
}

fn inline_charts(html: &str) -> usize {
    html.matches("<figure id=\"chart-").count()
}

fn svg_files(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("charts"))
        .expect("charts/")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "svg"))
        .count()
}

#[test]
fn a_run_report_tells_question_answer_charts_and_manifest_and_plot_rebuilds_it() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let out = dir.path().join("out");
    let args = [
        "run",
        &scenario,
        "--reps",
        "3",
        "--set",
        "operators.weekend=3",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    assert_success(&cutover(dir.path(), &args));
    let html = report(&out);
    assert_self_contained(&html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for needle in [
        "The question",
        "The answer",
        "Causes",
        "Manifest",
        "operators.weekend=3",
        "95% interval",
        "by what the attempt still had outstanding",
    ] {
        assert!(html.contains(needle), "report lacks `{needle}`");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert!(html.contains(manifest["scenario_sha256"].as_str().unwrap()));
    assert_eq!(inline_charts(&html), svg_files(&out));
    assert!(inline_charts(&html) >= 7);

    std::fs::remove_file(out.join("report.html")).unwrap();
    assert_success(&cutover(dir.path(), &["plot", out.to_str().unwrap()]));
    assert_eq!(report(&out), html, "plot rebuilds the same report");
}

/// A programme of its own is described in its own words: the weekend chart's caption names its
/// phases, and with no chat split (nobody moves chat early, nobody on an old client) there is no
/// islands chart of flat zeros and no row about an old chat client; `plot` keeps it so.
#[test]
fn a_programme_without_chat_split_is_reported_in_its_own_words() {
    let dir = temp_dir();
    let out = dir.path().join("out");
    let args = [
        "run",
        "tenant-to-tenant",
        "--reps",
        "2",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    assert_success(&cutover(dir.path(), &args));
    let html = report(&out);
    assert!(
        html.contains("each tenant's Pre-sync, Freeze, Cutover and Clean-up;"),
        "the weekend caption names the programme's phases it draws (Decommission, a fortnight \
         after the window, is past its edge)"
    );
    // Its two replications (seed 2024) leave tenants late in one: the answer's P90 is the table's, as
    // the table writes it (an interpolated percentile, never floored to a count).
    let row = html
        .split("<td>tenants that miss the deadline</td>")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("the table has the row");
    let cells: Vec<&str> = row
        .split("<td class=\"n\">")
        .skip(1)
        .map(|c| c.trim_end_matches("</td>"))
        .collect();
    let p90 = cells[3];
    assert!(
        html.contains(&format!("; per replication, P90 {p90} tenants miss it")),
        "the answer's P90 is not the table's {p90}"
    );
    // And first, how many of the replications left a tenant late, with Wilson's interval.
    assert!(
        html.contains("Tenants miss the 31 December 2024 deadline in 1 of 2 replications</span> (50% of programmes like this one, 95% interval 9.45% to 90.5%)"),
        "the chance of a miss"
    );
    for absent in ["DataUpgrade", "Communicator", "chart-islands"] {
        assert!(!html.contains(absent), "report holds `{absent}`");
    }
    assert!(!out.join("charts/islands.svg").exists());
    assert_eq!(inline_charts(&html), svg_files(&out));

    // An islands chart left from other files goes when the files show no split: plot replaces
    // the whole set.
    std::fs::write(out.join("charts/islands.svg"), "<svg></svg>").unwrap();
    std::fs::write(out.join("charts/islands.png"), "stale").unwrap();
    assert_success(&cutover(dir.path(), &["plot", out.to_str().unwrap()]));
    assert!(!out.join("charts/islands.svg").exists() && !out.join("charts/islands.png").exists());
    assert_eq!(report(&out), html, "plot rebuilds the same report");

    // The BPOS programme keeps its phases, its islands and its chat client.
    let bpos = dir.path().join("bpos");
    let args = [
        "run",
        "small-pilot",
        "--reps",
        "2",
        "--out",
        bpos.to_str().unwrap(),
        "--quiet",
    ];
    assert_success(&cutover(dir.path(), &args));
    let html = report(&bpos);
    for present in [
        "Pre-Stage, Lock, DataUpgrade and Finalize;",
        "chart-islands",
        "Communicator 2007",
    ] {
        assert!(html.contains(present), "report lacks `{present}`");
    }
}

#[test]
fn a_report_without_charts_says_how_to_draw_them() {
    let dir = temp_dir();
    let out = dir.path().join("out");
    assert_success(&cutover(dir.path(), &quick_run(out.to_str().unwrap(), &[])));
    let html = report(&out);
    assert_eq!(inline_charts(&html), 0);
    assert!(html.contains("cutover plot"));

    // --detail none: the answer from the replications, and why there are no charts.
    let bare = dir.path().join("bare");
    let args = [
        "run",
        "small-pilot",
        "--reps",
        "2",
        "--detail",
        "none",
        "--out",
        bare.to_str().unwrap(),
        "--quiet",
    ];
    assert_success(&cutover(dir.path(), &args));
    let html = report(&bare);
    assert!(html.contains("The answer") && html.contains("--detail none"));
    assert_self_contained(&html);
}

#[test]
fn comparison_and_sweep_reports_show_trade_offs_and_cells() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let compare = dir.path().join("compare");
    let args = [
        "compare",
        &scenario,
        "--policies",
        "fifo,smallest-first",
        "--reps",
        "3",
        "--out",
        compare.to_str().unwrap(),
        "--quiet",
    ];
    assert_success(&cutover(dir.path(), &args));
    let html = report(&compare);
    assert_self_contained(&html);
    assert!(html.contains("Every policy, metric by metric") && html.contains("smallest-first"));
    assert!(
        html.contains("dominated"),
        "the trade-offs file has its section"
    );
    assert_eq!(inline_charts(&html), svg_files(&compare));

    let sweep = dir.path().join("sweep");
    let args = [
        "sweep",
        &scenario,
        "--set",
        "sweep.operators.weekend=[1, 4]",
        "--reps",
        "2",
        "--out",
        sweep.to_str().unwrap(),
        "--quiet",
    ];
    assert_success(&cutover(dir.path(), &args));
    let html = report(&sweep);
    assert_self_contained(&html);
    assert!(html.contains("Every cell") && html.contains("operators.weekend"));
    // The grid came from --set: not "without overrides", and not listed as an override.
    assert!(!html.contains("without overrides"));
    assert!(html.contains("its grid set on the command line"));
    assert_eq!(inline_charts(&html), svg_files(&sweep));
}

#[test]
fn study_and_sensitivity_reports_answer_in_words() {
    let dir = temp_dir();
    let select = dir.path().join("select");
    let args = [
        "select",
        "small-pilot",
        "--policies",
        "fifo,smallest-first",
        "--metric",
        "slips",
        "--delta",
        "0.5",
        "--out",
        select.to_str().unwrap(),
        "--quiet",
    ];
    assert_success(&cutover(dir.path(), &args));
    let html = report(&select);
    assert_self_contained(&html);
    for needle in [
        "is selected",
        "probability at least 0.95",
        "selection.csv",
        "Manifest",
    ] {
        assert!(html.contains(needle), "select report lacks `{needle}`");
    }

    let seek = dir.path().join("seek");
    let args = [
        "seek",
        "small-pilot",
        "--vary",
        "helpdesk.weekday=1..3",
        "--require",
        "mean(slips) <= 3",
        "--out",
        seek.to_str().unwrap(),
        "--quiet",
    ];
    assert_success(&cutover(dir.path(), &args));
    let html = report(&seek);
    assert_self_contained(&html);
    for needle in [
        "cheapest setting",
        "helpdesk.weekday = ",
        "seek.csv",
        "<code>mean(slips) &lt;= 3</code>: estimate ",
        ", bound ",
        " (one-sided 99.44%, 95% over up to 9 looks; ",
    ] {
        assert!(html.contains(needle), "seek report lacks `{needle}`");
    }

    let sensitivity = dir.path().join("sensitivity");
    let args = [
        "sensitivity",
        "small-pilot",
        "--vary",
        "operators.weekend=1..6",
        "--vary",
        "lync.contacts_mean=5..50",
        "--samples",
        "3",
        "--reps",
        "1",
        "--out",
        sensitivity.to_str().unwrap(),
        "--quiet",
    ];
    assert_success(&cutover(dir.path(), &args));
    let html = report(&sensitivity);
    assert_self_contained(&html);
    for needle in [
        "operators.weekend</code> from 1 to 6",
        "bootstrap",
        "Every index",
    ] {
        assert!(html.contains(needle), "sensitivity report lacks `{needle}`");
    }
    assert_eq!(inline_charts(&html), svg_files(&sensitivity));
    assert!(inline_charts(&html) > 0);
}

/// Every `[low, high]` written in `html`, as numbers (thousands separators dropped).
fn intervals_in(html: &str) -> Vec<(String, f64, f64)> {
    let number = |t: &str| -> f64 {
        // A share's interval is written in percent (`[52%, 98%]`).
        t.trim()
            .trim_end_matches('%')
            .replace(',', "")
            .parse()
            .unwrap_or_else(|_| panic!("`{t}` in an interval is not a number"))
    };
    html.match_indices('[')
        .filter_map(|(i, _)| {
            let rest = &html[i + 1..];
            let (inside, _) = rest.split_once(']')?;
            let (low, high) = inside.split_once(", ")?;
            // Only intervals: a number on either side (not a CSS selector or a list in words).
            let numeric = |t: &str| {
                t.trim_start_matches('-')
                    .starts_with(|c: char| c.is_ascii_digit())
            };
            (numeric(low) && numeric(high) && !inside.contains('<'))
                .then(|| (inside.to_string(), number(low), number(high)))
        })
        .collect()
}

/// A run of small-pilot's first 5 replications in `dir`, without charts, with `extra` flags: its
/// folder and its report.
fn small_pilot_report(dir: &Path, extra: &[&str]) -> (std::path::PathBuf, String) {
    let out = dir.join("run");
    let mut args = vec!["run", "small-pilot", "--reps", "5", "--no-charts"];
    args.extend_from_slice(extra);
    args.extend(["--out", out.to_str().unwrap(), "--quiet"]);
    assert_success(&cutover(dir, &args));
    let html = report(&out);
    (out, html)
}

/// Numbers in the report are honest: every interval reads as ordered numbers, never NaN or
/// infinity, and no count's bound is below 0; in the run's table each mean lies within its
/// interval as written, and an interval whose bounds read alike is one of width zero (the mean
/// reads alike too), never a narrow one rounded away.
#[test]
fn every_interval_in_a_report_is_written_honestly() {
    let dir = temp_dir();
    let (_, html) = small_pilot_report(dir.path(), &[]);
    for word in ["NaN", "inf", "e+"] {
        assert!(!html.contains(word), "report writes `{word}`");
    }
    let intervals = intervals_in(&html);
    assert!(intervals.len() >= 10, "{intervals:?}");
    for (text, low, high) in &intervals {
        assert!(low <= high, "[{text}] is not ordered");
        assert!(
            *low >= 0.0,
            "[{text}]: every metric of a run is a count or a time"
        );
    }
    // The table of the answer: metric, mean, interval, P50, P90, P99.
    let table = html
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tbody>")
        .next()
        .unwrap();
    let mut narrow = 0;
    for row in table.split("<tr>").skip(1) {
        let cells: Vec<&str> = row
            .split("<td")
            .skip(1)
            .map(|c| c.split_once('>').unwrap().1.split("</td>").next().unwrap())
            .collect();
        let mean = cells[1];
        let (inside, low, high) = intervals_in(cells[2])[0].clone();
        let value: f64 = mean.replace(',', "").parse().unwrap();
        assert!(low <= value && value <= high, "{cells:?}");
        let (low_text, high_text) = inside.split_once(", ").unwrap();
        if low_text == high_text {
            assert_eq!(mean, low_text, "{cells:?}");
        } else {
            narrow += 1;
        }
    }
    assert!(narrow >= 5, "{table}");
}

/// The causes are written as every other figure: each cause's mean with the interval its row of
/// summary.csv gives, in the digits that interval supports, and its share of the total's mean
/// with Fieller's interval from replications.csv's paired counts (`stats::share_of_means`), in
/// the digits that interval supports, within 0 to 100%; a share without an interval is written
/// alone to three significant digits, never a lone mean beside a `{:.0}%`.
#[test]
fn causes_are_written_with_their_intervals_and_shares_with_theirs() {
    let dir = temp_dir();
    // An early deadline, so that tenants miss it for more than one cause.
    let (out, html) = small_pilot_report(dir.path(), &["--set", "calendar.deadline=2012-01-15"]);
    let causes = html
        .split("<h2>Causes</h2>")
        .nth(1)
        .unwrap()
        .split("</p>")
        .next()
        .unwrap();
    let listed = causes
        .split("by why: ")
        .nth(1)
        .unwrap()
        .split(". ")
        .next()
        .unwrap();
    let summary = read_csv(&out.join("summary.csv"));
    let (metric, mean) = (summary.column("metric"), summary.numbers("mean"));
    let (low, high) = (summary.numbers("ci95_low"), summary.numbers("ci95_high"));
    let row = |name: &str| metric.iter().position(|m| *m == name).unwrap();
    let total = mean[row("missed_deadline")];
    let replications = read_csv(&out.join("replications.csv"));
    let wholes = replications.numbers("missed_deadline");
    let missed: Vec<usize> = (0..metric.len())
        .filter(|&i| metric[i].starts_with("missed_") && metric[i] != "missed_deadline")
        .filter(|&i| mean[i] > 0.0)
        .collect();
    assert!(missed.len() >= 2, "{listed}");
    let parts: Vec<&str> = listed.split("), ").collect();
    assert_eq!(parts.len(), missed.len(), "{listed}");
    let mut with_interval = 0;
    for i in missed {
        let key = metric[i].trim_start_matches("missed_").replace('_', " ");
        let part = parts
            .iter()
            .find(|p| p.starts_with(&format!("{key} ")))
            .unwrap_or_else(|| panic!("no `{key}` in {listed}"));
        let (estimate, share) = part[key.len() + 1..].split_once(" (").unwrap();
        let (value, interval) = estimate.split_once(' ').expect("a mean and its interval");
        let (_, l, h) = intervals_in(interval)[0].clone();
        let value: f64 = value.parse().unwrap();
        // Within the rounding of the digits written (two of the interval's width).
        let unit = 10f64.powi((h - l).log10().floor() as i32 - 1);
        for (written, exact) in [(value, mean[i]), (l, low[i]), (h, high[i])] {
            assert!((written - exact).abs() <= unit / 2.0 + 1e-9, "{part}");
        }
        let exact = share_of_means(&replications.numbers(metric[i]), &wholes);
        assert!((exact.share - mean[i] / total).abs() < 1e-6, "{part}");
        let share = share.trim_end_matches(')').trim_end_matches(']');
        let Some((value, interval)) = share.split_once(" [") else {
            assert!(
                exact.low.is_nan(),
                "{part}: a share with an interval written alone"
            );
            let share = share.trim_end_matches('%');
            let figures = share.chars().filter(char::is_ascii_digit).count();
            let percent = 100.0 * exact.share;
            assert!(
                figures >= 3 || share.parse::<f64>().unwrap() == percent,
                "{part}: a share alone has three significant digits"
            );
            assert!(
                (share.parse::<f64>().unwrap() - percent).abs() < 0.05 + 1e-9,
                "{part}"
            );
            continue;
        };
        with_interval += 1;
        let percent = |t: &str| -> f64 { t.trim_end_matches('%').parse().unwrap() };
        let (l, h) = interval.split_once(", ").unwrap();
        let (v, l, h) = (percent(value), percent(l), percent(h));
        assert!(0.0 <= l && l <= v && v <= h && h <= 100.0, "{part}");
        let unit = 10f64.powi((h - l).log10().floor() as i32 - 1);
        for (written, exact) in [(v, exact.share), (l, exact.low), (h, exact.high)] {
            assert!(
                (written - 100.0 * exact).abs() <= unit / 2.0 + 1e-9,
                "{part}"
            );
        }
    }
    assert!(with_interval >= 1, "{listed}");
    // The detail replication's late tenants are counted with the noun agreeing ("1 tenant").
    let told = html.split("In replication ").nth(1).unwrap();
    let (count, rest) = told.split_once(", ").unwrap().1.split_once(' ').unwrap();
    let noun = if count == "1" { "tenant " } else { "tenants " };
    assert!(rest.starts_with(noun), "In replication {told:.80}");
}

/// A `--precision` target the ceiling cut short is said in the report as on the screen, in red,
/// never hidden behind "answered from N replications".
#[test]
fn a_precision_target_not_met_is_said_in_the_report() {
    let dir = temp_dir();
    let out = dir.path().join("run");
    let args = [
        "run",
        "small-pilot",
        "--precision",
        "errors=0.01",
        "--reps",
        "12",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    assert_success(&cutover(dir.path(), &args));
    let html = report(&out);
    assert!(html.contains("<code>--precision</code> target"), "{html}");
    assert!(
        html.contains("<li class=\"bad\">precision errors mean ")
            && html.contains("after 12 replications: NOT met, the ceiling (--reps) was reached"),
        "{html}"
    );
    assert!(html.contains(", up to 12 (<code>--reps</code>)"));
}

/// `makespan_days` is the last transition among the tenants that transitioned, so the answer
/// says the last tenant moved only where every tenant did in every replication; otherwise it
/// says of those that moved, and how many never did.
#[test]
fn the_last_tenant_is_said_to_move_only_when_every_tenant_does() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    // A long enough window that nobody is left in flight, and half the tenants held past the
    // calendar's end.
    for (name, blocked) in [
        ("all", "population.blocked_fraction=0"),
        ("some", "population.blocked_fraction=0.5"),
    ] {
        let out = dir.path().join(name);
        let args = [
            "run",
            &scenario,
            "--set",
            blocked,
            "--set",
            "population.blocked_days={dist=\"uniform\", low=5000, high=6000}",
            "--set",
            "phases.window_hours=48",
            "--detail",
            "none",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ];
        assert_success(&cutover(dir.path(), &args));
        let replications = std::fs::read_to_string(out.join("replications.csv")).unwrap();
        let every_one = replications.lines().skip(1).all(|row| {
            let cells: Vec<&str> = row.split(',').collect();
            cells[2] == cells[3] // tenants, transitioned
        });
        assert_eq!(every_one, name == "all", "{name}: {replications}");
        let html = report(&out);
        assert_eq!(
            html.contains("The last tenant moves (completes its last phase, Finalize) on"),
            every_one,
            "{name}"
        );
        assert_eq!(
            html.contains(
                "Of the tenants that move, the last moves (completes its last phase, Finalize) on"
            ),
            !every_one,
            "{name}"
        );
        assert_eq!(
            html.contains("never moved by the end"),
            !every_one,
            "{name}"
        );
    }
}

/// A sweep's answer names the best and worst cells by the keys that place them: where cells tie
/// (the weekend operators leave the help desk's wait as it is), the key they differ in is "any
/// of" its values, never the value of the first or last cell.
#[test]
fn a_sweep_answer_names_no_key_value_that_a_tie_leaves_open() {
    let dir = temp_dir();
    let out = dir.path().join("sweep");
    let args = [
        "sweep",
        "small-pilot",
        "--set",
        "sweep.operators.weekend=[2, 4, 8]",
        "--set",
        "sweep.helpdesk.weekday=[1, 3]",
        "--reps",
        "2",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    assert_success(&cutover(dir.path(), &args));
    let html = report(&out);
    let line = html
        .split("<li>P95 helpdesk wait (hours): best ")
        .nth(1)
        .and_then(|l| l.split("</li>").next())
        .expect("the help desk's line");
    assert!(
        line.contains("at operators.weekend any of 2, 4, 8, helpdesk.weekday = 3; worst")
            && line.contains("at operators.weekend any of 2, 4, 8, helpdesk.weekday = 1"),
        "{line}"
    );
}

/// Policies that share the best mean are named together: `risk-spread` orders small-pilot's
/// one-region tenants as `fifo` does, so neither is "best" alone.
#[test]
fn a_comparison_names_every_policy_that_shares_the_best_mean() {
    let dir = temp_dir();
    let out = dir.path().join("cmp");
    let args = [
        "compare",
        "small-pilot",
        "--policies",
        "fifo,smallest-first,risk-spread",
        "--reps",
        "4",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    assert_success(&cutover(dir.path(), &args));
    let html = report(&out);
    assert!(
        html.contains(
            "P95 helpdesk wait (hours): <code>fifo</code> and <code>risk-spread</code> share the best mean"
        ),
        "{html}"
    );
    assert!(!html.contains("<code>fifo</code> is best"), "{html}");
}

/// An inventory's tenants are known by name: tenants.csv gives each its inventory name, in the
/// inventory's order, and the report's table of late tenants and the weekend chart's lanes show
/// it (a generated tenant has none).
#[test]
fn an_inventorys_tenants_are_named_in_tenants_csv_the_report_and_the_weekend_chart() {
    let dir = temp_dir();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenario = root.join("scenarios/inventory-pilot.toml");
    let args = [
        "run",
        scenario.to_str().unwrap(),
        "--reps",
        "2",
        "--out",
        "inv",
        "-q",
    ];
    assert_success(&cutover(dir.path(), &args));
    let inventory = std::fs::read_to_string(root.join("scenarios/sample-inventory.csv")).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(inventory.as_bytes());
    let expected: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    let out = dir.path().join("inv");
    let tenants = read_csv(&out.join("tenants.csv"));
    assert_eq!(tenants.column("name"), expected);
    assert_eq!(tenants.index("name"), tenants.index("tenant") + 1);
    // Tenant 6, Woodgrove Bank (11 TB), slips in this replication: the table names it.
    let html = report(&out);
    assert!(html.contains("<th>name</th>"), "no name column");
    assert!(
        html.contains("<td class=\"n\">6</td><td>Woodgrove Bank</td>"),
        "Woodgrove Bank is not named among the late tenants"
    );
    let svg = std::fs::read_to_string(out.join("charts/weekend.svg")).unwrap();
    let lanes = expected
        .iter()
        .filter(|name| svg.contains(&format!("\n{}\n", name.replace('&', "&amp;"))))
        .count();
    assert!(lanes > 0, "no lane of the weekend chart is named");
    // A generated population: the column is there, empty.
    assert_success(&cutover(dir.path(), &quick_run("gen", &[])));
    let generated = read_csv(&dir.path().join("gen/tenants.csv"));
    assert!(generated.column("name").iter().all(|n| n.is_empty()));
}

/// A comparison's report names the policies that dominate another from tradeoffs.csv: a name
/// there that is not one of the comparison's policies is a file edited by hand, refused naming
/// its line and column, not written into the report as a finding.
#[test]
fn a_dominating_policy_the_comparison_did_not_run_is_refused() {
    let dir = temp_dir();
    let args = [
        "compare",
        "small-pilot",
        "--policies",
        "fifo,smallest-first",
        "--reps",
        "2",
        "--no-charts",
        "--out",
        "c",
        "-q",
    ];
    assert_success(&cutover(dir.path(), &args));
    let path = dir.path().join("c/tradeoffs.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let (last, n) = (
        text.lines().count(),
        text.lines().next().unwrap().split(',').count(),
    );
    set_cell(&path, last, n - 1, "true");
    set_cell(&path, last, n, "fifo;<b>nosuch</b>");
    let said = assert_bad_input(
        &cutover(dir.path(), &["plot", "c"]),
        &[
            &format!("tradeoffs.csv: line {last}, column {n} (`dominated_by`)"),
            "`<b>nosuch</b>` is not a policy of this comparison",
        ],
    );
    assert!(!said.contains("panicked"), "{said}");
}
