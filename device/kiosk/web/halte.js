// halte stop screen: follow changes live (server-sent events) and speak
// without reloading. Without JavaScript the page refreshes itself.
(function () {
  "use strict";
  var live = document.getElementById("live");
  var lang = document.documentElement.lang;
  if (window.EventSource && live) {
    var events = new EventSource("/events?lang=" + encodeURIComponent(lang));
    events.addEventListener("change", function () {
      fetch("/content?lang=" + encodeURIComponent(lang))
        .then(function (r) { return r.text(); })
        .then(function (html) { live.innerHTML = html; });
    });
  }
  var form = document.getElementById("speak");
  if (form && window.fetch) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      fetch(form.action, { method: "POST" });
    });
  }
})();
