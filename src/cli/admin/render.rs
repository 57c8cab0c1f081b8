//! Printing what the hub answered: aligned tables for people, JSON for scripts.
//!
//! Guarantees: every string from the hub is sanitized before it reaches the
//! terminal: table cells by `crate::sanitize::for_terminal`, JSON by escaping
//! (`\uXXXX`) every character it would replace, so `--json` output stays exact
//! data and still carries no control character or bidi override.

use serde::Serialize;

use crate::domain::timesheet::Money;
use crate::sanitize::{for_terminal, is_unsafe};

/// JSON text safe for a terminal: unsafe characters (which serde_json leaves raw
/// when they are not ASCII controls) become `\uXXXX` escapes. serde_json escapes
/// every ASCII control inside strings, so a raw newline is the pretty printer's own
/// layout and stays; everything else replaced is string content.
pub fn json_text(value: &impl Serialize) -> anyhow::Result<String> {
    let text = serde_json::to_string_pretty(value)?;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '\n' && is_unsafe(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// An amount in cents as the hub's reports write it: `-105` is `-1.05`.
pub fn money(cents: i64) -> String {
    Money(cents).to_string()
}

/// A flag as a table cell.
pub fn yes(flag: bool) -> String {
    if flag { "yes" } else { "no" }.to_owned()
}

/// Prints `value` as JSON.
pub fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    println!("{}", json_text(value)?);
    Ok(())
}

/// A table: a header row and rows of cells, columns padded to their widest cell.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let clean: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| for_terminal(c)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &clean {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                let pad = widths[i].saturating_sub(cell.chars().count());
                s.push_str(cell);
                s.push_str(&" ".repeat(pad + 2));
            }
        }
        s.trim_end().to_owned()
    };
    let mut out = line(headers.to_vec());
    for row in &clean {
        out.push('\n');
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// Prints a table, or "(none)" under the headers when there are no rows.
pub fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    println!("{}", table(headers, rows));
    if rows.is_empty() {
        println!("(none)");
    }
}

/// Prints `label: value` lines, values sanitized.
pub fn print_fields(fields: &[(&str, String)]) {
    let width = fields.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    for (label, value) in fields {
        println!("{label:<width$}  {}", for_terminal(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_the_data_but_escapes_what_a_terminal_would_obey() {
        let v = serde_json::json!({"name": "Ana\u{1b}[2J\u{9b}x\u{202E}y", "ok": "Zoë"});
        let text = json_text(&v).unwrap();
        assert!(!text.chars().any(|c| c != '\n' && is_unsafe(c)), "{text:?}");
        assert!(text.contains("\\u001b[2J\\u009bx\\u202ey"), "{text}");
        assert!(text.contains("Zoë"));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v, "still the same data");
    }

    #[test]
    fn tables_align_columns_and_sanitize_cells() {
        let t = table(
            &["ID", "NAME"],
            &[
                vec!["1".into(), "Ana".into()],
                vec!["22".into(), "B\u{1b}ob".into()],
            ],
        );
        assert_eq!(t, "ID  NAME\n1   Ana\n22  B\u{FFFD}ob");
    }
}
