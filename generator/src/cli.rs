//! Command-line interface: `build`, `serve`, `check`, `init`, the store
//! commands `sync`, `export`, `purge`, `repair`, `meetup new`/`meetup key` and `region key`.

use crate::failure::Failure;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::build::{build_leaving, BuildOptions};
use crate::meetup_cli::NewMeetupArgs;
use crate::serve::Limits;
use crate::store_cli::StoreSpec;

#[derive(Parser, Debug)]
#[command(
    name = "maillage",
    version,
    about = "Builds and serves a Zola-compatible static site for a network of local meetups"
)]
struct Cli {
    /// Site folder (holds config.toml)
    #[arg(short, long, global = true, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build the site into the output folder (public/ by default)
    Build {
        /// Output folder
        #[arg(short, long)]
        output_dir: Option<PathBuf>,
        /// Replace the --output-dir folder even when it holds files and is
        /// not this site's last output
        #[arg(short, long)]
        force: bool,
        /// Base URL to use instead of config.toml's base_url
        #[arg(short = 'u', long)]
        base_url: Option<String>,
        /// Include pages and sections marked as drafts
        #[arg(long)]
        drafts: bool,
    },
    /// Serve the site and the function (forms under /api/) on 127.0.0.1, with
    /// the embedded store; re-render what changes, with live reload
    Serve {
        /// Port to listen on
        #[arg(short, long, default_value_t = 1111)]
        port: u16,
        /// Include pages and sections marked as drafts
        #[arg(long)]
        drafts: bool,
        /// The store: `sqlite:PATH` (default: sqlite:.maillage/store.sqlite
        /// under the site root)
        #[arg(long, value_name = "SPEC")]
        store: Option<String>,
        /// Seconds a connection may take, from its opening or its previous
        /// answer, to send a request's headers; closes silent, slow and idle
        /// kept-alive connections
        #[arg(long, value_name = "SECONDS", env = "MAILLAGE_SERVE_HEADER_TIMEOUT", default_value_t = Seconds(Limits::default().header_timeout))]
        header_timeout: Seconds,
        /// Seconds a form's body may take to arrive after its headers
        #[arg(long, value_name = "SECONDS", env = "MAILLAGE_SERVE_BODY_TIMEOUT", default_value_t = Seconds(Limits::default().body_timeout))]
        body_timeout: Seconds,
        /// Connections served at once; more wait until one closes
        #[arg(long, value_name = "N", env = "MAILLAGE_SERVE_MAX_CONNECTIONS", default_value_t = Limits::default().max_connections, value_parser = at_least_one)]
        max_connections: usize,
    },
    /// Check content, data, templates, the internal links of every page and anchors without writing anything
    Check {
        /// Also check that external links' hosts answer
        #[arg(long)]
        external: bool,
        /// Include pages and sections marked as drafts
        #[arg(long)]
        drafts: bool,
    },
    /// Write the meetup definitions of data/ into the function's store
    Sync {
        /// `sqlite:PATH` (default: sqlite:.maillage/store.sqlite under the
        /// site root) or `dynamodb:TABLE` (endpoint from
        /// MAILLAGE_DYNAMODB_ENDPOINT or AWS, region from AWS_REGION)
        #[arg(long, value_name = "SPEC")]
        store: Option<String>,
    },
    /// Write the store's public figures (seats taken, waiting lists, published
    /// reports) into data/live/aggregates.json
    Export {
        /// `sqlite:PATH` or `dynamodb:TABLE`, as for `sync`
        #[arg(long, value_name = "SPEC")]
        store: Option<String>,
    },
    /// Delete personal data kept past its retention from the store
    Purge {
        /// `sqlite:PATH` or `dynamodb:TABLE`, as for `sync`
        #[arg(long, value_name = "SPEC")]
        store: Option<String>,
        /// Days after a meetup's end to keep its participants' data
        /// (default: MAILLAGE_RETENTION_DAYS, or 90)
        #[arg(long, value_name = "N")]
        retention_days: Option<u32>,
    },
    /// Mend what interrupted requests left in the store (registrations whose
    /// request died before their place, seats owed to the waiting list)
    Repair {
        /// `sqlite:PATH` or `dynamodb:TABLE`, as for `sync`
        #[arg(long, value_name = "SPEC")]
        store: Option<String>,
        /// Only this meetup (default: every meetup to come)
        #[arg(long, value_name = "ID")]
        meetup: Option<String>,
    },
    /// Create a meetup in data/ with its organiser's key, or give it a new key
    Meetup {
        #[command(subcommand)]
        command: MeetupCommand,
    },
    /// Give a region's coordinator a new key (it opens the region's
    /// coordinator's page) and print their private link, once
    Region {
        #[command(subcommand)]
        command: RegionCommand,
    },
    /// Create a new site skeleton in a folder
    Init {
        /// Folder to create (the current one when omitted; it must be empty)
        name: Option<PathBuf>,
        /// Site address for config.toml
        #[arg(long, default_value = "https://example.org")]
        base_url: String,
        /// A network's site: the maillage theme, data/ with a region, a
        /// place and a meetup, and the pages the forms lead to (without it,
        /// a bare Zola-style site with its own small templates)
        #[arg(long)]
        network: bool,
    },
}

#[derive(Subcommand, Debug)]
enum MeetupCommand {
    /// Add a meetup to data/ (flags, or questions for what they leave out)
    /// and print its organiser's private link, once
    New(Box<NewMeetupArgs>),
    /// Give a meetup a new organiser's key (the previous one was lost) and
    /// print its private link, once
    Key {
        /// The meetup's id
        id: String,
    },
}

#[derive(Subcommand, Debug)]
enum RegionCommand {
    /// Write a new coordinator's key hash into data/regions.yaml and print
    /// the key and the coordinator's private link, once
    Key {
        /// The region's slug (`bretagne`) or code (`53`)
        region: String,
    },
}

/// Runs the command; returns the process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let root = cli.root;
    let result = match cli.command {
        Command::Build {
            output_dir,
            force,
            base_url,
            drafts,
        } => {
            let options = BuildOptions {
                root,
                output: output_dir,
                force,
                base_url,
                drafts,
                extensions: crate::extensions::standard(),
            };
            // The command ends with the build: its memory is left to the
            // process's end.
            build_leaving(&options)
                .map(|(summary, leftovers)| {
                    println!("{summary}");
                    leftovers.leave_to_exit();
                })
                .map_err(Failure::from)
        }
        Command::Serve {
            port,
            drafts,
            store,
            header_timeout,
            body_timeout,
            max_connections,
        } => StoreSpec::parse(store.as_deref(), &root).and_then(|spec| {
            let options = BuildOptions {
                root,
                drafts,
                ..BuildOptions::default()
            };
            let limits = Limits {
                header_timeout: header_timeout.0,
                body_timeout: body_timeout.0,
                max_connections,
            };
            crate::live::serve(options, port, limits, &spec)
        }),
        Command::Sync { store } => StoreSpec::parse(store.as_deref(), &root).and_then(|spec| {
            crate::store_cli::sync_command(&standard_options(root), &spec)
                .map(|summary| println!("{summary}"))
        }),
        Command::Export { store } => StoreSpec::parse(store.as_deref(), &root).and_then(|spec| {
            crate::store_cli::export_command(&standard_options(root), &spec)
                .map(|summary| println!("{summary}"))
        }),
        Command::Purge {
            store,
            retention_days,
        } => StoreSpec::parse(store.as_deref(), &root).and_then(|spec| {
            crate::store_cli::purge_command(&spec, retention_days)
                .map(|summary| println!("{summary}"))
        }),
        Command::Repair { store, meetup } => {
            StoreSpec::parse(store.as_deref(), &root).and_then(|spec| {
                crate::store_cli::repair_command(&spec, meetup.as_deref())
                    .map(|summary| println!("{summary}"))
            })
        }
        Command::Check { external, drafts } => {
            let options = BuildOptions {
                root,
                drafts,
                extensions: crate::extensions::standard(),
                ..BuildOptions::default()
            };
            crate::check::check(&options, external)
                .map(|summary| println!("{summary}"))
                .map_err(Failure::from)
        }
        Command::Meetup { command } => {
            let options = standard_options(root);
            match command {
                MeetupCommand::New(args) => crate::meetup_cli::new_command(
                    &options,
                    *args,
                    &mut std::io::stdin().lock(),
                    &mut std::io::stderr(),
                ),
                MeetupCommand::Key { id } => crate::meetup_cli::key_command(&options, &id),
            }
            .map(|summary| print!("{summary}"))
        }
        Command::Region {
            command: RegionCommand::Key { region },
        } => crate::meetup_cli::region_key_command(&standard_options(root), &region)
            .map(|summary| print!("{summary}")),
        Command::Init {
            name,
            base_url,
            network,
        } => {
            let dir = match name {
                Some(n) if n.is_relative() => root.join(n),
                Some(n) => n,
                None => root,
            };
            let kind = if network {
                crate::init::Kind::Network
            } else {
                crate::init::Kind::Bare
            };
            crate::init::init(&dir, &base_url, kind)
                .map(|()| {
                    println!(
                        "New site in {}. Next: cd there, then `maillage serve`.",
                        dir.display()
                    );
                    if network {
                        println!("For the map, run `npm ci` once in themes/maillage/.");
                    }
                })
                .map_err(Failure::from)
        }
    };
    match result {
        Ok(()) => 0,
        Err(Failure::Site(errors)) => {
            eprintln!("{errors}");
            eprintln!(
                "{} error{} found; nothing was written.",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            1
        }
        Err(failure) => {
            eprintln!("{failure}");
            1
        }
    }
}

/// A duration given in seconds (`10`, `0.5`), more than none and at most a day.
#[derive(Debug, Clone, Copy)]
struct Seconds(Duration);

impl FromStr for Seconds {
    type Err = String;

    fn from_str(value: &str) -> std::result::Result<Seconds, String> {
        value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
            .map(|s| Seconds(Duration::from_secs_f64(s)))
            .ok_or_else(|| {
                format!(
                    "a number of seconds above 0 and at most 86400 (like 10 or 0.5), not {value:?}"
                )
            })
    }
}

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.as_secs_f64())
    }
}

fn at_least_one(value: &str) -> std::result::Result<usize, String> {
    value
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("a whole number above 0, not {value:?}"))
}

fn standard_options(root: PathBuf) -> BuildOptions {
    BuildOptions {
        root,
        extensions: crate::extensions::standard(),
        ..BuildOptions::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_come_in_seconds_and_whole_connections() {
        assert_eq!("10".parse::<Seconds>().unwrap().0, Duration::from_secs(10));
        assert_eq!(
            " 0.5".parse::<Seconds>().unwrap().0,
            Duration::from_millis(500)
        );
        for wrong in ["0", "-1", "abc", "inf", "NaN", "86401", ""] {
            let error = wrong.parse::<Seconds>().unwrap_err();
            assert!(error.contains("number of seconds"), "{wrong}: {error}");
        }
        assert_eq!(at_least_one("256"), Ok(256));
        assert!(at_least_one("0").is_err());
        assert!(at_least_one("-3").is_err());
    }

    #[test]
    fn serve_takes_its_limits_from_flags_or_the_defaults() {
        let limits = |args: &[&str]| match Cli::try_parse_from(args).unwrap().command {
            Command::Serve {
                header_timeout,
                body_timeout,
                max_connections,
                ..
            } => (header_timeout.0, body_timeout.0, max_connections),
            _ => unreachable!(),
        };
        let defaults = Limits::default();
        assert_eq!(
            limits(&["maillage", "serve"]),
            (
                defaults.header_timeout,
                defaults.body_timeout,
                defaults.max_connections
            )
        );
        assert_eq!(
            limits(&[
                "maillage",
                "serve",
                "--header-timeout",
                "1.5",
                "--body-timeout",
                "3",
                "--max-connections",
                "20"
            ]),
            (Duration::from_millis(1500), Duration::from_secs(3), 20)
        );
    }
}
