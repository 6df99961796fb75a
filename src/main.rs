//! Entry point: error and panic hooks, logging to a file, then the chosen command.

use std::process::ExitCode;
use std::time::Instant;

use crossdeck::cli::{self, Cli, Cmd, DemoArgs, EventsCmd};
use crossdeck::commands::{
    self, Failure, check, cleanup, dashboard, events, init, init_org, show_config, status,
};
use crossdeck::lab::cost::CostSettings;
use crossdeck::logging;

fn main() -> ExitCode {
    let started = Instant::now();
    let default_log = logging::default_path();
    let cli = cli::parse(&default_log);
    if matches!(cli.command, Some(Cmd::Man)) {
        // The page is the same on every machine: it names the log file by its variables.
        let log = std::path::Path::new(
            "$XDG_STATE_HOME/crossdeck/crossdeck.log (else ~/.local/state/crossdeck/crossdeck.log)",
        );
        return match cli::man_page(log, &mut std::io::stdout().lock()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("crossdeck: cannot write the manual page: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if let Some(Cmd::Completions { shell }) = cli.command {
        cli::completions(shell, &default_log, &mut std::io::stdout().lock());
        return ExitCode::SUCCESS;
    }
    if let Err(e) = color_eyre::install() {
        eprintln!("crossdeck: {e}");
        return ExitCode::FAILURE;
    }
    let log_path = cli.log_file.clone().unwrap_or(default_log);
    if let Err(e) = logging::init(&log_path) {
        eprintln!(
            "crossdeck: cannot open log file {}: {e}",
            log_path.display()
        );
        return ExitCode::FAILURE;
    }
    match run(cli, started) {
        Ok(code) => code,
        Err(e) => {
            tracing::error!("{}", e.message);
            eprintln!("crossdeck: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}

fn run(cli: Cli, started: Instant) -> Result<ExitCode, Failure> {
    let config_path = cli.config.as_deref();
    match cli.command {
        Some(Cmd::Demo(args)) => {
            commands::runtime()?.block_on(dashboard::demo(args, cli.read_only, started))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Config) => {
            let config = commands::load_config(config_path, cli.read_only)?;
            print!("{}", show_config::render(&config));
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Check) => {
            if cli.demo {
                return Err(Failure::usage(
                    "`check` checks real accounts; it has no --demo mode",
                ));
            }
            let config = commands::load_config(config_path, cli.read_only)?;
            let passed = commands::runtime()?.block_on(check::run(&config))?;
            Ok(if passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Some(Cmd::Events(EventsCmd::Check)) => {
            if cli.demo {
                return Err(Failure::usage(
                    "`events check` looks at real accounts; it has no --demo mode",
                ));
            }
            let config = commands::load_config(config_path, cli.read_only)?;
            let passed = commands::runtime()?.block_on(events::check(&config))?;
            Ok(if passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Some(Cmd::Status(args)) => {
            let rt = commands::runtime()?;
            let report = if cli.demo {
                let backend = dashboard::sim_backend(&DemoArgs::default(), cli.read_only);
                let labs = backend.labs();
                let only = args
                    .lab
                    .as_deref()
                    .map(|n| lab_named(&labs, n))
                    .transpose()?;
                rt.block_on(status::collect(
                    &backend,
                    &labs,
                    backend.names(),
                    &CostSettings::default(),
                    only,
                    16,
                    args.events,
                ))
            } else {
                let config = commands::load_config(config_path, cli.read_only)?;
                let only = args
                    .lab
                    .as_deref()
                    .map(|n| config.lab_index(n).map_err(Failure::usage))
                    .transpose()?;
                let backend = crossdeck::backend::aws::AwsBackend::new(&config);
                let labs = config.lab_infos();
                rt.block_on(status::collect(
                    &backend,
                    &labs,
                    &config.names,
                    &config.costs,
                    only,
                    config.polling.max_concurrency,
                    args.events,
                ))
            };
            status::print(&report, args.json)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Man | Cmd::Completions { .. }) => Ok(ExitCode::SUCCESS),
        Some(Cmd::Init(args)) if args.from_organization => {
            let code = commands::runtime()?.block_on(init_org::run(&args))?;
            Ok(ExitCode::from(code))
        }
        Some(Cmd::Init(args)) => {
            print!("{}", init::starter(&args)?);
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Cleanup(args)) => {
            let read_only = cli.read_only;
            if cli.demo {
                cleanup::refuse_read_only(&args, read_only)?;
                let backend = cleanup::demo_backend();
                let labs = backend.labs();
                let lab = lab_named(&labs, &args.lab)?;
                let run = cleanup::run(&backend, lab, &labs[lab], backend.names(), &args, true);
                commands::runtime()?.block_on(run)?;
            } else {
                let config = commands::load_config(config_path, read_only)?;
                cleanup::refuse_read_only(&args, config.read_only)?;
                let lab = config.lab_index(&args.lab).map_err(Failure::usage)?;
                let backend = crossdeck::backend::aws::AwsBackend::new(&config);
                let labs = config.lab_infos();
                let run = cleanup::run(&backend, lab, &labs[lab], &config.names, &args, false);
                commands::runtime()?.block_on(run)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        None if cli.demo => {
            commands::runtime()?.block_on(dashboard::demo(
                DemoArgs::default(),
                cli.read_only,
                started,
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let config = commands::load_config(config_path, cli.read_only)?;
            commands::runtime()?.block_on(dashboard::live(config, started))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn lab_named(labs: &[crossdeck::lab::LabInfo], name: &str) -> Result<usize, Failure> {
    labs.iter().position(|l| l.name == name).ok_or_else(|| {
        let names: Vec<&str> = labs.iter().map(|l| l.name.as_str()).collect();
        Failure::usage(format!(
            "no lab named '{name}' (labs: {})",
            names.join(", ")
        ))
    })
}
