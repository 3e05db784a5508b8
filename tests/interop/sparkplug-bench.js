#!/usr/bin/env node
// Times Eclipse Tahu's JavaScript Sparkplug B codec (npm sparkplug-payload) on the payloads the C# codec benchmark
// uses, so both run on the same machine in the same session. Reads on stdin:
//   {"seconds": 2, "cases": [{"name": "...", "payload": <Tahu payload JSON, TahuCodec conventions>}]}
// and writes [{"name", "bytes", "encodeOpsPerSec", "decodeOpsPerSec", "base64"}] on stdout. Encoding times
// encodePayload(object); decoding times decodePayload(bytes) on the bytes Tahu produced.
'use strict';

const Long = require('long');
const sparkplug = require('sparkplug-payload').get('spBv1.0');

const LONG_TYPES = new Set(['Int64', 'UInt64', 'DateTime']);

function revive(payload) {
  const out = Object.assign({}, payload);
  if (typeof payload.timestamp === 'string') out.timestamp = Long.fromString(payload.timestamp, true);
  if (typeof payload.seq === 'string') out.seq = Long.fromString(payload.seq, true);
  out.metrics = payload.metrics.map(m => {
    const metric = Object.assign({}, m);
    if (typeof m.timestamp === 'string') metric.timestamp = Long.fromString(m.timestamp, true);
    if (typeof m.alias === 'string') metric.alias = Long.fromString(m.alias, true);
    if (LONG_TYPES.has(m.type) && typeof m.value === 'string') metric.value = Long.fromString(m.value, m.type !== 'Int64');
    if (m.properties) {
      metric.properties = {};
      for (const key of Object.keys(m.properties)) metric.properties[key] = Object.assign({}, m.properties[key]);
    }
    return metric;
  });
  return out;
}

function time(seconds, fn) {
  // Warm-up lets V8 optimise the codec before the measured loop.
  const warmEnd = process.hrtime.bigint() + BigInt(Math.round(seconds * 0.25 * 1e9));
  while (process.hrtime.bigint() < warmEnd) fn();
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 16; i++) fn();
    ops += 16;
    now = process.hrtime.bigint();
  }
  return ops / (Number(now - start) / 1e9);
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', chunk => { input += chunk; });
process.stdin.on('end', () => {
  const request = JSON.parse(input);
  const results = request.cases.map(c => {
    const payload = revive(c.payload);
    const bytes = sparkplug.encodePayload(payload);
    let sink = 0;
    const encodeOpsPerSec = time(request.seconds, () => { sink += sparkplug.encodePayload(payload).length; });
    const decodeOpsPerSec = time(request.seconds, () => { sink += sparkplug.decodePayload(bytes).metrics.length; });
    return { name: c.name, bytes: bytes.length, encodeOpsPerSec, decodeOpsPerSec, sink, base64: Buffer.from(bytes).toString('base64') };
  });
  process.stdout.write(JSON.stringify(results));
});
