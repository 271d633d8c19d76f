// The live decision stream: the decision log's server-sent events (/_iamlocal/decisions with
// Accept: text/event-stream), read with fetch so that the admin token can go along beyond
// loopback (EventSource sends no headers). The stream replays the recorded decisions, then
// follows; a dropped connection resumes after the last event seen (Last-Event-ID).
import {h, badge, clock, authHeaders, APIError} from './dom.js';

const maxRows = 500;

export function decisionsPage(ctx) {
  const list = h('ol', {class: 'decisions', reversed: true});
  const status = h('span', {class: 'badge warn', dataset: {stream: 'connecting'}}, 'connecting');
  const deniedOnly = h('input', {type: 'checkbox', id: 'denied-only'});
  const filter = h('input', {type: 'search', id: 'decision-filter', placeholder: 'principal, action or resource', size: 32});
  const counts = h('span', {class: 'muted count'});
  let shown = 0, denied = 0;
  const visible = row => (!deniedOnly.checked || row.dataset.decision !== 'Allow') &&
    (!filter.value || row.dataset.text.includes(filter.value.toLowerCase()));
  const refilter = () => { for (const row of list.children) row.hidden = !visible(row); };
  deniedOnly.addEventListener('change', refilter);
  filter.addEventListener('input', refilter);
  follow(ctx.signal, d => {
    const row = decisionRow(d);
    row.hidden = !visible(row);
    list.prepend(row);
    shown++;
    if (d.decision !== 'Allow') denied++;
    counts.textContent = `${shown} decisions, ${denied} denied`;
    while (list.children.length > maxRows) list.lastChild.remove();
  }, state => {
    status.dataset.stream = state;
    status.textContent = {open: 'live', retrying: 'reconnecting', refused: 'refused'}[state] || state;
    status.className = 'badge ' + (state === 'open' ? 'ok' : 'warn');
  });
  return h('section', {class: 'page'},
    h('h1', null, 'Decisions ', status, ' ', counts),
    h('p', {class: 'muted'}, 'Every authorization decision of every account, newest first, as requests arrive.'),
    h('div', {class: 'filters'}, h('label', null, deniedOnly, ' denials only'), ' ', filter),
    list);
}

// follow reads the event stream until signal aborts, calling onDecision for each decision and
// onState with open, retrying or refused.
async function follow(signal, onDecision, onState) {
  let lastID = '';
  let retry = 2000;
  while (!signal.aborted) {
    try {
      const headers = {Accept: 'text/event-stream', ...authHeaders()};
      if (lastID) headers['Last-Event-ID'] = lastID;
      const resp = await fetch(new URL('../decisions', new URL('.', location.href)), {headers, signal, cache: 'no-store'});
      if (!resp.ok) {
        const body = await resp.json().catch(() => ({}));
        throw new APIError(resp.status, body.code || String(resp.status), body.message || resp.statusText);
      }
      onState('open');
      const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buf = (buf + value).replace(/\r\n?/g, '\n');
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const ev = parseEvent(buf.slice(0, end));
          buf = buf.slice(end + 2);
          if (ev.id) lastID = ev.id;
          if (ev.retry) retry = ev.retry;
          if (ev.data) onDecision(JSON.parse(ev.data));
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof APIError && err.needsToken) {
        onState('refused');
        return;
      }
    }
    onState('retrying');
    await new Promise(r => setTimeout(r, retry));
  }
}

// parseEvent reads one event's fields (HTML Living Standard, "Server-sent events"):
// comments start with a colon, data lines join with newlines.
export function parseEvent(block) {
  const ev = {data: ''};
  const data = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'id') ev.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) ev.retry = Number(value);
  }
  ev.data = data.join('\n');
  return ev;
}

function decisionRow(d) {
  const kind = d.decision === 'Allow' ? 'ok' : 'deny';
  const text = `${d.principal} ${d.action} ${d.resource}`.toLowerCase();
  const row = h('li', {class: 'decision ' + kind, dataset: {decision: d.decision, text, request: d.requestId}},
    h('div', {class: 'decision-head'},
      h('span', {class: 'mono muted'}, clock(d.time)), ' ',
      badge(d.decision === 'Allow' ? 'allowed' : d.decision === 'ExplicitDeny' ? 'explicit deny' : 'implicit deny', kind), ' ',
      h('span', {class: 'mono action'}, d.action), ' ',
      h('span', {class: 'muted'}, 'by '), h('span', {class: 'mono principal'}, d.principal), ' ',
      h('span', {class: 'muted'}, 'on '), h('span', {class: 'mono resource'}, d.resource),
      d.mode !== 'on' ? [' ', badge(`${d.mode} enforcement`, 'warn')] : null));
  if (d.decision !== 'Allow') {
    row.append(h('dl', {class: 'kv denial'},
      h('dt', null, 'Policy types evaluated'),
      h('dd', {class: 'evaluated'}, (d.evaluated || []).length ? d.evaluated.map(t => badge(t, 'kind')) : 'none'),
      h('dt', null, 'Why'), h('dd', {class: 'reason'}, reason(d)),
      d.message ? [h('dt', null, 'AWS says'), h('dd', {class: 'mono small message'}, d.message)] : null,
      h('dt', null, 'Operation'), h('dd', null, `${d.service} ${d.operation}`, h('span', {class: 'muted'}, ` · request ${d.requestId}`))));
  }
  if ((d.matched || []).length) {
    row.append(h('ul', {class: 'matched'}, d.matched.map(m => h('li', null, badge(m.effect, m.effect === 'Deny' ? 'deny' : 'ok'), ' ', statementName(m)))));
  }
  // What the lint found in the policy this request stored (in the log, not yet on the live stream).
  if ((d.policyFindings || []).length) {
    row.append(h('ul', {class: 'matched findings'}, d.policyFindings.map(f => h('li', null, badge('stored policy', 'warn'), ' ', f))));
  }
  return row;
}

function statementName(m) {
  return `statement ${m.sid ? `"${m.sid}"` : '#' + m.index} of ${m.type} policy ${m.policy}`;
}

function list(items) {
  if (items.length <= 1) return items.join('');
  return items.slice(0, -1).join(', ') + ' and ' + items[items.length - 1];
}

const sides = {Allow: 'allow it', ImplicitDeny: 'do not allow it', ExplicitDeny: 'deny it explicitly'};

// crossAccount says what each side decided on another account's resource ("Cross-account
// policy evaluation logic": the caller's policies and the owner's resource-based policy must
// both allow).
function crossAccount(c) {
  return `The resource is account ${c.owner}'s, so both sides must allow: the caller's policies ${sides[c.identity] || c.identity}, ` +
    `the resource-based policy ${sides[c.resource] || c.resource}.`;
}

// reason says in words why a request was denied (IAM User Guide, "Policy evaluation logic":
// an explicit Deny in any policy wins; otherwise every policy type that takes part must allow).
export function reason(d) {
  const matched = d.matched || [];
  const denies = matched.filter(m => m.effect === 'Deny');
  const what = `${d.action} on ${d.resource}`;
  let why;
  if (d.decision === 'ExplicitDeny') {
    why = `Denied explicitly by ${list(denies.map(statementName))}: an explicit Deny overrides any Allow.`;
  } else {
    switch (d.decidedBy) {
      case 'boundary':
        why = `The permissions boundary does not allow ${what}. An identity-based policy may allow it, but the boundary caps what those policies can grant.`;
        break;
      case 'session':
        why = `No session policy allows ${what}. A session's policies limit what the role's or user's own policies grant.`;
        break;
      case 'trust':
        why = `The role's trust policy does not allow ${d.principal} to ${d.action}.`;
        break;
      case 'resource':
        why = `The resource-based policy of ${d.resource} does not allow ${d.principal}.`;
        break;
      default: {
        const resourceToo = (d.evaluated || []).includes('resource') ? ', and no resource-based policy allows it either' : '';
        why = `No identity-based policy allows ${what}${resourceToo}. Without an Allow the request is implicitly denied.`;
      }
    }
  }
  if (d.crossAccount) why += ' ' + crossAccount(d.crossAccount);
  if ((d.missingContextKeys || []).length) {
    why += ` A condition asked for context keys the request did not carry: ${d.missingContextKeys.join(', ')}.`;
  }
  if (d.mode === 'soft') why += ' Enforcement is soft: the request went ahead.';
  return why;
}
