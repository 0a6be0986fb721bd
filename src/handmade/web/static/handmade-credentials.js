// <handmade-credentials>: a card that says what an image's verified Content Credentials back, for press sites.
//
//   <script src="https://SERVICE/static/handmade-credentials.js" defer></script>
//   <img src="/photos/harbour.jpg" alt="…">
//   <handmade-credentials src="/photos/harbour.jpg"></handmade-credentials>
//   <handmade-credentials sha256="9f86d081…"></handmade-credentials>
//
// With src, the image's bytes are fetched (same origin, or an image host that permits CORS) and sent to the
// service's POST /v1/verify?label=1; with sha256, the service's GET /v1/badge/<sha256>.json gives the latest
// decision it recorded. The card is in the page's language (the element's or the page's lang: en or fr).
// The service is the origin this script came from, or the element's service="https://…" attribute; it must
// list the page's origin with `handmade serve --cors-origin`.
//
// Security: the card is built with createElement and textContent only (never innerHTML), styled through the
// CSSOM (element.style), so it works under a strict Content-Security-Policy (no inline script or style); it
// never renders SVG, HTML or icons taken from a manifest (C2PA 2.1 §4.3.3.1): every word is the service's.
"use strict";

(() => {
  const SCRIPT = document.currentScript && document.currentScript.src;
  const DEFAULT_SERVICE = SCRIPT ? new URL(SCRIPT).origin : window.location.origin;
  const WORDS = {
    en: { checking: "Checking Content Credentials…", failed: "Content Credentials could not be checked",
          title: "Content Credentials" },
    fr: { checking: "Vérification des Content Credentials…", failed: "Les Content Credentials n'ont pas pu être vérifiés",
          title: "Content Credentials" },
  };
  // The same colours as the labels handmade draws on images: one for human-made, one for every AI kind.
  const ACCENT = { handmade: "rgb(0, 122, 61)", generative: "rgb(196, 52, 0)", ai_assisted: "rgb(196, 52, 0)",
                   possibly_generative: "rgb(196, 52, 0)", none: "rgb(110, 110, 110)", unknown: "rgb(110, 110, 110)",
                   error: "rgb(110, 110, 110)" };
  const KINDS = new Set(Object.keys(ACCENT));
  const SHA256 = /^[0-9a-f]{64}$/;

  function pageLang(el) {
    const holder = el.closest("[lang]");
    const tag = (el.getAttribute("lang") || (holder && holder.getAttribute("lang")) ||
                 document.documentElement.lang || navigator.language || "en").toLowerCase();
    return tag.startsWith("fr") ? "fr" : "en";
  }

  function text(tag, value, style) {
    const node = document.createElement(tag);
    node.textContent = value == null ? "" : String(value);
    Object.assign(node.style, style || {});
    return node;
  }

  class HandmadeCredentials extends HTMLElement {
    static get observedAttributes() { return ["src", "sha256", "lang", "service"]; }

    constructor() {
      super();
      this._root = this.attachShadow({ mode: "open" });
      this._run = 0;
    }

    connectedCallback() { this._refresh(); }

    attributeChangedCallback() { if (this.isConnected) this._refresh(); }

    async _refresh() {
      const run = ++this._run;
      const lang = pageLang(this);
      const service = (this.getAttribute("service") || DEFAULT_SERVICE).replace(/\/+$/, "");
      this._show({ kind: "unknown", headline: WORDS[lang].checking, subline: null }, lang, "checking");
      let card;
      try {
        card = await this._ask(service, lang);
      } catch (err) {
        card = { kind: "error", headline: WORDS[lang].failed, subline: String((err && err.message) || err).slice(0, 200) };
      }
      if (run === this._run) this._show(card, lang, "done");
    }

    async _ask(service, lang) {
      const sha = (this.getAttribute("sha256") || "").trim().toLowerCase();
      const src = this.getAttribute("src");
      if (sha) {
        if (!SHA256.test(sha)) throw new Error("sha256: 64 hexadecimal digits expected");
        const answer = await fetch(`${service}/v1/badge/${sha}.json?lang=${lang}`, { credentials: "omit" });
        const doc = await answer.json();
        if (!doc || !KINDS.has(doc.kind)) throw new Error(`HTTP ${answer.status}`);
        return { kind: doc.kind, headline: doc.headline, subline: doc.subline, verdict: null };
      }
      if (!src) throw new Error("give src or sha256");
      const image = await fetch(new URL(src, document.baseURI).href);
      if (!image.ok) throw new Error(`${src}: HTTP ${image.status}`);
      const bytes = await image.blob();
      const name = new URL(src, document.baseURI).pathname.split("/").pop() || "image";
      const answer = await fetch(`${service}/v1/verify?label=1&lang=${lang}&name=${encodeURIComponent(name)}`, {
        method: "POST", body: bytes, credentials: "omit", headers: { "Content-Type": "application/octet-stream" },
      });
      const doc = await answer.json();
      if (!answer.ok || !doc.results || !doc.results[0] || !doc.results[0].label) {
        throw new Error((doc && doc.error && doc.error.code) || `HTTP ${answer.status}`);
      }
      const result = doc.results[0];
      if (!KINDS.has(result.label.kind)) throw new Error("unexpected answer");
      return { kind: result.label.kind, headline: result.label.headline, subline: result.label.subline,
               verdict: result.verdict };
    }

    _show(card, lang, phase) {
      this.setAttribute("data-kind", card.kind);
      this.setAttribute("data-phase", phase);
      const box = document.createElement("div");
      box.setAttribute("part", "card");
      box.setAttribute("role", "note");
      box.setAttribute("lang", lang);
      Object.assign(box.style, {
        display: "inline-block", boxSizing: "border-box", maxWidth: "100%", padding: "6px 12px 6px 10px",
        borderRadius: "6px", borderLeft: `5px solid ${ACCENT[card.kind] || ACCENT.unknown}`,
        background: "rgb(17, 17, 17)", color: "rgb(250, 250, 250)", font: "14px/1.35 Lato, 'Helvetica Neue', Arial, sans-serif",
      });
      box.append(text("div", WORDS[lang].title, { fontSize: "10px", letterSpacing: "0.06em", opacity: "0.8",
                                                  textTransform: "uppercase" }));
      const head = text("strong", card.headline, { display: "block", fontWeight: "600" });
      head.className = "headline";
      box.append(head);
      if (card.subline) {
        const sub = text("div", card.subline, { fontSize: "12px" });
        sub.className = "subline";
        box.append(sub);
      }
      if (card.verdict) {
        const verdict = text("div", card.verdict, { fontSize: "12px", opacity: "0.85", marginTop: "2px" });
        verdict.className = "verdict";
        box.append(verdict);
      }
      this._root.replaceChildren(box);
    }
  }

  if (!customElements.get("handmade-credentials")) customElements.define("handmade-credentials", HandmadeCredentials);
})();
