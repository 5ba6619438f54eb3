//! Text layout every printer and command may use: the terminal style, prose wrapping
//! and display widths. Nothing here decides what a report says, only how text is set.

use crate::escape;

/// How text is laid out for a reader: colour and the width prose wraps at.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// Wrap prose, and fit tables, at this many columns.
    pub width: usize,
    /// Subjects a table of findings lists at most (`--max-rows`); 0 lists all.
    pub max_rows: usize,
}

impl Style {
    /// No colour, the fixed pipe width: the command line's defaults when stdout is not
    /// a terminal.
    pub fn plain() -> Style {
        Style {
            color: false,
            width: 100,
            max_rows: super::fold::DEFAULT_MAX_ROWS,
        }
    }
}

/// Wraps prose for a terminal. Latin text breaks only at spaces, so URLs and console
/// paths stay whole; text with CJK characters (no spaces between words) breaks where
/// Unicode allows. The text is escaped for a terminal first (it may quote tenant
/// values; the tool's own words need no escaping), and a line that wrapping made start
/// with `::` is guarded, so a GitHub runner never reads it as a workflow command.
/// The indents are the caller's own, and may hold colour codes.
pub fn wrap_hanging(width: usize, first: &str, rest: &str, text: &str) -> String {
    let text = escape::terminal(text);
    use textwrap::{WordSeparator, WordSplitter};
    let cjk = text.chars().any(|c| c as u32 >= 0x2E80);
    let separator = if cjk {
        WordSeparator::UnicodeBreakProperties
    } else {
        WordSeparator::AsciiSpace
    };
    let opts = textwrap::Options::new(width.max(40))
        .initial_indent(first)
        .subsequent_indent(rest)
        .word_separator(separator)
        .word_splitter(WordSplitter::NoHyphenation)
        .break_words(cjk);
    let wrapped = textwrap::fill(text.trim(), opts);
    if !wrapped.contains("::") {
        return wrapped;
    }
    wrapped
        .lines()
        .map(escape::terminal_line)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Columns a string takes on a terminal: a CJK character takes two.
pub fn display_width(s: &str) -> usize {
    textwrap::core::display_width(s)
}

/// Steps as a plain-text numbered list: "1. …", "2. …".
pub fn numbered(steps: &[String]) -> Vec<String> {
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}. {s}", i + 1))
        .collect()
}
