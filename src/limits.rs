//! The sizes a policy may have. Every stage recurses over the policy's structure; these bounds,
//! enforced while parsing and checking, keep parse, check, evaluate and explain within a 2 MiB
//! stack on any input (see `tests/it/limits.rs`).

/// How deeply parentheses may nest. The parser recurses once per level; a hostile file with
/// thousands of `(` must get an error, not a stack overflow.
pub const MAX_NESTING: usize = 64;

/// How many operations deep a value may be computed, counting through the names it reads
/// (`let b = a + 1` is one deeper than `a`). The parser, the checker, the evaluator and the
/// explanation of a receipt recurse once per level; at this depth all of them fit in a thread
/// with a 2 MiB stack, in a debug build. A real policy computes a value a dozen levels deep.
pub const MAX_DEPTH: usize = 256;

/// The largest policy text read: a real policy is a few kilobytes; a hundred megabytes of
/// text is a mistake, refused at once rather than parsed for minutes.
pub const MAX_SOURCE_BYTES: usize = 4 * 1024 * 1024;

/// How many operators one statement may hold; a real policy's longest has a few dozen.
pub const MAX_OPERATORS: usize = 256;
