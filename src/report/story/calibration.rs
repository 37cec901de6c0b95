//! The report's answer for a calibration folder: each fitted key's value and interval, or that the
//! observations cannot tell its values apart, then how the fit forecasts the held-out weeks.

use std::fmt::Write as _;

use crate::error::Error;
use crate::files;
use crate::report::Folder;
use crate::report::figures::{ANY, number, setting, setting_estimate};
use crate::report::html::escape;
use crate::study::calibrate::Holdout;

/// Whether the manifest's factor `key` takes whole numbers only.
fn integer(folder: &Folder, key: &str) -> bool {
    folder
        .manifest
        .get("factors")
        .and_then(|f| f.as_array())
        .into_iter()
        .flatten()
        .find(|f| f.get("key").and_then(|k| k.as_str()) == Some(key))
        .and_then(|f| f.get("integer")?.as_bool())
        == Some(true)
}

/// Each fitted key's value and interval, or that the observations cannot tell its values apart;
/// then whether the fit forecasts the held-out weeks.
pub(super) fn answer(folder: &Folder) -> Result<String, Error> {
    use files::calibration as c;
    let t = folder.table(c::FILE)?;
    let (key, identifiable) = (t.text(c::HEADER[0])?, t.text(c::HEADER[4])?);
    let (value, low, high) = (
        t.numbers(c::HEADER[1])?,
        t.numbers(c::HEADER[2])?,
        t.numbers(c::HEADER[3])?,
    );
    let (d, cells) = (t.numbers(c::HEADER[6])?, t.numbers(c::HEADER[7])?);
    let (hd, hcells) = (t.numbers(c::HEADER[8])?, t.numbers(c::HEADER[9])?);
    let (hreps, exceeded) = (t.numbers(c::HEADER[10])?, t.numbers(c::HEADER[11])?);
    let ranges = super::sensitivity::ranges(folder);
    let mut html = String::from("<h2>The answer</h2>\n<ul class=\"answer\">\n");
    for i in 0..t.len() {
        let line = if identifiable[i] == "true" {
            // Within the range the key was fitted over, as the interval is.
            let range = ranges
                .iter()
                .find(|(k, _, _)| k == key[i])
                .map_or(ANY, |&(_, low, high)| (low, high));
            let w = setting_estimate(value[i], low[i], high[i], range, integer(folder, key[i]));
            format!(
                "<code>{}</code> = {} (95% interval {}).",
                escape(key[i]),
                w.value,
                w.interval()
            )
        } else {
            format!(
                "<span class=\"bad\"><code>{}</code> is not identifiable</span>: over its whole \
                 range, {} to {}, the observed columns do not tell its values apart; it was left \
                 as it was.",
                escape(key[i]),
                setting(low[i]),
                setting(high[i])
            )
        };
        let _ = writeln!(html, "<li>{line}</li>");
    }
    if let (Some(&d), Some(&n)) = (d.first(), cells.first()) {
        let _ = writeln!(
            html,
            "<li>Discrepancy {} over {} fitted values ({} per value; about 1 when the model \
             agrees with the weeks as well as its own replications agree with each other).</li>",
            number(d),
            number(n),
            number(d / n.max(1.0))
        );
    }
    if let (Some(&d), Some(&n), Some(&r), Some(&k)) =
        (hd.first(), hcells.first(), hreps.first(), exceeded.first())
        && n >= 0.0
    {
        let h = Holdout {
            discrepancy: d,
            cells: n as usize,
            replications: r as usize,
            exceeded: k as usize,
        };
        let words = escape(&h.in_words());
        let _ = writeln!(
            html,
            "<li>On the held-out weeks: {}.</li>",
            if h.rejected() {
                format!("<span class=\"bad\">{words}</span>")
            } else {
                words
            }
        );
    }
    html.push_str(
        "</ul>\n<p class=\"note\">The calibrated scenario is <code>calibrated.toml</code> in \
         this folder: <code>cutover run</code> it for the forecast.</p>\n",
    );
    Ok(html)
}
