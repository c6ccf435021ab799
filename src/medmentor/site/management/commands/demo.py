"""`medmentor demo`: migrate, load the demo program, then serve it with its worker and mail sink.

Everything runs on this machine: the mail sink catches every email (nothing leaves),
the worker sends the weekly emails through it, and the web server listens on
127.0.0.1:8000. Ctrl-C stops all three.
"""

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def wait_for_port(host: str, port: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)


class Command(BaseCommand):
    help = (
        "Set up and serve the demo program on http://127.0.0.1:8000 with its worker and mail sink."
    )

    def add_arguments(self, parser):
        parser.add_argument("--address", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-serve", action="store_true", help="Only migrate and load the demo data."
        )

    def handle(self, *args, address: str, no_serve: bool, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        call_command("load_demo", stdout=self.stdout)
        if no_serve:
            return
        command = [sys.executable, "-m", "medmentor"]
        environment = dict(os.environ)
        sink = subprocess.Popen(
            [*command, "smtp-sink", "--port", str(settings.EMAIL_PORT)], env=environment
        )
        wait_for_port(settings.EMAIL_HOST, settings.EMAIL_PORT)  # before the first send
        children = [
            sink,
            subprocess.Popen([*command, "worker"], env=environment),
            # Django Tasks (large matching runs) have their own worker.
            subprocess.Popen([*command, "db-worker", "--no-reload"], env=environment),
        ]

        def stop_children(*_):
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()

        signal.signal(signal.SIGTERM, lambda *_: (stop_children(), sys.exit(0)))
        self.stdout.write(
            self.style.SUCCESS(
                f"\nmedmentor demo: http://{address}/\n"
                f"Mail sink on 127.0.0.1:{settings.EMAIL_PORT} (nothing leaves this machine), "
                f"workers running; emails are kept in {settings.DATA_DIR / 'mail-sink'}\n"
                "Press Ctrl-C to stop.\n"
            )
        )
        try:
            call_command("runserver", address, use_reloader=False)
        finally:
            stop_children()
