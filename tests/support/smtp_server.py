#!/usr/bin/env python3
"""A loopback SMTP server for the form-service tests: what it receives lands in a Maildir.

The form service (``formsvc``) sends its mail over plain SMTP. Its tests start this
server, point ``SICANTIK_SMTP_URL`` at it, and then read the Maildir to assert what
really arrived (the Rust side of that is ``formsvc/tests/api/smtp.rs``).

Usage::

    python3 tests/support/smtp_server.py --maildir DIR [--port N] [--mode accept|refuse]

``--maildir DIR``
    The Maildir to deliver into, created with its ``cur/ new/ tmp/`` if missing (in
    either mode). Messages are delivered into ``DIR/new/``.
``--port N``
    The TCP port on 127.0.0.1 to listen on. 0 (the default) takes any free port. The
    listening socket has SO_REUSEADDR set, so a test can stop the server and start it
    again on the same port at once.
``--mode accept``
    (The default.) Every message is stored in the Maildir, with two headers put in
    front of the stored copy: ``X-MailFrom`` (the envelope sender, ``MAIL FROM``; empty
    for the null sender) and ``X-RcptTo`` (the envelope recipients, ``RCPT TO``, joined
    with ", "). The message is stored before the server answers ``250``, so a client
    that got ``250`` finds it in the Maildir. Line endings are stored as LF, as Maildir
    files usually have them; the message is otherwise stored byte for byte.
``--mode refuse``
    Every ``RCPT TO`` (and, should a client get that far, ``DATA``) is answered with
    ``451 4.3.0 Layanan sementara tidak tersedia``, a temporary failure; nothing is
    stored.
``--mode reject``
    Every ``RCPT TO`` (and ``DATA``) is answered with ``550 5.1.1 Alamat tujuan tidak
    dikenal``, a permanent failure; nothing is stored.

Protocol with the process that starts it: once the server listens, it prints exactly
one line, ``PORT <n>``, to stdout and flushes it; nothing else is ever printed to
stdout (logging goes to stderr). It then runs until its stdin reaches end-of-file or it
gets SIGTERM or SIGINT, and exits 0. Keep its stdin open (a pipe) for as long as the
server should run: with stdin at ``/dev/null`` it stops at once. When the server cannot
start (the port is taken, the Maildir cannot be created) it says why on stderr and
exits non-zero without printing ``PORT``.

No TLS and no authentication are offered: this is for loopback tests only.
"""

from __future__ import annotations

import argparse
import logging
import mailbox
import os
import signal
import socket
import sys
import threading
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
REFUSAL = "451 4.3.0 Layanan sementara tidak tersedia"
REJECTION = "550 5.1.1 Alamat tujuan tidak dikenal"

log = logging.getLogger("smtp_server")


class AcceptingHandler:
    """Stores each message, with its envelope in X-MailFrom and X-RcptTo, in a Maildir."""

    def __init__(self, maildir: mailbox.Maildir) -> None:
        self.maildir = maildir

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content: bytes = envelope.original_content or b""
        # The envelope comes from SMTP command lines, which cannot hold CR or LF; the
        # replace is only a guard against a header being split by one.
        mail_from = (envelope.mail_from or "").replace("\r", "").replace("\n", "")
        rcpt_to = ", ".join(envelope.rcpt_tos).replace("\r", "").replace("\n", "")
        header = f"X-MailFrom: {mail_from}\nX-RcptTo: {rcpt_to}\n".encode("utf-8")
        message = header + content.replace(b"\r\n", b"\n")
        # mailbox writes the file into tmp/ and renames it into new/, so a reader
        # never sees a half-written message.
        key = self.maildir.add(message)
        log.info("stored %s: MAIL FROM:<%s> RCPT TO:%s (%d bytes)", key, mail_from, rcpt_to, len(content))
        return "250 OK"


class RefusingHandler:
    """Answers every recipient (and DATA) with a temporary failure and stores nothing."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        log.info("refused RCPT TO:<%s>", address)
        return REFUSAL

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        log.info("refused DATA")
        return REFUSAL


class RejectingHandler:
    """Answers every recipient (and DATA) with a permanent failure and stores nothing."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        log.info("rejected RCPT TO:<%s>", address)
        return REJECTION

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        log.info("rejected DATA")
        return REJECTION


class BoundController(Controller):
    """A Controller that listens on a socket bound beforehand.

    aiosmtpd's Controller cannot take port 0 (after binding it connects to
    ``self.port`` to check the server answers), so the socket is bound here, with
    SO_REUSEADDR, and ``self.port`` is the port it really got.
    """

    def __init__(self, handler: Any, sock: socket.socket) -> None:
        host, port = sock.getsockname()[:2]
        # server_hostname: without it every connection would look up the machine's
        # FQDN, which can stall where there is no DNS.
        super().__init__(handler, hostname=host, port=port, server_hostname="localhost", ready_timeout=10.0)
        self.sock = sock

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self.sock, ssl=self.ssl_context)


def bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--maildir", required=True, metavar="DIR", help="the Maildir to store messages in (created if missing)"
    )
    parser.add_argument("--port", type=int, default=0, metavar="N", help="port on 127.0.0.1 (default 0: any free port)")
    parser.add_argument("--mode", choices=("accept", "refuse", "reject"), default="accept", help="accept (default) or refuse")
    args = parser.parse_args(argv)

    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s smtp_server[%(process)d] %(name)s: %(message)s"
    )

    try:
        maildir = mailbox.Maildir(args.maildir, create=True)
    except OSError as err:
        print(f"smtp_server: cannot create the Maildir {args.maildir}: {err}", file=sys.stderr)
        return 1
    handler: Any = {
        "accept": lambda: AcceptingHandler(maildir),
        "refuse": RefusingHandler,
        "reject": RejectingHandler,
    }[args.mode]()

    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        sock = bind(args.port)
    except OSError as err:
        print(f"smtp_server: cannot listen on {HOST}:{args.port}: {err}", file=sys.stderr)
        return 1
    controller = BoundController(handler, sock)
    controller.start()

    log.info("listening on %s:%d in %s mode, Maildir %s", HOST, controller.port, args.mode, args.maildir)
    sys.stdout.write(f"PORT {controller.port}\n")
    sys.stdout.flush()

    def wait_for_eof() -> None:
        # os.read on the descriptor rather than sys.stdin: this thread may still be
        # blocked in it at exit, and sys.stdin's buffer lock would then abort Python.
        try:
            while os.read(stdin_fd, 65536):
                pass
        except OSError:
            pass
        stop.set()

    stdin_fd = sys.stdin.fileno()

    threading.Thread(target=wait_for_eof, name="stdin", daemon=True).start()

    # A timed wait, so that the signal handlers get to run promptly.
    while not stop.wait(0.2):
        pass

    log.info("stopping")
    # Stop in a helper thread so that a client holding a connection open cannot keep
    # the process alive: after 2 s it exits regardless (its sockets close with it).
    stopper = threading.Thread(target=controller.stop, name="stop", daemon=True)
    stopper.start()
    stopper.join(2.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
