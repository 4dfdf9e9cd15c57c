// Forgot-password form: POST /auth/password/forgot (one answer whether or
// not the address has an account).
"use strict";
const form = document.getElementById("forgot");
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const err = document.getElementById("forgot-error");
  const done = document.getElementById("forgot-done");
  err.hidden = true;
  const r = await fetch("/auth/password/forgot", {
    method: "POST", credentials: "include", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: form.email.value }),
  });
  const body = await r.json().catch(() => ({}));
  if (r.ok) {
    done.textContent = body.message || "Check your mailbox.";
    done.hidden = false;
    return;
  }
  err.textContent = typeof body.detail === "string" ? body.detail : "Request failed";
  err.hidden = false;
});
