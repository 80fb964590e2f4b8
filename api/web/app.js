// Dashboard: polls the campaign API every second and renders each campaign.
"use strict";

const root = document.getElementById("campaigns");
const tpl = document.getElementById("campaign-tpl");
const statusEl = document.getElementById("status");
const sections = new Map();

function rows(table, obj) {
  const entries = Object.entries(obj || {}).sort();
  table.replaceChildren(...entries.map(([k, v]) => {
    const tr = document.createElement("tr");
    const a = document.createElement("td");
    const b = document.createElement("td");
    a.textContent = k;
    b.textContent = v;
    tr.append(a, b);
    return tr;
  }));
  if (entries.length === 0) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.textContent = "none";
    td.className = "muted";
    tr.append(td);
    table.append(tr);
  }
}

function sectionFor(id) {
  let s = sections.get(id);
  if (!s) {
    s = tpl.content.firstElementChild.cloneNode(true);
    s.dataset.id = id;
    s.querySelectorAll("button[data-op]").forEach((btn) => {
      btn.addEventListener("click", async () => {
        await fetch(`/api/v1/campaigns/${encodeURIComponent(id)}/${btn.dataset.op}`, { method: "POST" });
        refresh();
      });
    });
    root.append(s);
    sections.set(id, s);
  }
  return s;
}

function render(v) {
  const c = v.campaign;
  const st = v.stats || {};
  const s = sectionFor(c.id);
  s.querySelector(".name").textContent = c.name;
  const badge = s.querySelector(".state");
  badge.textContent = v.state;
  badge.className = "state badge " + v.state;
  s.querySelector(".mode").textContent = c.mode;
  s.querySelector(".attempts").textContent = st.attempts ?? 0;
  s.querySelector(".live").textContent = st.live_answers ?? 0;
  s.querySelector(".connected").textContent = st.connected ?? 0;
  s.querySelector(".abandoned").textContent = st.abandoned ?? 0;
  s.querySelector(".rate").textContent = ((st.abandon_rate ?? 0) * 100).toFixed(2) + "%";
  const live = v.live || {};
  s.querySelector(".inflight").textContent = Object.values(live).reduce((a, b) => a + b, 0);
  rows(s.querySelector(".agents"), v.agents);
  rows(s.querySelector(".leads"), st.leads);
  rows(s.querySelector(".stages"), live);
}

async function refresh() {
  try {
    const res = await fetch("/api/v1/campaigns");
    if (!res.ok) throw new Error(res.status + " " + res.statusText);
    const body = await res.json();
    body.campaigns.forEach(render);
    statusEl.textContent = "updated " + new Date().toLocaleTimeString();
    document.body.dataset.loaded = "true";
  } catch (e) {
    statusEl.textContent = "error: " + e.message;
  }
}

refresh();
setInterval(refresh, 1000);
