/* The site's search, with no server: the index the generator writes
   (search_index.<lang>.json, a list of {url, title, description, body}) is
   fetched once, on this page only, and searched in the browser. A page
   matches when every word typed begins a word of its title, description or
   text; accents and case are ignored ("medi" finds "Médiathèque"). Titles
   weigh most. The FAQ's questions, which the page lists itself, join the
   index's pages. Without this file the form reloads the page, whose list of
   the site's main pages stays the way in. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-search-index]");
  if (!form || !window.fetch || !String.prototype.normalize) return;
  var input = form.querySelector("input[type=search]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var LIMIT = 50;
  var documents = null;
  var loading = null;

  /* Lower case, no accents, ligatures spelt out, anything but letters and
     digits turned into a space: the form both sides are compared in. */
  function fold(text) {
    return (" " + (text || "") + " ")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/œ/g, "oe")
      .replace(/æ/g, "ae")
      .replace(/[^a-z0-9]+/g, " ");
  }

  function load() {
    if (!loading) {
      loading = fetch(form.getAttribute("data-search-index"))
        .then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        })
        .then(function (items) {
          var questions = document.getElementById("search-questions");
          if (questions) items = items.concat(JSON.parse(questions.textContent));
          documents = items.map(function (d) {
            return {
              url: d.url,
              title: d.title || d.url,
              description: d.description || "",
              excerpt: d.description || (d.body || "").slice(0, 180),
              title_words: fold(d.title),
              other_words: fold(d.description) + fold(d.body)
            };
          });
        });
    }
    return loading;
  }

  function score(d, words) {
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var w = " " + words[i];
      if (d.title_words.indexOf(w) >= 0) total += 10;
      else if (d.other_words.indexOf(w) >= 0) total += 1;
      else return 0;
    }
    return total;
  }

  function say(key, n, q) {
    return form.getAttribute("data-" + key).replace("{n}", n).replace("{q}", q);
  }

  function item(d) {
    var li = document.createElement("li");
    li.className = "card";
    var title = document.createElement("p");
    title.className = "card__title";
    var a = document.createElement("a");
    a.href = d.url;
    a.textContent = d.title;
    title.appendChild(a);
    li.appendChild(title);
    if (d.excerpt) {
      var p = document.createElement("p");
      p.textContent = d.excerpt.length >= 180 ? d.excerpt + "…" : d.excerpt;
      li.appendChild(p);
    }
    return li;
  }

  function show(query) {
    var q = query.trim();
    var words = fold(q).split(" ").filter(Boolean);
    list.textContent = "";
    if (!words.length) {
      list.hidden = true;
      status.textContent = "";
      return;
    }
    var found = documents
      .map(function (d) { return { d: d, s: score(d, words) }; })
      .filter(function (r) { return r.s > 0; })
      .sort(function (a, b) { return b.s - a.s || a.d.title.localeCompare(b.d.title, "fr"); });
    found.slice(0, LIMIT).forEach(function (r) { list.appendChild(item(r.d)); });
    list.hidden = found.length === 0;
    var text = say(found.length === 0 ? "none" : found.length === 1 ? "one" : "many", found.length, q);
    if (found.length > LIMIT) text += " " + say("shown", LIMIT, q);
    status.textContent = text;
  }

  function search() {
    var q = input.value;
    load().then(function () {
      // Only the latest query shows: an earlier one may resolve later.
      if (input.value === q) show(q);
    }, function () {
      status.textContent = form.getAttribute("data-failed");
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  input.addEventListener("focus", load);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    window.history.replaceState(null, "", url);
    search();
  });

  // A search sent from another page, or this one's address shared.
  var asked = new URLSearchParams(window.location.search).get("q");
  if (asked) {
    input.value = asked;
    search();
  }
})();
