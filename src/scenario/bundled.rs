//! The scenarios shipped inside the binary, so `cutover run` works with no files at hand.

/// A scenario embedded at build time from `scenarios/`.
#[derive(Debug)]
pub struct Bundled {
    pub name: &'static str,
    pub text: &'static str,
}

impl Bundled {
    /// The first comment line of the file: what question the scenario answers.
    pub fn summary(&self) -> &'static str {
        self.text
            .lines()
            .find_map(|l| l.strip_prefix('#'))
            .map_or("", str::trim)
    }
}

pub const DEFAULT_SCENARIO: &str = "bpos-2011";

pub static BUNDLED: &[Bundled] = &[Bundled {
    name: "bpos-2011",
    text: include_str!("../../scenarios/bpos-2011.toml"),
}];

/// The bundled scenario called `name` (with or without `.toml`).
pub fn find_bundled(name: &str) -> Option<&'static Bundled> {
    let name = name.strip_suffix(".toml").unwrap_or(name);
    BUNDLED.iter().find(|b| b.name == name)
}
