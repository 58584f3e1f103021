//! Colour on a terminal: `--color auto|always|never`. `auto` colours a stream only when it is
//! a terminal and `NO_COLOR` is not set (https://no-color.org), so pipes and files stay plain.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

/// When to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Only on a terminal, and not when `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always (also into a pipe or a file).
    Always,
    /// Never.
    Never,
}

static STDOUT: AtomicBool = AtomicBool::new(false);
static STDERR: AtomicBool = AtomicBool::new(false);

/// Decides, once, whether standard output and standard error are coloured.
pub fn init(choice: ColorChoice) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (out, err) = match choice {
        ColorChoice::Always => (true, true),
        ColorChoice::Never => (false, false),
        ColorChoice::Auto if no_color => (false, false),
        ColorChoice::Auto => (std::io::stdout().is_terminal(), std::io::stderr().is_terminal()),
    };
    STDOUT.store(out, Ordering::Relaxed);
    STDERR.store(err, Ordering::Relaxed);
}

/// The colours used, by meaning rather than by hue.
#[derive(Debug, Clone, Copy)]
pub enum Paint {
    /// Money goes back.
    Good,
    /// Nothing goes back, or an error.
    Bad,
    /// A person decides, or a warning.
    Caution,
    /// Headings.
    Strong,
    /// Help lines and hints.
    Hint,
}

impl Paint {
    fn code(self) -> &'static str {
        match self {
            Paint::Good => "1;32",
            Paint::Bad => "1;31",
            Paint::Caution => "1;33",
            Paint::Strong => "1",
            Paint::Hint => "36",
        }
    }
}

/// `text` painted for standard output (unchanged when it is not coloured).
pub fn out(text: &str, paint: Paint) -> String {
    painted(text, paint, STDOUT.load(Ordering::Relaxed))
}

/// `text` painted for standard error.
pub fn err(text: &str, paint: Paint) -> String {
    painted(text, paint, STDERR.load(Ordering::Relaxed))
}

fn painted(text: &str, paint: Paint, on: bool) -> String {
    if on && !text.is_empty() {
        format!("\u{1b}[{}m{text}\u{1b}[0m", paint.code())
    } else {
        text.to_owned()
    }
}

/// Rendered diagnostics (for standard error) with their heads, carets and help lines coloured.
pub fn diagnostics(text: &str) -> String {
    if !STDERR.load(Ordering::Relaxed) {
        return text.to_owned();
    }
    let mut coloured = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let (body, end) = line.strip_suffix('\n').map_or((line, ""), |body| (body, "\n"));
        let trimmed = body.trim_start();
        let paint = if body.starts_with("error") {
            Some(Paint::Bad)
        } else if body.starts_with("warning") {
            Some(Paint::Caution)
        } else if trimmed.starts_with("= help:") || trimmed.starts_with("help:") {
            Some(Paint::Hint)
        } else {
            None
        };
        match paint {
            Some(paint) => coloured.push_str(&err(body, paint)),
            // The caret line: `  |        ^ unused`.
            None if trimmed.starts_with('|') && trimmed.contains('^') => {
                let at = body.find('^').unwrap_or(body.len());
                let (gutter, marks) = body.split_at(at);
                coloured.push_str(gutter);
                coloured.push_str(&err(marks, Paint::Bad));
            }
            None => coloured.push_str(body),
        }
        coloured.push_str(end);
    }
    coloured
}
