// Reset-password form: POST /auth/password/reset with the link's token.
"use strict";
const form = document.getElementById("reset");
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const err = document.getElementById("reset-error");
  err.hidden = true;
  const r = await fetch("/auth/password/reset", {
    method: "POST", credentials: "include", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: form.dataset.token, new_password: form.new_password.value }),
  });
  const body = await r.json().catch(() => ({}));
  if (r.ok) {
    document.getElementById("reset-done").hidden = false;
    return;
  }
  err.textContent = typeof body.detail === "string" ? body.detail : "Reset failed";
  err.hidden = false;
});
