/**
 * The lab's status page (`GET /lab`): the topology with each replica's state, the mode, routing
 * and active faults, and buttons to crash a replica, rescale a service and set faults. One HTML
 * page and one script, both served by the gateway (no CDN, no build step); the script calls the
 * same `/lab` API as everything else, with the LAB_ADMIN_TOKEN the user types in when the lab is
 * guarded (kept in sessionStorage only).
 */

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>statelab</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d1d1f; }
  h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
  h2 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
  .meta { color: #555; margin-bottom: 1rem; }
  table { border-collapse: collapse; margin-bottom: .6rem; }
  th, td { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }
  .up { color: #0a7a2f; font-weight: 600; }
  .down { color: #b3261e; font-weight: 600; }
  .inactive { color: #888; }
  button { cursor: pointer; }
  #token-form { display: none; padding: .6rem; background: #fff4e5; border: 1px solid #f0b35c; margin-bottom: 1rem; }
  #message { min-height: 1.2rem; color: #555; }
  .on { color: #b3261e; font-weight: 600; }
</style>
</head>
<body>
<h1>statelab</h1>
<div class="meta" id="meta">loading…</div>
<form id="token-form"><label>LAB_ADMIN_TOKEN <input id="token" type="password" autocomplete="off"></label> <button type="submit">use</button></form>
<div id="message" role="status"></div>
<div id="services"></div>
<h2>Faults</h2>
<table id="faults"><thead><tr><th>fault</th><th>value</th><th>set to</th><th></th><th>what it does</th></tr></thead><tbody></tbody></table>
<button id="reset-faults" type="button">turn every fault off</button>
<script src="/lab/status.js"></script>
</body>
</html>
`;

export const STATUS_PAGE_JS = `'use strict';
(() => {
  const $ = (selector) => document.querySelector(selector);
  const say = (text) => { $('#message').textContent = text; };
  let token = sessionStorage.getItem('statelab-lab-token') || '';

  async function api(method, path, body) {
    const headers = { accept: 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401 || response.status === 403) {
      $('#token-form').style.display = 'block';
      throw new Error('this lab needs its LAB_ADMIN_TOKEN');
    }
    const text = await response.text();
    const data = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new Error((data && data.error && data.error.message) || response.statusText);
    return data;
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function renderServices(topology) {
    $('#meta').textContent = 'mode ' + topology.mode + ' · routing ' + topology.routing;
    const root = $('#services');
    const active = document.activeElement;
    if (active && active.tagName === 'INPUT' && root.contains(active)) return; // do not redraw under a number being typed
    root.replaceChildren();
    for (const [service, replicas] of Object.entries(topology.services)) {
      const title = document.createElement('h2');
      title.textContent = service;
      root.append(title);
      const table = document.createElement('table');
      table.dataset.service = service;
      table.createTHead().insertRow().append(...['replica', 'health', 'routed', 'pid', 'started', 'holds', ''].map((name) => {
        const th = document.createElement('th');
        th.textContent = name;
        return th;
      }));
      const body = table.createTBody();
      for (const replica of replicas) {
        const row = body.insertRow();
        row.dataset.replica = replica.id;
        cell(row, replica.id, replica.active ? '' : 'inactive');
        cell(row, replica.up ? 'up' : 'down', replica.up ? 'up' : 'down').dataset.field = 'health';
        cell(row, replica.active ? 'yes' : 'no');
        cell(row, replica.pid === undefined ? '' : String(replica.pid)).dataset.field = 'pid';
        cell(row, replica.startedAt ? new Date(replica.startedAt).toLocaleTimeString() : '');
        const held = replica.held ? String(replica.held.count) + (replica.held.shared ? ' (shared, in Redis)' : '') : '';
        cell(row, held).dataset.field = 'held';
        const crash = document.createElement('button');
        crash.type = 'button';
        crash.textContent = 'crash';
        crash.dataset.action = 'crash';
        crash.disabled = !replica.up;
        crash.addEventListener('click', () => act(() => api('POST', '/lab/replicas/' + encodeURIComponent(replica.id) + '/crash'), replica.id + ' crashed; its supervisor starts an empty one'));
        row.insertCell().append(crash);
      }
      root.append(table);
      const scale = document.createElement('form');
      scale.dataset.service = service;
      const routed = replicas.filter((replica) => replica.active).length;
      scale.innerHTML = '<label>route to <input type="number" min="1" max="16" required> replicas</label> <button type="submit">rescale</button>';
      scale.querySelector('input').value = String(routed);
      scale.addEventListener('submit', (event) => {
        event.preventDefault();
        const count = Number(scale.querySelector('input').value);
        act(async () => {
          const result = await api('POST', '/lab/scale', { service, replicas: count });
          return result;
        }, service + ' rescaled');
      });
      root.append(scale);
    }
  }

  function renderFaults(faults) {
    const body = $('#faults tbody');
    const active = document.activeElement;
    if (active && active.tagName === 'SELECT' && body.contains(active)) return; // do not redraw under a select the user is using
    body.replaceChildren();
    for (const fault of faults) {
      const row = body.insertRow();
      row.dataset.fault = fault.name;
      cell(row, fault.name);
      cell(row, fault.value === 0 ? 'off' : String(fault.value) + (fault.unit === 'on' ? '' : ' ' + fault.unit), fault.value === 0 ? '' : 'on').dataset.field = 'value';
      const select = document.createElement('select');
      for (const variant of fault.variants) {
        const option = document.createElement('option');
        option.value = String(variant);
        option.textContent = variant === 0 ? 'off' : fault.unit === 'on' ? 'on' : String(variant) + ' ' + fault.unit;
        select.append(option);
      }
      select.value = String(fault.value);
      row.insertCell().append(select);
      const set = document.createElement('button');
      set.type = 'button';
      set.textContent = 'set';
      set.dataset.action = 'set-fault';
      set.addEventListener('click', () => act(() => api('PUT', '/lab/faults/' + encodeURIComponent(fault.name), { value: Number(select.value) }), fault.name + ' set'));
      row.insertCell().append(set);
      cell(row, fault.description);
    }
  }

  async function act(action, done) {
    try {
      await action();
      say(done);
    } catch (error) {
      say(String(error.message || error));
    }
    refresh();
  }

  async function refresh() {
    try {
      const [topology, faults] = await Promise.all([api('GET', '/lab/topology'), api('GET', '/lab/faults')]);
      renderServices(topology);
      renderFaults(faults.faults);
      document.body.dataset.loaded = 'yes';
    } catch (error) {
      say(String(error.message || error));
    }
  }

  $('#token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    token = $('#token').value;
    sessionStorage.setItem('statelab-lab-token', token);
    $('#token-form').style.display = 'none';
    refresh();
  });
  $('#reset-faults').addEventListener('click', () => act(() => api('DELETE', '/lab/faults'), 'every fault is off'));
  refresh();
  setInterval(refresh, 1000);
})();
`;
