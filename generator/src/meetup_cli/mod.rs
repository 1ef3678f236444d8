//! `maillage meetup new` (a meetup entry in `data/`, from flags or
//! questions, with its organiser's key), `maillage meetup key` (a new key
//! for a meetup whose key was lost) and `maillage region key` (a region's
//! coordinator's key, in [`coordinator`]). The key is printed once, inside the
//! organiser's private link; `data/` keeps only its SHA-256. Every change is
//! checked by reading `data/` back: a change that does not validate is
//! undone and its problems reported.

mod coordinator;
mod entry;
mod files;
mod key;
mod prompt;

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use maillage_model::clock;
use maillage_network::data::{self, reader, DataSet, Kind, Origin};
use maillage_network::pages::network::result_pages;

use crate::build::{load_config, BuildOptions};
use crate::config::Config;
use crate::error::Diagnostic;
use crate::failure::{Failure, Outcome};
pub(crate) use coordinator::region_key_command;
pub(crate) use entry::accepted_entry;
use entry::{Belongs, NewMeetup};
pub(crate) use key::{private_link, OrganiserKey};
use prompt::Prompter;

/// The flags of `maillage meetup new`; whatever is missing is asked.
#[derive(clap::Args, Debug, Default, Clone)]
pub(crate) struct NewMeetupArgs {
    /// Identifier: lower-case letters, digits, hyphens (`brest-nsi-s1-2027-01`)
    #[arg(long)]
    pub id: Option<String>,
    /// Title shown on the site
    #[arg(long)]
    pub title: Option<String>,
    /// Module of a training meetup (an id of data/modules.yaml)
    #[arg(long, conflicts_with = "series")]
    pub module: Option<String>,
    /// Week of the module the meetup follows: 1 or 3
    #[arg(long)]
    pub week: Option<u32>,
    /// Series of a community meetup (an id of data/series.yaml)
    #[arg(long)]
    pub series: Option<String>,
    /// Local start, `YYYY-MM-DDTHH:MM`
    #[arg(long)]
    pub start: Option<String>,
    /// Local end, `YYYY-MM-DDTHH:MM`, or `HH:MM` on the day it starts
    #[arg(long)]
    pub end: Option<String>,
    /// Place (an id of data/places)
    #[arg(long)]
    pub place: Option<String>,
    /// Seats (default: the place's room_capacity, when it has one)
    #[arg(long)]
    pub capacity: Option<u32>,
    /// Registration opens, local `YYYY-MM-DDTHH:MM`
    #[arg(long)]
    pub opens: Option<String>,
    /// Registration closes, local `YYYY-MM-DDTHH:MM`
    #[arg(long)]
    pub closes: Option<String>,
    /// planned, open, full, cancelled or done
    #[arg(long, default_value = "open")]
    pub status: String,
    /// Organiser's first name, published
    #[arg(long)]
    pub organiser: Option<String>,
    /// A role still sought: facilitator or speaker (repeatable)
    #[arg(long)]
    pub wanted: Vec<String>,
    /// One of the team's intentions (repeatable)
    #[arg(long)]
    pub intention: Vec<String>,
    /// Something to bring (repeatable)
    #[arg(long)]
    pub bring: Vec<String>,
    /// Description, Markdown
    #[arg(long)]
    pub description: Option<String>,
    /// File to append to (default: the file of the module's or series'
    /// latest meetup, else data/meetups.yaml or data/meetups/<module>.yaml)
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
}

/// `maillage meetup new`: questions read from `input`, asked on `questions`.
pub(crate) fn new_command(
    options: &BuildOptions,
    args: NewMeetupArgs,
    input: &mut dyn BufRead,
    questions: &mut dyn Write,
) -> Outcome<String> {
    let root = &options.root;
    let config = load_config(options)?;
    let link_page = result_pages(&config)?.report_form;
    let before = data::load(root, clock::now())?;
    let known = &before.data;
    let mut prompter = Prompter::new(input, questions);
    let meetup = gather(args.clone(), known, &mut prompter)?;

    let target = files::target(root, known, &meetup.belongs, args.file.as_deref())?;
    let key = key::generate()?;
    let meetup = NewMeetup {
        report_key_sha256: key.sha256.clone(),
        ..meetup
    };
    let previous = files::append(&root.join(&target), &meetup.to_yaml())?;
    let what = format!("meetup {}", meetup.id);
    let warnings = match read_back(root, &what, &key.sha256, |data| {
        data.meetups
            .iter()
            .find(|m| m.id == meetup.id)
            .and_then(|m| m.report_key_sha256.as_deref())
    }) {
        Ok(after) => {
            // The new entry's own: the others were there before and, the
            // entry being appended, keep their lines.
            let earlier: HashSet<String> = before.warnings.iter().map(|w| w.to_string()).collect();
            let new: Vec<_> = after
                .into_iter()
                .filter(|w| !earlier.contains(&w.to_string()))
                .collect();
            data::format_warnings(&new)
        }
        Err(failure) => {
            previous.restore()?;
            return Err(failure);
        }
    };
    Ok(format!(
        "{warnings}Meetup {id} added to {file}.\n{}",
        key_notice(&links(&config, &link_page, &meetup.id, &key.key), &key.key),
        id = meetup.id,
        file = target.display(),
    ))
}

/// `maillage meetup key ID`: a new key replaces the meetup's.
pub(crate) fn key_command(options: &BuildOptions, id: &str) -> Outcome<String> {
    let root = &options.root;
    let config = load_config(options)?;
    let link_page = result_pages(&config)?.report_form;
    let loaded = data::load(root, clock::now())?;
    let meetup = loaded
        .data
        .meetups
        .iter()
        .find(|m| m.id == id)
        .ok_or_else(|| Failure::other("meetup key", format!("no meetup {id:?} in data/")))?;
    let (key, file) = replace_key_hash(
        root,
        &loaded.data,
        meetup.origin,
        "report_key_sha256",
        &format!("meetup {id}"),
        |data| {
            data.meetups
                .iter()
                .find(|m| m.id == id)
                .and_then(|m| m.report_key_sha256.as_deref())
        },
    )?;
    let link = links(&config, &link_page, id, &key.key);
    Ok(format!(
        "New key for meetup {id} in {}; the previous key stops working once the store is synced.\n{}",
        file.display(),
        key_notice(&link, &key.key)
    ))
}

/// Gives the entry at `origin` a new key: its hash goes in `field`, and
/// `data/` read back must validate and hold it where `stored` looks, else
/// the change is undone. `what` names the entry in messages. Returns the
/// key and the file changed.
pub(super) fn replace_key_hash(
    root: &Path,
    data: &DataSet,
    origin: Origin,
    field: &str,
    what: &str,
    stored: impl Fn(&DataSet) -> Option<&str>,
) -> Outcome<(OrganiserKey, PathBuf)> {
    let file = &data.files[origin.file as usize];
    let entry = origin.entry as usize;
    let key = key::generate()?;
    let Some(line) = file.entry_line(entry) else {
        return Err(Failure::other(
            file.path.display().to_string(),
            format!(
                "cannot find where {what} starts: set its {field} to {} by hand, and give the key {} to whom it is for",
                key.sha256, key.key
            ),
        ));
    };
    let previous = files::set_key_hash(
        &root.join(&file.path),
        line,
        file.entry_line(entry + 1),
        field,
        &key.sha256,
    )?;
    if let Err(failure) = read_back(root, what, &key.sha256, stored) {
        previous.restore()?;
        return Err(failure);
    }
    Ok((key, file.path.clone()))
}

/// The organiser's private links: the organiser's page when the site names
/// one (`[extra] organiser_page`), and the report form.
fn links(config: &Config, report_form: &str, id: &str, key: &str) -> String {
    let mut out = String::new();
    if let Some(page) = config.extra.get("organiser_page").and_then(|p| p.as_str()) {
        out.push_str(&format!(
            "  registrants: {}\n",
            private_link(&config.base_url, page, id, key)
        ));
    }
    out.push_str(&format!(
        "  report:      {}\n",
        private_link(&config.base_url, report_form, id, key)
    ));
    out
}

fn key_notice(links: &str, key: &str) -> String {
    format!(
        "\nThe organiser's private links (shown this once: data/ keeps only the key's hash):\n{links}Key: {key}\n\n\
         Give it to the organiser only, then publish data/ and run `maillage sync` so the function knows the key.\n"
    )
}

/// Reads `data/` again: the change must validate and give `what` the key's
/// hash (where `stored` finds it). Returns the warnings of `data/`.
fn read_back(
    root: &Path,
    what: &str,
    sha256: &str,
    stored: impl Fn(&DataSet) -> Option<&str>,
) -> Outcome<Vec<Diagnostic>> {
    let loaded = data::load(root, clock::now())?;
    if stored(&loaded.data) != Some(sha256) {
        return Err(Failure::other(
            "data/",
            format!("{what} does not read back with its new key's hash; nothing was changed"),
        ));
    }
    Ok(loaded.warnings)
}

/// Every field, from the flags or, when missing, from questions.
fn gather(args: NewMeetupArgs, known: &DataSet, ask: &mut Prompter<'_>) -> Outcome<NewMeetup> {
    let interactive = args.id.is_none()
        || args.title.is_none()
        || (args.module.is_none() && args.series.is_none())
        || args.start.is_none()
        || args.end.is_none()
        || args.place.is_none()
        || args.organiser.is_none();
    let value = |ask: &mut Prompter<'_>,
                 given: Option<String>,
                 question: &str,
                 flag: &str,
                 check: &dyn Fn(&str) -> Result<String, String>|
     -> Outcome<String> {
        match given {
            Some(v) => check(v.trim()).map_err(|why| Failure::other(flag, why)),
            None => ask.ask(question, flag, check),
        }
    };

    let id = value(
        ask,
        args.id,
        "Identifier (brest-nsi-s1-2027-01):",
        "--id",
        &|v| new_id(known, v),
    )?;
    let title = value(ask, args.title, "Title:", "--title", &|v| {
        not_empty(v, "a title")
    })?;
    let belongs = match (args.module, args.series) {
        (Some(module), _) => {
            let module = known_id(known, Kind::Modules, &module)
                .map_err(|w| Failure::other("--module", w))?;
            let week = match args.week {
                Some(w) => week(&w.to_string()).map_err(|why| Failure::other("--week", why))?,
                None => ask.ask("Week of the module (1 or 3):", "--week", week)?,
            };
            Belongs::Module { module, week }
        }
        (None, Some(series)) => Belongs::Series(
            known_id(known, Kind::Series, &series).map_err(|w| Failure::other("--series", w))?,
        ),
        (None, None) => {
            let answer = ask.ask("Module or series (an id):", "--module or --series", |v| {
                known_id(known, Kind::Modules, v)
                    .map(|m| Belongs::Module { module: m, week: 0 })
                    .or_else(|_| known_id(known, Kind::Series, v).map(Belongs::Series))
                    .map_err(|_| {
                        format!(
                            "no module nor series {v:?}; {}",
                            choices(known, Kind::Modules) + "; " + &choices(known, Kind::Series)
                        )
                    })
            })?;
            match answer {
                Belongs::Module { module, .. } => {
                    let week = ask.ask("Week of the module (1 or 3):", "--week", week)?;
                    Belongs::Module { module, week }
                }
                series => series,
            }
        }
    };
    let place = value(ask, args.place, "Place (an id):", "--place", &|v| {
        known_id(known, Kind::Places, v)
    })?;
    let start = value(
        ask,
        args.start,
        "Start, local time (2027-01-14T18:00):",
        "--start",
        &|v| local_time(v).map(|_| v.to_string()),
    )?;
    let start_time = local_time(&start).expect("checked above");
    let end = value(
        ask,
        args.end,
        "End, local time (2027-01-14T20:30, or 20:30):",
        "--end",
        &|v| end_time(start_time, v),
    )?;
    let room = known
        .places
        .iter()
        .find(|p| p.id == place)
        .and_then(|p| p.room_capacity);
    let capacity = match (args.capacity, room) {
        (Some(c), _) => {
            positive(&c.to_string()).map_err(|why| Failure::other("--capacity", why))?
        }
        (None, Some(room)) if !interactive => room,
        (None, room) => {
            let question = match room {
                Some(room) => format!("Seats (empty: the room's {room}):"),
                None => "Seats:".to_string(),
            };
            ask.ask(&question, "--capacity", |v| match (v, room) {
                ("", Some(room)) => Ok(room),
                _ => positive(v),
            })?
        }
    };
    let organiser = value(
        ask,
        args.organiser,
        "Organiser's first name (published):",
        "--organiser",
        &|v| not_empty(v, "a first name"),
    )?;
    let status = status(&args.status).map_err(|why| Failure::other("--status", why))?;
    let mut meetup = NewMeetup {
        id,
        title,
        belongs,
        start,
        end,
        place,
        capacity,
        opens: optional_time(args.opens, "--opens")?,
        closes: optional_time(args.closes, "--closes")?,
        status,
        organiser,
        wanted: args
            .wanted
            .iter()
            .map(|w| role(w).map_err(|why| Failure::other("--wanted", why)))
            .collect::<Outcome<_>>()?,
        intentions: args.intention,
        bring: args.bring,
        description: args.description.filter(|d| !d.trim().is_empty()),
        report_key_sha256: String::new(),
    };
    if interactive {
        if meetup.opens.is_none() {
            meetup.opens = ask.ask("Registration opens (empty: at once):", "--opens", optional)?;
        }
        if meetup.closes.is_none() {
            meetup.closes = ask.ask(
                "Registration closes (empty: when it starts):",
                "--closes",
                optional,
            )?;
        }
        if meetup.wanted.is_empty() {
            meetup.wanted = ask.ask(
                "Roles still sought (facilitator, speaker; empty: none):",
                "--wanted",
                |v| {
                    v.split([',', ' '])
                        .filter(|r| !r.is_empty())
                        .map(role)
                        .collect()
                },
            )?;
        }
        if meetup.intentions.is_empty() {
            meetup.intentions = ask.ask_lines("The team's intentions", "--intention")?;
        }
    }
    Ok(meetup)
}

fn not_empty(v: &str, what: &str) -> Result<String, String> {
    if v.is_empty() {
        Err(format!("give {what}"))
    } else {
        Ok(v.to_string())
    }
}

fn new_id(known: &DataSet, v: &str) -> Result<String, String> {
    if !reader::is_identifier(v) {
        return Err(format!(
            "{v:?} is not an identifier: lower-case letters, digits and hyphens, not at either end"
        ));
    }
    match known.meetups.iter().find(|m| m.id == v) {
        Some(m) => Err(format!(
            "meetup {v} already exists ({})",
            known.location(m.origin)
        )),
        None => Ok(v.to_string()),
    }
}

fn ids(known: &DataSet, kind: Kind) -> Vec<&str> {
    match kind {
        Kind::Modules => known.modules.iter().map(|m| m.id.as_str()).collect(),
        Kind::Series => known.series.iter().map(|s| s.id.as_str()).collect(),
        Kind::Places => known.places.iter().map(|p| p.id.as_str()).collect(),
        _ => Vec::new(),
    }
}

fn choices(known: &DataSet, kind: Kind) -> String {
    let ids = ids(known, kind);
    if ids.is_empty() {
        format!("data/ declares no {}", kind.name())
    } else {
        format!("{}: {}", kind.name(), ids.join(", "))
    }
}

fn known_id(known: &DataSet, kind: Kind, v: &str) -> Result<String, String> {
    let v = v.trim();
    if ids(known, kind).contains(&v) {
        Ok(v.to_string())
    } else {
        let one = kind.name().trim_end_matches('s');
        Err(format!("no {one} {v:?} in data/; {}", choices(known, kind)))
    }
}

fn week(v: &str) -> Result<u32, String> {
    match v.trim() {
        "1" => Ok(1),
        "3" => Ok(3),
        _ => Err(format!("{v:?}: a training meetup follows week 1 or week 3")),
    }
}

fn positive(v: &str) -> Result<u32, String> {
    v.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{v:?} is not a number of seats above 0"))
}

fn local_time(v: &str) -> Result<NaiveDateTime, String> {
    reader::parse_local_datetime(v.trim())
        .ok_or_else(|| format!("{v:?} is not a local time like 2027-01-14T18:00"))
}

fn end_time(start: NaiveDateTime, v: &str) -> Result<String, String> {
    let v = v.trim();
    let end = match chrono::NaiveTime::parse_from_str(v, "%H:%M") {
        Ok(time) => start.date().and_time(time),
        Err(_) => local_time(v)?,
    };
    if end <= start {
        return Err(format!("the end ({v}) must come after the start"));
    }
    Ok(end.format("%Y-%m-%dT%H:%M").to_string())
}

fn optional(v: &str) -> Result<Option<String>, String> {
    if v.is_empty() {
        Ok(None)
    } else {
        local_time(v).map(|_| Some(v.to_string()))
    }
}

fn optional_time(given: Option<String>, flag: &str) -> Outcome<Option<String>> {
    given
        .map(|v| local_time(&v).map(|_| v.trim().to_string()))
        .transpose()
        .map_err(|why| Failure::other(flag, why))
}

fn status(v: &str) -> Result<String, String> {
    match v.trim() {
        s @ ("planned" | "open" | "full" | "cancelled" | "done") => Ok(s.to_string()),
        _ => Err(format!("{v:?}: planned, open, full, cancelled or done")),
    }
}

fn role(v: &str) -> Result<String, String> {
    match v.trim() {
        r @ ("facilitator" | "speaker") => Ok(r.to_string()),
        _ => Err(format!(
            "{v:?}: the roles sought are facilitator and speaker"
        )),
    }
}
