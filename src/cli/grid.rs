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
    /// Comma-separated values.
    Csv,
    /// An HTML table.
    Html,
    /// JSON (the structured result, not the grid).
    Json,
}

impl Grid {
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
