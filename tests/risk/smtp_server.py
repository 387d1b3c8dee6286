"""A small SMTP server on localhost for the publication-email tests: it speaks enough of RFC 5321 for Python's
``smtplib`` (and so Django's SMTP backend) and can refuse chosen recipients with a chosen reply, or hang up
after a number of messages, so the tests see the exceptions a real relay causes rather than invented ones."""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class SmtpBehaviour:
    refuse: dict[str, str] = field(default_factory=dict)  # address → reply, e.g. "550 5.1.1 no such mailbox"
    hang_up_after: int | None = None  # messages accepted before the server drops every connection
    delivered: list[str] = field(default_factory=list)  # the recipient of each accepted message, in order


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        behaviour = self.server.behaviour
        self.reply("220 smtp.test ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 smtp.test")
            elif verb == "MAIL":
                if behaviour.hang_up_after is not None and len(behaviour.delivered) >= behaviour.hang_up_after:
                    return  # the relay goes away mid-session: smtplib raises SMTPServerDisconnected
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                address = command.partition(":")[2].strip().strip("<>")
                refusal = behaviour.refuse.get(address)
                if refusal:
                    self.reply(refusal)
                else:
                    recipients.append(address)
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                while self.rfile.readline() not in (b".\r\n", b""):  # the message itself is not kept
                    pass
                behaviour.delivered.extend(recipients)
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:  # RSET, NOOP
                self.reply("250 OK")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    behaviour: SmtpBehaviour


class SmtpServer:
    """``with SmtpServer(behaviour) as port:`` serves on 127.0.0.1:port until the block ends."""

    def __init__(self, behaviour: SmtpBehaviour) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.behaviour = behaviour

    def __enter__(self) -> int:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.server.server_address[1]

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
