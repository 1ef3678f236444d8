#!/usr/bin/env python3
"""Writes the data of a national meetup network, deterministically.

The default size is the national plan of four years: 13 regions, about 1,300
places spread by population, 20,800 meetups (training meetups after weeks 1
and 3 of each module, plus community series), and public aggregates for the
meetups already past (seats taken and a report each). Registrations
themselves are personal data: they are loaded into a store through the
store's API by the benchmark harness, not written here.

    python3 tests/bench/make_national.py --out target/national
    python3 tests/bench/make_national.py --out /tmp/small --places 130 --meetups 2080

The output folder gets `data/` only; the benchmark assembles a site from it
with the repository's config, content and theme. Same arguments, same bytes.
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import random

# INSEE region code, name, population in millions, departments as
# (code, main town, latitude, longitude) of a point well inside the department.
REGIONS = [
    ("84", "Auvergne-Rhône-Alpes", 8.1, [("69", "Lyon", 45.76, 4.84), ("38", "Grenoble", 45.19, 5.72), ("63", "Clermont-Ferrand", 45.78, 3.09), ("42", "Saint-Étienne", 45.44, 4.39)]),
    ("27", "Bourgogne-Franche-Comté", 2.8, [("21", "Dijon", 47.32, 5.04), ("25", "Besançon", 47.24, 6.02), ("71", "Mâcon", 46.31, 4.83)]),
    ("53", "Bretagne", 3.4, [("35", "Rennes", 48.11, -1.68), ("29", "Brest", 48.39, -4.49), ("56", "Vannes", 47.66, -2.76), ("22", "Saint-Brieuc", 48.51, -2.76)]),
    ("24", "Centre-Val de Loire", 2.6, [("45", "Orléans", 47.90, 1.90), ("37", "Tours", 47.39, 0.69), ("18", "Bourges", 47.08, 2.40)]),
    ("94", "Corse", 0.35, [("2A", "Ajaccio", 41.93, 8.74), ("2B", "Bastia", 42.70, 9.45)]),
    ("44", "Grand Est", 5.6, [("67", "Strasbourg", 48.58, 7.75), ("54", "Nancy", 48.69, 6.18), ("51", "Reims", 49.26, 4.03), ("57", "Metz", 49.12, 6.18)]),
    ("32", "Hauts-de-France", 6.0, [("59", "Lille", 50.63, 3.06), ("80", "Amiens", 49.89, 2.30), ("62", "Arras", 50.29, 2.78), ("60", "Beauvais", 49.43, 2.08)]),
    ("11", "Île-de-France", 12.3, [("75", "Paris", 48.86, 2.35), ("93", "Saint-Denis", 48.94, 2.36), ("92", "Nanterre", 48.89, 2.21), ("94", "Créteil", 48.79, 2.46)]),
    ("28", "Normandie", 3.3, [("76", "Rouen", 49.44, 1.10), ("14", "Caen", 49.18, -0.37), ("50", "Saint-Lô", 49.12, -1.09)]),
    ("75", "Nouvelle-Aquitaine", 6.1, [("33", "Bordeaux", 44.84, -0.58), ("87", "Limoges", 45.83, 1.26), ("86", "Poitiers", 46.58, 0.34), ("64", "Pau", 43.30, -0.37)]),
    ("76", "Occitanie", 6.1, [("31", "Toulouse", 43.60, 1.44), ("34", "Montpellier", 43.61, 3.88), ("30", "Nîmes", 43.84, 4.36), ("66", "Perpignan", 42.70, 2.90)]),
    ("52", "Pays de la Loire", 3.9, [("44", "Nantes", 47.22, -1.55), ("49", "Angers", 47.47, -0.55), ("72", "Le Mans", 48.00, 0.20)]),
    ("93", "Provence-Alpes-Côte d'Azur", 5.1, [("13", "Marseille", 43.30, 5.37), ("06", "Nice", 43.70, 7.27), ("84", "Avignon", 43.95, 4.81), ("83", "Toulon", 43.12, 5.93)]),
]

PLACE_TYPES = [
    ("epn", "Espace numérique"), ("fablab", "Fablab"), ("club_numerique", "Club numérique"),
    ("bibliotheque", "Bibliothèque"), ("mediatheque", "Médiathèque"), ("mjc", "MJC"),
    ("centre_social", "Centre social"), ("maison_de_quartier", "Maison de quartier"),
    ("ecole", "École"), ("college", "Collège"), ("lycee", "Lycée"), ("cafe", "Café"),
    ("tiers_lieu", "Tiers-lieu"), ("structure", "Locaux associatifs"),
]
NAMES = ["des Tilleuls", "du Port", "Jean-Macé", "des Capucins", "du Centre", "Louise-Michel",
         "des Lilas", "de la Gare", "Marie-Curie", "du Moulin", "des Sources", "Victor-Hugo",
         "du Parc", "Olympe-de-Gouges", "des Remparts", "de la Plaine", "George-Sand", "du Lac"]
FIRST_NAMES = ["Camille", "Dominique", "Claude", "Sacha", "Alix", "Morgane", "Yanis", "Inès",
               "Lucie", "Nour", "Mathis", "Élise", "Karim", "Jeanne", "Malo", "Aïcha"]
STREETS = ["rue de la République", "place de la Mairie", "avenue Jean-Jaurès", "rue Pasteur",
           "boulevard Gambetta", "rue des Écoles", "allée des Peupliers", "quai de la Loire"]


# The outlines the build checks places against.
OUTLINES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                        "generator", "network", "src", "data", "outlines", "departements.geojson")


def department_outlines():
    with open(OUTLINES, encoding="utf-8") as f:
        collection = json.load(f)
    outlines = {}
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        outlines[feature["properties"]["code"]] = [polygons] if geometry["type"] == "Polygon" else polygons
    return outlines


def inside(polygons, lat, lon):
    """Even-odd rule over each polygon's rings."""
    for rings in polygons:
        crossings = 0
        for ring in rings:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
                if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                    crossings += 1
        if crossings % 2:
            return True
    return False


def point_in(polygons, lat, lon, rng):
    """A point around the main town and inside its department: the spread
    halves until the point falls inside; the town itself in the end."""
    spread = 1.0
    for _ in range(8):
        point = (round(lat + rng.uniform(-0.25, 0.25) * spread, 5),
                 round(lon + rng.uniform(-0.35, 0.35) * spread, 5))
        if inside(polygons, *point):
            return point
        spread /= 2
    return lat, lon


def slug(text):
    table = str.maketrans("àâäéèêëîïôöùûüçÉÎ'’ ", "aaaeeeeiioouuucei---")
    out = text.lower().translate(table)
    return "-".join(part for part in "".join(c if c.isalnum() or c == "-" else "-" for c in out).split("-") if part)


def q(text):
    """A YAML double-quoted scalar."""
    return json.dumps(text, ensure_ascii=False)


def monday(day):
    return day - dt.timedelta(days=day.weekday())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder that receives data/")
    parser.add_argument("--places", type=int, default=1300)
    parser.add_argument("--meetups", type=int, default=20800)
    parser.add_argument("--registrations", type=int, default=300000,
                        help="registrations the aggregates of past meetups account for")
    parser.add_argument("--today", default="2026-11-22")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    today = dt.date.fromisoformat(args.today)
    data = os.path.join(args.out, "data")
    for sub in ("places", "meetups", "live"):
        os.makedirs(os.path.join(data, sub), exist_ok=True)

    with open(os.path.join(data, "regions.yaml"), "w", encoding="utf-8") as f:
        for code, name, _, _ in REGIONS:
            s = slug(name)
            f.write(f"- code: {q(code)}\n  name: {q(name)}\n  coordinator:\n"
                    f"    name: {q('Coordination ' + name)}\n    email: {s}@reseau.example.org\n")

    # Places, by population share; communes are synthetic but consistent
    # (INSEE code inside the department, coordinates around its main town).
    total_pop = sum(r[2] for r in REGIONS)
    outlines = department_outlines()
    places_by_region = {}
    counter = 0
    with_type = 0
    for code, name, pop, departments in REGIONS:
        count = max(2, round(args.places * pop / total_pop))
        rows = []
        for i in range(count):
            dep, town, lat, lon = departments[i % len(departments)]
            ptype, label = PLACE_TYPES[with_type % len(PLACE_TYPES)]
            with_type += 1
            counter += 1
            commune_no = 1 + (i // len(departments)) % 400
            commune = f"{town}" if commune_no == 1 else f"{town}-{commune_no}"
            insee = f"{dep}{commune_no:03d}"
            pid = f"{slug(label)}-{slug(commune)}-{counter}"
            rows.append({
                "id": pid, "name": f"{label} {NAMES[counter % len(NAMES)]}", "type": ptype,
                "address": f"{1 + counter % 90} {STREETS[counter % len(STREETS)]}",
                "postcode": (dep.replace("2A", "20").replace("2B", "20") + "000")[:5],
                "commune": commune, "insee": insee, "department": dep, "region": code,
                **dict(zip(("lat", "lon"), point_in(outlines[dep], lat, lon, rng))),
            })
        places_by_region[code] = rows
        with open(os.path.join(data, "places", f"{slug(name)}.yaml"), "w", encoding="utf-8") as f:
            for p in rows:
                f.write(f"- id: {p['id']}\n  name: {q(p['name'])}\n  type: {p['type']}\n"
                        f"  address: {q(p['address'])}\n  postcode: {q(p['postcode'])}\n"
                        f"  commune: {q(p['commune'])}\n  insee: {q(p['insee'])}\n"
                        f"  department: {q(p['department'])}\n  region: {q(p['region'])}\n"
                        f"  lat: {p['lat']}\n  lon: {p['lon']}\n"
                        f"  offers: [une salle, le wifi]\n"
                        f"  contact: {{ email: accueil{counter % 97}@lieux.example.org }}\n")
    all_places = [p for code, _, _, _ in REGIONS for p in places_by_region[code]]

    # Four school years of modules, from September 2025: a module starts every
    # five weeks; each lasts six weeks and has meetups in weeks 1 and 3.
    first_monday = monday(dt.date(2025, 9, 8))
    modules = []
    for n in range(32):
        year, rank = divmod(n, 8)
        start = first_monday + dt.timedelta(weeks=52 * year + 5 * rank)
        modules.append((f"module-{n + 1:02d}", f"Module {rank + 1} de l'année {2025 + year}-{2026 + year}", start))
    with open(os.path.join(data, "modules.yaml"), "w", encoding="utf-8") as f:
        for mid, title, start in modules:
            f.write(f"- id: {mid}\n  title: {q(title)}\n  online_start: {start.isoformat()}\n  weeks: 6\n")
    series = [(f"club-{slug(name)}", f"Club de code, {name}") for _, name, _, _ in REGIONS]
    with open(os.path.join(data, "series.yaml"), "w", encoding="utf-8") as f:
        for sid, title in series:
            f.write(f"- id: {sid}\n  title: {q(title)}\n")
    with open(os.path.join(data, "partners.yaml"), "w", encoding="utf-8") as f:
        for code, name, _, departments in REGIONS:
            dep, town, _, _ = departments[0]
            f.write(f"- id: jeunesse-{slug(town)}\n  name: {q('Service jeunesse de ' + town)}\n"
                    f"  type: service_municipal\n  commune: {q(town)}\n  insee: {q(dep + '001')}\n"
                    f"  department: {q(dep)}\n  region: {q(code)}\n  brings: [relais auprès des jeunes]\n")

    # Meetups: nine in ten are training meetups (a place, a module, weeks 1
    # and 3), the rest community meetups of the region's series.
    live = {}
    per_region = {code: [] for code, _, _, _ in REGIONS}
    community_every = 10
    past_ids = []
    for n in range(args.meetups):
        place = all_places[(n // 2) % len(all_places)]
        region_index = [r[0] for r in REGIONS].index(place["region"])
        if n % community_every == community_every - 1:
            kind = "community"
            day = first_monday + dt.timedelta(days=(n * 7) % (4 * 365))
            extra = f"  series: {series[region_index][0]}\n"
            title = f"Club de code à {place['commune']}"
        else:
            kind = "training"
            module = modules[(n // 2 // len(all_places) * 5 + n // 2) % len(modules)]
            week = 1 if n % 2 == 0 else 3
            day = module[2] + dt.timedelta(weeks=week - 1, days=1 + n % 4)
            extra = f"  module: {module[0]}\n  week: {week}\n"
            title = f"Rencontre de la semaine {week}, {place['commune']}"
        hour = 17 + n % 3
        start = dt.datetime.combine(day, dt.time(hour, 30))
        end = start + dt.timedelta(hours=2)
        opens = start - dt.timedelta(days=30)
        mid = f"r{n + 1:05d}-{slug(place['commune'])}"
        capacity = 15 + n % 16
        past = day < today
        status = "done" if past else ("open" if opens.date() <= today else "planned")
        key = hashlib.sha256(f"bench-{mid}".encode()).hexdigest()
        per_region[place["region"]].append(
            f"- id: {mid}\n  title: {q(title)}\n  kind: {kind}\n{extra}"
            f"  start: {start:%Y-%m-%dT%H:%M}\n  end: {end:%Y-%m-%dT%H:%M}\n"
            f"  place: {place['id']}\n  capacity: {capacity}\n"
            f"  registration:\n    opens: {opens:%Y-%m-%dT%H:%M}\n    closes: {start:%Y-%m-%dT%H:%M}\n"
            f"  status: {status}\n  organiser: {FIRST_NAMES[n % len(FIRST_NAMES)]}\n"
            f"  intentions: [Faire le point sur la semaine, S'entraider sur les exercices]\n"
            f"  report_key_sha256: {key}\n")
        if past:
            past_ids.append((mid, capacity, start))
    per_meetup = max(1, args.registrations // max(1, args.meetups))
    for mid, capacity, start in past_ids:
        confirmed = min(capacity, per_meetup + rng.randint(-3, 3))
        live[mid] = {
            "confirmed": confirmed, "waiting": 0,
            "report": {
                "submitted_at": (start + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "attendance": max(1, confirmed - rng.randint(0, 4)),
                "outcome": "Les intentions ont été tenues : chacun a pu avancer sur les exercices.",
                "went_well": "L'entraide entre participants, **très** active.",
                "improvements": "Prévoir une rallonge électrique et commencer par un tour de table plus court.",
                "links": [{"label": "Notes partagées", "url": f"https://pad.example.org/p/{mid}"}],
            },
        }
    for code, name, _, _ in REGIONS:
        with open(os.path.join(data, "meetups", f"{slug(name)}.yaml"), "w", encoding="utf-8") as f:
            f.write("".join(per_region[code]))
    with open(os.path.join(data, "live", "aggregates.json"), "w", encoding="utf-8") as f:
        json.dump({"generated_at": f"{today.isoformat()}T06:00:00Z", "meetups": live}, f,
                  ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    print(f"{len(all_places)} places, {args.meetups} meetups ({len(past_ids)} past, with reports), "
          f"{len(modules)} modules, {len(series)} series in {data}")


if __name__ == "__main__":
    main()
