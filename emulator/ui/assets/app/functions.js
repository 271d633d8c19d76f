// Lambda functions: the list, and one function's configuration, versions, aliases, URLs,
// resource-based policy, AWS/Lambda metrics and recent invocations with their log lines.
import {h, api, badge, keyValues, table, fmtTime, clock, empty, plural} from './dom.js';
import {chart} from './chart.js';
import {policyBlock} from './iam.js';

export async function functionsPage(ctx) {
  const view = await api('functions', {query: {account: ctx.account, region: ctx.region}});
  const section = h('section', {class: 'page'},
    h('h1', null, 'Functions ', h('span', {class: 'muted count'}, `${view.functions.length} in ${view.account} ${view.region}`)));
  if (view.functions.length === 0) {
    section.append(empty(`No functions in ${view.region} of account ${view.account}.`));
    return section;
  }
  section.append(table(['Name', 'Runtime', 'Handler', 'Memory', 'Timeout', 'State', 'Last modified'],
    view.functions.map(f => [
      h('a', {href: `#/functions/${encodeURIComponent(f.FunctionName)}`}, f.FunctionName),
      f.Runtime || f.PackageType, h('span', {class: 'mono'}, f.Handler || ''), `${f.MemorySize} MB`, `${f.Timeout} s`,
      badge(f.State || '', f.State === 'Active' ? 'ok' : 'warn'), fmtTime(f.LastModified)]), {class: 'functions'}));
  return section;
}

export async function functionPage(ctx, name) {
  const minutes = ctx.route.params.get('minutes') || '60';
  const v = await api(`functions/${encodeURIComponent(name)}`, {query: {account: ctx.account, region: ctx.region, minutes}});
  const c = v.configuration;
  const section = h('section', {class: 'page function'},
    h('p', {class: 'crumbs'}, h('a', {href: '#/functions'}, 'Functions'), ' / '),
    h('h1', null, c.FunctionName, ' ', badge(c.State || '', c.State === 'Active' ? 'ok' : 'warn')),
    c.Description ? h('p', null, c.Description) : null);
  section.append(h('div', {class: 'grid2'},
    h('div', {class: 'card'}, h('h2', null, 'Configuration'), configuration(v)),
    h('div', {class: 'card'}, h('h2', null, 'Metrics ', windowPicker(name, minutes)), graphs(v.metrics))));
  section.append(h('div', {class: 'card'}, h('h2', null, 'Versions'), versions(v.versions)));
  section.append(h('div', {class: 'grid2'},
    h('div', {class: 'card'}, h('h2', null, 'Aliases'), aliases(v.aliases)),
    h('div', {class: 'card'}, h('h2', null, 'Function URLs'), urls(v.urls))));
  section.append(h('div', {class: 'card'}, h('h2', null, 'Resource-based policy'),
    v.policy ? policyBlock(v.policy) : empty('None: only identity-based policies of callers in this account grant access.')));
  section.append(h('div', {class: 'card'},
    h('h2', null, 'Recent invocations ', h('span', {class: 'muted count'}, `from ${v.logGroup}`)),
    invocations(v.invocations)));
  return section;
}

function configuration(v) {
  const c = v.configuration;
  const env = c.Environment?.Variables || {};
  return keyValues([
    ['ARN', h('span', {class: 'mono'}, c.FunctionArn)],
    ['Runtime', c.Runtime], ['Handler', h('span', {class: 'mono'}, c.Handler || '')],
    ['Role', roleLink(c.Role)],
    ['Memory', `${c.MemorySize} MB`], ['Timeout', `${c.Timeout} s`],
    ['Ephemeral storage', c.EphemeralStorage ? `${c.EphemeralStorage.Size} MB` : ''],
    ['Architectures', (c.Architectures || []).join(', ')],
    ['Code', `${c.CodeSize} bytes, SHA-256 ${c.CodeSha256}`],
    ['Layers', (c.Layers || []).map(l => h('div', {class: 'mono'}, l.Arn))],
    ['Environment', Object.entries(env).map(([k, val]) => h('div', {class: 'mono'}, `${k}=${val}`))],
    ['Reserved concurrency', v.reservedConcurrency ?? ''],
    ['Logging', c.LoggingConfig ? `${c.LoggingConfig.LogFormat} to ${c.LoggingConfig.LogGroup}` : ''],
    ['Last modified', fmtTime(c.LastModified)], ['Revision', h('span', {class: 'mono'}, c.RevisionId || '')],
    ['Tags', Object.entries(v.tags || {}).map(([k, val]) => badge(`${k}=${val}`, 'tag'))],
  ]);
}

function roleLink(roleARN) {
  if (!roleARN) return '';
  const name = roleARN.slice(roleARN.lastIndexOf('/') + 1);
  return h('a', {class: 'mono', href: `#/roles?name=${encodeURIComponent(name)}`}, roleARN);
}

function windowPicker(name, minutes) {
  const spans = [['60', '1 h'], ['180', '3 h'], ['1440', '24 h']];
  return h('span', {class: 'spans'}, spans.map(([m, label]) => h('a', {
    href: `#/functions/${encodeURIComponent(name)}?minutes=${m}`, class: m === minutes ? 'active' : ''}, label)));
}

function graphs(m) {
  return h('div', {class: 'graphs'},
    chart({title: 'Invocations', unit: 'invocations', one: 'invocation', window: m.window, samples: m.invocations, kind: 'bars'}),
    chart({title: 'Errors', unit: 'errors', one: 'error', window: m.window, samples: m.errors, kind: 'bars'}),
    chart({title: 'Duration', unit: 'ms', window: m.window, samples: m.duration, kind: 'line'}));
}

function versions(list) {
  return table(['Version', 'Description', 'Runtime', 'Code SHA-256', 'Last modified'],
    list.map(f => [h('span', {class: 'mono'}, f.Version), f.Description || '', f.Runtime || '',
      h('span', {class: 'mono small'}, f.CodeSha256 || ''), fmtTime(f.LastModified)]));
}

function aliases(list) {
  if (list.length === 0) return empty('No aliases.');
  return table(['Alias', 'Version', 'Routing', 'Description'], list.map(a => [
    h('span', {class: 'mono'}, a.Name), h('span', {class: 'mono'}, a.FunctionVersion),
    Object.entries(a.RoutingConfig?.AdditionalVersionWeights || {}).map(([ver, w]) => `${ver}: ${Math.round(w * 100)}%`).join(', '),
    a.Description || '']));
}

function urls(list) {
  if (list.length === 0) return empty('No function URLs.');
  return table(['URL', 'Auth', 'Invoke mode', 'CORS origins'], list.map(u => [
    h('span', {class: 'mono'}, u.FunctionUrl), badge(u.AuthType, u.AuthType === 'NONE' ? 'warn' : 'ok'),
    u.InvokeMode || 'BUFFERED', (u.Cors?.AllowOrigins || []).join(', ')]));
}

function invocations(list) {
  if (list.length === 0) return empty('No invocations in this window.');
  return h('div', {class: 'invocations'}, list.map((inv, i) => {
    const failed = inv.status || inv.lines.some(l => /^\[ERROR\]|Traceback|"errorType"/.test(l.message));
    return h('details', {class: 'invocation' + (failed ? ' failed' : ''), open: i === 0, dataset: {request: inv.requestId}},
      h('summary', null,
        h('span', {class: 'mono'}, clock(inv.start)), ' ',
        h('span', {class: 'mono muted'}, inv.requestId), ' ', badge(inv.version, 'kind'), ' ',
        inv.durationMs !== undefined ? `${inv.durationMs.toFixed(2)} ms` : badge('running', 'warn'),
        inv.initDurationMs ? [' ', badge(`cold start ${inv.initDurationMs.toFixed(0)} ms`, 'info')] : null,
        inv.maxMemoryMB ? h('span', {class: 'muted'}, ` · ${inv.maxMemoryMB}/${inv.memoryMB} MB`) : null,
        inv.status ? [' ', badge(inv.status + (inv.errorType ? ': ' + inv.errorType : ''), 'deny')] : null,
        failed && !inv.status ? [' ', badge('error', 'deny')] : null,
        h('span', {class: 'muted'}, ` · ${plural(inv.lines.length, 'line')}`)),
      h('pre', {class: 'log'}, inv.lines.map(l => h('span', {class: 'logline'},
        h('span', {class: 'muted'}, clock(l.time) + ' '), l.message + '\n'))));
  }));
}
