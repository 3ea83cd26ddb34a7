//! Alert-message throughput: DingTalk messages (markdown, @-mentions, signed URL) rendered
//! per second for one-alert notifications, a ten-alert group, and a Prometheus annotation
//! template expanded per alert.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opsbook::alert::channel::Channel;
use opsbook::alert::escape::Markup;
use opsbook::alert::model::{Alert, AlertGroup};
use opsbook::alert::template::Templates;
use opsbook::rules::Labels;

fn alert(i: usize) -> Alert {
    let labels: Labels = [
        ("alertname", "HighCPUUsage".to_owned()),
        ("instance", format!("web-{i}:9100")),
        ("severity", if i % 10 == 0 { "critical" } else { "warning" }.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let annotations: Labels = [
        ("summary".to_owned(), format!("服务 web-{i}:9100 CPU使用率过高")),
        ("description".to_owned(), format!("CPU使用率超过80%已持续5分钟，当前值: {}%", 80 + i % 20)),
    ]
    .into_iter()
    .collect();
    let mut a = Alert::firing(labels, annotations, 1_714_550_400_000 + i as i64 * 1000);
    a.value = Some(80.0 + (i % 20) as f64);
    a
}

fn bench(c: &mut Criterion) {
    let spec = serde_json::json!({"name": "ops", "type": "dingtalk", "token_env": "T", "secret_env": "S",
                                  "at_mobiles": ["13800000000"], "tz": "Asia/Shanghai"});
    let channel = Channel::from_value(&spec, "channel").unwrap();
    let secrets: HashMap<String, String> =
        [("T".to_owned(), "token".to_owned()), ("S".to_owned(), "SECsecret".to_owned())].into();
    let singles: Vec<AlertGroup> = (0..1000).map(|i| AlertGroup::new("ops", Labels::new(), vec![alert(i)])).collect();
    let ten = AlertGroup::new("ops", Labels::new(), (0..10).map(alert).collect());

    let mut group = c.benchmark_group("alert");
    group.throughput(Throughput::Elements(singles.len() as u64));
    group.bench_function("dingtalk one-alert messages", |b| {
        b.iter(|| {
            for g in &singles {
                black_box(channel.render(g, 1_714_550_400_123, &secrets).unwrap());
            }
        })
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("dingtalk ten-alert message", |b| {
        b.iter(|| black_box(channel.render(&ten, 1_714_550_400_123, &secrets).unwrap()))
    });

    let mut templates = Templates::new();
    templates
        .add("description", "CPU使用率超过80%已持续5分钟，当前值: {{ $value | humanize }}% ({{ $labels.instance }})")
        .unwrap();
    let alerts: Vec<Alert> = (0..1000).map(alert).collect();
    let zone = jiff::tz::TimeZone::UTC;
    group.throughput(Throughput::Elements(alerts.len() as u64));
    group.bench_function("annotation template", |b| {
        b.iter(|| {
            for a in &alerts {
                black_box(templates.expand_alert("description", a, &zone, Markup::Raw).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
