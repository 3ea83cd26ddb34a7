//! Policy documents as written: TOML, YAML or JSON read into one value tree, and the line a
//! key path (`checks[2] (disk).thresholds.used.warn`) was written on, so an error can name
//! the file, the line and the key.
//!
//! YAML is read as YAML 1.2's core schema: plain `true`/`false`, `null`/`~`/empty, integers
//! and floats are typed, anything quoted is text. Anchors, aliases and tags are refused (a
//! policy has no use for them, and aliases are how a small file becomes a huge one), and so
//! are duplicate keys.

use serde_json::{Map, Number, Value};

use crate::error::{Error, Result};

/// The language a policy is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
    Json,
}

impl Format {
    /// By the file's extension: `.yaml`/`.yml` YAML, `.json` JSON, anything else TOML.
    pub fn of_path(path: &std::path::Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("yaml" | "yml") => Format::Yaml,
            Some("json") => Format::Json,
            _ => Format::Toml,
        }
    }
}

/// Reads a document into values (a parse error names the line).
pub fn parse(text: &str, format: Format) -> Result<Value> {
    match format {
        Format::Toml => {
            let value: toml::Value =
                toml::from_str(text).map_err(|e| Error::invalid_value("policy", "", e.to_string()))?;
            serde_json::to_value(value).map_err(|e| Error::invalid_value("policy", "", e.to_string()))
        }
        Format::Json => {
            serde_json::from_str(text).map_err(|e| Error::invalid_value("policy", "", format!("not JSON: {e}")))
        }
        Format::Yaml => {
            // prevent_coercion marks the quoted scalars: they stay text.
            let options = marked_yaml::LoaderOptions::default().error_on_duplicate_keys(true).prevent_coercion(true);
            let node = marked_yaml::parse_yaml_with_options(0, text, options)
                .map_err(|e| Error::invalid_value("policy", "", format!("not YAML: {}", yaml_error(&e))))?;
            Ok(yaml_value(&node))
        }
    }
}

fn yaml_error(e: &marked_yaml::LoadError) -> String {
    use marked_yaml::LoadError;
    let at = |m: &marked_yaml::Marker| format!("line {} column {}", m.line(), m.column());
    match e {
        LoadError::TopLevelMustBeMapping(m) => format!("{}: the top level must be a mapping", at(m)),
        LoadError::UnexpectedAnchor(m) => format!("{}: anchors and aliases are not accepted", at(m)),
        LoadError::UnexpectedTag(m) => format!("{}: tags are not accepted", at(m)),
        LoadError::MappingKeyMustBeScalar(m) => format!("{}: a key must be a plain value", at(m)),
        LoadError::ScanError(m, err) => format!("{}: {}", at(m), err.info()),
        LoadError::DuplicateKey(inner) => {
            let key = inner.key.as_str();
            match inner.key.span().start() {
                Some(m) => format!("{}: key {key:?} given twice", at(m)),
                None => format!("key {key:?} given twice"),
            }
        }
        other => other.to_string(),
    }
}

fn yaml_value(node: &marked_yaml::Node) -> Value {
    match node {
        marked_yaml::Node::Mapping(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.as_str().to_owned(), yaml_value(v))).collect::<Map<_, _>>())
        }
        marked_yaml::Node::Sequence(s) => Value::Array(s.iter().map(yaml_value).collect()),
        marked_yaml::Node::Scalar(s) => {
            let text = s.as_str();
            if !s.may_coerce() {
                return Value::String(text.to_owned());
            }
            core_schema(text)
        }
    }
}

/// A plain scalar as YAML 1.2's core schema types it.
fn core_schema(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let int = |digits: &str, radix: u32| i64::from_str_radix(digits, radix).ok().map(|n| Value::Number(n.into()));
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    if let Some(hex) = unsigned.strip_prefix("0x") {
        if let Some(v) = int(hex, 16) {
            return v;
        }
    } else if let Some(oct) = unsigned.strip_prefix("0o") {
        if let Some(v) = int(oct, 8) {
            return v;
        }
    } else if text.bytes().enumerate().all(|(i, b)| b.is_ascii_digit() || (i == 0 && (b == b'-' || b == b'+')))
        && text.bytes().any(|b| b.is_ascii_digit())
    {
        if let Ok(n) = unsigned.parse::<i64>() {
            return Value::Number(n.into());
        }
    }
    let float = match text.trim_start_matches(['+', '-']) {
        ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN" => None, // JSON has no place for them
        t if !t.is_empty()
            && t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
            && t.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'.') =>
        {
            text.parse::<f64>().ok()
        }
        _ => None,
    };
    match float.and_then(Number::from_f64) {
        Some(n) => Value::Number(n),
        None => Value::String(text.to_owned()),
    }
}

/// One step of a key path: a key or an index.
#[derive(Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// `checks[2] (disk).thresholds.used.warn` → checks, 2, thresholds, used, warn (the check's
/// name in parentheses is only for people).
fn steps(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    let mut rest = path;
    // Drop "(name)" annotations first.
    let cleaned: String = {
        let mut s = String::with_capacity(rest.len());
        let mut depth = 0usize;
        for c in rest.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ if depth == 0 => s.push(c),
                _ => {}
            }
        }
        s
    };
    rest = &cleaned;
    for part in rest.split('.') {
        let part = part.trim();
        let (key, mut indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Step::Key(key.to_owned()));
        }
        while let Some(open) = indexes.strip_prefix('[') {
            let Some(close) = open.find(']') else { break };
            match open[..close].parse::<usize>() {
                Ok(i) => out.push(Step::Index(i)),
                Err(_) => out.push(Step::Key(open[..close].trim_matches(['"', '\'']).to_owned())),
            }
            indexes = &open[close + 1..];
        }
    }
    out
}

/// The line (1-based) where the deepest key of `path` that exists in the document was
/// written; None when not even the first key is there (or the format keeps no lines).
pub fn line_of(text: &str, format: Format, path: &str) -> Option<usize> {
    let steps = steps(path);
    match format {
        Format::Toml => toml_line(text, &steps),
        Format::Yaml => yaml_line(text, &steps),
        Format::Json => None,
    }
}

fn toml_line(text: &str, steps: &[Step]) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let root = DeValue::Table(DeTable::parse(text).ok()?.into_inner());
    let line = |offset: usize| text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1;
    let mut found = None;
    let mut here = &root;
    for step in steps {
        match (step, here) {
            (Step::Key(k), DeValue::Table(t)) => {
                let Some((key, value)) = t.iter().find(|(key, _)| key.get_ref().as_ref() == k.as_str()) else {
                    break;
                };
                found = Some(line(key.span().start));
                here = value.get_ref();
            }
            (Step::Index(i), DeValue::Array(a)) => {
                let Some(item) = a.get(*i) else { break };
                found = Some(line(item.span().start));
                here = item.get_ref();
            }
            _ => break,
        }
    }
    found
}

fn yaml_line(text: &str, steps: &[Step]) -> Option<usize> {
    let node = marked_yaml::parse_yaml(0, text).ok()?;
    let mut found = None;
    let mut here = &node;
    for step in steps {
        match (step, here) {
            (Step::Key(k), marked_yaml::Node::Mapping(m)) => {
                let Some((key, value)) = m.iter().find(|(key, _)| key.as_str() == k) else { break };
                found = key.span().start().map(|m| m.line());
                here = value;
            }
            (Step::Index(i), marked_yaml::Node::Sequence(s)) => {
                let Some(item) = s.get(*i) else { break };
                found = item.span().start().map(|m| m.line());
                here = item;
            }
            _ => break,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_steps() {
        assert_eq!(
            steps("checks[2] (disk).thresholds.used.warn"),
            vec![
                Step::Key("checks".into()),
                Step::Index(2),
                Step::Key("thresholds".into()),
                Step::Key("used".into()),
                Step::Key("warn".into())
            ]
        );
        assert_eq!(
            steps("backups.locations[0].retention"),
            vec![
                Step::Key("backups".into()),
                Step::Key("locations".into()),
                Step::Index(0),
                Step::Key("retention".into())
            ]
        );
    }

    #[test]
    fn yaml_scalars_follow_the_core_schema() {
        let v = parse(
            "a: 1\nb: -2\nc: 1.5\nd: '1'\ne: true\nf: ~\ng: 1e3\nh: 0x1F\ni: text\nj: \"true\"\nk: 07\nl: 1.2.3\n",
            Format::Yaml,
        )
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": 1, "b": -2, "c": 1.5, "d": "1", "e": true, "f": null, "g": 1000.0, "h": 31,
                "i": "text", "j": "true", "k": 7, "l": "1.2.3"})
        );
    }

    #[test]
    fn yaml_refuses_aliases_duplicates_and_a_non_mapping_top() {
        for (text, words) in [
            ("a: &x 1\nb: *x\n", "anchors"),
            ("a: 1\na: 2\n", "given twice"),
            ("- 1\n- 2\n", "must be a mapping"),
            ("a: [1\n", "line"),
        ] {
            let e = parse(text, Format::Yaml).unwrap_err().to_string();
            assert!(e.contains(words), "{text:?}: {e}");
        }
    }

    #[test]
    fn lines_of_keys_in_toml_and_yaml() {
        let toml = "version = 1\n\n[[checks]]\nname = \"a\"\ntype = \"cpu\"\n\n[[checks]]\nname = \"b\"\ntype = \"disk\"\nthresholds.used = { warn = 3 }\n";
        assert_eq!(line_of(toml, Format::Toml, "checks[1] (b).thresholds.used.warn"), Some(10));
        assert_eq!(line_of(toml, Format::Toml, "checks[1] (b).type"), Some(9));
        assert_eq!(
            line_of(toml, Format::Toml, "checks[1] (b).nosuch"),
            Some(7).or(line_of(toml, Format::Toml, "checks[1]"))
        );
        assert_eq!(line_of(toml, Format::Toml, "version"), Some(1));
        assert_eq!(line_of(toml, Format::Toml, "nosuch"), None);
        let yaml = "version: 1\nchecks:\n  - name: a\n    type: cpu\n  - name: b\n    type: disk\n    thresholds:\n      used: {warn: 3}\n";
        assert_eq!(line_of(yaml, Format::Yaml, "checks[1] (b).thresholds.used.warn"), Some(8));
        assert_eq!(line_of(yaml, Format::Yaml, "checks[1] (b).type"), Some(6));
        assert_eq!(line_of(yaml, Format::Yaml, "version"), Some(1));
    }
}
