//! Every legend tells the truth: each swatch in a chart's legend has the colour of something drawn
//! in the chart itself. Checked on the SVG of every chart of a run of each bundled programme, a
//! comparison and a two-key sweep, so a series renamed, recoloured or left undrawn (a band in the
//! legend and nowhere on the plot) fails here whichever chart it is in.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::{assert_success, cutover, temp_dir};

/// One SVG element: its tag, the colours it paints with and the box its coordinates span.
struct Element {
    tag: String,
    colours: Vec<String>,
    bounds: Option<[f64; 4]>,
    legend_box: bool,
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

fn number(tag: &str, name: &str) -> Option<f64> {
    attribute(tag, name)?.parse().ok()
}

fn span(points: impl Iterator<Item = (f64, f64)>) -> Option<[f64; 4]> {
    points.fold(None, |acc, (x, y)| {
        Some(match acc {
            None => [x, y, x, y],
            Some([x0, y0, x1, y1]) => [x0.min(x), y0.min(y), x1.max(x), y1.max(y)],
        })
    })
}

fn elements(svg: &str) -> Vec<Element> {
    svg.split('<')
        .skip(1)
        .filter(|t| !t.starts_with('/') && !t.starts_with('?') && !t.starts_with('!'))
        .map(|t| {
            let tag = &t[..t.find('>').unwrap_or(t.len())];
            let name = tag.split_whitespace().next().unwrap_or("").to_owned();
            let colours = ["fill", "stroke"]
                .iter()
                .filter_map(|a| attribute(tag, a))
                .filter(|c| c.starts_with('#'))
                .map(str::to_owned)
                .collect();
            let bounds = match name.as_str() {
                "rect" => (|| {
                    let (x, y) = (number(tag, "x")?, number(tag, "y")?);
                    Some([x, y, x + number(tag, "width")?, y + number(tag, "height")?])
                })(),
                "circle" => (|| {
                    let (x, y, r) = (number(tag, "cx")?, number(tag, "cy")?, number(tag, "r")?);
                    Some([x - r, y - r, x + r, y + r])
                })(),
                "line" => span(
                    [("x1", "y1"), ("x2", "y2")]
                        .iter()
                        .filter_map(|(a, b)| Some((number(tag, a)?, number(tag, b)?))),
                ),
                "polyline" | "polygon" => attribute(tag, "points").and_then(|p| {
                    span(p.split_whitespace().filter_map(|xy| {
                        let (x, y) = xy.split_once(',')?;
                        Some((x.parse().ok()?, y.parse().ok()?))
                    }))
                }),
                _ => None,
            };
            // The legend's box: a white, slightly transparent rectangle (chart::frame::legend_at).
            let legend_box = name == "rect"
                && attribute(tag, "fill") == Some("#FFFFFF")
                && attribute(tag, "opacity") == Some("0.9");
            Element {
                tag: name,
                colours,
                bounds,
                legend_box,
            }
        })
        .collect()
}

fn inside(inner: [f64; 4], outer: [f64; 4]) -> bool {
    inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3]
}

/// The colours of a legend's swatches that nothing outside the legends is drawn with.
fn unmatched_swatches(svg: &str) -> (usize, Vec<String>) {
    let all = elements(svg);
    let boxes: Vec<[f64; 4]> = all
        .iter()
        .filter(|e| e.legend_box)
        .filter_map(|e| e.bounds)
        .collect();
    let in_legend = |e: &Element| {
        e.bounds
            .is_some_and(|b| boxes.iter().any(|x| inside(b, *x)))
    };
    let mut swatches = BTreeSet::new();
    let mut drawn = BTreeSet::new();
    for e in all.iter().filter(|e| e.tag != "text" && !e.legend_box) {
        // The legend's own grey frame shares its box's bounds.
        if e.bounds.is_some_and(|b| boxes.contains(&b)) {
            continue;
        }
        let into = if in_legend(e) {
            &mut swatches
        } else {
            &mut drawn
        };
        into.extend(e.colours.iter().filter(|c| *c != "#FFFFFF").cloned());
    }
    let unmatched = swatches.difference(&drawn).cloned().collect();
    (boxes.len(), unmatched)
}

fn svgs(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "svg") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_legend_swatch_is_drawn_in_its_chart() {
    let dir = temp_dir();
    let out = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let commands: [&[&str]; 4] = [
        &["run", "small-pilot", "--reps", "3"],
        &["run", "tenant-to-tenant", "--reps", "2"],
        &[
            "compare",
            "small-pilot",
            "--policies",
            "fifo,smallest-first",
            "--reps",
            "3",
        ],
        &[
            "sweep",
            "small-pilot",
            "--set",
            "sweep.operators.weekend=[2, 8]",
            "--set",
            "sweep.helpdesk.weekday=[1, 4]",
            "--reps",
            "2",
        ],
    ];
    let (mut charts, mut legends) = (0, 0);
    for (i, args) in commands.iter().enumerate() {
        let folder = out(&format!("f{i}"));
        let mut args = args.to_vec();
        args.extend(["--quiet", "--out", &folder]);
        assert_success(&cutover(dir.path(), &args));
        for path in svgs(Path::new(&folder)) {
            let svg = std::fs::read_to_string(&path).unwrap();
            let (boxes, unmatched) = unmatched_swatches(&svg);
            assert!(
                unmatched.is_empty(),
                "{}: legend swatches in {unmatched:?} match nothing drawn",
                path.display()
            );
            charts += 1;
            legends += boxes;
        }
    }
    eprintln!("{charts} charts, {legends} legends checked");
    // The check saw real legends: most run charts and every comparison chart have one.
    assert!(
        charts >= 30 && legends >= 15,
        "{charts} charts, {legends} legends"
    );
}

#[test]
fn a_legend_swatch_of_an_undrawn_colour_is_caught() {
    let svg = r##"<svg>
<rect x="0" y="0" width="100" height="100" opacity="1" fill="#FFFFFF" stroke="none"/>
<polyline fill="none" stroke="#1F77B4" points="10,50 90,60"/>
<rect x="60" y="5" width="35" height="30" opacity="0.9" fill="#FFFFFF" stroke="none"/>
<rect x="60" y="5" width="35" height="30" opacity="1" fill="none" stroke="#888888"/>
<line x1="62" y1="10" x2="70" y2="10" stroke="#1F77B4"/>
<line x1="62" y1="20" x2="70" y2="20" stroke="#D62728"/>
</svg>"##;
    assert_eq!(unmatched_swatches(svg), (1, vec!["#D62728".to_owned()]));
}
