//! Prometheus' template_test.go cases for the humanize functions (template/template_test.go,
//! TestTemplateExpansion: the float, int-as-float, string and error cases), transcribed.

use opsbook::alert::humanize::{
    Arg, humanize, humanize_duration, humanize_percentage, humanize_timestamp, humanize1024,
};

type F = fn(Arg) -> opsbook::Result<String>;

fn joined(f: F, inputs: &[f64]) -> String {
    inputs.iter().map(|v| f(Arg::Number(*v)).unwrap() + ":").collect()
}

fn joined_text(f: F, inputs: &[&str]) -> String {
    inputs.iter().map(|v| f(Arg::Text(v)).unwrap() + ":").collect()
}

#[test]
fn prometheus_template_expansion_cases() {
    assert_eq!(joined(humanize, &[0.0, 1.0, 1234567.0, 0.12]), "0:1:1.235M:120m:");
    assert_eq!(joined_text(humanize, &["0.0", "1.0", "1234567.0", ".12"]), "0:1:1.235M:120m:");
    // int64 inputs, converted to float64 as Prometheus does.
    assert_eq!(joined(humanize, &[0.0, -1.0, 1.0, 1234567.0, i64::MAX as f64]), "0:-1:1:1.235M:9.223E:");
    assert_eq!(joined(humanize, &[0.0, 1.0, 1234567.0, u64::MAX as f64]), "0:1:1.235M:18.45E:");
    assert_eq!(joined(humanize1024, &[0.0, 1.0, 1048576.0, 0.12]), "0:1:1Mi:0.12:");
    assert_eq!(joined_text(humanize1024, &["0.0", "1.0", "1048576.0", ".12"]), "0:1:1Mi:0.12:");
    assert_eq!(joined(humanize1024, &[0.0, -1.0, 1.0, 1234567.0, i64::MAX as f64]), "0:-1:1:1.177Mi:8Ei:");
    assert_eq!(
        joined(
            humanize_duration,
            &[
                0.0,
                1.0,
                60.0,
                3600.0,
                86400.0,
                86400.0 + 3600.0,
                -(86400.0 * 2.0 + 3600.0 * 3.0 + 60.0 * 4.0 + 5.0),
                899.99
            ]
        ),
        "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:"
    );
    assert_eq!(
        joined(humanize_duration, &[0.1, 0.0001, 0.12345, 60.1, 60.5, 1.2345, 12.345]),
        "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:"
    );
    assert_eq!(joined(humanize_duration, &[0.0, -1.0, 1.0, 1234567.0]), "0s:-1s:1s:14d 6h 56m 7s:");
    let specials = [f64::INFINITY, f64::NEG_INFINITY, f64::NAN];
    let all: String = specials
        .iter()
        .map(|v| {
            let a = Arg::Number(*v);
            format!(
                "{}:{}:{}:{}:",
                humanize(a).unwrap(),
                humanize1024(a).unwrap(),
                humanize_duration(a).unwrap(),
                humanize_timestamp(a).unwrap()
            )
        })
        .collect();
    assert_eq!(all, "+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:");
    let all_text: String = ["+Inf", "-Inf", "NaN"]
        .iter()
        .map(|v| {
            let a = Arg::Text(v);
            format!(
                "{}:{}:{}:{}:",
                humanize(a).unwrap(),
                humanize1024(a).unwrap(),
                humanize_duration(a).unwrap(),
                humanize_timestamp(a).unwrap()
            )
        })
        .collect();
    assert_eq!(all_text, "+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:");
    let pct: Vec<String> =
        [-0.22222, 0.0, 0.1234567, 1.23456].iter().map(|v| humanize_percentage(Arg::Number(*v)).unwrap()).collect();
    assert_eq!(pct.join(":"), "-22.22%:0%:12.35%:123.5%");
    assert_eq!(
        joined(humanize_percentage, &[0.0, -1.0, 1.0, 1234567.0, i64::MAX as f64]),
        "0%:-100%:100%:1.235e+08%:9.223e+20%:"
    );
    assert_eq!(
        joined(humanize_timestamp, &[0.0, -1.0, 1.0, 1234567.0, 9223372036.0]),
        "1970-01-01 00:00:00 +0000 UTC:1969-12-31 23:59:59 +0000 UTC:1970-01-01 00:00:01 +0000 UTC:1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:"
    );
    assert_eq!(humanize_timestamp(Arg::Number(1435065584.128)).unwrap(), "2015-06-23 13:19:44.128 +0000 UTC");
    assert_eq!(humanize_timestamp(Arg::Text("1435065584.128")).unwrap(), "2015-06-23 13:19:44.128 +0000 UTC");
}

#[test]
fn errors_name_the_function_and_value() {
    let e = humanize(Arg::Text("one")).unwrap_err().to_string();
    assert!(e.contains("humanize") && e.contains("strconv.ParseFloat: parsing \"one\": invalid syntax"), "{e}");
    let e = humanize_timestamp(Arg::Number(i64::MIN as f64)).unwrap_err().to_string();
    assert!(
        e.contains("-9.223372036854776e+18 cannot be represented as a nanoseconds timestamp since it overflows int64"),
        "{e}"
    );
    let e = humanize_timestamp(Arg::Number(u64::MAX as f64)).unwrap_err().to_string();
    assert!(e.contains("1.8446744073709552e+19 cannot be represented"), "{e}");
}
