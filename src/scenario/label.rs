//! Names a scenario chooses that output files, charts and the report show as written (regions,
//! phase and work kinds' names, declared policies' names, swept text): what they may hold.

use std::borrow::Cow;

use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// Most characters of a region's name: it is a cell of every row of tenants.csv.
pub const MAX_REGION_CHARS: usize = 64;
/// Most characters of a declared policy's name: a cell of comparison.csv and a legend entry.
pub const MAX_POLICY_NAME_CHARS: usize = 64;
/// Most characters of an inventory tenant's name: a cell of tenants.csv, a row of the report's
/// table of late tenants and a lane of the weekend chart.
pub const MAX_TENANT_NAME_CHARS: usize = 100;
/// Most characters of a phase's name: charts draw it in legends and axis titles.
pub const MAX_PHASE_NAME_CHARS: usize = 100;

/// Whether `c` does not show as itself: a control character (a bell, a terminal escape, a line
/// end), a line or paragraph separator, an invisible mark that reorders the text around it (a
/// direction override), a byte-order mark (which a reader strips at the start of a file, so
/// that one more makes `week` a column name that looks like `week` and is not), or another mark
/// that shows nothing and joins nothing, so that `NA` and `NA` with one after it would be two
/// regions that read the same: a zero-width space, a soft hyphen, a word joiner or invisible
/// operator, a deprecated format mark, an interlinear annotation mark, a tag, the Mongolian
/// vowel separator, or one of the two noncharacters U+FFFE and U+FFFF. The zero-width joiner and
/// non-joiner and the tags of a flag's sequence are left to the scripts and emoji that need them,
/// where they join or make something ([`stray_joiner`] refuses them elsewhere); the Mongolian
/// vowel separator and variation selectors too ([`reads_as`] sees through them).
pub fn is_unprintable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{061c}'
                | '\u{200b}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{fffe}'
                | '\u{ffff}'
                | '\u{e0001}'
        )
}

/// Whether `c` shapes the character before it and shows nothing by itself: the combining
/// grapheme joiner, a variation selector (text or emoji style of the same character), a
/// Mongolian free variation selector or vowel separator. Text needs them, but two names that
/// differ only by them read the same. Joiners and tags are not among them: `👨‍👩‍👧` (one glyph,
/// joined) is not `👨👩👧`, nor England's flag Scotland's, which differ only by tags.
fn shows_nothing(c: char) -> bool {
    matches!(
        c,
        '\u{34f}' | '\u{180b}'..='\u{180f}' | '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}'
    )
}

/// A zero-width joiner or non-joiner that joins nothing, or a tag character that is not part of
/// a flag's sequence: each shows nothing where it stands, so that `NA` and `NA` with one after
/// it would be two names that read the same. A joiner joins nothing at the start, after a space,
/// ASCII or another joiner, or before them or at the end, unless what it follows shapes the
/// end of a word with it: a virama (the chillu letters of Malayalam written the older way, a
/// Bengali khanda ta) or a letter of a joining script (Arabic, Syriac, N'Ko, Mongolian). A tag
/// follows U+1F3F4 or another tag, and the sequence ends with the cancel tag U+E007F.
fn stray_joiner(text: &str) -> Option<char> {
    let joiner = |c: char| matches!(c, '\u{200c}' | '\u{200d}');
    let tag = |c: char| ('\u{e0020}'..='\u{e007f}').contains(&c);
    let plain = |c: Option<char>| c.is_none_or(|c| c.is_ascii() || c.is_whitespace() || joiner(c));
    let shapes_an_end = |c: char| {
        unicode_normalization::char::canonical_combining_class(c) == 9
            || matches!(c, '\u{600}'..='\u{8ff}' | '\u{1800}'..='\u{18af}' | '\u{a840}'..='\u{a87f}')
    };
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().find_map(|(i, &c)| {
        let before = i.checked_sub(1).map(|b| chars[b]);
        let after = chars.get(i + 1).copied();
        let stray = if joiner(c) {
            plain(before) || (plain(after) && !before.is_some_and(shapes_an_end))
        } else if tag(c) {
            let follows = before.is_some_and(|b| b == '\u{1f3f4}' || (tag(b) && b != '\u{e007f}'));
            let closed = c == '\u{e007f}' || after.is_some_and(tag);
            !(follows && closed)
        } else {
            false
        };
        stray.then_some(c)
    })
}

/// `text` as a reader sees it: without the characters that show nothing by themselves
/// ([`shows_nothing`]), and with each accented letter in one encoding (Unicode's canonical
/// composition, NFC), so that names told apart only by them are found to be the same name:
/// `NA` and `NA` with a variation selector after it, `Café` typed with `é` and exported (as
/// some systems write file names) as `e` and a combining accent.
pub fn reads_as(text: &str) -> String {
    text.chars().filter(|&c| !shows_nothing(c)).nfc().collect()
}

/// `text` with the characters that show nothing by themselves, joiners and tags, and the
/// combining marks that accent the letter before them, written as escapes (`NA\u{200d}`,
/// `Cafe\u{301}`), for a message about a name that does not read as it is written.
pub fn revealed(text: &str) -> String {
    let hidden = |c: char| {
        shows_nothing(c)
            || is_combining_mark(c)
            || matches!(c, '\u{200c}' | '\u{200d}' | '\u{e0020}'..='\u{e007f}')
    };
    escaped_where(text, hidden).into_owned()
}

/// Whether `c` is not to stand in an SVG or HTML page: the C0 controls but tab and line ends,
/// and the two noncharacters U+FFFE and U+FFFF (XML 1.0 forbids them; HTML takes them for parse
/// errors); and any other character that does not show as itself ([`is_unprintable`]: delete, a
/// C1 control, a direction override that would reorder the text around it), which no name
/// cutover writes holds, but a folder's files changed by hand could. Charts and the report write U+FFFD
/// in their place, whatever a name holds.
pub fn is_markup_forbidden(c: char) -> bool {
    is_unprintable(c) && !matches!(c, '\t' | '\n' | '\r')
}

/// `text` with every unprintable character but those in `keep` written as its escape
/// (`\u{1b}`), so that quoting it cannot move a terminal's cursor or hide what follows.
pub fn escape_unprintable<'a>(text: &'a str, keep: &[char]) -> Cow<'a, str> {
    escaped_where(text, |c| is_unprintable(c) && !keep.contains(&c))
}

/// `text` with each character that `hidden` picks written as its escape.
fn escaped_where(text: &str, hidden: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.contains(&hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hidden(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The first character of `text` that makes a spreadsheet opening a CSV file take the cell for a
/// formula (`=`, `+`, `-`, `@`), if it starts with one.
pub fn formula_start(text: &str) -> Option<char> {
    text.chars().next().filter(|c| "=+-@".contains(*c))
}

/// Whether `c` shows nothing where it stands: a space of any width, a mark without a glyph (a
/// soft hyphen, a combining grapheme joiner, a zero-width space or joiner, a word joiner, a
/// byte-order mark, a Mongolian vowel separator, a tag, a musical format mark) or a character
/// drawn as blank (the Hangul fillers, the blank Braille pattern).
fn is_blank(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200d}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0000}'..='\u{e007f}'
        )
}

/// Why `text` cannot be a name that a chart's legend or a message shows, of at most `max_chars`
/// characters: [`problem`], and a name must show something: not empty, nor only spaces (or
/// marks without a glyph), which would be an empty legend entry.
pub fn name_problem(text: &str, max_chars: usize, in_csv: bool) -> Option<String> {
    if text.is_empty() {
        return Some("is empty".into());
    }
    if text.chars().all(is_blank) {
        return Some("is only blank characters, so it shows as nothing".into());
    }
    problem(text, max_chars, in_csv)
}

/// Why `text` cannot be a name of at most `max_chars` characters that output files and charts
/// show; `None` if it can. With `in_csv` it is also written as a CSV cell, so it must not start
/// like a formula.
pub fn problem(text: &str, max_chars: usize, in_csv: bool) -> Option<String> {
    let chars = text.chars().count();
    if chars > max_chars {
        return Some(format!(
            "has {chars} characters, more than the {max_chars} a name may have"
        ));
    }
    if let Some(c) = text.chars().find(|c| is_unprintable(*c)) {
        return Some(format!(
            "holds the character {}, which does not show as itself",
            c.escape_unicode()
        ));
    }
    if let Some(c) = stray_joiner(text) {
        return Some(format!(
            "holds the character {}, which joins nothing there and shows nothing",
            c.escape_unicode()
        ));
    }
    if in_csv && let Some(c) = formula_start(text) {
        return Some(format!(
            "starts with `{c}`, so a spreadsheet opening the CSV files would take it for a formula"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_pass_and_hostile_ones_are_named() {
        for ok in ["NA", "EMEA", "Asia Pacific", "Zürich", "A-1", "Cutover (T)"] {
            assert_eq!(problem(ok, 64, true), None, "{ok}");
        }
        let why = |text: &str| problem(text, 8, true).unwrap_or_default();
        assert!(why("a\u{1b}[2J").contains("\\u{1b}"));
        assert!(why("a\nb").contains("\\u{a}"));
        assert!(why("\u{202e}txt").contains("\\u{202e}"));
        assert!(why("a\u{2028}b").contains("\\u{2028}"));
        assert!(why("\u{feff}week").contains("\\u{feff}"));
        for invisible in [
            '\u{200b}',
            '\u{2060}',
            '\u{ad}',
            '\u{e0001}',
            '\u{ffff}',
            '\u{206a}',
        ] {
            assert!(
                why(&format!("NA{invisible}")).contains("does not show"),
                "{invisible:?}"
            );
        }
        // Scripts that join letters keep their joiners, Mongolian its vowel separator, and a
        // flag its tags; read as a reader sees them, without those.
        assert_eq!(problem("\u{645}\u{200c}\u{6cc}", 8, true), None);
        assert_eq!(problem("\u{1821}\u{180e}\u{1820}", 8, true), None);
        let scotland = "\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}";
        assert_eq!(problem(scotland, 8, true), None);
        assert_eq!(reads_as("N\u{34f}A\u{fe0f}"), "NA");
        assert_eq!(revealed("NA\u{fe0f}"), "NA\\u{fe0f}");
        // Joiners and tags make what they join: kept, and refused where they join nothing.
        let england = "\u{1f3f4}\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}";
        assert_ne!(reads_as(scotland), reads_as(england));
        let family = "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}";
        assert_eq!(problem(family, 8, true), None);
        assert_ne!(reads_as(family), reads_as("\u{1f468}\u{1f469}\u{1f467}"));
        for stray in [
            "NA\u{200d}",
            "\u{200c}NA",
            "N\u{200d}A",
            "NA\u{e0067}",
            "\u{e007f}",
            "\u{e9}\u{200d}\u{200d}\u{e9}",
            "A\u{a0}\u{200d}\u{a0}B",
            "\u{1f3f4}\u{e0041}",
        ] {
            assert!(why(stray).contains("joins nothing"), "{stray:?}");
        }
        assert!(why(&format!("{scotland}\u{e0067}")).contains("joins nothing"));
        // A joiner that shapes the end of a word: after a virama (Malayalam's chillu written the
        // older way, before a space too), after an Arabic letter.
        for word in [
            "\u{d05}\u{d35}\u{d28}\u{d4d}\u{200d}",
            "\u{d28}\u{d4d}\u{200d} x",
            "\u{647}\u{200d}",
        ] {
            assert_eq!(problem(word, 20, true), None, "{word:?}");
        }
        // One accented letter, or the letter and a combining accent: the same name.
        assert_eq!(reads_as("Cafe\u{301}"), reads_as("Caf\u{e9}"));
        assert_ne!(reads_as("Cafe"), reads_as("Caf\u{e9}"));
        assert_eq!(revealed("Cafe\u{301}"), "Cafe\\u{301}");
        assert_eq!(revealed("Caf\u{e9}"), "Caf\u{e9}");
        assert!(why("=1+1").contains("starts with `=`"));
        assert!(why("@SUM(A1)").contains("formula"));
        assert!(why("123456789").contains("9 characters"));
        assert_eq!(problem("-west", 8, false), None);
    }

    /// Charts and the report replace what a page cannot hold, and what would not show as itself
    /// there (a direction override, a C1 control), but keep tabs, line ends and plain text.
    #[test]
    fn a_page_holds_no_character_that_hides_or_reorders_text() {
        for c in [
            '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{202e}', '\u{2066}', '\u{2028}', '\u{fffe}',
        ] {
            assert!(is_markup_forbidden(c), "{c:?}");
        }
        for c in ['\t', '\n', '\r', 'a', 'é', '\u{3000}', '\u{fffd}'] {
            assert!(!is_markup_forbidden(c), "{c:?}");
        }
    }

    #[test]
    fn a_name_shows_something() {
        assert_eq!(name_problem("Cutover", 100, false), None);
        assert_eq!(name_problem(" Cut over ", 100, false), None);
        assert_eq!(name_problem("", 100, false).as_deref(), Some("is empty"));
        for blank in [
            " ",
            "   ",
            "\u{3000}",
            "\u{a0}",
            "\u{200b}",
            " \u{feff} ",
            "\u{3164}",
            "\u{2800}\u{2800}",
            "\u{115f}\u{1160}",
            "\u{ffa0}",
            "\u{180e}",
            "\u{34f}",
            "\u{e0020}",
            "\u{1d173}",
            "\u{2062}",
        ] {
            let why = name_problem(blank, 100, false).unwrap_or_default();
            assert!(why.contains("only blank"), "{blank:?}: {why}");
        }
        // A control character is named as such, even among spaces.
        assert!(name_problem(" \t ", 100, false).is_some());
        assert!(name_problem("=x", 100, true).unwrap().contains("formula"));
    }
}
