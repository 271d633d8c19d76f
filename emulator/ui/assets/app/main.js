// The dashboard's router: the location hash names the page (#/users, #/functions/my-fn), the
// header holds the account and region every page reads. Each page is a function that returns
// its content; body[data-ready] names the page once it is on screen (tests wait for it).
import {h, api, setToken, APIError} from './dom.js';
import {accountsPage} from './accounts.js';
import {entitiesPage} from './iam.js';
import {functionsPage, functionPage} from './functions.js';
import {decisionsPage} from './decisions.js';
import {simulatorPage} from './simulator.js';

const main = document.getElementById('main');
const accountSelect = document.getElementById('account');
const regionInput = document.getElementById('region');

// ctx is what every page is given: the scope, the server's overview, and a signal that is
// aborted when the page is left (streams and timers stop with it).
let overview = null;
let leaving = new AbortController();

function scope() {
  return {account: accountSelect.value, region: regionInput.value.trim()};
}

function route() {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return {name: parts[0] || 'accounts', arg: parts[1], params: new URLSearchParams(query || '')};
}

const pages = {
  accounts: () => accountsPage,
  users: () => c => entitiesPage(c, 'users'),
  groups: () => c => entitiesPage(c, 'groups'),
  roles: () => c => entitiesPage(c, 'roles'),
  functions: r => (r.arg ? c => functionPage(c, r.arg) : functionsPage),
  decisions: () => decisionsPage,
  simulator: () => simulatorPage,
};

async function render() {
  leaving.abort();
  leaving = new AbortController();
  const r = route();
  const page = (pages[r.name] || (() => null))(r);
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.route === r.name);
  document.body.dataset.ready = '';
  const signal = leaving.signal;
  try {
    if (!overview) await loadOverview();
    if (!page) throw new APIError(404, 'NotFound', `no page ${location.hash}`);
    const content = await page({...scope(), overview, route: r, signal});
    if (signal.aborted) return;
    main.replaceChildren(content);
    document.body.dataset.ready = r.arg ? `${r.name}/${r.arg}` : r.name;
  } catch (err) {
    if (signal.aborted) return;
    main.replaceChildren(errorView(err));
    document.body.dataset.ready = 'error';
  }
}

async function loadOverview() {
  overview = await api('accounts');
  const saved = sessionStorage.getItem('iamlocal-account');
  accountSelect.replaceChildren(...overview.accounts.map(a => h('option', {value: a.id}, a.id)));
  if (overview.accounts.some(a => a.id === saved)) accountSelect.value = saved;
  regionInput.value = sessionStorage.getItem('iamlocal-region') || overview.region;
}

// errorView shows a failure; a refusal beyond loopback asks for the admin token.
function errorView(err) {
  if (err instanceof APIError && err.needsToken) {
    const input = h('input', {type: 'password', name: 'token', size: 40, autocomplete: 'off', 'aria-label': 'admin token'});
    const form = h('form', {class: 'card token', onsubmit: e => {
      e.preventDefault();
      setToken(input.value.trim());
      overview = null;
      render();
    }},
    h('h2', null, 'This server wants the admin token'),
    h('p', null, err.message),
    h('p', {class: 'muted'}, 'It is IAMLOCAL_ADMIN_TOKEN, or the token iamlocal printed at start. It is kept in this tab only and sent as Authorization: Bearer.'),
    input, ' ', h('button', {type: 'submit'}, 'Open'));
    return form;
  }
  return h('div', {class: 'card error', role: 'alert'},
    h('h2', null, 'Could not load this page'),
    h('p', null, err instanceof APIError ? `${err.code}: ${err.message}` : String(err)));
}

accountSelect.addEventListener('change', () => {
  sessionStorage.setItem('iamlocal-account', accountSelect.value);
  render();
});
regionInput.addEventListener('change', () => {
  sessionStorage.setItem('iamlocal-region', regionInput.value.trim());
  render();
});
window.addEventListener('hashchange', render);
render();
