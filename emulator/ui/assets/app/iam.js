// Users, groups and roles with their policies: each document pretty-printed statement by
// statement, and for each statement the recorded decisions it matched in (the decision
// log's matched statements), so a reader sees which statement let a call through or stopped it.
import {h, api, badge, keyValues, fmtTime, clock, plural, empty} from './dom.js';

const titles = {users: 'Users', groups: 'Groups', roles: 'Roles'};

export async function entitiesPage(ctx, kind) {
  const view = await api('iam', {query: {account: ctx.account}});
  const list = view[kind];
  const focus = ctx.route.params.get('name');
  const section = h('section', {class: 'page'},
    h('h1', null, titles[kind], ' ', h('span', {class: 'muted count'}, `${list.length} in ${view.account}`)));
  if (list.length === 0) {
    section.append(empty(`No ${kind} in account ${view.account}.`));
    return section;
  }
  section.append(h('p', {class: 'muted'}, 'A statement marked ', badge('matched', 'ok'),
    ' or ', badge('matched', 'deny'), ' took part in recent decisions (allowed or denied); each policy\'s whole document is under its statements.'));
  for (const e of list) {
    section.append(entityCard(kind, e, list.length <= 4 || e.name === focus));
  }
  return section;
}

function entityCard(kind, e, open) {
  const facts = [['ARN', h('span', {class: 'mono'}, e.arn)], ['ID', h('span', {class: 'mono'}, e.id)],
    ['Path', e.path], ['Created', fmtTime(e.created)]];
  if (kind === 'users') facts.push(['Groups', chips(e.groups, 'groups')]);
  if (kind === 'groups') facts.push(['Members', chips(e.members, 'users')]);
  if (kind === 'roles') facts.push(['Last used', e.lastUsed ? fmtTime(e.lastUsed) : 'never']);
  if (e.tags) facts.push(['Tags', Object.entries(e.tags).map(([k, v]) => badge(`${k}=${v}`, 'tag'))]);
  const matches = [e.trust, e.boundary, ...e.policies].filter(Boolean).reduce((n, p) => n + p.matches, 0);
  const body = h('div', {class: 'entity-body'}, keyValues(facts));
  if (e.trust) body.append(policyBlock(e.trust, 'Trust policy (who may assume the role)'));
  if (e.boundary) body.append(policyBlock(e.boundary, 'Permissions boundary'));
  if (e.policies.length === 0) body.append(empty('No policies attached or inline.'));
  for (const p of e.policies) body.append(policyBlock(p));
  if (kind === 'users' || kind === 'roles') body.append(suggestBlock(e.arn));
  return h('details', {class: 'card entity', open, dataset: {entity: e.name}},
    h('summary', null, h('strong', null, e.name), ' ',
      h('span', {class: 'muted'}, plural(e.policies.length, 'policy', 'policies')),
      matches ? [' ', badge(`${plural(matches, 'recent match', 'recent matches')}`, 'ok')] : null),
    body);
}

function chips(names, page) {
  if (!names || names.length === 0) return null;
  return names.map(n => h('a', {class: 'chip', href: `#/${page}?name=${encodeURIComponent(n)}`}, n));
}

const kindLabels = {inline: 'inline', managed: 'customer managed', 'aws-managed': 'AWS managed', boundary: 'boundary', trust: 'trust', resource: 'resource-based'};

// policyBlock renders one policy: its statements with their recent use, and the whole document.
export function policyBlock(p, title) {
  const head = h('div', {class: 'policy-head'},
    badge(kindLabels[p.kind] || p.kind, 'kind'), ' ', h('strong', null, title || p.name),
    p.arn && p.kind !== 'trust' && p.kind !== 'resource' ? [' ', h('span', {class: 'mono muted'}, p.arn)] : null,
    p.version ? [' ', h('span', {class: 'muted'}, p.version)] : null,
    p.matches ? [' ', badge(plural(p.matches, 'recent match', 'recent matches'), 'ok')] : null,
    p.notes ? [' ', badge(plural(p.notes.findings.length, 'lint finding'), 'warn')] : null);
  const block = h('div', {class: 'policy', dataset: {policy: p.name}}, head);
  if (p.notes) block.append(notesBlock(p.notes));
  if (p.statements.length === 0) {
    block.append(h('pre', {class: 'doc'}, p.document || '(no document)'));
    return block;
  }
  for (const s of p.statements) block.append(statementBlock(s));
  block.append(h('details', {class: 'whole'}, h('summary', null, 'Whole document'), h('pre', {class: 'doc'}, p.document)));
  return block;
}

function statementBlock(s) {
  const effect = s.effect === 'Deny' ? 'deny' : 'allow';
  const head = h('div', {class: 'stmt-head'},
    h('span', {class: 'mono'}, `#${s.index}`), ' ',
    s.sid ? h('span', {class: 'sid'}, s.sid) : h('span', {class: 'muted'}, 'no Sid'), ' ',
    badge(s.effect || '?', effect));
  const u = s.recentUse;
  if (u) {
    head.append(' ', badge(`matched ${u.count}×`, u.decision === 'Allow' ? 'ok' : 'deny'), ' ',
      h('span', {class: 'muted use'}, `last at ${clock(u.last)}: ${u.action} on ${u.resource} by ${u.principal} (${u.decision})`));
  }
  return h('div', {class: 'stmt' + (u ? ' matched' : ''), dataset: {index: s.index}},
    head, h('pre', {class: 'doc'}, s.json));
}

const findingKinds = {ERROR: 'deny', SECURITY_WARNING: 'deny', WARNING: 'warn', SUGGESTION: 'info'};

// notesBlock shows what the policy lint found when the document was stored: AWS stores such
// documents as they are, and they then grant nothing, or too much.
function notesBlock(n) {
  return h('div', {class: 'notes', role: 'note'},
    h('div', {class: 'muted small'}, `Policy lint, when ${n.operation} stored it at ${fmtTime(n.time)}:`),
    h('ul', null, n.findings.map(f => h('li', {class: 'finding', dataset: {issue: f.issueCode}},
      badge(f.type.toLowerCase().replace('_', ' '), findingKinds[f.type] || 'warn'), ' ',
      h('span', {class: 'mono small'}, f.issueCode), ' ',
      f.line ? h('span', {class: 'muted small'}, `at line ${f.line}, column ${f.column} as stored: `) : null,
      f.details,
      f.learnMoreLink ? [' ', h('a', {href: f.learnMoreLink, rel: 'noreferrer', target: '_blank'}, 'more')] : null))));
}

// suggestBlock offers the least-privilege policy for the calls recorded for a user or a role
// (all its sessions), fetched when opened: what iamlocal policy suggest prints.
function suggestBlock(principal) {
  const out = h('div', {class: 'suggestion'}, h('span', {class: 'muted'}, 'Reading the recorded calls…'));
  const block = h('details', {class: 'whole suggest', dataset: {principal}},
    h('summary', null, 'Suggested least-privilege policy, from the calls recorded'), out);
  block.addEventListener('toggle', async () => {
    if (!block.open || block.dataset.loaded) return;
    block.dataset.loaded = 'true';
    try {
      const s = await api('suggest', {query: {principal}});
      out.replaceChildren(
        h('p', {class: 'muted small'}, s.calls
          ? `Allows exactly the ${plural(s.calls, 'call')} that went through, with the resources they named.`
          : 'No call of this principal went through yet: the policy allows nothing.'),
        h('pre', {class: 'doc', dataset: {calls: String(s.calls)}}, JSON.stringify(s.policy, null, 2)));
    } catch (err) {
      out.replaceChildren(h('span', {class: 'error'}, err.message));
    }
  });
  return block;
}
