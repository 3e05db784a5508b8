// A straightforward Sparkplug-to-Kafka bridge, the peer of `./build.sh bench bridge`: MQTT.js + Eclipse Tahu's codec +
// kafkajs, with acks=all like edgenode-bridge (kafkajs's idempotent producer cannot start against librdkafka's mock
// cluster: it looks for a controller broker the mock does not name, so this peer runs without idempotence, which only
// makes it faster) and the same record shape (one JSON record per metric value, named and typed from the BIRTH).
// usage: node kafka-bridge.js MQTT_URL BOOTSTRAP DATA_TOPIC
'use strict';
const mqtt = require('mqtt');
const sparkplug = require('sparkplug-payload').get('spBv1.0');
const { Kafka, logLevel } = require('kafkajs');

const [mqttUrl, bootstrap, dataTopic] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'node-bridge', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
const producer = kafka.producer({ allowAutoTopicCreation: true });
const births = new Map(); // group/node[/device] -> Map(alias -> {name, type})

function toNumber(v) {
  return v !== null && typeof v === 'object' && typeof v.toNumber === 'function' ? v.toNumber() : v;
}

async function main() {
  await producer.connect();
  const client = mqtt.connect(mqttUrl, { clientId: 'node-bridge', clean: false, protocolVersion: 4 });
  client.on('connect', () => {
    client.subscribe('spBv1.0/#', { qos: 1 }, () => process.stdout.write('ready\n'));
  });
  client.on('message', (topic, payload) => {
    const parts = topic.split('/');
    if (parts.length < 4 || parts[1] === 'STATE') return;
    const [, group, type, node, device] = parts;
    if (type.endsWith('CMD')) return;
    let decoded;
    try { decoded = sparkplug.decodePayload(payload); } catch (e) { return; }
    const key = device ? `${group}/${node}/${device}` : `${group}/${node}`;
    if (type === 'NBIRTH' || type === 'DBIRTH') {
      const aliases = new Map();
      for (const m of decoded.metrics) {
        if (m.alias !== undefined && m.alias !== null) aliases.set(String(toNumber(m.alias)), { name: m.name, type: m.type });
      }
      births.set(key, aliases);
    }
    const aliases = births.get(key) || new Map();
    const messages = [];
    for (const m of decoded.metrics || []) {
      const known = m.name ? { name: m.name, type: m.type } : aliases.get(String(toNumber(m.alias)));
      if (!known) continue;
      messages.push({
        key,
        value: JSON.stringify({
          group, edgeNode: node, device: device || null, metric: known.name, datatype: m.type || known.type,
          value: toNumber(m.value), timestamp: toNumber(m.timestamp || decoded.timestamp), historical: !!m.isHistorical,
          messageType: type, seq: toNumber(decoded.seq),
        }),
      });
    }
    if (messages.length > 0) {
      producer.send({ topic: dataTopic, acks: -1, messages }).catch((e) => process.stderr.write(`send failed: ${e.message}\n`));
    }
  });
}

main().catch((e) => { process.stderr.write(`${e.stack}\n`); process.exit(1); });
process.on('SIGTERM', async () => { await producer.disconnect().catch(() => {}); process.exit(0); });
