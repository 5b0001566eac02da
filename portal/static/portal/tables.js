// At a phone's width a list table is read row by row (site.css stacks its cells): each cell
// carries its column's heading as data-label, shown before it. Wider screens ignore the labels.
(function () {
  "use strict";
  function label(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      const head = table.rows[0];
      if (!head || !head.querySelector("th")) return;
      const names = [];
      for (const cell of head.cells) for (let i = 0; i < cell.colSpan; i++) names.push(cell.textContent.trim());
      for (const row of Array.from(table.rows).slice(1)) {
        let column = 0;
        for (const cell of row.cells) {
          if (names[column] && cell.colSpan === 1) cell.dataset.label = names[column];
          column += cell.colSpan;
        }
      }
    });
  }
  label(document);
  // Lists refreshed in place (filters, pages, live updates) come back without labels.
  document.addEventListener("htmx:afterSettle", function () { label(document); });
})();
