//! Fitting text into a channel's limit without splitting a UTF-8 character: DingTalk counts
//! bytes (20,000), WeCom bytes (4,096), Slack characters (3,000), PagerDuty's summary
//! characters (1,024). What is cut is marked with `…`.

/// How a channel counts its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Bytes,
    Chars,
}

/// The marker put where text was cut.
pub const ELLIPSIS: &str = "…";

fn width(c: char, unit: Unit) -> usize {
    match unit {
        Unit::Bytes => c.len_utf8(),
        Unit::Chars => 1,
    }
}

/// The byte length of the longest prefix of `text` whose size is at most `budget`.
fn prefix_within(text: &str, budget: usize, unit: Unit) -> usize {
    let mut used = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        used += width(c, unit);
        if used > budget {
            break;
        }
        end = i + c.len_utf8();
    }
    end
}

/// `text` if it fits in `limit` (counted in `unit`), else its longest prefix that, followed
/// by `…`, fits — never splitting a character. A limit too small for the marker gives the
/// longest prefix alone.
pub fn truncate(text: &str, limit: usize, unit: Unit) -> String {
    let size: usize = text.chars().map(|c| width(c, unit)).sum();
    if size <= limit {
        return text.to_owned();
    }
    let marker: usize = ELLIPSIS.chars().map(|c| width(c, unit)).sum();
    if limit < marker {
        return text[..prefix_within(text, limit, unit)].to_owned();
    }
    format!("{}{ELLIPSIS}", &text[..prefix_within(text, limit - marker, unit)])
}
