// The viewer page: lists the server's live sessions (GET /v1/sessions with the token) and watches one read-only.
// One request in flight at a time, the next one asked for after the frame interval (30 fps by default, 15 where
// WebGL is drawn by the CPU) and the next animation frame: a slow network or server means skipped frames, never a queue. The page is frugal because
// the browser may share the server's cores: it draws only when a new sample arrived (or the camera moved), on a
// modest canvas at device pixel ratio 1 (smaller and without antialiasing where WebGL is drawn by the CPU), with a
// status line rewritten a few times a second rather than per frame, and it neither asks nor draws while its tab
// is hidden. Query parameters (docs/viewer.md): ?fps=1..60, ?size=WxH (the largest
// canvas), ?antialias=on|off.
import { OrbitControls } from '/viewer/vendor/OrbitControls.js';
import { createSceneView, softwareWebGL } from '/viewer/scene-view.js';

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
const clamp = (value, low, high, fallback) =>
  Number.isFinite(value) ? Math.min(high, Math.max(low, value)) : fallback;
const software = softwareWebGL();
// Where WebGL is drawn by the CPU, its cost per frame grows with the pixels drawn (docs/viewer.md), so the canvas
// is smaller there.
const defaultSize = software ? [480, 360] : [640, 480];
const [maxWidth, maxHeight] = (query.get('size') ?? defaultSize.join('x')).split('x').map(Number);
const settings = {
  // Where WebGL is drawn by the CPU a frame costs tens of ms of CPU time, so the default rate is halved there.
  fps: clamp(Number(query.get('fps') ?? (software ? 15 : 30)), 1, 60, 30),
  maxWidth: clamp(maxWidth, 160, 4096, defaultSize[0]),
  maxHeight: clamp(maxHeight, 120, 4096, defaultSize[1]),
  antialias: query.has('antialias') ? query.get('antialias') === 'on' : !software,
  softwareWebGL: software,
};
/** The status line (steps, returns, fps) is rewritten at most this often. */
const OVERLAY_INTERVAL_MS = 250;
/** While the session does not step, ask this often instead of at the frame rate. */
const IDLE_INTERVAL_MS = 250;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nextAnimationFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
const whenVisible = () =>
  new Promise((resolve) => document.addEventListener('visibilitychange', resolve, { once: true }));
/** Writes `text` into element `id` only when it changed: no style or layout work for equal values. */
function setText(id, text) {
  const element = $(id);
  if (element.textContent !== text) element.textContent = text;
}
const tokenInput = $('token');
const state = {
  token: new URLSearchParams(location.hash.slice(1)).get('token') ?? sessionStorage.getItem('vinegym-token') ?? '',
  sessions: [],
  watching: null, // { id, envId, mode, stop }
  framesDrawn: 0,
  // Milliseconds the page's own thread spent per phase of watching, summed (bench/viewer-frame.ts reads them).
  phases: { fetch: 0, poses: 0, render: 0, overlay: 0 },
  settings,
  lastStatus: null,
  lastPoses: null,
  refused: false,
};
// Tests and the curious read the page's state here.
window.vinegymViewer = state;
tokenInput.value = state.token;
if (location.hash) history.replaceState(null, '', location.pathname); // keep the token out of the address bar

tokenInput.addEventListener('change', () => {
  state.token = tokenInput.value.trim();
  sessionStorage.setItem('vinegym-token', state.token);
  refreshSessions();
});

function setStatus(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

async function api(path) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${state.token}` }, cache: 'no-store' });
  if (response.status === 401 || response.status === 429) {
    state.refused = true;
    const { error } = await response.json().catch(() => ({ error: response.statusText }));
    throw Object.assign(new Error(`refused: ${error}`), { refused: true });
  }
  state.refused = false;
  return response;
}

async function refreshSessions() {
  if (document.hidden) return;
  if (!state.token) {
    setStatus('Enter the server token (the server prints the viewer URL with it).', true);
    return;
  }
  try {
    const response = await api('/v1/sessions');
    state.sessions = (await response.json()).sessions;
    setStatus(`${state.sessions.length} live session${state.sessions.length === 1 ? '' : 's'}`);
    drawList();
  } catch (error) {
    state.sessions = [];
    drawList();
    setStatus(error.message, true);
  }
}

function drawList() {
  const list = $('sessions');
  list.replaceChildren(
    ...state.sessions.map((s) => {
      const item = document.createElement('li');
      item.dataset.id = s.id;
      item.classList.toggle('selected', state.watching?.id === s.id);
      const can = s.render_modes.includes('scene') ? '3D' : s.render_modes.includes('rgb_array') ? 'frames' : 'no view';
      const last = s.env0.last_return === null ? '–' : s.env0.last_return.toFixed(1);
      item.innerHTML = `<div class="env"></div><div class="meta"></div>`;
      item.firstChild.textContent = s.env_id;
      item.lastChild.textContent = `${s.num_envs} env${s.num_envs === 1 ? '' : 's'} · ${s.steps} steps · last return ${last} · ${can}`;
      item.addEventListener('click', () => watch(s));
      return item;
    }),
  );
}

function showStats(session, status) {
  setText('env-id', session.env_id);
  setText('steps', status ? String(status.steps) : '–');
  setText('episode-return', status ? status.episode_return.toFixed(2) : '–');
  setText('episode-length', status ? String(status.episode_length) : '–');
  setText('last-return', status && status.last_return !== null ? status.last_return.toFixed(2) : '–');
}

async function watch(session) {
  state.watching?.stop();
  const mode = session.render_modes.includes('scene')
    ? 'scene'
    : session.render_modes.includes('rgb_array')
      ? 'rgb_array'
      : null;
  const stage = $('stage');
  const canvas = document.createElement('canvas');
  canvas.id = mode === 'scene' ? 'scene' : 'frame';
  stage.replaceChildren(canvas);
  let stopped = false;
  const watching = { id: session.id, envId: session.env_id, mode, stop: () => (stopped = true) };
  state.watching = watching;
  state.framesDrawn = 0;
  drawList();
  showStats(session, null);
  if (mode === null) {
    stage.replaceChildren(
      Object.assign(document.createElement('span'), { id: 'empty', textContent: `${session.env_id} does not render` }),
    );
    return;
  }
  const base = `/v1/sessions/${encodeURIComponent(session.id)}`;
  let view = null;
  let controls = null;
  watching.stop = () => {
    stopped = true;
    controls?.dispose();
    view?.renderer.dispose(); // frees the WebGL context now rather than at garbage collection
  };
  const drawTimes = [];
  // The status line is rewritten a few times a second, not per frame: every text change costs the page a style,
  // layout, paint and raster pass, and a composited frame of its own, where the numbers change too fast to read.
  // The latest status always reaches the line: a throttled one is written when the interval ends.
  let overlayWritten = -Infinity;
  let overlayTimer = null;
  const updateOverlay = (status) => {
    const now = performance.now();
    const wait = overlayWritten + OVERLAY_INTERVAL_MS - now;
    if (wait > 0) {
      overlayTimer ??= setTimeout(() => {
        overlayTimer = null;
        if (!stopped) updateOverlay(state.lastStatus);
      }, wait);
      return;
    }
    overlayWritten = now;
    showStats(session, status);
    setText('fps', String(drawTimes.length));
    state.phases.overlay += performance.now() - now;
  };

  /** Counts a drawn frame; the fps shown is the draws of the last second. */
  const countDraw = () => {
    state.framesDrawn++;
    const now = performance.now();
    drawTimes.push(now);
    while (drawTimes.length > 0 && now - drawTimes[0] > 1000) drawTimes.shift();
  };
  // 3D: every render goes through one animation frame, so a new sample and a camera move in the same frame draw once.
  let renderPending = false;
  const renderSoon = () => {
    if (renderPending || stopped) return;
    renderPending = true;
    requestAnimationFrame(() => {
      renderPending = false;
      if (stopped) return;
      const started = performance.now();
      view.render();
      state.phases.render += performance.now() - started;
      countDraw();
    });
  };

  const fetchFrame = async () => {
    const response = await api(`${base}/frame?env_index=0&mode=${mode === 'scene' ? 'poses' : 'rgb_array'}`);
    if (!response.ok) {
      const { error } = await response.json().catch(() => ({ error: response.statusText }));
      return { error };
    }
    return { status: JSON.parse(response.headers.get('x-vinegym-status')), bytes: await response.arrayBuffer() };
  };

  const draw = ({ status, bytes }) => {
    state.lastStatus = status;
    updateOverlay(status);
    if (mode === 'scene') {
      const posed = performance.now();
      const n = status.geoms;
      const all = new Float64Array(bytes);
      const positions = all.subarray(0, 3 * n);
      const rotations = all.subarray(3 * n, 12 * n);
      state.lastPoses = Array.from(positions);
      view.setPoses(positions, rotations);
      controls.update();
      state.phases.poses += performance.now() - posed;
      renderSoon();
    } else {
      const { width, height } = status;
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
        canvas.style.width = `${Math.min(960, width * Math.max(1, Math.floor(480 / height)))}px`;
      }
      const rgb = new Uint8Array(bytes);
      const image = new ImageData(width, height);
      for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
        image.data[j] = rgb[i];
        image.data[j + 1] = rgb[i + 1];
        image.data[j + 2] = rgb[i + 2];
        image.data[j + 3] = 255;
      }
      canvas.getContext('2d').putImageData(image, 0, 0);
      countDraw();
    }
  };

  try {
    if (mode === 'scene') {
      const response = await api(`${base}/scene?env_index=0`);
      if (!response.ok) throw new Error((await response.json()).error);
      const { scene } = await response.json();
      const width = Math.min(settings.maxWidth, Math.max(320, stage.clientWidth - 16));
      const height = Math.min(settings.maxHeight, Math.max(240, stage.clientHeight - 16));
      view = createSceneView(canvas, scene, {
        width,
        height,
        antialias: settings.antialias,
      });
      controls = new OrbitControls(view.camera, canvas);
      controls.target = view.target;
      controls.addEventListener('change', renderSoon); // a camera moved by the user redraws the last sample
    }
    const interval = 1000 / settings.fps;
    let lastSteps = null;
    while (!stopped) {
      if (document.hidden) {
        await whenVisible(); // a hidden tab asks for nothing and draws nothing
        continue;
      }
      const asked = performance.now();
      const frame = await fetchFrame();
      state.phases.fetch += performance.now() - asked;
      if (stopped) break;
      if (frame.error) {
        setStatus(frame.error, true);
        await sleep(500);
        continue;
      }
      // The session's step count tells a new sample from the last one: an unchanged scene is not drawn again.
      const fresh = frame.status.steps !== lastSteps;
      if (fresh) {
        lastSteps = frame.status.steps;
        draw(frame);
      }
      await sleep((fresh ? interval : IDLE_INTERVAL_MS) - (performance.now() - asked));
      await nextAnimationFrame();
    }
  } catch (error) {
    setStatus(error.message, true);
  }
}

refreshSessions();
setInterval(refreshSessions, 2000);
