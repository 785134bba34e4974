// The review page of one report (/review/KEY): the report's text with every extracted fact marked where it was
// read, beside the card, to accept, reject, move, add, re-categorise and save as a new revision.
//
// The data comes in the page's application/json block; everything from it is put into the page as text
// (textContent, input values), never as markup. Offsets are Unicode code points, as in the card (Python's), not
// JavaScript's UTF-16 units: the text is handled as an array of code points.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("review-data").textContent);
  const T = data.texts;
  const text = data.report.text || "";
  const points = Array.from(text);
  const KINDS = { speakers: "speaker", challenges: "challenge", proposals: "proposal", organisers: "organisation",
                  participants: "organisation", programmes: "programme" };
  const state = { revision: data.revision, events: JSON.parse(JSON.stringify(data.events)),
                  noEvent: !!data.report.no_event, dirty: false };

  // ------------------------------------------------------------------------------------------------ helpers
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
      else if (name === "value") node.value = value;
      else if (name === "checked") node.checked = !!value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }
  const slice = (a, b) => points.slice(a, b).join("");
  const units = (s) => Array.from(s).length;  // code points in a JS string
  function nameOf(value) {
    if (value && typeof value === "object" && !Array.isArray(value)) value = "name" in value ? value.name : value;
    if (value && typeof value === "object") value = value.en || value.fr || Object.values(value)[0] || "";
    return value == null ? "" : String(value);
  }
  function locate(name, from) {  // a name without a span: its first place in the text from ``from`` (code points),
    if (!name) return null;       // else from the start
    const start = from ? points.slice(0, from).join("").length : 0;
    let at = text.indexOf(name, start);
    if (at < 0 && start) at = text.indexOf(name);
    return at < 0 ? null : [units(text.slice(0, at)), units(text.slice(0, at)) + units(name)];
  }
  function namesOf(value) {  // every name a value gives: a city may be {name: {ar: …, en: …}}
    const v = value && typeof value === "object" && "name" in value ? value.name : value;
    if (v && typeof v === "object") return Object.values(v).map(String);
    return v == null ? [] : [String(v)];
  }
  function touched(item) {  // a person vouches for it now: curated, no confidence
    item.curated = true;
    delete item.confidence;
    state.dirty = true;
  }
  function status(message, kind) {
    const box = document.getElementById("status");
    box.textContent = message;
    box.className = kind || "";
  }

  // ------------------------------------------------------------------------------------------------ the text
  function marks() {
    const out = [];
    if (state.noEvent) return out;
    state.events.forEach((ev, i) => {
      const ew = `events[${i}]`;
      const from = Array.isArray(ev.span) ? ev.span[0] : 0;  // names are looked for where the event is told first
      if (Array.isArray(ev.span)) out.push({ a: ev.span[0], b: ev.span[1], kind: "event", path: ew });
      for (const [field, kind] of Object.entries(KINDS)) {
        (ev[field] || []).forEach((item, j) => {
          const span = Array.isArray(item && item.span) ? item.span : locate(nameOf(item), from);
          if (span) out.push({ a: span[0], b: span[1], kind: kind, path: `${ew}.${field}[${j}]` });
        });
      }
      const at = namesOf(ev.city).map((n) => locate(n, from)).find(Boolean);
      if (at) out.push({ a: at[0], b: at[1], kind: "city", path: `${ew}.city` });
    });
    return out.filter((m) => m.a >= 0 && m.b <= points.length && m.b > m.a);
  }

  function renderText() {
    const box = document.getElementById("text");
    box.replaceChildren();
    const ms = marks();
    const cuts = new Set([0, points.length]);
    for (const m of ms) { cuts.add(m.a); cuts.add(m.b); }
    const bounds = [...cuts].sort((x, y) => x - y);
    for (let i = 0; i + 1 < bounds.length; i++) {
      const a = bounds[i], b = bounds[i + 1];
      const over = ms.filter((m) => m.a <= a && m.b >= b);
      const inEvent = over.some((m) => m.kind === "event");
      const facts = over.filter((m) => m.kind !== "event").sort((x, y) => (x.b - x.a) - (y.b - y.a));
      const classes = [];
      if (inEvent) classes.push("k-event");
      if (facts.length) classes.push("k-" + facts[0].kind);
      const attrs = { "data-start": a, class: classes.join(" ") || null,
                      "data-path": facts.length ? facts[0].path : null, text: slice(a, b) };
      box.append(el(facts.length ? "mark" : "span", attrs));
    }
  }

  function selection() {  // the selected words of the text as [start, end] code points, or null
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    const box = document.getElementById("text");
    if (!box.contains(range.startContainer) || !box.contains(range.endContainer)) return null;
    function offset(node, at) {
      if (node.nodeType === Node.TEXT_NODE) {
        const seg = node.parentElement;
        return Number(seg.dataset.start) + units(node.textContent.slice(0, at));
      }
      if (node === box) {
        const seg = box.childNodes[at];
        return seg ? Number(seg.dataset.start) : points.length;
      }
      const seg = node.closest("[data-start]");
      const start = Number(seg.dataset.start);
      return at === 0 ? start : start + units(seg.textContent);
    }
    let a = offset(range.startContainer, range.startOffset), b = offset(range.endContainer, range.endOffset);
    while (a < b && /\s/.test(points[a])) a++;  // selections often catch a space at either end
    while (b > a && /\s/.test(points[b - 1])) b--;
    return b > a ? [a, b] : null;
  }

  function focusPath(path) {
    for (const m of document.querySelectorAll("#text .focus")) m.classList.remove("focus");
    const hits = document.querySelectorAll(`#text [data-path="${CSS.escape(path)}"]`);
    hits.forEach((m) => m.classList.add("focus"));
    if (hits.length) hits[0].scrollIntoView({ block: "nearest" });
  }

  // ------------------------------------------------------------------------------------------------ the card
  function input(label, value, onchange, attrs) {
    const field = el("input", Object.assign({ value: value == null ? "" : value, "aria-label": label, dir: "auto" },
                                            attrs || {}));
    field.addEventListener("change", () => onchange(field.value.trim()));
    return [el("label", { text: label }), field];
  }
  function select(label, options, value, onchange, attrs) {
    const field = el("select", Object.assign({ "aria-label": label }, attrs || {}),
      ...options.map(([v, l]) => el("option", { value: v, text: l, selected: v === value })));
    field.addEventListener("change", () => onchange(field.value));
    return field;
  }
  function button(label, fn, attrs) {
    return el("button", Object.assign({ type: "button", text: label, on: { click: fn } }, attrs || {}));
  }
  function rerender() { renderText(); renderCard(); }

  function factBox(ev, i, field, j, item) {
    const kind = KINDS[field];
    const path = `events[${i}].${field}[${j}]`;
    const box = el("div", { class: `fact k-${kind}${item.curated ? " curated" : ""}`, "data-path": path,
                            "data-kind": kind, tabindex: 0 });
    box.addEventListener("focusin", () => focusPath(path));
    const actions = el("div", { class: "actions" },
      button(T.accept, () => { touched(item); rerender(); }, { "data-action": "accept" }),
      button(T.reject, () => { reject(ev, field, j); rerender(); }, { "data-action": "reject" }));
    if (item.confidence != null) box.append(el("span", { class: "conf", text: `${T.confidence} ${item.confidence}` }));
    if (item.curated) box.append(el("span", { class: "conf", text: T.curatedMark }));
    if (field === "challenges" || field === "proposals") {
      const scheme = field === "challenges" ? "challenge" : "proposal";
      box.append(el("q", { class: "quote", text: Array.isArray(item.span) ? slice(item.span[0], item.span[1]) : item.text }));
      box.append(select(T.category, data.schemes[scheme], item.category || "other", (v) => {
        item.category = v; touched(item); rerender();
      }, { "data-field": "category" }));
      const names = (ev.speakers || []).map((s) => [nameOf(s.name), nameOf(s.name)]);
      box.append(select(T.speaker, [["", T.noSpeaker], ...names], item.speaker || "", (v) => {
        if (v) item.speaker = v; else delete item.speaker;
        touched(item); rerender();
      }, { "data-field": "speaker" }));
      actions.append(button(T.moveSpan, () => moveSpan(item), { "data-action": "move" }));
      actions.append(button(field === "challenges" ? T.toProposal : T.toChallenge, () => {
        switchKind(ev, field, j); rerender();
      }, { "data-action": "switch" }));
    } else if (field === "speakers") {
      const fields = el("div", { class: "fields" },
        ...input(T.name, item.name, (v) => { renameSpeaker(ev, item, v); touched(item); rerender(); }, { "data-field": "name" }),
        ...input(T.role, nameOf(item.role), (v) => { setOrDrop(item, "role", v); touched(item); rerender(); }),
        ...input(T.affiliation, nameOf(item.affiliation), (v) => { setOrDrop(item, "affiliation", v); touched(item); rerender(); }),
        ...input(T.country, item.country, (v) => { setOrDrop(item, "country", v); touched(item); rerender(); }));
      box.append(fields);
      actions.append(button(T.moveSpan, () => moveSpan(item), { "data-action": "move" }));
    } else {
      const value = typeof item === "object" ? item : null;
      box.append(el("div", { class: "fields" }, ...input(T.name, nameOf(item), (v) => {
        const obj = toObject(ev, field, j);
        obj.name = v; touched(obj); rerender();
      }, { "data-field": "name" })));
      if (field === "programmes" && value) {
        box.append(el("div", { class: "fields" }, ...input("funder", nameOf(value.funder), (v) => {
          setOrDrop(value, "funder", v); touched(value); rerender();
        })));
      }
    }
    box.append(actions);
    return box;
  }

  function setOrDrop(obj, key, value) { if (value) obj[key] = value; else delete obj[key]; }
  function toObject(ev, field, j) {  // an organisation written as a plain name becomes {name}: it can carry "curated"
    if (typeof ev[field][j] !== "object") ev[field][j] = { name: ev[field][j] };
    return ev[field][j];
  }
  function renameSpeaker(ev, speaker, name) {
    const old = nameOf(speaker.name);
    speaker.name = name;
    for (const f of ["challenges", "proposals"]) for (const st of ev[f] || []) if (st.speaker === old) st.speaker = name;
  }
  function reject(ev, field, j) {
    const [gone] = ev[field].splice(j, 1);
    if (field === "speakers") {  // a statement cannot name a speaker the event no longer has
      for (const f of ["challenges", "proposals"]) for (const st of ev[f] || []) if (st.speaker === nameOf(gone.name)) delete st.speaker;
    }
    state.dirty = true;
  }
  function moveSpan(item) {
    const span = selection();
    if (!span) { status(T.selectFirst, "error"); return; }
    item.span = span;
    if ("text" in item || !("name" in item)) item.text = slice(span[0], span[1]);
    else item.name = slice(span[0], span[1]);
    touched(item);
    rerender();
  }
  function switchKind(ev, field, j) {
    const target = field === "challenges" ? "proposals" : "challenges";
    const scheme = target === "challenges" ? "challenge" : "proposal";
    const [item] = ev[field].splice(j, 1);
    if (!data.schemes[scheme].some(([n]) => n === item.category)) item.category = "other";
    touched(item);
    (ev[target] = ev[target] || []).push(item);
  }
  function eventAt(span) {  // the event whose span holds the selection, else the first
    const i = state.events.findIndex((ev) => Array.isArray(ev.span) && ev.span[0] <= span[0] && span[1] <= ev.span[1]);
    return state.events[i >= 0 ? i : 0];
  }
  function addFromSelection(field) {
    const span = selection();
    if (!span) { status(T.selectFirst, "error"); return; }
    if (!state.events.length || state.noEvent) return;
    const ev = eventAt(span);
    const words = slice(span[0], span[1]);
    let item;
    if (field === "speakers") item = { name: words, span: span };
    else if (field === "organisers") item = { name: words, span: span };
    else item = { text: words, category: "other", span: span };
    touched(item);
    (ev[field] = ev[field] || []).push(item);
    rerender();
  }

  function eventBox(ev, i) {
    const ew = `events[${i}]`;
    const mark = () => touched(ev);
    const set = (key) => (v) => { setOrDrop(ev, key, v); mark(); rerender(); };
    const typeOptions = [["", "—"], ...data.schemes["event-type"]];
    const fields = el("div", { class: "fields", "data-path": ew },
      ...input(T.titleField, nameOf(ev.title), set("title"), { "data-path": `${ew}.title`, "data-field": "title" }),
      el("label", { text: T.type }), select(T.type, typeOptions, ev.type || "", set("type"), { "data-path": `${ew}.type` }),
      el("label", { text: T.status }), select(T.status, [["held", T.held], ["announced", T.announced]], ev.status || "held",
                                              set("status"), { "data-path": `${ew}.status` }),
      ...input(T.start, ev.start, set("start"), { "data-path": `${ew}.start`, "data-field": "start", placeholder: "YYYY-MM-DD" }),
      ...input(T.end, ev.end, set("end"), { "data-path": `${ew}.end`, "data-field": "end", placeholder: "YYYY-MM-DD" }),
      ...input(T.city, nameOf(ev.city), (v) => {
        if (!v) delete ev.city;
        else if (ev.city && typeof ev.city === "object") ev.city = Object.assign({}, ev.city, { name: v });
        else ev.city = v;
        mark(); rerender();
      }, { "data-path": `${ew}.city`, "data-field": "city" }),
      ...input(T.host, ev.host_country, (v) => {
        setOrDrop(ev, "host_country", v);
        if (ev.city && typeof ev.city === "object" && v) ev.city = Object.assign({}, ev.city, { country: v });
        mark(); rerender();
      }, { "data-path": `${ew}.host_country`, "data-field": "host_country" }),
      ...input(T.countries, (ev.participating_countries || []).join(", "), (v) => {
        ev.participating_countries = v ? v.split(/[,،;]\s*/).map((c) => c.trim()).filter(Boolean) : [];
        mark(); rerender();
      }, { "data-path": `${ew}.participating_countries`, "data-field": "participating_countries" }));
    const online = el("input", { type: "checkbox", checked: ev.online, "aria-label": T.online });
    online.addEventListener("change", () => { ev.online = online.checked; mark(); rerender(); });
    fields.append(el("label", { text: T.online }), online);
    const conf = ev.confidence != null ? el("span", { class: "conf", text: ` ${T.confidence} ${ev.confidence}` }) : null;
    const box = el("fieldset", { "data-path": ew, class: ev.curated ? "curated" : null },
      el("legend", { text: `${T.event} ${i + 1}` }), conf,
      el("div", { class: "actions" },
        button(T.accept, () => { mark(); rerender(); }, { "data-action": "accept-event" }),
        button(T.removeEvent, () => { state.events.splice(i, 1); state.dirty = true; rerender(); }, { "data-action": "remove-event" })),
      fields);
    for (const field of ["speakers", "challenges", "proposals", "organisers", "participants", "programmes"]) {
      const items = ev[field] || [];
      if (!items.length && !["challenges", "proposals", "speakers"].includes(field)) continue;
      const list = el("div", { class: "facts", "data-list": field, "data-path": `${ew}.${field}` },
                      el("h3", { text: `${T[field]} (${items.length})` }));
      items.forEach((item, j) => list.append(factBox(ev, i, field, j, typeof item === "object" ? item : toObject(ev, field, j))));
      box.append(list);
    }
    return box;
  }

  function renderCard() {
    const card = document.getElementById("card");
    card.replaceChildren();
    const none = el("input", { type: "checkbox", id: "no-event", checked: state.noEvent });
    none.addEventListener("change", () => { state.noEvent = none.checked; state.dirty = true; rerender(); });
    card.append(el("p", {}, none, el("label", { for: "no-event", text: " " + T.noEvent })));
    if (!state.noEvent) state.events.forEach((ev, i) => card.append(eventBox(ev, i)));
  }

  function renderTools() {
    const tools = document.getElementById("tools");
    tools.replaceChildren(
      button(T.addChallenge, () => addFromSelection("challenges"), { "data-action": "add-challenge", class: "swatch k-challenge" }),
      button(T.addProposal, () => addFromSelection("proposals"), { "data-action": "add-proposal", class: "swatch k-proposal" }),
      button(T.addSpeaker, () => addFromSelection("speakers"), { "data-action": "add-speaker", class: "swatch k-speaker" }),
      button(T.addOrganiser, () => addFromSelection("organisers"), { "data-action": "add-organiser", class: "swatch k-organisation" }),
      button(T.save, save, { id: "save", "data-action": "save" }));
    // a button press must not drop the selection it is about to use
    for (const b of tools.querySelectorAll("button")) b.addEventListener("mousedown", (e) => e.preventDefault());
  }

  // ------------------------------------------------------------------------------------------------ saving
  function clearProblems() { for (const p of document.querySelectorAll(".problem")) p.remove(); }
  function showProblems(problems) {
    const unplaced = [];
    for (const p of problems) {
      let path = p.path, target = null;
      while (path && !(target = document.querySelector(`#card [data-path="${CSS.escape(path)}"]`))) {
        path = path.replace(/(\.[A-Za-z_]+|\[\d+\])$/, "");  // the nearest field shown
      }
      const note = el("span", { class: "problem", role: "alert", "data-problem-path": p.path, text: p.message });
      if (target) target.after(note); else unplaced.push(p.message);
    }
    return unplaced;
  }

  async function save() {
    clearProblems();
    const body = { revision: state.revision, events: state.noEvent ? [] : state.events, no_event: state.noEvent };
    let response;
    try {
      response = await fetch(data.save, { method: "PUT", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body) });
    } catch (e) {
      status(`${T.denied} ${e}`, "error");
      return;
    }
    const answer = await response.json().catch(() => ({ error: response.statusText }));
    if (response.ok) {
      state.revision = answer.revision;
      state.dirty = false;
      document.getElementById("revision").textContent = String(answer.revision);
      status(`${T.saved} ${answer.revision}`, "ok");
      document.body.dataset.saved = String(answer.revision);
      return;
    }
    if (response.status === 422) {
      const rest = showProblems(answer.problems || []);
      status([T.invalid, ...rest].join(" — "), "error");
    } else if (response.status === 409) {
      status(`${T.conflict} ${answer.error}`, "error");
    } else {
      status(`${T.denied} ${answer.error || response.status}`, "error");
    }
    document.body.dataset.refused = String(response.status);
  }

  window.addEventListener("beforeunload", (e) => { if (state.dirty) { e.preventDefault(); e.returnValue = T.unsaved; } });
  renderTools();
  rerender();
  document.body.dataset.ready = "true";
})();
