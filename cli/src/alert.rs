//! `opsbook alert render|send|template`: notifications as each channel's request, sent or
//! shown, and Go templates expanded for a quick look.

use clap::{Subcommand, ValueEnum};
use opsbook::alert::channel::{Channel, ChannelSpec, EnvSecrets, Secrets};
use opsbook::alert::deliver::Sender;
use opsbook::alert::escape::Markup;
use opsbook::alert::model::AlertGroup;
use opsbook::alert::template::{TemplateData, render_template};
use opsbook::policy::Policy;

#[derive(Subcommand)]
pub enum AlertCommand {
    /// Print the request(s) a channel would send for the alerts (Alertmanager's webhook
    /// payload, a list of alerts, one alert, or the manuals' {severity, summary, ...}).
    Render {
        #[command(flatten)]
        target: Target,
        /// What to print: the requests as JSON, or only the message body (text, markdown,
        /// the MIME message of an email).
        #[arg(long, value_enum, default_value_t = RenderFormat::Json)]
        format: RenderFormat,
        /// One notification per alert (fanning a payload out), not one for the group.
        #[arg(long)]
        each: bool,
    },
    /// Send the alerts through the channel; prints every attempt. Exit 2 when a request was
    /// not delivered.
    Send {
        #[command(flatten)]
        target: Target,
    },
    /// Expand a Go template (Prometheus/Alertmanager syntax) for each alert, or once over
    /// the whole group with --group.
    Template {
        /// The template text, e.g. '服务 {{ $labels.instance }} 已停止'.
        template: String,
        /// The alerts (JSON); `-` reads standard input.
        #[arg(long, default_value = "-")]
        input: String,
        /// Run once over the whole notification group (.Alerts, .CommonLabels, ...).
        #[arg(long)]
        group: bool,
        /// Run once over this JSON file as the data (`.`) instead of alerts.
        #[arg(long, conflicts_with = "group")]
        data: Option<String>,
        /// How printed values are escaped.
        #[arg(long, value_enum, default_value_t = MarkupArg::Plain)]
        markup: MarkupArg,
        #[arg(long, default_value = "UTC")]
        tz: String,
    },
}

#[derive(clap::Args)]
pub struct Target {
    /// A [[channels]] name of --policy, or (without --policy) a channel type: text,
    /// markdown, email, dingtalk, wecom, feishu, lark, slack, pagerduty, webhook.
    #[arg(long)]
    channel: String,
    #[arg(long)]
    policy: Option<std::path::PathBuf>,
    /// The alerts (JSON); `-` reads standard input.
    #[arg(long, default_value = "-")]
    input: String,
    /// zh-CN or en (overrides the channel's).
    #[arg(long)]
    lang: Option<String>,
    /// IANA time zone for times in the message (overrides the channel's).
    #[arg(long)]
    tz: Option<String>,
    /// Base URL (overrides the channel's).
    #[arg(long)]
    url: Option<String>,
    /// Environment variables holding the token, the whole URL, the signing secret.
    #[arg(long)]
    token_env: Option<String>,
    #[arg(long)]
    url_env: Option<String>,
    #[arg(long)]
    secret_env: Option<String>,
    /// The signing and Date time (RFC 3339 or Unix seconds; default now).
    #[arg(long)]
    now: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum MarkupArg {
    Plain,
    Html,
    Markdown,
    Wecom,
    Slack,
}

impl From<MarkupArg> for Markup {
    fn from(m: MarkupArg) -> Markup {
        match m {
            MarkupArg::Plain => Markup::Raw,
            MarkupArg::Html => Markup::Html,
            MarkupArg::Markdown => Markup::Markdown,
            MarkupArg::Wecom => Markup::WeComMarkdown,
            MarkupArg::Slack => Markup::Slack,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RenderFormat {
    Json,
    Body,
}

fn channel(target: &Target) -> opsbook::Result<Channel> {
    let mut spec = match &target.policy {
        Some(path) => {
            let policy = Policy::from_path(path)?;
            policy.channel(&target.channel)?.spec
        }
        None => ChannelSpec { name: target.channel.clone(), kind: target.channel.clone(), ..ChannelSpec::default() },
    };
    for (slot, value) in [
        (&mut spec.lang, &target.lang),
        (&mut spec.tz, &target.tz),
        (&mut spec.url, &target.url),
        (&mut spec.token_env, &target.token_env),
        (&mut spec.url_env, &target.url_env),
        (&mut spec.secret_env, &target.secret_env),
    ] {
        if value.is_some() {
            slot.clone_from(value);
        }
    }
    Channel::new(spec, "--channel")
}

fn alerts(input: &str) -> opsbook::Result<AlertGroup> {
    let text = crate::read_input(input)?;
    AlertGroup::from_json(&text).map_err(|e| match e {
        opsbook::Error::InvalidValue { field, value, reason } if input != "-" => {
            opsbook::Error::InvalidValue { field: format!("{input}: {field}"), value, reason }
        }
        other => other,
    })
}

pub fn run(command: AlertCommand) -> opsbook::Result<u8> {
    match command {
        AlertCommand::Render { target, format, each } => {
            let channel = channel(&target)?;
            let group = alerts(&target.input)?;
            let now = crate::flag_time_or_now("--now", &target.now)?;
            let requests = if each {
                channel.render_each(group, now, &EnvSecrets)?.into_iter().flatten().collect()
            } else {
                channel.render(&group, now, &EnvSecrets)?
            };
            let out = match format {
                RenderFormat::Json => {
                    let shown: Vec<serde_json::Value> = requests.iter().map(|r| r.to_json()).collect();
                    serde_json::to_string_pretty(&shown).expect("JSON values serialise") + "\n"
                }
                RenderFormat::Body => requests
                    .iter()
                    .map(|r| match &r.email {
                        Some(e) => r.redact(&e.mime),
                        None => {
                            let body = r.redact(&r.body);
                            if body.ends_with('\n') { body } else { body + "\n" }
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
            crate::write_stdout(out.as_bytes())
        }
        AlertCommand::Send { target } => {
            let channel = channel(&target)?;
            let group = alerts(&target.input)?;
            let secrets: &dyn Secrets = &EnvSecrets;
            let requests = channel.render(&group, crate::flag_time_or_now("--now", &target.now)?, secrets)?;
            let deliveries = Sender::new().send_blocking(&channel, &requests)?;
            let shown: Vec<serde_json::Value> = deliveries.iter().map(|d| d.to_json()).collect();
            crate::write_stdout(
                (serde_json::to_string_pretty(&shown).expect("JSON values serialise") + "\n").as_bytes(),
            )?;
            Ok(if deliveries.iter().all(|d| d.delivered) { 0 } else { 2 })
        }
        AlertCommand::Template { template, input, group, data, markup, tz } => {
            let zone = opsbook::alert::gotime::time_zone(&tz)?;
            let markup = Markup::from(markup);
            let mut out = String::new();
            if let Some(path) = data {
                let text = crate::read_input(&path)?;
                let value: serde_json::Value =
                    serde_json::from_str(&text).map_err(|e| opsbook::Error::InvalidValue {
                        field: "--data".into(),
                        value: path.clone(),
                        reason: format!("not JSON: {e}"),
                    })?;
                out.push_str(&render_template(&template, TemplateData::Json(&value), &zone, markup)?);
                out.push('\n');
                return crate::write_stdout(out.as_bytes());
            }
            let alerts = alerts(&input)?;
            if group {
                out.push_str(&render_template(&template, TemplateData::Group(&alerts), &zone, markup)?);
                out.push('\n');
            } else {
                for a in &alerts.alerts {
                    out.push_str(&render_template(&template, TemplateData::Alert(a), &zone, markup)?);
                    out.push('\n');
                }
            }
            crate::write_stdout(out.as_bytes())
        }
    }
}

/// Sends each notification to the `[[channels]]` entry named by its receiver (what `rules
/// eval --send` and `rules advance --send` do once the state is saved). One line per request
/// on standard error; 2 when one was not delivered or no channel has the receiver's name.
pub fn send_notifications(
    policy: &Policy,
    notifications: &[opsbook::rules::notify::Notification],
) -> opsbook::Result<u8> {
    let mut code = 0;
    for n in policy.deliver(notifications, &Sender::new(), &EnvSecrets) {
        match &n.result {
            Err(e) if n.channel.is_empty() => eprintln!("opsbook: receiver {:?}: {e}", n.receiver),
            Err(e) => eprintln!("opsbook: receiver {:?}, channel {:?}: {e}", n.receiver, n.channel),
            Ok(deliveries) => {
                for d in deliveries {
                    eprintln!(
                        "{} {} {} ({} attempts{})",
                        if n.channel == n.receiver {
                            n.receiver.clone()
                        } else {
                            format!("{}/{}", n.receiver, n.channel)
                        },
                        if d.delivered { "delivered" } else { "NOT delivered" },
                        d.url,
                        d.attempts.len(),
                        d.failure().map(|why| format!(": {why}")).unwrap_or_default()
                    );
                }
            }
        }
        if !n.delivered() {
            code = 2;
        }
    }
    Ok(code)
}
