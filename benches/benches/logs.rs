//! Access-log analysis throughput: 200,000 nginx combined lines (with request times) through
//! the whole analysis (parse, endpoints with percentiles, IPs, status classes, failed logins).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opsbook::logs::{LineFormat, Options, analyze_lines};

fn lines(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let path = match i % 5 {
                0 => format!("/api/courses/{}", i % 1000),
                1 => "/api/login".to_owned(),
                2 => format!("/api/users/{}/profile?tab=1", i % 5000),
                3 => "/static/app.js".to_owned(),
                _ => "/api/search?q=rust".to_owned(),
            };
            let status = if i % 97 == 0 { 500 } else if i % 13 == 0 { 404 } else { 200 };
            format!(
                "10.{}.{}.{} - - [01/May/2024:16:{:02}:{:02} +0800] \"GET {path} HTTP/1.1\" {status} {} \"https://example.com/\" \"Mozilla/5.0 (X11; Linux x86_64)\" 0.{:03}",
                i % 7,
                i % 250,
                i % 200,
                (i / 60) % 60,
                i % 60,
                100 + i % 9000,
                i % 1000
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let data = lines(200_000);
    let bytes: usize = data.iter().map(|l| l.len() + 1).sum();
    let format = LineFormat::Combined;
    let mut group = c.benchmark_group("logs");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("nginx combined analysis", |b| {
        b.iter(|| black_box(analyze_lines(data.iter().map(String::as_str), &format, Options::default())))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
