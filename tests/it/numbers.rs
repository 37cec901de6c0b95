//! Numbers: what is written is what was meant. Integers (a seed above 2^53) are written exactly,
//! and what cannot be honoured (a swept seed, weights whose sum overflows) is refused, not
//! silently ignored or turned into a wrong result.

use crate::common::{
    SMALL_SCENARIO, assert_bad_input, assert_success, cutover, quick_run, read_csv, temp_dir,
    write_file,
};

#[test]
fn a_seed_above_two_to_the_53_is_written_exactly() {
    let dir = temp_dir();
    let seed = "9007199254740993";
    let out = cutover(dir.path(), &quick_run("o", &["--seed", seed]));
    assert_success(&out);
    let csv = read_csv(&dir.path().join("o/replications.csv"));
    assert_eq!(csv.column("seed"), [seed]);
    let manifest = std::fs::read_to_string(dir.path().join("o/manifest.json")).unwrap();
    assert!(
        manifest.contains(&format!("\"seed\": {seed}")),
        "{manifest}"
    );
}

/// Weights whose sum overflows: over an infinite total every weight is 0, and every draw (of a
/// region, of an empirical distribution) would be the last value.
#[test]
fn weights_whose_sum_overflows_are_refused() {
    let dir = temp_dir();
    let s = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    for (sets, key) in [
        (
            vec![
                "population.regions=[\"A\", \"B\", \"C\"]",
                "population.region_weights=[1e308, 1e308, 1e308]",
            ],
            "population.region_weights",
        ),
        (
            vec![
                "population.blocked_days={ dist = \"empirical\", values = [1, 90], weights = [1e308, 1e308] }",
            ],
            "population.blocked_days",
        ),
    ] {
        let mut args = vec!["run", s.as_str(), "--out", "o"];
        for set in sets {
            args.extend(["--set", set]);
        }
        let out = cutover(dir.path(), &args);
        assert_bad_input(&out, &[key, "more than a number can hold"]);
    }
}

#[test]
fn seed_and_replications_cannot_be_swept() {
    let dir = temp_dir();
    for key in ["seed", "replications"] {
        let text = format!("{SMALL_SCENARIO}\n[sweep]\n{key} = [1, 3]\n");
        let s = write_file(dir.path(), "s.toml", &text);
        let out = cutover(dir.path(), &["sweep", &s, "--out", "o", "-q"]);
        let lines = SMALL_SCENARIO.lines().count();
        let at = format!("s.toml:{}:1", lines + 3);
        assert_bad_input(&out, &[&format!("`{key}` cannot be swept"), &at]);
    }
}
