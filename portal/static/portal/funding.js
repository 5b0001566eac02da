// The release form's running total: the typed shares against the amount due, and what remains,
// while typing. Only a help: the server checks the split again on submit and refuses with the rule.
(function () {
  "use strict";

  // Yuan as integer fen, or null when the text is not an amount with at most two decimals.
  function fen(text) {
    const clean = String(text).trim();
    if (clean === "") return 0;
    // The server's grammar (workflows/money.py): commas only between groups of three, so "1,50" is no amount.
    const match = /^([1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?$/.exec(clean);
    if (!match) return null;
    return parseInt(match[1].replace(/,/g, ""), 10) * 100 + parseInt((match[2] || "0").padEnd(2, "0"), 10);
  }

  // ¥1,234.50, as the server's yuan filter writes it.
  function yuan(amountFen) {
    const whole = Math.floor(amountFen / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return "¥" + whole + "." + String(amountFen % 100).padStart(2, "0");
  }

  // The state of the split: "exact", "short" or "over" by how much, or "invalid".
  function balance(dueFen, typed) {
    let total = 0;
    for (const text of typed) {
      const value = fen(text);
      if (value === null) return { state: "invalid", total: null, remainder: null };
      total += value;
    }
    const remainder = dueFen - total;
    const state = remainder === 0 ? "exact" : remainder > 0 ? "short" : "over";
    return { state: state, total: total, remainder: Math.abs(remainder) };
  }

  function update(form) {
    const inputs = Array.from(form.querySelectorAll("[data-funding-amount]"));
    const result = balance(fen(form.dataset.due), inputs.map(function (input) { return input.value; }));
    inputs.forEach(function (input) { input.setAttribute("aria-invalid", String(fen(input.value) === null)); });
    const total = form.querySelector("[data-funding-total]");
    if (total) total.textContent = result.total === null ? "—" : yuan(result.total);
    const message = form.querySelector("[data-funding-balance]");
    if (!message) return;
    message.dataset.state = result.state;
    message.className = "funding-" + result.state;
    message.textContent = (message.dataset[result.state] || "").replace("{amount}", yuan(result.remainder || 0));
  }

  if (typeof module !== "undefined") module.exports = { fen: fen, yuan: yuan, balance: balance };
  if (typeof document === "undefined") return;
  document.querySelectorAll("form[data-funding]").forEach(function (form) {
    form.addEventListener("input", function () { update(form); });
    update(form);
  });
})();
