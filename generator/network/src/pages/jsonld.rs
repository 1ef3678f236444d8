//! schema.org `Event` data for a meetup page, as a JSON string safe to put
//! inside `<script type="application/ld+json">`.

use maillage_model::meetup::MeetupStatus;
use maillage_model::{french, zone};
use serde_json::{json, Value};

use super::network::{Network, RegistrationState};

/// The `Event` of meetup `m`.
pub(crate) fn event(net: &Network, m: usize) -> Value {
    let meetup = &net.data.meetups[m];
    let facts = &net.facts[m];
    let place = &net.data.places[net.meetup_place[m]];
    let region = &net.data.regions[net.place_region[net.meetup_place[m]]];
    let url = net.permalink(net.meetup_path(m));
    let status = if meetup.status == MeetupStatus::Cancelled {
        "https://schema.org/EventCancelled"
    } else {
        "https://schema.org/EventScheduled"
    };
    let mut description = format!(
        "{} le {}, {}, à {} ({}).",
        meetup.kind.label(),
        french::date(meetup.start.date()),
        french::time_range(meetup.start, meetup.end),
        place.name,
        place.commune
    );
    if !meetup.intentions.is_empty() {
        description.push(' ');
        description.push_str(&meetup.intentions.join(" "));
    }
    let site = net
        .config
        .title
        .clone()
        .unwrap_or_else(|| "Maillage".to_string());
    let mut event = json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": meetup.title,
        "description": description,
        "url": url,
        "startDate": zone::iso(facts.start, meetup.time_zone),
        "endDate": zone::iso(facts.end, meetup.time_zone),
        "eventStatus": status,
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "inLanguage": "fr",
        "isAccessibleForFree": true,
        "maximumAttendeeCapacity": meetup.capacity,
        "location": {
            "@type": "Place",
            "name": place.name,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": place.address,
                "postalCode": place.postcode,
                "addressLocality": place.commune,
                "addressRegion": region.name,
                "addressCountry": "FR",
            },
            "geo": {
                "@type": "GeoCoordinates",
                "latitude": super::super::map::round6(place.lat),
                "longitude": super::super::map::round6(place.lon),
            },
        },
        "organizer": {
            "@type": "Organization",
            "name": site,
            "url": net.permalink("/"),
        },
    });
    if facts.upcoming && meetup.status != MeetupStatus::Cancelled {
        let availability = match facts.state {
            RegistrationState::Open => "https://schema.org/InStock",
            RegistrationState::WaitingList => "https://schema.org/LimitedAvailability",
            RegistrationState::NotYetOpen => "https://schema.org/PreOrder",
            _ => "https://schema.org/SoldOut",
        };
        let mut offer = json!({
            "@type": "Offer",
            "price": 0,
            "priceCurrency": "EUR",
            "availability": availability,
            "url": url,
        });
        if let Some(opens) = facts.opens {
            offer["validFrom"] = Value::String(zone::iso(opens, meetup.time_zone));
        }
        event["offers"] = offer;
        event["remainingAttendeeCapacity"] = Value::from(facts.seats_left);
    }
    event
}

/// Serialises for a `<script>` element: `<`, `>` and `&` are escaped as
/// JSON `\u` sequences so the text can never close the element.
pub(crate) fn to_script_text(value: &Value) -> String {
    const ESCAPED: [char; 3] = ['<', '>', '&'];
    let text = serde_json::to_string(value).expect("JSON values serialise");
    // Copied by runs between the characters to escape (most texts have
    // none), not character by character.
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text.as_str();
    while let Some(at) = rest.find(ESCAPED) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            _ => "\\u0026",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_text_cannot_close_the_element() {
        let value = json!({"name": "</script><b>&", "plain": "é"});
        let text = to_script_text(&value);
        assert_eq!(
            text,
            r#"{"name":"\u003c/script\u003e\u003cb\u003e\u0026","plain":"é"}"#
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
