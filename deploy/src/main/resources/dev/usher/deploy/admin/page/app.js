// Usher's admin page: the routing table, conflicts, problems, certificates, an explain form and live figures.
// Vanilla JS, no build step, no third-party code. Everything shown is set with textContent, never as HTML, so a host
// name or a problem message can never become markup or script.
'use strict';

const REFRESH_MS = 1000;
const DAY_MS = 24 * 3600 * 1000;
const state = { routesText: '', routes: null, stats: new Map(), ingress: '' };

function $(id) { return document.getElementById(id); }

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function ingressLink(name) {
  if (!name) return el('span', '-', 'muted');
  const a = el('a', name);
  a.href = '#ingress=' + encodeURIComponent(name);
  a.className = 'ingress-link';
  return a;
}

function statsKey(namespace, ingress, service) {
  return (namespace || 'none') + '/' + (ingress || 'none') + '/' + (service || 'none');
}

function routeKey(route) {
  const ingress = route.ingress ? route.ingress.substring(route.ingress.indexOf('/') + 1) : null;
  return statsKey(route.namespace, ingress, route.backend ? route.backend.service : null);
}

function expiry(notAfter) {
  const when = new Date(notAfter);
  const days = Math.floor((when.getTime() - Date.now()) / DAY_MS);
  const span = el('span', when.toISOString().substring(0, 10) + ' (' + (days < 0 ? 'expired' : days + ' d') + ')');
  if (days < 0) span.className = 'bad';
  else if (days < 14) span.className = 'warn';
  return span;
}

function seconds(value) {
  if (value === null || value === undefined) return '-';
  return value < 1 ? (value * 1000).toFixed(value < 0.01 ? 2 : 1) + ' ms' : value.toFixed(2) + ' s';
}

function fill(tbody, rows, columns, emptyText) {
  tbody.replaceChildren();
  if (rows.length === 0) {
    const tr = el('tr', null, 'empty');
    const td = el('td', emptyText);
    td.colSpan = columns;
    tr.append(td);
    tbody.append(tr);
  }
  rows.forEach(tr => tbody.append(tr));
}

function visible(route) {
  const namespace = $('filter-namespace').value;
  const host = $('filter-host').value.trim().toLowerCase();
  if (namespace && route.namespace !== namespace) return false;
  if (host && !(route.host || '*').includes(host)) return false;
  if (state.ingress && route.ingress !== state.ingress) return false;
  return true;
}

function renderRoutes() {
  const data = state.routes;
  if (!data) return;
  const namespaces = [...new Set(data.routes.map(r => r.namespace).filter(n => n))].sort();
  const select = $('filter-namespace');
  const chosen = select.value;
  select.replaceChildren(el('option', 'all'));
  select.firstChild.value = '';
  namespaces.forEach(n => { const o = el('option', n); o.value = n; select.append(o); });
  select.value = namespaces.includes(chosen) ? chosen : '';

  const rows = data.routes.filter(visible).map(route => {
    const tr = el('tr');
    tr.dataset.host = route.host || '*';
    tr.dataset.path = route.path || '';
    tr.dataset.key = routeKey(route);
    tr.append(el('td', route.host || '*', 'mono'));
    tr.append(el('td', route.path === null ? '(default backend)' : route.path, 'mono'));
    tr.append(el('td', route.pathType || route.source));
    const ingress = el('td');
    ingress.append(ingressLink(route.ingress));
    tr.append(ingress);
    const backend = route.backend;
    tr.append(el('td', backend ? backend.service + ':' + backend.port : '-', 'mono'));
    const endpoints = el('td', null, 'mono');
    if (!backend || backend.endpoints.length === 0) {
      endpoints.append(el('span', 'none ready', 'bad'));
    } else {
      endpoints.textContent = backend.endpoints.map(e => e.address + ':' + e.port).join(', ');
    }
    tr.append(endpoints);
    const tls = el('td', null, 'nowrap');
    if (route.tls) {
      tls.append(el('span', route.tls.default ? 'default ' : route.tls.secret + ' ', route.tls.default ? 'muted' : ''));
      tls.append(expiry(route.tls.notAfter));
    } else {
      tls.append(el('span', '-', 'muted'));
    }
    tr.append(tls);
    ['rps', 'errors', 'p50', 'p99'].forEach(name => tr.append(el('td', '-', 'num ' + name)));
    return tr;
  });
  fill($('routes').tBodies[0], rows, 11, 'no route matches the filters');
  $('route-count').textContent = rows.length + ' of ' + data.routes.length + ' routes';
  $('filter-ingress').hidden = !state.ingress;
  $('filter-ingress-name').textContent = state.ingress;
  renderFigures();

  const conflicts = data.conflicts.map(c => {
    const tr = el('tr');
    tr.append(el('td', c.host || '*', 'mono'), el('td', c.path || '(default backend)', 'mono'), el('td', c.pathType || '-'));
    const winner = el('td');
    winner.append(ingressLink(c.winner));
    const loser = el('td');
    loser.append(ingressLink(c.loser));
    tr.append(winner, loser, el('td', c.reason));
    return tr;
  });
  fill($('conflicts').tBodies[0], conflicts, 6, 'no conflicts');
  $('conflict-count').textContent = data.conflicts.length ? '(' + data.conflicts.length + ')' : '';

  const problems = data.problems.map(p => {
    const tr = el('tr');
    const source = el('td', null, 'mono');
    source.append(p.ingress ? ingressLink(p.ingress) : el('span', p.source));
    tr.append(source, el('td', p.message));
    return tr;
  });
  fill($('problems').tBodies[0], problems, 2, 'no problems');
  $('problem-count').textContent = data.problems.length ? '(' + data.problems.length + ')' : '';

  const certificates = (data.certificates || []).map(c => {
    const tr = el('tr');
    tr.append(el('td', c.default ? c.secret + ' (default)' : c.secret, 'mono'), el('td', c.hosts.join(', '), 'mono'),
      el('td', c.dnsNames.join(', '), 'mono'));
    const expires = el('td');
    expires.append(expiry(c.notAfter));
    tr.append(expires);
    return tr;
  });
  fill($('certificates').tBodies[0], certificates, 4, 'no HTTPS listener');

  const ready = $('ready');
  ready.textContent = data.ready ? 'ready' : 'not ready';
  ready.className = 'badge ' + (data.ready ? 'ready' : 'not-ready');
}

function renderFigures() {
  for (const tr of $('routes').tBodies[0].rows) {
    if (!tr.dataset.key) continue;
    const figures = state.stats.get(tr.dataset.key);
    const cell = name => tr.querySelector('td.' + name);
    cell('rps').textContent = figures && figures.rps !== null ? figures.rps.toFixed(1) : '-';
    const errors = figures && figures.errorRatio !== null ? figures.errorRatio : null;
    cell('errors').textContent = errors === null ? '-' : (errors * 100).toFixed(1) + ' %';
    cell('errors').classList.toggle('bad', errors !== null && errors > 0.01);
    cell('p50').textContent = seconds(figures ? figures.p50 : null);
    cell('p99').textContent = seconds(figures ? figures.p99 : null);
  }
}

async function fetchJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(url + ': HTTP ' + response.status);
  return response.text();
}

async function refresh() {
  try {
    const [routesText, statsText] = await Promise.all([fetchJson('/debug/routes'), fetchJson('/debug/stats')]);
    const stats = JSON.parse(statsText);
    state.stats = new Map(stats.routes.map(r => [statsKey(r.namespace, r.ingress, r.service), r]));
    if (routesText !== state.routesText) {
      state.routesText = routesText;
      state.routes = JSON.parse(routesText);
      renderRoutes();
    } else {
      renderFigures();
    }
    const p = stats.propagation;
    $('propagation').textContent = p.changes > 0
      ? 'config propagation: p50 ' + seconds(p.p50) + ', p99 ' + seconds(p.p99) + ' over ' + p.changes
        + ' changes; recent max ' + seconds(p.recentMaxSeconds)
      : (p.lastPublishEpochSeconds ? 'config loaded ' + new Date(p.lastPublishEpochSeconds * 1000).toLocaleTimeString() : '');
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    $('updated').classList.remove('bad');
  } catch (e) {
    // Usher restarting or the port-forward gone: say so on the page and keep trying.
    $('updated').textContent = 'cannot reach the admin port (' + e.message + '); retrying';
    $('updated').classList.add('bad');
  }
  setTimeout(refresh, REFRESH_MS);
}

async function explain(event) {
  event.preventDefault();
  const query = new URLSearchParams({ host: $('explain-host').value.trim(), path: $('explain-path').value.trim() || '/' });
  const error = $('explain-error');
  try {
    const response = await fetch('/debug/explain?' + query, { cache: 'no-store' });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || 'HTTP ' + response.status);
    const w = body.winner;
    $('explain-winner').textContent = w.source === 'NOT_FOUND' ? 'nothing: Usher answers 404'
      : (w.host || '*') + ' ' + (w.path || '(default backend)') + (w.pathType ? ' ' + w.pathType : '')
        + ' of ' + (w.ingress || 'the --default-backend flag') + ' → ' + w.backend.service + ':' + w.backend.port
        + ' (' + w.source + ')';
    $('explain-upstream').textContent = body.upstreamUri || '-';
    const losers = body.losers.map(l => el('li', (l.route.host || '*') + ' ' + (l.route.path || '(default backend)')
      + ' of ' + (l.route.ingress || '-') + ': ' + l.reason));
    if (losers.length === 0) losers.push(el('li', 'no other rule matched', 'muted'));
    $('explain-losers').replaceChildren(...losers);
    $('explain-result').hidden = false;
    error.hidden = true;
  } catch (e) {
    $('explain-result').hidden = true;
    error.textContent = 'explain failed: ' + e.message;
    error.hidden = false;
  }
}

function applyHash() {
  const match = /^#ingress=(.+)$/.exec(location.hash);
  state.ingress = match ? decodeURIComponent(match[1]) : '';
  renderRoutes();
}

document.addEventListener('DOMContentLoaded', () => {
  $('filter-namespace').addEventListener('change', renderRoutes);
  $('filter-host').addEventListener('input', renderRoutes);
  $('filter-ingress-clear').addEventListener('click', () => { location.hash = ''; });
  $('explain-form').addEventListener('submit', explain);
  window.addEventListener('hashchange', applyHash);
  state.ingress = /^#ingress=(.+)$/.test(location.hash) ? decodeURIComponent(location.hash.substring(9)) : '';
  refresh();
});
