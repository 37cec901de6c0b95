//! README.md and docs/*.md hold to the program: every scenario snippet loads, every default a table
//! of docs/scenario.md states is the loader's, every flag a shown command line uses is one its
//! command takes, the `--set` examples load, a sample of `validate`'s output is what it prints,
//! README names every field of a run's manifest, and every link resolves.

use std::path::Path;

use cutover::scenario::Scenario;

use crate::common::{assert_success, cutover, temp_dir, write_file};

const README: &str = include_str!("../../README.md");
const SCENARIO_MD: &str = include_str!("../../docs/scenario.md");
const POLICIES_MD: &str = include_str!("../../docs/policies.md");
const DOMAIN_MD: &str = include_str!("../../docs/domain.md");

/// The pages a user reads, by their path in the repository.
const PAGES: &[(&str, &str)] = &[
    ("README.md", README),
    ("docs/scenario.md", SCENARIO_MD),
    ("docs/policies.md", POLICIES_MD),
    ("docs/domain.md", DOMAIN_MD),
    ("ARCHITECTURE.md", include_str!("../../ARCHITECTURE.md")),
    ("BENCHMARKS.md", include_str!("../../BENCHMARKS.md")),
    ("fuzz/README.md", include_str!("../../fuzz/README.md")),
];

/// A fenced block: its language tag, its text and the line of the page it starts on.
struct Block<'a> {
    lang: &'a str,
    text: String,
    line: usize,
}

fn blocks(page: &str) -> Vec<Block<'_>> {
    let mut found = Vec::new();
    let mut lines = page.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(lang) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let indent = line.len() - line.trim_start().len();
        let mut text = String::new();
        for (_, inner) in lines.by_ref() {
            if inner.trim() == "```" {
                break;
            }
            text.push_str(inner.get(indent..).unwrap_or(inner.trim_start()));
            text.push('\n');
        }
        found.push(Block {
            lang: lang.trim(),
            text,
            line: n + 2,
        });
    }
    found
}

/// Whether a block is a sample of `cutover validate` refusing the file shown just before it.
fn is_validate_sample(block: &Block) -> bool {
    block.lang.is_empty() && block.text.starts_with("$ cutover validate ")
}

/// Every TOML block of the pages loads as (part of) a scenario, except the one shown with its
/// errors; keys without a table of their own (a distribution's) are read as `[population]`'s.
/// The inventory CSV is read by a scenario that names it.
#[test]
fn every_scenario_snippet_in_the_docs_loads() {
    let dir = temp_dir();
    let mut checked = 0;
    for (page, text) in PAGES {
        let all = blocks(text);
        for (i, block) in all.iter().enumerate() {
            let shown_refused = all.get(i + 1).is_some_and(is_validate_sample);
            let scenario = match block.lang {
                "toml" if shown_refused => continue,
                "toml" => {
                    let first = block
                        .text
                        .lines()
                        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                        .unwrap_or("");
                    let table = if first.starts_with('[') {
                        ""
                    } else {
                        "[population]\n"
                    };
                    format!("name = \"doc\"\n{table}{}", block.text)
                }
                "csv" => {
                    let csv = write_file(dir.path(), "inventory.csv", &block.text);
                    format!("name = \"doc\"\n[population]\ninventory = {csv:?}\n")
                }
                _ => continue,
            };
            checked += 1;
            if let Err(e) = Scenario::from_text(&scenario, "doc.toml", &[]) {
                panic!(
                    "{page}:{}: the snippet does not load:\n{e}\n{scenario}",
                    block.line
                );
            }
        }
    }
    assert!(checked >= 14, "only {checked} snippets found");
}

/// The sample of `cutover validate` in docs/scenario.md is what it prints for the file shown
/// before it, line for line, in the order given.
#[test]
fn the_validate_sample_is_what_validate_prints() {
    let all = blocks(SCENARIO_MD);
    let at = all
        .iter()
        .position(is_validate_sample)
        .expect("docs/scenario.md shows `cutover validate` refusing a file");
    let (file, sample) = (&all[at - 1], &all[at]);
    assert_eq!(
        file.lang, "toml",
        "the file refused is shown before the sample"
    );
    let mut lines = sample.text.lines();
    let command = lines.next().unwrap().strip_prefix("$ cutover ").unwrap();
    let args: Vec<&str> = command.split_whitespace().collect();
    let dir = temp_dir();
    write_file(dir.path(), args[1], &file.text);
    let out = cutover(dir.path(), &args);
    assert_eq!(out.status.code(), Some(2));
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Vec<&str> = printed.lines().collect();
    let shown: Vec<&str> = lines.collect();
    assert_eq!(printed, shown, "docs/scenario.md:{}", sample.line);
}

/// Words of a shell command line, as the shell splits it: single quotes keep spaces.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            ' ' if !quoted => words.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// The `--set` examples of docs/scenario.md load on the scenarios they name, `my.toml` being the
/// copy of bpos-2011 the page says it is.
#[test]
fn the_set_examples_load_on_the_scenarios_they_name() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let section = SCENARIO_MD
        .split("## `--set` overrides")
        .nth(1)
        .expect("docs/scenario.md has a section on --set");
    let block = &blocks(section)[0];
    let mut checked = 0;
    for line in block.text.lines() {
        let words = shell_words(line);
        assert_eq!(words[..2], ["cutover", "run"], "{line}");
        let name = match words[2].as_str() {
            "my.toml" => "bpos-2011",
            bundled => bundled,
        };
        let text = std::fs::read_to_string(root.join("scenarios").join(format!("{name}.toml")))
            .unwrap_or_else(|_| panic!("no scenario `{name}` for: {line}"));
        let overrides: Vec<String> = words[3..]
            .chunks(2)
            .map(|pair| {
                assert_eq!(pair[0], "--set", "{line}");
                pair[1].clone()
            })
            .collect();
        if let Err(e) = Scenario::from_text(&text, &words[2], &overrides) {
            panic!("docs/scenario.md: `{line}` is refused:\n{e}");
        }
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} examples");
}

/// The sections of docs/scenario.md whose first table lists the keys of a scenario table.
const KEY_TABLES: &[(&str, &str)] = &[
    ("## Top level", ""),
    ("## `[calendar]`", "calendar"),
    ("## `[population]`", "population"),
    ("## `[phases]`", "phases"),
    ("## `[batching]`", "batching"),
    ("## `[copy]`", "copy"),
    ("## `[workitems]`", "workitems"),
    ("## `[operators]`", "operators"),
    ("## `[clients]`", "clients"),
    ("## `[helpdesk]`", "helpdesk"),
    ("The BPOS programme's offsets", "phases"),
    ("### Keys", "lync"),
];

/// The rows of the first table after the line that starts with `heading`: its cells, without
/// the header.
fn first_table(heading: &str) -> Vec<Vec<String>> {
    let start = SCENARIO_MD
        .lines()
        .position(|l| l.starts_with(heading))
        .unwrap_or_else(|| panic!("docs/scenario.md has no heading `{heading}`"));
    SCENARIO_MD
        .lines()
        .skip(start + 1)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

/// A cell that is one code span: its text.
fn code(cell: &str) -> Option<&str> {
    cell.strip_prefix('`')?
        .strip_suffix('`')
        .filter(|c| !c.contains('`'))
}

/// A scenario of `text`, with the source text left out of the comparison.
fn loaded(text: &str) -> Scenario {
    let mut sc =
        Scenario::from_text(text, "doc.toml", &[]).unwrap_or_else(|e| panic!("{e}\nfrom:\n{text}"));
    sc.source_text = "".into();
    sc
}

/// Every default docs/scenario.md states as a TOML value (`48`, `[8, 18]`, a distribution) is
/// the loader's: writing it out changes nothing. So are the BPOS work kinds' durations.
#[test]
fn every_default_docs_scenario_md_states_is_the_default() {
    let bare = loaded("");
    let mut checked = 0;
    let mut check = |table: &str, key: &str, value: &str| {
        let text = if table.is_empty() {
            format!("{key} = {value}\n")
        } else {
            format!("[{table}]\n{key} = {value}\n")
        };
        if toml::from_str::<toml::Table>(&text).is_err() {
            return; // a default said in words (`deadline` + 91 days, another key's value)
        }
        assert!(
            loaded(&text) == bare,
            "docs/scenario.md says `{table}.{key}` defaults to {value}, but writing it changes the scenario"
        );
        checked += 1;
    };
    for (heading, table) in KEY_TABLES {
        for row in first_table(heading) {
            if let (Some(key), Some(value)) = (code(&row[0]), row.get(1).and_then(|c| code(c))) {
                check(table, key, value);
            }
        }
    }
    let kinds = first_table("The BPOS programme's kinds and their defaults");
    for row in kinds {
        let kind = code(&row[0]).expect("a kind");
        for (key, cell) in [("duration_minutes", &row[2]), ("minutes_per_seat", &row[3])] {
            if cell.parse::<f64>().is_ok() {
                check(&format!("workitems.{kind}"), key, cell);
            }
        }
    }
    assert!(checked >= 90, "only {checked} defaults checked");
}

/// The flags a command line of the pages passes to `cutover`, with the subcommand.
fn command_flags(line: &str) -> Option<(String, Vec<String>)> {
    let line = line.strip_prefix("$ ").unwrap_or(line);
    let rest = line
        .strip_prefix("cutover ")
        .or_else(|| line.strip_prefix("cargo run --release -- "))?;
    // Quoted arguments ('mean(M) <= X', a TOML value) hold no flag.
    let mut unquoted = String::new();
    let mut quote = None;
    for c in rest.split(" #").next().unwrap_or("").chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None => unquoted.push(c),
        }
    }
    let mut words = unquoted.split_whitespace();
    let command = words.next()?.to_string();
    let flags = words
        .map(|w| w.trim_start_matches('['))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| {
            w.split(['=', ']', ' '])
                .next()
                .unwrap_or(w)
                .trim_end_matches("...")
                .to_string()
        })
        .collect();
    Some((command, flags))
}

/// Every command line the pages show (a shell block's, or a sample's after `$ `) names a command
/// and only flags that command's `--help` lists.
#[test]
fn every_flag_a_shown_command_uses_is_one_its_command_takes() {
    let dir = temp_dir();
    let mut helps = std::collections::HashMap::new();
    let mut checked = 0;
    for (page, text) in PAGES {
        for block in blocks(text) {
            if !matches!(block.lang, "sh" | "") {
                continue;
            }
            let joined = block.text.replace("\\\n", " ");
            for (n, line) in joined.lines().enumerate() {
                let Some((command, flags)) = command_flags(line) else {
                    continue;
                };
                let help = helps.entry(command.clone()).or_insert_with(|| {
                    let out = cutover(dir.path(), &[&command, "--help"]);
                    assert!(
                        out.status.success(),
                        "{page}:{}: `cutover {command}` is not a command",
                        block.line + n
                    );
                    String::from_utf8_lossy(&out.stdout).into_owned()
                });
                for flag in flags {
                    assert!(
                        help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                        "{page}:{}: `cutover {command}` takes no {flag}",
                        block.line + n
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 110, "only {checked} flags checked");
}

/// A heading's anchor as GitHub makes it: lower case, spaces as `-`, other punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(page: &str) -> Vec<String> {
    let mut in_code = false;
    page.lines()
        .filter(|l| {
            if l.trim_start().starts_with("```") {
                in_code = !in_code;
            }
            !in_code
        })
        .filter_map(|l| {
            l.trim_start_matches('#')
                .strip_prefix(' ')
                .filter(|_| l.starts_with('#'))
        })
        .map(anchor)
        .collect()
}

/// Every link of the pages to a file of the repository names one that exists, inside it, and a
/// heading the page it names has.
#[test]
fn every_link_in_the_docs_resolves() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for (page, text) in PAGES {
        let here = root.join(page);
        let folder = here.parent().unwrap();
        let mut rest = *text;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let Some(end) = rest.find(')') else { break };
            let target = &rest[..end];
            if target.contains("://") || target.contains(' ') {
                continue;
            }
            checked += 1;
            let (path, heading) = target.split_once('#').unwrap_or((target, ""));
            let file = if path.is_empty() {
                here.clone()
            } else {
                folder.join(path)
            };
            let file = file
                .canonicalize()
                .unwrap_or_else(|_| panic!("{page}: a link to `{target}`, which does not exist"));
            assert!(
                file.starts_with(root.canonicalize().unwrap()),
                "{page}: a link to `{target}`, outside the repository"
            );
            if !heading.is_empty() {
                let linked = std::fs::read_to_string(&file).unwrap();
                assert!(
                    anchors(&linked).iter().any(|a| a == heading),
                    "{page}: a link to `{target}`, a heading its page does not have"
                );
            }
        }
    }
    assert!(checked >= 75, "only {checked} links checked");
}

/// The fields of a run's manifest.json are those README's table of files names, down to the
/// fields of its `precision` record.
#[test]
fn readme_names_every_field_of_a_run_manifest() {
    let dir = temp_dir();
    assert_success(&cutover(
        dir.path(),
        &[
            "run",
            "small-pilot",
            "--precision",
            "slips=0.5",
            "--reps",
            "20",
            "--no-charts",
            "-q",
            "--out",
            "out",
        ],
    ));
    let text = std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    let row = README
        .lines()
        .find(|l| l.starts_with("| `manifest.json` | run |"))
        .expect("README's table of files has manifest.json");
    let named = |field: &str| {
        row.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|w| w == field)
    };
    let mut fields: Vec<&String> = manifest.as_object().unwrap().keys().collect();
    let precision = &manifest["precision"];
    fields.extend(precision.as_object().unwrap().keys());
    fields.extend(precision["checks"][0].as_object().unwrap().keys());
    for field in fields {
        assert!(
            named(field),
            "README's row of manifest.json does not name `{field}`"
        );
    }
}
