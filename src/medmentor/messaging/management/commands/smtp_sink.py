"""`medmentor smtp-sink`: a local SMTP server that keeps every message, for the demo.

Point EMAIL_HOST=127.0.0.1 and EMAIL_PORT=1025 at it and no email leaves the machine:
each message becomes a .eml file in the folder and one line on the console.
"""

import signal
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from medmentor.messaging.smtp_sink import MailSink, MailSinkServer


class Command(BaseCommand):
    help = "Run a local SMTP server that accepts every message and keeps it as a .eml file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=1025, help="Port (default 1025).")
        parser.add_argument(
            "--folder",
            default=str(settings.DATA_DIR / "mail-sink"),
            help="Where each message is written as a .eml file (default var/mail-sink/).",
        )
        parser.add_argument(
            "--discard", action="store_true", help="Accept messages but write no files."
        )
        parser.add_argument("--quiet", action="store_true", help="No line per message.")

    def handle(self, *args, **options) -> None:
        folder = None if options["discard"] else Path(options["folder"])
        sink = MailSink(folder=folder, echo=None if options["quiet"] else self._echo, keep=False)
        server = MailSinkServer(sink, host=options["host"], port=options["port"])
        try:
            server.start()
        except OSError as error:
            raise CommandError(
                f"Cannot listen on {options['host']}:{options['port']}: {error}"
            ) from error
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        where = f"writing each message to {folder}" if folder else "keeping no files"
        self._echo(f"SMTP sink listening on {options['host']}:{server.port}, {where}.")
        while not stop.wait(0.5):
            pass
        server.stop()
        self._echo(f"SMTP sink stopped after {sink.count} message(s).")

    def _echo(self, line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
