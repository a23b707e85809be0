// hotline console: the screen pop. When the phone system reports a call
// ringing for this user (app.js relays the live "call" event, which the
// server sends only to the users whose phones ring), show who is calling
// and their open tickets, with one click to the call-taker pre-filled from
// the call or to attach the call to one of those tickets.
(function () {
  "use strict";
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function show(d) {
    var box = document.getElementById("screen-pop");
    if (!box) {
      box = el("aside", "screen-pop card");
      box.id = "screen-pop";
      box.setAttribute("role", "alertdialog");
      box.setAttribute("aria-labelledby", "screen-pop-h");
      document.body.appendChild(box);
    }
    box.innerHTML = "";
    box.dataset.call = d.call_id;
    var h = el("h2", "", d.labels.Title); h.id = "screen-pop-h"; box.appendChild(h);
    var who = el("p", "pop-who");
    who.appendChild(el("strong", "pop-name", d.name || (d.known ? "" : d.labels.Unknown)));
    who.appendChild(el("span", "pop-number num", " " + d.number));
    box.appendChild(who);
    if (d.queue) box.appendChild(el("p", "muted", d.labels.Queue + ": " + d.queue));
    if (!d.tickets.length) box.appendChild(el("p", "muted pop-none", d.labels.NoTickets));
    var ul = el("ul", "pop-tickets");
    d.tickets.forEach(function (t) {
      var li = el("li"), a = el("a", "tcode", t.code);
      a.href = t.url;
      li.appendChild(a);
      li.appendChild(el("span", "", " " + t.title + " · " + t.state + " "));
      var f = el("form", "inline");
      f.method = "post"; f.action = d.attach_url;
      [["csrf", window.hotline ? window.hotline.csrf : ""], ["ticket", t.id]].forEach(function (kv) {
        var i = el("input"); i.type = "hidden"; i.name = kv[0]; i.value = kv[1]; f.appendChild(i);
      });
      var b = el("button", "pop-attach", d.labels.Attach); b.type = "submit"; f.appendChild(b);
      li.appendChild(f);
      ul.appendChild(li);
    });
    box.appendChild(ul);
    var actions = el("p", "pop-actions");
    var n = el("a", "button primary pop-new", d.labels.New); n.href = d.new_url; actions.appendChild(n);
    var x = el("button", "link pop-close", d.labels.Close); x.type = "button";
    x.addEventListener("click", function () { box.remove(); });
    actions.appendChild(x);
    box.appendChild(actions);
    n.focus();
  }
  document.addEventListener("hotline:call", function (ev) {
    var id = ev.detail && ev.detail.call_id;
    if (!id) return;
    fetch("/console/calls/" + id + "/pop", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) show(d); });
  });
})();
