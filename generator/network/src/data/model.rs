//! The network's data as the rest of the generator sees it: regions, places,
//! partners, training modules, community series and meetups, each with the
//! place in its source file it came from (for error messages).
//!
//! Field names follow `data/README.md`, the authoritative description.

use chrono::NaiveDate;
use chrono::NaiveDateTime;
use maillage_model::meetup::{MeetupStatus, Role};
use maillage_model::zone::{self, Tz};
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};

/// Where an entry was read: which file of the [`DataSet`](super::DataSet)
/// and which entry of that file's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub file: u32,
    pub entry: u32,
}

/// A public contact (coordination, place, partner).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    /// INSEE region code, two characters.
    pub code: String,
    pub name: String,
    /// URL segment under `/regions/`.
    pub slug: String,
    pub coordinator: Contact,
    /// Markdown.
    pub description: Option<String>,
    /// Where its places' times are read, when it says ([`default_zone`]
    /// otherwise).
    pub time_zone: Option<Tz>,
    /// Lower-case hex SHA-256 of the coordinator's key (the key opens the
    /// region's coordinator's page); never published.
    pub coordinator_key_sha256: Option<String>,
    pub origin: Origin,
}

/// The kinds of place the map distinguishes (`data/README.md`, "Place types").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PlaceType {
    Epn,
    Fablab,
    ClubNumerique,
    Bibliotheque,
    Mediatheque,
    Mjc,
    CentreSocial,
    MaisonDeQuartier,
    Ecole,
    College,
    Lycee,
    Cafe,
    TiersLieu,
    Structure,
}

impl PlaceType {
    pub const ALL: [PlaceType; 14] = [
        PlaceType::Epn,
        PlaceType::Fablab,
        PlaceType::ClubNumerique,
        PlaceType::Bibliotheque,
        PlaceType::Mediatheque,
        PlaceType::Mjc,
        PlaceType::CentreSocial,
        PlaceType::MaisonDeQuartier,
        PlaceType::Ecole,
        PlaceType::College,
        PlaceType::Lycee,
        PlaceType::Cafe,
        PlaceType::TiersLieu,
        PlaceType::Structure,
    ];

    /// The code written in `data/` and used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            PlaceType::Epn => "epn",
            PlaceType::Fablab => "fablab",
            PlaceType::ClubNumerique => "club_numerique",
            PlaceType::Bibliotheque => "bibliotheque",
            PlaceType::Mediatheque => "mediatheque",
            PlaceType::Mjc => "mjc",
            PlaceType::CentreSocial => "centre_social",
            PlaceType::MaisonDeQuartier => "maison_de_quartier",
            PlaceType::Ecole => "ecole",
            PlaceType::College => "college",
            PlaceType::Lycee => "lycee",
            PlaceType::Cafe => "cafe",
            PlaceType::TiersLieu => "tiers_lieu",
            PlaceType::Structure => "structure",
        }
    }

    /// How the site names the type (singular).
    pub fn label(self) -> &'static str {
        match self {
            PlaceType::Epn => "Espace public numérique",
            PlaceType::Fablab => "Fablab",
            PlaceType::ClubNumerique => "Club numérique",
            PlaceType::Bibliotheque => "Bibliothèque",
            PlaceType::Mediatheque => "Médiathèque",
            PlaceType::Mjc => "Maison des jeunes et de la culture",
            PlaceType::CentreSocial => "Centre social",
            PlaceType::MaisonDeQuartier => "Maison de quartier",
            PlaceType::Ecole => "École",
            PlaceType::College => "Collège",
            PlaceType::Lycee => "Lycée",
            PlaceType::Cafe => "Café et lieu public",
            PlaceType::TiersLieu => "Tiers-lieu",
            PlaceType::Structure => "Locaux d'une structure",
        }
    }

    pub fn from_code(code: &str) -> Option<PlaceType> {
        PlaceType::ALL.into_iter().find(|t| t.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub id: String,
    pub name: String,
    pub kind: PlaceType,
    pub address: String,
    pub postcode: String,
    pub commune: String,
    pub insee: String,
    pub department: String,
    pub region: String,
    #[serde(with = "exact_f64")]
    pub lat: f64,
    #[serde(with = "exact_f64")]
    pub lon: f64,
    pub offers: Vec<String>,
    pub room_capacity: Option<u32>,
    pub contact: Option<Contact>,
    /// Markdown.
    pub accessibility: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    pub structure: Option<String>,
    /// Its own time zone, when it differs from its region's.
    pub time_zone: Option<Tz>,
    pub origin: Origin,
}

/// What the entry says, without where it was read (`origin`): a page
/// made from it is the same when lines are added above it. Every field is
/// named, so that a new one must be hashed or said not to be.
impl Hash for Place {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let Place {
            id,
            name,
            kind,
            address,
            postcode,
            commune,
            insee,
            department,
            region,
            lat,
            lon,
            offers,
            room_capacity,
            contact,
            accessibility,
            description,
            structure,
            time_zone,
            origin: _,
        } = self;
        (
            id, name, kind, address, postcode, commune, insee, department,
        )
            .hash(h);
        (region, lat.to_bits(), lon.to_bits(), offers, room_capacity).hash(h);
        (contact, accessibility, description, structure, time_zone).hash(h);
    }
}

impl Place {
    /// Name and full address on one line, as calendars and emails give it.
    pub fn location(&self) -> String {
        format!(
            "{}, {}, {} {}",
            self.name, self.address, self.postcode, self.commune
        )
    }
}

/// Kinds of partner (`data/README.md`, "Partners").
pub const PARTNER_TYPES: [(&str, &str); 6] = [
    ("service_municipal", "Service municipal"),
    ("association", "Association"),
    ("collectivite", "Collectivité"),
    ("maison_des_associations", "Maison des associations"),
    ("reseau", "Réseau"),
    ("entreprise", "Entreprise"),
];

/// What a partner can offer a meetup or a club (`provides`), with how the
/// site names it: a closed list, so that visitors can look partners up by it.
pub const PARTNER_OFFERS: [(&str, &str); 6] = [
    ("salle", "Une salle"),
    ("materiel", "Du matériel"),
    ("public", "Un public à mobiliser"),
    ("competences", "Des compétences"),
    ("financement", "Un financement"),
    ("communication", "De la communication"),
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partner {
    pub id: String,
    pub name: String,
    /// One of [`PARTNER_TYPES`].
    pub kind: String,
    pub commune: Option<String>,
    pub insee: Option<String>,
    pub department: Option<String>,
    pub region: String,
    pub brings: Vec<String>,
    /// Codes of [`PARTNER_OFFERS`], in the data's order.
    pub provides: Vec<String>,
    pub contact: Option<Contact>,
    pub description: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Module {
    pub id: String,
    pub title: String,
    /// Monday the first week opens online.
    pub online_start: NaiveDate,
    pub weeks: u32,
    pub url: Option<String>,
    pub description: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub origin: Origin,
}

/// What a meetup belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MeetupKind {
    /// A training meetup after week `week` (1 or 3) of a module.
    Training { module: String, week: u32 },
    /// A meetup of a community series.
    Community { series: String },
}

impl MeetupKind {
    pub fn code(&self) -> &'static str {
        match self {
            MeetupKind::Training { .. } => "training",
            MeetupKind::Community { .. } => "community",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            MeetupKind::Training { .. } => "Rencontre de formation",
            MeetupKind::Community { .. } => "Rencontre de communauté",
        }
    }
}

/// The registration window, in the meetup's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Window {
    pub opens: Option<NaiveDateTime>,
    pub closes: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meetup {
    pub id: String,
    pub title: String,
    pub kind: MeetupKind,
    /// Local time where the meetup takes place ([`Meetup::time_zone`]).
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub place: String,
    pub capacity: u32,
    /// `None` when the entry has no `registration` block.
    pub registration: Option<Window>,
    pub status: MeetupStatus,
    pub organiser: String,
    pub wanted: Vec<Role>,
    pub intentions: Vec<String>,
    pub bring: Vec<String>,
    pub description: Option<String>,
    pub report_key_sha256: Option<String>,
    /// Its place's zone, else its region's (set once every entry is read).
    pub time_zone: Tz,
    pub origin: Origin,
}

/// What the entry says, without where it was read (see [`Place`]'s).
impl Hash for Meetup {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let Meetup {
            id,
            title,
            kind,
            start,
            end,
            place,
            capacity,
            registration,
            status,
            organiser,
            wanted,
            intentions,
            bring,
            description,
            report_key_sha256,
            time_zone,
            origin: _,
        } = self;
        (id, title, kind, start, end, place, capacity, registration).hash(h);
        (status, organiser, wanted, intentions, bring, description).hash(h);
        (report_key_sha256, time_zone).hash(h);
    }
}

/// The region codes INSEE defines, with their names.
pub const REGION_CODES: [(&str, &str); 18] = [
    ("84", "Auvergne-Rhône-Alpes"),
    ("27", "Bourgogne-Franche-Comté"),
    ("53", "Bretagne"),
    ("24", "Centre-Val de Loire"),
    ("94", "Corse"),
    ("44", "Grand Est"),
    ("32", "Hauts-de-France"),
    ("11", "Île-de-France"),
    ("28", "Normandie"),
    ("75", "Nouvelle-Aquitaine"),
    ("76", "Occitanie"),
    ("52", "Pays de la Loire"),
    ("93", "Provence-Alpes-Côte d'Azur"),
    ("01", "Guadeloupe"),
    ("02", "Martinique"),
    ("03", "Guyane"),
    ("04", "La Réunion"),
    ("06", "Mayotte"),
];

/// The time zone of a region that does not name one: its territory's.
pub fn default_zone(region_code: &str) -> Tz {
    let name = match region_code {
        "01" => "America/Guadeloupe",
        "02" => "America/Martinique",
        "03" => "America/Cayenne",
        "04" => "Indian/Reunion",
        "06" => "Indian/Mayotte",
        _ => return zone::DEFAULT,
    };
    zone::parse(name).unwrap_or(zone::DEFAULT)
}

/// A coordinate kept by its bits where entries are saved (`.maillage/`):
/// read back exactly, whatever the text format's float parsing.
mod exact_f64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(value.to_bits())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        u64::deserialize(d).map(f64::from_bits)
    }
}
