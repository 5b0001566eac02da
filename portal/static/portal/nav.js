// At a phone's width the navigation is one row that scrolls sideways: bring the current page's link into view.
(function () {
  const current = document.querySelector("header.top nav a.on");
  if (!current) return;
  const nav = current.closest("nav");
  if (nav.scrollWidth <= nav.clientWidth) return;
  const offset = current.getBoundingClientRect().left - nav.getBoundingClientRect().left;
  nav.scrollLeft += offset - (nav.clientWidth - current.offsetWidth) / 2;
})();
