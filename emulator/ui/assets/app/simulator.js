// The policy simulator: IAM's SimulatePrincipalPolicy (a user's, group's or role's policies,
// plus any given) or SimulateCustomPolicy (the given policies alone), the same engine that
// authorizes requests, run as the account's root.
import {h, api, badge, table, empty, APIError} from './dom.js';

export async function simulatorPage(ctx) {
  const view = await api('iam', {query: {account: ctx.account}});
  const principal = h('select', {id: 'sim-principal', name: 'principal'},
    h('option', {value: ''}, '(none: the policies below alone)'),
    ['users', 'roles', 'groups'].map(kind => h('optgroup', {label: kind},
      view[kind].map(e => h('option', {value: e.arn}, `${e.name} (${e.arn})`)))));
  const actions = h('textarea', {id: 'sim-actions', rows: 3, cols: 40, spellcheck: 'false', placeholder: 'iam:CreateUser'});
  const resources = h('textarea', {id: 'sim-resources', rows: 3, cols: 60, spellcheck: 'false', placeholder: '*'});
  const policies = h('textarea', {id: 'sim-policies', rows: 6, cols: 60, spellcheck: 'false',
    placeholder: '{"Version":"2012-10-17","Statement":[...]}  (one JSON document; more separated by a line with ---)'});
  const resourcePolicy = h('textarea', {id: 'sim-resource-policy', rows: 4, cols: 60, spellcheck: 'false'});
  const context = h('textarea', {id: 'sim-context', rows: 3, cols: 60, spellcheck: 'false', placeholder: 'aws:SourceIp=203.0.113.7\naws:PrincipalTag/team=blue,green'});
  const out = h('div', {id: 'sim-result', class: 'sim-result'});
  const submit = h('button', {type: 'submit', id: 'sim-run'}, 'Simulate');
  const form = h('form', {class: 'card simulator', onsubmit: async e => {
    e.preventDefault();
    submit.disabled = true;
    out.dataset.state = 'running';
    try {
      const result = await api('simulate', {body: {
        account: ctx.account, principal: principal.value, actions: lines(actions.value),
        resources: lines(resources.value), policies: documents(policies.value),
        resourcePolicy: resourcePolicy.value.trim(), context: contextEntries(context.value)}});
      out.replaceChildren(results(result));
      out.dataset.state = 'done';
    } catch (err) {
      out.replaceChildren(h('div', {class: 'error', role: 'alert'}, err instanceof APIError ? `${err.code}: ${err.message}` : String(err)));
      out.dataset.state = 'error';
    } finally {
      submit.disabled = false;
    }
  }},
  field('Principal', principal, 'Its identity-based policies and permissions boundary take part.'),
  field('Actions', actions, 'One a line, such as s3:GetObject or iam:CreateUser.'),
  field('Resources', resources, 'One ARN a line; none means "*".'),
  field('Extra policies', policies, 'Identity-based policy documents to add (or, without a principal, to simulate).'),
  h('details', null, h('summary', null, 'Resource-based policy and context keys'),
    field('Resource policy', resourcePolicy, 'A resource-based policy of the resources.'),
    field('Context', context, 'key=value[,value] a line; values are strings.')),
  h('div', {class: 'actions'}, submit));
  return h('section', {class: 'page'},
    h('h1', null, 'Policy simulator ', h('span', {class: 'muted count'}, `account ${view.account}`)),
    h('p', {class: 'muted'}, 'IAM\'s policy simulator, on the engine that authorizes every request here. Only what is given takes part: no context key is filled in.'),
    form, out);
}

function field(label, input, help) {
  return h('label', {class: 'field'}, h('span', {class: 'label'}, label), input, h('span', {class: 'muted help'}, help));
}

function lines(text) { return text.split('\n').map(s => s.trim()).filter(Boolean); }

function documents(text) {
  return text.split(/^---\s*$/m).map(s => s.trim()).filter(Boolean);
}

function contextEntries(text) {
  return lines(text).map(l => {
    const i = l.indexOf('=');
    return {key: (i < 0 ? l : l.slice(0, i)).trim(), type: 'string', values: i < 0 ? [] : l.slice(i + 1).split(',').map(s => s.trim())};
  });
}

const decisionKinds = {allowed: 'ok', explicitDeny: 'deny', implicitDeny: 'deny'};

function results(r) {
  if (r.results.length === 0) return empty('No results.');
  const rows = [];
  for (const e of r.results) {
    const specific = e.ResourceSpecificResults || [];
    const perResource = specific.length ? specific.map(s => ({resource: s.EvalResourceName, decision: s.EvalResourceDecision,
      matched: s.MatchedStatements, missing: s.MissingContextValues})) :
      [{resource: e.EvalResourceName, decision: e.EvalDecision, matched: e.MatchedStatements, missing: e.MissingContextValues}];
    for (const p of perResource) {
      rows.push([h('span', {class: 'mono'}, e.EvalActionName), h('span', {class: 'mono'}, p.resource),
        h('span', {dataset: {decision: p.decision}}, badge(p.decision, decisionKinds[p.decision])),
        (p.matched || []).map(m => h('div', {class: 'small'}, `${m.SourcePolicyType}: ${m.SourcePolicyId}`,
          m.StartPosition ? ` (line ${m.StartPosition.Line}, column ${m.StartPosition.Column})` : '')),
        (p.missing || []).join(', ')]);
    }
  }
  return h('div', {class: 'card'}, h('h2', null, r.operation),
    table(['Action', 'Resource', 'Decision', 'Matched statements', 'Missing context keys'], rows, {class: 'sim'}));
}
