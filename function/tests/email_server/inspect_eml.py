"""Reads an .eml file and prints what the email tests assert, as JSON:
headers, the decoded text, and each attachment (an .ics one parsed with
icalendar, which raises on an invalid file)."""

import json
import sys
from email import policy
from email.parser import BytesParser

import icalendar


def main():
    with open(sys.argv[1], "rb") as f:
        message = BytesParser(policy=policy.default).parse(f)
    out = {
        "headers": {k: str(message[k]) for k in ("From", "To", "Subject", "Date", "Message-ID", "Reply-To") if message[k]},
        "text": "",
        "attachments": [],
        "raw": open(sys.argv[1], "rb").read().decode("utf-8", "replace"),
    }
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment":
            data = part.get_payload(decode=True)
            item = {"filename": part.get_filename(), "content_type": part.get_content_type(), "text": data.decode("utf-8")}
            if part.get_content_type() == "text/calendar":
                calendar = icalendar.Calendar.from_ical(data)
                events = [c for c in calendar.walk("VEVENT")]
                item["events"] = [
                    {
                        "uid": str(e["UID"]),
                        "summary": str(e["SUMMARY"]),
                        "location": str(e["LOCATION"]),
                        "url": str(e["URL"]),
                        "status": str(e["STATUS"]),
                        "sequence": int(e["SEQUENCE"]),
                        "start": e.decoded("DTSTART").isoformat(),
                        "end": e.decoded("DTEND").isoformat(),
                    }
                    for e in events
                ]
                item["version"] = str(calendar["VERSION"])
            out["attachments"].append(item)
        elif part.get_content_type() == "text/plain":
            out["text"] += part.get_content()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
