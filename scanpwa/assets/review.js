// Review screen: the session's cards with confidence; pick another
// candidate (edit), its variant, or discard, then "save to collection":
// each kept card is confirmed to the recogniser as feedback and the kept
// cards (with their variant) are added to the collection in one
// all-or-nothing batch; "create listings" turns the kept cards into draft
// marketplace listings.
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
      // the variant: the recognised one when the candidate names it, else
      // "any" until the user picks one of the card's catalogue variants
      const variant = document.createElement("select");
      variant.className = "variant";
      let seq = 0;
      const loadVariants = async () => {
        const mine = ++seq;
        variant.replaceChildren(new Option("any variant", ""));
        delete li.dataset.variantsLoaded;
        const id = Number(sel.value);
        if (!id) return;
        const cand = (rec.candidates || []).find((x) => x.card_id === id) || {};
        const r = await fetch("/api/v2/cards/" + id);
        if (!r.ok) return;
        const card = await r.json();
        if (mine !== seq) return; // another pick since
        for (const p of card.printings || []) {
          for (const v of p.variants || []) {
            let name = p.print_run + "_" + v.finish;
            if (v.variant_label && v.variant_label !== "standard") name += "_" + v.variant_label;
            const o = new Option(name.replaceAll("_", " "), name);
            if (cand.variant && cand.variant === name) o.selected = true;
            variant.append(o);
          }
        }
        li.dataset.variantsLoaded = "1";
      };
      sel.addEventListener("change", loadVariants);
      loadVariants();
      li.dataset.scanId = rec.scan_id || "";
      li.append(sel, variant, discard);
      $("review-cards").append(li);
    }
  })();
  // "save to collection": confirm each kept card to the recogniser, then
  // add them all to the collection (nothing is added when one is refused)
  // (the button stays disabled once saved: a second click would add the
  // cards again)
  $("save").addEventListener("click", async () => {
    $("save").disabled = true;
    const items = [];
    let failed = 0;
    for (const li of $("review-cards").children) {
      const id = Number(li.querySelector(".pick").value);
      if (li.dataset.discarded || !id) continue;
      const item = { card_id: id };
      const v = li.querySelector(".variant").value;
      if (v) item.variant = v;
      items.push(item);
      if (!li.dataset.scanId) continue;
      const r = await fetch("/api/cards/recognize/feedback", {
        method: "POST", credentials: "include", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ scan_id: li.dataset.scanId, card_id: id }),
      });
      if (!r.ok) failed++;
    }
    if (!items.length) {
      $("save-status").textContent = "No card to save";
      $("save").disabled = false;
      return;
    }
    const r = await fetch("/collection/add-batch", {
      method: "POST", credentials: "include", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ scan_session_id: session, items }),
    });
    const body = await r.json().catch(() => ({}));
    let msg;
    if (!r.ok) $("save").disabled = false;
    if (r.ok) {
      msg = body.added + " card(s) saved to your collection";
    } else if (Array.isArray(body.detail) && body.detail.length) {
      const d = body.detail[0];
      msg = "Not saved: card " + (Number(d.loc[2]) + 1) + ": " + d.msg;
    } else {
      msg = typeof body.detail === "string" ? body.detail : "Could not save (" + r.status + ")";
    }
    $("save-status").textContent = msg + (failed ? " (" + failed + " confirmation(s) failed)" : "");
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
