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
}
