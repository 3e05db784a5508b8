// EdgeNode web console: plain script, no build step, nothing loaded from outside the gateway.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  const state = { user: null, csrf: null, usersConfigured: false, page: 'overview', devices: [], rows: [], pending: [], frame: 0, source: null, mapLoaded: false };

  // ---- API ----
  async function api(method, path, body, type) {
    const headers = { 'X-Requested-With': 'edgenode-console' };
    if (state.csrf) headers['X-CSRF-Token'] = state.csrf;
    if (body !== undefined) headers['Content-Type'] = type || 'application/json';
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)), credentials: 'same-origin' });
    const text = await response.text();
    let data = text;
    if ((response.headers.get('Content-Type') || '').startsWith('application/json')) { try { data = JSON.parse(text); } catch { /* keep text */ } }
    if (response.status === 401 && state.user) { state.user = null; state.csrf = null; renderWho(); }
    return { status: response.status, ok: response.ok, data };
  }

  function toast(message, bad) {
    const t = $('toast'); t.textContent = message; t.className = bad ? 'bad' : ''; t.hidden = false;
    clearTimeout(toast.timer); toast.timer = setTimeout(() => { t.hidden = true; }, bad ? 8000 : 4000);
  }

  // One formatter, and one text per second: toLocaleTimeString builds a formatter per call, which at ~500 changed
  // values per stream event (2,000 metrics) made every event a main-thread task of over 50 ms.
  const timeFormat = new Intl.DateTimeFormat([], { hour: 'numeric', minute: 'numeric', second: 'numeric', hour12: false });
  let timeSecond = -1, timeText = '';
  const fmtTime = (ms) => { if (!ms) return '—'; const s = Math.floor(ms / 1000); if (s !== timeSecond) { timeSecond = s; timeText = timeFormat.format(ms); } return timeText; };
  function fmtBytes(n) { if (n < 1024) return n + ' B'; if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB'; return (n / 1048576).toFixed(1) + ' MiB'; }
  function fmtDuration(s) { const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60); return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + m + 'm ' + (s % 60) + 's'; }
  function fmtValue(v) { if (v === null || v === undefined) return '—'; if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6); return String(v); }

  // ---- session ----
  async function loadSession() {
    const r = await api('GET', '/api/session');
    if (r.ok) { state.user = r.data.user; state.csrf = r.data.csrf; state.usersConfigured = r.data.usersConfigured; }
    renderWho();
  }

  function renderWho() {
    $('who-name').textContent = state.user ? state.user : (state.usersConfigured ? '' : 'read-only');
    $('sign-in').hidden = !!state.user || !state.usersConfigured;
    $('sign-out').hidden = !state.user;
    document.body.classList.toggle('signed-in', !!state.user);
    for (const b of document.querySelectorAll('button.write')) b.hidden = !state.user;
    if (state.page === 'map') showMap();
  }

  $('sign-in').addEventListener('click', () => { $('login-error').textContent = ''; $('login-dialog').showModal(); $('login-name').focus(); });
  $('login-cancel').addEventListener('click', () => $('login-dialog').close());
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await api('POST', '/api/login', { name: $('login-name').value, password: $('login-password').value });
    if (r.ok) {
      state.user = r.data.user; state.csrf = r.data.csrf; $('login-password').value = '';
      $('login-dialog').close(); renderWho(); toast('Signed in as ' + state.user);
    } else {
      $('login-error').textContent = (r.data && r.data.error) || ('sign-in failed (' + r.status + ')');
    }
  });
  $('sign-out').addEventListener('click', async () => {
    await api('POST', '/api/logout'); state.user = null; state.csrf = null; state.mapLoaded = false; renderWho(); toast('Signed out');
  });

  // ---- pages ----
  function route() {
    const page = (location.hash || '#overview').slice(1);
    state.page = ['overview', 'devices', 'map'].includes(page) ? page : 'overview';
    for (const s of document.querySelectorAll('.page')) s.hidden = s.id !== 'page-' + state.page;
    for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.page === state.page);
    if (state.page === 'devices') openStream(); else closeStream();
    if (state.page === 'map') showMap();
    refreshStatus();
  }
  window.addEventListener('hashchange', route);

  // ---- overview ----
  const sessionHelp = {
    'online': 'Births are out; data is published live.',
    'connecting': 'Connecting to the broker; changes are kept in the store.',
    'waiting for primary host': 'Connected; waiting for the primary host application to come online before publishing.',
    'storing': 'Not publishing; changes are stored on disk and replayed on reconnect.',
  };
  async function refreshStatus() {
    const r = await api('GET', '/api/status');
    if (!r.ok) return;
    const s = r.data;
    const badge = $('session-badge');
    badge.textContent = s.session;
    badge.className = 'badge st-' + s.session.split(' ')[0];
    $('node-name').textContent = s.groupId + ' / ' + s.edgeNodeId;
    $('ov-session').textContent = s.session;
    $('ov-session').className = 'big ' + (s.session === 'online' ? 'ok' : 'warn');
    $('ov-session-help').textContent = sessionHelp[s.session] || '';
    $('ov-broker').textContent = s.broker || '—';
    $('ov-bdseq').textContent = s.bdSeq;
    $('ov-host').textContent = s.primaryHost === null ? 'none configured' : s.primaryHostId + ': ' + (s.primaryHost ? 'online' : 'offline');
    $('ov-host').className = 'big ' + (s.primaryHost === null ? 'muted' : s.primaryHost ? 'ok' : 'bad');
    $('ov-store').textContent = s.store.enabled ? s.store.pendingChanges + ' pending' : 'disabled';
    $('ov-store-size').textContent = s.store.enabled ? fmtBytes(s.store.bytes) + (s.store.dropped ? ' · ' + s.store.dropped + ' dropped' : '') : '';
    $('ov-devices').textContent = s.devicesOnline + ' of ' + s.devices + ' answering';
    $('ov-devices').className = 'big ' + (s.devicesOnline === s.devices ? 'ok' : 'bad');
    $('ov-uptime').textContent = 'up ' + fmtDuration(s.uptimeSeconds);
    $('ov-version').textContent = s.version;
    const list = $('ov-problems'); list.replaceChildren();
    for (const p of s.problems) {
      const li = el('li', p.level); li.append(el('span', 'where', fmtTime(p.time)), document.createTextNode(p.message)); list.append(li);
    }
    if (state.usersConfigured !== s.usersConfigured) { state.usersConfigured = s.usersConfigured; renderWho(); }
  }
  // Every 2 s on the Overview; elsewhere only the header's session badge needs it, every 10 s.
  let statusTicks = 0;
  setInterval(() => { statusTicks++; if (!document.hidden && (state.page === 'overview' || statusTicks % 5 === 0)) refreshStatus(); }, 2000);

  // ---- devices (live over Server-Sent Events) ----
  function openStream() {
    if (state.source) return;
    const source = new EventSource('/api/events');
    state.source = source;
    $('stream-state').textContent = 'connecting…';
    source.addEventListener('full', (e) => { buildDevices(JSON.parse(e.data)); $('stream-state').textContent = 'live'; });
    source.addEventListener('delta', (e) => { queue(JSON.parse(e.data)); $('stream-state').textContent = 'live'; });
    source.onerror = () => { $('stream-state').textContent = 'reconnecting…'; };
  }
  function closeStream() { if (state.source) { state.source.close(); state.source = null; } }

  function buildDevices(devices) {
    state.devices = devices; state.rows = [];
    const root = $('devices'); root.replaceChildren();
    if (devices.length === 0) root.append(el('p', 'muted', 'No devices in the map.'));
    devices.forEach((d, di) => {
      const box = el('div', 'device');
      const head = el('div', 'device-head');
      const health = { online: el('span', 'badge'), lastScan: el('span', 'small muted'), scan: el('span', 'small muted'), counts: el('span', 'small muted'), error: el('span', 'small err') };
      head.append(el('span', 'id', d.id), health.online, el('span', 'small muted', d.kind + (d.type ? ' · ' + d.type : '') + ' · every ' + d.scanPeriodMs + ' ms'), health.lastScan, health.scan, health.counts, health.error);
      box.append(head);
      const table = el('table');
      const thead = el('thead'); const hr = el('tr');
      for (const h of ['Metric', 'Value', 'Units', 'Datatype', 'Quality', 'Last change', '']) hr.append(el('th', null, h));
      thead.append(hr); table.append(thead);
      const tbody = el('tbody');
      const rows = [];
      d.metrics.forEach((m, mi) => {
        const tr = el('tr'); tr.dataset.name = m.name.toLowerCase();
        const cells = { tr, value: el('td', 'value'), quality: el('td'), changed: el('td', 'small muted') };
        const action = el('td');
        if (m.writable) {
          const b = el('button', 'small write', 'Write…'); b.hidden = !state.user;
          b.addEventListener('click', () => openWrite(di, mi)); action.append(b);
        }
        tr.append(el('td', 'mono', m.name), cells.value, el('td', 'muted', m.units || ''), el('td', 'muted small', m.datatype), cells.quality, cells.changed, action);
        tbody.append(tr); rows.push(cells);
        paint(cells, m, false);
      });
      table.append(tbody); box.append(table); root.append(box);
      state.rows.push({ health, metrics: rows });
      paintHealth(health, d);
    });
    applyFilter();
  }

  function paintHealth(h, d) {
    h.online.textContent = d.online ? 'answering' : 'not answering';
    h.online.className = 'badge ' + (d.online ? 'st-online' : 'st-storing');
    h.lastScan.textContent = 'last scan ' + fmtTime(d.lastScan);
    h.scan.textContent = 'scan ' + d.scanTimeMs + ' ms';
    h.counts.textContent = d.scans + ' scans · ' + d.scanErrors + ' errors';
    h.error.textContent = d.error || '';
  }

  function paint(cells, m, flash) {
    cells.value.textContent = fmtValue(m.value);
    cells.quality.textContent = m.quality; cells.quality.className = 'q-' + m.quality;
    cells.changed.textContent = fmtTime(m.changed);
    cells.tr.classList.toggle('stale', m.quality === 'stale'); cells.tr.classList.toggle('none', m.quality === 'none');
    // A changed value is highlighted for about a second, as a step rather than a fading animation: a fade repaints
    // every changing cell on every frame (the page's renderer used 70-76% of a core at 250 metrics that way); the step
    // costs two paints per change, both batched with other updates.
    if (flash) { cells.value.classList.add('fresh'); fresh.set(cells.value, performance.now()); if (!fresh.timer) fresh.timer = setInterval(unfresh, 250); }
  }
  const fresh = new Map();
  function unfresh() {
    const old = performance.now() - 1000;
    for (const [cell, at] of fresh) if (at < old) { cell.classList.remove('fresh'); fresh.delete(cell); }
    if (fresh.size === 0) { clearInterval(fresh.timer); fresh.timer = 0; }
  }

  // Updates are applied once per animation frame: a burst of messages never re-lays out the page more than once.
  function queue(delta) { state.pending.push(delta); if (!state.frame) state.frame = requestAnimationFrame(flush); }
  function flush() {
    state.frame = 0;
    const batch = state.pending; state.pending = [];
    for (const delta of batch) {
      for (const h of delta.devices) { const row = state.rows[h.i]; if (row) { Object.assign(state.devices[h.i], h); paintHealth(row.health, state.devices[h.i]); } }
      for (const v of delta.values) {
        const row = state.rows[v.d]; if (!row || !row.metrics[v.m]) continue;
        const m = state.devices[v.d].metrics[v.m]; Object.assign(m, v);
        paint(row.metrics[v.m], m, true);
      }
    }
  }

  function applyFilter() {
    const q = $('filter').value.trim().toLowerCase();
    for (const row of state.rows) for (const c of row.metrics) c.tr.classList.toggle('hidden', q !== '' && !c.tr.dataset.name.includes(q));
  }
  $('filter').addEventListener('input', applyFilter);

  // ---- writing a value (confirmed) ----
  let writing = null;
  function openWrite(di, mi) {
    const d = state.devices[di], m = d.metrics[mi];
    writing = { device: d.id, metric: m.name, datatype: m.datatype };
    $('write-target').textContent = d.id + '/' + m.name;
    $('write-current').textContent = fmtValue(m.value) + (m.units ? ' ' + m.units : '');
    $('write-type').textContent = m.datatype;
    const isBool = m.datatype === 'Boolean';
    $('write-bool').hidden = !isBool; $('write-value').parentElement.hidden = isBool;
    $('write-value').required = !isBool; $('write-value').value = isBool ? '' : fmtValue(m.value);
    $('write-error').textContent = '';
    $('write-dialog').showModal();
  }
  $('write-cancel').addEventListener('click', () => $('write-dialog').close());
  $('write-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!writing) return;
    let value;
    if (writing.datatype === 'Boolean') value = $('write-select').value === 'true';
    else if (['String', 'Text'].includes(writing.datatype)) value = $('write-value').value;
    else { value = Number($('write-value').value.trim()); if ($('write-value').value.trim() === '' || Number.isNaN(value)) { $('write-error').textContent = 'Enter a number.'; return; } }
    const path = '/api/devices/' + encodeURIComponent(writing.device) + '/metrics/' + writing.metric.split('/').map(encodeURIComponent).join('/');
    const r = await api('POST', path, { value });
    if (r.ok) { $('write-dialog').close(); toast('Sent ' + writing.device + '/' + writing.metric + ' = ' + fmtValue(value) + '; the device reports the new value at its next scan.'); }
    else { $('write-error').textContent = (r.data && r.data.error) || ('refused (' + r.status + ')'); }
  });

  // ---- device map editor ----
  const text = $('map-text'), gutter = $('gutter');
  let errorLines = new Set();
  function renderGutter() {
    const n = text.value.split('\n').length;
    const frag = document.createDocumentFragment();
    for (let i = 1; i <= n; i++) { const s = el('span', errorLines.has(i) ? 'err' : null, String(i)); s.dataset.line = i; frag.append(s); }
    gutter.replaceChildren(frag); gutter.scrollTop = text.scrollTop;
  }
  text.addEventListener('input', () => { renderGutter(); $('map-status').textContent = 'edited (not saved)'; });
  text.addEventListener('scroll', () => { gutter.scrollTop = text.scrollTop; });
  text.addEventListener('keydown', (e) => { if (e.key === 'Tab') { e.preventDefault(); document.execCommand('insertText', false, '  '); } });

  async function showMap() {
    const locked = $('map-locked');
    if (!state.user) {
      $('map-editor').hidden = true; locked.hidden = false;
      locked.textContent = state.usersConfigured
        ? 'Sign in to view and edit the device map.'
        : 'This console is read-only: no users are configured. Add web.users (hashes from `edgenode passwd`) to edit the map here.';
      return;
    }
    locked.hidden = true; $('map-editor').hidden = false;
    if (!state.mapLoaded) await loadMap();
  }

  async function loadMap() {
    const r = await api('GET', '/api/config');
    if (!r.ok) { toast((r.data && r.data.error) || 'cannot load the map', true); return; }
    text.value = r.data; state.mapLoaded = true; errorLines = new Set(); renderGutter();
    $('map-problems').replaceChildren(); $('map-status').textContent = '';
    const inc = await api('GET', '/api/config/includes');
    if (inc.ok) {
      $('map-path').textContent = inc.data.config;
      const list = $('includes'); list.replaceChildren();
      if (inc.data.files.length === 0) list.append(el('li', 'muted', 'No included type files.'));
      for (const f of inc.data.files) {
        const li = el('li'); const b = el('button', 'small', 'View'); b.addEventListener('click', () => viewInclude(f.path));
        li.append(b, document.createTextNode(' '), el('span', 'mono', f.path), el('span', 'muted small', ' — ' + f.types.join(', ')));
        list.append(li);
      }
    }
  }

  async function viewInclude(path) {
    const r = await api('GET', '/api/config?include=' + encodeURIComponent(path));
    const view = $('include-view'); view.hidden = false; view.textContent = r.ok ? r.data : ((r.data && r.data.error) || 'cannot read');
  }

  function showProblems(result) {
    const list = $('map-problems'); list.replaceChildren();
    const main = $('map-path').textContent;
    errorLines = new Set();
    for (const p of result.errors) {
      const inMain = !p.file || p.file === main || main.endsWith('/' + p.file) || p.file.endsWith(main);
      const li = el('li', 'error');
      li.append(el('span', 'where', (inMain ? '' : p.file + ' ') + 'line ' + p.line + ', column ' + p.column), document.createTextNode(p.message));
      if (inMain) { li.dataset.line = p.line; li.dataset.column = p.column; errorLines.add(p.line); li.addEventListener('click', () => goTo(p.line, p.column)); }
      list.append(li);
    }
    renderGutter();
  }

  function goTo(line, column) {
    const lines = text.value.split('\n');
    let pos = 0; for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    text.focus(); text.setSelectionRange(pos + Math.max(0, column - 1), pos + (lines[line - 1] || '').length);
    text.scrollTop = Math.max(0, (line - 5) * parseFloat(getComputedStyle(text).lineHeight));
  }

  $('map-validate').addEventListener('click', async () => {
    const r = await api('POST', '/api/config/validate', text.value, 'application/yaml');
    if (!r.ok) { toast('validation failed (' + r.status + ')', true); return; }
    showProblems(r.data);
    $('map-status').textContent = r.data.valid ? 'valid' : r.data.errors.length + ' problem(s)';
    $('map-status').className = 'small ' + (r.data.valid ? 'ok' : 'bad');
  });
  $('map-save').addEventListener('click', async () => {
    if (!confirm('Save the device map and apply it now? The node rebirths (or reconnects) with the new map; the previous file is kept as .prev.')) return;
    const r = await api('PUT', '/api/config', text.value, 'application/yaml');
    if (r.status === 422) { showProblems(r.data); $('map-status').textContent = 'not saved: ' + r.data.errors.length + ' problem(s)'; $('map-status').className = 'small bad'; return; }
    if (!r.ok) {
      const why = (r.data && (r.data.error || r.data.applied)) || ('save failed (' + r.status + ')');
      $('map-status').textContent = why; $('map-status').className = 'small bad'; toast(why, true); return;
    }
    showProblems({ errors: [] });
    $('map-status').textContent = 'saved · ' + (r.data.applied || 'applied'); $('map-status').className = 'small ok';
    toast('Saved and applied');
  });
  $('map-revert').addEventListener('click', () => { state.mapLoaded = false; loadMap(); });

  // ---- start ----
  loadSession().then(route);
})();
