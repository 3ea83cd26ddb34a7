//! docs/policy.md against the code: for every table the page documents, a policy with an
//! unknown key in that table is given to `opsbook policy check`, whose error lists the keys
//! the table accepts; they must be exactly the page's keys for that table. Every section of
//! the page with a key table is probed, and every probe names a section of the page.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

const UNKNOWN: &str = "zz_not_a_key";

/// The page's sections: heading → the keys in its table's first column.
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/policy.md")).unwrap();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut heading = String::new();
    for line in page.lines() {
        if let Some(h) = line.strip_prefix("### ").or_else(|| line.strip_prefix("## ")) {
            heading = h.trim().to_owned();
            out.entry(heading.clone()).or_default();
        } else if let Some(row) = line.strip_prefix("| `") {
            let key = row.split('`').next().unwrap().to_owned();
            out.get_mut(&heading).unwrap().insert(key);
        }
    }
    out
}

/// The keys opsbook says the table accepts, from the error for an unknown key.
fn accepted(snippet: &str) -> BTreeSet<String> {
    let dir = std::env::temp_dir().join(format!("opsbook-reference-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("probe-{:x}.toml", fnv(snippet)));
    std::fs::write(&file, snippet).unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_opsbook")).args(["policy", "check", file.to_str().unwrap()]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(3), "an unknown key must be refused:\n{snippet}\n{err}");
    let _ = std::fs::remove_file(&file);
    if let Some((_, rest)) = err.split_once("known here: ").or_else(|| err.split_once("(known: ")) {
        return rest.split(')').next().unwrap().split(", ").map(|k| k.trim().to_owned()).collect();
    }
    let (_, rest) = err
        .split_once(&format!("unknown field `{UNKNOWN}`"))
        .unwrap_or_else(|| panic!("no list of keys in the error for\n{snippet}\n{err}"));
    if rest.contains("there are no fields") {
        return BTreeSet::new();
    }
    rest.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3))
}

fn check_of(kind: &str) -> String {
    format!("version = 1\n[[checks]]\nname = \"x\"\ntype = \"{kind}\"\n{UNKNOWN} = 1\n")
}

/// (section heading, a policy with the unknown key in that table, keys read outside the table's struct)
fn probes() -> Vec<(String, String, Vec<&'static str>)> {
    let u = UNKNOWN;
    let mut p: Vec<(String, String, Vec<&'static str>)> = vec![
        ("Top level".into(), format!("version = 1\n{u} = 1\n"), vec![]),
        (
            "`thresholds.<measurement>`".into(),
            format!("version = 1\n[[checks]]\nname = \"x\"\ntype = \"cpu\"\nthresholds.usage = {{ {u} = 1 }}\n"),
            vec![],
        ),
        (
            "`[[rules]]`".into(),
            format!("version = 1\n[[rules]]\nname = \"x\"\nmetric = \"m\"\nalert_when = \"above 1\"\n{u} = 1\n"),
            vec![],
        ),
        (
            "`predict`".into(),
            format!(
                "version = 1\n[[rules]]\nname = \"x\"\nmetric = \"m\"\npredict = {{ window = \"5m\", ahead = \"1h\", below = 0, {u} = 1 }}\n"
            ),
            vec![],
        ),
        ("`[escalation]`".into(), format!("version = 1\n[escalation]\n{u} = 1\n"), vec![]),
        (
            "`[[escalation.levels]]`".into(),
            format!("version = 1\n[[escalation.levels]]\nname = \"P0\"\nresponse = \"5m\"\n{u} = 1\n"),
            vec![],
        ),
        ("`[escalation.route]`".into(), format!("version = 1\n[escalation.route]\n{u} = 1\n"), vec![]),
        (
            "`[[escalation.silences]]`".into(),
            format!(
                "version = 1\n[[escalation.silences]]\nmatchers = [\"a=b\"]\nstarts_at = 0\nends_at = 1\n{u} = 1\n"
            ),
            vec![],
        ),
        (
            "`[[escalation.inhibit_rules]]`".into(),
            format!("version = 1\n[[escalation.inhibit_rules]]\n{u} = 1\n"),
            vec![],
        ),
        (
            "`[[channels]]`".into(),
            format!("version = 1\n[[channels]]\nname = \"x\"\ntype = \"webhook\"\nurl = \"http://x\"\n{u} = 1\n"),
            vec![],
        ),
        ("`[backups]`".into(), format!("version = 1\n[backups]\n{u} = 1\n"), vec![]),
        (
            "`[[backups.locations]]`".into(),
            format!("version = 1\n[[backups.locations]]\nname = \"x\"\ndir = \"/tmp\"\n{u} = 1\n"),
            vec![],
        ),
        ("`[capacity]`".into(), format!("version = 1\n[capacity]\nresources = []\n{u} = 1\n"), vec![]),
        (
            "`capacity.resources[]`".into(),
            format!("version = 1\n[capacity]\nresources = [{{ name = \"a\", current = 1, {u} = 1 }}]\n"),
            vec![],
        ),
        (
            "`capacity.sizing`".into(),
            format!("version = 1\n[capacity]\nresources = []\nsizing = {{ users = 1, {u} = 1 }}\n"),
            vec![],
        ),
        (
            "`capacity.sizing.rules[]`".into(),
            format!(
                "version = 1\n[capacity]\nresources = []\nsizing = {{ users = 1, rules = [{{ resource = \"cpu\", {u} = 1 }}] }}\n"
            ),
            vec![],
        ),
        ("`[logs]`".into(), format!("version = 1\n[logs]\n{u} = 1\n"), vec![]),
        (
            "`[[logs.analyses]]`".into(),
            format!("version = 1\n[[logs.analyses]]\nname = \"a\"\nfiles = [\"x\"]\n{u} = 1\n"),
            vec![],
        ),
        (
            "`[[logs.lifecycle]]`".into(),
            format!("version = 1\n[[logs.lifecycle]]\ndir = \"/tmp\"\n{u} = 1\n"),
            // The directory is the entry's own; the rest are its rules.
            vec!["dir"],
        ),
        (
            "`logs.lifecycle[].tiers[]`".into(),
            format!(
                "version = 1\n[[logs.lifecycle]]\ndir = \"/tmp\"\ntiers = [{{ name = \"w\", after_days = 1, dir = \"/x\", {u} = 1 }}]\n"
            ),
            vec![],
        ),
        ("`[maintenance]`".into(), format!("version = 1\n[maintenance]\n{u} = 1\n"), vec![]),
        (
            "`[[maintenance.tasks]]`".into(),
            format!("version = 1\n[[maintenance.tasks]]\nname = \"a\"\nevery = \"daily\"\n{u} = 1\n"),
            vec![],
        ),
        (
            "`[[maintenance.checklists]]`".into(),
            format!("version = 1\n[[maintenance.checklists]]\nname = \"a\"\nitems = []\n{u} = 1\n"),
            vec![],
        ),
        (
            "`maintenance.checklists[].items[]`".into(),
            format!("version = 1\n[[maintenance.checklists]]\nname = \"a\"\nitems = [{{ text = \"x\", {u} = 1 }}]\n"),
            vec![],
        ),
        ("`[state]`".into(), format!("version = 1\n[state]\n{u} = 1\n"), vec![]),
    ];
    for kind in [
        "cpu", "memory", "swap", "load", "disk", "diskio", "network", "process", "tcp", "http", "tls", "command",
        "file", "backup", "log", "redis", "postgres",
    ] {
        p.push((format!("`type = \"{kind}\"`"), check_of(kind), vec![]));
    }
    p
}

#[test]
fn every_documented_table_lists_exactly_the_keys_opsbook_accepts() {
    let page = documented();
    let probes = probes();
    for (heading, snippet, outside) in &probes {
        let doc = page.get(heading).unwrap_or_else(|| panic!("docs/policy.md has no section {heading}"));
        let mut code = accepted(snippet);
        code.extend(outside.iter().map(|k| (*k).to_owned()));
        assert_eq!(&code, doc, "{heading}: opsbook accepts {code:?}, the page lists {doc:?}");
    }
    // A log analysis check takes the keys of [[logs.analyses]].
    assert_eq!(accepted(&check_of("log_analysis")), page["`[[logs.analyses]]`"]);
    // Every section with a key table is probed (the common check keys are checked below).
    let probed: BTreeSet<&str> = probes.iter().map(|(h, _, _)| h.as_str()).collect();
    for (heading, keys) in &page {
        if !keys.is_empty() && heading != "`[[checks]]`: keys of every check" {
            assert!(
                probed.contains(heading.as_str()),
                "docs/policy.md section {heading} is not checked against the code"
            );
        }
    }
}

#[test]
fn the_keys_of_every_check_are_accepted_with_any_type() {
    let page = documented();
    let common = &page["`[[checks]]`: keys of every check"];
    let values = BTreeMap::from([
        ("name", "\"x\""),
        ("type", "\"command\"\nargv = [\"true\"]"),
        ("timeout", "\"2s\""),
        ("cache_ttl", "\"1s\""),
        ("failures_before_critical", "2"),
        ("tags", "[\"liveness\"]"),
        ("thresholds", "{ duration = { warn = { above = 1000 } } }"),
    ]);
    assert_eq!(
        common,
        &values.keys().map(|k| (*k).to_owned()).collect::<BTreeSet<_>>(),
        "a common key without a probe value"
    );
    let mut policy = "version = 1\n[[checks]]\n".to_owned();
    for (k, v) in &values {
        policy.push_str(&format!("{k} = {v}\n"));
    }
    let dir = std::env::temp_dir().join(format!("opsbook-reference-common-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("p.toml");
    std::fs::write(&file, &policy).unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_opsbook")).args(["policy", "check", file.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{policy}\n{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}
