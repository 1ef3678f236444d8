#!/usr/bin/env python3
"""After one registration, how long until `maillage serve` shows it.

    python3 tests/bench/serve_after_registration.py MAILLAGE_BIN SITE [RUNS]

Starts `maillage serve` on SITE (the clock pinned to the project's "today",
the embedded store in a temporary folder), then, RUNS times, registers one
person for a meetup open for registration (JSON over HTTP on loopback, as
the site's form script does) and polls the meetup's page every millisecond
until it changes: the time from the function's answer to the rewritten
page being served. Also reports what the server logs for each change
("re-rendered N files in X ms"), and waits for that line before the next
run (the meetup's page is served before the lists that show it). Each run
uses another meetup.
"""

import json
import os
import re
import shutil
import statistics
import sys
import time

from serve_support import (WHOLE_SITE_RENDERED, connect_when_served, get, start_serve,
                           wait_for_line)


def main():
    binary, site = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    server, port, log_path = start_serve(binary, site)
    try:
        conn = connect_when_served(port, "/carte/rencontres.geojson", log_path)
        # Registrations are measured once the first render is over (serve
        # answers while it renders, and applies changes after it).
        wait_for_line(log_path, WHOLE_SITE_RENDERED)
        features = json.loads(get(conn, "/carte/rencontres.geojson")[1])["features"]
        open_meetups = [f["properties"] for f in features
                        if f["properties"]["registration_state"] == "open"]
        times = []
        for run in range(runs):
            meetup = open_meetups[run * 7 % len(open_meetups)]
            page = meetup["url"]
            before = get(conn, page)[1]
            body = json.dumps({"meetup": meetup["id"], "name": f"Mesure {run}",
                               "email": f"mesure{run}@example.org", "role": "participant",
                               "consent": True})
            conn.request("POST", "/api/registrations", body,
                         {"Content-Type": "application/json", "Accept": "application/json"})
            r = conn.getresponse()
            r.read()
            answered = time.perf_counter()
            if r.status not in (200, 201):
                sys.exit(f"the registration was refused: HTTP {r.status}")
            while True:
                if get(conn, page)[1] != before:
                    break
                if time.perf_counter() - answered > 30:
                    sys.exit(f"{page} did not change within 30 s")
                time.sleep(0.001)
            ms = (time.perf_counter() - answered) * 1000
            times.append(ms)
            print(f"run {run + 1}: {page} rewritten {ms:.0f} ms after the answer", file=sys.stderr)
            # The meetup's page is served before the lists that show it:
            # the next registration waits for this one's re-render to end,
            # or it would wait behind it.
            while len(re.findall(r"Store change .*? in \d+ ms", open(log_path).read())) <= run:
                if time.perf_counter() - answered > 30:
                    sys.exit("the re-render did not end within 30 s")
                time.sleep(0.005)
    finally:
        server.terminate()
        server.wait()
    logged = [int(m) for m in re.findall(r"Store change .*? in (\d+) ms", open(log_path).read())]
    shutil.rmtree(os.path.dirname(log_path), ignore_errors=True)
    print(f"\nserve, national site: one registration, then the meetup page polled; {runs} runs\n")
    print("| measure | median | min | max |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| answer to page rewritten (ms) | {statistics.median(times):.0f} | {min(times):.0f} | {max(times):.0f} |")
    if logged:
        print(f"| re-render logged by serve (ms) | {statistics.median(logged):.0f} | {min(logged):.0f} | {max(logged):.0f} |")
    print(f"\ntarget: median within 100 ms: {'met' if statistics.median(times) <= 100 else 'not met'}")


if __name__ == "__main__":
    main()
