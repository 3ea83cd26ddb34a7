//! Go `text/template` syntax, as Prometheus annotations and Alertmanager templates are
//! written, translated into MiniJinja source that the engine in `template` runs.
//!
//! The translation keeps every newline where it was, so a line number in MiniJinja's
//! error is the line in the Go template. `define` blocks go to a second source of the same
//! shape (their text kept, the rest reduced to its newlines) that the first imports, which
//! gives Go's rule that a defined template can be used before its definition.
//!
//! Covered: `{{ pipeline }}` with `|`, function calls and parentheses; `$var`, `$`, `.` and
//! field chains; method calls with arguments (`.CommonLabels.Remove ...`); `if`/`else
//! if`/`else`, `range` (with `$i, $e :=` and `else`), `with`, `define`, `template`,
//! `block`, `:=` and `=`; comments; `{{-` and `-}}`. Not covered (an error names them):
//! `break`, `continue`, character constants.

use crate::error::{Error, Result};

/// Functions templates may call: Go's built-ins and Prometheus' and Alertmanager's.
pub const FUNCTIONS: &[&str] = &[
    "and",
    "or",
    "not",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "len",
    "index",
    "print",
    "printf",
    "println",
    "html",
    "urlquery",
    "humanize",
    "humanize1024",
    "humanizeDuration",
    "humanizePercentage",
    "humanizeTimestamp",
    "title",
    "toUpper",
    "toLower",
    "trimSpace",
    "join",
    "match",
    "reReplaceAll",
    "safeHtml",
    "stripPort",
    "stripDomain",
    "date",
    "tz",
    "stringSlice",
    "toTime",
    "args",
    "tmpl",
    "graphLink",
    "tableLink",
    "parseDuration",
];

/// The two MiniJinja sources a Go template becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct Translated {
    pub main: String,
    /// The `define`d templates, as macros; empty when there are none.
    pub defines: String,
    /// The names of the defined templates (in order of definition).
    pub defined: Vec<String>,
}

/// The macro name of a defined template (names like `__subject` or `slack.default.title`).
pub fn macro_name(name: &str) -> String {
    let mut out = String::from("t_");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("_{b:02x}"));
        }
    }
    out
}

fn err(template: &str, src: &str, at: usize, reason: impl Into<String>) -> Error {
    let (line, col) = position(src, at);
    Error::invalid_value("template", &format!("{template}:{line}:{col}"), reason.into())
}

/// 1-based line and column (in characters) of a byte offset.
pub fn position(src: &str, at: usize) -> (usize, usize) {
    let before = &src[..at.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Var(String),
    /// `.A.B` (empty for `.` alone).
    Field(Vec<String>),
    Ident(String),
    Str(String),
    Num(String),
    Pipe,
    LParen,
    RParen,
    Declare,
    Assign,
    Comma,
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    end: usize,
}

impl Lexer<'_> {
    fn tokens(&mut self, template: &str, full: &str) -> Result<Vec<(Tok, usize)>> {
        let mut out = Vec::new();
        let b = self.src.as_bytes();
        while self.pos < self.end {
            let c = b[self.pos];
            let start = self.pos;
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'|' => {
                    out.push((Tok::Pipe, start));
                    self.pos += 1
                }
                b'(' => {
                    out.push((Tok::LParen, start));
                    self.pos += 1
                }
                b')' => {
                    out.push((Tok::RParen, start));
                    self.pos += 1;
                    // A field chain on a parenthesised value: (x).A.B
                    if self.pos < self.end && b[self.pos] == b'.' {
                        let chain = self.chain();
                        out.push((Tok::Field(chain), start));
                    }
                }
                b',' => {
                    out.push((Tok::Comma, start));
                    self.pos += 1
                }
                b':' if b.get(self.pos + 1) == Some(&b'=') => {
                    out.push((Tok::Declare, start));
                    self.pos += 2
                }
                b'=' => {
                    out.push((Tok::Assign, start));
                    self.pos += 1
                }
                b'$' => {
                    self.pos += 1;
                    let name = self.ident();
                    out.push((Tok::Var(name), start));
                    if self.pos < self.end && b[self.pos] == b'.' {
                        let chain = self.chain();
                        out.push((Tok::Field(chain), start));
                    }
                }
                b'.' if !b.get(self.pos + 1).is_some_and(u8::is_ascii_digit) => {
                    let chain = self.chain();
                    out.push((Tok::Field(chain), start));
                }
                b'"' => {
                    let mut j = self.pos + 1;
                    while j < self.end && b[j] != b'"' {
                        if b[j] == b'\\' {
                            j += 1;
                        }
                        j += 1;
                    }
                    if j >= self.end {
                        return Err(err(template, full, start, "unterminated quoted string"));
                    }
                    let text = unquote(&self.src[self.pos..=j]).map_err(|r| err(template, full, start, r))?;
                    out.push((Tok::Str(text), start));
                    self.pos = j + 1;
                }
                b'`' => {
                    let rest = &self.src[self.pos + 1..self.end];
                    let Some(close) = rest.find('`') else {
                        return Err(err(template, full, start, "unterminated raw quoted string"));
                    };
                    out.push((Tok::Str(rest[..close].to_owned()), start));
                    self.pos += close + 2;
                }
                b'\'' => return Err(err(template, full, start, "character constants are not supported")),
                b'-' | b'+' | b'0'..=b'9' | b'.' => {
                    let mut j = self.pos + 1;
                    while j < self.end && (b[j].is_ascii_alphanumeric() || b[j] == b'.' || b[j] == b'_') {
                        j += 1;
                    }
                    let text = self.src[self.pos..j].replace('_', "");
                    let num = number(&text)
                        .ok_or_else(|| err(template, full, start, format!("bad number syntax: {text:?}")))?;
                    out.push((Tok::Num(num), start));
                    self.pos = j;
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    let name = self.ident();
                    out.push((Tok::Ident(name), start));
                }
                _ => {
                    let ch = self.src[self.pos..].chars().next().unwrap_or('?');
                    return Err(err(template, full, start, format!("unexpected {ch:?} in command")));
                }
            }
        }
        Ok(out)
    }

    fn ident(&mut self) -> String {
        let b = self.src.as_bytes();
        let start = self.pos;
        while self.pos < self.end && (b[self.pos].is_ascii_alphanumeric() || b[self.pos] == b'_') {
            self.pos += 1;
        }
        self.src[start..self.pos].to_owned()
    }

    fn chain(&mut self) -> Vec<String> {
        let b = self.src.as_bytes();
        let mut chain = Vec::new();
        while self.pos < self.end && b[self.pos] == b'.' {
            self.pos += 1;
            let name = self.ident();
            if name.is_empty() {
                break;
            }
            chain.push(name);
        }
        chain
    }
}

/// A Go number literal as a MiniJinja one (ints, floats, hex, octal, binary).
fn number(text: &str) -> Option<String> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", text.strip_prefix('+').unwrap_or(text)),
    };
    let lower = digits.to_ascii_lowercase();
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(d) = lower.strip_prefix(prefix) {
            return i64::from_str_radix(d, radix).ok().map(|v| format!("{sign}{v}"));
        }
    }
    if digits.parse::<i64>().is_ok() {
        return Some(format!(
            "{sign}{}",
            digits
                .trim_start_matches('0')
                .chars()
                .next()
                .map_or("0".to_owned(), |_| { digits.trim_start_matches('0').to_owned() })
        ));
    }
    let v: f64 = digits.parse().ok()?;
    let text = format!("{v:?}");
    Some(format!("{sign}{text}"))
}

/// A Go interpreted string literal's value.
fn unquote(lit: &str) -> std::result::Result<String, String> {
    let inner = &lit[1..lit.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('\'') => out.push('\''),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(k @ ('x' | 'u' | 'U')) => {
                let n = match k {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = chars.by_ref().take(n).collect();
                let code = u32::from_str_radix(&hex, 16).map_err(|_| format!("invalid escape \\{k}{hex}"))?;
                out.push(char::from_u32(code).ok_or_else(|| format!("invalid escape \\{k}{hex}"))?);
            }
            other => return Err(format!("invalid escape \\{}", other.map(String::from).unwrap_or_default())),
        }
    }
    Ok(out)
}

/// What an `end` closes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Block {
    If,
    Range,
    With,
    Define,
}

struct Frame {
    block: Block,
    /// The dot outside this block, restored at `end`.
    outer_dot: String,
    at: usize,
    saw_else: bool,
}

struct Translator<'a> {
    template: &'a str,
    src: &'a str,
    main: String,
    defines: String,
    defined: Vec<String>,
    stack: Vec<Frame>,
    dot: String,
    /// What `$` is: the data of the template being run (a define's argument inside one).
    root: String,
    counter: usize,
}

/// Translates a Go template named `template` (the name appears in errors).
pub fn translate(template: &str, src: &str) -> Result<Translated> {
    let mut t = Translator {
        template,
        src,
        main: String::with_capacity(src.len() + 32),
        defines: String::new(),
        defined: Vec::new(),
        stack: Vec::new(),
        dot: "__root".into(),
        root: "__root".into(),
        counter: 0,
    };
    t.run()?;
    Ok(Translated { main: t.main, defines: t.defines, defined: t.defined })
}

impl Translator<'_> {
    fn in_define(&self) -> bool {
        self.stack.iter().any(|f| f.block == Block::Define)
    }

    /// Text goes to the source being written; the other gets only its newlines.
    fn emit(&mut self, text: &str) {
        let newlines = "\n".repeat(text.matches('\n').count());
        if self.in_define() {
            self.defines.push_str(text);
            self.main.push_str(&newlines);
        } else {
            self.main.push_str(text);
            self.defines.push_str(&newlines);
        }
    }

    fn emit_literal(&mut self, text: &str) {
        // Literal text that MiniJinja would read as syntax is printed as a string.
        if text.contains("{%") || text.contains("{#") || text.contains("{{") {
            let safe = text.replace("{%", "{{ '{%' }}").replace("{#", "{{ '{#' }}");
            self.emit(&safe);
        } else {
            self.emit(text);
        }
    }

    fn run(&mut self) -> Result<()> {
        let src = self.src;
        let mut pos = 0;
        while let Some(open) = src[pos..].find("{{") {
            let open = pos + open;
            self.emit_literal(&src[pos..open]);
            let mut body_start = open + 2;
            let trim_left = src[body_start..].starts_with("- ")
                || src[body_start..].starts_with("-\t")
                || src[body_start..].starts_with("-\n");
            if trim_left {
                body_start += 1;
            }
            // Comments: {{/* ... */}}
            let rest = src[body_start..].trim_start();
            if rest.starts_with("/*") {
                let cstart = src.len() - rest.len();
                let Some(cend) = src[cstart..].find("*/") else {
                    return Err(err(self.template, src, open, "unclosed comment"));
                };
                let after = cstart + cend + 2;
                let tail = src[after..].trim_start();
                let (trim_right, close) = if let Some(t) = tail.strip_prefix("-}}") {
                    (true, src.len() - t.len())
                } else if let Some(t) = tail.strip_prefix("}}") {
                    (false, src.len() - t.len())
                } else {
                    return Err(err(self.template, src, open, "comment ends before closing delimiter"));
                };
                let newlines = "\n".repeat(src[open..close].matches('\n').count());
                let l = if trim_left { "-" } else { "" };
                let r = if trim_right { "-" } else { "" };
                self.emit(&format!("{{#{l}{newlines}{r}#}}"));
                pos = close;
                continue;
            }
            let close = find_close(src, body_start).ok_or_else(|| err(self.template, src, open, "unclosed action"))?;
            let (body_end, trim_right) = if close > body_start && src[..close].ends_with(" -")
                || src[..close].ends_with("\t-")
                || src[..close].ends_with("\n-")
            {
                (close - 1, true)
            } else {
                (close, false)
            };
            self.action(open, body_start, body_end, trim_left, trim_right)?;
            pos = close + 2;
        }
        self.emit_literal(&src[pos..]);
        if let Some(frame) = self.stack.last() {
            return Err(err(self.template, src, frame.at, "unexpected EOF: action not closed by {{ end }}"));
        }
        Ok(())
    }

    fn fresh(&mut self, stem: &str) -> String {
        self.counter += 1;
        format!("__{stem}{}", self.counter)
    }

    fn action(&mut self, open: usize, start: usize, end: usize, trim_left: bool, trim_right: bool) -> Result<()> {
        let (template, src) = (self.template, self.src);
        let toks = Lexer { src, pos: start, end }.tokens(template, src)?;
        let newlines = "\n".repeat(src[open..end].matches('\n').count());
        let l = if trim_left { "-" } else { "" };
        let r = if trim_right { "-" } else { "" };
        let block = |body: &str| format!("{{%{l} {body} {newlines}{r}%}}");
        let Some((first, _)) = toks.first() else {
            return Err(err(template, src, open, "missing value for command"));
        };
        let keyword = match first {
            Tok::Ident(k) => k.as_str(),
            _ => "",
        };
        match keyword {
            "if" => {
                let cond = self.pipeline(&toks[1..], open)?;
                self.stack.push(Frame { block: Block::If, outer_dot: self.dot.clone(), at: open, saw_else: false });
                self.emit(&block(&format!("if {cond}")));
            }
            "else" => {
                let open_frame = self.stack.last().filter(|f| f.block != Block::Define && !f.saw_else);
                let Some(frame_block) = open_frame.map(|f| f.block) else {
                    return Err(err(template, src, open, "unexpected {{else}}"));
                };
                let chained = matches!(toks.get(1), Some((Tok::Ident(k), _)) if k == "if");
                if chained && frame_block == Block::If {
                    let cond = self.pipeline(&toks[2..], open)?;
                    self.emit(&block(&format!("elif {cond}")));
                } else if toks.len() == 1 {
                    let frame = self.stack.last_mut().expect("checked above");
                    frame.saw_else = true;
                    // Go's else of range/with runs with the outer dot.
                    self.dot = frame.outer_dot.clone();
                    self.emit(&block("else"));
                } else {
                    return Err(err(template, src, open, "else if is only supported after if"));
                }
            }
            "end" => {
                let Some(frame) = self.stack.pop() else {
                    return Err(err(template, src, open, "unexpected {{end}}"));
                };
                self.dot = frame.outer_dot;
                if frame.block == Block::Define {
                    self.root = "__root".into();
                }
                let closing = match frame.block {
                    Block::If | Block::With => "endif",
                    Block::Range => "endfor",
                    Block::Define => "endmacro",
                };
                if frame.block == Block::Define {
                    // Still inside the define when emitting its end.
                    self.stack.push(Frame {
                        block: Block::Define,
                        outer_dot: String::new(),
                        at: open,
                        saw_else: false,
                    });
                    self.emit(&block(closing));
                    self.stack.pop();
                } else {
                    self.emit(&block(closing));
                }
            }
            "range" => {
                let (vars, rest) = declarations(&toks[1..]);
                let value = self.pipeline(rest, open)?;
                let outer = self.dot.clone();
                let text = match vars.as_slice() {
                    [] => {
                        let d = self.fresh("dot");
                        self.dot = d.clone();
                        format!("for {d} in go_iter({value})")
                    }
                    [e] => {
                        self.dot = format!("v_{e}");
                        format!("for v_{e} in go_iter({value})")
                    }
                    [k, e] => {
                        self.dot = format!("v_{e}");
                        format!("for v_{k}, v_{e} in go_pairs({value})")
                    }
                    _ => return Err(err(template, src, open, "too many declarations in range")),
                };
                self.stack.push(Frame { block: Block::Range, outer_dot: outer, at: open, saw_else: false });
                self.emit(&block(&text));
            }
            "with" => {
                let (vars, rest) = declarations(&toks[1..]);
                let value = self.pipeline(rest, open)?;
                let name = match vars.as_slice() {
                    [] => self.fresh("with"),
                    [v] => format!("v_{v}"),
                    _ => return Err(err(template, src, open, "too many declarations in with")),
                };
                let outer = self.dot.clone();
                self.dot = name.clone();
                self.stack.push(Frame { block: Block::With, outer_dot: outer, at: open, saw_else: false });
                self.emit(&block(&format!("set {name} = {value} %}}{{% if {name}")));
            }
            "define" | "block" => {
                if self.in_define() {
                    return Err(err(template, src, open, "unexpected define inside a definition"));
                }
                let Some((Tok::Str(name), _)) = toks.get(1) else {
                    return Err(err(template, src, open, format!("{keyword} needs a quoted template name")));
                };
                let name = name.clone();
                if keyword == "block" {
                    // block = define + template at this place.
                    let arg = if toks.len() > 2 { self.pipeline(&toks[2..], open)? } else { "none".into() };
                    self.main_call(&name, &arg, l, r);
                } else if toks.len() > 2 {
                    return Err(err(template, src, open, "define takes only a name"));
                }
                let param = self.fresh("dot");
                self.stack.push(Frame { block: Block::Define, outer_dot: self.dot.clone(), at: open, saw_else: false });
                self.dot = param.clone();
                self.root = param.clone();
                self.defined.push(name.clone());
                self.emit(&block(&format!("macro {}({param})", macro_name(&name))));
            }
            "template" => {
                let Some((Tok::Str(name), _)) = toks.get(1) else {
                    return Err(err(template, src, open, "template needs a quoted template name"));
                };
                let name = name.clone();
                let arg = if toks.len() > 2 { self.pipeline(&toks[2..], open)? } else { "none".into() };
                self.main_call(&name, &arg, l, r);
            }
            "break" | "continue" if toks.len() == 1 => {
                return Err(err(template, src, open, format!("{{{{{keyword}}}}} is not supported")));
            }
            _ => {
                let (vars, rest) = declarations(&toks);
                if vars.is_empty() {
                    let value = self.pipeline(&toks, open)?;
                    self.emit(&format!("{{{{{l} {value} {newlines}{r}}}}}"));
                } else {
                    if vars.len() != 1 {
                        return Err(err(template, src, open, "too many declarations"));
                    }
                    let value = self.pipeline(rest, open)?;
                    self.emit(&block(&format!("set v_{} = {value}", vars[0])));
                }
            }
        }
        Ok(())
    }

    /// `{{ template "name" arg }}`: a call of the macro, looked up by name at run time so a
    /// template can use one defined after it or in the channel's shared definitions.
    fn main_call(&mut self, name: &str, arg: &str, l: &str, r: &str) {
        let quoted = serde_json::to_string(name).expect("strings serialise");
        self.emit(&format!("{{{{{l} go_template({quoted}, {arg}) {r}}}}}"));
    }

    fn pipeline(&mut self, toks: &[(Tok, usize)], at: usize) -> Result<String> {
        if toks.is_empty() {
            return Err(err(self.template, self.src, at, "missing value for command"));
        }
        let mut value: Option<String> = None;
        for command in split_top(toks, |t| *t == Tok::Pipe) {
            if command.is_empty() {
                return Err(err(self.template, self.src, at, "missing command in pipeline"));
            }
            value = Some(self.command(command, value, at)?);
        }
        Ok(value.expect("at least one command"))
    }

    fn command(&mut self, toks: &[(Tok, usize)], piped: Option<String>, at: usize) -> Result<String> {
        let operands = self.operands(toks, at)?;
        let (head, args) = operands.split_first().expect("non-empty");
        let mut args: Vec<String> = args.iter().map(|o| o.text.clone()).collect();
        if let Some(p) = piped {
            args.push(p);
        }
        match &head.kind {
            OperandKind::Function(name) => match name.as_str() {
                "and" | "or" if !args.is_empty() => Ok(format!("({})", args.join(&format!(" {name} ")))),
                "not" if args.len() == 1 => Ok(format!("(not {})", args[0])),
                _ => Ok(format!("go_{name}({})", args.join(", "))),
            },
            OperandKind::Method(receiver, method) => {
                Ok(format!("go_call({receiver}, {}, [{}])", quote(method), args.join(", ")))
            }
            OperandKind::Value if args.is_empty() => Ok(head.text.clone()),
            OperandKind::Value => {
                Err(err(self.template, self.src, head.at, format!("can't give argument to non-function {}", head.text)))
            }
        }
    }

    fn operands(&mut self, toks: &[(Tok, usize)], at: usize) -> Result<Vec<Operand>> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let (tok, pos) = &toks[i];
            let pos = *pos;
            let operand = match tok {
                Tok::Ident(name) => match name.as_str() {
                    "true" | "false" => Operand::value(name.clone(), pos),
                    "nil" => Operand::value("none".into(), pos),
                    _ if FUNCTIONS.contains(&name.as_str()) => {
                        Operand { text: String::new(), kind: OperandKind::Function(name.clone()), at: pos }
                    }
                    _ => return Err(err(self.template, self.src, pos, format!("function {name:?} not defined"))),
                },
                Tok::Str(s) => Operand::value(quote(s), pos),
                Tok::Num(n) => Operand::value(n.clone(), pos),
                Tok::Var(name) => {
                    let base = if name.is_empty() { self.root.clone() } else { format!("v_{name}") };
                    match toks.get(i + 1) {
                        Some((Tok::Field(chain), p)) if *p == pos => {
                            i += 1;
                            self.field(base, chain, pos, i + 1 < toks.len() && out.is_empty())
                        }
                        _ => Operand::value(base, pos),
                    }
                }
                Tok::Field(chain) => {
                    let dot = self.dot.clone();
                    self.field(dot, chain, pos, i + 1 < toks.len() && out.is_empty())
                }
                Tok::LParen => {
                    let close = matching_paren(toks, i)
                        .ok_or_else(|| err(self.template, self.src, pos, "unclosed left paren"))?;
                    let inner = self.pipeline(&toks[i + 1..close], pos)?;
                    i = close;
                    match toks.get(i + 1) {
                        Some((Tok::Field(chain), p)) if *p == toks[close].1 => {
                            i += 1;
                            let has_args = i + 1 < toks.len() && out.is_empty();
                            self.field(format!("({inner})"), chain, pos, has_args)
                        }
                        _ => Operand::value(format!("({inner})"), pos),
                    }
                }
                Tok::RParen => return Err(err(self.template, self.src, pos, "unexpected right paren")),
                Tok::Pipe | Tok::Declare | Tok::Assign | Tok::Comma => {
                    return Err(err(self.template, self.src, pos, "unexpected token in operand"));
                }
            };
            out.push(operand);
            i += 1;
        }
        if out.is_empty() {
            return Err(err(self.template, self.src, at, "missing value for command"));
        }
        Ok(out)
    }

    /// `base.A.B`; when the chain heads a command with arguments, its last name is a method.
    fn field(&self, base: String, chain: &[String], at: usize, has_args: bool) -> Operand {
        let (chain, method) = match chain.split_last() {
            Some((last, init)) if has_args => (init, Some(last.clone())),
            _ => (chain, None),
        };
        let mut text = base;
        for name in chain {
            text = format!("go_field({text}, {})", quote(name));
        }
        match method {
            Some(m) => Operand { text: String::new(), kind: OperandKind::Method(text, m), at },
            None => Operand::value(text, at),
        }
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

#[derive(Debug)]
enum OperandKind {
    Value,
    Function(String),
    Method(String, String),
}

#[derive(Debug)]
struct Operand {
    text: String,
    kind: OperandKind,
    at: usize,
}

impl Operand {
    fn value(text: String, at: usize) -> Operand {
        Operand { text, kind: OperandKind::Value, at }
    }
}

/// `$a, $b :=` at the head of a pipeline: the names and the rest.
fn declarations(toks: &[(Tok, usize)]) -> (Vec<String>, &[(Tok, usize)]) {
    let mut names = Vec::new();
    let mut i = 0;
    while let Some((Tok::Var(name), _)) = toks.get(i) {
        names.push(name.clone());
        match toks.get(i + 1) {
            Some((Tok::Comma, _)) => i += 2,
            Some((Tok::Declare | Tok::Assign, _)) => return (names, &toks[i + 2..]),
            _ => return (Vec::new(), toks),
        }
    }
    (Vec::new(), toks)
}

fn matching_paren(toks: &[(Tok, usize)], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (i, (t, _)) in toks.iter().enumerate().skip(open) {
        match t {
            Tok::LParen => depth += 1,
            Tok::RParen => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits at top-level (outside parentheses) tokens matching `is_sep`.
fn split_top(toks: &[(Tok, usize)], is_sep: impl Fn(&Tok) -> bool) -> Vec<&[(Tok, usize)]> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, (t, _)) in toks.iter().enumerate() {
        match t {
            Tok::LParen => depth += 1,
            Tok::RParen => depth -= 1,
            t if depth == 0 && is_sep(t) => {
                parts.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&toks[start..]);
    parts
}

/// The `}}` closing an action that starts at `from`, skipping quoted strings.
fn find_close(src: &str, from: usize) -> Option<usize> {
    let b = src.as_bytes();
    let mut i = from;
    while i + 1 < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'`' => {
                i += 1;
                while i < b.len() && b[i] != b'`' {
                    i += 1;
                }
            }
            b'}' if b[i + 1] == b'}' => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_prometheus_annotations() {
        let t = translate("a", "服务 {{ $labels.instance }} 已停止").unwrap();
        assert_eq!(t.main, "服务 {{ go_field(v_labels, \"instance\") }} 已停止");
        let t = translate("a", "{{ $value | humanizePercentage }}").unwrap();
        assert_eq!(t.main, "{{ go_humanizePercentage(v_value) }}");
        let t = translate("a", "{{ printf \"%.2f\" $value }}").unwrap();
        assert_eq!(t.main, "{{ go_printf(\"%.2f\", v_value) }}");
        let t = translate("a", "{{- if gt $value 80.0 -}}\nhot{{ else }}ok{{ end }}").unwrap();
        assert_eq!(t.main, "{%- if go_gt(v_value, 80.0) -%}\nhot{% else %}ok{% endif %}");
    }

    #[test]
    fn lines_are_kept() {
        let src = "{{ define \"x\" }}\nA {{ .Status }}\n{{ end }}\nB\n{{ template \"x\" . }}";
        let t = translate("a", src).unwrap();
        assert_eq!(t.main.matches('\n').count(), src.matches('\n').count());
        assert_eq!(t.defines.matches('\n').count(), src.matches('\n').count());
        assert_eq!(t.defined, vec!["x".to_owned()]);
    }

    #[test]
    fn errors_name_template_and_position() {
        for (src, want) in [
            ("ok\n  {{ $value | nosuch }}", "t:2:15"),
            ("{{ if .X }}", "t:1:1"),
            ("{{ end }}", "t:1:1"),
            ("x {{ \"abc }}", "t:1:3"),
            ("{{ .A", "t:1:1"),
        ] {
            let e = translate("t", src).unwrap_err().to_string();
            assert!(e.contains(want), "{src:?}: {e}");
        }
    }
}
