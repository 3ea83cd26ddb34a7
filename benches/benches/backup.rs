//! Backup manifests: hashing a tree of 256 files × 256 KiB (64 MiB, page cache warm) with
//! CRC32C and SHA-256 on every core, verifying it, and retention over 10,000 backups.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opsbook::backup::retention::{GroupBy, Policy, apply_grouped, backups_from_value, parse_count};
use opsbook::backup::{Algorithm, BuildOptions, VerifyOptions, build, verify};

fn tree() -> PathBuf {
    let dir = std::env::temp_dir().join("opsbook-bench-backup");
    if !dir.join("backup_manifest").exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..256 {
            let data: Vec<u8> = (0..256 * 1024)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            std::fs::write(dir.join(format!("file{i:03}")), data).unwrap();
        }
        let m = build(&dir, &BuildOptions { algorithm: Algorithm::Sha256, ..BuildOptions::default() }, None).unwrap();
        std::fs::write(dir.join("backup_manifest"), m.manifest.to_bytes()).unwrap();
    }
    dir
}

fn manifests(c: &mut Criterion) {
    let dir = tree();
    let mut g = c.benchmark_group("backup_64MiB");
    g.throughput(Throughput::Bytes(64 * 1024 * 1024));
    g.sample_size(10);
    for algorithm in [Algorithm::Crc32c, Algorithm::Sha256] {
        let options = BuildOptions { algorithm, ..BuildOptions::default() };
        g.bench_function(format!("build_{}", algorithm.name()), |b| {
            b.iter(|| black_box(build(&dir, &options, None).unwrap()))
        });
    }
    g.bench_function("verify_SHA256", |b| b.iter(|| black_box(verify(&dir, &VerifyOptions::default(), None))));
    // The hash alone, one thread, no reading: what the tree's figure is made of.
    let data = vec![7u8; 64 * 1024 * 1024];
    g.bench_function("sha256_in_memory_one_thread", |b| {
        b.iter(|| {
            let mut h = opsbook::backup::checksum::Hasher::new(Algorithm::Sha256);
            h.update(&data);
            black_box(h.finish())
        })
    });
    g.finish();
}

fn retention(c: &mut Criterion) {
    let list: Vec<serde_json::Value> = (0..10_000)
        .map(|i| serde_json::json!({"id": format!("b{i}"), "time": 1_700_000_000 + i * 3600, "host": format!("h{}", i % 4)}))
        .collect();
    let backups = backups_from_value(&serde_json::Value::Array(list)).unwrap();
    let policy = Policy {
        daily: parse_count("d", "7").unwrap(),
        weekly: parse_count("w", "4").unwrap(),
        monthly: parse_count("m", "12").unwrap(),
        ..Policy::default()
    };
    let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    c.bench_function("retention_10k_backups", |b| {
        b.iter(|| black_box(apply_grouped(&backups, &policy, GroupBy::default(), now).unwrap()))
    });
}

criterion_group!(benches, manifests, retention);
criterion_main!(benches);
