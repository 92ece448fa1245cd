/* border21 dashboard: vanilla JS over the /api/v1 endpoints; charts via the bundled vega-embed. */
"use strict";
(function () {
  const $ = (sel) => document.querySelector(sel);
  const page = document.body.dataset.page;
  const TOKEN_KEY = "border21.token";
  /* The page's language and its messages (from the gettext catalog, embedded by the server).
     t("… {name} …", {name}) is a message in that language with its placeholders filled;
     `pybabel extract` finds every t("…") here (see docs/i18n.md). */
  const LANG = document.documentElement.lang || "en";
  const MESSAGES = JSON.parse(($("#messages") || {}).textContent || "{}");
  const t = (msg, params) => (MESSAGES[msg] || msg).replace(/\{(\w+)\}/g,
    (m, k) => (params && k in params ? String(params[k]) : m));
  /* Names the API returns as data (policies, cooperation variants, sources) shown in a label. */
  const TERMS = {
    targeted: t("targeted"), random: t("random"), trusted: t("trusted"), baseline: t("baseline"),
    shared_intelligence: t("shared intelligence"), enrolment: t("trusted-trader enrolment"),
    simulated: t("simulated"), observed: t("observed (CBP)"), general: t("general"),
    northbound: t("northbound"), southbound: t("southbound"),
    Pedestrians: t("Pedestrians"), "Personal Vehicles": t("Personal Vehicles"), Trucks: t("Trucks"),
    Export: t("Exports"), Import: t("Imports"), curated: t("curated"), generated: t("generated"),
    "curated+generated": t("curated and generated"),
  };
  const term = (v) => TERMS[v] || v;
  /* Month and day names for Vega's time axes (d3's es-MX locale); numbers keep "1,234.5". */
  const TIME_LOCALE = LANG !== "es" ? undefined : {
    dateTime: "%x, %X", date: "%d/%m/%Y", time: "%-I:%M:%S %p", periods: ["a. m.", "p. m."],
    days: ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
    shortDays: ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"],
    months: ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
      "septiembre", "octubre", "noviembre", "diciembre"],
    shortMonths: ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"],
  };
  /* The EN/ES switch: remember the choice in a cookie (the server reads it), then reload. */
  document.querySelectorAll("nav.lang a[data-lang]").forEach((a) => a.addEventListener("click", (ev) => {
    ev.preventDefault();
    document.cookie = `border21_lang=${a.dataset.lang}; path=/; max-age=31536000; SameSite=Lax`;
    location.assign(location.pathname);
  }));
  const status = (msg, isError) => {
    const el = $("#status");
    el.textContent = msg || "";
    el.className = isError ? "error" : "";
  };
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

  async function api(path, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    opts.headers.Authorization = "Bearer " + (localStorage.getItem(TOKEN_KEY) || "");
    if (opts.body && typeof opts.body !== "string") {
      opts.body = JSON.stringify(opts.body);
      opts.headers["Content-Type"] = "application/json";
    }
    const res = await fetch(path, opts);
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error(body.detail || res.statusText);
      err.status = res.status;
      throw err;
    }
    if (res.status === 202 && body.result_url) return awaitJob(body);
    return body;
  }

  /* A request the service ran as a background job: poll it, then fetch its result. */
  async function awaitJob(job) {
    for (let i = 0; i < 600; i++) {
      const now = await api("/api/v1/jobs/" + encodeURIComponent(job.id));
      if (now.status === "succeeded") return api(job.result_url);
      if (now.status === "failed") throw new Error(now.error || t("the job failed"));
      status(t("Running as a background job ({status})…", { status: now.status }));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(t("the job is still running; try again later"));
  }

  /* "12.3 ± 0.4": a figure and the half-width of its 95% interval (none from one run). */
  const pm = (v, h, digits) => v == null ? "—"
    : v.toFixed(digits) + (h == null ? "" : " ± " + h.toFixed(digits));

  /* A chart and its text alternative: Vega makes `description` the container's aria-label
     (else the generic "Vega visualization"), so each page says what its chart shows. */
  async function draw(id, description, spec) {
    const base = {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json", description,
      width: "container", height: 220, autosize: { type: "fit", contains: "padding" },
    };
    /* In Spanish, Vega's own English ARIA text for axes and legends ("X-axis titled …") is
       switched off: the chart's Spanish description names it (marks keep Vega's words). */
    await vegaEmbed("#" + id, Object.assign(base, spec), { renderer: "svg", actions: false,
      timeFormatLocale: TIME_LOCALE,
      config: LANG === "es" ? { axis: { aria: false }, legend: { aria: false } } : {} });
    document.getElementById(id).dataset.drawn = String(Date.now());
  }

  function card(id, title) {
    return `<div class="card"><h2>${esc(title)}</h2><div id="${id}" class="chart"></div></div>`;
  }

  function slider(id, label, min, max, step, value, fmt) {
    return `<label>${esc(label)}: <output id="${id}-out">${fmt(value)}</output>
      <input id="${id}" type="range" min="${min}" max="${max}" step="${step}" value="${value}"></label>`;
  }

  function bindSlider(id, fmt, onChange) {
    const el = document.getElementById(id);
    let timer = null;
    el.addEventListener("input", () => {
      document.getElementById(id + "-out").textContent = fmt(Number(el.value));
      clearTimeout(timer);
      timer = setTimeout(() => onChange(Number(el.value)), 250);
    });
  }
  const pct = (v) => Math.round(v * 100) + "%";
  /* The row with the largest value of a field (for the charts' text alternatives). */
  const top = (rows, field) => rows.reduce((a, b) => (b[field] > a[field] ? b : a), rows[0] || {});
  const fixed = (v, d) => (v == null ? "—" : Number(v).toFixed(d));

  /* ---------------------------------------------------------------- port */
  const OBSERVED = { san_ysidro: "san ysidro", el_paso_bota: "BOTA" };
  async function portPage() {
    const ports = await api("/api/v1/ports");
    $("#controls").innerHTML = `<label>${esc(t("Port"))} <select id="scenario">${ports.map((p) =>
      `<option value="${esc(p.scenario)}">${esc(p.name)}</option>`).join("")}</select></label>
      ${slider("booths", t("Staffed booths"), 0.5, 1.5, 0.05, 1, pct)}
      ${slider("referral", t("Referral to secondary inspection"), 0, 0.3, 0.01, 0.05, pct)}`;
    $("#content").innerHTML = `<div class="grid">${card("wait", t("Mean wait by hour of day (min): simulated, and CBP observed where published"))}
      ${card("queue", t("Vehicles queued through the day"))}${card("util", t("Booth utilisation"))}
      <div class="card"><h2>${esc(t("Waits by lane group"))}</h2><div id="summary" class="scroll"></div></div></div>`;
    const sel = $("#scenario");
    if (ports.some((p) => p.scenario === "laredo_wtb")) sel.value = "laredo_wtb";
    const run = async () => {
      status(t("Simulating one day, three replications…"));
      const body = {
        scenario: sel.value, days: 1, replications: 3, seed: 1,
        booth_scale: Number($("#booths").value), referral_rate: Number($("#referral").value),
      };
      const r = await api("/api/v1/simulations", { method: "POST", body });
      const tab = r.tables;
      const waits = tab.wait_by_hour.map((w) => Object.assign({ source: term("simulated") }, w));
      if (OBSERVED[sel.value]) {
        try {
          const obs = await api("/api/v1/indicators/wait-profile?port=" + encodeURIComponent(OBSERVED[sel.value]));
          obs.rows.forEach((o) => waits.push({ hour: o.hour, mean_wait_min: o.wait_minutes,
            lane_group: "general", source: term("observed") }));
        } catch (e) { /* no observed profile: show the simulation alone */ }
      }
      const sim = waits.filter((w) => w.source === term("simulated"));
      const worst = top(sim, "mean_wait_min");
      const longest = { wait: fixed(worst.mean_wait_min, 1), lanes: worst.lane_group, hour: worst.hour };
      await draw("wait", waits.length > sim.length
        ? t("Line chart of the simulated mean wait by hour of day for each lane group, with CBP's observed profile dashed; the longest is {wait} min ({lanes}, hour {hour}).", longest)
        : t("Line chart of the simulated mean wait by hour of day for each lane group; the longest is {wait} min ({lanes}, hour {hour}).", longest), {
        data: { values: waits }, mark: { type: "line", point: true },
        encoding: { x: { field: "hour", type: "quantitative", title: t("hour of day"), scale: { domain: [0, 23] } },
          y: { field: "mean_wait_min", type: "quantitative", title: t("minutes") },
          color: { field: "lane_group", type: "nominal", title: t("lanes") },
          strokeDash: { field: "source", type: "nominal", title: null } },
      });
      const groups = Object.keys(tab.queue_length[0] || {}).filter((k) => k !== "time_h");
      const sums = tab.queue_length.map((q) => ({ time_h: q.time_h,
        queued: groups.reduce((a, g) => a + (q[g] || 0), 0) }));
      const peak = top(sums, "queued");
      await draw("queue", t("Stacked area chart of vehicles queued through the day by lane group ({groups}); at most {peak} queued, at hour {hour}.",
        { groups: groups.join(", "), peak: fixed(peak.queued, 0), hour: fixed(peak.time_h, 1) }), {
        data: { values: tab.queue_length }, transform: [{ fold: groups, as: ["lane_group", "queued"] }],
        mark: "area", encoding: { x: { field: "time_h", type: "quantitative", title: t("hour") },
          y: { field: "queued", type: "quantitative", stack: true, title: t("vehicles queued") },
          color: { field: "lane_group", type: "nominal", title: t("lanes") } },
      });
      await draw("util", t("Bar chart of booth utilisation by lane group: {groups}.", { groups:
        tab.utilisation.map((u) => `${u.lane_group} ${pct(u.utilisation)}`).join(", ") }), {
        data: { values: tab.utilisation }, mark: "bar",
        encoding: { y: { field: "lane_group", type: "nominal", title: null },
          x: { field: "utilisation", type: "quantitative", title: t("booth utilisation"),
            scale: { domain: [0, 1] }, axis: { format: "%" } } },
      });
      $("#summary").innerHTML = `<table><tr><th>${esc(t("lane group"))}</th><th>${esc(t("direction"))}</th>
        <th>${esc(t("crossings/day"))}</th><th>${esc(t("mean wait (min)"))}</th>
        <th>${esc(t("p95 wait (min)"))}</th></tr>${r.summary.map((s) => `<tr><td>${esc(s.lane_group)}</td>
        <td>${esc(term(s.direction))}</td><td>${Math.round(s.crossings_per_day)}</td>
        <td>${esc(pm(s.mean_wait_min, s.mean_wait_min_ci95, 1))}</td>
        <td>${esc(pm(s.p95_wait_min, s.p95_wait_min_ci95, 1))}</td></tr>`).join("")}</table>
        <p class="muted">${esc(t("± the half-width of the 95% interval over {n} replications.", { n: r.replications }))}</p>`;
      status(t("{scenario}: 1 day × {n} replications, seed {seed}", { scenario: r.scenario, n: r.replications, seed: r.seed }) +
        (r.warnings.length ? ` — ${r.warnings[0]}` : ""));
    };
    sel.addEventListener("change", () => run().catch((e) => status(e.message, true)));
    bindSlider("booths", pct, () => run().catch((e) => status(e.message, true)));
    bindSlider("referral", pct, () => run().catch((e) => status(e.message, true)));
    await run();
  }

  /* ------------------------------------------------------------ frontier */
  async function frontierPage() {
    const option = (v) => `<option value="${v}">${esc(term(v))}</option>`;
    $("#controls").innerHTML = `<label>${esc(t("Port"))} <select id="scenario">
        <option value="laredo_wtb">Laredo World Trade Bridge</option>
        <option value="san_ysidro">San Ysidro</option></select></label>
      <label>${esc(t("Cooperation"))} <select id="variant">${option("shared_intelligence")}
        ${option("enrolment")}</select></label>
      <label>${esc(t("Your policy"))} <select id="policy">${["targeted", "random", "trusted"].map(option).join("")}
        </select></label>
      ${slider("rate", t("Referral rate"), 0.01, 0.3, 0.01, 0.05, pct)}
      ${slider("booths", t("Staffed booths"), 0.5, 1.5, 0.05, 1, pct)}`;
    $("#content").innerHTML = `<div class="grid">${card("frontier", t("Northbound: share of carriers caught vs delay per crossing"))}</div>
      <p class="muted">${esc(t("Lines: policies over budgets of 2–20% (three replications of one day; bars are 95% intervals). The black point re-runs a small simulation at the sliders' referral rate and staffing. Three replications are few: the notes under the chart say when the intervals are too wide to tell policies apart (the CLI's {command} runs 30).")).replace("{command}", "<code>border21 frontier</code>")}</p>
      <p id="frontier-notes" class="muted"></p>`;
    const labelled = (rows) => rows.map((row) => Object.assign({ policy_label: term(row.policy),
      variant_label: term(row.variant) }, row));
    let curve = [];
    let point = [];
    const describe = () => {
      const p = point[0] || {};
      const yours = t("your policy");
      return t("Frontier chart: share of northbound carriers caught against mean delay per crossing, one line per policy over budgets of 2–20%, baseline solid and the cooperation variant dashed, with 95% interval bars; the black point is {policy} at {rate}: {caught}% caught, {delay} min delay.",
        { policy: p.policy ? term(p.policy) : yours, rate: pct(p.rate || 0),
          caught: fixed(100 * (p.detection_rate || 0), 1), delay: fixed(p.mean_delay_min, 2) });
    };
    const render = () => draw("frontier", describe(), {
      layer: [
        { data: { values: curve }, transform: [
            { calculate: "datum.detection_rate - datum.detection_rate_ci95", as: "lo" },
            { calculate: "datum.detection_rate + datum.detection_rate_ci95", as: "hi" }],
          mark: { type: "rule", opacity: 0.5 },
          encoding: { x: { field: "mean_delay_min", type: "quantitative" },
            y: { field: "lo", type: "quantitative" }, y2: { field: "hi" },
            color: { field: "policy_label", type: "nominal", title: t("policy") } } },
        { data: { values: curve }, mark: { type: "line", point: true },
          encoding: { x: { field: "mean_delay_min", type: "quantitative",
            title: t("northbound mean delay per crossing, queue + inspection (min)"),
            scale: { zero: false } },
          y: { field: "detection_rate", type: "quantitative", title: t("share of northbound carriers caught") },
          color: { field: "policy_label", type: "nominal", title: t("policy") },
          strokeDash: { field: "variant_label", type: "nominal", title: t("cooperation") },
          order: { field: "rate", type: "quantitative" },
          tooltip: [{ field: "variant_label", title: t("cooperation") }, { field: "policy_label", title: t("policy") },
            { field: "rate", title: t("referral rate"), format: ".0%" }] } },
        { data: { values: point }, mark: { type: "point", filled: true, size: 160, color: "black" },
          encoding: { x: { field: "mean_delay_min", type: "quantitative" },
            y: { field: "detection_rate", type: "quantitative" },
            tooltip: [{ field: "policy_label", title: t("policy") }, { field: "rate", title: t("referral rate"), format: ".0%" },
              { field: "mean_delay_min", title: t("mean delay (min)"), format: ".2f" },
              { field: "detection_rate", title: t("share caught"), format: ".3f" }] } },
      ],
    });
    const loadCurve = async () => {
      status(t("Sweeping policies and budgets…"));
      const r = await api("/api/v1/frontier", { method: "POST", body: {
        scenario: $("#scenario").value, variants: ["baseline", $("#variant").value],
        policies: ["random", "trusted", "targeted"], rates: [0.02, 0.05, 0.1, 0.2],
        replications: 3, seed: 1 } });
      curve = labelled(r.rows);
      $("#frontier-notes").textContent = (r.notes || []).join(" ");
    };
    const loadPoint = async () => {
      status(t("Re-running at your settings…"));
      const r = await api("/api/v1/frontier", { method: "POST", body: {
        scenario: $("#scenario").value, variants: ["baseline"], policies: [$("#policy").value],
        rates: [Number($("#rate").value)], booth_scale: Number($("#booths").value),
        replications: 3, seed: 1 } });
      point = labelled(r.rows);
      await render();
      const p = point[0] || {};
      const caught = p.detection_rate == null ? null : 100 * p.detection_rate;
      const half = p.detection_rate_ci95 == null ? null : 100 * p.detection_rate_ci95;
      status(t("{policy} at {rate}: {caught}% of northbound carriers caught, northbound mean delay {delay} min per crossing (95% intervals over {n} replications)",
        { policy: term(p.policy), rate: pct(p.rate || 0), caught: pm(caught, half, 1),
          delay: pm(p.mean_delay_min, p.mean_delay_min_ci95, 2), n: r.replications }));
    };
    const all = async () => { await loadCurve(); await loadPoint(); };
    const fail = (e) => status(e.message, true);
    $("#scenario").addEventListener("change", () => all().catch(fail));
    $("#variant").addEventListener("change", () => all().catch(fail));
    $("#policy").addEventListener("change", () => loadPoint().catch(fail));
    bindSlider("rate", pct, () => loadPoint().catch(fail));
    bindSlider("booths", pct, () => loadPoint().catch(fail));
    await all();
  }

  /* -------------------------------------------------------------- trends */
  async function trendsPage() {
    status(t("Loading trends…"));
    const tr = await api("/api/v1/trends");
    $("#controls").innerHTML = `<label><span><input id="show-events" type="checkbox" checked>
      ${esc(t("mark program events"))}</span></label>`;
    $("#content").innerHTML = `<div class="grid">${card("crossings", t("Inbound crossings per year"))}
      ${card("trade", t("US trade with Mexico (USD per year)"))}
      ${card("seizures", t("Port drug seizures per 1,000 crossings, Southwest border"))}
      ${card("homicides", t("Homicides per 100,000, Mexican border states"))}</div>`;
    const events = tr.events.rows.filter((e) => e.category === "program" || e.category === "security");
    const describe = (what, rows, x, y) => {
      const xs = rows.map((r) => String(r[x]).slice(0, 4)).sort();
      const hi = top(rows, y);
      const figure = Number(hi[y]).toLocaleString(LANG === "es" ? "es-MX" : "en-US",
        { notation: "compact", maximumSignificantDigits: 3 });
      const params = { what, from: xs[0], to: xs[xs.length - 1], figure, year: String(hi[x]).slice(0, 4) };
      return $("#show-events").checked
        ? t("Line chart of {what}, {from} to {to}; highest {figure} in {year}; dashed rules mark program events.", params)
        : t("Line chart of {what}, {from} to {to}; highest {figure} in {year}.", params);
    };
    const layers = (rows, x, y, yTitle, color, extra) => {
      const main = { data: { values: rows }, mark: { type: "line", point: { size: 18 } },
        encoding: Object.assign({ x: { field: x, type: "temporal", title: null },
          y: { field: y, type: "quantitative", title: yTitle } },
          color ? { color: { field: color, type: "nominal", title: null } } : {}) };
      const out = [main];
      if ($("#show-events").checked) {
        const xs = rows.map((r) => String(r[x])).sort();
        const inRange = events.filter((e) => e.event_date >= xs[0] && e.event_date <= xs[xs.length - 1]);
        out.push({ data: { values: inRange }, mark: { type: "rule", strokeDash: [4, 3], color: "#999" },
          encoding: { x: { field: "event_date", type: "temporal" },
            tooltip: [{ field: "event_date", type: "temporal", title: t("date") },
              { field: "title", title: t("event") }] } });
      }
      return Object.assign({ layer: out }, extra || {});
    };
    const named = (rows) => rows.map((row) => Object.assign({}, row, { group: term(row.group) }));
    const seizures = tr.seizures.rows.map((r) => Object.assign({ period: r.fiscal_year + "-01-01" }, r));
    const render = async () => {
      const charts = [
        ["crossings", t("inbound crossings per year"), named(tr.crossings.rows), "value", t("crossings"), "group"],
        ["trade", t("US trade with Mexico in USD per year"), named(tr.trade.rows), "value_usd", t("USD"), "group"],
        ["seizures", t("port drug seizures per 1,000 crossings"), seizures, "per_1000",
          t("seizures per 1,000 crossings"), null],
        ["homicides", t("homicides per 100,000 in Mexican border states"), tr.homicides.rows,
          "rate_per_100k", t("homicides per 100,000"), null],
      ];
      for (const [id, what, rows, y, yTitle, color] of charts) {
        await draw(id, describe(what, rows, "period", y), layers(rows, "period", y, yTitle, color));
      }
    };
    $("#show-events").addEventListener("change", () => render().catch((e) => status(e.message, true)));
    await render();
    status(t("{n} program and security events marked (dashed); hover for titles.", { n: events.length }));
    await effectCard();
  }

  /* Program effect: the placebo-calibrated estimate, its diagnostics, a placebo chart. */
  const EFFECTS = [
    ["series=homicides&state=Chihuahua&event=operativo_chihuahua", t("Chihuahua homicides, Joint Operation (2008-03)")],
    ["series=homicides&state=Chihuahua&event=merida_announced", t("Chihuahua homicides, Mérida announced (2007-10)")],
    ["series=crossings&port=San%20Ysidro&event=merida_announced", t("San Ysidro cars, Mérida announced (2007-10)")],
    ["series=crossings&port=San%20Ysidro&event=ready_lane_san_ysidro", t("San Ysidro cars, Ready Lane (2011-12)")],
  ];
  async function effectCard() {
    const box = document.createElement("div");
    box.className = "card";
    box.innerHTML = `<h2>${esc(t("Program effect"))}</h2><label>${esc(t("Estimate:"))} <select id="effect-pick">
      ${EFFECTS.map(([q, label]) => `<option value="${esc(q)}">${esc(label)}</option>`).join("")}
      </select></label><div id="effect" class="chart"></div><div id="effect-diag" class="scroll"></div>`;
    $("#content").appendChild(box);
    const show = async () => {
      const r = await api("/api/v1/indicators/effect?" + $("#effect-pick").value);
      const e = r.estimate;
      const ev = new Date(e.event + "-01T00:00:00Z");
      const rows = r.placebos.rows.map((p) => {
        const d = new Date(p.period + "T00:00:00Z");
        return { months: (d.getUTCFullYear() - ev.getUTCFullYear()) * 12 + d.getUTCMonth() - ev.getUTCMonth(),
          t: p.t, period: p.period };
      });
      const layer = [{ data: { values: rows }, mark: { type: "circle", size: 14, color: "#888" },
        encoding: { x: { field: "months", type: "quantitative", title: t("months from the event (placebo months)") },
          y: { field: "t", type: "quantitative", title: t("level change / s.e.") },
          tooltip: [{ field: "period", title: t("month") }, { field: "t", title: t("level change / s.e."), format: ".2f" }] } }];
      if (e.placebo_critical_t != null) {
        layer.unshift({ data: { values: [{ lo: -e.placebo_critical_t, hi: e.placebo_critical_t }] },
          mark: { type: "rect", opacity: 0.15, color: "#4c78a8" },
          encoding: { y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } });
      }
      layer.push({ data: { values: [{ months: 0, t: e.level_change / e.level_se }] },
        mark: { type: "point", filled: true, size: 90, color: "#d62728" },
        encoding: { x: { field: "months", type: "quantitative" }, y: { field: "t", type: "quantitative" } } });
      const at = { t: fixed(e.level_change / e.level_se, 2), band: fixed(e.placebo_critical_t, 2),
        rank: e.placebo_rank, of: e.n_placebos + 1 };
      await draw("effect", e.placebo_critical_t != null
        ? t("Scatter chart of the level change, in standard errors, at each placebo month; the event itself, in red, is at {t}, against a band of ±{band}; placebo rank {rank} of {of}.", at)
        : t("Scatter chart of the level change, in standard errors, at each placebo month; the event itself, in red, is at {t}; placebo rank {rank} of {of}.", at), { layer });
      const fmt = (v, d) => (v == null ? t("unbounded") : Number(v).toPrecision(d || 3));
      const diag = [
        [t("level change"), fmt(e.level_change)],
        [t("calibrated interval"), t("{low} to {high}", { low: fmt(e.level_ci_low), high: fmt(e.level_ci_high) })],
        [t("p (placebo)"), fmt(e.level_p, 2)], [t("p (HAC, not calibrated)"), fmt(e.hac_p, 2)],
        [t("placebo rank"), t("{rank} of {of}", at)],
        [t("pre-trend p"), e.pretrend_p == null ? t("not testable") : fmt(e.pretrend_p, 2)],
        [t("sharpest break"), e.break_month || ""],
        [t("other events in the window"), e.other_events.join(", ")],
        [t("missing / zero months"), `${e.missing_months} / ${e.zero_months}`],
      ];
      $("#effect-diag").innerHTML = `<table>${diag.map(([k, v]) =>
        `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table>
        <p id="effect-caveat">${esc(e.caveat || t("No diagnostic failed."))}</p>`;
    };
    $("#effect-pick").addEventListener("change", () => show().catch((e) => status(e.message, true)));
    await show();
  }

  /* ----------------------------------------------------------- targeting */
  async function targetingPage() {
    $("#controls").innerHTML = slider("budget", t("Inspection budget"), 1, 50, 1, 10, (v) => v + "%");
    $("#content").innerHTML = `<div class="grid">${card("risk", t("Risk of the selected declarations"))}
      <div class="card"><h2>${esc(t("Ranked selection"))}</h2><div id="ranked" class="scroll"></div></div></div>`;
    const run = async () => {
      status(t("Scoring your agency's pending declarations…"));
      const r = await api("/api/v1/targeting/selection?budget_pct=" + $("#budget").value);
      const sel = r.selected;
      await draw("risk", sel.length ? t("Bar chart of the risk of the {n} selected declarations, from {high} ({first}) to {low} ({last}); the ranked table lists each with its reasons.",
        { n: sel.length, high: sel[0].risk.toFixed(3), first: sel[0].declaration_id,
          low: sel[sel.length - 1].risk.toFixed(3), last: sel[sel.length - 1].declaration_id })
        : t("No declarations selected."),
      { data: { values: sel }, mark: "bar",
        encoding: { x: { field: "risk", type: "quantitative", title: t("risk") },
          y: { field: "declaration_id", type: "nominal", sort: "-x", title: null } } });
      $("#ranked").innerHTML = `<table><tr><th>#</th><th>${esc(t("declaration"))}</th><th>${esc(t("risk"))}</th>
        <th>${esc(t("reasons"))}</th></tr>
        ${r.selected.map((s) => `<tr><td>${s.rank}</td><td>${esc(s.declaration_id)}</td>
        <td>${s.risk.toFixed(3)}</td><td>${(s.reasons || []).map((x) =>
          esc(x.feature) + " (+" + x.log_odds.toFixed(2) + ")").join(", ")}</td></tr>`).join("")}</table>`;
      status(r.declarations
        ? t("{agency}: {k} of {n} declarations selected at {budget}%",
          { agency: r.agency, k: r.k, n: r.declarations, budget: r.budget_pct })
        : t("{agency}: no pending declarations yet. Add records with POST /api/v1/records (see docs/service.md), or start the server with --demo-data for synthetic ones.",
          { agency: r.agency }));
    };
    bindSlider("budget", (v) => v + "%", () => run().catch((e) => status(e.message, true)));
    await run();
  }

  /* -------------------------------------------------------------- border */
  /* A map of the border: a circle per land port on Natural Earth's outlines (served from
     this server), its area by `size` and its colour by `color` (sequential from 0, or
     diverging around 0 for savings that may be negative). */
  function borderMap(rows, size, sizeTitle, color, colorTitle, diverging, width) {
    const outline = { data: { url: "/static/countries-110m.json",
        format: { type: "topojson", feature: "countries" } },
      transform: [{ filter: "datum.id == '840' || datum.id == '484'" }],
      mark: { type: "geoshape", fill: "#f2f2f2", stroke: "#888", strokeWidth: 0.8, aria: false } };
    const points = { data: { values: rows },
      mark: { type: "circle", opacity: 0.8, stroke: "black", strokeWidth: 0.5 },
      encoding: { longitude: { field: "longitude", type: "quantitative" },
        latitude: { field: "latitude", type: "quantitative" },
        size: { field: size, type: "quantitative", title: sizeTitle, scale: { range: [10, 900] } },
        color: { field: color, type: "quantitative", title: colorTitle, legend: { titleLimit: 200 },
          scale: diverging ? { scheme: "redblue", domainMid: 0 } : { scheme: "oranges" } },
        tooltip: [{ field: "name", title: t("port") }, { field: "port_code", title: t("code") },
          { field: size, title: sizeTitle, format: ",.0f" },
          { field: color + "_text", title: colorTitle }] } };
    /* the border spans about 20° of longitude and 7° of latitude: fit it, with margins, to
       the plot (autosize "pad": `width` is the plot's own, the legends sit beside it) */
    return { width, height: Math.round(width * 0.42), autosize: { type: "pad" }, layer: [outline, points],
      projection: { type: "mercator", center: [-106.6, 29.9], scale: width / 0.40 } };
  }
  const highest = (rows, field, fmt) => rows.filter((r) => r[field])
    .sort((a, b) => b[field] - a[field]).slice(0, 3)
    .map((r) => `${r.name} (${fmt(r[field])})`).join(", ");
  const count = (v) => Math.round(v).toLocaleString(LANG === "es" ? "es-MX" : "en-US");
  const usd = (v) => (v < 0 ? "−$" : "$") + Math.abs(Math.round(v)).toLocaleString(LANG === "es" ? "es-MX" : "en-US");

  async function borderPage() {
    $("#controls").innerHTML = `<label>${esc(t("Officers (negative: a cut)"))}
        <input id="officers" type="number" min="-50" max="50" step="1" value="10"></label>
      <label>${esc(t("Shift (hours)"))} <input id="shift" type="number" min="1" max="12" step="1" value="8"></label>
      <button id="allocate" type="button">${esc(t("Place the officers"))}</button>`;
    $("#content").innerHTML = `<div class="card"><h2>${esc(t("Crossings a day and simulated northbound wait"))}</h2>
        <div id="ports-map" class="chart"></div></div>
      <div class="card"><h2>${esc(t("Where the officers go: delay cost saved a day"))}</h2>
        <div id="allocation-map" class="chart"></div><div id="allocation" class="scroll"></div>
        <p id="allocation-notes" class="muted"></p></div>
      <div class="card"><h2>${esc(t("Every port"))}</h2><div id="ports" class="scroll"></div></div>`;
    status(t("Loading the border's ports…"));
    const body = await api("/api/v1/border/ports");
    const ports = body.ports.map((p) => Object.assign({}, p, {
      nb_mean_wait_min_text: pm(p.nb_mean_wait_min, p.nb_mean_wait_min_ci95, 1) }));
    const minutes = (v) => t("{n} min", { n: v.toFixed(0) });
    /* the plot's width: the card's, less room for the legends */
    const width = () => Math.max(240, ($("#ports-map").clientWidth || 600) - 210);
    const grouped = (v, h) => v == null ? "—" : count(v) + (h == null ? "" : " ± " + count(h));
    await draw("ports-map", t("Map of the US–Mexico border with a circle per land port, its area the crossings a day (BTS) and its colour the simulated northbound mean wait; the longest waits are at {named}. The table below lists every port.",
      { named: highest(ports, "nb_mean_wait_min", minutes) }),
      borderMap(ports, "crossings_per_day", t("crossings a day (BTS)"), "nb_mean_wait_min",
        t("northbound mean wait (min, simulated)"), false, width()));
    $("#ports").innerHTML = `<table><tr><th>${esc(t("code"))}</th><th>${esc(t("port"))}</th>
      <th>${esc(t("state"))}</th><th>${esc(t("scenario"))}</th><th>${esc(t("crossings a day (BTS)"))}</th>
      <th>${esc(t("northbound mean wait (min, simulated)"))}</th></tr>${ports
        .sort((a, b) => b.crossings_per_day - a.crossings_per_day)
        .map((p) => `<tr><td>${esc(p.port_code)}</td><td>${esc(p.name)}</td><td>${esc(p.state)}</td>
          <td>${esc(p.scenario || "—")} (${esc(term(p.provenance))})</td><td>${count(p.crossings_per_day)}</td>
          <td>${esc(p.nb_mean_wait_min_text)}</td></tr>`).join("")}</table>
      <p class="muted">${esc(t("Waits: the northbound mean wait at primary each port's scenario simulates (one day after a warm-up day, 3 replications; ± the 95% interval). Generated scenarios size their booths from volumes, not real staffing, so their waits are short; curated ones are calibrated."))}</p>`;
    const run = async () => {
      const officers = Number($("#officers").value);
      const shift = Number($("#shift").value);
      status(t("Placing {officers} officers × {hours} h across the border (a background job; about a minute for 50)…",
        { officers, hours: shift }));
      const r = await api("/api/v1/border/allocations", { method: "POST",
        body: { officers, shift_hours: shift, days: 2, replications: 3, seed: 0 } });
      const saved = Object.fromEntries(r.allocation.map((a) => [a.port_code, a]));
      const rows = ports.map((p) => {
        const a = saved[p.port_code] || { delay_cost_saved_usd: 0, delay_cost_saved_usd_ci95: 0, officer_hours: 0 };
        return Object.assign({}, p, { delay_cost_saved_usd: a.delay_cost_saved_usd,
          delay_cost_saved_usd_text: grouped(a.delay_cost_saved_usd, a.delay_cost_saved_usd_ci95),
          officer_hours: a.officer_hours });
      });
      await draw("allocation-map", t("Map of the US–Mexico border with a circle per land port, its area the crossings a day (BTS) and its colour the delay cost the allocation saves a day (negative: added by a cut); the largest are {named}. The table beside the map gives every figure.",
        { named: highest(rows, "delay_cost_saved_usd", usd) }),
        borderMap(rows, "crossings_per_day", t("crossings a day (BTS)"), "delay_cost_saved_usd",
          t("delay cost saved $/day"), true, width()));
      const placed = r.allocation.filter((a) => a.officer_hours);
      $("#allocation").innerHTML = `<table><tr><th>${esc(t("code"))}</th><th>${esc(t("port"))}</th>
        <th>${esc(t("officer-hours"))}</th><th>${esc(t("waiting hours saved/day"))}</th>
        <th>${esc(t("delay cost saved $/day"))}</th></tr>${placed.map((a) => `<tr><td>${esc(a.port_code)}</td>
        <td>${esc(a.name)}</td><td>${a.officer_hours > 0 ? "+" : ""}${a.officer_hours}</td>
        <td>${esc(grouped(a.delay_hours_saved, a.delay_hours_saved_ci95))}</td>
        <td>${esc(grouped(a.delay_cost_saved_usd, a.delay_cost_saved_usd_ci95))}</td></tr>`).join("")}</table>`;
      $("#allocation-notes").textContent = [t("± the half-width of the 95% interval over {n} replications, paired (the same crossings before and after). Untouched ports are not listed.",
        { n: r.replications })].concat(r.notes).join(" ");
      status(t("{officers} officers × {hours} h: {saved} of delay cost saved a day across the border (negative: added).",
        { officers: r.total_officers, hours: r.shift_hours, saved: usd(r.delay_cost_saved_usd) }));
    };
    $("#allocate").addEventListener("click", () => run().catch((e) => status(e.message, true)));
    await run();
  }

  /* ------------------------------------------------------------- regions */
  const TOLLS = [0, 5, 10, 20];
  async function regionsPage() {
    const listed = (await api("/api/v1/regions")).regions;
    const none = t("none (the ports as they are)");
    $("#controls").innerHTML = `<label>${esc(t("Region"))} <select id="region">${listed.map((r) =>
        `<option value="${esc(r.name)}">${esc(r.name)}</option>`).join("")}</select></label>
      <label>${esc(t("Build option"))} <select id="build"></select></label>
      <label>${esc(t("Segment"))} <select id="segment"></select></label>
      <button id="solve" type="button">${esc(t("Solve to equilibrium"))}</button>`;
    $("#content").innerHTML = `<div class="grid">${card("curve", t("Demand curve: the build option's share of each segment by toll"))}
      ${card("hourly", t("Mean wait by hour at each port, one segment"))}</div>
      <div class="card"><h2>${esc(t("Shares and waits by port and segment"))}</h2><div id="region-table" class="scroll"></div>
      <p id="region-notes" class="muted"></p></div>`;
    /* open on a region with a planned port, so its demand curve shows at once */
    $("#region").value = (listed.find((x) => x.build_options.length) || listed[0]).name;
    const fill = () => {
      const r = listed.find((x) => x.name === $("#region").value) || listed[0];
      $("#build").innerHTML = `<option value="">${esc(none)}</option>` +
        r.build_options.map((b) => `<option value="${esc(b)}">${esc(b)}</option>`).join("");
      if (r.build_options.length) $("#build").value = r.build_options[0];
      $("#segment").innerHTML = r.segments.map((s) => `<option value="${esc(s)}">${esc(s)}</option>`).join("");
    };
    fill();
    let result = null;
    const drawHourly = async () => {
      const seg = $("#segment").value;
      const run = result.runs[0];
      const rows = run.rows.filter((r) => r.segment === seg && r.hour >= 0).map((r) => Object.assign({}, r, {
        lo: Math.max(0, r.wait_minutes - (r.wait_half_width || 0)), hi: r.wait_minutes + (r.wait_half_width || 0) }));
      const worst = top(rows, "wait_minutes");
      await draw("hourly", t("Line chart of the mean wait by hour of day at each port for {segment}, with 95% interval bands; the longest is {wait} min at {port}, hour {hour}.",
        { segment: seg, wait: fixed(worst.wait_minutes, 1), port: worst.port, hour: worst.hour }), {
        layer: [
          { mark: { type: "area", opacity: 0.2 }, encoding: { x: { field: "hour", type: "quantitative" },
            y: { field: "lo", type: "quantitative" }, y2: { field: "hi" },
            color: { field: "port", type: "nominal", legend: null } } },
          { mark: { type: "line", point: true }, encoding: {
            x: { field: "hour", type: "quantitative", title: t("hour of day"), scale: { domain: [0, 23] } },
            y: { field: "wait_minutes", type: "quantitative", title: t("minutes") },
            color: { field: "port", type: "nominal", title: t("port") } } }],
        data: { values: rows },
      });
    };
    const render = async () => {
      const build = result.build;
      if (build) {
        const curve = [];
        result.runs.forEach((run) => Object.entries(run.share_by_segment).forEach(([seg, share]) => {
          if (build in share && share[build] != null) curve.push({ toll: run.toll_usd, segment: seg, share: share[build] });
        }));
        const hi = curve.filter((c) => c.toll === TOLLS[TOLLS.length - 1]);
        const keep = top(hi, "share");
        await draw("curve", t("Line chart of {port}'s share of each segment against the toll in USD, from {low} to {high}; at {high} USD it keeps at most {share}% ({segment}).",
          { port: build, low: TOLLS[0], high: TOLLS[TOLLS.length - 1], share: fixed(100 * (keep.share || 0), 1), segment: keep.segment }), {
          data: { values: curve }, mark: { type: "line", point: true },
          encoding: { x: { field: "toll", type: "quantitative", title: t("toll (USD)") },
            y: { field: "share", type: "quantitative", title: t("share of the segment"), axis: { format: "%" } },
            color: { field: "segment", type: "nominal", title: t("segment") } },
        });
      } else {
        const options = (listed.find((x) => x.name === result.region) || {}).build_options || [];
        $("#curve").innerHTML = `<p class="muted">${esc(options.length
          ? t("Choose a build option to see its demand curve.")
          : t("This region has no build option, so no demand curve."))}</p>`;
      }
      await drawHourly();
      const run = result.runs[0];
      const daily = run.rows.filter((r) => r.segment && r.hour === -1);
      /* the wait each group's officers hold, or that its lanes keep the scenario's schedule */
      const bands = (listed.find((x) => x.name === result.region) || {}).officers_bands || {};
      const band = (r) => {
        const held = (bands[r.port] || {})[r.segment] || [];
        if (!held.length) return t("none: the scenario's booths");
        return held.map((b) => (held.length > 1 ? `${b.lane_group} ` : "")
          + `${b.min_wait_minutes}–${b.max_wait_minutes}`).join("; ");
      };
      $("#region-table").innerHTML = `<table><tr><th>${esc(t("port"))}</th><th>${esc(t("segment"))}</th>
        <th>${esc(t("crossings/day"))}</th><th>${esc(t("share of the segment"))}</th>
        <th>${esc(t("mean wait (min)"))}</th><th>${esc(t("officers' band (min)"))}</th></tr>${daily.map((r) => `<tr><td>${esc(r.port)}</td>
        <td>${esc(r.segment)}</td><td>${Math.round(r.arrivals).toLocaleString(LANG === "es" ? "es-MX" : "en-US")}</td>
        <td>${pct(run.share_by_segment[r.segment][r.port] || 0)}</td>
        <td>${esc(pm(r.wait_minutes, r.wait_half_width, 1))}</td><td>${esc(band(r))}</td></tr>`).join("")}</table>`;
      const first = result.runs[0];
      $("#region-notes").textContent = [
        build ? t("The table and the hourly chart are at a toll of {toll} USD.", { toll: first.toll_usd }) : "",
        t("± the half-width of the 95% interval over {n} replications at the equilibrium's flows and lanes.", { n: result.replications }),
        t("Officers' band: the wait a group's officers hold by opening and closing booths; a group without one keeps its port scenario's booth schedule, so its waits follow that schedule, not the queue."),
        first.converged ? t("Converged after {n} iterations (flow gap {gap}%).", { n: first.iterations, gap: fixed(100 * first.gap, 1) })
          : t("NOT converged after {n} iterations (flow gap {gap}%).", { n: first.iterations, gap: fixed(100 * first.gap, 1) }),
      ].filter(Boolean).join(" ");
    };
    const run = async () => {
      const build = $("#build").value;
      status(t("Solving {region} to equilibrium (a background job; a few seconds per toll)…", { region: $("#region").value }));
      const body = { region: $("#region").value, replications: 3, seed: 0 };
      if (build) Object.assign(body, { build: [build], tolls: TOLLS });
      result = Object.assign(await api("/api/v1/regions/simulations", { method: "POST", body }), { build });
      await render();
      status(t("{region}: {n} equilibrium run(s), seed {seed}.", { region: result.region, n: result.runs.length, seed: result.seed }));
    };
    const fail = (e) => status(e.message, true);
    $("#region").addEventListener("change", fill);
    $("#segment").addEventListener("change", () => (result ? drawHourly() : Promise.resolve()).catch(fail));
    $("#solve").addEventListener("click", () => run().catch(fail));
    await run();
  }

  /* ------------------------------------------------------------- sign-in */
  const pages = { port: portPage, frontier: frontierPage, trends: trendsPage, targeting: targetingPage,
    border: borderPage, regions: regionsPage };
  async function start() {
    const token = localStorage.getItem(TOKEN_KEY);
    if (!token) {
      $("#signin").hidden = false; $("#whoami").hidden = true;
      status(t("Sign in with your API token (border21 users add NAME --agency … --role …)."));
      return;
    }
    try {
      const me = await api("/api/v1/me");
      $("#who").textContent = `${me.name} · ${me.agency} · ${me.role}`;
      $("#signin").hidden = true; $("#whoami").hidden = false;
      await pages[page]();
    } catch (e) {
      if (e.status === 401) localStorage.removeItem(TOKEN_KEY);
      $("#signin").hidden = e.status === 401 ? false : $("#signin").hidden;
      status(e.message, true);
    }
  }
  $("#signin").addEventListener("submit", (ev) => {
    ev.preventDefault();
    localStorage.setItem(TOKEN_KEY, $("#token").value.trim());
    $("#token").value = "";
    start();
  });
  $("#signout").addEventListener("click", () => {
    localStorage.removeItem(TOKEN_KEY);
    $("#content").innerHTML = ""; $("#controls").innerHTML = "";
    start();
  });
  start();
})();
