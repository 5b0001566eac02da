// Live notifications: one socket per page, catch-up after every (re)connect, partial refreshes.
// Pages work without it; it only adds the badge, the toasts and the refreshes.
(function () {
  const body = document.body;
  const user = body.dataset.user;
  if (!user || !("WebSocket" in window)) return;
  const english = body.dataset.lang === "en";
  const key = "xcert.lastNotification." + user;
  let last = Math.max(parseInt(localStorage.getItem(key) || "0", 10), 0);
  if (!localStorage.getItem(key)) last = parseInt(body.dataset.lastNotification || "0", 10);
  let retry = 500;
  const pending = new Map();

  function badge(count) {
    const el = document.getElementById("inbox-badge");
    if (!el) return;
    el.dataset.count = String(count);
    el.textContent = String(count);
    el.classList.toggle("bad", count > 0);
  }

  function toast(message) {
    const box = document.getElementById("toasts");
    const item = document.createElement("div");
    item.className = "toast";
    item.dataset.event = message.event;
    const link = document.createElement("a");
    link.href = message.link || "/notifications/";
    link.textContent = english ? message.title_en : message.title_zh;
    item.appendChild(link);
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 10000);
  }

  // Re-fetch the page and swap in each element that shows the changed object ("*" = any).
  function refresh(object) {
    document.querySelectorAll("[data-live]").forEach(function (el) {
      const watches = el.dataset.live;
      if (!el.id || (watches !== "*" && watches !== object)) return;
      clearTimeout(pending.get(el.id));
      pending.set(el.id, setTimeout(function () {
        // Each element is its own request source: htmx queues requests per source element, and
        // with one shared source it would drop all but the first and the last of a burst.
        htmx.ajax("GET", window.location.href,
          { source: el, target: "#" + el.id, select: "#" + el.id, swap: "outerHTML" })
          .then(function () {
            const fresh = document.getElementById(el.id);
            if (fresh) fresh.classList.add("flash");
          });
      }, 150));
    });
  }

  function onNotification(message, replayed) {
    if (message.id <= last) return;
    last = message.id;
    localStorage.setItem(key, String(last));
    if (!replayed) {
      const el = document.getElementById("inbox-badge");
      badge(parseInt((el && el.dataset.count) || "0", 10) + 1);
      toast(message);
    }
    refresh(message.object);
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + window.location.host + "/ws/notifications/");
    socket.onopen = function () {
      retry = 500;
      body.dataset.live = "connected";
      socket.send(JSON.stringify({ type: "since", after: last }));
    };
    socket.onmessage = function (event) {
      const message = JSON.parse(event.data);
      if (message.type === "notifications") {
        message.items.forEach(function (item) { onNotification(item, message.replayed); });
      }
      else if (message.type === "changed") refresh(message.object);
      else if (message.type === "caught_up") {
        badge(message.unread);
        if (message.last > last) { last = message.last; localStorage.setItem(key, String(last)); }
      }
    };
    socket.onclose = function () {
      body.dataset.live = "reconnecting";
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();
