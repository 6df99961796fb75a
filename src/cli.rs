//! Command-line interface: the dashboard for configured labs, `demo`, `check`, `status`, `config`,
//! `cleanup`, `init`, `completions`.

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

/// A terminal dashboard for the cross-account MLOps lab on AWS.
///
/// With no command it watches the labs in the config file; `crossdeck demo` plays a simulated
/// class offline.
#[derive(Debug, Parser)]
#[command(name = "crossdeck", version = env!("CROSSDECK_VERSION"), about, long_about = None)]
pub struct Cli {
    /// Config file (default: ./crossdeck.toml, else $XDG_CONFIG_HOME/crossdeck/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Make no change to any account: every action is refused, only read calls are made.
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Use the simulated lab instead of the config's accounts (e.g. `crossdeck --demo status --json`).
    #[arg(long, global = true)]
    pub demo: bool,

    /// Write logs here instead of the default file (filter from RUST_LOG, default "warn,crossdeck=info").
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Run the dashboard on a simulated lab: no AWS account needed.
    Demo(DemoArgs),
    /// For every account: the credentials used, the account id seen against the configured one,
    /// and which read calls succeed. Exits 0 only if all pass.
    Check,
    /// Poll every account once and print the labs' state, then exit.
    Status(StatusArgs),
    /// Check the config file and list the labs and accounts it defines.
    Config,
    /// Print the plan that cleans up one lab in the guide's order; with --execute and
    /// --confirm <the lab's account ids>, carry it out.
    Cleanup(CleanupArgs),
    /// The event-driven mode: `crossdeck events check` shows which accounts forward their
    /// events to the instructor's queue.
    #[command(subcommand)]
    Events(EventsCmd),
    /// Write a starter config: the commented example to fill in, or with --from-organization
    /// one lab per participant found in an AWS Organization.
    Init(InitArgs),
    /// Print a shell completion script: `crossdeck completions bash > /etc/bash_completion.d/crossdeck`.
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `crossdeck man > crossdeck.1`.
    #[command(hide = true)]
    Man,
}

#[derive(Debug, Clone, Subcommand)]
pub enum EventsCmd {
    /// For every account: is the forwarder rule (crossdeck-lab-events) on its default bus?
    /// Exits 0 only if every account forwards.
    Check,
}

#[derive(Debug, Clone, Args)]
pub struct CleanupArgs {
    /// The lab to clean up.
    #[arg(long, value_name = "NAME")]
    pub lab: String,

    /// Carry the plan out (without it the plan is printed and nothing changes).
    #[arg(long)]
    pub execute: bool,

    /// The lab's account ids, comma separated, typed to confirm --execute.
    #[arg(long, value_name = "IDS", requires = "execute")]
    pub confirm: Option<String>,

    /// Seconds between two looks at something being deleted (default 10; 1 with --demo).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=600))]
    pub poll_interval: Option<u64>,

    /// Seconds one wait (a stack, product or endpoint to go) may take before its step fails.
    #[arg(long, value_name = "SECS", default_value_t = 2700, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub wait_timeout: u64,
}

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Where to write the config.
    #[arg(long, value_name = "PATH", default_value = "crossdeck.toml")]
    pub output: PathBuf,

    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,

    /// Build the labs from the AWS Organization the profile's account manages: participants by
    /// their accounts' tags (`crossdeck:participant`, `crossdeck:role`) or by an OU of their
    /// own whose accounts' names end in tools, datascience/ds, stage, production/prod.
    #[arg(long)]
    pub from_organization: bool,

    /// The management account's profile (default: the default credentials).
    #[arg(long, value_name = "PROFILE", requires = "from_organization")]
    pub profile: Option<String>,

    /// Look only under this organizational unit (its id or name; default the root).
    #[arg(long, value_name = "ID|NAME", requires = "from_organization")]
    pub ou: Option<String>,

    /// The role assumed in each account: OrganizationAccountAccessRole for accounts created by
    /// Organizations, AWSControlTowerExecution for Control Tower's Account Factory.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "OrganizationAccountAccessRole",
        requires = "from_organization"
    )]
    pub role_name: String,

    /// Reach each account through IAM Identity Center instead of a role: this `[sso-session]`
    /// of ~/.aws/config (sign in first with `aws sso login --sso-session NAME`).
    #[arg(
        long,
        value_name = "NAME",
        requires = "from_organization",
        requires = "sso_role_name"
    )]
    pub sso_session: Option<String>,

    /// With --sso-session: the permission set's role name in each account.
    #[arg(long, value_name = "ROLE", requires = "sso_session")]
    pub sso_role_name: Option<String>,

    /// Print the config instead of writing it.
    #[arg(long, requires = "from_organization")]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Print JSON (the schema is in the README) instead of one line per lab.
    #[arg(long)]
    pub json: bool,

    /// Only this lab.
    #[arg(long, value_name = "NAME")]
    pub lab: Option<String>,

    /// Add each lab's newest events (50 unless a number is given), newest first.
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "50")]
    pub events: Option<usize>,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// How many participants the simulated class has. The default shows one healthy lab first
    /// and, in the next four, a stack rollback, a failed pipeline action, a failed endpoint and
    /// an account whose credentials are denied. 1 is a single healthy lab.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub participants: u16,

    /// Simulated seconds per real second (30 plays the ~75-minute lab in under 3 minutes).
    #[arg(long, default_value_t = 30.0, value_parser = parse_speed)]
    pub speed: f64,

    /// Seed for the participants' pace: the same seed tells the same story.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,

    /// Play every participant healthy (no injected faults).
    #[arg(long)]
    pub no_faults: bool,

    /// Play the event-driven mode offline: the simulated accounts announce their changes as
    /// their EventBridge events would, each event has its account read at once, and steady
    /// polling relaxes while the feed is live.
    #[arg(long)]
    pub events: bool,
}

impl Default for DemoArgs {
    fn default() -> Self {
        DemoArgs {
            participants: 6,
            speed: 30.0,
            seed: 7,
            no_faults: false,
            events: false,
        }
    }
}

fn parse_speed(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if v.is_finite() && v > 0.0 && v <= 10_000.0 {
        Ok(v)
    } else {
        Err(format!("speed must be above 0 and at most 10000, got {s}"))
    }
}

/// The command with its `--help` footer naming the log file.
pub fn command(default_log: &std::path::Path) -> clap::Command {
    Cli::command().after_help(format!(
        "Logs: {} (override with --log-file; level with RUST_LOG, e.g. RUST_LOG=debug)",
        default_log.display()
    ))
}

/// Parse the process arguments; `--help` names the log file.
pub fn parse(default_log: &std::path::Path) -> Cli {
    let matches = command(default_log).get_matches();
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    }
}

/// The manual page in roff: the command's name, synopsis, description and options, then each
/// visible subcommand with its options, the version and where the logs go.
pub fn man_page(
    default_log: &std::path::Path,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let cmd = command(default_log);
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    writeln!(out, ".SH COMMANDS")?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        writeln!(out, ".SS \"crossdeck {}\"", sub.get_name())?;
        if let Some(about) = sub.get_long_about().or(sub.get_about()) {
            writeln!(out, "{}", roff_text(&about.to_string()))?;
        }
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            // Its options as a list under the command, not a section of their own.
            let mut options = Vec::new();
            clap_mangen::Man::new(sub.clone()).render_options_section(&mut options)?;
            let options = String::from_utf8_lossy(&options).replace(".SH OPTIONS\n", ".PP\n");
            out.write_all(options.as_bytes())?;
        }
    }
    man.render_version_section(out)?;
    let mut extra = Vec::new();
    man.render_extra_section(&mut extra)?;
    let extra = String::from_utf8_lossy(&extra).replace(".SH EXTRA", ".SH FILES");
    out.write_all(extra.as_bytes())
}

/// The completion script for `shell`.
pub fn completions(
    shell: clap_complete::Shell,
    default_log: &std::path::Path,
    out: &mut dyn std::io::Write,
) {
    clap_complete::generate(shell, &mut command(default_log), "crossdeck", out);
}

/// Plain text made safe for roff: no line starts with a control character.
fn roff_text(s: &str) -> String {
    s.lines()
        .map(|l| {
            let l = l.replace('\\', "\\e").replace('-', "\\-");
            if l.starts_with('.') || l.starts_with('\'') {
                format!("\\&{l}")
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
