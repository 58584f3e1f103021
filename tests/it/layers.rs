//! The layering of ARCHITECTURE.md, enforced: every `crate::` path in a library module names a
//! module its row of the "Layers" table allows, and every allowed module sits higher in the
//! table, so the library has no import cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The "Layers" table: each module, top to bottom, with the modules it may import.
fn table() -> Vec<(String, BTreeSet<String>)> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md")).unwrap();
    let section = text.split("## Layers").nth(1).expect("ARCHITECTURE.md has a `## Layers` section");
    let names = |cell: &str| -> Vec<String> {
        cell.split(',').map(|n| n.trim().trim_matches('`').to_owned()).filter(|n| !n.is_empty()).collect()
    };
    section
        .lines()
        .skip_while(|line| !line.starts_with("| module"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').collect();
            let module = names(cells[0]).pop().unwrap();
            (module, names(cells.get(1).copied().unwrap_or("")).into_iter().collect())
        })
        .collect()
}

/// The modules each library module reaches with `crate::` (in `use` lines, paths and doc links).
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
            if path.is_dir() {
                if relative != "cli" {
                    stack.push(path);
                }
                continue;
            }
            if relative == "lib.rs" || relative == "main.rs" || !relative.ends_with(".rs") {
                continue;
            }
            let module = relative.split('/').next().unwrap().trim_end_matches(".rs").to_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let used = found.entry(module.clone()).or_default();
            for (at, _) in text.match_indices("crate::") {
                let rest = &text[at + "crate::".len()..];
                let heads: Vec<&str> = match rest.strip_prefix('{') {
                    // `use crate::{a::x, b}`: the first name of each part.
                    Some(group) => group.split('}').next().unwrap().split(',').map(|part| part.trim()).collect(),
                    None => vec![rest],
                };
                for head in heads {
                    let name: String = head.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    // `crate::Policy` (a doc link to a re-export of the crate root) is no module.
                    if name.starts_with(|c: char| c.is_ascii_lowercase()) && name != module {
                        used.insert(name);
                    }
                }
            }
        }
    }
    found
}

#[test]
fn the_layers_table_has_no_cycle() {
    let table = table();
    assert!(table.len() > 10, "the Layers table of ARCHITECTURE.md was not read");
    for (row, (module, allowed)) in table.iter().enumerate() {
        for dependency in allowed {
            let above = table[..row].iter().any(|(m, _)| m == dependency);
            assert!(above, "ARCHITECTURE.md: `{module}` may import `{dependency}`, which is not higher in the table");
        }
    }
}

#[test]
fn every_module_imports_only_what_its_layer_allows() {
    let table: BTreeMap<String, BTreeSet<String>> = table().into_iter().collect();
    let mut wrong = Vec::new();
    for (module, used) in imports() {
        let Some(allowed) = table.get(&module) else {
            wrong.push(format!("`src/{module}` is not in the Layers table of ARCHITECTURE.md: add its row"));
            continue;
        };
        for dependency in used.difference(allowed) {
            wrong.push(format!(
                "`{module}` imports `crate::{dependency}`, which its row in ARCHITECTURE.md does not allow \
                 (import from a lower layer, or move the shared code down)"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn an_import_against_the_layers_is_caught() {
    // The scanner sees grouped imports too: a regression in it would let cycles back in.
    let used = imports();
    assert!(used["policy"].contains("problems") && used["policy"].contains("check"));
    assert!(!used["check"].contains("eval"), "the checker must not import the evaluator");
}
