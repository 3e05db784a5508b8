#!/usr/bin/env python3
"""RS-485 fault relay for tests: a serial line between a Modbus RTU master and slave(s), made of two pseudo-terminal
pairs, that forwards requests untouched and damages the slaves' answers on command.

    master (node) <-> pty A  ==relay==  pty B <-> slave (pymodbus RTU server)

Answers are cut into frames by silence (a few ms without a byte: pymodbus writes each answer in one go) and the unit
id of a frame is its first byte. Per unit, on the control channel (one command per line, reply "ok ..." or "error ..."):

    noise <unit> <percent> [flip|drop|extra|wrongunit ...]   damage that share of the unit's answers (default: all kinds, taking turns)
        flip       one random bit of the frame inverted (the CRC no longer matches)
        drop       one random byte removed
        extra      one random byte inserted
        wrongunit  the frame comes from another unit id, its data changed, with a valid CRC (only the unit check catches it)
    late <unit> <ms>        every answer of the unit is held back this long (0: off)
    quiet <unit> <0|1>      the unit's answers are swallowed (the line goes quiet for it)
    clear                   no faults
    seed <n>                reseed the random generator (reproducible runs)
    stats <unit>            -> "frames=N damaged=N flip=N drop=N extra=N wrongunit=N late=N quiet=N"
    ping                    -> "pong"

Prints "CONTROL <port>" then "READY <node-side pty> <slave-side pty>" (symlinks in --dir).
"""

import argparse
import asyncio
import os
import random
import sys
import termios
import tty

KINDS = ["flip", "drop", "extra", "wrongunit"]
GAP_S = 0.004


def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return bytes([crc & 0xFF, crc >> 8])


class Unit:
    def __init__(self):
        self.noise = 0.0
        self.kinds = list(KINDS)
        self.late_ms = 0
        self.quiet = False
        self.stats = {k: 0 for k in ["frames", "damaged"] + KINDS + ["late", "quiet"]}


class Relay:
    def __init__(self, master_a, master_b):
        self.a = master_a
        self.b = master_b
        self.units = {}
        self.rng = random.Random(15)
        self.pending = bytearray()
        self.flush_handle = None
        self.loop = asyncio.get_running_loop()

    def unit(self, n):
        return self.units.setdefault(n, Unit())

    def on_request(self):
        try:
            data = os.read(self.a, 4096)
        except OSError:
            return  # the master closed its end; it may open it again
        os.write(self.b, data)

    def on_answer(self):
        try:
            data = os.read(self.b, 4096)
        except OSError:
            return
        self.pending.extend(data)
        if self.flush_handle is not None:
            self.flush_handle.cancel()
        self.flush_handle = self.loop.call_later(GAP_S, self.flush)

    def flush(self):
        self.flush_handle = None
        frame, self.pending = bytes(self.pending), bytearray()
        if not frame:
            return
        u = self.unit(frame[0])
        u.stats["frames"] += 1
        if u.quiet:
            u.stats["quiet"] += 1
            return
        if u.noise > 0 and self.rng.random() < u.noise:
            # the kinds take turns, so a short run still sees every one of them
            kind = u.kinds[u.stats["damaged"] % len(u.kinds)]
            frame = self.damage(frame, kind)
            u.stats["damaged"] += 1
            u.stats[kind] += 1
        if u.late_ms > 0:
            u.stats["late"] += 1
            self.loop.call_later(u.late_ms / 1000.0, self.write_a, frame)
        else:
            self.write_a(frame)

    def write_a(self, frame):
        try:
            os.write(self.a, frame)
        except OSError:
            pass

    def damage(self, frame, kind):
        f = bytearray(frame)
        if kind == "flip":
            i = self.rng.randrange(len(f))
            f[i] ^= 1 << self.rng.randrange(8)
        elif kind == "drop":
            del f[self.rng.randrange(len(f))]
        elif kind == "extra":
            f.insert(self.rng.randrange(len(f) + 1), self.rng.randrange(256))
        elif kind == "wrongunit" and len(f) > 3:
            body = bytearray(f[:-2])
            body[0] = (body[0] % 247) + 1
            for i in range(3, len(body)):
                body[i] ^= 0x55
            f = body + crc16(body)
        return bytes(f)

    def command(self, words):
        name, args = words[0], words[1:]
        if name == "ping":
            return "pong"
        if name == "noise":
            u = self.unit(int(args[0]))
            u.noise = float(args[1]) / 100.0
            kinds = args[2:] or KINDS
            for k in kinds:
                if k not in KINDS:
                    raise ValueError(f"unknown fault {k}")
            u.kinds = list(kinds)
            return ""
        if name == "late":
            self.unit(int(args[0])).late_ms = int(args[1])
            return ""
        if name == "quiet":
            self.unit(int(args[0])).quiet = args[1] == "1"
            return ""
        if name == "clear":
            for u in self.units.values():
                u.noise, u.late_ms, u.quiet = 0.0, 0, False
            return ""
        if name == "seed":
            self.rng.seed(int(args[0]))
            return ""
        if name == "stats":
            s = self.unit(int(args[0])).stats
            return " ".join(f"{k}={v}" for k, v in s.items())
        raise ValueError(f"unknown command {name}")


def make_pty(link):
    master, slave = os.openpty()
    tty.setraw(slave)
    attrs = termios.tcgetattr(slave)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    os.set_blocking(master, False)
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(os.ttyname(slave), link)
    # the relay keeps the slave side open, so a master that closes and reopens its port finds the line still there
    return master, slave


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    link_a = os.path.join(args.dir, "node")
    link_b = os.path.join(args.dir, "slave")
    master_a, _keep_a = make_pty(link_a)
    master_b, _keep_b = make_pty(link_b)
    relay = Relay(master_a, master_b)
    loop = asyncio.get_running_loop()
    loop.add_reader(master_a, relay.on_request)
    loop.add_reader(master_b, relay.on_answer)

    async def control(reader, writer):
        while True:
            line = await reader.readline()
            if not line:
                break
            words = line.decode().split()
            try:
                reply = "ok " + relay.command(words)
            except Exception as exc:  # a bad command is an error line, never a crash
                reply = f"error {exc}"
            writer.write((reply.strip() + "\n").encode())
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(control, "127.0.0.1", 0)
    print(f"CONTROL {server.sockets[0].getsockname()[1]}", flush=True)
    print(f"READY {link_a} {link_b}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
