//! The charts of a sensitivity folder, from its sensitivity.csv: per metric, a tornado of the
//! varied keys, largest leading index (ST or mu*) at the top, with the second index (S1 or
//! sigma) beside it and each one's 95% bootstrap interval.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{
    Axis, BLUE, Figure, Labelled, Mark, ORANGE, heading, legend, note_centred, plot, whisker,
    write_chart,
};
use super::table::{ManifestInfo, Table};
use crate::error::Error;
use crate::files::sensitivity as s;
use crate::study::sensitivity::{FIRST, MU_STAR, SIGMA, TOTAL};

pub(super) fn draw(dir: &Path, manifest: &ManifestInfo, out: &Path) -> Result<Vec<PathBuf>, Error> {
    let table = Table::read(dir, s::FILE)?;
    let key = table.text(s::KEY)?;
    let metric = table.text(s::METRIC)?;
    let kind = table.text(s::INDEX_KIND)?;
    let value = table.numbers(s::VALUE)?;
    let low = table.numbers(s::CI95_LOW)?;
    let high = table.numbers(s::CI95_HIGH)?;
    // Metrics in the file's order, each once.
    let mut metrics: Vec<&str> = Vec::new();
    for m in &metric {
        if !metrics.contains(m) {
            metrics.push(m);
        }
    }
    let sobol = kind.contains(&TOTAL);
    let (lead, second) = if sobol {
        (TOTAL, FIRST)
    } else {
        (MU_STAR, SIGMA)
    };
    let mut written = Vec::new();
    for name in metrics {
        let find = |k: &str, which: &str| {
            (0..table.len())
                .find(|&i| metric[i] == name && key[i] == k && kind[i] == which)
                .map_or((f64::NAN, f64::NAN, f64::NAN), |i| {
                    (value[i], low[i], high[i])
                })
        };
        let mut keys: Vec<&str> = Vec::new();
        for i in (0..table.len()).filter(|&i| metric[i] == name) {
            if !keys.contains(&key[i]) {
                keys.push(key[i]);
            }
        }
        let mut bars: Vec<Bar> = keys
            .iter()
            .map(|k| Bar {
                key: k.to_string(),
                lead: find(k, lead),
                second: find(k, second),
            })
            .collect();
        // Largest first; a stable sort keeps the command's order on ties.
        bars.sort_by(|a, b| b.lead.0.total_cmp(&a.lead.0));
        let figure = Tornado {
            title: format!("{}: what moves {name}", manifest.scenario),
            subtitle: if sobol {
                format!(
                    "Sobol' indices: share of the variance of the mean {name} ({} replications per point); bars ST (total) and S1 (first order), 95% bootstrap intervals",
                    replications(manifest)
                )
            } else {
                format!(
                    "Morris elementary effects: change of the mean {name} over each key's full range ({} replications per point); 95% bootstrap intervals",
                    replications(manifest)
                )
            },
            x_label: if sobol {
                "share of variance".to_string()
            } else {
                format!("{name} per full range of the key")
            },
            names: (lead, second),
            fractions: sobol,
            metric: name.to_string(),
            bars,
        };
        written.extend(write_chart(out, &format!("sensitivity_{name}"), &figure)?);
    }
    Ok(written)
}

fn replications(manifest: &ManifestInfo) -> String {
    manifest
        .replications
        .map_or_else(|| "?".to_string(), |r| r.to_string())
}

struct Bar {
    key: String,
    lead: (f64, f64, f64),
    second: (f64, f64, f64),
}

struct Tornado {
    title: String,
    subtitle: String,
    x_label: String,
    names: (&'static str, &'static str),
    fractions: bool,
    metric: String,
    bars: Vec<Bar>,
}

impl Tornado {
    /// What the chart says in words when it has no bar to show: no keys, or every index 0
    /// (the metric's mean was the same at every design point), which would otherwise be an
    /// empty frame a reader could take for a failed drawing.
    fn note(&self) -> Option<String> {
        if self.bars.is_empty() {
            return Some("no keys".into());
        }
        let nothing = |(v, _, high): (f64, f64, f64)| !(v.abs() > 0.0 || high.abs() > 0.0);
        self.bars
            .iter()
            .all(|b| nothing(b.lead) && nothing(b.second))
            .then(|| {
                format!(
                    "every index is 0: the mean {} was the same at every point",
                    self.metric
                )
            })
    }

    /// A horizontal bar from 0 to `value` at `y` (half-height `h`) with its interval as a whisker.
    fn bar<DB: DrawingBackend>(
        chart: &mut super::frame::Plot<'_, DB>,
        y: f64,
        h: f64,
        (value, low, high): (f64, f64, f64),
        colour: RGBColor,
    ) -> DrawResult<(), DB> {
        if value.is_finite() {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y - h), (value, y + h)],
                colour.filled(),
            )))?;
        }
        whisker(chart, y, (low, high), 5)
    }
}

impl Figure for Tornado {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let body = heading(root, &self.title, &self.subtitle)?;
        let values = self
            .bars
            .iter()
            .flat_map(|b| [b.lead.0, b.lead.2, b.second.0, b.second.2]);
        let x = if self.fractions {
            Axis::fractions(values)
        } else {
            let (_, hi) = super::frame::bounds(values);
            Axis::numeric(
                0.0,
                if hi.is_finite() && hi > 0.0 {
                    hi * 1.05
                } else {
                    1.0
                },
            )
        };
        let names: Vec<String> = self.bars.iter().map(|b| b.key.clone()).collect();
        let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(4) as u32;
        let mut chart = plot(
            &body,
            x,
            Axis::categories(names, 40).reversed(),
            Labelled {
                x: &self.x_label,
                y: "",
            },
            (longest * 10 + 24).clamp(80, 420),
        )?;
        for (i, b) in self.bars.iter().enumerate() {
            let y = i as f64;
            Self::bar(&mut chart, y - 0.17, 0.15, b.lead, BLUE)?;
            Self::bar(&mut chart, y + 0.17, 0.15, b.second, ORANGE)?;
        }
        if let Some(note) = self.note() {
            note_centred(&chart, &note)?;
        }
        if !self.bars.is_empty() {
            let entries = [
                (self.names.0.to_string(), Mark::Fill(BLUE.to_rgba())),
                (self.names.1.to_string(), Mark::Fill(ORANGE.to_rgba())),
            ];
            let avoid: Vec<Vec<(f64, f64)>> = self
                .bars
                .iter()
                .enumerate()
                .flat_map(|(i, b)| {
                    [
                        vec![
                            (0.0, i as f64 - 0.3),
                            (b.lead.2.max(b.lead.0), i as f64 - 0.3),
                        ],
                        vec![
                            (0.0, i as f64 + 0.3),
                            (b.second.2.max(b.second.0), i as f64 + 0.3),
                        ],
                    ]
                })
                .filter(|l| l.iter().all(|(x, y)| x.is_finite() && y.is_finite()))
                .collect();
            legend(&chart, &entries, &avoid)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tornado(values: &[f64]) -> Tornado {
        Tornado {
            title: String::new(),
            subtitle: String::new(),
            x_label: String::new(),
            names: (TOTAL, FIRST),
            fractions: true,
            metric: "peak_errors_outstanding".into(),
            bars: values
                .iter()
                .map(|v| Bar {
                    key: "operators.weekend".into(),
                    lead: (*v, 0.0, *v),
                    second: (*v, 0.0, *v),
                })
                .collect(),
        }
    }

    #[test]
    fn a_metric_no_key_moves_is_said_in_words() {
        let note = tornado(&[0.0, 0.0]).note().expect("a note for all zeros");
        assert!(note.contains("peak_errors_outstanding"), "{note}");
        assert_eq!(tornado(&[]).note().as_deref(), Some("no keys"));
        assert_eq!(tornado(&[0.0, 0.4]).note(), None);
    }
}
