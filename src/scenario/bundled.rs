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

/// The bundled scenarios, the default first. Scenarios that name other files (an inventory) are
/// not bundled: those files are not in the binary.
pub static BUNDLED: &[Bundled] = &[
    Bundled {
        name: "bpos-2011",
        text: include_str!("../../scenarios/bpos-2011.toml"),
    },
    Bundled {
        name: "small-pilot",
        text: include_str!("../../scenarios/small-pilot.toml"),
    },
    Bundled {
        name: "enterprise-wave",
        text: include_str!("../../scenarios/enterprise-wave.toml"),
    },
    Bundled {
        name: "stress",
        text: include_str!("../../scenarios/stress.toml"),
    },
    Bundled {
        name: "tenant-to-tenant",
        text: include_str!("../../scenarios/tenant-to-tenant.toml"),
    },
];

/// The bundled scenario called `name` (with or without `.toml`).
pub fn find_bundled(name: &str) -> Option<&'static Bundled> {
    let name = name.strip_suffix(".toml").unwrap_or(name);
    BUNDLED.iter().find(|b| b.name == name)
}
