import {h, badge, keyValues, table} from './dom.js';

// accountsPage lists the configured accounts (never their secrets) and the server's settings.
export function accountsPage(ctx) {
  const o = ctx.overview;
  const rows = o.accounts.map((a, i) => [
    h('span', {class: 'mono'}, a.id, i === 0 ? [' ', badge('default', 'info')] : null),
    h('span', {class: 'mono'}, a.rootAccessKeyId),
    h('span', null, h('a', {href: '#/users', onclick: () => pick(a.id)}, 'users'), ' · ',
      h('a', {href: '#/roles', onclick: () => pick(a.id)}, 'roles'), ' · ',
      h('a', {href: '#/functions', onclick: () => pick(a.id)}, 'functions')),
  ]);
  return h('section', {class: 'page'},
    h('h1', null, 'Accounts'),
    h('p', {class: 'muted'}, 'Each account keeps its own isolated state. Its root user signs with the access key below (the secret stays on the server).'),
    table(['Account', 'Root access key id', 'Pages'], rows, {class: 'accounts'}),
    h('h2', null, 'Server'),
    keyValues([['Version', o.version], ['Default region', o.region], ['Partition', o.partition],
      ['Enforcement', h('span', null, badge(o.enforcement || 'on', o.enforcement === 'on' ? 'ok' : 'warn'),
        ' ', enforcementText(o.enforcement))]]));
}

function pick(account) {
  const select = document.getElementById('account');
  select.value = account;
  sessionStorage.setItem('iamlocal-account', account);
}

function enforcementText(mode) {
  switch (mode) {
    case 'soft': return 'decisions are recorded, nothing is denied';
    case 'off': return 'policies are not evaluated';
    default: return 'requests are denied as AWS would deny them';
  }
}
