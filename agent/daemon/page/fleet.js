// The fleet page: asks this agent for /v1/status, /v1/members and /v1/jobs once a second and
// draws them. Every value from the cluster goes in through textContent, never as HTML. Node ids
// are u64, more than a JavaScript number holds exactly: the page uses their *_str twins.
'use strict';

const REFRESH_MS = 1000;
const LED_FRAME_MS = 50;
const THROTTLE_BITS = ['under-voltage', 'frequency capped', 'throttled', 'soft temperature limit'];
const SINCE_BOOT_SHIFT = 16;
const HOT_MILLI_C = 70000; // hal/constants.h kThermalSoftLimitMilliC
const ledStart = Date.now();
let firstRenderMs = null;

function $(id) { return document.getElementById(id); }

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function cell(row, className, text) { return row.appendChild(element('td', className, text)); }

function bar(fraction) {
  const outer = element('span', 'bar');
  const inner = outer.appendChild(element('span'));
  inner.style.width = (Math.max(0, Math.min(1, fraction)) * 100).toFixed(1) + '%';
  return outer;
}

async function getJson(path) {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) throw new Error(path + ' answered HTTP ' + response.status);
  return response.json();
}

function nameOf(members, id) {
  const member = members.find((m) => m.node_id_str === id);
  return member && member.name ? member.name + ' (' + id + ')' : String(id);
}

function throttlingText(bits) {
  const now = THROTTLE_BITS.filter((_, i) => bits & (1 << i));
  const boot = THROTTLE_BITS.filter((_, i) => bits & (1 << (i + SINCE_BOOT_SHIFT)));
  if (now.length) return now.join(', ');
  if (boot.length) return 'since boot: ' + boot.join(', ');
  return 'none';
}

function heardText(member, leadersView) {
  if (member.last_heard_ms >= 0) return member.last_heard_ms + ' ms ago';
  return leadersView ? 'never' : '-';
}

// The status LED as it would look: the steps are on/off durations in ms from "on".
function ledLevel(steps, now) {
  if (!steps.length) return true;
  const cycle = steps.reduce((a, b) => a + b, 0);
  let t = (now - ledStart) % cycle;
  for (let i = 0; i < steps.length; i++) {
    if (t < steps[i]) return i % 2 === 0;
    t -= steps[i];
  }
  return false;
}

function animateLeds() {
  if (document.hidden) return;
  const now = Date.now();
  for (const led of document.querySelectorAll('.led[data-steps]')) {
    led.classList.toggle('on', ledLevel(JSON.parse(led.dataset.steps), now));
  }
}

function renderMembers(view, status) {
  const members = view.members;
  const leadersView = view.view_node_id_str !== '0' && view.view_node_id_str === view.leader_id_str;
  const maxCapacity = Math.max(1, ...members.map((m) => m.capacity_milli));
  const body = $('members').tBodies[0];
  body.replaceChildren();
  for (const m of members) {
    const row = element('tr');
    const leader = m.node_id_str === view.leader_id_str;
    row.dataset.nodeId = m.node_id_str;
    if (leader) row.classList.add('leader');
    const ledCell = cell(row, 'led-cell');
    const led = ledCell.appendChild(element('span', 'led'));
    if (m.led === 'unknown') led.classList.add('unknown');
    else led.dataset.steps = JSON.stringify(m.led_steps_ms);
    ledCell.appendChild(element('span', 'pattern', m.led));
    ledCell.title = m.led_source === 'own' ? 'this node\'s own status LED'
      : 'as this node infers it from the members table';
    cell(row, 'name', m.name);
    cell(row, 'node', m.node_id_str);
    cell(row, 'role', leader ? 'leader' : m.voting);
    const temp = cell(row, 'temperature',
      m.temperature_milli ? (m.temperature_milli / 1000).toFixed(1) + ' \u00b0C' : '-');
    if (m.temperature_milli >= HOT_MILLI_C) temp.classList.add('hot');
    const capacity = cell(row, 'capacity');
    capacity.appendChild(bar(m.capacity_milli / maxCapacity));
    capacity.appendChild(element('span', 'capacity-value', (m.capacity_milli / 1000).toFixed(1)));
    const throttling = cell(row, 'throttling', throttlingText(m.throttled_bits));
    if (m.throttled_bits & 0xf) throttling.classList.add('hot');
    cell(row, 'heard', heardText(m, leadersView));
    body.appendChild(row);
  }
  $('members-note').textContent = leadersView
    ? 'Last heard is the leader\'s view. LEDs of other nodes are inferred; capacity in Mops.'
    : 'This node is not the leader: last heard is its own view (' + status.name +
      '). LEDs of other nodes are inferred; capacity in Mops.';
}

function renderJobs(jobs, members) {
  const box = $('jobs');
  box.replaceChildren();
  if (!jobs.jobs.length) box.appendChild(element('p', 'muted', 'No jobs.'));
  for (const job of jobs.jobs) {
    const div = box.appendChild(element('div', 'job'));
    div.dataset.job = job.name;
    const head = div.appendChild(element('div'));
    head.appendChild(element('strong', 'job-name', job.name));
    head.appendChild(document.createTextNode(' \u00b7 '));
    head.appendChild(element('span', 'job-state', job.state));
    const progress = div.appendChild(element('div'));
    progress.appendChild(bar(job.items ? job.committed_items / job.items : 0));
    progress.appendChild(element('span', 'job-progress', job.committed_items + ' / ' + job.items +
      ' items, ' + job.chunks_done + ' of ' + job.chunks + ' chunks done, ' +
      job.chunks_running + ' running'));
    if (job.failure) div.appendChild(element('div', 'hot', job.failure));
    if (!job.workers.length) continue;
    const table = div.appendChild(element('table'));
    const header = table.appendChild(element('tr'));
    for (const title of ['Node', 'Capacity', 'Items', 'Items/s', 'Running']) {
      header.appendChild(element('th', '', title));
    }
    for (const w of job.workers) {
      const row = table.appendChild(element('tr'));
      cell(row, 'worker', w.name ? w.name + ' (' + w.node_str + ')' : nameOf(members, w.node_str));
      cell(row, '', (w.capacity_milli / 1000).toFixed(1));
      cell(row, '', String(w.items));
      cell(row, 'rate', w.items_per_s.toFixed(1));
      cell(row, '', String(w.running));
    }
  }
  if (jobs.finished_not_shown) {
    box.appendChild(element('p', 'muted', jobs.finished_not_shown + ' older finished jobs not shown.'));
  }
}

function renderLeaders(status, members) {
  const list = $('leaders');
  list.replaceChildren();
  for (const change of status.leader_changes.slice().reverse()) {
    const when = new Date(change.unix_ms).toLocaleString();
    list.appendChild(element('li', '', when + ': ' +
      (change.leader_id_str !== '0' ? nameOf(members, change.leader_id_str) : 'no leader')));
  }
  if (!status.leader_changes.length) list.appendChild(element('li', 'muted', 'none seen yet'));
}

function renderSummary(status, members) {
  $('cluster').textContent = status.cluster;
  const leader = status.leader_id_str !== '0' ? nameOf(members, status.leader_id_str) : 'none known';
  $('summary').textContent = 'Leader: ' + leader + ' \u00b7 ' + status.voters.length +
    ' voters, ' + status.learners.length + ' learners \u00b7 seen from ' + status.name + ' (' +
    status.node_id_str + ', ' + status.role + '), applied slot ' + status.applied_slot;
}

async function refresh() {
  try {
    const [status, view, jobs] = await Promise.all(
      [getJson('v1/status'), getJson('v1/members'), getJson('v1/jobs')]);
    renderSummary(status, view.members);
    renderMembers(view, status);
    renderJobs(jobs, view.members);
    renderLeaders(status, view.members);
    animateLeds();
    $('error').hidden = true;
    $('updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
    if (firstRenderMs === null) {
      firstRenderMs = performance.now();
      document.body.dataset.firstRenderMs = firstRenderMs.toFixed(1);
    }
  } catch (error) {
    $('error').textContent = 'Cannot reach this node\'s agent: ' + error.message +
      '. Showing the last answer.';
    $('error').hidden = false;
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

setInterval(animateLeds, LED_FRAME_MS);
refresh();
