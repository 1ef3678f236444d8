//! French administrative geography the validation needs: which territory a
//! region covers (a bounding box, the first check of a place's coordinates;
//! `outlines` then checks the point against its department's outline) and
//! which region each department belongs to.

/// A latitude/longitude rectangle.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub name: &'static str,
    pub lat: (f64, f64),
    pub lon: (f64, f64),
}

impl Bounds {
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.lat.0..=self.lat.1).contains(&lat) && (self.lon.0..=self.lon.1).contains(&lon)
    }
}

/// Metropolitan France with Corsica and the coastal islands.
pub const METROPOLITAN: Bounds = Bounds {
    name: "la France métropolitaine",
    lat: (41.30, 51.15),
    lon: (-5.25, 9.80),
};

/// The overseas regions, keyed by INSEE region code.
pub const OVERSEAS: [(&str, Bounds); 5] = [
    (
        "01",
        Bounds {
            name: "la Guadeloupe",
            lat: (15.80, 16.55),
            lon: (-61.85, -60.95),
        },
    ),
    (
        "02",
        Bounds {
            name: "la Martinique",
            lat: (14.35, 14.90),
            lon: (-61.25, -60.80),
        },
    ),
    (
        "03",
        Bounds {
            name: "la Guyane",
            lat: (2.10, 5.80),
            lon: (-54.65, -51.60),
        },
    ),
    (
        "04",
        Bounds {
            name: "La Réunion",
            lat: (-21.40, -20.85),
            lon: (55.20, 55.85),
        },
    ),
    (
        "06",
        Bounds {
            name: "Mayotte",
            lat: (-13.05, -12.60),
            lon: (44.95, 45.35),
        },
    ),
];

/// The territory a region's places must lie in.
pub fn bounds_of_region(code: &str) -> Bounds {
    OVERSEAS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(METROPOLITAN, |(_, b)| *b)
}

/// Whether the point is anywhere in France.
pub fn in_france(lat: f64, lon: f64) -> bool {
    METROPOLITAN.contains(lat, lon) || OVERSEAS.iter().any(|(_, b)| b.contains(lat, lon))
}

/// Departments of each region (2016 regions).
const DEPARTMENTS: [(&str, &[&str]); 18] = [
    (
        "84",
        &[
            "01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74",
        ],
    ),
    ("27", &["21", "25", "39", "58", "70", "71", "89", "90"]),
    ("53", &["22", "29", "35", "56"]),
    ("24", &["18", "28", "36", "37", "41", "45"]),
    ("94", &["2A", "2B"]),
    (
        "44",
        &["08", "10", "51", "52", "54", "55", "57", "67", "68", "88"],
    ),
    ("32", &["02", "59", "60", "62", "80"]),
    ("11", &["75", "77", "78", "91", "92", "93", "94", "95"]),
    ("28", &["14", "27", "50", "61", "76"]),
    (
        "75",
        &[
            "16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87",
        ],
    ),
    (
        "76",
        &[
            "09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82",
        ],
    ),
    ("52", &["44", "49", "53", "72", "85"]),
    ("93", &["04", "05", "06", "13", "83", "84"]),
    ("01", &["971"]),
    ("02", &["972"]),
    ("03", &["973"]),
    ("04", &["974"]),
    ("06", &["976"]),
];

/// Every department's INSEE code.
pub fn department_codes() -> impl Iterator<Item = &'static str> {
    DEPARTMENTS
        .iter()
        .flat_map(|(_, deps)| deps.iter().copied())
}

/// The region a department belongs to, if the department exists.
pub fn region_of_department(department: &str) -> Option<&'static str> {
    DEPARTMENTS
        .iter()
        .find(|(_, deps)| deps.contains(&department))
        .map(|(region, _)| *region)
}

/// The department an INSEE commune code belongs to (`29019` → `29`,
/// `2A004` → `2A`, `97411` → `974`).
pub fn department_of_insee(insee: &str) -> &str {
    if insee.starts_with("97") && insee.len() >= 3 {
        &insee[..3]
    } else {
        &insee[..2.min(insee.len())]
    }
}

/// Whether `insee` looks like a commune code: five characters, digits except
/// Corsica's `2A`/`2B`.
pub fn is_insee_code(insee: &str) -> bool {
    let bytes = insee.as_bytes();
    bytes.len() == 5
        && (bytes[..2].iter().all(u8::is_ascii_digit)
            || insee.starts_with("2A")
            || insee.starts_with("2B"))
        && bytes[2..].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metropolitan_department_has_one_region() {
        let count: usize = DEPARTMENTS.iter().map(|(_, d)| d.len()).sum();
        assert_eq!(count, 96 + 5);
        assert_eq!(region_of_department("29"), Some("53"));
        assert_eq!(region_of_department("2B"), Some("94"));
        assert_eq!(region_of_department("974"), Some("04"));
        assert_eq!(region_of_department("20"), None);
    }

    #[test]
    fn insee_codes_name_their_department() {
        assert_eq!(department_of_insee("29019"), "29");
        assert_eq!(department_of_insee("2A004"), "2A");
        assert_eq!(department_of_insee("97411"), "974");
        assert!(is_insee_code("2B033"));
        assert!(!is_insee_code("2C033"));
        assert!(!is_insee_code("2901"));
    }

    #[test]
    fn bounds_cover_the_territories() {
        assert!(in_france(48.3842, -4.4990)); // Brest
        assert!(in_france(41.9192, 8.7386)); // Ajaccio
        assert!(in_france(-20.8789, 55.4481)); // Saint-Denis de La Réunion
        assert!(in_france(4.9372, -52.3260)); // Cayenne
        assert!(!in_france(-4.4990, 48.3842)); // swapped
        assert!(!in_france(51.5074, -0.1278)); // London
        assert!(bounds_of_region("04").contains(-21.0, 55.5));
        assert!(!bounds_of_region("53").contains(-21.0, 55.5));
    }
}
