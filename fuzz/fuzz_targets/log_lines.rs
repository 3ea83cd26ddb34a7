//! Log lines of each built-in format (ISO + level, nginx combined, JSON lines): any bytes
//! are analysed (counted as unparsed where they are not lines of the format), never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsbook::logs::{LineFormat, Options, analyze_lines};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.lines().collect();
    for format in ["iso-level", "nginx", "json"] {
        let format = LineFormat::parse(format).expect("built in");
        let report = analyze_lines(lines.iter().copied(), &format, Options::default());
        assert_eq!(report.lines as usize, lines.len());
        let _ = report.to_markdown(true);
        let _ = report.measurements();
    }
});
