//! The registry of error and warning codes (`refund_rules::ERROR_CODES`) is complete, every
//! code has a policy under `tests/data` that gets it (and so a snapshot of its message), and
//! `docs/errors.md` is generated from the registry.
//!
//! Regenerate the page with `REFUND_WRITE_DOCS=1 cargo test --test it -- errors::`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use refund_rules::{Order, Policy, ERROR_CODES};

use crate::relative;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Codes checked by a test of their own rather than a data file: (code, test file, why).
const TESTED_ELSEWHERE: &[(&str, &str, &str)] = &[
    ("E005", "tests/it/hostile.rs", "a policy over 4 MiB is made by the test, not stored"),
    ("E100", "src/policy.rs", "cannot be reached: the parser refuses a file without a policy first (E001)"),
];

fn policy_files(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .collect();
    files.sort();
    files
}

/// Every code a data file gets, with the files that get it (sorted).
fn codes_in_test_data() -> BTreeMap<String, Vec<String>> {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |code: &str, path: &Path| found.entry(code.to_owned()).or_default().push(relative(path));
    for folder in ["tests/data/policies/broken", "tests/data/hostile-policies", "tests/data/language"] {
        for path in policy_files(folder) {
            // Some hostile files are not UTF-8 on purpose; the CLI's reading refuses them.
            let Ok(text) = String::from_utf8(std::fs::read(&path).unwrap()) else { continue };
            match Policy::parse(&text) {
                Ok(policy) => policy.warnings().iter().for_each(|w| add(w.code, &path)),
                Err(error) => error.diagnostics().iter().for_each(|d| add(d.code, &path)),
            }
        }
    }
    for path in policy_files("tests/data/eval-errors") {
        let policy = Policy::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let order = std::fs::read_to_string(path.with_extension("json")).unwrap();
        let error = Order::from_json(&order).map_err(Into::into).and_then(|order| policy.evaluate(&order));
        if let Err(error) = error {
            add(error.code(), &path);
        }
    }
    found
}

/// Every code the engine's source can report: its `"E123"` / `"W001"` literals.
fn codes_in_source() -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.ends_with("codes.rs") || path.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            for line in std::fs::read_to_string(&path).unwrap().lines() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                for piece in line.split('"').skip(1).step_by(2) {
                    let bytes = piece.as_bytes();
                    if piece.len() == 4
                        && matches!(bytes[0], b'E' | b'W')
                        && piece[1..].bytes().all(|b| b.is_ascii_digit())
                    {
                        codes.insert(piece.to_owned());
                    }
                }
            }
        }
    }
    codes
}

#[test]
fn the_registry_holds_every_code_the_engine_reports_and_no_other() {
    let registered: BTreeSet<String> = ERROR_CODES.iter().map(|c| c.code.to_owned()).collect();
    let reported = codes_in_source();
    assert!(reported.len() > 50, "the scan of src/ found too few codes: {reported:?}");
    let missing: Vec<_> = reported.difference(&registered).collect();
    let stale: Vec<_> = registered.difference(&reported).collect();
    assert!(missing.is_empty(), "codes reported but not in src/codes.rs: {missing:?}");
    assert!(stale.is_empty(), "codes in src/codes.rs the engine never reports: {stale:?}");
    let sorted: Vec<&str> = ERROR_CODES.iter().map(|c| c.code).collect();
    assert!(sorted.windows(2).all(|w| w[0] < w[1]), "src/codes.rs is not in code order");
    for entry in ERROR_CODES {
        for (what, text) in
            [("title", entry.title), ("explanation", entry.explanation), ("wrong", entry.wrong), ("right", entry.right)]
        {
            assert!(!text.trim().is_empty(), "{} has no {what}", entry.code);
        }
    }
}

#[test]
fn every_code_has_a_policy_that_gets_it() {
    let found = codes_in_test_data();
    let mut untested = Vec::new();
    for entry in ERROR_CODES {
        if let Some((_, file, _)) = TESTED_ELSEWHERE.iter().find(|(code, _, _)| *code == entry.code) {
            let text = std::fs::read_to_string(root().join(file)).unwrap();
            assert!(text.contains(entry.code), "{file} does not mention {}", entry.code);
            continue;
        }
        if !found.contains_key(entry.code) {
            untested.push(entry.code);
        }
    }
    assert!(untested.is_empty(), "no policy under tests/data gets these codes; add one per code: {untested:?}");
}

/// `docs/errors.md`, from the registry and the data files that test each code.
fn errors_page() -> String {
    let found = codes_in_test_data();
    let mut page = String::from(
        "# Error and warning codes\n\n\
         Generated from `src/codes.rs` by `tests/it/errors.rs`; do not edit by hand \
         (`REFUND_WRITE_DOCS=1 cargo test --test it -- errors::` rewrites it).\n\n\
         `E0xx` the text does not parse, `E1xx` the policy does not check (it cannot be used), \
         `E2xx` one order cannot be decided, `W0xx` warnings: the policy works, probably not as meant.\n",
    );
    for entry in ERROR_CODES {
        page.push_str(&format!("\n## {}: {}\n\n{}\n\n", entry.code, entry.title, entry.explanation));
        page.push_str(&format!("Wrong:\n\n```text\n{}\n```\n\nRight:\n\n```text\n{}\n```\n", entry.wrong, entry.right));
        let tested = match (found.get(entry.code), TESTED_ELSEWHERE.iter().find(|(c, _, _)| *c == entry.code)) {
            (Some(files), _) => format!("`{}`", files[0]),
            (None, Some((_, file, why))) => format!("`{file}` ({why})"),
            (None, None) => "nothing yet".to_owned(),
        };
        page.push_str(&format!("\nTested by {tested}.\n"));
    }
    page
}

#[test]
fn docs_errors_md_is_generated_from_the_registry() {
    let path = root().join("docs/errors.md");
    let page = errors_page();
    if std::env::var_os("REFUND_WRITE_DOCS").is_some() {
        std::fs::write(&path, &page).unwrap();
    }
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        written == page,
        "docs/errors.md is stale: run `REFUND_WRITE_DOCS=1 cargo test --test it -- errors::` and commit it"
    );
}
