//! Command-line interface: `build`, `serve`, `check`, `init`, and the store
//! commands `sync`, `export`, `purge`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::build::{build, BuildOptions};
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
    },
    /// Check content, templates, internal links and anchors without writing anything
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
    /// Create a new site skeleton in a folder
    Init {
        /// Folder to create (the current one when omitted; it must be empty)
        name: Option<PathBuf>,
        /// Site address for config.toml
        #[arg(long, default_value = "https://example.org")]
        base_url: String,
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
            base_url,
            drafts,
        } => {
            let options = BuildOptions {
                root,
                output: output_dir,
                base_url,
                drafts,
                extensions: crate::extensions::standard(),
            };
            build(&options).map(|summary| println!("{summary}"))
        }
        Command::Serve {
            port,
            drafts,
            store,
        } => StoreSpec::parse(store.as_deref(), &root).and_then(|spec| {
            let options = BuildOptions {
                root,
                drafts,
                ..BuildOptions::default()
            };
            crate::live::serve(options, port, &spec)
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
            crate::check::check(&options, external).map(|summary| println!("{summary}"))
        }
        Command::Init { name, base_url } => {
            let dir = match name {
                Some(n) if n.is_relative() => root.join(n),
                Some(n) => n,
                None => root,
            };
            crate::init::init(&dir, &base_url).map(|()| {
                println!(
                    "New site in {}. Next: cd there, then `maillage serve`.",
                    dir.display()
                )
            })
        }
    };
    match result {
        Ok(()) => 0,
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!(
                "{} error{} found; nothing was written.",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            1
        }
    }
}

fn standard_options(root: PathBuf) -> BuildOptions {
    BuildOptions {
        root,
        extensions: crate::extensions::standard(),
        ..BuildOptions::default()
    }
}
