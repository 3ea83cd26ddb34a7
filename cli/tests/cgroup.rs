//! In a cgroup with limits (what a docker-compose container gets), memory and CPU are
//! reported against the limits. Makes real cgroup v1 groups; skipped where the cgroup
//! filesystem is not writable (not as root, or cgroup v2 only).

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::Duration;

struct Group(Vec<PathBuf>);

impl Drop for Group {
    fn drop(&mut self) {
        for dir in &self.0 {
            for _ in 0..50 {
                if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

fn make_group(name: &str) -> Option<Group> {
    let base = PathBuf::from("/sys/fs/cgroup");
    let mut dirs = Vec::new();
    for controller in ["memory", "cpu", "cpuacct"] {
        let dir = base.join(controller).join(name);
        if std::fs::create_dir(&dir).is_err() {
            eprintln!("skipped: cannot create {} (needs root and cgroup v1)", dir.display());
            drop(Group(dirs));
            return None;
        }
        dirs.push(dir);
    }
    let group = Group(dirs);
    std::fs::write(base.join("memory").join(name).join("memory.limit_in_bytes"), "268435456").ok()?;
    std::fs::write(base.join("cpu").join(name).join("cpu.cfs_period_us"), "100000").ok()?;
    std::fs::write(base.join("cpu").join(name).join("cpu.cfs_quota_us"), "50000").ok()?;
    Some(group)
}

/// A shell that joins the group's cgroups, then runs `script`.
fn in_group(name: &str, script: &str) -> Command {
    let join: String = ["memory", "cpu", "cpuacct"]
        .iter()
        .map(|c| format!("echo $$ > /sys/fs/cgroup/{c}/{name}/cgroup.procs; "))
        .collect();
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &format!("{join}{script}")]);
    cmd
}

#[test]
fn memory_and_cpu_against_the_container_limits() {
    let name = format!("opsbook-test-{}", std::process::id());
    let Some(_group) = make_group(&name) else { return };
    // Half a CPU of quota, kept busy by a loop in the same group.
    let mut burner: Child = in_group(&name, "while :; do :; done").spawn().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let policy = std::env::temp_dir().join(format!("opsbook-cgroup-{}.toml", std::process::id()));
    std::fs::write(
        &policy,
        "version = 1\n[[checks]]\nname = \"cpu\"\ntype = \"cpu\"\nsample = \"1s\"\n[[checks]]\nname = \"memory\"\ntype = \"memory\"\n",
    )
    .unwrap();
    let script = format!("exec {} check --policy {} --format json", env!("CARGO_BIN_EXE_opsbook"), policy.display());
    let out = in_group(&name, &script).output().unwrap();
    burner.kill().unwrap();
    burner.wait().unwrap();
    std::fs::remove_file(&policy).unwrap();
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let checks = doc["checks"].as_array().unwrap();
    let cpu = &checks[0];
    assert!(cpu["summary"].as_str().unwrap().contains("CPU quota"), "{cpu}");
    let usage = cpu["measurements"][0]["value"].as_f64().unwrap();
    // The loop alone can use the whole half CPU the quota grants.
    assert!(usage > 70.0, "a busy loop under a 0.5 CPU quota: {usage}%");
    let memory = &checks[1];
    assert!(memory["summary"].as_str().unwrap().contains("268435456 B limit"), "{memory}");
    let used = memory["measurements"][0]["value"].as_f64().unwrap();
    assert!(used > 0.0 && used < 100.0, "{used}");
    assert_eq!(memory["measurements"][1]["max"].as_f64(), Some(268_435_456.0));
}
