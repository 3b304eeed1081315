"""A real SMTP server on 127.0.0.1 that answers slowly, for timing tests: it waits `delay`
seconds before its greeting and before each reply, as a distant or loaded mail server does, and
keeps every message it accepts."""

import socketserver
import threading
import time
from email import message_from_bytes


class SlowSMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, delay: float):
        self.delay = delay
        self.messages = []
        super().__init__(("127.0.0.1", 0), _Handler)
        self.port = self.server_address[1]
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        time.sleep(self.server.delay)
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 slow.example ESMTP")
        recipients = []
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 slow.example")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.messages.append((recipients, message_from_bytes(data)))
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")
