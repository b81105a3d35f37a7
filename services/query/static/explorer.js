// The provnews explorer. Plain modern JavaScript, no build step, no dependency.
// Every piece of article text reaches the page through textContent or a text node, never innerHTML.

import { DOC_KINDS, LEVELS, OTHER_COLOR, QUALIFIERS, SERIES_COLORS, STRINGS, TOPICS } from "./i18n.js";

const FILTERS = ["province", "topic", "person", "organization", "document", "source", "year"];
const FACET_ORDER = ["province", "topic", "person", "organization", "document", "source", "year"];
const FACET_SHOWN = 8;
const PAGE_SIZE = 20;
const METRICS_PAGE_SIZE = 50;
const LIVE_MAX = 30;
const SVG = "http://www.w3.org/2000/svg";
const KIND_ORDER = ["metric", "person", "organization", "document", "place", "topic"];
const CLASSES = ["departments", "public_service_units", "payroll", "leadership", "communes", "villages", "procedures"];
const TABS = ["articles", "metrics", "board"];

// -- state, kept whole in the URL ------------------------------------------------------------------
const DEFAULTS = { q: "", from: "", to: "", page: 1, tab: "articles", mpage: 1, split: "topic", pv: "then",
                   article: "", metric: "", raw: false, lang: "vi", bsort: "province", bclass: [] };

function readState(search = location.search) {
  const params = new URLSearchParams(search);
  const state = { ...DEFAULTS, filters: {} };
  for (const key of FILTERS) state.filters[key] = params.getAll(key).filter(Boolean);
  state.q = params.get("q") || "";
  state.from = params.get("from") || "";
  state.to = params.get("to") || "";
  state.page = Math.max(1, parseInt(params.get("page"), 10) || 1);
  state.mpage = Math.max(1, parseInt(params.get("mpage"), 10) || 1);
  state.tab = TABS.includes(params.get("tab")) ? params.get("tab") : "articles";
  state.bsort = ["figures", ...CLASSES].includes(params.get("bsort")) ? params.get("bsort") : "province";
  state.bclass = params.getAll("bclass").filter((c) => CLASSES.includes(c));
  state.split = params.get("split") === "province" ? "province" : "topic";
  state.pv = params.get("pv") === "2025" ? "2025" : "then";
  state.article = params.get("article") || "";
  state.metric = params.get("metric") || "";
  state.raw = params.get("raw") === "1";
  state.lang = params.get("lang") === "en" ? "en" : (params.get("lang") === "vi" ? "vi" : storedLang());
  return state;
}

function storedLang() {
  try { return localStorage.getItem("provnews.lang") === "en" ? "en" : "vi"; } catch { return "vi"; }
}

function filterParams(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  for (const key of FILTERS) for (const value of state.filters[key]) params.append(key, value);
  if (state.from) params.set("from", state.from);
  if (state.to) params.set("to", state.to);
  return params;
}

function stateUrl(state) {
  const params = filterParams(state);
  if (state.page > 1) params.set("page", state.page);
  if (state.tab !== "articles") params.set("tab", state.tab);
  if (state.mpage > 1) params.set("mpage", state.mpage);
  if (state.split !== "topic") params.set("split", state.split);
  if (state.bsort !== "province") params.set("bsort", state.bsort);
  for (const c of state.bclass) params.append("bclass", c);
  if (state.pv !== "then") params.set("pv", state.pv);
  if (state.article) params.set("article", state.article);
  if (state.metric !== "") params.set("metric", state.metric);
  if (state.raw) params.set("raw", "1");
  if (state.lang !== "vi") params.set("lang", state.lang);
  const query = params.toString();
  return query ? `/?${query}` : "/";
}

let state = readState();

let resultsScroll = 0;

async function change(update, { push = true, focusMain = false } = {}) {
  const next = { ...state, ...update, filters: { ...state.filters, ...(update.filters || {}) } };
  const entering = !state.article && next.article;
  const leaving = state.article && !next.article;
  if (entering) resultsScroll = window.scrollY;
  state = next;
  const url = stateUrl(state);
  if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
  const rendered = render();
  if (focusMain) $("#main").focus({ preventScroll: true });
  if (entering || (focusMain && !leaving)) window.scrollTo(0, 0);
  if (leaving) {
    await rendered;
    window.scrollTo(0, resultsScroll);
  }
}

window.addEventListener("popstate", () => { state = readState(); render(); });

// -- small helpers --------------------------------------------------------------------------------
const $ = (selector, root = document) => root.querySelector(selector);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined && value !== null) node.setAttribute(key, value);
  for (const child of children.flat()) if (child) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function t(key, vars = {}) {
  const text = STRINGS[state.lang][key] ?? STRINGS.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? vars[name] : `{${name}}`));
}

const locale = () => (state.lang === "vi" ? "vi-VN" : "en-GB");
const number = (value) => new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(value);

function formatDate(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.slice(0, 10).split("-");
  if (!d) return iso;
  if (state.lang === "vi") return `${d}/${m}/${y}`;
  return new Date(Date.UTC(+y, +m - 1, +d)).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

function formatMonth(month) {
  const [y, m] = month.split("-");
  if (state.lang === "vi") return `${m}/${y}`;
  return new Date(Date.UTC(+y, +m - 1, 1)).toLocaleDateString("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });
}

function topicLabel(id) { return TOPICS[id]?.[state.lang] ?? id; }
function topicColor(id) { return TOPICS[id]?.color ?? OTHER_COLOR; }
function levelLabel(level) { return level ? (LEVELS[level]?.[state.lang] ?? level) : ""; }

function documentLabel(value) {
  const [kind, num] = value.split(":");
  if (num !== undefined && DOC_KINDS[kind]) return `${DOC_KINDS[kind][state.lang]} ${num === "None" ? "" : num}`.trim();
  return value;
}

function facetLabel(facet, value) {
  if (facet === "topic") return topicLabel(value);
  if (facet === "document") return documentLabel(value);
  return value;
}

function metricText(m) {
  const q = QUALIFIERS[m.qualifier] || "";
  return `${m.action} ${q}${number(m.value)} ${m.unit}`.replace(/\s+/g, " ").trim();
}

// The search API's snippet is HTML-escaped text with <mark> around matches: turn it into nodes, not markup.
function snippetNodes(snippet) {
  const unescape = (s) => s.replace(/&(lt|gt|quot|#x27|#39|amp);/g, (_, e) =>
    ({ lt: "<", gt: ">", quot: '"', "#x27": "'", "#39": "'", amp: "&" })[e]);
  const nodes = [];
  let marked = false;
  for (const part of snippet.split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>") { marked = true; continue; }
    if (part === "</mark>") { marked = false; continue; }
    if (!part) continue;
    nodes.push(marked ? el("mark", { text: unescape(part) }) : document.createTextNode(unescape(part)));
  }
  return nodes;
}

function safeHref(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch { return null; }
}

// Links keep the whole state, so they work in a new tab; a plain click navigates in place.
function stateLink(update, text, attrs = {}) {
  const target = { ...state, ...update, filters: { ...state.filters, ...(update.filters || {}) } };
  return el("a", {
    href: stateUrl(target), ...attrs,
    onclick: (event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      change(update, { focusMain: true });
    },
  }, text);
}

async function getJson(path, options = {}) {
  const response = await fetch(path, { headers: { accept: "application/json" }, ...options });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(body?.detail || `HTTP ${response.status}`);
    error.status = response.status;
    error.body = body;
    throw error;
  }
  return body;
}

// -- rendering ------------------------------------------------------------------------------------
const cache = { searchKey: null, search: null, timelineKey: null, timeline: null, metricsKey: null, metrics: null,
                boardKey: null, board: null };  // the scoreboard is read when its tab is opened
let generation = 0;

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  const toggle = $("#lang-toggle");
  toggle.textContent = t("lang.other");
  toggle.lang = state.lang === "vi" ? "en" : "vi";
  toggle.setAttribute("aria-label", t("lang.otherName"));
  $("#chips").setAttribute("aria-label", t("filters.active"));
  $(".tabs").setAttribute("aria-label", t("tabs.label"));
  const facetsOpen = $("#facets").classList.contains("open");
  $("#filters-toggle").textContent = t(facetsOpen ? "filters.hide" : "filters.show");
}

async function render() {
  applyLanguage();
  renderTopicChecks();
  $("#q").value = state.q;
  $("#from").value = state.from;
  $("#to").value = state.to;
  for (const button of document.querySelectorAll("[data-split]")) {
    button.setAttribute("aria-pressed", String(button.dataset.split === state.split));
  }
  const inArticle = Boolean(state.article);
  $("#results-view").hidden = inArticle;
  $("#article-view").hidden = !inArticle;
  document.body.classList.toggle("reading", inArticle);
  document.body.classList.toggle("board-view", !inArticle && state.tab === "board");
  const mine = ++generation;
  await loadResults(mine);
  if (inArticle) await renderArticle(mine);
  renderLiveList();
}

async function loadResults(mine) {
  const filters = filterParams(state);
  const searchKey = `${filters}&page=${state.page}`;
  const splitFacet = state.split === "province" && state.pv === "2025" ? "province_2025" : state.split;
  const timelineKey = `${filters}&split=${splitFacet}`;
  const metricsKey = `${filters}&mpage=${state.mpage}`;
  const board = boardParams(filters);
  const boardKey = state.tab === "board" ? String(board) : cache.boardKey;
  const jobs = [];
  if (cache.searchKey !== searchKey) {
    $("#summary").textContent = t("summary.loading");
    const params = new URLSearchParams(filters);
    params.set("page", state.page);
    params.set("size", PAGE_SIZE);
    jobs.push(getJson(`/v1/search?${params}`).then((r) => { cache.search = r; cache.searchKey = searchKey; }));
  }
  if (cache.timelineKey !== timelineKey) {
    const params = new URLSearchParams(filters);
    params.set("split", splitFacet);
    jobs.push(getJson(`/v1/timeline?${params}`).then((r) => { cache.timeline = r; cache.timelineKey = timelineKey; })
      .catch(() => { cache.timeline = null; cache.timelineKey = timelineKey; }));
  }
  if (cache.metricsKey !== metricsKey) {
    const params = new URLSearchParams(filters);
    params.set("page", state.mpage);
    params.set("size", METRICS_PAGE_SIZE);
    jobs.push(getJson(`/v1/metrics?${params}`).then((r) => { cache.metrics = r; cache.metricsKey = metricsKey; })
      .catch(() => { cache.metrics = null; cache.metricsKey = metricsKey; }));
  }
  if (cache.boardKey !== boardKey) {
    jobs.push(getJson(`/v1/scoreboard?${board}`).then((r) => { cache.board = r; cache.boardKey = boardKey; })
      .catch(() => { cache.board = null; cache.boardKey = boardKey; }));
  }
  try {
    await Promise.all(jobs);
  } catch (error) {
    if (mine !== generation) return;
    cache.searchKey = null;
    $("#summary").textContent = t("summary.error", { e: error.message });
    return;
  }
  if (mine !== generation) return;
  renderFacets();
  renderChips();
  renderSummary();
  renderTimeline();
  renderTabs();
  renderHits();
  renderMetrics();
  renderBoard();
  renderExportLinks();
}

// The scoreboard reads the same filters, the province naming of the facets, its sort and its classes.
function boardParams(filters) {
  const params = new URLSearchParams(filters);
  params.set("names", state.pv);
  params.set("sort", state.bsort);
  for (const c of state.bclass) params.append("class", c);
  return params;
}

// Exports take the current filters (not the page): every matching row, streamed by the query API.
function renderExportLinks() {
  const filters = filterParams(state);
  for (const link of document.querySelectorAll("a[data-export]")) {
    const params = link.dataset.export === "scoreboard" ? boardParams(filters) : new URLSearchParams(filters);
    params.set("format", link.dataset.format);
    link.href = `/v1/${link.dataset.export}/export?${params}`;
    link.title = t("export.title", { what: t(`export.${link.dataset.export}`), format: link.dataset.format.toUpperCase() });
  }
}

function renderSummary() {
  const n = number(cache.search.total);
  const summary = $("#summary");
  summary.textContent = state.q ? t("summary.countQ", { n, q: state.q }) : t("summary.count", { n });
  summary.dataset.total = cache.search.total;
  renderFreshness();
}

// New articles arrived on the live feed: offer to refresh the results rather than move them under the reader.
let freshArticles = 0;
function renderFreshness() {
  const holder = $("#fresh");
  if (!freshArticles || state.article) { holder.replaceChildren(); return; }
  holder.replaceChildren(el("button", { type: "button", class: "secondary", text: t("live.refresh", { n: freshArticles }),
    onclick: () => {
      freshArticles = 0;
      cache.searchKey = cache.timelineKey = cache.metricsKey = null;
      render();
    } }));
}

function toggled(list, value) {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

function renderFacets() {
  const root = $("#facet-lists");
  const facets = cache.search.facets;
  const names = new Set([...(facets.province || []), ...(facets.province_2025 || [])].map((f) => f.value));
  const datalist = $("#province-names");
  datalist.replaceChildren(...[...names].sort().map((name) => el("option", { value: name })));
  root.replaceChildren(...FACET_ORDER.map((facet) => {
    const source = facet === "province" && state.pv === "2025" ? "province_2025" : facet;
    const key = facet === "year" ? "year" : facet;
    const selected = state.filters[key].map(String);
    let items = (facets[source] || []).map((f) => ({ value: String(f.value), count: f.count }));
    for (const value of selected) if (!items.some((i) => i.value === value)) items.unshift({ value, count: null });
    if (facet === "year") items.sort((a, b) => b.value.localeCompare(a.value));
    const expanded = expandedFacets.has(facet);
    const shown = expanded ? items : items.slice(0, FACET_SHOWN);
    const id = `facet-${facet}`;
    const section = el("section", { class: "facet", "aria-labelledby": id, "data-facet": facet },
      el("div", { class: "facet-head" }, el("h3", { id, text: t(`facet.${facet}`) })));
    if (facet === "province") {
      section.append(el("div", { class: "switch", role: "group", "aria-label": t("province.switch") },
        ...["then", "2025"].map((pv) => el("button", {
          type: "button", "aria-pressed": String(state.pv === pv), "data-pv": pv,
          text: t(pv === "then" ? "province.then" : "province.now"),
          onclick: () => change({ pv }, { push: false }),
        }))));
    }
    if (!items.length) {
      section.append(el("p", { class: "empty", text: t("facet.empty") }));
      return section;
    }
    section.append(el("ul", {}, ...shown.map((item) => el("li", {}, el("button", {
      type: "button", "aria-pressed": String(selected.includes(item.value)), "data-value": item.value,
      onclick: () => change({ page: 1, mpage: 1, filters: { [key]: toggled(selected, item.value) } }),
    }, el("span", { class: "label", text: facetLabel(facet, item.value) }),
       el("span", { class: "count", text: item.count === null ? "–" : number(item.count) }))))));
    if (items.length > FACET_SHOWN) {
      section.append(el("button", {
        type: "button", class: "link-button more", "aria-expanded": String(expanded),
        text: expanded ? t("facet.less") : t("facet.more", { n: items.length - FACET_SHOWN }),
        onclick: () => { expanded ? expandedFacets.delete(facet) : expandedFacets.add(facet); renderFacets(); },
      }));
    }
    return section;
  }));
}
const expandedFacets = new Set();

function renderChips() {
  const chips = [];
  const chip = (label, update) => el("button", {
    type: "button", class: "chip", "aria-label": `${t("filters.remove")}: ${label}`,
    onclick: () => change({ page: 1, mpage: 1, ...update }),
  }, `${label} ×`);
  if (state.q) chips.push(chip(`${t("chip.q")}: ${state.q}`, { q: "" }));
  for (const key of FILTERS) {
    for (const value of state.filters[key]) {
      chips.push(chip(`${t(`facet.${key}`)}: ${facetLabel(key, value)}`,
                      { filters: { [key]: state.filters[key].filter((v) => v !== value) } }));
    }
  }
  if (state.from) chips.push(chip(`${t("chip.from")} ${formatDate(state.from)}`, { from: "" }));
  if (state.to) chips.push(chip(`${t("chip.to")} ${formatDate(state.to)}`, { to: "" }));
  if (chips.length > 1) {
    const empty = Object.fromEntries(FILTERS.map((k) => [k, []]));
    chips.push(el("button", { type: "button", class: "chip clear", text: t("filters.clear"),
                              onclick: () => change({ q: "", from: "", to: "", page: 1, mpage: 1, filters: empty }) }));
  }
  $("#chips").replaceChildren(...chips);
}

function monthsBetween(first, last) {
  const months = [];
  let [y, m] = first.split("-").map(Number);
  const [ly, lm] = last.split("-").map(Number);
  while (y < ly || (y === ly && m <= lm)) {
    months.push(`${y}-${String(m).padStart(2, "0")}`);
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return months;
}

function lastDay(month) {
  const [y, m] = month.split("-").map(Number);
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, "0")}`;
}

function renderTimeline() {
  const root = $("#timeline");
  const legend = $("#timeline-legend");
  const note = $("#timeline-note");
  const data = cache.timeline;
  if (!data || !data.by_month.length) {
    root.replaceChildren(el("p", { class: "empty-state", text: t("timeline.empty") }));
    legend.replaceChildren();
    note.textContent = data && data.undated ? t("timeline.undated", { n: number(data.undated) }) : "";
    return;
  }
  const isTopic = data.split === "topic";
  const top = data.series.slice(0, isTopic ? 12 : SERIES_COLORS.length);
  const rest = data.series.slice(top.length);
  const series = top.map((s, i) => ({
    label: isTopic ? topicLabel(s.value) : s.value,
    color: isTopic ? topicColor(s.value) : SERIES_COLORS[i],
    counts: Object.fromEntries(s.by_month.map((c) => [c.value, c.count])),
  }));
  if (rest.length) {
    const counts = {};
    for (const s of rest) for (const c of s.by_month) counts[c.value] = (counts[c.value] || 0) + c.count;
    series.push({ label: t("timeline.other"), color: OTHER_COLOR, counts });
  }
  const totals = Object.fromEntries(data.by_month.map((c) => [c.value, c.count]));
  const months = monthsBetween(data.by_month[0].value, data.by_month[data.by_month.length - 1].value);
  const stackOf = (month) => series.reduce((sum, s) => sum + (s.counts[month] || 0), 0);
  const max = Math.max(1, ...months.map((m) => Math.max(stackOf(m), totals[m] || 0)));
  // Drawn at the container's own width in pixels, so text keeps its size on a phone.
  const width = Math.max(280, Math.round(root.clientWidth || 800)), height = 190, left = 34, right = 8, top_ = 10, bottom = 24;
  const plotW = width - left - right, plotH = height - top_ - bottom;
  const step = plotW / months.length;
  const barW = Math.max(1, Math.min(28, step * 0.78));
  const y = (v) => top_ + plotH - (v / max) * plotH;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "group",
    "aria-label": t("timeline.aria", { first: formatMonth(months[0]), last: formatMonth(months[months.length - 1]) }) });
  for (const tick of [0, Math.ceil(max / 2), max]) {
    chart.append(svg("line", { x1: left, x2: width - right, y1: y(tick), y2: y(tick), stroke: "#e3e6ea" }),
                 svg("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end" }, number(tick)));
  }
  const yearsOnly = months.length > 18;
  const yearEvery = Math.max(1, Math.ceil(34 / (step * 12)));  // leave out year labels that would collide
  months.forEach((month, i) => {
    const x = left + i * step + (step - barW) / 2;
    const [yy, mm] = month.split("-");
    const labelled = yearsOnly ? (mm === "01" || i === 0) && (+yy - +months[0].slice(0, 4)) % yearEvery === 0
                               : i % Math.max(1, Math.ceil(40 / step)) === 0;
    if (labelled) {
      chart.append(svg("text", { x: left + i * step + step / 2, y: height - 6, "text-anchor": "middle" },
                       yearsOnly ? yy : `${mm}/${yy.slice(2)}`));
    }
    const n = totals[month] || 0;
    const parts = series.filter((s) => s.counts[month]).map((s) => `${s.label}: ${s.counts[month]}`);
    const label = t("timeline.bar", { month: formatMonth(month), n: number(n) });
    const group = svg("g", { class: "bar", role: "button", tabindex: "-1", "data-month": month,
                             "aria-label": parts.length ? `${label} (${parts.join(", ")})` : label },
      svg("title", {}, parts.length ? `${label}\n${parts.join("\n")}` : label));
    group.append(svg("rect", { x: left + i * step, y: top_, width: step, height: plotH, fill: "transparent", class: "frame" }));
    let base = 0;
    for (const s of series) {
      const v = s.counts[month] || 0;
      if (!v) continue;
      group.append(svg("rect", { x, y: y(base + v), width: barW, height: Math.max(0.5, y(base) - y(base + v)), fill: s.color }));
      base += v;
    }
    const pick = () => change({ from: `${month}-01`, to: lastDay(month), page: 1, mpage: 1 });
    group.addEventListener("click", pick);
    group.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); pick(); }
      const move = { ArrowRight: 1, ArrowLeft: -1, Home: -Infinity, End: Infinity }[event.key];
      if (move !== undefined) {
        event.preventDefault();
        const bars = [...chart.querySelectorAll(".bar")];
        const next = bars[Math.max(0, Math.min(bars.length - 1, i + (Number.isFinite(move) ? move : move * bars.length)))];
        bars.forEach((b) => b.setAttribute("tabindex", "-1"));
        next.setAttribute("tabindex", "0");
        next.focus();
      }
    });
    chart.append(group);
  });
  const bars = chart.querySelectorAll(".bar");
  // One tab stop for the chart (the latest month); arrow keys move between months.
  (bars[bars.length - 1] || bars[0]).setAttribute("tabindex", "0");
  root.replaceChildren(chart);
  drawnWidth = width;
  legend.replaceChildren(...series.map((s) => el("span", {}, swatch(s.color), s.label)));
  const what = t(isTopic ? "timeline.noteTopic" : "timeline.noteProvince");
  note.textContent = t("timeline.note", { what }) + (data.undated ? ` ${t("timeline.undated", { n: number(data.undated) })}` : "");
}

let resizeTimer = null;
let drawnWidth = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    const width = $("#timeline").clientWidth;
    if (cache.timeline && !state.article && Math.abs(width - drawnWidth) > 20) renderTimeline();
  }, 150);
});

function swatch(color) {
  const node = el("span", { class: "swatch", "aria-hidden": "true" });
  node.style.background = color;
  return node;
}

function renderTabs() {
  const counts = { articles: cache.search.total, metrics: cache.metrics ? cache.metrics.total : 0,
                   board: cache.board ? cache.board.provinces.length : null };
  for (const tab of TABS) {
    const button = $(`#tab-${tab}`);
    const selected = state.tab === tab;
    button.textContent = counts[tab] === null ? t(`tab.${tab}Idle`) : t(`tab.${tab}`, { n: number(counts[tab]) });
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(`#panel-${tab}`).hidden = !selected;
  }
}

function provinceText(provinces, provinces2025) {
  return provinces.map((name, i) => {
    const now = provinces2025[i];
    return now && now !== name ? `${name} (${t("province.nowName", { name: now })})` : name;
  }).join(", ");
}

function renderHits() {
  const { hits, total } = cache.search;
  const list = $("#hits");
  if (!hits.length) {
    list.replaceChildren(el("li", { class: "empty-state", text: t("hits.empty") }));
  } else {
    const stories = new Set();
    list.replaceChildren(...hits.map((hit) => el("li", { class: "hit", "data-id": hit.id },
      el("h3", {}, stateLink({ article: hit.id, metric: "", raw: false }, hit.title || t("hits.untitled"))),
      el("div", { class: "meta" },
        stories.has(hit.story_id) ? el("span", { class: "same-story", text: t("hits.sameStory") })
                                  : (stories.add(hit.story_id), null),
        hit.source && el("span", { text: hit.source }),
        hit.published && el("time", { datetime: hit.published, text: formatDate(hit.published) }),
        hit.provinces.length ? el("span", { text: provinceText(hit.provinces, hit.provinces_2025) }) : null),
      el("p", { class: "snippet" }, ...snippetNodes(hit.snippet)),
      hit.topics.length ? el("div", { class: "tags" }, ...hit.topics.map((id) => topicTag(id))) : null)));
  }
  renderPager($("#pager"), state.page, Math.ceil(total / PAGE_SIZE), (page) => change({ page }, { focusMain: true }));
}

function topicTag(id) {
  const tag = el("span", { class: "tag", text: topicLabel(id) });
  tag.style.background = topicColor(id);
  return tag;
}

function renderPager(root, page, pages, go) {
  if (pages <= 1) { root.replaceChildren(); return; }
  root.replaceChildren(
    el("button", { type: "button", text: t("pager.prev"), disabled: page <= 1, onclick: () => go(page - 1) }),
    el("span", { text: t("pager.page", { p: page, n: pages }) }),
    el("button", { type: "button", text: t("pager.next"), disabled: page >= pages, onclick: () => go(page + 1) }));
}

function renderMetrics() {
  const body = $("#metrics-table tbody");
  const data = cache.metrics;
  if (!data || !data.metrics.length) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: "7", class: "empty-state", text: t("metrics.empty") })));
    $("#metrics-pager").replaceChildren();
    return;
  }
  body.replaceChildren(...data.metrics.map((m, i) => {
    const tipId = `evidence-${i}`;
    const q = QUALIFIERS[m.qualifier] || "";
    return el("tr", { "data-article": m.article_id, "data-value": String(m.value) },
      el("td", { class: "num" }, `${q}${number(m.value)}`),
      el("td", { class: "unit" }, m.unit,
         el("div", { class: "evidence-tip", role: "tooltip", id: tipId }, `${t("metrics.evidence")}: `, m.sentence)),
      el("td", { text: m.action }),
      el("td", { text: levelLabel(m.level) }),
      el("td", { text: provinceText(m.provinces, m.provinces_2025) }),
      el("td", {}, m.published ? el("time", { datetime: m.published, text: formatDate(m.published) }) : ""),
      el("td", { class: "article" }, stateLink({ article: m.article_id, metric: String(m.position), raw: false },
                                               m.title || t("hits.untitled"), { "aria-describedby": tipId, title: m.title })));
  }));
  renderPager($("#metrics-pager"), state.mpage, Math.ceil(data.total / METRICS_PAGE_SIZE),
              (mpage) => change({ mpage }));
}

// -- the scoreboard -------------------------------------------------------------------------------
function renderBoard() {
  renderBoardControls();
  const head = $("#board-table thead");
  const body = $("#board-table tbody");
  const data = cache.board;
  const classes = data ? data.classes : CLASSES;
  head.replaceChildren(el("tr", {}, el("th", { scope: "col", text: t("board.province") }),
    ...classes.map((c) => el("th", { scope: "col", "data-class": c }, el("button", {
      type: "button", class: "sort", "aria-pressed": String(state.bsort === c), text: t(`class.${c}`),
      title: t("board.sortClass", { name: t(`class.${c}`) }), onclick: () => change({ bsort: c }, { push: false }),
    })))));
  if (!data || !data.provinces.length) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: String(classes.length + 1), class: "empty-state",
                                                 text: t("board.empty") })));
  } else {
    body.replaceChildren(...data.provinces.map((row) => el("tr", { "data-province": row.province },
      el("th", { scope: "row", text: row.province }),
      ...classes.map((c) => boardCell(row.province, c, row.classes[c])))));
  }
  const notes = [];
  if (data && data.unattributed) notes.push(t("board.unattributed", { n: number(data.unattributed) }));
  if (data && data.truncated) notes.push(t("board.truncated"));
  $("#board-note").textContent = notes.join(" ");
}

function renderBoardControls() {
  $("#board-names").replaceChildren(...["then", "2025"].map((pv) => el("button", {
    type: "button", "aria-pressed": String(state.pv === pv), "data-pv": pv,
    text: t(pv === "then" ? "province.then" : "province.now"), onclick: () => change({ pv }, { push: false }),
  })));
  $("#board-names").setAttribute("aria-label", t("province.switch"));
  const select = $("#board-sort");
  select.replaceChildren(
    el("option", { value: "province", text: t("board.sortProvince") }),
    el("option", { value: "figures", text: t("board.sortFigures") }),
    ...CLASSES.map((c) => el("option", { value: c, text: t("board.sortClass", { name: t(`class.${c}`) }) })));
  select.value = state.bsort;
  select.onchange = () => change({ bsort: select.value }, { push: false });
  const group = $("#board-classes");
  group.setAttribute("aria-label", t("board.classes"));
  group.replaceChildren(...CLASSES.map((c) => el("button", {
    type: "button", class: "chip-toggle", "data-class": c, "aria-pressed": String(state.bclass.includes(c)),
    text: t(`class.${c}`), onclick: () => change({ bclass: toggled(state.bclass, c) }, { push: false }),
  })));
}

function figureLink(figure, text) {
  const title = t("board.figure", { value: number(figure.value), unit: figure.unit,
                                    date: figure.published ? formatDate(figure.published) : "?", sentence: figure.sentence });
  return stateLink({ article: figure.article_id, metric: String(figure.position), raw: false }, text,
                   { class: "figure", title, "data-article": figure.article_id });
}

function boardCell(province, name, cell) {
  if (!cell) return el("td", { class: "board-cell empty" }, "–");
  const parts = [];
  if (cell.reductions !== null) {
    parts.push(el("div", { class: "cut" }, el("span", { class: "label", text: `${t("board.cut")} ` }),
      el("strong", { class: "num", "data-reductions": String(cell.reductions), text: number(cell.reductions) })));
    parts.push(el("div", { class: "summed" }, ...cell.summed.flatMap((f, i) => [
      i ? " + " : "", figureLink(f, number(f.value))])));
  } else {
    parts.push(el("div", { class: "cut none", text: t("board.noCut") }));
  }
  if (cell.by_year.length > 1) parts.push(yearBars(cell.by_year));
  if (cell.latest) {
    const f = cell.latest;
    parts.push(el("div", { class: "latest" }, `${t("board.latest")}: `,
      figureLink(f, `${f.action} ${number(f.value)} ${f.unit}`),
      f.published ? el("time", { datetime: f.published, text: ` (${formatDate(f.published)})` }) : ""));
  }
  const extra = [cell.restated ? t("board.restated", { n: cell.restated }) : "",
                 cell.not_summed ? t("board.notSummed", { n: cell.not_summed }) : ""].filter(Boolean).join("; ");
  if (extra) parts.push(el("div", { class: "note", text: extra }));
  return el("td", { class: "board-cell", "data-class": name, "data-province": province }, ...parts);
}

function yearBars(years) {
  const width = 96, height = 24, gap = 2, labels = 11;
  const max = Math.max(...years.map((y) => y.value));
  const first = years[0].year, last = years[years.length - 1].year;
  const span = last - first + 1;
  const bar = Math.max((width - gap * (span - 1)) / span, 3);
  const chart = svg("svg", { class: "year-bars", viewBox: `0 0 ${width} ${height + labels}`, width, height: height + labels, role: "img",
                             "aria-label": `${t("board.chart")}: ` + years.map((y) => t("board.year", { year: y.year, value: number(y.value) })).join(", ") });
  for (const y of years) {
    const h = Math.max((y.value / max) * (height - 2), 2);
    const x = (y.year - first) * (bar + gap);
    chart.append(svg("rect", { x, y: height - h, width: bar, height: h, rx: 1 },
                     svg("title", {}, t("board.year", { year: y.year, value: number(y.value) }))));
  }
  chart.append(svg("text", { x: 0, y: height + labels - 1, class: "year" }, String(first)),
               svg("text", { x: width, y: height + labels - 1, class: "year", "text-anchor": "end" }, String(last)));
  return chart;
}

// -- the article view -----------------------------------------------------------------------------
const articleCache = new Map();

async function renderArticle(mine) {
  const root = $("#article-view");
  const id = state.article;
  let doc = articleCache.get(id);
  if (!doc) {
    root.replaceChildren(backLink(), el("p", { class: "empty-state", text: t("article.loading") }));
    try {
      doc = await getJson(`/v1/articles/${encodeURIComponent(id)}`);
      articleCache.set(id, doc);
    } catch (error) {
      if (mine !== generation) return;
      root.replaceChildren(backLink(), el("p", { class: "message error", role: "alert",
        text: error.status === 404 ? t("article.notFound") : t("article.error", { e: error.message }) }),
        el("button", { type: "button", text: t("article.retry"), onclick: () => render() }));
      return;
    }
  }
  if (mine !== generation) return;
  const ex = doc.extraction;
  const title = ex.title || doc.raw_text.slice(0, 90) || doc.article_id;
  document.title = `${title} — provnews`;
  const original = doc.url && safeHref(doc.url);
  const published = ex.published || (doc.published_at ? doc.published_at.slice(0, 10) : "");
  const spans = articleSpans(ex);
  const hidden = new Set(hiddenKinds);
  const text = el("div", { class: `article-text ${[...hidden].map((k) => `hide-${k}`).join(" ")}`, id: "article-text",
                           lang: "vi" }, ...highlighted(ex.clean_text || "", spans));
  const raw = el("div", { class: "raw", id: "article-raw", lang: "vi", text: doc.raw_text });
  root.replaceChildren(
    backLink(),
    el("header", { class: "article-head" },
      el("h2", { id: "article-title", lang: "vi", text: title }),
      el("div", { class: "meta" },
        (doc.source || ex.source) && el("span", {}, `${t("article.source")}: `, doc.source || ex.source),
        published && el("span", {}, `${t("article.published")}: `, el("time", { datetime: published, text: formatDate(published) })),
        original && el("a", { href: original, rel: "noopener noreferrer", target: "_blank", text: t("article.original") }),
        el("span", {}, `${t("article.id")}: `, el("code", { text: doc.article_id }))),
      ex.provinces.length ? el("div", { class: "meta" }, provinceText(ex.provinces.map((p) => p.name), ex.provinces.map((p) => p.name_2025))) : null,
      ex.topics.length ? el("div", { class: "tags" }, ...ex.topics.map((tp) => topicTag(tp.id))) : null),
    el("div", { class: "toolbar" },
      el("button", { type: "button", class: "secondary", id: "raw-toggle", "aria-pressed": String(state.raw),
                     "aria-controls": "article-raw", text: state.raw ? t("article.showClean") : t("article.showRaw"),
                     onclick: () => change({ raw: !state.raw }, { push: false }) }),
      el("div", { class: "legend-toggles", role: "group", "aria-label": t("article.highlight") },
        ...KIND_ORDER.map((kind) => el("label", {},
          el("input", { type: "checkbox", checked: !hidden.has(kind), "data-kind": kind,
                        onchange: (event) => toggleKind(kind, event.target.checked) }),
          el("span", { class: `swatch k-${kind}`, "aria-hidden": "true" }), t(`kind.${kind}`))))),
    el("div", { class: "article-body" },
      state.raw ? el("div", {}, el("p", { class: "note", text: t("article.rawNote") }), raw) : text,
      extractedPanel(ex, spans)),
    duplicatesSection(doc.duplicates || []),
    versionsSection(doc.versions || []),
    el("p", { class: "note", text: `${t("article.engine")}: ${ex.engine_version}` }));
  if (state.metric !== "" && !state.raw) {
    const target = text.querySelector(`[data-refs~="metric-${CSS.escape(state.metric)}"]`);
    if (target) requestAnimationFrame(() => flash(target));
  }
}

const hiddenKinds = new Set();
function toggleKind(kind, shown) {
  if (shown) hiddenKinds.delete(kind); else hiddenKinds.add(kind);
  $("#article-text")?.classList.toggle(`hide-${kind}`, !shown);
}

function backLink() {
  return el("p", {}, stateLink({ article: "", metric: "", raw: false }, t("article.back"), { class: "back" }));
}

function articleSpans(ex) {
  const spans = [];
  const add = (kind, ref, label, evidence, extra = {}) => {
    for (const ev of evidence || []) if (ev.end > ev.start) spans.push({ kind, ref, label, start: ev.start, end: ev.end, ...extra });
  };
  ex.metrics.forEach((m, i) => add("metric", `metric-${i}`, `${t("kind.metric")}: ${metricText(m)}${m.level ? ` (${levelLabel(m.level)})` : ""}`,
                                   m.evidence, { value: m.value }));
  ex.persons.forEach((p, i) => add("person", `person-${i}`, `${t("kind.person")}: ${p.name}${p.roles.length ? ` — ${p.roles.join(", ")}` : ""}`, p.evidence));
  ex.organizations.forEach((o, i) => add("organization", `organization-${i}`, `${t("kind.organization")}: ${o.name}`, o.evidence));
  ex.legal_documents.forEach((d, i) => add("document", `document-${i}`, `${t("kind.document")}: ${documentName(d)}`, d.evidence));
  ex.provinces.forEach((p, i) => add("place", `province-${i}`,
    `${t("kind.place")}: ${p.name}${p.name_2025 !== p.name ? ` (${t("province.nowName", { name: p.name_2025 })})` : ""}`, p.evidence));
  ex.locations.forEach((l, i) => add("place", `location-${i}`, `${t("kind.place")}: ${l.name}`, l.evidence));
  ex.topics.forEach((tp, i) => add("topic", `topic-${i}`, `${t("kind.topic")}: ${topicLabel(tp.id)}`, tp.evidence, { topic: tp.id }));
  return spans;
}

function documentName(d) {
  const kind = DOC_KINDS[d.kind]?.[state.lang] ?? d.kind;
  return d.code ? `${kind} ${d.code}` : `${kind}${d.number ? ` ${d.number}` : ""}`;
}

// Cut the text at every span boundary; each piece is marked with every span that covers it.
function highlighted(text, spans) {
  const cuts = new Set([0, text.length]);
  for (const s of spans) { cuts.add(Math.min(s.start, text.length)); cuts.add(Math.min(s.end, text.length)); }
  const points = [...cuts].sort((a, b) => a - b);
  const nodes = [];
  for (let i = 0; i < points.length - 1; i++) {
    const [a, b] = [points[i], points[i + 1]];
    if (a === b) continue;
    const piece = text.slice(a, b);
    const covering = spans.filter((s) => s.start <= a && s.end >= b);
    if (!covering.length) { nodes.push(document.createTextNode(piece)); continue; }
    const kinds = [...new Set(covering.map((s) => s.kind))];
    const main = KIND_ORDER.find((k) => kinds.includes(k));
    const metric = covering.find((s) => s.kind === "metric");
    const topic = covering.find((s) => s.kind === "topic");
    const mark = el("mark", {
      class: ["hl", ...kinds.map((k) => `k-${k}`)].join(" "),
      "data-kind": main,
      "data-kinds": kinds.join(" "),
      "data-refs": covering.map((s) => s.ref).join(" "),
      "data-value": metric ? String(metric.value) : null,
      title: [...new Set(covering.map((s) => s.label))].join("\n"),
    }, piece);
    if (topic) mark.style.textDecorationColor = topicColor(topic.topic);
    nodes.push(mark);
  }
  return nodes;
}

function flash(node) {
  node.scrollIntoView({ block: "center", behavior: "smooth" });
  node.classList.add("flash");
  setTimeout(() => node.classList.remove("flash"), 2200);
}

function extractedPanel(ex, spans) {
  const first = (ref) => $(`#article-text [data-refs~="${CSS.escape(ref)}"]`);
  const item = (ref, label, why) => el("li", {},
    el("button", { type: "button", onclick: () => { if (state.raw) return; const n = first(ref); if (n) flash(n); } }, label),
    why ? el("span", { class: "why", lang: "vi", text: why.length > 220 ? `${why.slice(0, 220)}…` : why }) : null);
  const sentence = (evidence) => evidence?.[0]?.sentence || "";
  const groups = [
    ["metric", ex.metrics.map((m, i) => item(`metric-${i}`, `${metricText(m)}${m.level ? ` · ${levelLabel(m.level)}` : ""}`, sentence(m.evidence)))],
    ["person", ex.persons.map((p, i) => item(`person-${i}`, p.name, p.roles.join(", ") || sentence(p.evidence)))],
    ["organization", ex.organizations.map((o, i) => item(`organization-${i}`, o.name, sentence(o.evidence)))],
    ["document", ex.legal_documents.map((d, i) => item(`document-${i}`, documentName(d), d.title || sentence(d.evidence)))],
    ["place", [...ex.provinces.map((p, i) => item(`province-${i}`, p.name_2025 !== p.name ? `${p.name} → ${p.name_2025}` : p.name, "")),
               ...ex.locations.map((l, i) => item(`location-${i}`, l.name, ""))]],
    ["topic", ex.topics.map((tp, i) => item(`topic-${i}`, topicLabel(tp.id), sentence(tp.evidence)))],
  ];
  return el("aside", { class: "extracted", "aria-labelledby": "extracted-title" },
    el("h2", { id: "extracted-title", text: t("article.extracted") }),
    ...groups.filter(([, items]) => items.length).map(([kind, items]) => el("section", { "data-kind": kind },
      el("h3", {}, el("span", { class: `swatch k-${kind}`, "aria-hidden": "true" }), ` ${t(`kind.${kind}`)} (${items.length})`),
      el("ul", {}, ...items))));
}

function duplicatesSection(duplicates) {
  return el("section", { class: "card duplicates", "aria-labelledby": "duplicates-title" },
    el("h2", { id: "duplicates-title", text: t("article.duplicates", { n: duplicates.length }) }),
    duplicates.length
      ? el("ul", {}, ...duplicates.map((d) => el("li", {},
          stateLink({ article: d.id, metric: "", raw: false }, d.title || t("hits.untitled")),
          el("span", { class: "meta" }, [d.source, formatDate(d.published)].filter(Boolean).join(" · ")))))
      : el("p", { class: "note", text: t("article.noDuplicates") }));
}

// Each text the article was received with, newest last; a re-post with other text is a new version.
function versionsSection(versions) {
  return el("section", { class: "card versions", "aria-labelledby": "versions-title" },
    el("h2", { id: "versions-title", text: t("article.versions", { n: versions.length }) }),
    el("ol", {}, ...versions.map((v) => el("li", { "data-version": String(v.version) },
      el("span", {}, `${t("article.version")} ${v.version}`),
      el("span", { class: "meta" }, [formatDate(v.received_at), v.source, v.title,
                                     t("article.chars", { n: v.chars }),
                                     v.text_sha256 ? `sha256 ${v.text_sha256.slice(0, 12)}` : ""].filter(Boolean).join(" · "))))));
}

// -- the live feed --------------------------------------------------------------------------------
const live = { items: [], status: "connecting" };

function connectLive() {
  const source = new EventSource("/v1/mentions/stream");
  source.addEventListener("status", (event) => {
    setLiveStatus(JSON.parse(event.data).connected ? "on" : "brokerDown");
  });
  source.addEventListener("reform.mention", (event) => {
    setLiveStatus("on");
    addMention(JSON.parse(event.data).data);
  });
  source.addEventListener("error", () => setLiveStatus("off"));  // EventSource reconnects by itself
}

function setLiveStatus(status) {
  live.status = status;
  const node = $("#live-status");
  node.className = `status ${status === "on" ? "on" : status === "connecting" ? "" : "off"}`;
  node.textContent = t(`live.${status}`);
}

function addMention(mention) {
  let item = live.items.find((i) => i.article_id === mention.article_id);
  if (!item) {
    freshArticles += 1;
    item = { article_id: mention.article_id, title: mention.title, provinces: mention.provinces,
             provinces_2025: mention.provinces_2025, topics: [], metrics: [], at: new Date(), fresh: true };
    live.items.unshift(item);
    live.items.length = Math.min(live.items.length, LIVE_MAX);
  } else {
    live.items.splice(live.items.indexOf(item), 1);
    live.items.unshift(item);
  }
  if (mention.kind === "topic" && mention.topic && !item.topics.includes(mention.topic)) item.topics.push(mention.topic);
  if (mention.kind === "metric" && mention.metric) item.metrics.push(mention.metric);
  renderLiveList();
  renderFreshness();
}

function renderLiveList() {
  setLiveStatus(live.status);
  const list = $("#live-list");
  if (!live.items.length) {
    list.replaceChildren(el("li", { class: "note", text: t("live.empty") }));
    return;
  }
  list.replaceChildren(...live.items.map((item) => {
    const node = el("li", { class: `live-item${item.fresh ? " new" : ""}`, "data-article": item.article_id },
      el("time", { datetime: item.at.toISOString(), text: item.at.toLocaleTimeString(locale()) }),
      stateLink({ article: item.article_id, metric: "", raw: false }, item.title || t("hits.untitled"), { lang: "vi" }),
      item.provinces.length ? el("div", { class: "meta", text: provinceText(item.provinces, item.provinces_2025) }) : null,
      item.topics.length ? el("div", { class: "tags" }, ...item.topics.map((id) => topicTag(id))) : null,
      ...item.metrics.slice(0, 4).map((m) => el("div", { class: "metric", lang: "vi", text: metricText(m) })));
    item.fresh = false;
    return node;
  }));
}

// -- alert subscriptions (the query API passes these on to the alerts service) --------------------
const KEY_STORE = "provnews.alertsKey";
let alertsKey = "";
let subscriptions = [];

function alertsMessage(text, kind = "", extra = null) {
  const node = $("#alerts-message");
  node.className = `message ${kind}`;
  node.replaceChildren(text, ...(extra ? [extra] : []));
}

function alertsError(error) {
  // The alerts service says "unauthorized" to a key it cannot check at all: it has none configured.
  if (error.status === 401 && error.body?.error === "unauthorized") return t("alerts.noKeys");
  if (error.status === 401) return t("alerts.unauthorized");
  if (error.status === 502) return t("alerts.unavailable");
  return t("alerts.error", { e: error.message });
}

async function alertsCall(path, options = {}) {
  return getJson(path, { ...options, headers: { accept: "application/json", authorization: `Bearer ${alertsKey}`,
                                                ...(options.body ? { "content-type": "application/json" } : {}) } });
}

async function loadSubscriptions({ quiet = false } = {}) {
  if (!alertsKey) { alertsMessage(t("alerts.needKey"), "error"); return; }
  if (!quiet) alertsMessage(t("alerts.loading"));
  try {
    subscriptions = (await alertsCall("/v1/subscriptions")).subscriptions;
    renderSubscriptions();
    if (!quiet) alertsMessage(subscriptions.length ? t("alerts.loaded", { n: subscriptions.length }) : t("alerts.none"));
  } catch (error) {
    subscriptions = [];
    renderSubscriptions();
    alertsMessage(alertsError(error), "error");
  }
}

function filterSummary(filter) {
  const parts = [];
  if (filter.topics?.length) parts.push(filter.topics.map(topicLabel).join(", "));
  if (filter.provinces?.length) parts.push(filter.provinces.join(", "));
  if (filter.persons?.length) parts.push(filter.persons.join(", "));
  if (filter.documents?.length) parts.push(filter.documents.join(", "));
  if (filter.keywords?.length) parts.push(filter.keywords.map((k) => `“${k}”`).join(", "));
  if (filter.metric) parts.push(`${filter.metric.unit_contains || ""} ≥ ${filter.metric.min_value ?? ""}`.trim());
  return parts.join(" · ");
}

function renderSubscriptions() {
  $("#subscriptions").replaceChildren(...subscriptions.map((sub) => {
    const remove = el("button", { type: "button", "data-id": sub.id, text: t("alerts.delete"),
                                  "aria-label": `${t("alerts.delete")}: ${sub.name}` });
    remove.addEventListener("click", async () => {
      if (remove.dataset.confirm !== "1") {
        remove.dataset.confirm = "1";
        remove.textContent = t("alerts.confirm");
        return;
      }
      try {
        await alertsCall(`/v1/subscriptions/${encodeURIComponent(sub.id)}`, { method: "DELETE" });
        await loadSubscriptions({ quiet: true });
        alertsMessage(t("alerts.deleted", { name: sub.name }), "ok");
      } catch (error) { alertsMessage(alertsError(error), "error"); }
    });
    return el("li", { "data-id": sub.id },
      el("div", {},
        el("div", { class: "sub-name", text: sub.name }),
        el("div", { class: "sub-detail", text: `${t("alerts.filter")}: ${filterSummary(sub.filter)}` }),
        el("div", { class: "sub-detail", text: `${sub.mode === "digest" ? t("alerts.modeDigest") : t("alerts.modeInstant")} → ${sub.webhook_url}` })),
      remove);
  }));
}

function renderTopicChecks() {
  const root = $("#sub-topics");
  const checked = new Set([...root.querySelectorAll("input:checked")].map((i) => i.value));
  root.replaceChildren(...Object.keys(TOPICS).map((id) => el("label", { class: "check" },
    el("input", { type: "checkbox", name: "topics", value: id, checked: checked.has(id) }), topicLabel(id))));
}

const splitList = (text) => text.split(/[,;]/).map((s) => s.trim()).filter(Boolean);

function setupAlerts() {
  try { alertsKey = localStorage.getItem(KEY_STORE) || ""; } catch { alertsKey = ""; }
  $("#api-key").value = alertsKey;
  $("#remember-key").checked = Boolean(alertsKey);
  $("#key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    alertsKey = $("#api-key").value.trim();
    try {
      if ($("#remember-key").checked) localStorage.setItem(KEY_STORE, alertsKey); else localStorage.removeItem(KEY_STORE);
    } catch { /* private mode: keep it in memory only */ }
    loadSubscriptions();
  });
  $("#use-filter").addEventListener("click", () => {
    for (const box of document.querySelectorAll("#sub-topics input")) box.checked = state.filters.topic.includes(box.value);
    $("#sub-provinces").value = state.filters.province.join(", ");
    $("#sub-keywords").value = state.q;
    if (!$("#sub-name").value) {
      $("#sub-name").value = [state.q, ...state.filters.topic.map(topicLabel), ...state.filters.province].filter(Boolean).join(" · ").slice(0, 200);
    }
  });
  $("#subscription-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    alertsKey = $("#api-key").value.trim() || alertsKey;
    if (!alertsKey) { alertsMessage(t("alerts.needKey"), "error"); $("#api-key").focus(); return; }
    const form = event.target;
    const body = {
      name: form.elements.name.value.trim(),
      webhook_url: form.elements.webhook_url.value.trim(),
      mode: form.elements.mode.value,
      filter: {
        topics: [...form.querySelectorAll("#sub-topics input:checked")].map((i) => i.value),
        provinces: splitList(form.elements.provinces.value),
        keywords: splitList(form.elements.keywords.value),
      },
    };
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const created = await alertsCall("/v1/subscriptions", { method: "POST", body: JSON.stringify(body) });
      await loadSubscriptions({ quiet: true });
      alertsMessage(t("alerts.created", { name: created.name }), "ok", el("code", { class: "secret", text: created.secret }));
      form.reset();
    } catch (error) {
      alertsMessage(alertsError(error), "error");
    } finally {
      submit.disabled = false;
    }
  });
}

// -- wiring ---------------------------------------------------------------------------------------
function setup() {
  $("#search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    change({ q: $("#q").value.trim(), page: 1, mpage: 1, article: "", metric: "", raw: false });
  });
  $("#dates-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const from = $("#from").value, to = $("#to").value;
    change({ from, to, page: 1, mpage: 1 });
  });
  for (const button of document.querySelectorAll("[data-split]")) {
    button.addEventListener("click", () => change({ split: button.dataset.split }, { push: false }));
  }
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.addEventListener("click", () => change({ tab: button.dataset.tab }, { push: false }));
    button.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        const step = event.key === "ArrowRight" ? 1 : TABS.length - 1;
        const tab = TABS[(TABS.indexOf(state.tab) + step) % TABS.length];
        change({ tab }, { push: false });
        $(`#tab-${tab}`).focus();
      }
    });
  }
  $("#lang-toggle").addEventListener("click", () => {
    const lang = state.lang === "vi" ? "en" : "vi";
    try { localStorage.setItem("provnews.lang", lang); } catch { /* not kept */ }
    change({ lang }, { push: false });
  });
  $("#home-link").addEventListener("click", (event) => {
    event.preventDefault();
    change({ ...DEFAULTS, lang: state.lang, filters: Object.fromEntries(FILTERS.map((k) => [k, []])) });
  });
  $("#filters-toggle").addEventListener("click", () => {
    const open = $("#facets").classList.toggle("open");
    $("#filters-toggle").setAttribute("aria-expanded", String(open));
    $("#filters-toggle").textContent = t(open ? "filters.hide" : "filters.show");
  });
  document.addEventListener("keydown", (event) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName || "");
    if (event.key === "/" && !typing) { event.preventDefault(); $("#q").focus(); $("#q").select(); }
    if (event.key === "Escape" && state.article && !typing) change({ article: "", metric: "", raw: false });
  });
  setupAlerts();
  connectLive();
  render();
}

setup();
