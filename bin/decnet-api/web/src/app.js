// The DECNET dashboard: a small hash-routed single page over /api/v1. No framework; uPlot (bundled at build
// time from npm) draws the charts when present, otherwise every chart falls back to a table.
'use strict';

const API = '/api/v1';
const hasCharts = typeof window.uPlot === 'function';
// The page runs under Content-Security-Policy: default-src 'self' (no inline handlers or scripts), so
// the missing-chart-library case is handled here rather than by an onerror attribute.
if (!hasCharts) document.getElementById('uplot-css')?.remove();
const state = { token: sessionStorage.getItem('decnet_token'), events: [], stream: null, timers: [] };
const $main = document.getElementById('main');

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) el.append(c instanceof Node ? c : document.createTextNode(c ?? ''));
  return el;
}

async function api(path, opts = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (state.token) headers.Authorization = 'Bearer ' + state.token;
  const res = await fetch(API + path, { ...opts, headers });
  if (res.status === 401 && !path.startsWith('/auth/login')) { logout(); throw new Error('session expired'); }
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

function table(columns, rows, onClick) {
  return h('table', {},
    h('thead', {}, h('tr', {}, columns.map(c => h('th', {}, c.title)))),
    h('tbody', {}, rows.map(r => {
      const tr = h('tr', onClick ? { class: 'click', onclick: () => onClick(r) } : {},
        columns.map(c => h('td', {}, c.render ? c.render(r) : String(r[c.key] ?? ''))));
      if (r.__ip) tr.dataset.ip = r.__ip;
      return tr;
    })));
}

function fmtTime(t) { return t ? t.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : ''; }
function list(v) { return Array.isArray(v) ? v.join(', ') : (v == null ? '' : JSON.stringify(v)); }

// A line chart: series = [{label, points: [[t, y], ...]}]. Falls back to a table without uPlot.
function lineChart(title, series, yLabel) {
  const box = h('div', { class: 'chart' }, h('div', { class: 'muted' }, title));
  const times = [...new Set(series.flatMap(s => s.points.map(p => p[0])))].sort((a, b) => a - b);
  if (!hasCharts || times.length === 0) {
    const rows = times.map(t => {
      const row = { t: new Date(t * 1000).toISOString() };
      for (const s of series) { const p = s.points.find(q => q[0] === t); row[s.label] = p ? p[1] : ''; }
      return row;
    });
    box.append(table([{ title: 'time', key: 't' }, ...series.map(s => ({ title: s.label, key: s.label }))], rows.slice(-50)));
    return box;
  }
  const data = [times, ...series.map(s => { const m = new Map(s.points); return times.map(t => m.has(t) ? m.get(t) : null); })];
  const palette = ['#39bae6', '#7fd962', '#ffb454', '#f07178', '#d2a6ff', '#95e6cb', '#e6b673', '#59c2ff'];
  const opts = {
    width: Math.min(1100, window.innerWidth - 60), height: 260, spanGaps: true,
    axes: [{ stroke: '#8a919a' }, { stroke: '#8a919a', label: yLabel }],
    series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: palette[i % palette.length], width: s.width || 1.5 }))],
  };
  new uPlot(opts, data, box);
  return box;
}

// ---- pages ------------------------------------------------------------------------------------------

async function pageOverview() {
  const [stats, hist] = await Promise.all([api('/stats'), api('/logs/histogram?bucket=3600')]);
  const card = (label, n, id) => h('div', { class: 'card', id }, h('div', { class: 'muted' }, label), h('div', { class: 'n' }, String(n)));
  $main.replaceChildren(
    h('h2', {}, 'Overview'),
    h('div', { class: 'cards' },
      card('Attackers', stats.attackers, 'stat-attackers'), card('Events', stats.total_logs, 'stat-events'),
      card('Credentials', stats.total_credentials, 'stat-credentials'), card('Deckies', stats.deckies, 'stat-deckies'),
      card('Bounty', stats.total_bounty, 'stat-bounty')),
    lineChart('Events per hour', [{ label: 'events', points: hist.buckets.map(b => [b.t, b.count]) }], 'events'));
}

async function pageAttackers(params) {
  const order = params.get('order') || 'last_seen';
  const search = params.get('search') || '';
  const wrap = h('div');
  const form = h('form', { class: 'filters', onsubmit: e => {
    e.preventDefault();
    location.hash = '#/attackers?order=' + form.order.value + '&search=' + encodeURIComponent(form.search.value);
  } },
    h('input', { name: 'search', placeholder: 'search IP', value: search }),
    h('select', { name: 'order' }, ['last_seen', 'score'].map(o => h('option', { value: o, selected: o === order }, 'sort by ' + o))),
    h('button', {}, 'Apply'),
    h('a', { href: API + '/attackers/export?format=csv', onclick: e => { e.preventDefault(); download('csv'); } }, ' Export CSV'),
    h('a', { href: '#', onclick: e => { e.preventDefault(); download('json'); } }, ' Export JSON'));
  $main.replaceChildren(h('h2', {}, 'Attackers'), form, wrap);
  const cols = [
    { title: 'IP', key: 'ip' }, { title: 'score', key: 'score' }, { title: 'events', key: 'event_count' },
    { title: 'last seen', render: r => fmtTime(r.last_seen) }, { title: 'first seen', render: r => fmtTime(r.first_seen) },
    { title: 'services', render: r => list(r.services) }, { title: 'deckies', render: r => list(r.deckies) },
    { title: 'creds', key: 'credential_count' }];
  let cursor = null;
  const load = async () => {
    const q = new URLSearchParams({ order, limit: '50' });
    if (search) q.set('search', search);
    if (cursor) q.set('cursor', cursor);
    const page = await api('/attackers?' + q);
    page.items.forEach(r => { r.__ip = r.ip; });
    wrap.append(table(cols, page.items, r => { location.hash = '#/attacker/' + encodeURIComponent(r.ip); }));
    cursor = page.next_cursor;
    if (cursor) wrap.append(h('button', { onclick: e => { e.target.remove(); load(); } }, 'More'));
  };
  await load();
}

async function download(format) {
  const res = await fetch(API + '/attackers/export?format=' + format, { headers: { Authorization: 'Bearer ' + state.token } });
  const blob = await res.blob();
  const a = h('a', { href: URL.createObjectURL(blob), download: 'attackers.' + format });
  a.click();
}

async function pageAttacker(ip) {
  const a = await api('/attackers/' + encodeURIComponent(ip));
  const kv = obj => table([{ title: 'field', key: 'k' }, { title: 'value', key: 'v' }],
    Object.entries(obj).map(([k, v]) => ({ k, v: typeof v === 'object' ? JSON.stringify(v) : String(v) })));
  const profile = { ip: a.ip, score: a.score, events: a.event_count, first_seen: fmtTime(a.first_seen),
    last_seen: fmtTime(a.last_seen), services: list(a.services), deckies: list(a.deckies),
    traversal: a.is_traversal ? list(a.traversal) : 'no', reasons: list(a.score_reasons) };
  $main.replaceChildren(
    h('h2', { id: 'attacker-title' }, 'Attacker ' + a.ip),
    h('h3', {}, 'Profile'), kv(profile),
    h('h3', {}, 'Behaviour'), a.behavior ? kv(a.behavior) : h('p', { class: 'muted' }, 'none yet'),
    h('h3', {}, 'Fingerprints'), h('pre', {}, JSON.stringify(a.fingerprints, null, 1)),
    h('h3', {}, 'Commands'), h('pre', {}, (a.commands || []).join('\n')),
    h('h3', {}, 'Credentials'),
    table([{ title: 'time', render: r => fmtTime(r.ts) }, { title: 'service', key: 'service' }, { title: 'decky', key: 'decky' },
      { title: 'username', key: 'username' }, { title: 'secret', key: 'secret' }], a.credentials),
    h('h3', {}, 'Bounty'),
    table([{ title: 'time', render: r => fmtTime(r.ts) }, { title: 'type', key: 'bounty_type' },
      { title: 'payload', render: r => JSON.stringify(r.payload) }], a.bounty));
}

const eventCols = [
  { title: 'time', render: e => new Date(e.ts * 1000).toISOString().replace('T', ' ').slice(0, 19) },
  { title: 'topic', key: 'topic' },
  { title: 'payload', render: e => JSON.stringify(e.payload).slice(0, 300) }];

function pageLive() {
  const body = h('tbody', { id: 'live-rows' });
  for (const e of state.events) body.append(eventRow(e));
  $main.replaceChildren(h('h2', {}, 'Live events'),
    h('p', { class: 'muted' }, 'attacker.*, system.log, credential.*, decky.* as they happen'),
    h('table', {}, h('thead', {}, h('tr', {}, eventCols.map(c => h('th', {}, c.title)))), body));
}

function eventRow(e) {
  return h('tr', { class: 'new' }, eventCols.map(c => h('td', {}, c.render ? c.render(e) : String(e[c.key] ?? ''))));
}

// The stream authenticates with a single-use ticket bought with the bearer token (a token in the URL
// would land in logs and history). EventSource's own reconnect would replay a used ticket, so on any
// error the stream is closed and started again with a fresh ticket; the server also ends a stream
// when its token expires or is revoked, and then the ticket request fails and logs out.
async function startStream() {
  if (state.stream || !state.token) return;
  state.stream = 'starting';
  const status = document.getElementById('live-status');
  let ticket;
  try {
    ticket = (await api('/stream/ticket', { method: 'POST' })).ticket;
  } catch (e) {
    if (state.stream === 'starting') state.stream = null;
    if (state.token) state.reconnect = setTimeout(startStream, 5000);
    return;
  }
  if (state.stream !== 'starting' || !state.token) return;
  const es = new EventSource(API + '/stream?ticket=' + encodeURIComponent(ticket));
  state.stream = es;
  es.onopen = () => { status.textContent = '● live'; };
  es.onerror = () => {
    status.textContent = '○ reconnecting';
    es.close();
    if (state.stream === es) state.stream = null;
    clearTimeout(state.reconnect);
    if (state.token) state.reconnect = setTimeout(startStream, 3000);
  };
  const onEvent = msg => {
    let e;
    try { e = JSON.parse(msg.data); } catch { return; }
    state.events.unshift(e);
    if (state.events.length > 200) state.events.pop();  // bounded, like everything else here
    const rows = document.getElementById('live-rows');
    if (rows) rows.prepend(eventRow(e));
  };
  // The server sends unnamed events (the topic is inside the JSON envelope), so onmessage sees them all.
  es.onmessage = onEvent;
}

async function pageLogs(params) {
  const fields = ['since', 'until', 'attacker', 'decky', 'service', 'event_type', 'q'];
  const form = h('form', { class: 'filters', onsubmit: e => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const f of fields) if (form[f].value) q.set(f, form[f].value);
    location.hash = '#/logs?' + q;
  } }, fields.map(f => h('input', { name: f, placeholder: f, value: params.get(f) || '' })), h('button', {}, 'Search'));
  const wrap = h('div');
  const err = h('p', { class: 'error' });
  $main.replaceChildren(h('h2', {}, 'Logs'), form, err, wrap);
  const cols = [{ title: 'time', render: r => fmtTime(r.ts) }, { title: 'decky', key: 'decky' }, { title: 'service', key: 'service' },
    { title: 'type', key: 'event_type' }, { title: 'attacker', key: 'attacker_ip' }, { title: 'message', key: 'msg' }];
  let before = null;
  const load = async () => {
    const q = new URLSearchParams();
    for (const f of fields) if (params.get(f)) q.set(f, params.get(f));
    q.set('limit', '100');
    if (before) q.set('before_id', before);
    try {
      const page = await api('/logs?' + q);
      wrap.append(table(cols, page.items));
      before = page.next_before_id;
      if (before) wrap.append(h('button', { onclick: e => { e.target.remove(); load(); } }, 'Older'));
    } catch (e) { err.textContent = e.message; }
  };
  await load();
}

async function pageDeckies() {
  const [topos, deckies] = await Promise.all([api('/topologies'), api('/deckies')]);
  $main.replaceChildren(h('h2', {}, 'Topologies'),
    table([{ title: 'id', key: 'id' }, { title: 'name', key: 'name' }, { title: 'status', key: 'status' },
      { title: 'created', render: r => fmtTime(r.created_at) }], topos.items),
    h('h2', {}, 'Deckies'),
    table([{ title: 'name', key: 'name' }, { title: 'ip', key: 'ip' }, { title: 'state', key: 'state' },
      { title: 'topology', key: 'topology_id' }, { title: 'services', render: r => list(r.config && r.config.services) }],
    deckies.items));
}

async function pageWorkers() {
  const render = async () => {
    const w = await api('/workers');
    const series = w.workers.filter(x => x.pss_history.length).map(x => ({ label: x.name, points: x.pss_history }));
    if (w.fleet_history.length) series.push({ label: 'fleet total', points: w.fleet_history, width: 3 });
    $main.replaceChildren(h('h2', {}, 'Workers'),
      h('p', {}, 'Fleet PSS (workers ok): ', h('strong', { id: 'fleet-pss' }, (w.fleet_pss_kib / 1024).toFixed(1) + ' MiB')),
      table([{ title: 'worker', key: 'name' }, { title: 'status', render: r => h('span', { class: r.status }, r.status) },
        { title: 'PSS KiB', key: 'pss_kib' }, { title: 'pid', key: 'pid' },
        { title: 'last heartbeat', render: r => r.last_seen ? Math.round(r.age_s) + ' s ago' : 'never' },
        { title: '', render: r => r.status === 'ok' ? h('button', { onclick: async e => {
          e.stopPropagation();
          if (confirm('Stop ' + r.name + '?')) await api('/workers/' + r.name + '/stop', { method: 'POST' });
        } }, 'stop') : '' }], w.workers),
      lineChart('PSS per worker and fleet total (KiB)', series, 'KiB'));
  };
  await render();
  state.timers.push(setInterval(() => render().catch(() => {}), 10000));
}

function pageLogin(message) {
  document.getElementById('nav').hidden = true;
  const err = h('p', { class: 'error', id: 'login-error' }, message || '');
  const form = h('form', { class: 'login', onsubmit: async e => {
    e.preventDefault();
    try {
      const r = await api('/auth/login', { method: 'POST', body: JSON.stringify({ username: form.username.value, password: form.password.value }) });
      state.token = r.access_token;
      sessionStorage.setItem('decnet_token', r.access_token);
      location.hash = '#/overview';
      route();
    } catch (ex) { err.textContent = ex.message; }
  } }, h('h2', {}, 'DECNET sign in'), h('input', { name: 'username', placeholder: 'username', autocomplete: 'username' }),
  h('input', { name: 'password', type: 'password', placeholder: 'password', autocomplete: 'current-password' }),
  h('button', { id: 'login-button' }, 'Sign in'), err);
  $main.replaceChildren(form);
}

function logout() {
  if (state.token) fetch(API + '/auth/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + state.token } }).catch(() => {});
  state.token = null;
  sessionStorage.removeItem('decnet_token');
  clearTimeout(state.reconnect);
  if (state.stream && state.stream.close) state.stream.close();
  state.stream = null;
  pageLogin();
}

async function route() {
  state.timers.forEach(clearInterval);
  state.timers = [];
  if (!state.token) return pageLogin();
  document.getElementById('nav').hidden = false;
  document.getElementById('nocharts').hidden = hasCharts;
  startStream();
  const [path, query] = (location.hash.slice(1) || '/overview').split('?');
  const params = new URLSearchParams(query || '');
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.getAttribute('href') === '#' + path);
  try {
    if (path === '/logout') return logout();
    if (path.startsWith('/attacker/')) return await pageAttacker(decodeURIComponent(path.slice(10)));
    const pages = { '/overview': pageOverview, '/attackers': pageAttackers, '/live': pageLive, '/logs': pageLogs,
      '/deckies': pageDeckies, '/workers': pageWorkers };
    await (pages[path] || pageOverview)(params);
  } catch (e) {
    if (state.token) $main.replaceChildren(h('p', { class: 'error' }, e.message));
  }
}

window.addEventListener('hashchange', route);
route();
