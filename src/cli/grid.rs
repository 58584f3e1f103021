//! A table of text cells, written as a terminal table, Markdown, CSV or HTML.

use comfy_table::{presets, ContentArrangement, Table};

/// Headers and rows of text.
pub struct Grid {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// How a grid is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GridFormat {
    /// A table for the terminal.
    Table,
    /// A Markdown table.
    Markdown,
    /// Comma-separated values, one number per cell where a number is meant.
    Csv,
    /// An HTML report: title, table, legend and the refund curves.
    Html,
    /// JSON (the structured result, not the grid).
    Json,
}

/// The width tables are fitted to: `COLUMNS` when set, else the terminal's, else 100.
pub fn terminal_width() -> usize {
    if let Some(columns) = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()) {
        return columns.max(40);
    }
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        if let Some((terminal_size::Width(width), _)) = terminal_size::terminal_size() {
            return usize::from(width).max(40);
        }
    }
    100
}

/// `text` broken at spaces into lines of at most `width` characters (a longer word stays whole).
pub fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines.join("\n")
}

/// The narrowest a wrapped column is let to get: below this, cells wrap a word per line.
const MIN_COLUMN: usize = 20;

impl Grid {
    /// A terminal table at most `width` columns wide: cells wrap, and when even wrapped the
    /// columns do not fit, the table is cut into several, each repeating the first column.
    pub fn render_fitted(&self, width: usize) -> String {
        let natural = self.render(GridFormat::Table);
        if natural.lines().all(|line| line.chars().count() <= width) {
            return natural;
        }
        let first = self.headers.first().map_or(10, |h| h.chars().count()).clamp(10, 28);
        let per_table = (width.saturating_sub(first + 4) / (MIN_COLUMN + 3)).max(1);
        let others: Vec<usize> = (1..self.headers.len()).collect();
        let mut out = String::new();
        for (index, chunk) in others.chunks(per_table).enumerate() {
            let columns: Vec<usize> = std::iter::once(0).chain(chunk.iter().copied()).collect();
            // `7 × after_seven_days` is one thing: a no-break space keeps the count with its rule,
            // and each count gets a line of its own.
            let narrow = |text: &String| text.replace(" × ", "\u{a0}×\u{a0}").replace(" + ", "\n");
            let pick = |row: &[String]| columns.iter().map(|&c| row.get(c).map_or(String::new(), narrow)).collect();
            let mut table = Table::new();
            table.load_preset(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(u16::try_from(width).unwrap_or(u16::MAX));
            table.set_header::<Vec<String>>(pick(&self.headers));
            for row in &self.rows {
                table.add_row::<Vec<String>>(pick(row));
            }
            if index > 0 {
                out.push('\n');
            }
            out.push_str(&format!("{table}\n"));
        }
        out
    }

    /// The grid in `format` (JSON is written by the caller from the structured result).
    pub fn render(&self, format: GridFormat) -> String {
        match format {
            GridFormat::Table | GridFormat::Markdown => {
                let mut table = Table::new();
                let preset =
                    if format == GridFormat::Table { presets::UTF8_FULL_CONDENSED } else { presets::ASCII_MARKDOWN };
                table.load_preset(preset).set_content_arrangement(ContentArrangement::Disabled);
                table.set_header(&self.headers);
                for row in &self.rows {
                    let cells: Vec<String> = if format == GridFormat::Markdown {
                        row.iter().map(|c| c.replace('\n', "<br>").replace('|', "\\|")).collect()
                    } else {
                        row.clone()
                    };
                    table.add_row(cells);
                }
                format!("{table}\n")
            }
            GridFormat::Csv => {
                let mut writer = csv::Writer::from_writer(Vec::new());
                let _ = writer.write_record(&self.headers);
                for row in &self.rows {
                    let _ = writer.write_record(row.iter().map(|c| c.replace('\n', " ")));
                }
                String::from_utf8_lossy(&writer.into_inner().unwrap_or_default()).into_owned()
            }
            GridFormat::Html => {
                let mut out = String::from("<table>\n  <thead><tr>");
                for header in &self.headers {
                    out.push_str(&format!("<th>{}</th>", escape(header)));
                }
                out.push_str("</tr></thead>\n  <tbody>\n");
                for row in &self.rows {
                    out.push_str("    <tr>");
                    for cell in row {
                        out.push_str(&format!("<td>{}</td>", escape(cell).replace('\n', "<br>")));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("  </tbody>\n</table>\n");
                out
            }
            GridFormat::Json => String::new(),
        }
    }
}

/// Text safe inside HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
