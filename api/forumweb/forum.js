// Forum pages: post a thread or a reply through the JSON API.
"use strict";
async function post(url, body) {
  const res = await fetch(url, { method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const d = data.detail;
    throw new Error(Array.isArray(d) ? d.map(e => e.loc.at(-1) + ": " + e.msg).join("; ") : (d || res.statusText));
  }
  return data;
}
function bind(id, submit) {
  const form = document.getElementById(id);
  if (!form) return;
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const err = document.getElementById("form-error");
    err.textContent = "";
    try { await submit(form); } catch (e) { err.textContent = e.message; }
  });
}
bind("reply", async form => {
  await post("/api/forum/threads/" + form.dataset.thread + "/posts", { body: document.getElementById("reply-body").value });
  const u = new URL(location.href);
  u.searchParams.set("page", "last");
  location.href = u.toString();
});
bind("new-thread", async form => {
  const r = await post("/api/forum/threads", { category: form.dataset.category,
    title: document.getElementById("thread-title").value, body: document.getElementById("thread-body").value });
  location.href = "/forum/t/" + r.thread.id;
});
