/*!
 * csm-realtime.js — browser helper for the Collector Stash Market real-time
 * API (/ws/v1 and /api/v1/stream).
 *
 *   const rt = CSMRealtime.connect({ apiKey: "csm_..." }); // omit apiKey for cookie auth
 *   rt.subscribe("card:267", (frame) => updateTicker(frame.data));
 *   rt.on("notification", (frame) => showBell(frame.data));
 *
 * It reconnects with exponential backoff and full jitter (1 s → 30 s),
 * re-sends every subscription after a reconnect, answers the server's ping
 * frames with pong, and stops reconnecting after a fatal close (4401 api_key
 * required, 4403 tier too low) or rt.close().
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.CSMRealtime = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var FATAL = { 4401: "api_key required", 4403: "tier too low" };

  function defaultURL(opts) {
    var loc = typeof location !== "undefined" ? location : { protocol: "https:", host: "collectorstashmarket.com" };
    var scheme = loc.protocol === "http:" ? "ws:" : "wss:";
    var base = opts.baseURL || scheme + "//" + loc.host;
    // a key means the developer stream; the web app's cookie uses /ws/v1
    var path = opts.path || (opts.apiKey ? "/api/v1/stream" : "/ws/v1");
    var url = base.replace(/\/$/, "") + path;
    if (opts.apiKey) url += (url.indexOf("?") < 0 ? "?" : "&") + "api_key=" + encodeURIComponent(opts.apiKey);
    return url;
  }

  function connect(opts) {
    opts = opts || {};
    var url = opts.url || defaultURL(opts);
    var WS = opts.WebSocket || (typeof WebSocket !== "undefined" ? WebSocket : null);
    if (!WS) throw new Error("CSMRealtime: no WebSocket implementation");
    var minDelay = opts.minBackoffMs || 1000, maxDelay = opts.maxBackoffMs || 30000;
    var topics = {};     // topic → [callback]
    var handlers = {};   // frame type → [callback]
    var ws = null, attempt = 0, timer = null, closed = false;

    function emit(type, frame) {
      (handlers[type] || []).slice().forEach(function (fn) { try { fn(frame); } catch (e) { setTimeout(function () { throw e; }); } });
    }
    function send(obj) {
      if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; }
      return false;
    }
    function backoff() {
      // full jitter: a random delay in [0, min(cap, base·2^attempt)], at least minDelay/2
      var ceil = Math.min(maxDelay, minDelay * Math.pow(2, attempt++));
      return Math.max(minDelay / 2, Math.random() * ceil);
    }
    function open() {
      timer = null;
      ws = new WS(url);
      ws.onopen = function () {
        emit("open", {});
      };
      ws.onmessage = function (ev) {
        var f;
        try { f = JSON.parse(ev.data); } catch (e) { return; }
        if (f.type === "ping") { send({ type: "pong" }); }
        if (f.type === "welcome") {
          attempt = 0; // a healthy connection resets the backoff
          var list = Object.keys(topics);
          // the server takes at most 50 topics per connection
          for (var i = 0; i < list.length; i += 50) send({ type: "subscribe", topics: list.slice(i, i + 50) });
        }
        if (f.topic && topics[f.topic] && f.type !== "subscribed" && f.type !== "unsubscribed" && f.type !== "error") {
          topics[f.topic].slice().forEach(function (fn) { try { fn(f); } catch (e) { setTimeout(function () { throw e; }); } });
        }
        emit(f.type, f);
        emit("frame", f);
      };
      ws.onclose = function (ev) {
        ws = null;
        emit("close", { code: ev.code, reason: ev.reason });
        if (closed) return;
        if (FATAL[ev.code]) { emit("fatal", { code: ev.code, reason: ev.reason || FATAL[ev.code] }); return; }
        var delay = backoff();
        emit("reconnecting", { delay: delay, attempt: attempt });
        timer = setTimeout(open, delay);
      };
      ws.onerror = function () { /* onclose follows */ };
    }

    var api = {
      /** subscribe(topic, cb?) — joins topic; cb gets each frame of it. */
      subscribe: function (topic, cb) {
        var first = !topics[topic];
        topics[topic] = topics[topic] || [];
        if (cb) topics[topic].push(cb);
        if (first) send({ type: "subscribe", topic: topic });
        return api;
      },
      /** unsubscribe(topic) — leaves topic and forgets its callbacks. */
      unsubscribe: function (topic) {
        if (topics[topic]) { delete topics[topic]; send({ type: "unsubscribe", topic: topic }); }
        return api;
      },
      /** on(type, cb) — every frame of type ("price_update", "notification", …,
       *  or "open", "close", "reconnecting", "fatal", "frame"). */
      on: function (type, cb) { (handlers[type] = handlers[type] || []).push(cb); return api; },
      off: function (type, cb) { handlers[type] = (handlers[type] || []).filter(function (f) { return f !== cb; }); return api; },
      /** send(obj) — a raw client message; false when not connected. */
      send: send,
      topics: function () { return Object.keys(topics); },
      close: function () {
        closed = true;
        if (timer) clearTimeout(timer);
        if (ws) ws.close(1000, "bye");
      }
    };
    open();
    return api;
  }

  return { connect: connect, version: "1.0.0" };
});
