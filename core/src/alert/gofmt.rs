//! Go's formatting of floats, which Prometheus and Alertmanager templates print:
//! `{{ $value }}` is Go's `%v` (shortest digits, exponent from 1e21 up and below 1e-4:
//! 1234567 → `1.234567e+06`), the humanize functions use `%.4g`.

/// Go's `%v` for a float64 (`strconv.FormatFloat(v, 'g', -1, 64)`).
pub fn go_v(v: f64) -> String {
    go_g(v, None)
}

/// Go's `%.<prec>g` (`prec` significant digits), or `%v` with `None`.
pub fn go_g(v: f64, prec: Option<usize>) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    let sign = if v.is_sign_negative() { "-" } else { "" };
    if v == 0.0 {
        return format!("{sign}0");
    }
    // Rust prints the same decimal digits Go computes: the shortest that round-trip, or
    // the exact value rounded to `prec` digits.
    let text = match prec {
        None => format!("{:e}", v.abs()),
        Some(p) => format!("{:.*e}", p.max(1) - 1, v.abs()),
    };
    let (mantissa, exp) = text.split_once('e').expect("exponent form");
    let exp: i32 = exp.parse().expect("exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let nd = digits.len() as i32;
    // strconv's %g: exponent form when exp < -4 or exp >= the precision (6 for shortest;
    // for an explicit precision, the digit count when that is smaller and covers the point).
    let eprec = match prec {
        None => 6,
        Some(p) => {
            let p = p.max(1) as i32;
            if p > nd && nd > exp { nd } else { p }
        }
    };
    if exp < -4 || exp >= eprec {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{frac}e{esign}{:02}", exp.abs())
    } else if exp >= 0 {
        let int_len = (exp + 1) as usize;
        if digits.len() <= int_len {
            format!("{sign}{digits}{}", "0".repeat(int_len - digits.len()))
        } else {
            format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
        }
    } else {
        format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
    }
}

/// An argument of Go's `fmt.Sprintf`, with the Go type it stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum FmtArg {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Anything else, already printed as `%v` would (a list, a map, a time).
    Other(String),
}

impl FmtArg {
    fn type_name(&self) -> &'static str {
        match self {
            FmtArg::Str(_) => "string",
            FmtArg::Int(_) => "int",
            FmtArg::Float(_) => "float64",
            FmtArg::Bool(_) => "bool",
            FmtArg::Other(_) => "interface {}",
        }
    }

    /// `%v`.
    pub fn plain(&self) -> String {
        match self {
            FmtArg::Str(s) | FmtArg::Other(s) => s.clone(),
            FmtArg::Int(i) => i.to_string(),
            FmtArg::Float(f) => go_v(*f),
            FmtArg::Bool(b) => b.to_string(),
        }
    }
}

/// Go's `%e` with `prec` digits after the point (exponent of at least two digits).
pub fn go_e(v: f64, prec: usize, upper: bool) -> String {
    if !v.is_finite() {
        return go_v(v);
    }
    let text = format!("{v:.prec$e}");
    let (mantissa, exp) = text.split_once('e').expect("exponent form");
    let exp: i32 = exp.parse().expect("exponent");
    let e = if upper { 'E' } else { 'e' };
    format!("{mantissa}{e}{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// Go's `strconv.Quote` for the text templates meet.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `fmt.Sprintf` for the verbs templates use (`%s %v %d %f %e %g %q %x %t %%`, flags
/// `-+ 0`, width and precision). A verb given the wrong type, a missing or an extra
/// argument prints Go's `%!verb(type=value)` markers rather than failing.
pub fn go_sprintf(format: &str, args: &[FmtArg]) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let mut next = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let (mut minus, mut plus, mut zero, mut space) = (false, false, false, false);
        while let Some(&f) = chars.peek() {
            match f {
                '-' => minus = true,
                '+' => plus = true,
                '0' => zero = true,
                ' ' => space = true,
                '#' => {}
                _ => break,
            }
            chars.next();
        }
        let mut width: Option<usize> = None;
        while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            width = Some(width.unwrap_or(0) * 10 + d as usize);
            chars.next();
        }
        let mut prec: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            prec = Some(0);
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                prec = Some(prec.unwrap_or(0) * 10 + d as usize);
                chars.next();
            }
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        let signed = |s: String, negative: bool| -> String {
            if negative {
                s
            } else if plus {
                format!("+{s}")
            } else if space {
                format!(" {s}")
            } else {
                s
            }
        };
        let bad = || format!("%!{verb}({}={})", arg.type_name(), arg.plain());
        let (text, numeric) = match (verb, arg) {
            ('v', FmtArg::Float(f)) => (signed(go_g(*f, prec), *f < 0.0 || f.is_nan() || *f == f64::INFINITY), true),
            ('v', FmtArg::Int(i)) | ('d', FmtArg::Int(i)) => (signed(i.to_string(), *i < 0), true),
            ('v', a) => (a.plain(), false),
            ('s', FmtArg::Str(s) | FmtArg::Other(s)) => {
                (prec.map_or_else(|| s.clone(), |p| s.chars().take(p).collect()), false)
            }
            ('f' | 'F', FmtArg::Float(f)) => {
                let t = if f.is_finite() { format!("{:.*}", prec.unwrap_or(6), f) } else { go_v(*f) };
                (signed(t, *f < 0.0 || f.is_nan() || *f == f64::INFINITY), true)
            }
            ('e' | 'E', FmtArg::Float(f)) => (signed(go_e(*f, prec.unwrap_or(6), verb == 'E'), *f < 0.0), true),
            ('g' | 'G', FmtArg::Float(f)) => {
                (signed(go_g(*f, prec), *f < 0.0 || f.is_nan() || *f == f64::INFINITY), true)
            }
            ('q', FmtArg::Str(s)) => (go_quote(s), false),
            ('x', FmtArg::Int(i)) => {
                (signed(format!("{:x}", i.unsigned_abs()), true).replace('+', "").to_string(), true)
            }
            ('X', FmtArg::Int(i)) => (format!("{:X}", i.unsigned_abs()), true),
            ('x', FmtArg::Str(s)) => (s.bytes().map(|b| format!("{b:02x}")).collect(), false),
            ('t', FmtArg::Bool(b)) => (b.to_string(), false),
            _ => (bad(), false),
        };
        let text = match (verb, arg) {
            ('x' | 'X', FmtArg::Int(i)) if *i < 0 => format!("-{text}"),
            _ => text,
        };
        let len = text.chars().count();
        match width {
            Some(w) if w > len => {
                let pad = w - len;
                if minus {
                    out.push_str(&text);
                    out.push_str(&" ".repeat(pad));
                } else if zero && numeric {
                    let (sign, digits) = match text.chars().next() {
                        Some(s @ ('-' | '+' | ' ')) => (s.to_string(), text[1..].to_owned()),
                        _ => (String::new(), text.clone()),
                    };
                    out.push_str(&sign);
                    out.push_str(&"0".repeat(pad));
                    out.push_str(&digits);
                } else {
                    out.push_str(&" ".repeat(pad));
                    out.push_str(&text);
                }
            }
            _ => out.push_str(&text),
        }
    }
    if next < args.len() {
        let extra: Vec<String> = args[next..].iter().map(|a| format!("{}={}", a.type_name(), a.plain())).collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_formatting() {
        // fmt.Sprintf("%v", x) in Go.
        for (v, want) in [
            (1234567.0, "1.234567e+06"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (123456.0, "123456"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.0 / 3.0, "0.3333333333333333"),
            (100.0, "100"),
            (-2.5, "-2.5"),
            (9.223372036854776e18, "9.223372036854776e+18"),
        ] {
            assert_eq!(go_v(v), want, "{v}");
        }
        // fmt.Sprintf("%.4g", x) in Go.
        for (v, want) in [
            (1.2345, "1.234"),
            (12.345, "12.35"),
            (123456.0, "1.235e+05"),
            (100.0, "100"),
            (1.0, "1"),
            (0.12, "0.12"),
            (123.456, "123.5"),
            (1234.0, "1234"),
            (12345.0, "1.234e+04"),
            (0.000012345, "1.234e-05"),
        ] {
            assert_eq!(go_g(v, Some(4)), want, "{v}");
        }
    }

    #[test]
    fn go_sprintf_matches_go() {
        use FmtArg::*;
        // fmt.Sprintf in Go 1.22.
        for (format, args, want) in [
            ("%.2f", vec![Float(85.456)], "85.46"),
            ("%d%%", vec![Int(90)], "90%"),
            ("%5.1f|%-6s|%06d", vec![Float(85.46), Str("ab".into()), Int(-42)], " 85.5|ab    |-00042"),
            ("%e", vec![Float(1234.5678)], "1.234568e+03"),
            ("%g", vec![Float(1e21)], "1e+21"),
            ("%v %v", vec![Float(1234567.0), Bool(true)], "1.234567e+06 true"),
            ("%q", vec![Str("a\"b\n".into())], "\"a\\\"b\\n\""),
            ("%x %X", vec![Int(255), Int(255)], "ff FF"),
            ("%d", vec![Float(1.5)], "%!d(float64=1.5)"),
            ("%s", vec![Int(5)], "%!s(int=5)"),
            ("%s %s", vec![Str("a".into())], "a %!s(MISSING)"),
            ("%s", vec![Str("a".into()), Int(1)], "a%!(EXTRA int=1)"),
            ("%+d %+.1f", vec![Int(3), Float(2.0)], "+3 +2.0"),
        ] {
            assert_eq!(go_sprintf(format, &args), want, "{format}");
        }
    }
}
