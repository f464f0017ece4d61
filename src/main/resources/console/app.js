// The run console: polls /api/overview, renders with textContent only (no HTML from data), sends every change
// with the session's token (X-CSRF-Token). Views by location hash: #/ (home), #/run/<name>, #/plan/<name>.

const $ = (id) => document.getElementById(id);
const STATUSES = ['UPDATED', 'UNCHANGED', 'NOT_FOUND', 'INVALID', 'DUPLICATE', 'FAILED', 'DRY_RUN', 'CHANGED_SINCE_PLAN'];
const POLL_MS = 1500;
const PAGE = 50;

let session = null;
let chosen = null;
let page = { name: null, offset: 0, status: '' };

// A table is rebuilt only when its data changed: a poll must not replace the button a person is about to press
// (or has focused with the keyboard).
const rendered = {};
function renderIfChanged(key, data, render) {
  const text = JSON.stringify(data);
  if (rendered[key] === text) return;
  rendered[key] = text;
  render(data);
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (options.method && options.method !== 'GET') {
    headers['X-CSRF-Token'] = session ? session.token : '';
  }
  const response = await fetch(path, Object.assign({}, options, { headers, credentials: 'same-origin' }));
  let body = null;
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('application/json')) {
    body = await response.json();
  }
  if (!response.ok) {
    const error = new Error(body && body.error ? body.error : `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

function badge(word, cls) {
  return el('span', word, `badge s-${cls || word}`);
}

function stateBadge(state) {
  return el('span', state, `badge s-${String(state).split(' ')[0]}`);
}

function countBadges(counts) {
  const wrap = el('span', null, 'counts');
  if (!counts) return wrap;
  for (const s of STATUSES) {
    const n = counts[s];
    if (n) wrap.append(badge(`${s} ${n.toLocaleString()}`, s));
  }
  return wrap;
}

// ---- pictures: plain SVG, built with createElementNS (no HTML from data, nothing fetched) ----

const SVG_NS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  return e;
}

// A run's statuses as one stacked bar, read with the labels beside it (same order), so colour is never the only
// cue; each part also names itself on hover and to screen readers.
function statusBar(counts) {
  const wrap = el('div', null, 'statusbar');
  const parts = STATUSES.filter((s) => counts && counts[s]).map((s) => [s, counts[s]]);
  const total = parts.reduce((n, [, k]) => n + k, 0);
  if (total) {
    const bar = svg('svg', { viewBox: '0 0 100 8', preserveAspectRatio: 'none', role: 'img', class: 'bar',
      'aria-label': parts.map(([s, k]) => `${s} ${k}`).join(', ') });
    let x = 0;
    for (const [s, k] of parts) {
      const w = (100 * k) / total;
      const r = svg('rect', { x, y: 0, width: w, height: 8, class: `f-${s}` });
      const t = svg('title'); t.textContent = `${s} ${k.toLocaleString()}`; r.append(t);
      bar.append(r);
      x += w;
    }
    wrap.append(bar);
  }
  wrap.append(countBadges(counts));
  return wrap;
}

// One panel of a run's chart: a line over time, its title and latest value as text, and vertical marks.
function panel(title, t, values, marks, format) {
  const box = el('div', null, 'panel');
  const known = values.filter((v) => v !== null && v !== undefined);
  const last = known.length ? known[known.length - 1] : null;
  const head = el('div', `${title}: `, 'ptitle');
  head.append(el('b', last === null ? 'not reported' : format(last)));
  box.append(head);
  const W = 300; const H = 60;
  const tMax = Math.max(1, t[t.length - 1] || 0);
  const vMax = Math.max(1, ...known);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', class: 'plot', role: 'img',
    'aria-label': `${title} over ${duration(tMax)}: now ${last === null ? 'not reported' : format(last)}, at most ${format(vMax)}` });
  chart.append(svg('line', { x1: 0, y1: H - 0.5, x2: W, y2: H - 0.5, class: 'axis' }));
  for (const m of marks) {
    const x = (W * t[m.at]) / tMax;
    const mark = svg('line', { x1: x, y1: 0, x2: x, y2: H, class: `mark m-${m.kind}` });
    const tt = svg('title'); tt.textContent = m.label; mark.append(tt);
    chart.append(mark);
  }
  const points = [];
  values.forEach((v, i) => { if (v !== null && v !== undefined) points.push(`${((W * t[i]) / tMax).toFixed(1)},${(H - 2 - ((H - 4) * v) / vMax).toFixed(1)}`); });
  if (points.length) chart.append(svg('polyline', { points: points.join(' '), class: 'line' }));
  box.append(chart, el('div', `0 – ${format(vMax)}, over ${duration(tMax)}`, 'muted scale'));
  return box;
}

// The run over time: rows done, requests per second (429s and retries marked), Close's RateLimit remaining.
function renderChart(series) {
  const fig = $('run-chart');
  fig.hidden = !series || !series.t_ms || series.t_ms.length < 2;
  if (fig.hidden) return;
  const t = series.t_ms;
  const perSecond = t.map((ms, i) => (i === 0 ? 0 : ((series.requests[i] - series.requests[i - 1]) * 1000) / Math.max(1, ms - t[i - 1])));
  const marks = [];
  for (let i = 1; i < t.length; i++) {
    const r429 = series.rate_limited[i] - series.rate_limited[i - 1];
    const retries = series.retries[i] - series.retries[i - 1];
    if (r429 > 0) marks.push({ at: i, kind: 'r429', label: `${r429} × 429 at ${duration(t[i])}` });
    else if (retries > 0) marks.push({ at: i, kind: 'retry', label: `${retries} retr${retries === 1 ? 'y' : 'ies'} at ${duration(t[i])}` });
  }
  const n429 = series.rate_limited[t.length - 1]; const nRetries = series.retries[t.length - 1];
  const whole = (v) => Math.round(v).toLocaleString();
  $('run-chart-panels').replaceChildren(
    panel('Rows done', t, series.rows, [], whole),
    panel('Requests per second', t, perSecond, marks, (v) => (v < 10 ? v.toFixed(1) : whole(v))),
    panel('RateLimit remaining', t, series.remaining, marks.filter((m) => m.kind === 'r429'), whole));
  $('run-chart-note').textContent = `${n429} × 429 (red marks), ${nRetries} retr${nRetries === 1 ? 'y' : 'ies'} (orange marks).`;
}

function duration(ms) {
  if (ms === null || ms === undefined) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

function runLink(name, text) {
  const a = el('a', text || name);
  a.href = `#/run/${encodeURIComponent(name)}`;
  return a;
}

function cell(row, content, className) {
  const td = el('td', null, className);
  if (content instanceof Node) td.append(content); else td.textContent = content === undefined || content === null ? '' : String(content);
  row.append(td);
  return td;
}

// ---- home ----

function renderHealth(o) {
  const banner = $('banner');
  if (o.health.halted) {
    banner.replaceChildren(el('span', `Halted: no request goes to Close. ${o.health.reason || ''}`), el('p', o.health.advice || ''));
    banner.hidden = false;
  } else {
    banner.hidden = true;
  }
  $('health-state').replaceChildren(o.health.halted ? stateBadge('halted') : el('span', 'running', 'badge s-done'),
    el('span', o.health.halted ? ' Close refused this key or endpoint.' : ' Calls are paced on Close\u2019s RateLimit header.'));
  const body = $('rate').tBodies[0];
  body.replaceChildren();
  const groups = Object.entries(o.rate_limit || {});
  if (!groups.length) {
    const tr = el('tr'); const td = cell(tr, 'No request yet.', 'muted'); td.colSpan = 6; body.append(tr);
  }
  for (const [group, g] of groups) {
    const tr = el('tr');
    cell(tr, group);
    cell(tr, g.sent, 'num');
    cell(tr, g.in_flight, 'num');
    cell(tr, g.remaining === null ? 'not reported' : g.remaining, 'num');
    cell(tr, g.reset_in_ms ? duration(g.reset_in_ms) : '—', 'num');
    cell(tr, g.rate_limited, 'num');
    body.append(tr);
  }
}

function renderPlans(plans) {
  const body = $('plans').tBodies[0];
  body.replaceChildren();
  $('plans-empty').hidden = plans.length > 0;
  for (const p of plans) {
    const tr = el('tr');
    const a = el('a', p.name);
    a.href = `#/plan/${encodeURIComponent(p.name)}`;
    cell(tr, a);
    cell(tr, stateBadge(p.state));
    cell(tr, p.rows.toLocaleString(), 'num');
    cell(tr, countBadges(p.counts));
    cell(tr, when(p.planned_at));
    body.append(tr);
  }
}

function renderRuns(runs) {
  const body = $('runs').tBodies[0];
  body.replaceChildren();
  $('runs-empty').hidden = runs.length > 0;
  for (const r of runs) {
    const tr = el('tr');
    tr.dataset.run = r.name;
    cell(tr, runLink(r.name));
    cell(tr, r.dry_run ? `${r.kind} (preview)` : r.kind);
    const state = cell(tr, stateBadge(r.state));
    if (r.state === 'running' && r.total) {
      const bar = el('progress');
      bar.max = r.total; bar.value = r.rows;
      bar.setAttribute('aria-label', `${r.name} progress`);
      state.append(el('br'), bar, el('span', r.eta_s !== null && r.eta_s !== undefined ? ` about ${duration(r.eta_s * 1000)} left` : ''));
    }
    if (r.reason && r.state !== 'done') state.append(el('div', r.reason, 'muted'));
    cell(tr, r.total ? `${r.rows.toLocaleString()} of ${r.total.toLocaleString()}` : (r.rows || 0).toLocaleString(), 'num');
    cell(tr, statusBar(r.counts));
    cell(tr, r.requests, 'num');
    cell(tr, duration(r.duration_ms), 'num');
    cell(tr, when(r.start));
    body.append(tr);
  }
}

function sweepButton(s, dry) {
  const b = el('button', dry ? 'Dry run now' : 'Run now', `small${dry ? ' secondary' : ''}`);
  b.type = 'button';
  b.disabled = !s.enabled;
  b.setAttribute('aria-label', `${dry ? 'Dry run' : 'Run'} sweep ${s.id} now`);
  b.addEventListener('click', async () => {
    const what = dry ? `Dry-run sweep ${s.id} now? It lists and reports, and sends no update.`
      : `Run sweep ${s.id} now? It updates every task its filter matches.`;
    if (!window.confirm(what)) return;
    try {
      await api(`/api/sweeps/${encodeURIComponent(s.id)}/run?dry=${dry}`, { method: 'POST' });
      status('upload-status', `Sweep ${s.id} started${dry ? ' (dry run)' : ''}: it appears under Runs.`);
    } catch (e) {
      status('upload-status', e.message, true);
    }
  });
  return b;
}

function renderSweeps(sweeps) {
  const body = $('sweeps').tBodies[0];
  body.replaceChildren();
  $('sweeps-empty').hidden = sweeps.length > 0;
  for (const s of sweeps) {
    const tr = el('tr');
    const name = cell(tr, s.id);
    name.append(el('br'), s.enabled ? el('span', 'on', 'badge s-done') : el('span', 'off', 'badge s-off'));
    cell(tr, el('code', s.filter || ''));
    cell(tr, Object.entries(s.update || {}).map(([k, v]) => `${k} = ${v}`).join(', '));
    cell(tr, s.cron ? `${s.cron} (${s.time_zone})` : '');
    cell(tr, s.enabled ? when(s.next_run) : 'off: set sweep.' + s.id + '.enabled=true');
    cell(tr, when(s.last_run));
    const history = el('ol', null, 'history');
    for (const h of s.history || []) {
      const li = el('li');
      li.append(runLink(h.name, when(h.start)), el('span', ' '), stateBadge(h.dry_run ? `${h.state} (dry run)` : h.state), statusBar(h.counts));
      history.append(li);
    }
    if (!history.children.length) history.append(el('li', 'no run yet', 'muted'));
    cell(tr, history);
    const actions = cell(tr, null);
    actions.append(sweepButton(s, true), document.createTextNode(' '), sweepButton(s, false));
    body.append(tr);
  }
}

async function refreshHome() {
  const o = await api('/api/overview');
  renderHealth(o);
  renderIfChanged('plans', o.plans, renderPlans);
  renderIfChanged('runs', o.runs, renderRuns);
  renderIfChanged('sweeps', o.sweeps, renderSweeps);
}

// ---- upload ----

function status(id, text, bad) {
  const p = $(id);
  p.textContent = text;
  p.className = bad ? 'badge s-FAILED' : '';
}

function choose(file) {
  chosen = file || null;
  $('picked').textContent = chosen ? `${chosen.name} (${chosen.size.toLocaleString()} bytes)` : '';
  $('preview-btn').disabled = !chosen;
  $('apply-btn').disabled = !chosen;
}

async function upload(mode) {
  if (!chosen) return;
  if (!chosen.name.toLowerCase().endsWith('.csv')) {
    status('upload-status', 'Only .csv files are accepted.', true);
    return;
  }
  if (session && chosen.size > session.upload_max_bytes) {
    status('upload-status', `The file is larger than ${session.upload_max_bytes.toLocaleString()} bytes: drop it into the inbox folder instead.`, true);
    return;
  }
  if (mode === 'apply' && !window.confirm(`Apply ${chosen.name} now? Its changes are sent to Close at once.`)) return;
  try {
    const r = await api(`/api/uploads?name=${encodeURIComponent(chosen.name)}&mode=${mode}`,
      { method: 'POST', body: chosen, headers: { 'Content-Type': 'text/csv' } });
    status('upload-status', mode === 'preview' ? `Previewing ${r.file}…` : `Applying ${r.file}…`);
    choose(null);
    $('file').value = '';
    location.hash = `#/run/${encodeURIComponent(r.run)}`;
  } catch (e) {
    status('upload-status', e.message, true);
  }
}

function setUpUpload() {
  $('file').addEventListener('change', (e) => choose(e.target.files[0]));
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
  });
  $('preview-btn').addEventListener('click', () => upload('preview'));
  $('apply-btn').addEventListener('click', () => upload('apply'));
}

// ---- a run ----

async function refreshRun(name) {
  let r;
  try {
    r = await api(`/api/runs/${encodeURIComponent(name)}`);
  } catch (e) {
    if (e.status === 404) {
      $('run-h').textContent = name;
      $('run-meta').replaceChildren(stateBadge('waiting'), el('span', ' The file is queued: its run starts in a moment.'));
      return;
    }
    throw e;
  }
  const s = r.summary || r;
  $('run-h').textContent = name;
  const meta = [stateBadge(r.state), el('span', ` ${s.source || ''}`)];
  if (s.dry_run) meta.push(el('span', ' — a preview: nothing was sent'));
  if (s.approved_by) meta.push(el('span', ` — approved by ${s.approved_by} at ${when(s.approved_at)}`));
  if (s.reason) meta.push(el('div', s.reason, 'muted'));
  if (r.state !== 'running') {
    meta.push(el('div', `${(s.rows || 0).toLocaleString()} rows, ${s.requests ? s.requests.total : 0} requests, ${duration(s.duration_ms)}`, 'muted'));
  }
  $('run-meta').replaceChildren(...meta);
  const running = r.state === 'running';
  $('run-progress').hidden = !running;
  if (running) {
    $('run-bar').max = Math.max(1, r.total);
    $('run-bar').value = r.rows;
    $('run-eta').textContent = `${r.rows.toLocaleString()} of ${r.total.toLocaleString()} rows` +
      (r.eta_s !== null && r.eta_s !== undefined ? `, about ${duration(r.eta_s * 1000)} left` : '');
  }
  $('run-counts').replaceChildren(statusBar(s.counts));
  renderIfChanged('run-chart', s.series || r.series || null, renderChart);
  renderIfChanged('run-links', { name, files: r.files, dry: s.dry_run, running }, () => renderRunLinks(name, r, s, running));
  if (!running) await refreshResults(name);
}

function renderRunLinks(name, r, s, running) {
  const planLink = $('run-plan-link');
  planLink.hidden = !(r.files && r.files.plan && s.dry_run);
  if (!planLink.hidden) {
    const a = el('a', 'Review the plan and approve it');
    a.href = `#/plan/${encodeURIComponent(name)}`;
    a.id = 'review-plan';
    planLink.replaceChildren(a);
  }
  const files = $('run-files');
  files.replaceChildren();
  for (const [kind, present] of Object.entries(r.files || {})) {
    if (!present) continue;
    const li = el('li');
    const a = el('a', `${kind} file`);
    a.href = `/api/runs/${encodeURIComponent(name)}/files/${kind}`;
    a.setAttribute('download', '');
    a.id = `download-${kind}`;
    li.append(a);
    files.append(li);
  }
  if (!files.children.length) files.append(el('li', running ? 'Reports are written when the run ends.' : 'No report files.', 'muted'));
}

async function refreshResults(name) {
  const q = new URLSearchParams({ offset: page.offset, limit: PAGE });
  if (page.status) q.set('status', page.status);
  const r = await api(`/api/runs/${encodeURIComponent(name)}/results?${q}`);
  renderIfChanged('results', { name, page, r }, () => renderResults(r));
}

function renderResults(r) {
  const table = $('results');
  const head = el('tr');
  r.columns.forEach((c) => { const th = el('th', c); th.scope = 'col'; head.append(th); });
  table.tHead.replaceChildren(head);
  const body = table.tBodies[0];
  body.replaceChildren();
  const statusAt = r.columns.indexOf('status');
  for (const row of r.rows) {
    const tr = el('tr');
    row.forEach((v, i) => cell(tr, i === statusAt ? badge(v) : v));
    body.append(tr);
  }
  if (!r.rows.length) {
    const tr = el('tr'); const td = cell(tr, page.status ? `No ${page.status} row.` : 'No results yet.', 'muted');
    td.colSpan = Math.max(1, r.columns.length); body.append(tr);
  }
  $('prev-page').disabled = page.offset === 0;
  $('next-page').disabled = !r.more;
  $('page-info').textContent = r.rows.length ? `rows ${page.offset + 1} to ${page.offset + r.rows.length}` : '';
}

// ---- a plan ----

async function refreshPlan(name) {
  const p = await api(`/api/plans/${encodeURIComponent(name)}`);
  $('plan-h').textContent = `Plan ${name}`;
  const meta = [stateBadge(p.state), el('span', ` ${p.total.toLocaleString()} rows would be written. `), countBadges(p.counts)];
  if (p.shown < p.total) meta.push(el('div', `The first ${p.shown} rows are shown; download the plan for all.`, 'muted'));
  if (p.note) meta.push(el('div', p.note, 'muted'));
  if (p.plan_sha256) meta.push(el('div', `Made at ${when(p.planned_at)}; SHA-256 ${p.plan_sha256}`, 'muted'));
  $('plan-meta').replaceChildren(...meta);
  $('approve-btn').disabled = p.state !== 'awaiting approval';
  $('approve-btn').dataset.sha = p.plan_sha256 || '';
  const fields = p.columns.filter((c) => c.endsWith('_after')).map((c) => c.slice(0, -6));
  const head = el('tr');
  ['line', 'id', ...fields].forEach((c) => { const th = el('th', c); th.scope = 'col'; head.append(th); });
  $('plan-rows').tHead.replaceChildren(head);
  const body = $('plan-rows').tBodies[0];
  body.replaceChildren();
  for (const row of p.rows) {
    const tr = el('tr');
    cell(tr, row[p.columns.indexOf('line')]);
    cell(tr, row[p.columns.indexOf('id')]);
    for (const f of fields) {
      const before = row[p.columns.indexOf(`${f}_before`)];
      const after = row[p.columns.indexOf(`${f}_after`)];
      const td = cell(tr, null);
      if (after === '') { td.append(el('span', 'left alone', 'muted')); continue; }
      td.append(el('span', before === '' ? '(empty)' : before, 'before'), el('span', ' → '), el('span', after, 'after'));
      td.setAttribute('aria-label', `${f} from ${before || 'empty'} to ${after}`);
    }
    body.append(tr);
  }
}

async function approve() {
  const name = decodeURIComponent(location.hash.slice('#/plan/'.length));
  if (!window.confirm(`Approve plan ${name}? Its rows are written to Close now, each only if it still holds its before values.`)) return;
  try {
    // the SHA-256 of the plan shown: Approve succeeds only while the plan is still that one
    const sha = encodeURIComponent($('approve-btn').dataset.sha);
    const r = await api(`/api/plans/${encodeURIComponent(name)}/approve?sha=${sha}`, { method: 'POST' });
    status('plan-status', `Approved by ${r.approved_by}.`);
    location.hash = `#/run/${encodeURIComponent(r.run)}`;
  } catch (e) {
    status('plan-status', e.message, true);
  }
}

// ---- views ----

function view() {
  const hash = location.hash || '#/';
  const run = hash.startsWith('#/run/') ? decodeURIComponent(hash.slice(6)) : null;
  const plan = hash.startsWith('#/plan/') ? decodeURIComponent(hash.slice(7)) : null;
  $('view-home').hidden = Boolean(run || plan);
  $('view-run').hidden = !run;
  $('view-plan').hidden = !plan;
  if (run && page.name !== run) page = { name: run, offset: 0, status: '' };
  $('status-filter').value = page.status;
  return { run, plan };
}

async function refresh() {
  const v = view();
  try {
    if (v.run) await refreshRun(v.run);
    else if (v.plan) await refreshPlan(v.plan);
    else await refreshHome();
    if (!v.run && !v.plan) return;
    const o = await api('/api/overview');
    renderHealth(o);
  } catch (e) {
    const banner = $('banner');
    banner.replaceChildren(el('span', `The console cannot reach the service: ${e.message}`));
    banner.hidden = false;
  }
}

async function start() {
  session = await api('/api/session');
  $('who').textContent = `signed in as ${session.user}`;
  $('version').textContent = `close-task-bulk ${session.version}`;
  setUpUpload();
  $('approve-btn').addEventListener('click', approve);
  $('status-filter').addEventListener('change', (e) => { page.status = e.target.value; page.offset = 0; refresh(); });
  $('prev-page').addEventListener('click', () => { page.offset = Math.max(0, page.offset - PAGE); refresh(); });
  $('next-page').addEventListener('click', () => { page.offset += PAGE; refresh(); });
  window.addEventListener('hashchange', () => { refresh(); $('main').focus(); });
  await refresh();
  setInterval(refresh, POLL_MS);
}

start();
