// Review screen: the session's cards with confidence; pick another
// candidate (edit) or discard, then save: each kept card is confirmed to
// the recogniser as feedback; "create listings" turns the kept cards into
// draft marketplace listings.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const session = $("review").dataset.session;
  let cards = [];
  (async () => {
    const r = await fetch("/api/scan-sessions/" + encodeURIComponent(session), { credentials: "include" });
    if (!r.ok) {
      $("review-state").textContent = r.status === 404 ? "This session no longer exists." : "Could not load the session (" + r.status + ").";
      return;
    }
    const s = await r.json();
    cards = s.results || [];
    $("review-state").textContent = cards.length + " card(s) · session " + s.status;
    for (const c of cards) {
      const rec = c.recognition || {};
      const li = document.createElement("li");
      li.dataset.index = c.card_index;
      if (c.image_url) {
        const img = document.createElement("img");
        img.src = c.image_url;
        img.alt = "card " + c.card_index;
        li.append(img);
      }
      const sel = document.createElement("select");
      sel.className = "pick";
      for (const cand of rec.candidates || []) {
        const o = document.createElement("option");
        o.value = cand.card_id;
        o.textContent = cand.name + " · " + cand.set_name + " · " + cand.confidence + " (" + Math.round(cand.score * 100) + "%)";
        sel.append(o);
      }
      if (!sel.options.length) {
        const o = document.createElement("option");
        o.value = "";
        o.textContent = rec.error ? "not recognised" : "recognising…";
        sel.append(o);
      }
      const discard = document.createElement("button");
      discard.textContent = "Discard";
      discard.className = "discard";
      discard.addEventListener("click", () => { li.dataset.discarded = "1"; li.classList.add("discarded"); });
      li.dataset.scanId = rec.scan_id || "";
      li.append(sel, discard);
      $("review-cards").append(li);
    }
  })();
  $("save").addEventListener("click", async () => {
    let saved = 0, failed = 0;
    for (const li of $("review-cards").children) {
      const id = Number(li.querySelector(".pick").value);
      if (li.dataset.discarded || !id || !li.dataset.scanId) continue;
      const r = await fetch("/api/cards/recognize/feedback", {
        method: "POST", credentials: "include", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ scan_id: li.dataset.scanId, card_id: id }),
      });
      r.ok ? saved++ : failed++;
    }
    $("save-status").textContent = saved + " saved" + (failed ? ", " + failed + " failed" : "");
  });
  // "create listings": the kept cards become draft listings of the seller,
  // priced from the market price, to check and publish on the seller page
  $("create-listings").addEventListener("click", async () => {
    const picked = [];
    for (const li of $("review-cards").children) {
      const id = Number(li.querySelector(".pick").value);
      if (!li.dataset.discarded && id) picked.push({ card_id: id });
    }
    if (!picked.length) {
      $("listings-status").textContent = "No card to list";
      return;
    }
    const r = await fetch("/seller/listings/drafts", {
      method: "POST", credentials: "include", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ scan_session_id: session, cards: picked }),
    });
    const body = await r.json().catch(() => ({}));
    $("listings-status").textContent = r.ok
      ? body.created + " draft listing(s) created"
      : (typeof body.detail === "string" ? body.detail : "Could not create listings (" + r.status + ")");
  });
})();
