//! Makes strings from outside (names, job titles, hub replies, config) safe to put
//! on a terminal: no control characters, so no escape sequences (ESC is one), and
//! no bidi controls that would reorder what a person reads.

/// True for characters that must never reach a terminal.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() // C0, DEL and C1: ESC, CSI (U+009B), BEL, CR, LF, TAB...
        || matches!(c,
            '\u{061C}'                // Arabic letter mark
            | '\u{200E}' | '\u{200F}' // left-to-right / right-to-left marks
            | '\u{202A}'..='\u{202E}' // embeddings and overrides
            | '\u{2066}'..='\u{2069}' // isolates
        )
}

/// A one-line, terminal-safe copy of `text`: unsafe characters become U+FFFD
/// (visible, so tampering is noticed rather than silently hidden).
pub fn for_terminal(text: &str) -> String {
    text.chars()
        .map(|c| if is_unsafe(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// [`for_terminal`] for a message of several lines: the line breaks stay, every
/// other unsafe character becomes U+FFFD.
pub fn lines_for_terminal(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c != '\n' && is_unsafe(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{for_terminal, lines_for_terminal};

    #[test]
    fn strings_from_outside_reach_the_terminal_without_control_characters() {
        let cases = [
            ("Ana María", "Ana María"),
            (
                "\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}",
                "\u{FFFD}[2J\u{FFFD}]52;c;ZXZpbA==\u{FFFD}",
            ),
            ("a\u{9b}31mb", "a\u{FFFD}31mb"),
            ("line\nbreak\r", "line\u{FFFD}break\u{FFFD}"),
            ("\u{202E}gnp.exe", "\u{FFFD}gnp.exe"),
            ("\u{2067}isolate\u{2069}", "\u{FFFD}isolate\u{FFFD}"),
            ("李小龍 e\u{301}", "李小龍 e\u{301}"),
        ];
        for (input, expected) in cases {
            assert_eq!(for_terminal(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn a_message_keeps_its_lines_and_loses_everything_else() {
        assert_eq!(
            lines_for_terminal("unknown variant `\u{1b}[2J`\n  a\tb\r"),
            "unknown variant `\u{FFFD}[2J`\n  a\u{FFFD}b\u{FFFD}"
        );
    }
}
