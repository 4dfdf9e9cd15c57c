// Desktop page: create a scan session, show its QR code and confirmation
// code, and follow the phone live over SSE.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const log = (line) => { $("events").textContent += line + "\n"; };
  const cards = new Map();
  function card(i) {
    if (!cards.has(i)) {
      const li = document.createElement("li");
      li.dataset.index = i;
      const img = document.createElement("img");
      img.alt = "card " + i;
      const p = document.createElement("p");
      p.className = "rec";
      p.textContent = "recognising…";
      li.append(img, p);
      $("cards").append(li);
      cards.set(i, li);
      $("count").textContent = cards.size;
    }
    return cards.get(i);
  }
  function describe(rec) {
    if (!rec) return "recognising…";
    if (rec.error) return "not recognised (" + (rec.error.detail || rec.error.code) + ")";
    const c = rec.candidates && rec.candidates[0];
    return c ? c.name + " · " + c.set_name + " · " + c.confidence + " (" + Math.round(c.score * 100) + "%)" : "no match";
  }
  (async () => {
    const r = await fetch("/api/scan-sessions", { method: "POST", credentials: "include" });
    if (!r.ok) {
      $("state").textContent = "Could not create a session (" + r.status + ").";
      return;
    }
    const s = await r.json();
    // a QR code that fails to load (a dropped connection) is fetched again,
    // a few times, before the page points at the link instead
    let qrTries = 0;
    $("qr").addEventListener("error", () => {
      if (++qrTries > 3) {
        $("state").textContent = "The QR code did not load: open the link below on your phone.";
        return;
      }
      setTimeout(() => { $("qr").src = s.qr_url; }, 300 * qrTries);
    });
    $("qr").src = s.qr_url;
    $("code").textContent = s.confirmation_code;
    $("deeplink").href = s.deeplink;
    $("state").textContent = "Waiting for your phone…";
    document.body.dataset.session = s.session_id;
    const es = new EventSource("/api/scan-sessions/" + s.session_id + "/sse", { withCredentials: true });
    es.addEventListener("claimed", (e) => {
      const d = JSON.parse(e.data);
      log("claimed");
      $("state").textContent = "Connected: " + d.device_name;
    });
    es.addEventListener("photo", (e) => {
      const d = JSON.parse(e.data);
      log("photo " + d.card_index);
      card(d.card_index).querySelector("img").src = d.image_url;
    });
    es.addEventListener("result", (e) => {
      const d = JSON.parse(e.data);
      log("result " + d.card_index);
      const li = card(d.card_index);
      li.querySelector(".rec").textContent = describe(d.recognition);
      li.dataset.status = d.status || "done";
    });
    es.addEventListener("completed", (e) => {
      const d = JSON.parse(e.data);
      log("completed " + d.count);
      es.close();
      $("state").textContent = "Finished: " + d.count + " card(s).";
      const a = $("review-link");
      a.href = "/scan-sessions/" + s.session_id + "/review";
      a.hidden = false;
    });
    es.addEventListener("expired", () => {
      log("expired");
      es.close();
      $("state").textContent = "The session expired. Reload to start a new one.";
    });
  })();
})();
