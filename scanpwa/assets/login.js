// Sign-in form: POST /auth/login, then go to ?next= (a local path).
"use strict";
const form = document.getElementById("login");
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const err = document.getElementById("login-error");
  err.hidden = true;
  const r = await fetch("/auth/login", {
    method: "POST", credentials: "include", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: form.username.value, password: form.password.value }),
  });
  if (r.ok) {
    location.assign(form.dataset.next || "/scan-pwa");
    return;
  }
  const body = await r.json().catch(() => ({}));
  err.textContent = typeof body.detail === "string" ? body.detail : "Sign-in failed";
  err.hidden = false;
});
