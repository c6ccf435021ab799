"""A local SMTP server that accepts every message and keeps it.

The demo points EMAIL_HOST/EMAIL_PORT at it (`medmentor smtp-sink`) so no email
leaves the machine, and the tests use the same class as the real SMTP server the
worker talks to. It speaks real SMTP through aiosmtpd; only what happens to an
accepted message (a .eml file, a list in memory) is ours.
"""

import asyncio
import email
import email.policy
import logging
import os
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

# The name the server greets with. Given explicitly because aiosmtpd otherwise asks
# DNS (socket.getfqdn) on every new connection, which would slow the sink, not SMTP.
SINK_HOSTNAME = "mail-sink.localhost"


class MailSink:
    """The aiosmtpd handler: accept every message, keep its bytes, maybe write a .eml file.

    Tests use three knobs to play a less friendly server:

    - `before_accept(count, server)` is called with the number of messages accepted
      so far, after the client sent the next one and before it hears back; returning
      False refuses that message with a temporary error (451) — it counts as not
      received. Tests stop a worker there, at an exact point of the protocol, or
      drop the connection (`server.transport.close()`).
    - `delay` seconds to wait before each reply to DATA: a slow server (other
      connections are served meanwhile).
    - `refused_recipients`: addresses refused for good at RCPT (550).
    """

    def __init__(
        self,
        *,
        folder: Path | None = None,
        echo: Callable[[str], None] | None = None,
        keep: bool = True,
    ) -> None:
        self.folder = folder
        self.echo = echo
        self.keep = keep
        self.before_accept: Callable[[int, object], bool] | None = None
        self.delay = 0.0
        self.refused_recipients: set[str] = set()
        self.count = 0
        self._raw: list[bytes] = []
        self._changed = threading.Condition()
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        if address.lower() in self.refused_recipients:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd hook
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.before_accept is not None and not self.before_accept(self.count, server):
            return "451 4.3.0 Not accepted this time, try again later"
        raw = envelope.original_content or envelope.content
        with self._changed:
            self.count += 1
            number = self.count
            if self.keep:
                self._raw.append(raw)
            self._changed.notify_all()
        if self.folder is not None:
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{number:06d}.eml"
            (self.folder / name).write_bytes(raw)
        if self.echo is not None:
            message = email.message_from_bytes(raw, policy=email.policy.default)
            self.echo(
                f"{time.strftime('%H:%M:%S')} #{number} to {', '.join(envelope.rcpt_tos)}: "
                f"{message.get('Subject', '')}"
            )
        return "250 2.0.0 Message accepted"

    @property
    def raw_messages(self) -> list[bytes]:
        with self._changed:
            return list(self._raw)

    def wait_for(self, count: int, timeout: float = 60.0) -> bool:
        """Wait until at least `count` messages were accepted; False if that took too long."""
        with self._changed:
            return self._changed.wait_for(lambda: self.count >= count, timeout=timeout)

    @property
    def messages(self) -> list[EmailMessage]:
        """Every accepted message, parsed with the standard library's email package."""
        return [
            email.message_from_bytes(raw, policy=email.policy.default) for raw in self.raw_messages
        ]

    def clear(self) -> None:
        with self._changed:
            self._raw.clear()
            self.count = 0


class MailSinkServer(Controller):
    """aiosmtpd's threaded controller around a MailSink; port 0 picks a free port."""

    def __init__(
        self,
        sink: MailSink | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 1025,
        quiet_protocol_log: bool = True,
    ) -> None:
        self.sink = sink or MailSink()
        if quiet_protocol_log:
            # aiosmtpd logs every connection at INFO; one line per message is enough.
            logging.getLogger("mail.log").setLevel(logging.WARNING)
        super().__init__(
            self.sink, hostname=host, port=port, server_hostname=SINK_HOSTNAME, ready_timeout=10
        )

    @property
    def messages(self) -> list[EmailMessage]:
        return self.sink.messages

    def _trigger_server(self) -> None:
        # With port 0 the system chose the port; learn it before aiosmtpd connects to it.
        if self.port == 0 and self.server is not None:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()
