//! HTML building blocks of the report: escaping, tables, dates in words, the page
//! frame with its style sheet (no script, no font or file from anywhere else).

use std::fmt::Write as _;

use crate::scenario::is_markup_forbidden;

/// Text made safe to put between tags or in an attribute; a character no page may hold (a bell,
/// an escape) is replaced.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_markup_forbidden(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A table: a header row and rows of cells already in HTML. Numeric-looking cells align right.
/// A header may break after an underscore (`constraint1_estimate`), so that a table of long
/// column names fits the page; one still too wide scrolls inside its own box, not the page.
pub fn table(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut html = String::from("<div class=\"table\"><table>\n<thead><tr>");
    for h in headers {
        let _ = write!(html, "<th>{}</th>", escape(h).replace('_', "_<wbr>"));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        html.push_str("<tr>");
        for cell in row {
            let numeric = cell
                .trim_start_matches(['-', '+', '['])
                .starts_with(|c: char| c.is_ascii_digit());
            let _ = write!(
                html,
                "<td{}>{cell}</td>",
                if numeric { " class=\"n\"" } else { "" }
            );
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table></div>\n");
    html
}

/// An ISO date (`2012-10-31`) in words (`31 October 2012`); anything else as it is.
pub fn date_in_words(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let mut parts = iso.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return iso.to_string();
    };
    match (m.parse::<usize>(), d.parse::<u32>()) {
        (Ok(m @ 1..=12), Ok(d)) => format!("{d} {} {y}", MONTHS[m - 1]),
        _ => iso.to_string(),
    }
}

/// The whole page around its body: printable on A4 and Letter alike (the margins fit both).
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        escape(title)
    )
}

const STYLE: &str = r#":root { color: #222; background: #fff; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; font-size: 15px;
  line-height: 1.45; margin: 0; }
main { max-width: 62rem; margin: 0 auto; padding: 1.5rem 1.5rem 3rem; }
h1 { font-size: 1.7rem; margin: 0 0 0.2rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.6rem; border-bottom: 2px solid #ddd; padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 0.4rem; }
p.lead { font-size: 1.05rem; color: #444; margin-top: 0.2rem; }
ul.answer { font-size: 1.1rem; padding-left: 1.2rem; }
ul.answer li { margin: 0.35rem 0; }
.bad { color: #b00020; font-weight: bold; }
.good { color: #1b6e20; font-weight: bold; }
.note { color: #666; font-size: 0.9rem; }
div.table { overflow-x: auto; max-width: 100%; }
/* A table wider than the page scrolls in its box; a shadow at an edge with more beyond it says
   so (the white covers scroll with the table and hide a shadow once its edge is reached). */
div.table {
  background:
    linear-gradient(to right, #fff 30%, rgba(255, 255, 255, 0)) left / 2rem 100% no-repeat local,
    linear-gradient(to left, #fff 30%, rgba(255, 255, 255, 0)) right / 2rem 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, rgba(0, 0, 0, 0.25), rgba(0, 0, 0, 0)) left / 0.9rem 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%, rgba(0, 0, 0, 0.25), rgba(0, 0, 0, 0)) right / 0.9rem 100% no-repeat scroll;
}
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.88rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1rem 0 1.6rem; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9rem; margin-top: 0.3rem; }
/* A chart is drawn 1,200 pixels wide with 16-pixel labels: scaled to a phone's 400 it would set
   them at 5. On a narrow screen it keeps 44rem of width (labels at about 9 pixels) and scrolls
   sideways in its own box, as a wide table does; the page itself does not scroll. */
@media screen and (max-width: 44rem) {
  figure.chart { overflow-x: auto; }
  figure.chart svg { min-width: 44rem; }
}
dl.manifest { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; font-size: 0.85rem; }
dl.manifest dt { font-weight: bold; }
dl.manifest dd { margin: 0; word-break: break-all; font-family: "DejaVu Sans Mono", monospace; }
footer { margin-top: 2.5rem; border-top: 2px solid #ddd; }
@page { margin: 14mm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table { break-inside: auto; }
  tr { break-inside: avoid; }
  /* Paper does not scroll: a wide table is set smaller and its cells wrap, so that no column is
     cut off at the page's edge. */
  div.table { overflow: visible; background: none; }
  div.table table { font-size: 7.5pt; width: 100%; }
  div.table th, div.table td { padding: 1pt 3pt; overflow-wrap: anywhere; }
  td.n { white-space: normal; }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// Long column names may break after their underscores, and the table scrolls in its box.
    #[test]
    fn headers_break_after_underscores_and_the_table_scrolls_in_its_box() {
        let t = table(
            &["constraint1_estimate".into(), "a<b".into()],
            &[vec!["1.5".into(), "x".into()]],
        );
        assert!(t.starts_with("<div class=\"table\"><table>"), "{t}");
        assert!(t.ends_with("</table></div>\n"), "{t}");
        assert!(
            t.contains("<th>constraint1_<wbr>estimate</th><th>a&lt;b</th>"),
            "{t}"
        );
        assert!(t.contains("<td class=\"n\">1.5</td><td>x</td>"), "{t}");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        // What no page may hold is replaced; tabs, line ends and other text stay.
        assert_eq!(
            escape("a\u{7}b\u{1b}\u{ffff}\tc\nZürich"),
            "a\u{fffd}b\u{fffd}\u{fffd}\tc\nZürich"
        );
    }

    #[test]
    fn dates_in_words() {
        assert_eq!(date_in_words("2012-10-31"), "31 October 2012");
        assert_eq!(date_in_words("soon"), "soon");
    }
}
