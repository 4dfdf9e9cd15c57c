// Sign-up form: POST /auth/register; the route's validation messages are
// shown next to their fields (422 list) or under the form (400 detail).
"use strict";
const form = document.getElementById("signup");
const fields = ["username", "email", "password"];
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const general = document.getElementById("signup-error");
  for (const f of [...fields.map((n) => document.getElementById(n + "-error")), general]) {
    f.hidden = true;
    f.textContent = "";
  }
  const r = await fetch("/auth/register", {
    method: "POST", credentials: "include", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: form.username.value, email: form.email.value, password: form.password.value }),
  });
  if (r.ok) {
    location.assign(form.dataset.next || "/scan-pwa");
    return;
  }
  const body = await r.json().catch(() => ({}));
  if (Array.isArray(body.detail)) {
    for (const d of body.detail) {
      const name = Array.isArray(d.loc) ? d.loc[d.loc.length - 1] : "";
      const el = fields.includes(name) ? document.getElementById(name + "-error") : general;
      el.textContent = el.textContent ? el.textContent + " " + d.msg : d.msg;
      el.hidden = false;
    }
    return;
  }
  general.textContent = typeof body.detail === "string" ? body.detail : "Sign-up failed";
  general.hidden = false;
});
