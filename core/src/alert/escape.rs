//! Escaping label and annotation values for each channel's markup, so a value holding
//! `*`, `_`, `` ` ``, `<`, `|`, `[`, a newline or a URL cannot break a message or inject
//! a link, a mention or a heading into it. Template text itself is never escaped; only
//! the values printed into it.

/// The markup a message is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Markup {
    /// Plain text: control characters (newlines too) written as `\n`, so a value cannot
    /// start a line of its own that looks like one of the message's fields.
    Plain,
    /// Plain text in a field of its own (a JSON string, an email body): left as it is.
    Raw,
    /// HTML (email bodies): `& < > " '`.
    Html,
    /// DingTalk's and Feishu's markdown: emphasis, code, link, table and strikethrough
    /// characters backslash-escaped (and `#`, `-`, `+` where a value starts), `<` and `>`
    /// as entities, newlines as spaces.
    Markdown,
    /// WeCom's markdown: as Markdown, and `<@userid>` mentions cannot be forged.
    WeComMarkdown,
    /// Slack mrkdwn: `& < >` as entities (Slack's own rule), formatting characters
    /// broken with a zero-width space, newlines as spaces.
    Slack,
}

impl Markup {
    /// The markup as the front doors name it for templates: `plain` (nothing escaped),
    /// `html`, `markdown`, `wecom` or `slack`.
    pub fn from_name(field: &str, name: &str) -> crate::error::Result<Markup> {
        Ok(match name {
            "plain" => Markup::Raw,
            "html" => Markup::Html,
            "markdown" => Markup::Markdown,
            "wecom" => Markup::WeComMarkdown,
            "slack" => Markup::Slack,
            other => {
                return Err(crate::error::Error::invalid_value(
                    field,
                    other,
                    "expected plain, html, markdown, wecom or slack",
                ));
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Markup::Plain => "plain",
            Markup::Raw => "raw",
            Markup::Html => "html",
            Markup::Markdown => "markdown",
            Markup::WeComMarkdown => "wecom",
            Markup::Slack => "slack",
        }
    }
}

/// `value` escaped for `markup`.
pub fn escape(value: &str, markup: Markup) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    escape_into(&mut out, value, markup);
    out
}

/// Whether a byte can change meaning in `markup` (or starts a character that might).
fn special(b: u8, markup: Markup) -> bool {
    match markup {
        Markup::Raw => false,
        Markup::Plain => b < 0x20 || b == 0x7f || b == 0xc2,
        Markup::Html => matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''),
        Markup::Markdown | Markup::WeComMarkdown => {
            b < 0x20
                || b == 0x7f
                || b == 0xc2
                || matches!(
                    b,
                    b'\\' | b'`' | b'*' | b'_' | b'[' | b']' | b'|' | b'~' | b'<' | b'>' | b'@' | b'#' | b'-' | b'+'
                )
        }
        Markup::Slack => {
            b < 0x20 || b == 0x7f || b == 0xc2 || matches!(b, b'&' | b'<' | b'>' | b'*' | b'_' | b'~' | b'`')
        }
    }
}

/// `escape`, appending to `out`.
pub fn escape_into(out: &mut String, value: &str, markup: Markup) {
    // Most values hold nothing to escape: copy them whole.
    if !value.bytes().any(|b| special(b, markup)) {
        out.push_str(value);
        return;
    }
    match markup {
        Markup::Raw => out.push_str(value),
        Markup::Plain => {
            for c in value.chars() {
                match c {
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push(' '),
                    c if c.is_control() => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
                    c => out.push(c),
                }
            }
        }
        Markup::Html => {
            for c in value.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '"' => out.push_str("&#34;"),
                    '\'' => out.push_str("&#39;"),
                    c => out.push(c),
                }
            }
        }
        Markup::Markdown | Markup::WeComMarkdown => {
            for (i, c) in value.chars().enumerate() {
                match c {
                    // Emphasis, code, links, tables, strikethrough anywhere; headings, lists
                    // and quotes only where a line could start.
                    '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                        out.push('\\');
                        out.push(c);
                    }
                    '#' | '-' | '+' if i == 0 => {
                        out.push('\\');
                        out.push(c);
                    }
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '@' if markup == Markup::WeComMarkdown => out.push_str("&#64;"),
                    '\n' | '\r' | '\t' => out.push(' '),
                    c if c.is_control() => {}
                    c => out.push(c),
                }
            }
        }
        Markup::Slack => {
            for c in value.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    // Slack has no escape for its formatting characters; a zero-width space
                    // after one keeps it from pairing with another.
                    '*' | '_' | '~' | '`' => {
                        out.push(c);
                        out.push('\u{200b}');
                    }
                    '\n' | '\r' | '\t' => out.push(' '),
                    c if c.is_control() => {}
                    c => out.push(c),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_cannot_inject() {
        let evil = "x*y_`z`\n## fake [click](http://evil) <@all> a|b";
        assert_eq!(
            escape(evil, Markup::Markdown),
            "x\\*y\\_\\`z\\` ## fake \\[click\\](http://evil) &lt;@all&gt; a\\|b"
        );
        assert_eq!(escape("# h", Markup::Markdown), "\\# h");
        assert_eq!(
            escape(evil, Markup::WeComMarkdown),
            "x\\*y\\_\\`z\\` ## fake \\[click\\](http://evil) &lt;&#64;all&gt; a\\|b"
        );
        assert_eq!(escape("<!channel> *b*", Markup::Slack), "&lt;!channel&gt; *\u{200b}b*\u{200b}");
        assert_eq!(escape("a\nb", Markup::Plain), "a\\nb");
        assert_eq!(escape("<b>&'\"", Markup::Html), "&lt;b&gt;&amp;&#39;&#34;");
        assert_eq!(escape("a\nb", Markup::Raw), "a\nb");
    }
}
