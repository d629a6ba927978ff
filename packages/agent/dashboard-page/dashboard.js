// The vinegym dashboard page: learning curves of one or more runs, drawn on canvases, kept current by the
// server's event stream (see src/dashboard/server.ts). No libraries, nothing loaded from elsewhere.
'use strict';

const COLORS = [
  '#4c78a8',
  '#f58518',
  '#54a24b',
  '#e45756',
  '#72b7b2',
  '#b279a2',
  '#eeca3b',
  '#9d755d',
  '#ff9da6',
  '#bab0ac',
];
const DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
const CHARTS = [
  { id: 'return', title: 'episode return (mean of the last 10)', keys: () => ['rollout/ep_return_mean'] },
  { id: 'kl', title: 'KL(π_old ‖ π) per update', keys: () => ['train/kl'] },
  { id: 'entropy', title: 'policy entropy', keys: () => ['train/entropy'] },
  {
    id: 'explained-variance',
    title: 'explained variance of the value function',
    keys: () => ['train/explained_variance'],
  },
  { id: 'time', title: 'time per phase (ms per iteration)', keys: (run) => timeKeys(run) },
];
const X_LABELS = { env_steps: 'env steps', 'time/wall_s': 'wall time' };

const token = new URLSearchParams(location.search).get('token') ?? '';
const state = { runs: [], x: 'env_steps' };
const charts = CHARTS.map(createChart);
let drawScheduled = false;

function timeKeys(run) {
  const keys = new Set();
  for (const row of run.rows) for (const key of Object.keys(row)) if (/^time\/.+_ms$/.test(key)) keys.add(key);
  return [...keys].sort();
}

function createChart(spec) {
  const figure = document.createElement('figure');
  figure.className = 'chart';
  figure.dataset.metric = spec.id;
  figure.dataset.points = '0';
  figure.innerHTML = `<figcaption><span>${spec.title}</span><span class="latest"></span></figcaption><canvas></canvas><div class="legend"></div>`;
  document.getElementById('charts').append(figure);
  return {
    spec,
    figure,
    canvas: figure.querySelector('canvas'),
    latest: figure.querySelector('.latest'),
    legend: figure.querySelector('.legend'),
  };
}

/** The lines of a chart: one per run, or for time one per run and phase (colour by phase, dash by run). */
function seriesOf(chart) {
  const series = [];
  const phases = [...new Set(state.runs.flatMap((run) => chart.spec.keys(run)))];
  state.runs.forEach((run, r) => {
    for (const key of chart.spec.keys(run)) {
      const perPhase = chart.spec.id === 'time';
      const points = run.rows
        .map((row) => [row[state.x], row[key]])
        .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
      series.push({
        run,
        key,
        points,
        color: perPhase ? COLORS[phases.indexOf(key) % COLORS.length] : COLORS[r % COLORS.length],
        dash: perPhase ? DASHES[r % DASHES.length] : [],
      });
    }
  });
  return { series, phases };
}

function scheduleDraw() {
  if (drawScheduled) return;
  drawScheduled = true;
  requestAnimationFrame(() => {
    drawScheduled = false;
    drawRuns();
    for (const chart of charts) drawChart(chart);
  });
}

function niceTicks(min, max, count) {
  if (min === max) [min, max] = [min - Math.abs(min || 1) * 0.5, max + Math.abs(max || 1) * 0.5];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  const ticks = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return { min, max, ticks };
}

function formatValue(value) {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)}k`;
  if (abs === 0 || abs >= 0.01) return String(Number(value.toPrecision(3)));
  return value.toExponential(1);
}

function formatX(value) {
  if (state.x !== 'time/wall_s') return formatValue(value);
  if (value < 120) return `${Number(value.toPrecision(3))}s`;
  if (value < 7200) return `${Number((value / 60).toPrecision(3))}m`;
  return `${Number((value / 3600).toPrecision(3))}h`;
}

function drawChart(chart) {
  const { series, phases } = seriesOf(chart);
  const canvas = chart.canvas;
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const g = canvas.getContext('2d');
  g.scale(ratio, ratio);
  g.clearRect(0, 0, width, height);
  const all = series.flatMap((s) => s.points);
  chart.figure.dataset.points = String(all.length);
  chart.figure.dataset.x = state.x;
  chart.latest.textContent = series
    .filter((s) => s.points.length > 0 && chart.spec.id !== 'time')
    .map((s) => `${state.runs.length > 1 ? `${s.run.label}: ` : ''}${formatValue(s.points[s.points.length - 1][1])}`)
    .join('  ');
  chart.legend.innerHTML =
    chart.spec.id === 'time'
      ? phases
          .map(
            (key) => `<span style="color:${COLORS[phases.indexOf(key) % COLORS.length]}">━ ${key.slice(5, -3)}</span>`,
          )
          .join('') + (state.runs.length > 1 ? ' <span>(dashes: runs in the order above)</span>' : '')
      : '';
  const left = 52;
  const right = 10;
  const top = 8;
  const bottom = 24;
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#5a6272';
  if (all.length === 0) {
    g.fillText('waiting for data…', left, top + 20);
    return;
  }
  const xs = niceTicks(Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0])), 6);
  const ys = niceTicks(Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1])), 5);
  const px = (x) => left + ((x - xs.min) / (xs.max - xs.min || 1)) * (width - left - right);
  const py = (y) => height - bottom - ((y - ys.min) / (ys.max - ys.min || 1)) * (height - top - bottom);
  g.strokeStyle = '#e6e8ec';
  g.lineWidth = 1;
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (const t of ys.ticks) {
    g.beginPath();
    g.moveTo(left, py(t));
    g.lineTo(width - right, py(t));
    g.stroke();
    g.fillText(formatValue(t), left - 6, py(t));
  }
  g.textAlign = 'center';
  g.textBaseline = 'top';
  for (const t of xs.ticks) g.fillText(formatX(t), px(t), height - bottom + 6);
  g.textAlign = 'right';
  g.fillText(X_LABELS[state.x], width - right, height - bottom - 14);
  g.lineWidth = 1.8;
  for (const s of series) {
    g.strokeStyle = s.color;
    g.fillStyle = s.color;
    g.setLineDash(s.dash);
    g.beginPath();
    s.points.forEach(([x, y], i) => (i === 0 ? g.moveTo(px(x), py(y)) : g.lineTo(px(x), py(y))));
    g.stroke();
    const [lx, ly] = s.points[s.points.length - 1];
    g.setLineDash([]);
    g.beginPath();
    g.arc(px(lx), py(ly), 2.5, 0, 2 * Math.PI);
    g.fill();
  }
  g.setLineDash([]);
}

function drawRuns() {
  const list = document.getElementById('runs');
  list.innerHTML = '';
  state.runs.forEach((run, r) => {
    const last = run.rows[run.rows.length - 1];
    const item = document.createElement('li');
    item.dataset.rows = String(run.rows.length);
    const detail = [run.info.algo, run.info.envId].filter(Boolean).join(' on ');
    const progress = last
      ? `iteration ${last.iteration}, ${formatValue(last.env_steps)} env steps, ${Math.round(last['time/wall_s'])} s`
      : 'no iteration yet';
    item.innerHTML = `<span class="swatch" style="background:${COLORS[r % COLORS.length]}"></span><b></b><span class="detail"></span>`;
    item.querySelector('b').textContent = run.info.label;
    item.querySelector('.detail').textContent = `${detail} · ${progress}`;
    list.append(item);
  });
}

function showVideo(run) {
  const entry = run.videos[run.videos.length - 1];
  const box = document.getElementById('videos');
  let figure = box.querySelector(`figure[data-run="${run.info.id}"]`);
  if (!entry) {
    figure?.remove();
  } else {
    if (!figure) {
      figure = document.createElement('figure');
      figure.dataset.run = String(run.info.id);
      box.append(figure);
    }
    if (figure.dataset.file !== entry.file) {
      figure.dataset.file = entry.file;
      const src = `/runs/${run.info.id}/videos/${encodeURIComponent(entry.file)}?token=${encodeURIComponent(token)}`;
      const media = entry.file.endsWith('.gif') ? document.createElement('img') : document.createElement('video');
      if (media.tagName === 'VIDEO')
        Object.assign(media, { autoplay: true, loop: true, muted: true, controls: true, playsInline: true });
      media.src = src;
      const caption = document.createElement('figcaption');
      caption.textContent = `${run.info.label}: iteration ${entry.iteration} (${formatValue(entry.env_steps)} env steps), return ${formatValue(entry.return)}, ${entry.length} steps`;
      figure.replaceChildren(media, caption);
    }
  }
  document.getElementById('no-videos').hidden = box.children.length > 0;
}

function connect() {
  const status = document.getElementById('status');
  const events = new EventSource(`/events?token=${encodeURIComponent(token)}`);
  events.addEventListener('open', () => {
    status.textContent = 'live';
    status.dataset.state = 'live';
  });
  events.addEventListener('error', () => {
    status.textContent = 'disconnected: retrying…';
    status.dataset.state = 'offline';
  });
  events.addEventListener('runs', (event) => {
    state.runs = JSON.parse(event.data).runs.map((info) => ({ info, label: info.label, rows: [], videos: [] }));
    document.getElementById('videos').replaceChildren();
    scheduleDraw();
  });
  events.addEventListener('rows', (event) => {
    const update = JSON.parse(event.data);
    const run = state.runs[update.run];
    if (!run) return;
    if (update.reset) run.rows = [];
    // JSON has no NaN: the server's nulls are non-finite values, left out of the lines.
    run.rows.push(
      ...update.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? NaN : v]))),
    );
    scheduleDraw();
  });
  events.addEventListener('videos', (event) => {
    const update = JSON.parse(event.data);
    const run = state.runs[update.run];
    if (!run) return;
    if (update.reset) run.videos = [];
    run.videos.push(...update.videos);
    showVideo(run);
  });
}

for (const input of document.querySelectorAll('#x-axis input')) {
  input.addEventListener('change', () => {
    state.x = input.value;
    scheduleDraw();
  });
}
window.addEventListener('resize', scheduleDraw);
connect();
