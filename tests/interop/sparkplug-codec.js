#!/usr/bin/env node
// Batch driver for Eclipse Tahu's JavaScript Sparkplug B codec (npm sparkplug-payload), used by the C# tests through
// EdgeNode.Testing.TahuCodec. Reads one JSON request on stdin and writes one JSON array of results on stdout:
//
//   {"op": "decode",      "items": ["<base64 payload>", ...]}  -> Tahu's object model (decodePayload)
//   {"op": "decodeProto", "items": ["<base64 payload>", ...]}  -> Tahu's generated protobuf view (Payload.decode + toObject)
//   {"op": "encode",      "items": [<Tahu payload JSON>, ...]} -> base64 of encodePayload(...)
//   {"op": "encodeProto", "items": [<protobuf JSON>, ...]}     -> base64 of Payload.encode(Payload.fromObject(...))
//
// Each result is {"ok": true, "value": ...} or {"ok": false, "error": "..."}, so one case Tahu rejects does not
// fail the batch. JSON conventions (both directions): 64-bit integers (long.js Long) as decimal strings, bytes as
// base64 strings, non-finite numbers and negative zero as "NaN", "Infinity", "-Infinity", "-0".
'use strict';

const Long = require('long');
const sparkplug = require('sparkplug-payload').get('spBv1.0');
const Payload = require('sparkplug-payload/lib/sparkplugPayloadProto').org.eclipse.tahu.protobuf.Payload;

function toJsonSafe(x) {
  if (x === null || x === undefined) return x;
  if (Long.isLong(x)) return x.toString();
  if (x instanceof Uint8Array) return Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64');
  if (typeof x === 'number') {
    if (Number.isNaN(x)) return 'NaN';
    if (x === Infinity) return 'Infinity';
    if (x === -Infinity) return '-Infinity';
    if (Object.is(x, -0)) return '-0';
    return x;
  }
  if (Array.isArray(x)) return x.map(toJsonSafe);
  if (typeof x === 'object') {
    const out = {};
    for (const key of Object.keys(x)) {
      const v = toJsonSafe(x[key]);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }
  return x;
}

const LONG_TYPES = new Set(['Int64', 'UInt64', 'DateTime', 'UInt32']);
const SIGNED_LONG = new Set(['Int64']);
const FLOAT_TYPES = new Set(['Float', 'Double']);
const BYTES_TYPES = new Set(['Bytes', 'File']);

function number(v) {
  return typeof v === 'string' ? Number(v) : v;
}

function unsignedLong(v) {
  return typeof v === 'string' ? Long.fromString(v, true) : v;
}

// Turns a JSON value into what Tahu's encoder expects for a value of `type` (its type name string).
function reviveValue(type, value) {
  if (value === null || value === undefined) return value;
  if (LONG_TYPES.has(type)) {
    if (typeof value !== 'string') return value;
    return type === 'UInt32' ? Number(value) : Long.fromString(value, !SIGNED_LONG.has(type));
  }
  if (FLOAT_TYPES.has(type)) return number(value);
  if (BYTES_TYPES.has(type)) return typeof value === 'string' ? Buffer.from(value, 'base64') : value;
  switch (type) {
    case 'DataSet': return reviveDataSet(value);
    case 'Template': return reviveTemplate(value);
    case 'PropertySet': return revivePropertySet(value);
    case 'PropertySetList': return value.map(revivePropertySet);
    default: return value;
  }
}

function reviveDataSet(ds) {
  const types = ds.types || [];
  return Object.assign({}, ds, {
    numOfColumns: unsignedLong(ds.numOfColumns),
    rows: (ds.rows || []).map(row => row.map((cell, i) => reviveValue(types[i], cell))),
  });
}

function reviveTemplate(t) {
  const out = Object.assign({}, t);
  if (t.metrics) out.metrics = t.metrics.map(reviveMetric);
  if (t.parameters) out.parameters = t.parameters.map(p => Object.assign({}, p, { value: reviveValue(p.type, p.value) }));
  return out;
}

function revivePropertySet(set) {
  const out = {};
  for (const key of Object.keys(set)) {
    out[key] = Object.assign({}, set[key], { value: reviveValue(set[key].type, set[key].value) });
  }
  return out;
}

function reviveMetric(m) {
  const out = Object.assign({}, m);
  if (m.timestamp !== undefined) out.timestamp = unsignedLong(m.timestamp);
  if (m.alias !== undefined) out.alias = unsignedLong(m.alias);
  if ('value' in m) out.value = reviveValue(m.type, m.value);
  if (m.properties) out.properties = revivePropertySet(m.properties);
  if (m.metadata) {
    out.metadata = Object.assign({}, m.metadata);
    if (m.metadata.size !== undefined) out.metadata.size = unsignedLong(m.metadata.size);
    if (m.metadata.seq !== undefined) out.metadata.seq = unsignedLong(m.metadata.seq);
  }
  return out;
}

function revivePayload(p) {
  const out = Object.assign({}, p);
  if (p.timestamp !== undefined) out.timestamp = unsignedLong(p.timestamp);
  if (p.seq !== undefined) out.seq = unsignedLong(p.seq);
  if (p.body !== undefined) out.body = Buffer.from(p.body, 'base64');
  if (p.metrics) out.metrics = p.metrics.map(reviveMetric);
  return out;
}

const ops = {
  decode: item => toJsonSafe(sparkplug.decodePayload(Buffer.from(item, 'base64'))),
  decodeProto: item => toJsonSafe(Payload.toObject(Payload.decode(Buffer.from(item, 'base64')),
    { longs: String, bytes: String, defaults: false })),
  encode: item => Buffer.from(sparkplug.encodePayload(revivePayload(item))).toString('base64'),
  encodeProto: item => {
    // fromObject converts decimal strings to Long and base64 strings to bytes; verify the result, not the JSON.
    const message = Payload.fromObject(item);
    const err = Payload.verify(message);
    if (err) throw new Error(err);
    return Buffer.from(Payload.encode(message).finish()).toString('base64');
  },
};

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', chunk => { input += chunk; });
process.stdin.on('end', () => {
  const request = JSON.parse(input);
  const op = ops[request.op];
  if (!op) {
    process.stderr.write(`unknown op ${request.op}\n`);
    process.exit(2);
  }
  const results = request.items.map(item => {
    try {
      return { ok: true, value: op(item) };
    } catch (e) {
      return { ok: false, error: String(e && e.message || e) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
