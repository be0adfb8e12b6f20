#!/usr/bin/python3
"""Tiny SMTP sink for the saslkit test lab (Python 3 stdlib only).

Dovecot's submission service relays every accepted message here. The sink stores each
message in the Maildir of every recipient's local part: <maildir-root>/<localpart>/new/,
so a test can read it back over IMAP or POP3.

Only recipients whose Maildir exists are accepted (550 otherwise). No TLS, no AUTH: the
sink listens on loopback only and is reached only by the lab's Dovecot.
"""

import argparse
import asyncio
import os
import re
import socket
import sys
import time

LOCALPART_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
MAX_LINE = 65536         # longest command or data line we buffer
MAX_RECIPIENTS = 100


class Config:
    def __init__(self, args):
        self.maildir_root = args.maildir_root
        self.max_size = args.max_size
        self.timeout = args.timeout
        self.uid = args.uid
        self.gid = args.gid
        self.hostname = "localhost"


class Deliverer:
    """Writes a message into <root>/<localpart>/{tmp,new} the Maildir way."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.seq = 0

    def maildir_for(self, localpart):
        if not LOCALPART_RE.match(localpart) or ".." in localpart:
            return None
        path = os.path.join(self.cfg.maildir_root, localpart)
        if not os.path.isdir(os.path.join(path, "new")):
            return None
        return path

    def deliver(self, maildir, data):
        self.seq += 1
        now = time.time()
        name = "%d.M%dP%dQ%d.%s,S=%d" % (int(now), int((now % 1) * 1e6), os.getpid(),
                                        self.seq, socket.gethostname().replace("/", "_"),
                                        len(data))
        tmp = os.path.join(maildir, "tmp", name)
        new = os.path.join(maildir, "new", name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
            if self.cfg.uid >= 0:
                os.fchown(fd, self.cfg.uid, self.cfg.gid)
        finally:
            os.close(fd)
        os.rename(tmp, new)
        return new


class Session:
    def __init__(self, cfg, deliverer, reader, writer):
        self.cfg = cfg
        self.deliverer = deliverer
        self.reader = reader
        self.writer = writer
        self.peer = writer.get_extra_info("peername")
        self.reset()

    def reset(self):
        self.mail_from = None
        self.rcpts = []  # (address, maildir)

    def log(self, msg):
        print("smtp-sink %s: %s" % (self.peer, msg), flush=True)

    async def reply(self, text):
        self.writer.write((text + "\r\n").encode("utf-8", "replace"))
        await self.writer.drain()

    async def readline(self):
        """Returns one line without CRLF, or None on EOF. Raises on timeout/too long."""
        line = await asyncio.wait_for(self.reader.readline(), self.cfg.timeout)
        if not line:
            return None
        if not line.endswith(b"\n"):
            # limit exceeded partial line is reported as ValueError by readline; EOF here
            return None
        return line.rstrip(b"\r\n")

    async def run(self):
        await self.reply("220 %s ESMTP saslkit-lab sink" % self.cfg.hostname)
        while True:
            try:
                line = await self.readline()
            except asyncio.TimeoutError:
                await self.reply("421 4.4.2 Idle timeout, closing connection")
                return
            except (ValueError, asyncio.LimitOverrunError):
                await self.reply("500 5.5.2 Line too long")
                return
            if line is None:
                return
            text = line.decode("utf-8", "replace")
            verb, _, arg = text.partition(" ")
            verb = verb.upper()
            handler = getattr(self, "cmd_" + verb, None)
            if handler is None:
                await self.reply("502 5.5.1 Command not implemented")
                continue
            if await handler(arg.strip()) is False:
                return

    async def cmd_EHLO(self, arg):
        self.reset()
        await self.reply("250-%s greets %s" % (self.cfg.hostname, arg or "you"))
        await self.reply("250-SIZE %d" % self.cfg.max_size)
        await self.reply("250-8BITMIME")
        await self.reply("250-SMTPUTF8")
        await self.reply("250-PIPELINING")
        await self.reply("250 ENHANCEDSTATUSCODES")

    async def cmd_HELO(self, arg):
        self.reset()
        await self.reply("250 %s" % self.cfg.hostname)

    async def cmd_NOOP(self, arg):
        await self.reply("250 2.0.0 OK")

    async def cmd_RSET(self, arg):
        self.reset()
        await self.reply("250 2.0.0 OK")

    async def cmd_VRFY(self, arg):
        await self.reply("252 2.1.5 Cannot VRFY, but will accept")

    async def cmd_QUIT(self, arg):
        await self.reply("221 2.0.0 Bye")
        return False

    @staticmethod
    def parse_path(arg, keyword):
        m = re.match(r"^%s:\s*<([^>]*)>(.*)$" % keyword, arg, re.IGNORECASE)
        if not m:
            return None, None
        params = {}
        for p in m.group(2).split():
            k, _, v = p.partition("=")
            params[k.upper()] = v
        return m.group(1), params

    async def cmd_MAIL(self, arg):
        if self.mail_from is not None:
            await self.reply("503 5.5.1 Nested MAIL command")
            return
        addr, params = self.parse_path(arg, "FROM")
        if addr is None:
            await self.reply("501 5.5.4 Syntax: MAIL FROM:<address>")
            return
        size = params.get("SIZE")
        if size is not None:
            if not size.isdigit():
                await self.reply("501 5.5.4 Bad SIZE parameter")
                return
            if int(size) > self.cfg.max_size:
                await self.reply("552 5.3.4 Message size exceeds fixed limit")
                return
        self.mail_from = addr
        await self.reply("250 2.1.0 OK")

    async def cmd_RCPT(self, arg):
        if self.mail_from is None:
            await self.reply("503 5.5.1 Need MAIL first")
            return
        addr, _ = self.parse_path(arg, "TO")
        if addr is None:
            await self.reply("501 5.5.4 Syntax: RCPT TO:<address>")
            return
        if len(self.rcpts) >= MAX_RECIPIENTS:
            await self.reply("452 4.5.3 Too many recipients")
            return
        localpart = addr.rpartition("@")[0] if "@" in addr else addr
        maildir = self.deliverer.maildir_for(localpart)
        if maildir is None:
            await self.reply("550 5.1.1 No such mailbox here: <%s>" % addr)
            return
        self.rcpts.append((addr, maildir))
        await self.reply("250 2.1.5 OK")

    async def cmd_DATA(self, arg):
        if not self.rcpts:
            await self.reply("503 5.5.1 Need RCPT first")
            return
        await self.reply("354 End data with <CR><LF>.<CR><LF>")
        chunks = []
        size = 0
        too_big = False
        while True:
            try:
                line = await asyncio.wait_for(self.reader.readline(), self.cfg.timeout)
            except asyncio.TimeoutError:
                await self.reply("421 4.4.2 Timeout during DATA, closing connection")
                return False
            except (ValueError, asyncio.LimitOverrunError):
                await self.reply("500 5.5.2 Line too long")
                return False
            if not line:
                return False  # EOF in the middle of DATA: drop it
            stripped = line.rstrip(b"\r\n")
            if stripped == b".":
                break
            if stripped.startswith(b"."):
                line = line[1:]
            if not line.endswith(b"\r\n"):
                line = line.rstrip(b"\n") + b"\r\n"
            size += len(line)
            if size > self.cfg.max_size:
                too_big = True
                chunks = []
                continue
            if not too_big:
                chunks.append(line)
        if too_big:
            self.reset()
            await self.reply("552 5.3.4 Message size exceeds fixed limit")
            return
        body = b"".join(chunks)
        stored = []
        for addr, maildir in self.rcpts:
            header = ("Return-Path: <%s>\r\nDelivered-To: %s\r\n" % (self.mail_from, addr)).encode()
            try:
                stored.append(self.deliverer.deliver(maildir, header + body))
            except OSError as e:
                self.log("delivery to %s failed: %s" % (addr, e))
                self.reset()
                await self.reply("451 4.3.0 Local delivery failed")
                return
        self.log("from=<%s> to=%s size=%d stored=%s" % (
            self.mail_from, ",".join(a for a, _ in self.rcpts), len(body), " ".join(stored)))
        self.reset()
        await self.reply("250 2.0.0 OK: queued as %d" % self.deliverer.seq)


async def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=10025)
    ap.add_argument("--maildir-root", required=True)
    ap.add_argument("--max-size", type=int, default=10 * 1024 * 1024)
    ap.add_argument("--timeout", type=float, default=120.0, help="per-command idle timeout (s)")
    ap.add_argument("--uid", type=int, default=-1, help="owner of delivered files")
    ap.add_argument("--gid", type=int, default=-1)
    args = ap.parse_args()
    cfg = Config(args)
    deliverer = Deliverer(cfg)

    async def handle(reader, writer):
        session = Session(cfg, deliverer, reader, writer)
        try:
            await session.run()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception as e:  # keep the sink alive whatever one client does
            session.log("error: %r" % (e,))
        finally:
            try:
                writer.close()
                await asyncio.wait_for(writer.wait_closed(), 5)
            except Exception:
                pass

    server = await asyncio.start_server(handle, args.host, args.port, limit=MAX_LINE,
                                        reuse_address=True)
    print("smtp-sink listening on %s:%d, maildirs under %s" % (args.host, args.port,
                                                              args.maildir_root), flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
