// The phone app: camera → frame → recognition → result, with corrections
// sent as feedback. Opened from a desktop's QR code (?session=&t=) it
// claims the session and sends each photo there instead; the desktop
// follows along over SSE.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const session = params.get("session");
  const token = params.get("t");
  const paired = !!(session && token);
  const video = $("video"), canvas = $("frame"), status = $("status");
  const api = (path) => "/api/scan-sessions/" + encodeURIComponent(session) + path +
    (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/scan-pwa/sw.js", { scope: "/scan-pwa" }).catch(() => {});
  }
  async function call(url, opts) {
    const r = await fetch(url, Object.assign({ credentials: "include" }, opts || {}));
    const body = await r.json().catch(() => ({}));
    if (!r.ok) {
      const e = new Error(typeof body.detail === "string" ? body.detail : r.statusText);
      e.status = r.status;
      throw e;
    }
    return body;
  }

  function deviceName() {
    const ua = navigator.userAgent;
    const m = ua.match(/\(([^;)]+)/);
    return (m ? m[1] : "Phone").slice(0, 100);
  }

  async function claim() {
    $("session-info").hidden = false;
    try {
      const r = await call(api("/claim"), {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ device_name: deviceName() }),
      });
      $("code").textContent = r.confirmation_code;
    } catch (e) {
      if (e.status !== 409) throw e; // 409: claimed already (this page reloaded)
      const s = await call(api(""));
      $("code").textContent = s.confirmation_code;
    }
    $("session-state").textContent = "connected";
    $("complete").hidden = false;
  }

  async function startCamera() {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false,
    });
    video.srcObject = stream;
    await video.play();
    status.textContent = "Point the camera at a card and press Scan.";
    $("capture").disabled = false;
  }

  function grab() {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    return new Promise((ok) => canvas.toBlob(ok, "image/jpeg", 0.92));
  }

  let lastScanID = "";
  function show(rec) {
    $("result").hidden = false;
    const top = rec && rec.candidates && rec.candidates[0];
    lastScanID = (rec && rec.scan_id) || "";
    $("result-name").textContent = top ? top.name : (rec && rec.error ? "Not recognised" : "No match");
    $("result-set").textContent = top ? top.set_name : "";
    $("result-confidence").textContent = top ? top.confidence : "";
    $("result-confidence").dataset.confidence = top ? top.confidence : "none";
    $("result-score").textContent = top ? Math.round(top.score * 100) + "%" : "";
    const list = $("candidates");
    list.replaceChildren();
    for (const c of (rec && rec.candidates) || []) {
      const b = document.createElement("button");
      b.textContent = c.name + " · " + c.set_name + " (" + c.confidence + ")";
      b.dataset.cardId = c.card_id;
      b.addEventListener("click", () => feedback(c.card_id));
      const li = document.createElement("li");
      li.append(b);
      list.append(li);
    }
  }

  async function feedback(cardID) {
    const out = $("feedback-status");
    if (paired) {
      out.textContent = "Corrections are made on the desktop's review screen.";
      return;
    }
    try {
      await call("/api/cards/recognize/feedback", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ scan_id: lastScanID, card_id: cardID }),
      });
      out.textContent = "Thanks — correction saved.";
    } catch (e) {
      out.textContent = "Correction not saved: " + e.message;
    }
  }

  async function scan() {
    $("capture").disabled = true;
    status.textContent = "Recognising…";
    try {
      const blob = await grab();
      const fd = new FormData();
      fd.append("image", blob, "frame.jpg");
      let rec;
      if (paired) {
        const up = await call(api("/upload-photo"), { method: "POST", body: fd });
        const res = await call(api("/results"), {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ cards: [{ card_index: up.card_index, captured_at: new Date().toISOString(), image_url: up.image_url }] }),
        });
        rec = res.cards[0] && res.cards[0].recognition;
      } else {
        rec = await call("/api/cards/recognize", { method: "POST", body: fd });
      }
      show(rec);
      status.textContent = rec ? "Done. Scan the next card." : "Still recognising — see the desktop.";
    } catch (e) {
      status.textContent = "Scan failed: " + e.message;
    } finally {
      $("capture").disabled = false;
    }
  }

  async function complete() {
    try {
      const r = await call(api("/complete"), { method: "POST" });
      status.textContent = "Session complete: " + r.count + " card(s). Review them on your desktop.";
      $("capture").disabled = true;
      $("complete").hidden = true;
      $("session-state").textContent = "completed";
    } catch (e) {
      status.textContent = "Could not complete: " + e.message;
    }
  }

  $("capture").addEventListener("click", scan);
  $("complete").addEventListener("click", complete);
  (async () => {
    try {
      if (paired) await claim();
      await startCamera();
    } catch (e) {
      status.textContent = (e.name === "NotAllowedError" ? "Camera permission denied." : "Could not start: " + e.message);
    }
  })();
})();
