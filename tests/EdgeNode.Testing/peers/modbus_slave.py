#!/usr/bin/python3
"""A Modbus slave for EdgeNode's tests: Debian's pymodbus (3.0.x) serving several unit ids over TCP, RTU on a serial
port/pty, or RTU framing over TCP, with a line-based control channel on loopback so a test can change registers, count
requests and inject faults while it runs.

Started by tests/EdgeNode.Testing/PyModbusSlave.cs. Prints, one line each:
    CONTROL <port>         the control channel's TCP port on 127.0.0.1
    READY <mode> <where>   once the slave serves (where = TCP port or device path)

Control commands (one line in, one line out: "ok ..." or "error <reason>"):
    ping
    set <unit> <co|di|hr|ir> <address> <v1> [v2 ...]     write values into the datastore
    get <unit> <co|di|hr|ir> <address> <count>            -> ok v1 v2 ...
    count [unit] [function]                                 -> ok <requests seen>
    reset-counts
    mute <unit> | unmute <unit>                             stop/resume answering that unit (requests still counted)
    busy <unit> <n>                                         answer the next n requests with exception 06
    ack <unit> <n> <delay_ms>                               answer exception 05 first, the real response after delay
    exception <unit> <n> <code>                             answer the next n requests with exception <code>
    delay <unit> <ms>                                       answer that unit late (0 = on time)
    drop-connections                                        close the TCP connections of the Modbus port
"""
import argparse
import asyncio
import json
import logging
import sys

from pymodbus.datastore import (
    ModbusSequentialDataBlock,
    ModbusServerContext,
    ModbusSlaveContext,
    ModbusSparseDataBlock,
)
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.framer.socket_framer import ModbusSocketFramer
from pymodbus.server.async_io import (
    ModbusConnectedRequestHandler,
    ModbusSerialServer,
    ModbusSingleRequestHandler,
    ModbusTcpServer,
)

TABLES = {"co": "c", "di": "d", "hr": "h", "ir": "i"}


class State:
    def __init__(self):
        self.counts = {}
        self.muted = set()
        self.busy = {}
        self.ack = {}
        self.exceptions = {}
        self.delay = {}

    def count(self, unit, function):
        key = (unit, function)
        self.counts[key] = self.counts.get(key, 0) + 1

    def total(self, unit=None, function=None):
        return sum(n for (u, f), n in self.counts.items()
                   if (unit is None or u == unit) and (function is None or f == function))


STATE = State()


class FaultInjection:
    """Mixed into pymodbus' request handlers: counts every decoded request and applies the injected faults."""

    def execute(self, request, *addr):
        unit = request.unit_id
        STATE.count(unit, request.function_code)
        if unit in STATE.muted:
            return
        if STATE.busy.get(unit, 0) > 0:
            STATE.busy[unit] -= 1
            self._answer_exception(request, 0x06, *addr)
            return
        pending = STATE.exceptions.get(unit)
        if pending and pending[0] > 0:
            pending[0] -= 1
            self._answer_exception(request, pending[1], *addr)
            return
        ack = STATE.ack.get(unit)
        if ack and ack[0] > 0:
            ack[0] -= 1
            self._answer_exception(request, 0x05, *addr)
            asyncio.get_running_loop().call_later(ack[1] / 1000.0, super().execute, request, *addr)
            return
        delay = STATE.delay.get(unit, 0)
        if delay > 0:
            asyncio.get_running_loop().call_later(delay / 1000.0, super().execute, request, *addr)
            return
        super().execute(request, *addr)

    def _answer_exception(self, request, code, *addr):
        response = request.doException(code)
        response.transaction_id = request.transaction_id
        response.unit_id = request.unit_id
        self.send(response, *addr)


class TcpHandler(FaultInjection, ModbusConnectedRequestHandler):
    pass


class SerialHandler(FaultInjection, ModbusSingleRequestHandler):
    pass


def make_block(spec, default_size):
    if spec is None:
        return ModbusSequentialDataBlock(0, [0] * default_size)
    if "sparse" in spec:
        values = {}
        for address, items in spec["sparse"].items():
            values[int(address)] = list(items)
        return ModbusSparseDataBlock(values)
    block = ModbusSequentialDataBlock(0, [0] * int(spec.get("size", default_size)))
    for address, items in spec.get("values", {}).items():
        block.setValues(int(address), list(items))
    return block


def make_context(config):
    size = int(config.get("size", 10000))
    slaves = {}
    for unit, tables in config.get("units", {"1": {}}).items():
        slaves[int(unit)] = ModbusSlaveContext(
            co=make_block(tables.get("co"), size),
            di=make_block(tables.get("di"), size),
            hr=make_block(tables.get("hr"), size),
            ir=make_block(tables.get("ir"), size),
            zero_mode=True,  # wire address == datastore address
        )
    return ModbusServerContext(slaves=slaves, single=False)


async def control(context, server, reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            break
        words = line.decode().split()
        try:
            reply = "ok " + command(context, server, words)
        except Exception as exc:  # any bad command becomes an error line, never a crash
            reply = f"error {exc}"
        writer.write((reply.strip() + "\n").encode())
        await writer.drain()
    writer.close()


def command(context, server, words):
    name, args = words[0], [int(w) for w in words[1:] if w.lstrip("-").isdigit()]
    if name == "ping":
        return "pong"
    if name in ("set", "get"):
        unit, table = int(words[1]), TABLES[words[2]]
        address = int(words[3])
        store = context[unit].store[table]
        if name == "set":
            store.setValues(address, [int(v) for v in words[4:]])
            return ""
        return " ".join(str(int(v)) for v in store.getValues(address, int(words[4])))
    if name == "count":
        unit = args[0] if len(args) > 0 else None
        function = args[1] if len(args) > 1 else None
        return str(STATE.total(unit, function))
    if name == "reset-counts":
        STATE.counts.clear()
        return ""
    if name == "mute":
        STATE.muted.add(args[0])
        return ""
    if name == "unmute":
        STATE.muted.discard(args[0])
        return ""
    if name == "busy":
        STATE.busy[args[0]] = args[1]
        return ""
    if name == "ack":
        STATE.ack[args[0]] = [args[1], args[2]]
        return ""
    if name == "exception":
        STATE.exceptions[args[0]] = [args[1], args[2]]
        return ""
    if name == "delay":
        STATE.delay[args[0]] = args[1]
        return ""
    if name == "drop-connections":
        dropped = 0
        for handler in list(getattr(server, "active_connections", {}).values()):
            handler.transport.close()
            dropped += 1
        return str(dropped)
    raise ValueError(f"unknown command {name}")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["tcp", "rtu", "rtu-over-tcp"], default="tcp")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--device")
    parser.add_argument("--baud", type=int, default=19200)
    parser.add_argument("--config")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)

    config = {}
    if args.config:
        with open(args.config, encoding="utf-8") as f:
            config = json.load(f)
    context = make_context(config)

    if args.mode == "rtu":
        server = ModbusSerialServer(context, framer=ModbusRtuFramer, port=args.device, baudrate=args.baud,
                                    handler=SerialHandler, broadcast_enable=True, ignore_missing_slaves=True)
        await server.start()
        where = args.device
    else:
        framer = ModbusRtuFramer if args.mode == "rtu-over-tcp" else ModbusSocketFramer
        server = ModbusTcpServer(context, framer=framer, address=("127.0.0.1", args.port), handler=TcpHandler,
                                 allow_reuse_address=True, broadcast_enable=True, ignore_missing_slaves=True)
        asyncio.create_task(server.serve_forever())
        await server.serving
        where = server.server.sockets[0].getsockname()[1]

    control_server = await asyncio.start_server(lambda r, w: control(context, server, r, w), "127.0.0.1", 0)
    print(f"CONTROL {control_server.sockets[0].getsockname()[1]}", flush=True)
    print(f"READY {args.mode} {where}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
