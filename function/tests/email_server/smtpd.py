"""A real SMTP server on loopback for the email tests (aiosmtpd).

Usage: smtpd.py PORT MAILDIR REFUSE_FIRST

Stores each accepted message as MAILDIR/NNNN.eml, answers the first
REFUSE_FIRST messages with a temporary failure (451), prints READY once
listening, and stops when its standard input closes.
"""

import sys
from pathlib import Path

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, maildir, refuse_first):
        self.maildir = Path(maildir)
        self.refuse = refuse_first
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Temporary failure, try again later"
        self.count += 1
        path = self.maildir / f"{self.count:04d}.eml"
        path.with_suffix(".tmp").write_bytes(envelope.original_content)
        path.with_suffix(".tmp").rename(path)
        return "250 2.0.0 OK"


def main():
    port, maildir, refuse_first = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    controller = Controller(Handler(maildir, refuse_first), hostname="127.0.0.1", port=port)
    controller.start()
    print("READY", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
