// Small helpers shared by every page: building DOM nodes (text is always set as text, never
// parsed as HTML), calling the dashboard's API with the admin token when one was entered, and
// formatting.

const tokenKey = 'iamlocal-admin-token';

// h builds an element: h('div', {class: 'x', onclick: fn}, 'text', child, [more children]).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// svg builds an SVG element with the given attributes.
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function token() { return sessionStorage.getItem(tokenKey) || ''; }
export function setToken(t) { sessionStorage.setItem(tokenKey, t); }

// authHeaders are the headers that open the admin endpoints beyond loopback.
export function authHeaders() {
  const t = token();
  return t ? {Authorization: 'Bearer ' + t} : {};
}

// APIError is a failed API call: status and the server's code and message.
export class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
  // needsToken reports a refusal that the admin token would lift.
  get needsToken() { return this.status === 401 || this.status === 403; }
}

// api calls the dashboard's JSON API: GET by default, or POST with a JSON body. Requests go to
// this page's own origin, so the browser marks them Sec-Fetch-Site: same-origin.
export async function api(path, {body, query} = {}) {
  const url = new URL('api/' + path, new URL('.', location.href));
  for (const [k, v] of Object.entries(query || {})) if (v) url.searchParams.set(k, v);
  const init = {headers: {Accept: 'application/json', ...authHeaders()}, cache: 'no-store'};
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const resp = await fetch(url, init);
  let data = null;
  try { data = await resp.json(); } catch { /* not JSON: reported below */ }
  if (!resp.ok) {
    throw new APIError(resp.status, data?.code || String(resp.status), data?.message || resp.statusText);
  }
  return data;
}

export function fmtTime(t) {
  if (!t) return '';
  const d = new Date(t);
  if (isNaN(d)) return String(t);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC');
}

export function clock(t) {
  const d = new Date(t);
  return isNaN(d) ? '' : d.toISOString().slice(11, 19);
}

export function plural(n, one, many) { return `${n} ${n === 1 ? one : (many || one + 's')}`; }

// keyValues renders a definition list of label/value pairs, leaving out empty values.
export function keyValues(pairs) {
  const dl = h('dl', {class: 'kv'});
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    dl.append(h('dt', null, k), h('dd', null, v));
  }
  return dl;
}

export function table(headers, rows, attrs) {
  return h('table', attrs || {},
    h('thead', null, h('tr', null, headers.map(c => h('th', null, c)))),
    h('tbody', null, rows.map(r => h('tr', null, r.map(c => h('td', null, c))))));
}

export function badge(text, kind) { return h('span', {class: 'badge ' + (kind || '')}, text); }

export function empty(text) { return h('p', {class: 'muted empty'}, text); }
