// handmade web page: sends each dropped image to /v1/verify and shows a report card.
// Every string that comes from a file's metadata is inserted with textContent, never as HTML.
"use strict";

// Every word comes from the service's message catalog (GET /v1/messages), the one the command line uses:
// the page holds no translation of its own, so a new language is one more column in handmade.messages.
const params = new URLSearchParams(location.search);
const lang = (params.get("lang") || document.documentElement.lang || "en").startsWith("fr") ? "fr" : "en";
const M = {};  // the catalog in this language, by key
const t = {};  // the page's own words ("page.*" keys, without the prefix)
const ready = fetch(`/v1/messages?lang=${lang}`)
  .then((resp) => resp.json())
  .then((doc) => {
    Object.assign(M, doc.messages);
    for (const [key, text] of Object.entries(doc.messages)) if (key.startsWith("page.")) t[key.slice(5)] = text;
  });

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function setup() {
  document.documentElement.lang = lang;
  ready.then(words);
  const drop = document.getElementById("drop");
  const input = document.getElementById("files");
  input.addEventListener("change", () => { checkAll(Array.from(input.files)); input.value = ""; });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault(); drop.classList.remove("over");
    checkAll(Array.from(e.dataTransfer.files));
  });
}

function words() {
  document.getElementById("tagline").textContent = t.tagline;
  document.getElementById("drop-title").textContent = t.dropTitle;
  document.getElementById("drop-help").textContent = t.dropHelp;
  document.getElementById("choose").textContent = t.choose;
  document.getElementById("policy-line").textContent = `${t.policyLine} ${document.documentElement.dataset.policy}`;
  const sw = document.getElementById("lang-switch");
  sw.textContent = t.switchTo;
  sw.href = `?lang=${lang === "fr" ? "en" : "fr"}`;
}

// Only raster pictures are drawn from the file itself. An SVG is a document that can carry scripts: an
// uploaded one is never put in the page (not even as an <img> from this origin, which "open image in a new
// tab" would turn into a page of ours); films, PDFs and the rest show the service's raster preview or nothing.
const DRAWN_HERE = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

// The newest batch goes on top, its cards in the order the files were chosen (once the words are there).
async function checkAll(files) {
  await ready;
  const cards = document.getElementById("cards");
  const first = cards.firstChild;
  for (const f of files) cards.insertBefore(check(f), first);
}

// Makes the card at once and fills it when the API answers.
function check(file) {
  const card = el("article", "card");
  card.dataset.file = file.name;
  const img = el("img");
  img.alt = "";
  if (DRAWN_HERE.has(file.type)) {
    const url = URL.createObjectURL(file);
    img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
    img.addEventListener("error", () => { URL.revokeObjectURL(url); img.classList.add("broken"); }, { once: true });
    img.src = url;
  } else {
    img.classList.add("broken");  // the service's raster preview, if any, replaces it
  }
  const body = el("div", "card-body");
  body.append(el("h2", null, file.name), el("div", "verdict v-PENDING", t.checking));
  card.append(img, body);
  verify(file, card, body);
  return card;
}

async function verify(file, card, body) {
  let doc, ok;
  try {
    const resp = await fetch(`/v1/verify?lang=${lang}&thumbnails=1&name=${encodeURIComponent(file.name)}`, {
      method: "POST", body: file, headers: { "Content-Type": file.type || "application/octet-stream" },
    });
    ok = resp.ok;
    doc = await resp.json();
  } catch (err) {
    ok = false; doc = { error: { code: "network", message: String(err) } };
  }
  body.replaceChildren(el("h2", null, file.name));
  if (!ok) {
    // The error's sentence in the page's language (the catalog's error.<code>), its English detail after it.
    const err = doc.error || {};
    const words = M[`error.${err.code}`];
    body.append(el("div", "verdict v-ERROR", `${t.failed}: ${words ? `${words} (${err.message})` : err.message || ""}`));
    card.dataset.state = "error";
    return;
  }
  render(body, doc.results[0], doc);
  showPreview(card, doc.results[0]);
  card.dataset.state = doc.results[0].state;
  card.dataset.ai = doc.results[0].ai;
}

// TIFF, DNG, HEIC, AVIF, films, SVG, PDF: not drawn from the file; the service sends a raster preview if it has one.
function showPreview(card, r) {
  const img = card.querySelector("img");
  const preview = r.thumbnails && r.thumbnails.preview;
  if (!img || !preview) return;
  const use = () => { img.classList.remove("broken"); img.src = preview; };
  if (img.classList.contains("broken") || (img.complete && img.naturalWidth === 0)) use();
  else img.addEventListener("error", use, { once: true });
}

function render(body, r, doc) {
  body.append(el("div", `verdict v-${r.bottom_line}`, r.verdict));
  // An accepted label that nobody you trust vouches for is never shown in the green of a trusted one.
  const claimed = doc.accepted && r.state !== "trusted" && r.state !== "no_manifest";
  const decision = el("div", `decision ${doc.accepted ? (claimed ? "claimed" : "yes") : "no"}`,
    `${doc.accepted ? t.accepted : t.rejected} (${t.policy}: ${r.policy.policy})`);
  body.append(decision);
  if (!doc.accepted) {
    const ul = el("ul", "findings");
    for (const reason of doc.reasons) {
      ul.append(el("li", "error", reason.message));  // in the page's language (/v1/verify?lang=)
    }
    body.append(ul);
  }
  if (r.signer) {
    const when = r.signer.signed_at ? `, ${t.signedAt} ${r.signer.signed_at.slice(0, 10)}` : "";
    body.append(el("p", "meta", `${t.signer}: ${r.signer.name || "?"} — ${r.signer.issuer || ""}${when}`));
  }
  if (r.authors && r.authors.length) body.append(el("p", "meta", `${t.author}: ${r.authors.join(", ")}`));
  if (r.state !== "no_manifest" && r.state !== "error") body.append(el("p", "meta", r.training_text));
  if (r.recovered_text && r.recovered_text.length) {
    // Registered originals this copy matches: a lead, set apart from the file's own (absent or invalid)
    // credentials, never in the accepted colours. Text only, in the page's language (?lang=).
    const box = el("div", "recovered");
    const lines = r.recovered_text;
    box.append(el("p", "recovered-head", lines[0]));
    const ul = el("ul");
    for (const line of lines.slice(1, -1)) ul.append(el("li", null, line));
    box.append(ul, el("p", "recovered-note", lines[lines.length - 1]));
    body.append(box);
  }
  const tokens = el("code", "tokens", r.summary);
  tokens.title = t.tokens;
  body.append(tokens);
  if (r.lineage && r.lineage.length) {
    const det = el("details"); det.open = r.ai === "generative" || r.ai === "ai_assisted" || r.ai === "possibly_generative";
    det.append(el("summary", null, `${t.history} (${r.lineage.length})`));
    const ol = el("ol", "lineage");
    r.lineage.forEach((s, i) => {
      const li = el("li", s.generative ? "gen" : "");
      li.style.marginLeft = `${Math.min(s.depth, 12) * 1.1}rem`;
      const dst = s.digital_source_type ? s.digital_source_type.split("/").pop() : "";
      const action = (s.action && M[`action.${s.action}`]) || s.action || s.kind;
      const what = s.kind === "ingredient"
        ? `${t.ingredient}${s.relationship ? " (" + s.relationship + ")" : ""}: ${s.title || "—"}`
        : `${action}${dst && !s.generative ? " [" + dst + "]" : ""}${s.software_agent ? " — " + s.software_agent : ""}`;
      li.append(el("span", "num", `${t.step} ${i + 1}`), el("span", "what", what));
      if (s.generative && s.reason) {
        li.append(el("span", "why", s.reason));
      }
      ol.append(li);
    });
    det.append(ol);
    body.append(det);
  }
  const pictures = (r.thumbnails && r.thumbnails.ingredients) || [];
  if (pictures.length) {  // the ingredients' own thumbnails, as their manifests stored them
    const box = el("div", "ingredients");
    box.append(el("span", "meta", `${t.ingredients}:`));
    for (const p of pictures) {
      const fig = el("figure");
      const img = el("img");
      img.src = p.src;
      img.alt = p.title;
      fig.append(img, el("figcaption", null, p.title || "—"));
      box.append(fig);
    }
    body.append(box);
  }
  const notable = (r.findings || []).filter((f) => f.severity !== "info");
  if (notable.length) {
    const det = el("details");
    det.append(el("summary", null, `${t.findings} (${notable.length})`));
    const ul = el("ul", "findings");
    for (const f of notable) ul.append(el("li", f.severity, f.message));
    det.append(ul);
    body.append(det);
  }
  const hints = (r.hints || []).filter((h) => h.signal !== "info");
  if (hints.length) {
    const det = el("details");
    det.append(el("summary", null, `${t.hints} (${hints.length})`));
    const ul = el("ul", "findings");
    for (const h of hints) ul.append(el("li", null, h.message));
    det.append(ul);
    body.append(det);
  }
}

setup();
