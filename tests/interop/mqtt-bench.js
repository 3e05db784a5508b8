#!/usr/bin/env node
// MQTT.js (npm mqtt) publisher for the "mqtt" benchmark suite (tests/EdgeNode.Benchmarks/Mqtt).
//
//   node mqtt-bench.js <url> <protocolVersion 4|5> <topic> <count> <qos> <payloadBytes> <warmup> <window>
//
// Connects, publishes <warmup> messages to "<topic>/warmup" (same QoS, not counted) so V8 has optimised the path,
// prints {"ready":true} and waits for a line "go" on stdin. Then publishes <count> messages of <payloadBytes> to
// <topic> with at most <window> publishes whose callback has not fired yet (MQTT.js has no in-flight limit of its own;
// the window keeps memory bounded and lets the socket drain), and prints {"acked":count,"seconds":...} when every
// callback fired: QoS 0 = written to the socket, QoS 1 = PUBACK received. With <fence> = 1 a final QoS 1 publish follows
// and is awaited: its PUBACK proves the broker has processed every message before it (TCP keeps order). The output
// also carries the CPU seconds (user + system) the process spent in the timed phase and the bytes allocated on the V8
// heap in it (heap used at the end − at the start + what every GC freed, from v8.GCProfiler; Buffers' off-heap memory
// is not included).
'use strict';

const mqtt = require('mqtt');
const readline = require('readline');
const v8 = require('v8');

const [url, version, topic, countText, qosText, sizeText, warmupText, windowText, fenceText] = process.argv.slice(2);
const fence = fenceText === '1';
const count = Number(countText);
const qos = Number(qosText);
const payload = Buffer.alloc(Number(sizeText), 0x5a);
const warmup = Number(warmupText);
const windowSize = Number(windowText);

const client = mqtt.connect(url, {
  protocolVersion: Number(version),
  clean: true,
  clientId: `mqttjs-bench-${process.pid}`,
  reconnectPeriod: 0,
  keepalive: 60,
});
client.on('error', err => {
  process.stderr.write(String(err && err.stack || err) + '\n');
  process.exit(2);
});

function run(target, n) {
  return new Promise(resolve => {
    let sent = 0;
    let done = 0;
    let scheduled = false;
    const pump = () => {
      scheduled = false;
      while (sent < n && sent - done < windowSize) {
        sent++;
        client.publish(target, payload, { qos }, onDone);
      }
    };
    const onDone = err => {
      if (err) {
        process.stderr.write(String(err) + '\n');
        process.exit(3);
      }
      done++;
      if (done === n) resolve();
      else if (!scheduled && sent < n && sent - done <= windowSize / 2) {
        scheduled = true;
        setImmediate(pump);
      }
    };
    pump();
  });
}

client.on('connect', async () => {
  await run(`${topic}/warmup`, warmup);
  process.stdout.write(JSON.stringify({ ready: true }) + '\n');
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', async line => {
    if (line.trim() !== 'go') return;
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    const profiler = new v8.GCProfiler();
    profiler.start();
    const heapStart = v8.getHeapStatistics().used_heap_size;
    await run(topic, count);
    if (fence) {
      await new Promise((resolve, reject) => client.publish(`${topic}/fence`, payload, { qos: 1 }, err => (err ? reject(err) : resolve())));
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    const heapEnd = v8.getHeapStatistics().used_heap_size;
    const gcs = profiler.stop().statistics;
    const freed = gcs.reduce((sum, gc) => sum + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize, 0);
    const allocatedBytes = heapEnd - heapStart + freed;
    process.stdout.write(JSON.stringify({ acked: count, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, allocatedBytes, gcs: gcs.length }) + '\n');
    client.end(false, () => process.exit(0));
  });
});
