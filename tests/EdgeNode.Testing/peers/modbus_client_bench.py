#!/usr/bin/python3
"""pymodbus's own synchronous TCP client polling holding registers in a tight loop, for the "modbus" benchmark.

usage: modbus_client_bench.py HOST PORT SECONDS [UNIT] [READS] [COUNT]
Prints one JSON line: {"requests": n, "seconds": s}.
"""
import json
import sys
import time

from pymodbus.client import ModbusTcpClient


def main():
    host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    unit = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    reads = int(sys.argv[5]) if len(sys.argv) > 5 else 8
    count = int(sys.argv[6]) if len(sys.argv) > 6 else 125
    client = ModbusTcpClient(host, port=port, timeout=5)
    if not client.connect():
        raise SystemExit(f"cannot connect to {host}:{port}")
    for _ in range(20):  # warm-up
        client.read_holding_registers(0, count, slave=unit)
    requests = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for i in range(reads):
            response = client.read_holding_registers(i * count, count, slave=unit)
            if response.isError():
                raise SystemExit(f"read failed: {response}")
            requests += 1
    elapsed = time.perf_counter() - start
    client.close()
    print(json.dumps({"requests": requests, "seconds": elapsed}), flush=True)


if __name__ == "__main__":
    main()
