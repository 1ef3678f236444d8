//! Reading each kind of entry and the checks that need only the entry
//! itself (formats, ranges, coordinates, consistency of its own fields).
//! Checks across entries live in [`validate`](super::validate).

use chrono::Timelike;
use maillage_model::meetup::{MeetupStatus, Role};

use super::model::*;
use super::reader::{is_identifier, Fields};
use super::{geo, outlines};
use crate::pages::network::{RESERVED_MEETUP_IDS, RESERVED_PLACE_IDS, RESERVED_REGION_SLUGS};

const CONTACT_FIELDS: &[&str] = &["name", "email", "phone", "url"];

fn contact(fields: &mut Fields<'_>, key: &str, required: &[&str]) -> Option<Contact> {
    let mut nested = fields.nested(key, CONTACT_FIELDS)?;
    let read = |nested: &mut Fields<'_>, name: &str| {
        if required.contains(&name) {
            nested.req_text(name)
        } else {
            nested.text(name)
        }
    };
    let contact = Contact {
        name: read(&mut nested, "name"),
        email: read(&mut nested, "email"),
        phone: read(&mut nested, "phone"),
        url: read(&mut nested, "url"),
    };
    if let Some(email) = &contact.email {
        if !looks_like_email(email) {
            nested.problem("email", format!("`{email}` is not an email address"));
        }
    }
    if let Some(url) = &contact.url {
        if !is_web_url(url) {
            nested.problem(
                "url",
                format!("`{url}` is not a web address: expected http:// or https://"),
            );
        }
    }
    nested.finish_unknown();
    fields.absorb(nested);
    Some(contact)
}

fn looks_like_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((user, host)) => {
            !user.is_empty() && host.contains('.') && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}

pub fn is_web_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://")) && url.len() > 8
}

fn web_url(fields: &mut Fields<'_>, key: &str) -> Option<String> {
    let url = fields.text(key)?;
    if is_web_url(&url) {
        Some(url)
    } else {
        fields.problem(
            key,
            format!("`{url}` is not a web address: expected http:// or https://"),
        );
        None
    }
}

const REGION_FIELDS: &[&str] = &[
    "code",
    "name",
    "slug",
    "coordinator",
    "description",
    "time_zone",
    "coordinator_key_sha256",
];

pub fn region(mut f: Fields<'_>, origin: Origin) -> (Option<Region>, Fields<'_>) {
    let code = f.req_code("code", "an INSEE region code");
    if let Some(code) = &code {
        if !REGION_CODES.iter().any(|(c, _)| c == code) {
            let expected: Vec<String> = REGION_CODES
                .iter()
                .map(|(c, n)| format!("{c} ({n})"))
                .collect();
            f.problem(
                "code",
                format!(
                    "unknown region code `{code}`: expected one of {}",
                    expected.join(", ")
                ),
            );
        }
    }
    let name = f.req_text("name");
    let slug = match f.code("slug", "a URL segment") {
        Some(slug) if !is_identifier(&slug) => {
            f.problem(
                "slug",
                format!("`{slug}` is not a valid URL segment: expected lower-case letters a-z, digits and hyphens"),
            );
            None
        }
        Some(slug) => Some(slug),
        None => name
            .as_deref()
            .map(|n| crate::slugs::slugify_with(n, crate::slugs::SlugStrategy::On)),
    };
    let slug = match slug {
        Some(slug) if RESERVED_REGION_SLUGS.contains(&slug.as_str()) => {
            f.problem(
                "slug",
                format!("`{slug}` is reserved: /regions/{slug}/ is the network's figures page; choose another slug"),
            );
            None
        }
        slug => slug,
    };
    let coordinator = if f.has("coordinator") {
        contact(&mut f, "coordinator", &["name", "email"])
    } else {
        f.problem(
            "coordinator",
            "missing field `coordinator`: expected the public contact of the coordination (name, email, optional phone and url)",
        );
        None
    };
    let description = f.text("description");
    let time_zone = f.time_zone("time_zone");
    let coordinator_key_sha256 = key_hash(&mut f, "coordinator_key_sha256", "maillage region key");
    f.finish_unknown();
    let region = (|| {
        Some(Region {
            code: code?,
            name: name?,
            slug: slug?,
            coordinator: coordinator?,
            description,
            time_zone,
            coordinator_key_sha256,
            origin,
        })
    })();
    (region, f)
}

const PLACE_FIELDS: &[&str] = &[
    "id",
    "name",
    "type",
    "address",
    "postcode",
    "commune",
    "insee",
    "department",
    "region",
    "lat",
    "lon",
    "offers",
    "room_capacity",
    "contact",
    "accessibility",
    "description",
    "structure",
    "time_zone",
];

fn place_type(f: &mut Fields<'_>) -> Option<PlaceType> {
    let code = f.req_code("type", "a place type")?;
    let kind = PlaceType::from_code(&code);
    if kind.is_none() {
        let expected: Vec<&str> = PlaceType::ALL.iter().map(|t| t.code()).collect();
        f.problem(
            "type",
            format!(
                "unknown place type `{code}`: expected one of {}",
                expected.join(", ")
            ),
        );
    }
    kind
}

/// INSEE code, department and region of a place or partner, checked
/// against each other.
fn commune_codes(
    f: &mut Fields<'_>,
    required: bool,
) -> (Option<String>, Option<String>, Option<String>) {
    let insee = if required {
        f.req_code("insee", "the commune's INSEE code")
    } else {
        f.code("insee", "the commune's INSEE code")
    };
    let insee = insee.filter(|insee| {
        let ok = geo::is_insee_code(insee);
        if !ok {
            f.problem(
                "insee",
                format!("`{insee}` is not an INSEE commune code: expected 5 characters such as 29019, 2A004 or 97411"),
            );
        }
        ok
    });
    let department = if required {
        f.req_code("department", "a department code")
    } else {
        f.code("department", "a department code")
    };
    let department = department.filter(|dep| {
        let ok = geo::region_of_department(dep).is_some();
        if !ok {
            f.problem(
                "department",
                format!("unknown department `{dep}`: expected a code such as 29, 2A or 974"),
            );
        }
        ok
    });
    if let (Some(insee), Some(dep)) = (&insee, &department) {
        let expected = geo::department_of_insee(insee);
        if expected != dep {
            f.problem(
                "department",
                format!("department `{dep}` does not match the INSEE code {insee}: expected `{expected}`"),
            );
        }
    }
    let region = f.req_code("region", "a region code");
    if let (Some(region), Some(dep)) = (&region, &department) {
        if let Some(expected) = geo::region_of_department(dep) {
            if expected != region && REGION_CODES.iter().any(|(c, _)| c == region) {
                f.problem(
                    "region",
                    format!("department {dep} is in region {expected}, not {region}"),
                );
            }
        }
    }
    (insee, department, region)
}

pub fn place(mut f: Fields<'_>, origin: Origin) -> (Option<Place>, Fields<'_>) {
    let id = f.req_id("id", RESERVED_PLACE_IDS);
    let name = f.req_text("name");
    let kind = place_type(&mut f);
    let address = f.req_text("address");
    let postcode = f.req_code("postcode", "a postcode").filter(|p| {
        let ok = p.len() == 5 && p.bytes().all(|b| b.is_ascii_digit());
        if !ok {
            f.problem(
                "postcode",
                format!("`{p}` is not a postcode: expected 5 digits"),
            );
        }
        ok
    });
    let commune = f.req_text("commune");
    let (insee, department, region) = commune_codes(&mut f, true);
    let lat = f.req_number("lat");
    let lon = f.req_number("lon");
    let mut coordinates_ok = true;
    if let (Some(lat), Some(lon)) = (lat, lon) {
        let bounds = region
            .as_deref()
            .filter(|r| REGION_CODES.iter().any(|(c, _)| c == r))
            .map(geo::bounds_of_region);
        let inside = match bounds {
            Some(b) => b.contains(lat, lon),
            None => geo::in_france(lat, lon),
        };
        if !inside {
            coordinates_ok = false;
            let territory = bounds.map_or("France", |b| b.name);
            let mut message = format!(
                "coordinates lat {lat}, lon {lon} are outside {territory}: expected WGS 84 latitude and longitude in degrees"
            );
            if bounds.is_some_and(|b| b.contains(lon, lat)) || geo::in_france(lon, lat) {
                message.push_str(" (are `lat` and `lon` swapped?)");
            }
            // Name the coordinate that is out: the latitude fits, so the longitude does not.
            let field = match bounds {
                Some(b) if (b.lat.0..=b.lat.1).contains(&lat) => "lon",
                _ => "lat",
            };
            f.problem(field, message);
        }
        if inside && !in_its_department(&mut f, department.as_deref(), lat, lon) {
            coordinates_ok = false;
        }
    }
    let offers = f.text_list("offers");
    let room_capacity = f.integer("room_capacity", true);
    let contact = contact(&mut f, "contact", &[]);
    let accessibility = f.text("accessibility");
    let description = f.text("description");
    let structure = f.text("structure");
    let time_zone = f.time_zone("time_zone");
    f.finish_unknown();
    let place = (|| {
        if !coordinates_ok {
            return None;
        }
        Some(Place {
            id: id?,
            name: name?,
            kind: kind?,
            address: address?,
            postcode: postcode?,
            commune: commune?,
            insee: insee?,
            department: department?,
            region: region?,
            lat: lat?,
            lon: lon?,
            offers,
            room_capacity,
            contact,
            accessibility,
            description,
            structure,
            time_zone,
            origin,
        })
    })();
    (place, f)
}

/// Whether the point lies in (or within the tolerance of) its department's
/// outline; if not, says so on the coordinate that is off, naming the
/// department the point falls in.
fn in_its_department(f: &mut Fields<'_>, department: Option<&str>, lat: f64, lon: f64) -> bool {
    let Some(outline) = department.and_then(outlines::department) else {
        return true;
    };
    let distance = outline.distance_km(lat, lon);
    if distance <= outlines::TOLERANCE_KM {
        return true;
    }
    let falls_in = match outlines::department_at(lat, lon) {
        Some(other) => format!("department {} ({})", other.code, other.name),
        None => "no department".to_string(),
    };
    // The latitude fits the department's span: the longitude is off.
    let (south, north) = outline.lat_range();
    let field = if (south..=north).contains(&lat) {
        "lon"
    } else {
        "lat"
    };
    f.problem(
        field,
        format!(
            "coordinates lat {lat}, lon {lon} are {distance:.0} km outside department {} ({}): the point is in {falls_in}",
            outline.code, outline.name
        ),
    );
    false
}

const PARTNER_FIELDS: &[&str] = &[
    "id",
    "name",
    "type",
    "commune",
    "insee",
    "department",
    "region",
    "brings",
    "provides",
    "contact",
    "description",
];

/// The partner's `provides`: codes of [`PARTNER_OFFERS`].
fn provides(f: &mut Fields<'_>) -> Vec<String> {
    let raw = f.text_list("provides");
    let mut offers = Vec::with_capacity(raw.len());
    for (i, offer) in raw.into_iter().enumerate() {
        if PARTNER_OFFERS.iter().any(|(code, _)| *code == offer) {
            offers.push(offer);
        } else {
            let expected: Vec<&str> = PARTNER_OFFERS.iter().map(|(c, _)| *c).collect();
            f.problem(
                &format!("provides[{i}]"),
                format!(
                    "unknown offer `{offer}`: expected one of {}",
                    expected.join(", ")
                ),
            );
        }
    }
    offers
}

pub fn partner(mut f: Fields<'_>, origin: Origin) -> (Option<Partner>, Fields<'_>) {
    let id = f.req_id("id", &[]);
    let name = f.req_text("name");
    let kind = f.req_code("type", "a partner type").filter(|t| {
        let ok = PARTNER_TYPES.iter().any(|(code, _)| code == t);
        if !ok {
            let expected: Vec<&str> = PARTNER_TYPES.iter().map(|(c, _)| *c).collect();
            f.problem(
                "type",
                format!(
                    "unknown partner type `{t}`: expected one of {}",
                    expected.join(", ")
                ),
            );
        }
        ok
    });
    let commune = f.text("commune");
    let (insee, department, region) = commune_codes(&mut f, false);
    let brings = f.text_list("brings");
    let provides = provides(&mut f);
    let contact = contact(&mut f, "contact", &[]);
    let description = f.text("description");
    f.finish_unknown();
    let partner = (|| {
        Some(Partner {
            id: id?,
            name: name?,
            kind: kind?,
            commune,
            insee,
            department,
            region: region?,
            brings,
            provides,
            contact,
            description,
            origin,
        })
    })();
    (partner, f)
}

const MODULE_FIELDS: &[&str] = &["id", "title", "online_start", "weeks", "url", "description"];

pub fn module(mut f: Fields<'_>, origin: Origin) -> (Option<Module>, Fields<'_>) {
    let id = f.req_id("id", &[]);
    let title = f.req_text("title");
    let online_start = f.req_date("online_start");
    let weeks = f.req_integer("weeks", true);
    let url = web_url(&mut f, "url");
    let description = f.text("description");
    f.finish_unknown();
    let module = (|| {
        Some(Module {
            id: id?,
            title: title?,
            online_start: online_start?,
            weeks: weeks?,
            url,
            description,
            origin,
        })
    })();
    (module, f)
}

const SERIES_FIELDS: &[&str] = &["id", "title", "description"];

pub fn series(mut f: Fields<'_>, origin: Origin) -> (Option<Series>, Fields<'_>) {
    let id = f.req_id("id", &[]);
    let title = f.req_text("title");
    let description = f.text("description");
    f.finish_unknown();
    let series = (|| {
        Some(Series {
            id: id?,
            title: title?,
            description,
            origin,
        })
    })();
    (series, f)
}

const MEETUP_FIELDS: &[&str] = &[
    "id",
    "title",
    "kind",
    "module",
    "week",
    "series",
    "start",
    "end",
    "place",
    "capacity",
    "registration",
    "status",
    "organiser",
    "wanted",
    "intentions",
    "bring",
    "description",
    "report_key_sha256",
];

fn meetup_kind(f: &mut Fields<'_>) -> Option<MeetupKind> {
    let kind = f.req_code("kind", "`training` or `community`")?;
    match kind.as_str() {
        "training" => {
            if f.has("series") {
                f.problem(
                    "series",
                    "`series` is for community meetups: a training meetup names its `module` and `week`",
                );
            }
            let module = f.req_ref("module", "the id of a module declared in modules.yaml");
            let week = f.req_integer("week", true).filter(|&w| {
                let ok = w == 1 || w == 3;
                if !ok {
                    f.problem(
                        "week",
                        format!("week {w}: expected 1 or 3 (a module has a meetup after its first and its third week)"),
                    );
                }
                ok
            });
            Some(MeetupKind::Training {
                module: module?,
                week: week?,
            })
        }
        "community" => {
            for key in ["module", "week"] {
                if f.has(key) {
                    f.problem(
                        key,
                        format!("`{key}` is for training meetups: a community meetup names its `series`"),
                    );
                }
            }
            let series = f.req_ref("series", "the id of a series declared in series.yaml")?;
            Some(MeetupKind::Community { series })
        }
        other => {
            f.problem(
                "kind",
                format!("unknown kind `{other}`: expected `training` (a module's meetup) or `community` (a series' meetup)"),
            );
            None
        }
    }
}

fn status(f: &mut Fields<'_>) -> Option<MeetupStatus> {
    let status = f.req_code("status", "a status")?;
    let parsed = match status.as_str() {
        "planned" => Some(MeetupStatus::Planned),
        "open" => Some(MeetupStatus::Open),
        "full" => Some(MeetupStatus::Full),
        "cancelled" => Some(MeetupStatus::Cancelled),
        "done" => Some(MeetupStatus::Done),
        _ => None,
    };
    if parsed.is_none() {
        f.problem(
            "status",
            format!("unknown status `{status}`: expected planned, open, full, cancelled or done"),
        );
    }
    parsed
}

fn registration(f: &mut Fields<'_>) -> Option<Window> {
    let mut nested = f.nested("registration", &["opens", "closes"])?;
    let opens = nested.datetime("opens");
    let closes = nested.datetime("closes");
    if let (Some(o), Some(c)) = (opens, closes) {
        if c <= o {
            nested.problem(
                "closes",
                format!(
                    "registration closes ({}) before it opens ({}): expected `closes` after `opens`",
                    c.format("%Y-%m-%dT%H:%M"),
                    o.format("%Y-%m-%dT%H:%M")
                ),
            );
        }
    }
    nested.finish_unknown();
    f.absorb(nested);
    Some(Window { opens, closes })
}

fn wanted(f: &mut Fields<'_>) -> Vec<Role> {
    let raw = f.text_list("wanted");
    let mut roles = Vec::new();
    for (i, role) in raw.iter().enumerate() {
        match role.as_str() {
            "facilitator" => roles.push(Role::Facilitator),
            "speaker" => roles.push(Role::Speaker),
            other => f.problem(
                &format!("wanted[{i}]"),
                format!("unknown role `{other}`: expected facilitator or speaker"),
            ),
        }
    }
    roles
}

/// A key's SHA-256 as `data/` keeps it (`field`), written by the command
/// `writer`.
fn key_hash(f: &mut Fields<'_>, field: &str, writer: &str) -> Option<String> {
    let key = f.code(field, "a SHA-256 hash")?;
    let ok = key.len() == 64
        && key
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok {
        Some(key)
    } else {
        f.problem(
            field,
            format!(
                "`{key}` is not a SHA-256 hash: expected 64 lower-case hexadecimal characters (`{writer}` writes it)"
            ),
        );
        None
    }
}

pub fn meetup(mut f: Fields<'_>, origin: Origin) -> (Option<Meetup>, Fields<'_>) {
    let id = f.req_id("id", RESERVED_MEETUP_IDS);
    let title = f.req_text("title");
    let kind = meetup_kind(&mut f);
    let start = f.req_datetime("start");
    let end = f.req_datetime("end");
    let mut times_ok = true;
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            times_ok = false;
            f.problem(
                "end",
                format!(
                    "the meetup ends ({}) before it starts ({}): expected `end` after `start`",
                    e.format("%Y-%m-%dT%H:%M"),
                    s.format("%Y-%m-%dT%H:%M")
                ),
            );
        }
    }
    if let Some(s) = start {
        if s.second() != 0 {
            f.problem("start", "expected a time to the minute, without seconds");
        }
    }
    let place = f.req_ref("place", "the id of a place");
    let capacity = f.req_integer("capacity", true);
    let registration = registration(&mut f);
    let status = status(&mut f);
    let organiser = f.req_text("organiser");
    let wanted = wanted(&mut f);
    let intentions = f.text_list("intentions");
    let bring = f.text_list("bring");
    let description = f.text("description");
    let report_key_sha256 = key_hash(&mut f, "report_key_sha256", "maillage meetup new");
    f.finish_unknown();
    let meetup = (|| {
        if !times_ok {
            return None;
        }
        Some(Meetup {
            id: id?,
            title: title?,
            kind: kind?,
            start: start?,
            end: end?,
            place: place?,
            capacity: capacity?,
            registration,
            status: status?,
            organiser: organiser?,
            wanted,
            intentions,
            bring,
            description,
            report_key_sha256,
            // Known once places are read (super::zones).
            time_zone: maillage_model::zone::DEFAULT,
            origin,
        })
    })();
    (meetup, f)
}

/// The fields each kind accepts, for [`Fields::new`].
pub fn known_fields(kind: super::Kind) -> &'static [&'static str] {
    use super::Kind;
    match kind {
        Kind::Regions => REGION_FIELDS,
        Kind::Places => PLACE_FIELDS,
        Kind::Partners => PARTNER_FIELDS,
        Kind::Modules => MODULE_FIELDS,
        Kind::Series => SERIES_FIELDS,
        Kind::Meetups => MEETUP_FIELDS,
    }
}
