#!/usr/bin/env python3
"""`maillage serve` on a large site: its start, then edits until they show.

    python3 tests/bench/serve_edits.py MAILLAGE_BIN SITE [RUNS]

Starts `maillage serve` on SITE (the clock pinned to the project's "today",
the embedded store in a temporary folder) and measures the time from the
start to the first page served (cold start), and to the whole site
rendered in memory (serve's "Built N files in memory" line). Then, RUNS
times each, edits a source and polls the page that shows it every
millisecond until it changes: the title of a meetup in `data/meetups/`
(the file's first, held before "today", then its first to come; the page
of each), a content page (`content/faq.md`, its page), and the meetup
template (`themes/*/templates/meetup.html`, a meetup page). Reports the
time from the file's write to the changed page being served, and what the
server logs for each change (a render stopped by a newer change
included). Every file edited is restored afterwards, and the temporary
folder removed.
"""

import glob
import os
import re
import shutil
import statistics
import sys
import time

from serve_support import (NOW, WHOLE_SITE_RENDERED, connect_when_served, get, start_serve,
                           wait_for_line)


def wait_for(conn, page, marker, since, limit=60):
    """Polls `page` until it holds `marker`; the time since `since` in ms."""
    while True:
        status, body = get(conn, page)
        if status == 200 and marker.encode() in body:
            return (time.perf_counter() - since) * 1000
        if time.perf_counter() - since > limit:
            sys.exit(f"{page} did not show {marker!r} within {limit} s")
        time.sleep(0.001)


def first_meetups(site):
    """The first meetup of the first meetups file, and its first meetup to
    come (after NOW): (id, title line) of each, and the file."""
    path = sorted(glob.glob(os.path.join(site, "data", "meetups", "*.yaml")))[0]
    text = open(path, encoding="utf-8").read()
    entries = re.findall(r"^- id: (\S+)\n(  title: .*)\n(?:  .*\n)*?  start: (\S+)$", text, re.M)
    first = entries[0][:2]
    to_come = next((i, t) for i, t, start in entries if start > NOW)
    return path, first, to_come


def spread(values):
    return statistics.median(values), min(values), max(values)


def main():
    binary, site = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    meetups_file, (meetup_id, title_line), (next_id, next_title_line) = first_meetups(site)
    meetup_page = f"/rencontres/{meetup_id}/"
    faq = os.path.join(site, "content", "faq.md")
    template = glob.glob(os.path.join(site, "themes", "*", "templates", "meetup.html"))[0]
    saved = {p: open(p, encoding="utf-8").read() for p in (meetups_file, faq, template)}
    started = time.perf_counter()
    server, port, log_path = start_serve(binary, site)
    results = {}
    try:
        conn = connect_when_served(port, meetup_page, log_path)
        results["cold start, to the first page served"] = (
            [(time.perf_counter() - started) * 1000], 1000)
        # serve answers while it renders the whole site: the edits are
        # measured once that render is over, not waiting for its end.
        wait_for_line(log_path, WHOLE_SITE_RENDERED)
        results["start to the whole site rendered in memory"] = (
            [(time.perf_counter() - started) * 1000], None)

        def measure(what, target, path, page, make_edit):
            times = []
            for run in range(runs):
                time.sleep(1)  # the previous change is applied
                marker = make_edit(run)
                since = time.perf_counter()
                ms = wait_for(conn, page, marker, since)
                times.append(ms)
                print(f"{what}, run {run + 1}: {ms:.0f} ms", file=sys.stderr)
            with open(path, "w", encoding="utf-8") as f:
                f.write(saved[path])
            results[what] = (times, target)

        def title_edit(line):
            def edit(run):
                marker = f"(modifié {run})"
                title = line.split(": ", 1)[1].strip('"')
                text = saved[meetups_file].replace(line, f'  title: "{title} {marker}"', 1)
                with open(meetups_file, "w", encoding="utf-8") as f:
                    f.write(text)
                return marker
            return edit

        measure("data edit (one meetup's title) to its page", 100, meetups_file,
                meetup_page, title_edit(title_line))
        measure("data edit (the title of a meetup to come) to its page", 100, meetups_file,
                f"/rencontres/{next_id}/", title_edit(next_title_line))

        def content_edit(run):
            marker = f"Paragraphe de mesure {run}."
            with open(faq, "a", encoding="utf-8") as f:
                f.write(f"\n{marker}\n")
            return marker

        measure("content edit (content/faq.md) to its page", 50, faq, "/faq/", content_edit)

        def template_edit(run):
            marker = f"<!-- mesure {run} -->"
            text = open(template, encoding="utf-8").read()
            at = text.rfind("{% endblock")
            with open(template, "w", encoding="utf-8") as f:
                f.write(text[:at] + marker + text[at:])
            return marker

        measure("template edit (meetup.html) to a meetup page", 1000, template, meetup_page,
                template_edit)
    finally:
        server.terminate()
        server.wait()
        for path, text in saved.items():
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    log = open(log_path, encoding="utf-8").read()
    shutil.rmtree(os.path.dirname(log_path), ignore_errors=True)
    print(f"\nserve, national site: start and edits, {runs} runs each\n")
    print("| measure | median (ms) | min | max | target | met |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for what, (times, target) in results.items():
        m, lo, hi = spread(times)
        if target is None:
            print(f"| {what} | {m:.0f} | {lo:.0f} | {hi:.0f} | | |")
            continue
        print(f"| {what} | {m:.0f} | {lo:.0f} | {hi:.0f} | ≤ {target} ms | "
              f"{'yes' if m <= target else 'no'} |")
    print("\nserve's own lines about the changes:")
    for line in log.splitlines():
        if re.search(r"Rebuilt|Re-rendered|Stopped rendering|Built .* in memory|Synced", line):
            print("    " + line)


if __name__ == "__main__":
    main()
