"""What the `serve` benchmarks share: starting `maillage serve` on a site
the way they measure it, and reading its pages over HTTP."""

import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

# The project's "today", so that the same meetups are open at every run.
NOW = "2026-11-22T12:00"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    return r.status, r.read()


def start_serve(binary, site):
    """Starts `maillage serve` on `site`, the clock pinned to NOW and the
    embedded store in a temporary folder, its output in a log there.
    Returns (process, port, log path)."""
    port = free_port()
    work = tempfile.mkdtemp(prefix="maillage-serve-bench-")
    log_path = os.path.join(work, "serve.log")
    env = dict(os.environ, MAILLAGE_NOW=NOW)
    with open(log_path, "w") as log:
        server = subprocess.Popen([binary, "serve", "-r", site, "-p", str(port),
                                   "--store", "sqlite:" + os.path.join(work, "store.sqlite")],
                                  stdout=log, stderr=subprocess.STDOUT, env=env)
    return server, port, log_path


def connect_when_served(port, path, log_path, limit=300):
    """A connection to the server once it serves `path` (within `limit`
    seconds, or the benchmark stops)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            if get(conn, path)[0] == 200:
                return conn
        except OSError:
            time.sleep(0.01)
    sys.exit("maillage serve did not answer: see " + log_path)


# What serve logs once its first render is over: it answers before, while
# it renders the whole site.
WHOLE_SITE_RENDERED = r"Built \d+ files in memory"


def wait_for_line(log_path, pattern, limit=300):
    """Waits until serve's log has a line matching `pattern`."""
    since = time.perf_counter()
    while not re.search(pattern, open(log_path, encoding="utf-8").read()):
        if time.perf_counter() - since > limit:
            sys.exit(f"serve never logged {pattern!r}: see {log_path}")
        time.sleep(0.01)
