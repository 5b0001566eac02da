// Ask before an irreversible act: a submit button (or its form) carrying data-confirm="…"
// submits only once the person confirms. Without JavaScript the form submits as before.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    const button = event.submitter;
    const question = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);
})();
