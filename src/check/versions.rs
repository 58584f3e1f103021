//! Several versions of one policy in one file: the same id, effective ranges that follow each
//! other without gaps or overlaps, one rule for which order date picks the version.

use crate::ast::{File, Item};
use crate::check::Finding;
use crate::program::Program;
use crate::span::Span;

/// Sorts the versions oldest first and reports ranges that do not follow each other.
pub(super) fn order(file: &File, programs: Vec<Program>, problems: &mut Vec<Finding>) -> Vec<Program> {
    let mut versions: Vec<(Program, Span)> =
        programs.into_iter().zip(file.policies.iter().map(effective_span)).collect();
    if versions.len() < 2 {
        return versions.into_iter().map(|(program, _)| program).collect();
    }
    let first_id = versions.first().map(|(p, _)| p.id.clone()).unwrap_or_default();
    for (block, (program, _)) in file.policies.iter().zip(&versions) {
        if program.id != first_id {
            problems.push(
                Finding::error("E150", block.id.span, format!("`{}` is not `{first_id}`", program.id))
                    .label("another policy id")
                    .help("one file holds one policy, or dated versions of it under the same id"),
            );
        }
        if program.effective.is_none() {
            problems.push(
                Finding::error("E151", block.id.span, "this version does not say when it applies")
                    .label("no `effective` line")
                    .help("when a file holds several versions, each says `effective FROM until TO` (the last may leave out `until`)"),
            );
        }
    }
    versions.sort_by_key(|(program, _)| program.effective);
    let by = versions.first().map(|(p, _)| p.versions_by).unwrap_or_default();
    for pair in versions.windows(2) {
        let [(older, _), (newer, newer_span)] = pair else { continue };
        if newer.versions_by != by {
            problems.push(
                Finding::error("E154", *newer_span, "versions choose by different order dates")
                    .help("write the same `versions by ...` line in every version"),
            );
        }
        let (Some(start), Some(next)) = (older.effective, newer.effective) else { continue };
        match older.until {
            None => problems.push(
                Finding::error(
                    "E153",
                    *newer_span,
                    format!("the version from {start} has no end, so it overlaps this one"),
                )
                .label("overlapping version")
                .help(format!("end the older version: `effective {start} until {next}`")),
            ),
            Some(end) if end > next => problems.push(
                Finding::error(
                    "E153",
                    *newer_span,
                    format!("the version from {start} runs until {end}, past this one's start"),
                )
                .label("overlapping version")
                .help(format!("one version ends the day the next begins: `until {next}`")),
            ),
            Some(end) if end < next => problems.push(
                Finding::error("E152", *newer_span, format!("no version applies from {end} until {next}"))
                    .label("a gap before this version")
                    .help(format!("start this version on {end}, or end the older one on {next}")),
            ),
            Some(_) => {}
        }
    }
    versions.into_iter().map(|(program, _)| program).collect()
}

/// Where a block says when it applies (its id when it does not).
fn effective_span(block: &crate::ast::PolicyBlock) -> Span {
    block
        .items
        .iter()
        .find_map(|item| match item {
            Item::Effective { from, .. } => Some(from.span),
            _ => None,
        })
        .unwrap_or(block.id.span)
}
