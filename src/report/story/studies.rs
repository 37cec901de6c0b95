//! The report's words for a study folder (`select`, `seek`): the question it was asked and its
//! answer in plain sentences, read from the `study` object of its manifest.

use std::fmt::Write as _;

use serde_json::Value;

use crate::chart::Table;
use crate::error::Error;
use crate::report::Folder;
use crate::report::figures::{self, complement, setting};
use crate::report::html::escape;
use crate::study::seek::Verdict;

fn text(study: &Value, key: &str) -> String {
    match study.get(key) {
        Some(Value::String(s)) => s.clone(),
        // Settings and counts from the manifest, every digit as given.
        Some(Value::Number(n)) => setting(n.as_f64().unwrap_or(f64::NAN)),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn code_list(items: impl IntoIterator<Item = String>) -> String {
    items
        .into_iter()
        .map(|p| format!("<code>{}</code>", escape(&p)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A seek's varied keys with their ranges (`key` from `low` to `high`).
fn seek_ranges(study: &Value) -> Vec<(String, String)> {
    study
        .get("vary")
        .and_then(Value::as_array)
        .map(|v| {
            v.iter()
                .map(|a| {
                    (
                        text(a, "key"),
                        format!("from {} to {}", text(a, "low"), text(a, "high")),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A seek's constraints as given (`--require`), in order: `constraint1` is the first.
pub(in crate::report) fn constraints(study: &Value) -> Vec<String> {
    study
        .get("constraints")
        .and_then(Value::as_array)
        .map(|c| {
            c.iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// What a study is, for the page's heading.
pub(super) fn title(folder: &Folder) -> &'static str {
    match folder
        .manifest
        .get("study")
        .map(|s| text(s, "kind"))
        .as_deref()
    {
        Some("select") => "the best policy selected",
        Some("seek") => "the cheapest setting that meets the constraints",
        _ => "study",
    }
}

/// The question of a study folder, as HTML.
pub(super) fn question(folder: &Folder, reps: &str, seed: &str) -> String {
    let study = folder.manifest.get("study").cloned().unwrap_or(Value::Null);
    match text(&study, "kind").as_str() {
        "select" => format!(
            "Which of {} gives the {} mean <code>{}</code>, with probability at least {} of \
             picking one within {} of the best? Policies run on common random numbers, \
             eliminated as the evidence allows; {} replications in all (seed {}).",
            code_list(
                folder
                    .field("policy")
                    .unwrap_or_default()
                    .split(',')
                    .map(str::to_string)
            ),
            if study.get("maximize").and_then(Value::as_bool) == Some(true) {
                "highest"
            } else {
                "lowest"
            },
            escape(&text(&study, "metric")),
            complement(
                study
                    .get("alpha")
                    .and_then(Value::as_f64)
                    .unwrap_or(f64::NAN)
            ),
            escape(&text(&study, "delta")),
            escape(reps),
            escape(seed)
        ),
        "seek" => format!(
            "What is the cheapest setting of {} that meets {}? {} replications in all (seed {}).",
            seek_ranges(&study)
                .into_iter()
                .map(|(k, r)| format!("<code>{}</code> {}", escape(&k), escape(&r)))
                .collect::<Vec<_>>()
                .join(" and "),
            code_list(constraints(&study)).replacen(
                ", ",
                " and ",
                usize::from(constraints(&study).len() == 2)
            ),
            escape(reps),
            escape(seed)
        ),
        other => format!(
            "What does the <code>{}</code> study find? {} replications in all (seed {}).",
            escape(other),
            escape(reps),
            escape(seed)
        ),
    }
}

/// How many settings a seek evaluated and, under `--monotone`, skipped; in the singular for one.
fn settings_tried(study: &Value) -> String {
    let count = |key: &str| study.get(key).and_then(Value::as_u64).unwrap_or(0);
    let settings = |n: u64| format!("{n} setting{}", if n == 1 { "" } else { "s" });
    let evaluated = format!("{} evaluated", settings(count("settings_evaluated")));
    if study.get("monotone").and_then(Value::as_bool) == Some(true) {
        format!(
            "{evaluated}; {} skipped (under <code>--monotone</code>, a setting below one that \
             surely failed).",
            settings(count("settings_skipped"))
        )
    } else {
        format!("{evaluated} (without <code>--monotone</code>, none is skipped).")
    }
}

/// A verdict column of seek.csv, each cell the word [`Verdict::key`] wrote; any other is bad
/// input naming the file, line and column.
fn verdicts(t: &Table, column: &str) -> Result<Vec<Verdict>, Error> {
    let what = format!("a verdict ({})", Verdict::keys_in_words());
    t.words(column, &what, Verdict::from_key)
}

/// For a seek's answer, each constraint's estimate and one-sided bound, as the screen says them:
/// read from the first setting of seek.csv that met every constraint (settings are tried in
/// order of cost, so that is the answer).
fn answer_checks(folder: &Folder, study: &Value) -> Result<Vec<String>, Error> {
    use crate::files::seek as f;
    if !folder.has(f::FILE) {
        return Ok(Vec::new());
    }
    let t = folder.table(f::FILE)?;
    let Some(row) = verdicts(&t, f::VERDICT)?
        .iter()
        .position(|v| *v == Verdict::Met)
    else {
        return Ok(Vec::new());
    };
    let replications = t.numbers(f::REPLICATIONS)?[row];
    let ceiling = study.get("ceiling").and_then(Value::as_u64).unwrap_or(0);
    let bound_words = crate::study::seek::bound_words(ceiling);
    let mut said = Vec::new();
    for (i, text) in constraints(study).iter().enumerate() {
        let Ok(c) = crate::study::seek::parse_require(text) else {
            continue;
        };
        let column = |what: &str| t.numbers(&f::constraint_column(i + 1, what));
        let (estimate, bound) = (column(f::ESTIMATE)?, column(f::BOUND)?);
        let (estimate, bound) = figures::constraint(&c, estimate[row], bound[row]);
        // A folder written before the count was kept: every replication is taken as measured.
        let measured = if t.has(&f::constraint_column(i + 1, f::MEASURED)) {
            column(f::MEASURED)?[row]
        } else {
            replications
        };
        said.push(format!(
            "<code>{}</code>: estimate {estimate}, bound {bound} ({}; {}).",
            escape(text),
            escape(&bound_words),
            escape(&c.over_words(measured as u64, replications as u64))
        ));
    }
    Ok(said)
}

/// When no setting met every constraint, the constraint that came closest and what to do next,
/// as the screen says it: from every setting of seek.csv.
fn closest(folder: &Folder, study: &Value) -> Result<Option<String>, Error> {
    use crate::files::seek as f;
    use crate::study::seek::Check;
    if !folder.has(f::FILE) {
        return Ok(None);
    }
    let t = folder.table(f::FILE)?;
    let Ok(constraints) = constraints(study)
        .iter()
        .map(|text| crate::study::seek::parse_require(text))
        .collect::<Result<Vec<_>, _>>()
    else {
        return Ok(None);
    };
    let replications = t.numbers(f::REPLICATIONS)?;
    let mut checks: Vec<Vec<Check>> = vec![Vec::new(); replications.len()];
    for i in 1..=constraints.len() {
        let column = |what: &str| t.numbers(&f::constraint_column(i, what));
        let (estimate, bound) = (column(f::ESTIMATE)?, column(f::BOUND)?);
        let verdict = verdicts(&t, &f::constraint_column(i, f::VERDICT))?;
        // A folder written before the count was kept: every replication is taken as measured.
        let measured = if t.has(&f::constraint_column(i, f::MEASURED)) {
            column(f::MEASURED)?
        } else {
            replications.clone()
        };
        for (row, checks) in checks.iter_mut().enumerate() {
            checks.push(Check {
                estimate: estimate[row],
                bound: bound[row],
                verdict: verdict[row],
                measured: measured[row] as u64,
            });
        }
    }
    let slices: Vec<&[Check]> = checks.iter().map(Vec::as_slice).collect();
    let Some((row, i)) = crate::study::seek::closest(&constraints, &slices) else {
        return Ok(None);
    };
    let setting = seek_ranges(study)
        .into_iter()
        .map(|(k, _)| Ok(format!("{k}={}", t.text(&k)?[row])))
        .collect::<Result<Vec<_>, Error>>()?
        .join(", ");
    let ceiling = study.get("ceiling").and_then(Value::as_u64).unwrap_or(0);
    let words = figures::closest(
        &constraints[i],
        &setting,
        &checks[row][i],
        replications[row] as u64,
    );
    let next = crate::study::seek::next_step(checks[row][i].verdict, ceiling);
    Ok(Some(format!(
        "{}. {}.",
        escape(&capitalised(&words)),
        escape(&capitalised(&next))
    )))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// For each constraint on a mean that replications without a value failed, the settings where
/// they did, as the screen says it.
fn lacking(folder: &Folder, study: &Value) -> Result<Vec<String>, Error> {
    use crate::files::seek as f;
    if !folder.has(f::FILE) {
        return Ok(Vec::new());
    }
    let t = folder.table(f::FILE)?;
    let keys: Vec<String> = seek_ranges(study).into_iter().map(|(k, _)| k).collect();
    let values = keys
        .iter()
        .map(|k| t.text(k))
        .collect::<Result<Vec<_>, _>>()?;
    let replications = t.numbers(f::REPLICATIONS)?;
    let settings: Vec<String> = (0..replications.len())
        .map(|row| {
            keys.iter()
                .zip(&values)
                .map(|(k, v)| format!("{k}={}", v[row]))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    let mut said = Vec::new();
    for (i, text) in constraints(study).iter().enumerate() {
        let column = f::constraint_column(i + 1, f::MEASURED);
        let Ok(c) = crate::study::seek::parse_require(text) else {
            continue;
        };
        if !t.has(&column) {
            continue;
        }
        let measured = t.numbers(&column)?;
        let tried: Vec<(String, u64, u64)> = settings
            .iter()
            .zip(measured.iter().zip(&replications))
            .map(|(s, (&m, &r))| (s.clone(), m as u64, r as u64))
            .collect();
        if let Some(words) = crate::study::seek::lacking_words(&c, &tried) {
            said.push(escape(&words));
        }
    }
    Ok(said)
}

/// The answer of a study folder in plain sentences, then its method.
pub(super) fn answer(folder: &Folder) -> Result<String, Error> {
    let study = folder.manifest.get("study").cloned().unwrap_or(Value::Null);
    let mut items = Vec::new();
    match text(&study, "kind").as_str() {
        "select" => {
            let selected = text(&study, "selected");
            if study.get("ceiling_reached").and_then(Value::as_bool) == Some(true) {
                items.push(format!(
                    "<span class=\"bad\">No policy could be told best within {} replications \
                     per policy</span>: <code>{}</code> has the best mean among those left, \
                     without the stated probability.",
                    escape(&text(&study, "ceiling")),
                    escape(&selected)
                ));
            } else {
                items.push(format!(
                    "<span class=\"good\"><code>{}</code> is selected</span>: with probability at \
                     least {} its mean <code>{}</code> is within {} of the best policy's.",
                    escape(&selected),
                    complement(
                        study
                            .get("alpha")
                            .and_then(Value::as_f64)
                            .unwrap_or(f64::NAN)
                    ),
                    escape(&text(&study, "metric")),
                    escape(&text(&study, "delta"))
                ));
            }
            let fixed = study.get("fixed_sample_per_policy").and_then(Value::as_u64);
            let fixed = match fixed {
                Some(n) if n >= crate::study::select::FIXED_SAMPLE_MOST => {
                    format!("more than {}", setting(n as f64))
                }
                _ => text(&study, "fixed_sample_per_policy"),
            };
            items.push(format!(
                "The procedure decided at {} replications of each policy still in contention \
                 (its last stage may have run them a little further: selection.csv's \
                 <code>replications</code>); a fixed design with the same guarantee would have \
                 run {} per policy.",
                escape(&text(&study, "stopped_at")),
                escape(&fixed)
            ));
        }
        "seek" => {
            let ranges = seek_ranges(&study);
            match study.get("answer").and_then(Value::as_array) {
                Some(values) => {
                    let setting = ranges
                        .iter()
                        .zip(values)
                        .map(|((k, _), v)| format!("<code>{} = {}</code>", escape(k), v))
                        .collect::<Vec<_>>()
                        .join(", ");
                    items.push(format!(
                        "<span class=\"good\">The cheapest setting that meets every constraint: \
                         {setting}</span> (cost {}).",
                        escape(&text(&study, "cost"))
                    ));
                    items.extend(answer_checks(folder, &study)?);
                }
                None => {
                    items.push(
                        "<span class=\"bad\">No setting in the ranges meets every constraint</span>."
                            .to_string(),
                    );
                    items.extend(closest(folder, &study)?);
                }
            }
            items.extend(lacking(folder, &study)?);
            items.push(settings_tried(&study));
        }
        _ => {}
    }
    let mut html = String::from("<h2>The answer</h2>\n<ul class=\"answer\">\n");
    for item in items {
        let _ = writeln!(html, "<li>{item}</li>");
    }
    html.push_str("</ul>\n");
    let method = text(&study, "method");
    if !method.is_empty() {
        let _ = writeln!(html, "<p class=\"note\">Method: {}.</p>", escape(&method));
    }
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_seek_answer_reads_its_columns_by_name() {
        use crate::files::seek as f;
        // Columns in another order than the writer's, and one it does not write (a column
        // added later): the answer still reads the first setting that met every constraint.
        let header = [
            f::SETTING.to_string(),
            f::VERDICT.into(),
            f::constraint_column(1, f::BOUND),
            "helpdesk.weekday".into(),
            "wall_seconds".into(),
            f::REPLICATIONS.into(),
            f::constraint_column(1, f::ESTIMATE),
            f::COST.into(),
            f::constraint_column(1, f::VERDICT),
        ];
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(f::FILE),
            format!(
                "{}\n0,failed,5.5,1,0.4,10,4.25,1,failed\n1,met,2.75,2,0.9,40,2.25,2,met\n",
                header.join(",")
            ),
        )
        .unwrap();
        let study = json!({
            "kind": "seek",
            "ceiling": 40,
            "constraints": ["mean(slips) <= 3"],
        });
        let folder = Folder {
            dir: dir.path(),
            kind: crate::chart::FolderKind::Study,
            manifest: json!({ "study": study }),
        };
        let said = answer_checks(&folder, &study).unwrap();
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(
            said[0].starts_with("<code>mean(slips) &lt;= 3</code>: estimate 2.25, bound 2.75 (")
                && said[0].ends_with("; 40 replications)."),
            "{said:?}"
        );
    }

    #[test]
    fn a_seek_without_an_answer_names_the_closest_constraint_and_what_to_do() {
        use crate::files::seek as f;
        let header = [
            f::SETTING.to_string(),
            "helpdesk.weekday".into(),
            f::COST.into(),
            f::REPLICATIONS.into(),
            f::VERDICT.into(),
            f::constraint_column(1, f::ESTIMATE),
            f::constraint_column(1, f::BOUND),
            f::constraint_column(1, f::VERDICT),
        ];
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(f::FILE),
            format!(
                "{}
0,1,1,10,failed,9.5,12.5,failed
1,2,2,40,uncertain,4.25,5.25,uncertain
",
                header.join(",")
            ),
        )
        .unwrap();
        let study = json!({
            "kind": "seek",
            "ceiling": 40,
            "vary": [{"key": "helpdesk.weekday", "low": 1, "high": 2, "weight": 1.0}],
            "constraints": ["mean(slips) <= 3"],
        });
        let folder = Folder {
            dir: dir.path(),
            kind: crate::chart::FolderKind::Study,
            manifest: json!({ "study": study }),
        };
        let said = closest(&folder, &study).unwrap().unwrap();
        assert_eq!(
            said,
            "Closest to passing: `mean(slips) &lt;= 3` at helpdesk.weekday=2: bound 5.3 against 3 \
             (uncertain; 40 replications). More replications may settle it: raise --reps (the most \
             per setting was 40), or widen a --vary range."
        );
    }

    #[test]
    fn settings_tried_are_counted_in_words() {
        let said = |evaluated: u64, skipped: u64, monotone: bool| {
            settings_tried(&json!({
                "settings_evaluated": evaluated,
                "settings_skipped": skipped,
                "monotone": monotone,
            }))
        };
        assert_eq!(
            said(1, 0, false),
            "1 setting evaluated (without <code>--monotone</code>, none is skipped)."
        );
        assert!(said(3, 1, true).starts_with("3 settings evaluated; 1 setting skipped (under"));
        assert!(said(2, 0, true).contains("; 0 settings skipped"));
    }
}
