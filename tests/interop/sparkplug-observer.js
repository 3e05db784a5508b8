#!/usr/bin/env node
// An independent Sparkplug B host-side observer for EdgeNode's end-to-end tests (driven by
// tests/EdgeNode.Testing/SparkplugObserver.cs): MQTT.js subscribes, Eclipse Tahu's sparkplug-payload decodes.
//
//   node sparkplug-observer.js --url mqtt://127.0.0.1:1883 [--filter spBv1.0/#]... [--qos 1] [--keepalive 5]
//
// stdout, one JSON object per line:
//   {"event":"connected"} / {"event":"subscribed","granted":[1]} / {"event":"close"} / {"event":"error","message":"..."}
//       the client's life: it reconnects by itself (every 20 ms) and subscribes again after every connect, so a
//       test that restarts the broker waits for the next "subscribed" before letting the node reconnect.
//   {"topic","qos","retain","receivedMs","index","payload":{timestamp,seq,metrics:[...]},"error","text","rawBase64"}
//       one line per message, in arrival order. STATE topics (spBv1.0/STATE/#, STATE/#) are not protobuf: "text"
//       holds their UTF-8 payload. "error" is set (and "payload" absent) when Tahu cannot decode the bytes.
//   {"published":id} / {"publishError":id,"error":"..."} answers to stdin publish requests.
//
// stdin, one JSON object per line:
//   {"publish":{"topic":"...","payloadJson":{Tahu payload model}|"rawBase64":"..."|"text":"..."},"qos":1,"retain":false,"id":7}
//   payloadJson is encoded by Tahu's encodePayload (same JSON conventions as sparkplug-codec.js).
//
// A decoded metric: {name, alias, timestamp, datatype (numeric id), datatypeName, value, isNull, isHistorical,
// isTransient, properties:{key:{type,typeName,value,isNull}}, templateValue:{version,templateRef,isDefinition,
// metrics:[...],parameters:[{name,type,typeName,value}]}, wireField, datatypeFromBirth, valueFromWire}.
// Absent proto fields are absent (or false for the three flags). 64-bit integers (long.js Long) are decimal strings
// (signed for Int64, unsigned otherwise), bytes base64, non-finite floats "NaN"/"Infinity"/"-Infinity".
//
// What a host must do that Tahu's model decoder does not, done here and flagged on the metric:
// - DATA metrics usually carry no datatype (the spec says SHOULD NOT): a host takes it from the last BIRTH of the
//   same edge node (by alias, else by name; template members by name from the birth's instance/definition).
//   Such a metric gets "datatypeFromBirth": true, and the datatype is filled in before Tahu decodes the payload.
// - Tahu 1.0.3 reads UInt32 only from long_value, and then as a signed int32; UInt32 values are taken from the
//   wire field that carries them (int_value per the spec, or long_value) and flagged "valueFromWire": true. The
//   same happens for any value Tahu's model leaves null while the metric is not is_null.
'use strict';

const mqtt = require('mqtt');
const Long = require('long');
const readline = require('readline');
const sparkplug = require('sparkplug-payload').get('spBv1.0');
const proto = require('sparkplug-payload/lib/sparkplugPayloadProto').org.eclipse.tahu.protobuf;
const Payload = proto.Payload;

const TYPE_NAMES = ['Unknown', 'Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64', 'Float',
  'Double', 'Boolean', 'String', 'DateTime', 'Text', 'UUID', 'DataSet', 'Bytes', 'File', 'Template', 'PropertySet',
  'PropertySetList', 'Int8Array', 'Int16Array', 'Int32Array', 'Int64Array', 'UInt8Array', 'UInt16Array',
  'UInt32Array', 'UInt64Array', 'FloatArray', 'DoubleArray', 'BooleanArray', 'StringArray', 'DateTimeArray'];
const TEMPLATE = 19;

function parseArgs(argv) {
  const args = { url: null, filters: [], qos: 1, keepalive: 5, clientId: null, version: 4 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--url') args.url = next();
    else if (a === '--filter') args.filters.push(next());
    else if (a === '--qos') args.qos = Number(next());
    else if (a === '--keepalive') args.keepalive = Number(next());
    else if (a === '--client-id') args.clientId = next();
    else if (a === '--protocol-version') args.version = Number(next());
    else throw new Error(`unknown argument ${a}`);
  }
  if (!args.url) throw new Error('--url is required');
  if (args.filters.length === 0) args.filters.push('spBv1.0/#');
  return args;
}

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// ---- JSON conventions ------------------------------------------------------------------------------------------

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
    const o = {};
    for (const k of Object.keys(x)) {
      const v = toJsonSafe(x[k]);
      if (v !== undefined) o[k] = v;
    }
    return o;
  }
  return x;
}

function typeName(id) {
  return id === undefined || id === null ? undefined : (TYPE_NAMES[id] || `Unknown(${id})`);
}

// ---- birth registry: what a host remembers from NBIRTH/DBIRTH to read DATA ---------------------------------------

const edges = new Map(); // "group/edge" -> { node: Scope, devices: Map<deviceId, Scope>, definitions: Map<name, members> }

function newScope() {
  return { byAlias: new Map(), byName: new Map() };
}

function describeMembers(metrics) {
  const members = new Map();
  for (const m of metrics || []) {
    if (m.name !== undefined && m.name !== null) members.set(m.name, describe(m));
  }
  return members;
}

function describe(m) {
  const info = { name: m.name, datatype: m.datatype, members: null, templateRef: null };
  if (m.datatype === TEMPLATE && m.templateValue) {
    info.members = describeMembers(m.templateValue.metrics);
    info.templateRef = m.templateValue.templateRef || null;
  }
  return info;
}

function remember(scope, metrics) {
  for (const m of metrics || []) {
    const info = describe(m);
    if (m.alias !== undefined && m.alias !== null) scope.byAlias.set(Long.fromValue(m.alias).toString(), info);
    if (m.name !== undefined && m.name !== null) scope.byName.set(m.name, info);
  }
}

function parseTopic(topic) {
  const parts = topic.split('/');
  if (parts[0] !== 'spBv1.0' || parts.length < 4 || parts[1] === 'STATE') return null;
  return { group: parts[1], type: parts[2], edge: parts[3], device: parts.length > 4 ? parts.slice(4).join('/') : null };
}

function learnBirth(t, message) {
  const key = `${t.group}/${t.edge}`;
  if (t.type === 'NBIRTH') {
    const edge = { node: newScope(), devices: new Map(), definitions: new Map() };
    remember(edge.node, message.metrics);
    for (const m of message.metrics || []) {
      if (m.datatype === TEMPLATE && m.templateValue && m.templateValue.isDefinition) {
        edge.definitions.set(m.name, describeMembers(m.templateValue.metrics));
      }
    }
    edges.set(key, edge);
  } else if (t.type === 'DBIRTH') {
    let edge = edges.get(key);
    if (!edge) {
      edge = { node: newScope(), devices: new Map(), definitions: new Map() };
      edges.set(key, edge);
    }
    const scope = newScope();
    remember(scope, message.metrics);
    edge.devices.set(t.device, scope);
  }
}

function lookup(t, m) {
  const edge = edges.get(`${t.group}/${t.edge}`);
  if (!edge) return null;
  const scopes = [];
  if (t.device !== null && edge.devices.has(t.device)) scopes.push(edge.devices.get(t.device));
  scopes.push(edge.node);
  if (m.alias !== undefined && m.alias !== null) {
    const alias = Long.fromValue(m.alias).toString();
    for (const s of scopes) if (s.byAlias.has(alias)) return s.byAlias.get(alias);
    for (const s of edge.devices.values()) if (s.byAlias.has(alias)) return s.byAlias.get(alias);
  }
  if (m.name !== undefined && m.name !== null) {
    const scope = t.device !== null ? edge.devices.get(t.device) : edge.node;
    if (scope && scope.byName.has(m.name)) return scope.byName.get(m.name);
  }
  return null;
}

function membersOf(t, info) {
  if (!info) return null;
  if (info.members && info.members.size > 0) return info.members;
  const edge = edges.get(`${t.group}/${t.edge}`);
  if (edge && info.templateRef && edge.definitions.has(info.templateRef)) return edge.definitions.get(info.templateRef);
  return info.members;
}

// Fills missing datatypes from the births (a host's job for DATA/CMD); returns the set of filled metric objects.
function fillDatatypes(t, metrics, filled, members) {
  for (const m of metrics || []) {
    let info = null;
    if (members) info = m.name !== undefined && m.name !== null ? members.get(m.name) || null : null;
    else info = lookup(t, m);
    const missing = !Object.prototype.hasOwnProperty.call(m, 'datatype') || m.datatype === 0;
    if (missing && info && info.datatype) {
      m.datatype = info.datatype;
      filled.add(m);
    }
    if (m.datatype === TEMPLATE && m.templateValue) {
      let inner = membersOf(t, info);
      if (!inner && m.templateValue.templateRef) {
        const edge = edges.get(`${t.group}/${t.edge}`);
        if (edge) inner = edge.definitions.get(m.templateValue.templateRef) || null;
      }
      fillDatatypes(t, m.templateValue.metrics, filled, inner || new Map());
    }
  }
}

// ---- decoding ------------------------------------------------------------------------------------------------

function wireValue(protoThing) {
  const field = protoThing.value; // protobufjs oneof getter: name of the field that is set
  if (!field) return { field: undefined, value: undefined };
  return { field, value: protoThing[field] };
}

function uint32FromWire(w) {
  if (w.value === undefined || w.value === null) return null;
  if (Long.isLong(w.value)) return w.value.low >>> 0;
  return Number(w.value) >>> 0;
}

function convertWire(datatype, w) {
  if (w.value === undefined || w.value === null) return null;
  switch (datatype) {
    case 1: return (Number(w.value) << 24) >> 24;
    case 2: return (Number(w.value) << 16) >> 16;
    case 3: return Number(w.value) | 0;
    case 5: return Number(w.value) & 0xff;
    case 6: return Number(w.value) & 0xffff;
    case 7: return uint32FromWire(w);
    case 4: return Long.fromValue(w.value).toSigned();
    case 8: case 13: return Long.fromValue(w.value).toUnsigned();
    default: return w.value;
  }
}

function convertMetric(protoMetric, modelMetric, filled) {
  const out = {};
  const has = f => Object.prototype.hasOwnProperty.call(protoMetric, f);
  if (has('name')) out.name = protoMetric.name;
  if (has('alias')) out.alias = Long.fromValue(protoMetric.alias).toUnsigned();
  if (has('timestamp')) out.timestamp = Long.fromValue(protoMetric.timestamp).toUnsigned();
  const datatype = has('datatype') ? protoMetric.datatype : undefined;
  if (datatype !== undefined) {
    out.datatype = datatype;
    out.datatypeName = typeName(datatype);
  }
  out.isNull = protoMetric.isNull === true;
  out.isHistorical = protoMetric.isHistorical === true;
  out.isTransient = protoMetric.isTransient === true;
  const w = wireValue(protoMetric);
  if (w.field) out.wireField = w.field;
  if (filled.has(protoMetric)) out.datatypeFromBirth = true;

  if (datatype === TEMPLATE && protoMetric.templateValue) {
    out.templateValue = convertTemplate(protoMetric.templateValue, modelMetric.value || {}, filled);
  } else if (!out.isNull) {
    let value = modelMetric.value;
    if (datatype === 7 || ((value === null || value === undefined) && w.field)) {
      value = convertWire(datatype, w);
      out.valueFromWire = true;
    }
    out.value = value;
  } else {
    out.value = null;
  }
  if (protoMetric.properties) {
    out.properties = {};
    const protoProps = protoMetric.properties;
    const modelProps = modelMetric.properties || {};
    (protoProps.keys || []).forEach((key, idx) => {
      const pv = (protoProps.values || [])[idx];
      if (!pv) {
        out.properties[key] = { missingValue: true };
        return;
      }
      const type = Object.prototype.hasOwnProperty.call(pv, 'type') ? pv.type : undefined;
      let value = modelProps[key] ? modelProps[key].value : undefined;
      const pw = wireValue(pv);
      if (type === 7 || ((value === null || value === undefined) && pw.field)) value = convertWire(type, pw);
      const isNull = pv.isNull === true;
      out.properties[key] = { type, typeName: typeName(type), value: isNull ? null : value, isNull };
    });
  }
  return out;
}

function convertTemplate(protoTemplate, modelTemplate, filled) {
  const t = {};
  if (protoTemplate.hasOwnProperty('version')) t.version = protoTemplate.version;
  if (protoTemplate.hasOwnProperty('templateRef')) t.templateRef = protoTemplate.templateRef;
  if (protoTemplate.hasOwnProperty('isDefinition')) t.isDefinition = protoTemplate.isDefinition;
  const protoMetrics = protoTemplate.metrics || [];
  const modelMetrics = modelTemplate.metrics || [];
  t.metrics = protoMetrics.map((pm, i) => convertMetric(pm, modelMetrics[i] || {}, filled));
  const protoParams = protoTemplate.parameters || [];
  const modelParams = modelTemplate.parameters || [];
  t.parameters = protoParams.map((pp, i) => {
    const mp = modelParams[i] || {};
    const p = { name: pp.name, type: pp.type, typeName: typeName(pp.type) };
    let value = mp.value;
    const w = wireValue(pp);
    if (pp.type === 7 || ((value === null || value === undefined) && w.field)) value = convertWire(pp.type, w);
    p.value = value;
    return p;
  });
  return t;
}

function decodeSparkplug(t, bytes) {
  const message = Payload.decode(bytes);
  const filled = new Set();
  fillDatatypes(t, message.metrics, filled, null);
  // Tahu's model decoder reads the (possibly completed) message; re-encoding keeps every field as it came.
  let model = {};
  let modelError = null;
  try {
    model = sparkplug.decodePayload(Payload.encode(message).finish());
  } catch (e) {
    // Tahu's model rejects some valid payloads (see sparkplug-codec.js notes); keep the wire view and say so.
    modelError = `Tahu decodePayload: ${e && e.message || e}`;
  }
  const payload = {};
  if (message.hasOwnProperty('timestamp')) payload.timestamp = message.timestamp;
  if (message.hasOwnProperty('seq')) payload.seq = message.seq;
  if (message.hasOwnProperty('uuid')) payload.uuid = message.uuid;
  if (message.hasOwnProperty('body')) payload.body = message.body;
  const modelMetrics = model.metrics || [];
  payload.metrics = (message.metrics || []).map((pm, i) => convertMetric(pm, modelMetrics[i] || {}, filled));
  if (t.type === 'NBIRTH' || t.type === 'DBIRTH') learnBirth(t, message);
  return { payload: toJsonSafe(payload), modelError };
}

// ---- encoding (stdin publish requests) ---------------------------------------------------------------------

const LONG_TYPES = new Set(['Int64', 'UInt64', 'DateTime']);

function reviveValue(type, value) {
  if (value === null || value === undefined) return value;
  if (LONG_TYPES.has(type) && typeof value === 'string') return Long.fromString(value, type !== 'Int64');
  if (type === 'UInt32' && typeof value === 'string') return Number(value);
  if ((type === 'Float' || type === 'Double') && typeof value === 'string') return Number(value);
  if ((type === 'Bytes' || type === 'File') && typeof value === 'string') return Buffer.from(value, 'base64');
  if (type === 'Template') {
    const o = Object.assign({}, value);
    if (value.metrics) o.metrics = value.metrics.map(reviveMetric);
    if (value.parameters) o.parameters = value.parameters.map(p => Object.assign({}, p, { value: reviveValue(p.type, p.value) }));
    return o;
  }
  return value;
}

function reviveMetric(m) {
  const o = Object.assign({}, m);
  if (typeof m.timestamp === 'string') o.timestamp = Long.fromString(m.timestamp, true);
  if (m.alias !== undefined && m.alias !== null) o.alias = Long.fromValue(typeof m.alias === 'string' ? Long.fromString(m.alias, true) : m.alias);
  if ('value' in m) o.value = reviveValue(m.type, m.value);
  return o;
}

function encodeModel(p) {
  const o = Object.assign({}, p);
  if (typeof p.timestamp === 'string') o.timestamp = Long.fromString(p.timestamp, true);
  if (typeof p.seq === 'string') o.seq = Long.fromString(p.seq, true);
  if (p.metrics) o.metrics = p.metrics.map(reviveMetric);
  return Buffer.from(sparkplug.encodePayload(o));
}

// ---- MQTT --------------------------------------------------------------------------------------------------

function main() {
  const args = parseArgs(process.argv.slice(2));
  const client = mqtt.connect(args.url, {
    protocolVersion: args.version,
    clean: true,
    clientId: args.clientId || `observer-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    reconnectPeriod: 20,
    connectTimeout: 5000,
    keepalive: args.keepalive,
    resubscribe: false,
  });
  let index = 0;
  let connected = false;
  let lastError = null;

  client.on('connect', () => {
    connected = true;
    lastError = null;
    out({ event: 'connected' });
    client.subscribe(args.filters, { qos: args.qos }, (err, granted) => {
      if (err) out({ event: 'error', message: `subscribe: ${err.message}` });
      else out({ event: 'subscribed', granted: granted.map(g => g.qos) });
    });
  });
  // While the broker is down MQTT.js retries every 20 ms: report the loss once, not every refused attempt.
  client.on('close', () => {
    if (connected) out({ event: 'close' });
    connected = false;
  });
  client.on('error', err => {
    const message = String(err && err.message || err);
    if (message !== lastError) out({ event: 'error', message });
    lastError = message;
  });

  client.on('message', (topic, bytes, packet) => {
    const record = { topic, qos: packet.qos, retain: !!packet.retain, receivedMs: Date.now(), index: index++ };
    const buffer = Buffer.from(bytes);
    if (topic.startsWith('spBv1.0/STATE/') || topic.startsWith('STATE/')) {
      record.text = buffer.toString('utf8');
    } else {
      const t = parseTopic(topic);
      try {
        if (!t) throw new Error('not a Sparkplug B topic');
        const decoded = decodeSparkplug(t, buffer);
        record.payload = decoded.payload;
        if (decoded.modelError) {
          record.error = decoded.modelError;
          record.rawBase64 = buffer.toString('base64');
        }
      } catch (e) {
        record.error = String(e && e.message || e);
        record.rawBase64 = buffer.toString('base64');
      }
    }
    out(record);
  });

  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', line => {
    if (!line.trim()) return;
    let request;
    try {
      request = JSON.parse(line);
    } catch (e) {
      out({ publishError: null, error: `bad request: ${e.message}` });
      return;
    }
    const id = request.id === undefined ? null : request.id;
    try {
      const p = request.publish;
      let bytes;
      if (p.payloadJson !== undefined) bytes = encodeModel(p.payloadJson);
      else if (p.rawBase64 !== undefined) bytes = Buffer.from(p.rawBase64, 'base64');
      else if (p.text !== undefined) bytes = Buffer.from(p.text, 'utf8');
      else throw new Error('publish needs payloadJson, rawBase64 or text');
      client.publish(p.topic, bytes, { qos: request.qos === undefined ? 1 : request.qos, retain: !!request.retain }, err => {
        if (err) out({ publishError: id, error: String(err.message || err) });
        else out({ published: id });
      });
    } catch (e) {
      out({ publishError: id, error: String(e && e.message || e) });
    }
  });
  rl.on('close', () => client.end(true, () => process.exit(0)));
  process.on('SIGTERM', () => client.end(true, () => process.exit(0)));
}

main();
