/* The comparison page (/compare): heatmap of the country × category matrix, the statements behind a cell, and the
 * co-participation of countries. Data come from this server's named queries (/queries/NAME.json); charts are drawn
 * by the vendored Apache ECharts. Texts from the data go into the page only as text (textContent, never innerHTML)
 * and are escaped before they reach an ECharts tooltip (which renders HTML). */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("compare-config").textContent);
  const T = config.texts;
  const lang = config.lang;
  const rtl = lang === "ar";
  const collator = new Intl.Collator(lang);
  /** The most pairs the co-participation network draws (the table lists them all). */
  const MAX_PAIRS = 60;
  const state = { matrix: null, pairs: null, cell: null, charts: {}, options: {} };

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value !== undefined && value !== null) node.setAttribute(key, value);
    }
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /** Where a link to this IRI goes: our Linked Data pages for our IRIs, only http(s) IRIs otherwise. */
  function href(iri) {
    if (!iri) return null;
    if (iri.startsWith(config.base)) return config.idPath + iri.slice(config.base.length);
    return /^https?:\/\//i.test(iri) ? iri : null;
  }

  function filters() {
    const out = {};
    for (const name of ["kind", "dimension", "from", "to", "eventType", "minConfidence", "curated"]) {
      out[name] = document.getElementById(name).value;
    }
    return out;
  }

  function queryUrl(name, suffix, params) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== "" && value !== undefined && value !== null) search.set(key, value);
    }
    return "/queries/" + encodeURIComponent(name) + suffix + "?" + search.toString();
  }

  async function rows(name, params) {
    const response = await fetch(queryUrl(name, ".json", params), { headers: { Accept: "application/sparql-results+json" } });
    if (!response.ok) throw new Error(response.status + " " + (await response.text()));
    const data = await response.json();
    return data.results.bindings.map((b) => {
      const row = {};
      for (const v of data.head.vars) row[v] = b[v] ? b[v].value : null;
      return row;
    });
  }

  function status(text) {
    document.getElementById("status").textContent = text || "";
  }

  // -- the matrix --------------------------------------------------------------------------------------------------
  function matrixParams(f) {
    return { dimension: f.dimension, from: f.from, to: f.to, eventType: f.eventType, minConfidence: f.minConfidence, curated: f.curated, lang: lang };
  }

  async function loadMatrix() {
    const f = filters();
    const name = f.kind + "s-by-country";
    document.getElementById("matrix-csv").setAttribute("href", queryUrl(name, ".csv", matrixParams(f)));
    status(T.loading);
    let data;
    try {
      data = await rows(name, matrixParams(f));
    } catch (err) {
      status(T.error + ": " + err.message);
      return;
    }
    const countries = new Map();
    const categories = new Map();
    for (const r of data) {
      countries.set(r.country, r.countryLabel || r.country);
      categories.set(r.category, r.categoryLabel || r.category);
    }
    const byLabel = (a, b) => collator.compare(a[1], b[1]);
    const countryList = [...countries.entries()].sort(byLabel);
    const categoryList = [...categories.entries()].sort(byLabel);
    state.matrix = { kind: f.kind, filters: f, rows: data, countries: countryList, categories: categoryList };
    status(data.length ? "" : T.empty);
    drawHeatmap();
    renderMatrixTable();
    showCoverage(f, data);
  }

  /** Says how many of the statements the matrix places: a speaker matrix counts only attributed statements. */
  async function showCoverage(f, data) {
    const note = document.getElementById("coverage");
    note.textContent = "";
    let cov;
    try {
      [cov] = await rows("statement-coverage", {
        kind: f.kind, from: f.from, to: f.to, eventType: f.eventType, minConfidence: f.minConfidence, curated: f.curated });
    } catch (err) {
      return;  // the matrix stands without its note
    }
    if (!cov) return;
    const placed = data.reduce((sum, r) => sum + Number(r.statements), 0);
    const text = f.dimension === "speaker" ? T.coverage_speaker : T.coverage_host;
    note.textContent = text.replace("{n}", placed).replace("{m}", cov.statements);
    note.dataset.placed = String(placed);
    note.dataset.total = String(cov.statements);
  }

  function drawHeatmap() {
    const m = state.matrix;
    const xIndex = new Map(m.categories.map(([iri], i) => [iri, i]));
    const yIndex = new Map(m.countries.map(([iri], i) => [iri, i]));
    const cells = m.rows.map((r) => ({
      value: [xIndex.get(r.category), yIndex.get(r.country), Number(r.statements)],
      events: Number(r.events), country: r.country, category: r.category,
    }));
    const max = Math.max(1, ...cells.map((c) => c.value[2]));
    const option = {
      animation: false,
      backgroundColor: "#ffffff",
      textStyle: { fontFamily: "system-ui, 'Noto Sans', 'Noto Naskh Arabic', sans-serif" },
      tooltip: {
        position: "top",
        formatter: (p) => {
          const d = p.data;
          return escapeHtml(m.countries[d.value[1]][1]) + " · " + escapeHtml(m.categories[d.value[0]][1]) + "<br>" +
            escapeHtml(d.value[2] + " " + T.statements + ", " + d.events + " " + T.events);
        },
      },
      grid: { top: 10, bottom: 190, left: rtl ? 20 : 160, right: rtl ? 160 : 20 },
      xAxis: {
        type: "category", data: m.categories.map((c) => c[1]), inverse: rtl, splitArea: { show: true },
        axisLabel: { rotate: rtl ? -40 : 40, interval: 0, width: 150, overflow: "break" },
      },
      yAxis: {
        type: "category", data: m.countries.map((c) => c[1]), position: rtl ? "right" : "left",
        inverse: true, splitArea: { show: true }, axisLabel: { width: 150, overflow: "break" },
      },
      visualMap: {
        min: 0, max: max, calculable: false, orient: "horizontal", left: "center", bottom: 0,
        inRange: { color: ["#e8f3ee", "#24463b"] }, itemHeight: 120,
      },
      series: [{
        type: "heatmap", name: T.matrix, data: cells, label: { show: true },
        emphasis: { itemStyle: { shadowBlur: 8, shadowColor: "rgba(0,0,0,.4)" } },
      }],
    };
    state.options.heatmap = option;
    const chart = chartFor("heatmap");
    chart.setOption(option, true);
    chart.off("click");
    chart.on("click", (p) => {
      if (p.componentType === "series" && p.data) showCell(p.data.country, p.data.category);
    });
  }

  function renderMatrixTable() {
    const m = state.matrix;
    const table = document.getElementById("matrix-table");
    const head = table.tHead;
    const body = table.tBodies[0];
    head.replaceChildren();
    body.replaceChildren();
    const tr = el("tr");
    tr.appendChild(el("th", { scope: "col" }, T.country));
    for (const [iri, label] of m.categories) tr.appendChild(el("th", { scope: "col", "data-category": iri }, label));
    head.appendChild(tr);
    const counts = new Map(m.rows.map((r) => [r.country + " " + r.category, r]));
    for (const [country, countryLabel] of m.countries) {
      const row = el("tr", { "data-country": country });
      row.appendChild(el("th", { scope: "row", class: "country", "data-country": country }, countryLabel));
      for (const [category, categoryLabel] of m.categories) {
        const r = counts.get(country + " " + category);
        const td = el("td", { "data-country": country, "data-category": category });
        if (r) {
          const button = el("button", {
            type: "button", class: "cell", "data-country": country, "data-category": category,
            "aria-label": countryLabel + ", " + categoryLabel + ": " + r.statements + " " + T.statements,
          }, r.statements);
          button.addEventListener("click", () => showCell(country, category));
          td.appendChild(button);
        } else {
          td.textContent = "0";
        }
        row.appendChild(td);
      }
      body.appendChild(row);
    }
  }

  // -- the statements behind a cell --------------------------------------------------------------------------------
  async function showCell(country, category) {
    const m = state.matrix;
    const f = m.filters;
    const countryLabel = (m.countries.find((c) => c[0] === country) || [country, country])[1];
    const categoryLabel = (m.categories.find((c) => c[0] === category) || [category, category])[1];
    const list = document.getElementById("statements");
    const title = document.getElementById("cell-title");
    title.textContent = T.cell + ": " + countryLabel + " · " + categoryLabel;
    title.dataset.country = country;
    title.dataset.category = category;
    list.replaceChildren();
    document.getElementById("cell-hint").textContent = T.loading;
    let data;
    try {
      data = await rows("statements-in-cell", {
        country: country.slice(country.lastIndexOf("/") + 1), category: category, kind: f.kind,
        dimension: f.dimension, from: f.from, to: f.to, eventType: f.eventType, minConfidence: f.minConfidence, curated: f.curated, lang: lang,
      });
    } catch (err) {
      document.getElementById("cell-hint").textContent = T.error + ": " + err.message;
      return;
    }
    document.getElementById("cell-hint").textContent = data.length + " " + T.statements;
    for (const r of data) {
      const li = el("li", { class: "statement", "data-statement": r.statement });
      const text = el("a", { href: href(r.statement), class: "text", dir: "auto" }, r.text || r.statement);
      li.appendChild(text);
      if (r.sentence) li.appendChild(el("blockquote", { class: "sentence", dir: "auto" }, r.sentence));
      const meta = el("div", { class: "meta" });
      meta.appendChild(el("a", { href: href(r.event), class: "event", dir: "auto" },
        T.event + ": " + (r.eventLabel || r.event) + (r.date ? " (" + r.date + ")" : "")));
      if (r.speaker) {
        meta.appendChild(el("a", { href: href(r.speaker), class: "speaker", dir: "auto" }, T.speaker_label + ": " + (r.speakerLabel || r.speaker)));
      } else {
        meta.appendChild(el("span", { class: "speaker" }, T.unattributed));
      }
      if (r.report) meta.appendChild(el("a", { href: href(r.report), class: "report" }, T.report));
      const source = href(r.url);
      if (source) meta.appendChild(el("a", { href: source, class: "source", rel: "noopener noreferrer nofollow" }, T.source));
      li.appendChild(meta);
      list.appendChild(li);
    }
    state.cell = { country: country, category: category, rows: data };
  }

  // -- co-participation ------------------------------------------------------------------------------------------------
  async function loadPairs() {
    const f = filters();
    const params = { from: f.from, to: f.to, eventType: f.eventType, lang: lang };
    document.getElementById("pairs-csv").setAttribute("href", queryUrl("country-pairs", ".csv", params));
    let data;
    try {
      data = await rows("country-pairs", params);
    } catch (err) {
      status(T.error + ": " + err.message);
      return;
    }
    state.pairs = data;
    // a network of every pair of 50 countries is a hairball: draw the strongest pairs (all of them in the table)
    const shown = [...data].sort((a, b) => Number(b.events) - Number(a.events) ||
      collator.compare(a.country1Label || "", b.country1Label || "")).slice(0, MAX_PAIRS);
    document.getElementById("pairs-shown").textContent = shown.length < data.length
      ? T.pairs_shown.replace("{n}", shown.length).replace("{m}", data.length) : "";
    const nodes = new Map();
    for (const r of shown) {
      for (const [iri, label] of [[r.country1, r.country1Label], [r.country2, r.country2Label]]) {
        const node = nodes.get(iri) || { id: iri, name: label || iri, value: 0 };
        node.value += Number(r.events);
        nodes.set(iri, node);
      }
    }
    const maxEvents = Math.max(1, ...shown.map((r) => Number(r.events)));
    const option = {
      animation: false,
      backgroundColor: "#ffffff",
      textStyle: { fontFamily: "system-ui, 'Noto Sans', 'Noto Naskh Arabic', sans-serif" },
      tooltip: {
        formatter: (p) => {
          if (p.dataType === "edge") {
            return escapeHtml(nodes.get(p.data.source).name) + " — " + escapeHtml(nodes.get(p.data.target).name) +
              "<br>" + escapeHtml(p.data.value + " " + T.events);
          }
          return escapeHtml(p.data.name);
        },
      },
      series: [{
        type: "graph", layout: "circular", circular: { rotateLabel: true }, roam: false,
        left: "20%", right: "20%", top: "18%", bottom: "18%",
        label: { show: true, position: "right" },
        data: [...nodes.values()].sort((a, b) => collator.compare(a.name, b.name)).map((n) => ({
          id: n.id, name: n.name, value: n.value, symbolSize: 12 + 4 * Math.sqrt(n.value),
          itemStyle: { color: "#24463b" },
        })),
        links: shown.map((r) => ({
          source: r.country1, target: r.country2, value: Number(r.events),
          lineStyle: { width: 1 + 5 * Number(r.events) / maxEvents, opacity: 0.6, curveness: 0.2, color: "#b5651d" },
        })),
        emphasis: { focus: "adjacency" },
      }],
    };
    state.options.pairs = option;
    chartFor("pairs").setOption(option, true);
    const body = document.getElementById("pairs-table").tBodies[0];
    body.replaceChildren();
    for (const r of data) {
      const tr = el("tr", { "data-country1": r.country1, "data-country2": r.country2 });
      tr.appendChild(el("td", {}, r.country1Label || r.country1));
      tr.appendChild(el("td", {}, r.country2Label || r.country2));
      tr.appendChild(el("td", {}, r.events));
      body.appendChild(tr);
    }
  }

  // -- charts and their export -------------------------------------------------------------------------------------
  function chartFor(id) {
    if (!state.charts[id]) {
      state.charts[id] = echarts.init(document.getElementById(id), null, { renderer: "canvas", locale: "EN" });
    }
    return state.charts[id];
  }

  /** The chart as a PNG data URL (what the browser shows) or an SVG document (drawn again by the SVG renderer). */
  function exportChart(id, type) {
    const chart = chartFor(id);
    if (type === "png") {
      return chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#ffffff" });
    }
    const node = document.getElementById(id);
    const scratch = el("div");
    scratch.style.cssText = "position:absolute;left:-10000px;top:0;width:" + node.clientWidth + "px;height:" + node.clientHeight + "px";
    document.body.appendChild(scratch);
    const svgChart = echarts.init(scratch, null, { renderer: "svg", width: node.clientWidth, height: node.clientHeight });
    try {
      svgChart.setOption(state.options[id]);
      return svgChart.renderToSVGString();
    } finally {
      svgChart.dispose();
      scratch.remove();
    }
  }

  function download(id, type) {
    const out = exportChart(id, type);
    const url = type === "png" ? out : URL.createObjectURL(new Blob([out], { type: "image/svg+xml" }));
    const a = el("a", { href: url, download: "ssekg-" + (id === "heatmap" ? state.matrix.kind + "s-by-country" : "country-pairs") + "." + type });
    document.body.appendChild(a);
    a.click();
    a.remove();
    if (type !== "png") setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function reload() {
    const f = filters();
    const search = new URLSearchParams({ lang: lang });
    for (const [key, value] of Object.entries(f)) if (value) search.set(key, value);
    history.replaceState(null, "", "?" + search.toString());
    for (const a of document.querySelectorAll(".langs a")) {
      const s = new URLSearchParams(search);
      s.set("lang", a.getAttribute("hreflang"));
      a.setAttribute("href", "?" + s.toString());
    }
    document.getElementById("statements").replaceChildren();
    document.getElementById("cell-title").textContent = T.cell;
    document.getElementById("cell-hint").textContent = T.cell_hint;
    return Promise.all([loadMatrix(), loadPairs()]);
  }

  function start() {
    for (const name of ["kind", "dimension", "from", "to", "eventType", "minConfidence", "curated"]) {
      document.getElementById(name).addEventListener("change", reload);
    }
    document.getElementById("filters").addEventListener("submit", (e) => { e.preventDefault(); reload(); });
    document.getElementById("matrix-png").addEventListener("click", () => download("heatmap", "png"));
    document.getElementById("matrix-svg").addEventListener("click", () => download("heatmap", "svg"));
    document.getElementById("pairs-png").addEventListener("click", () => download("pairs", "png"));
    document.getElementById("pairs-svg").addEventListener("click", () => download("pairs", "svg"));
    window.addEventListener("resize", () => Object.values(state.charts).forEach((c) => c.resize()));
    window.ssekgCompare = { state: state, reload: reload, showCell: showCell, exportChart: exportChart, charts: state.charts };
    window.ssekgCompare.ready = reload().then(() => { document.body.dataset.ready = "true"; });
  }

  start();
})();
