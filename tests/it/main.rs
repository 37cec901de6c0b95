//! Integration tests: one binary, modules named by the behaviour they check.
