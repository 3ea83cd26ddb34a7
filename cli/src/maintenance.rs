//! `opsbook maintenance due|record|records`: the policy's `[maintenance]` plan.

use clap::{Subcommand, ValueEnum};
use opsbook::maintenance::{DueStatus, Record, append_record, read_records};
use opsbook::policy::Policy;

#[derive(Subcommand)]
pub enum MaintenanceCommand {
    /// What is due or overdue now. Exit 0 when nothing is, 1 when something is due or was
    /// never done, 2 when something is overdue (Nagios' meanings).
    Due {
        #[arg(long)]
        policy: std::path::PathBuf,
        /// The clock (RFC 3339 or Unix seconds; default now).
        #[arg(long)]
        now: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Keep a record (appended to the plan's records file).
    Record {
        #[arg(long)]
        policy: std::path::PathBuf,
        #[arg(long)]
        operator: String,
        /// 例行维护 / routine, 故障处理 / incident, 版本更新 / release.
        #[arg(long, default_value = "routine")]
        kind: String,
        /// The plan's task this record does.
        #[arg(long)]
        task: Option<String>,
        #[arg(long)]
        description: String,
        #[arg(long, default_value = "")]
        impact: String,
        #[arg(long, default_value = "")]
        result: String,
        #[arg(long, default_value = "")]
        notes: String,
        /// When it was done (default now).
        #[arg(long)]
        time: Option<String>,
    },
    /// The records kept, oldest first.
    Records {
        #[arg(long)]
        policy: std::path::PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

fn plan(policy: &std::path::Path) -> opsbook::Result<(opsbook::maintenance::Plan, Vec<Record>)> {
    let plan = Policy::from_path(policy)?.maintenance.ok_or_else(|| opsbook::Error::InvalidValue {
        field: "maintenance".into(),
        value: policy.display().to_string(),
        reason: "the policy has no [maintenance] table".into(),
    })?;
    let records = match &plan.records {
        Some(path) => read_records(path)?,
        None => Vec::new(),
    };
    Ok((plan, records))
}

pub fn run(command: MaintenanceCommand) -> opsbook::Result<u8> {
    match command {
        MaintenanceCommand::Due { policy, now, format } => {
            let (plan, records) = plan(&policy)?;
            let due = plan.due(&records, crate::flag_time_or_now("--now", &now)?)?;
            let out = match format {
                Format::Json => {
                    let list: Vec<serde_json::Value> = due.iter().map(|d| d.to_json()).collect();
                    serde_json::to_string_pretty(&list).expect("JSON values serialise") + "\n"
                }
                Format::Text => due
                    .iter()
                    .map(|d| {
                        let mark = match d.status {
                            DueStatus::Overdue => "✗",
                            DueStatus::Due | DueStatus::NeverDone => "⚠",
                            DueStatus::NotDue => "✓",
                        };
                        let at = d
                            .due_at_ms
                            .map(opsbook::timestamp_ms_rfc3339)
                            .map(|t| format!(" (due {t})"))
                            .unwrap_or_default();
                        let role = d.task.role.as_deref().map(|r| format!(" [{r}]")).unwrap_or_default();
                        format!("{mark} {} {}: {}{at}{role}\n", d.task.name, d.task.frequency_text, d.status.as_str())
                    })
                    .collect(),
            };
            crate::write_stdout(out.as_bytes())?;
            Ok(if due.iter().any(|d| d.status == DueStatus::Overdue) {
                2
            } else if due.iter().any(|d| matches!(d.status, DueStatus::Due | DueStatus::NeverDone)) {
                1
            } else {
                0
            })
        }
        MaintenanceCommand::Record { policy, operator, kind, task, description, impact, result, notes, time: at } => {
            let (plan, _) = plan(&policy)?;
            let path = plan.records.as_ref().ok_or_else(|| opsbook::Error::InvalidValue {
                field: "maintenance.records".into(),
                value: String::new(),
                reason: "the plan names no records file".into(),
            })?;
            if let Some(t) = &task {
                if !plan.tasks.iter().any(|x| &x.name == t) {
                    return Err(opsbook::Error::InvalidValue {
                        field: "--task".into(),
                        value: t.clone(),
                        reason: "no such task in [maintenance]".into(),
                    });
                }
            }
            let mut record =
                Record::new(crate::flag_time_or_now("--time", &at)?, &operator, &kind, task.as_deref(), &description)?;
            record.impact = impact;
            record.result = result;
            record.notes = notes;
            append_record(path, &record)?;
            Ok(0)
        }
        MaintenanceCommand::Records { policy, format } => {
            let (_, records) = plan(&policy)?;
            let out = match format {
                Format::Json => {
                    let list: Vec<serde_json::Value> = records.iter().map(Record::to_json).collect();
                    serde_json::to_string_pretty(&list).expect("JSON values serialise") + "\n"
                }
                Format::Text => records
                    .iter()
                    .map(|r| {
                        format!(
                            "{} {} {} {}: {}{}\n",
                            opsbook::timestamp_ms_rfc3339(r.time_ms),
                            r.operator,
                            r.kind,
                            r.task.as_deref().unwrap_or("-"),
                            r.description,
                            if r.result.is_empty() { String::new() } else { format!(" ({})", r.result) }
                        )
                    })
                    .collect(),
            };
            crate::write_stdout(out.as_bytes())
        }
    }
}
