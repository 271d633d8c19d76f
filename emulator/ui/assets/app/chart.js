// SVG graphs of a function's AWS/Lambda metrics, drawn here: bars for counts per period, a line
// for the average duration with the period's maximum as a dot. Periods without datapoints
// (nothing was recorded) show as gaps, as the CloudWatch console shows them.
import {h, svg, clock} from './dom.js';

const W = 420, H = 150, padL = 44, padR = 10, padT = 12, padB = 24;

export function chart({title, unit, one, window: w, samples, kind}) {
  const start = Date.parse(w.start), end = Date.parse(w.end), period = w.period * 1000;
  const x = t => padL + (t - start) / (end - start) * (W - padL - padR);
  const top = niceMax(Math.max(0, ...samples.map(s => s.max ?? s.value)));
  const y = v => H - padB - v / top * (H - padT - padB);
  const g = svg('svg', {viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `${title} per ${w.period} s`});
  // Axes, grid and labels.
  for (const v of [0, top / 2, top]) {
    g.append(svg('line', {x1: padL, x2: W - padR, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : 'grid'}),
      svg('text', {x: padL - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end'}, fmt(v)));
  }
  g.append(svg('text', {x: padL, y: H - 6, class: 'tick'}, clock(w.start)),
    svg('text', {x: W - padR, y: H - 6, class: 'tick', 'text-anchor': 'end'}, clock(w.end)));
  const points = samples.map(s => ({t: Date.parse(s.time), v: s.value, max: s.max})).sort((a, b) => a.t - b.t);
  if (kind === 'bars') {
    const bw = Math.max(1, x(start + period) - x(start) - 1);
    for (const p of points) {
      if (p.v <= 0) continue;
      g.append(svg('rect', {x: x(p.t), y: y(p.v), width: bw, height: y(0) - y(p.v), class: 'bar'},
        svg('title', null, `${clock(p.t)}: ${fmt(p.v)} ${unit}`)));
    }
  } else {
    let run = [];
    const flush = () => {
      if (run.length > 1) g.append(svg('polyline', {points: run.map(p => `${x(p.t + period / 2)},${y(p.v)}`).join(' '), class: 'line'}));
      run = [];
    };
    for (const [i, p] of points.entries()) {
      if (i > 0 && p.t - points[i - 1].t > period) flush(); // a gap: no data in between
      run.push(p);
      g.append(svg('circle', {cx: x(p.t + period / 2), cy: y(p.v), r: 2.5, class: 'dot'},
        svg('title', null, `${clock(p.t)}: average ${fmt(p.v)} ${unit}`)));
      if (p.max !== undefined && p.max !== null) {
        g.append(svg('circle', {cx: x(p.t + period / 2), cy: y(p.max), r: 2, class: 'maxdot'},
          svg('title', null, `${clock(p.t)}: maximum ${fmt(p.max)} ${unit}`)));
      }
    }
    flush();
  }
  const total = kind === 'bars' ? points.reduce((n, p) => n + p.v, 0) : null;
  return h('figure', {class: 'graph', dataset: {metric: title, points: points.length}},
    h('figcaption', null, h('strong', null, title), ' ',
      h('span', {class: 'muted'}, total !== null ? `${fmt(total)} ${total === 1 && one ? one : unit} in all` : `${unit}, average and maximum`)),
    g);
}

// niceMax rounds a graph's top up to 1, 2 or 5 times a power of ten.
function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function fmt(v) {
  if (Number.isInteger(v)) return String(v);
  return v < 10 ? v.toFixed(2) : v.toFixed(1);
}
