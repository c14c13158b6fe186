"""A local SMTP server that keeps what it receives: for development and for the tests.

`python -m workflows.notifications.sink` listens on 127.0.0.1:8025 (the default SMTP_PORT) and
prints each e-mail; the tests use `MailSink`, which listens on a free port and keeps the
messages in a list.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    recipients: list[str]
    message: EmailMessage  # headers decoded: message["Subject"] reads as the sender wrote it

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_content()


class _Handler:
    def __init__(self, sink: MailSink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.sink.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.sink.deliver(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"


class MailSink:
    """`with MailSink() as sink:` an SMTP server on `sink.port`; `sink.messages` is what came.

    Addresses in `refuse` are answered with 550, as a server does for an unknown mailbox.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, refuse: frozenset[str] = frozenset()
    ):
        self.host = host
        self.port = port or _free_port(host)
        self.refuse = refuse
        self.messages: list[ReceivedMail] = []
        self._arrived = threading.Condition()
        self._controller = Controller(_Handler(self), hostname=host, port=self.port)

    def deliver(self, mail: ReceivedMail) -> None:
        with self._arrived:
            self.messages.append(mail)
            self._arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        """The messages once at least `count` arrived, or what came within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count and time.monotonic() < deadline:
                self._arrived.wait(deadline - time.monotonic())
            return list(self.messages)

    def __enter__(self) -> MailSink:
        self._controller.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._controller.stop()


def _free_port(host: str) -> int:
    # aiosmtpd must be told its port (it connects to itself to check it started), so ask the
    # system for a free one
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class _PrintingSink(MailSink):
    def deliver(self, mail: ReceivedMail) -> None:
        super().deliver(mail)
        print(f"--- {mail.message['Date'] or ''}  {mail.mail_from} → {', '.join(mail.recipients)}")
        print(f"Subject: {mail.subject}\n\n{mail.text}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args(argv)
    with _PrintingSink(args.host, args.port):
        print(f"SMTP sink on {args.host}:{args.port}; e-mails are printed here", flush=True)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops it
            threading.Event().wait()


if __name__ == "__main__":
    main()
