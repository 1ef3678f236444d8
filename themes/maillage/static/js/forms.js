/* Maillage forms, enhanced. Every form works without this file (plain HTML
   posts answered by a redirect); with it, forms are checked and sent in
   place, errors are tied to their fields, and result pages read the details
   the function put in their address (query and fragment). */
(function () {
  "use strict";

  var strings = {};
  var stringsNode = document.getElementById("maillage-strings");
  if (stringsNode) {
    try { strings = JSON.parse(stringsNode.textContent); } catch (e) { strings = {}; }
  }
  function t(key) { return strings[key] || key; }

  var ID = /^[a-z0-9][a-z0-9-]{0,127}$/;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  /* ---- Errors tied to fields ------------------------------------------ */

  function controls(form, name) {
    return Array.prototype.filter.call(form.elements, function (c) { return c.name === name && c.type !== "hidden"; });
  }

  function clearErrors(form) {
    form.querySelectorAll(".field-error[data-generated]").forEach(function (n) { n.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (c) {
      c.removeAttribute("aria-invalid");
      var ids = (c.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && !/-erreur$/.test(id); });
      if (ids.length) c.setAttribute("aria-describedby", ids.join(" ")); else c.removeAttribute("aria-describedby");
    });
    var summary = form.querySelector(".error-summary");
    if (summary) { summary.hidden = true; summary.querySelector("ul").textContent = ""; }
  }

  /* errors: [{name, message}]; general: a message tied to no field. */
  function showErrors(form, errors, general) {
    clearErrors(form);
    var summary = form.querySelector(".error-summary");
    var list = summary.querySelector("ul");
    if (general) list.appendChild(el("li", {}, general));
    errors.forEach(function (error) {
      var found = controls(form, error.name);
      var li = el("li");
      if (!found.length) {
        li.textContent = error.message;
        list.appendChild(li);
        return;
      }
      var first = found[0];
      var group = first.type === "radio" ? first.closest("fieldset") : null;
      var target = group || first;
      var errorId = (target.id || form.id + "-" + error.name) + "-erreur";
      var message = el("span", { "class": "field-error", id: errorId, "data-generated": "" }, error.message);
      if (group) {
        var legendHint = group.querySelector(".hint");
        (legendHint || group.querySelector("legend")).after(message);
      } else if (first.type === "checkbox") {
        first.closest(".choice").before(message);
      } else {
        first.before(message);
      }
      found.concat(group ? [group] : []).forEach(function (c) {
        c.setAttribute("aria-invalid", "true");
        var ids = (c.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        ids.push(errorId);
        c.setAttribute("aria-describedby", ids.join(" "));
      });
      var link = el("a", { href: "#" + first.id }, error.message);
      link.addEventListener("click", function (event) {
        event.preventDefault();
        first.focus();
        target.scrollIntoView({ block: "center" });
      });
      li.appendChild(link);
      list.appendChild(li);
    });
    summary.hidden = false;
    summary.focus();
  }

  /* The browser's own checks, with our words: required fields and emails. */
  function checkFields(form) {
    var errors = [];
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (c) {
      if (!c.name || seen[c.name] || c.type === "hidden" || !c.willValidate) return;
      var missing = c.validity.valueMissing || (c.required && c.type !== "checkbox" && c.type !== "radio" && !c.value.trim());
      var message = null;
      if (missing) message = c.getAttribute("data-error-missing") || t("error_missing");
      else if (c.validity.typeMismatch || c.validity.badInput || c.validity.rangeUnderflow || c.validity.rangeOverflow || c.validity.stepMismatch) {
        message = c.getAttribute("data-error-invalid") || t("error_invalid");
      }
      if (message) { seen[c.name] = true; errors.push({ name: c.name, message: message }); }
    });
    return errors;
  }

  /* ---- Sending ---------------------------------------------------------- */

  function send(form, onSuccess) {
    var button = form.querySelector("button[type=submit]");
    var label = button ? button.textContent : "";
    var errors = checkFields(form);
    if (errors.length) { showErrors(form, errors); return; }
    if (button) { button.disabled = true; button.textContent = button.getAttribute("data-sending") || t("sending"); }
    var body = new URLSearchParams(new FormData(form));
    fetch(form.action, {
      method: "POST",
      headers: { "Accept": "application/json" },
      body: body,
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    }).then(function (answer) {
      if (answer.ok) {
        clearErrors(form);
        onSuccess(answer.data);
        return;
      }
      var error = answer.data && answer.data.error ? answer.data.error : {};
      var fields = error.fields || {};
      var list = Object.keys(fields).map(function (name) { return { name: name, message: fields[name] }; });
      var general = error.message || t("error_server");
      showErrors(form, list, list.length && !error.message ? null : general);
    }).catch(function () {
      showErrors(form, [], t("network_error"));
    }).then(function () {
      if (button) { button.disabled = false; button.textContent = label; }
    });
  }

  function meetupPath(id) {
    return strings.meetups_path + id + "/";
  }

  function cancelUrl(api, token) {
    return api.replace(/\/$/, "") + "/registrations/cancel?jeton=" + encodeURIComponent(token);
  }

  /* ---- Registration (meetup page) ------------------------------------- */

  /* The seats figure as the macro `seats` writes it, from the function's
     figures after the registration (the page itself is rebuilt later). */
  function seatsText(left, capacity, waiting) {
    if (left > 0) return left + " " + t(left === 1 ? "seat_left_one" : "seats_left_many") + " " + t("out_of") + " " + capacity;
    var text = t("full");
    if (waiting > 0) text += " · " + waiting + " " + t(waiting === 1 ? "person_waiting_one" : "person_waiting_many");
    return text;
  }

  function showFigures(data) {
    if (typeof data.seats_left !== "number" || typeof data.waiting !== "number") return;
    document.querySelectorAll("[data-seats]").forEach(function (node) {
      node.textContent = seatsText(data.seats_left, Number(node.getAttribute("data-capacity")), data.waiting);
    });
  }

  function registrationDone(form, data) {
    var box = document.getElementById(form.id + "-resultat");
    var waiting = data.status === "waiting";
    box.textContent = "";
    box.className = "form-result outcome" + (waiting ? " outcome--waiting" : "");
    var title = el("h3", { "class": "outcome__title", tabindex: "-1" }, waiting ? t("registered_waiting") : t("registered"));
    box.appendChild(title);
    if (waiting && data.position) box.appendChild(el("p", {}, t("waiting_rank") + " " + data.position + "."));
    if (data.message) box.appendChild(el("p", {}, data.message));
    var href = data.cancel_url;
    if (href && /^(https?:\/\/|\/)/.test(href)) {
      var p = el("p", {}, t("cancel_intro") + " ");
      p.appendChild(el("a", { href: href, "class": "cancel-link" }, t("cancel_link")));
      box.appendChild(p);
      box.appendChild(el("p", { "class": "hint" }, t("cancel_keep")));
    }
    showFigures(data);
    box.hidden = false;
    form.hidden = true;
    title.focus();
  }

  /* ---- Report (organiser's secret link) ------------------------------- */

  /* The private link's fragment fills the form, never over what was typed;
     a link opened later in the same tab (`replace`) is what the person
     chose now, and replaces it. */
  function fillFromFragment(form, replace) {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    var meetup = params.get("rencontre");
    var key = params.get("cle");
    var region = params.get("region");
    var set = function (name, value) {
      var field = form.elements[name];
      if (value && field && (replace || !field.value)) field.value = value;
    };
    if (region && ID.test(region)) set("region", region);
    if (meetup && ID.test(meetup)) set("meetup", meetup);
    set("key", key);
    var note = document.getElementById(form.id + "-lien");
    if (note && meetup && key && ID.test(meetup)) {
      note.textContent = t("report_link_read") + " ";
      note.appendChild(el("a", { href: meetupPath(meetup) }, meetup));
      note.hidden = false;
    }
  }

  /* From the organiser's link, the report starts with the meetup's
     intentions (its public page lists them), one line each to complete;
     never over what the organiser already typed. */
  function prefillIntentions(form) {
    var meetup = form.elements.meetup.value;
    var outcome = form.elements.outcome;
    if (!outcome || !ID.test(meetup)) return;
    fetch(meetupPath(meetup), { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (html) {
      if (!html || outcome.value.trim()) return;
      var page = new DOMParser().parseFromString(html, "text/html");
      var lines = Array.prototype.map.call(page.querySelectorAll("[data-intentions] li"), function (li) {
        return "- " + li.textContent.trim() + " : ";
      });
      if (lines.length) outcome.value = lines.join("\n");
    }).catch(function () { /* the form works without it */ });
  }

  function reportDone(form) {
    var meetup = form.elements.meetup.value;
    var target = form.getAttribute("data-success") + "?rencontre=" + encodeURIComponent(meetup);
    location.assign(target);
  }

  /* ---- Organiser's page: the registrant list and who came ------------- */

  function attestationLink(href) {
    return href && /^(https?:\/\/|\/)/.test(href) ? el("a", { href: href }, t("attendance_link")) : null;
  }

  function showRegistrants(form, data) {
    var people = data.registrants || [];
    var count = function (status) { return people.filter(function (r) { return r.status === status; }).length; };
    document.getElementById("inscrits-titre-rencontre").textContent = data.title || "";
    document.getElementById("inscrits-confirmes").textContent = String(count("confirmed"));
    document.getElementById("inscrits-attente").textContent = String(count("waiting"));
    document.getElementById("inscrits-places").textContent = String(data.capacity);
    var body = document.querySelector("#inscrits-table tbody");
    body.textContent = "";
    people.forEach(function (r, n) {
      var row = el("tr");
      var mark = el("td");
      var box = el("input", { type: "checkbox", name: "present", value: r.email, id: "present-" + n });
      box.checked = Boolean(r.attestation);
      var label = el("label", { "for": "present-" + n });
      label.appendChild(el("span", { "class": "visually-hidden" }, r.name + " " + t("attendance_came")));
      mark.appendChild(box);
      mark.appendChild(label);
      row.appendChild(mark);
      var status = t("status_" + r.status) + (r.position ? " (" + r.position + ")" : "");
      [r.name, r.email, t("role_" + r.role), r.structure || "", r.need || "", status].forEach(function (value) {
        row.appendChild(el("td", {}, value));
      });
      var link = el("td");
      var a = attestationLink(r.attestation);
      if (a) link.appendChild(a);
      row.appendChild(link);
      body.appendChild(row);
    });
    document.getElementById("inscrits-table").hidden = people.length === 0;
    document.getElementById("inscrits-aucun").hidden = people.length > 0;
    var report = document.getElementById("inscrits-bilan");
    report.href = form.getAttribute("data-report") + "#rencontre=" + encodeURIComponent(form.elements.meetup.value) +
      "&cle=" + encodeURIComponent(form.elements.key.value);
    var attendance = document.getElementById("presences");
    if (attendance) {
      attendance.elements.meetup.value = form.elements.meetup.value;
      attendance.elements.key.value = form.elements.key.value;
      attendance.elements.organiser.value = data.organiser ? data.organiser.name : "";
      var own = document.getElementById("presences-organisateur-lien");
      own.textContent = "";
      var ownLink = data.organiser && attestationLink(data.organiser.attestation);
      if (ownLink) {
        own.appendChild(document.createTextNode(t("attendance_organiser_link") + " "));
        own.appendChild(ownLink);
      }
      own.hidden = !ownLink;
    }
    var message = document.getElementById("message");
    if (message) {
      message.elements.meetup.value = form.elements.meetup.value;
      message.elements.key.value = form.elements.key.value;
      if (!message.elements.request.value) message.elements.request.value = requestToken();
    }
    var box = document.getElementById("inscrits");
    box.hidden = false;
  }

  /* Names one sending of the message form: sent again after a lost answer,
     the same token makes the function send nothing twice. */
  function requestToken() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function messageSent(form, data) {
    showRegistrants(document.getElementById("organisation"), data);
    // The next message is another sending.
    form.elements.request.value = requestToken();
    form.elements.text.value = "";
    Array.prototype.forEach.call(form.elements.kind, function (c) { c.checked = false; });
    var result = document.getElementById("message-resultat");
    result.textContent = "";
    result.appendChild(el("p", { tabindex: "-1" }, data.message || t("message_sent")));
    result.hidden = false;
    result.firstChild.focus();
  }

  function attendanceSaved(data) {
    showRegistrants(document.getElementById("organisation"), data);
    var result = document.getElementById("presences-resultat");
    result.textContent = "";
    result.appendChild(el("p", { tabindex: "-1" }, data.message || t("attendance_saved")));
    result.hidden = false;
    result.firstChild.focus();
  }

  /* ---- Coordinator's page: the region's view --------------------------- */

  function meetupLink(m) {
    return /^(https?:\/\/|\/)/.test(m.url || "") ? el("a", { href: m.url }, m.title) : el("span", {}, m.title);
  }

  function listItem(m, details) {
    var li = el("li");
    li.appendChild(meetupLink(m));
    li.appendChild(document.createTextNode(" (" + m.when + ")" + (details ? " : " + details : "")));
    return li;
  }

  function showRegion(data) {
    var meetups = data.meetups || [];
    var of = function (stage) { return meetups.filter(function (m) { return m.stage === stage; }); };
    var totals = data.totals || {};
    document.getElementById("region-vue-titre").textContent = data.name || "";
    [["upcoming", totals.upcoming], ["seats", totals.seats_taken + " / " + totals.seats], ["waiting", totals.waiting],
      ["held", totals.held], ["reported", totals.reported], ["unreported", totals.unreported],
      ["present", totals.present], ["attendance", totals.attendance_reported]].forEach(function (pair) {
      document.getElementById("region-total-" + pair[0]).textContent = String(pair[1]);
    });
    var upcoming = of("upcoming");
    var body = document.querySelector("#region-a-venir tbody");
    body.textContent = "";
    upcoming.forEach(function (m) {
      var row = el("tr");
      var first = el("td");
      first.appendChild(meetupLink(m));
      row.appendChild(first);
      [m.when, m.confirmed + " / " + m.capacity, m.fill_rate === null ? "" : m.fill_rate + " %", String(m.waiting)].forEach(function (value) {
        row.appendChild(el("td", {}, value));
      });
      body.appendChild(row);
    });
    document.getElementById("region-a-venir").hidden = upcoming.length === 0;
    document.getElementById("region-a-venir-aucune").hidden = upcoming.length > 0;
    var unreported = of("unreported");
    var list = document.getElementById("region-sans-bilan");
    list.textContent = "";
    unreported.forEach(function (m) {
      list.appendChild(listItem(m, m.confirmed + " " + t("coordination_confirmed_count") + ", " + m.present + " " + t("coordination_present_count")));
    });
    document.getElementById("region-sans-bilan-aucune").hidden = unreported.length > 0;
    var reported = of("reported");
    var reports = document.getElementById("region-bilans");
    reports.textContent = "";
    reported.forEach(function (m) {
      var title = el("h4");
      title.appendChild(meetupLink(m));
      reports.appendChild(title);
      var figures = m.when + " · " + m.present + " " + t("coordination_present_count");
      if (m.report.attendance !== null && m.report.attendance !== undefined) figures += " · " + m.report.attendance + " " + t("coordination_attendance_count");
      reports.appendChild(el("p", {}, figures));
      var parts = el("dl");
      [["outcome", m.report.outcome], ["went_well", m.report.went_well], ["problems", m.report.problems],
        ["improvements", m.report.improvements], ["sheets", m.report.sheets], ["private_notes", m.private_notes]].forEach(function (pair) {
        if (!pair[1]) return;
        parts.appendChild(el("dt", {}, t("coordination_" + pair[0])));
        parts.appendChild(el("dd", { "class": "report-text" }, pair[1]));
      });
      reports.appendChild(parts);
    });
    document.getElementById("region-bilans-aucun").hidden = reported.length > 0;
    var cancelled = of("cancelled");
    var gone = document.getElementById("region-annulees");
    gone.textContent = "";
    cancelled.forEach(function (m) { gone.appendChild(listItem(m)); });
    document.getElementById("region-annulees-bloc").hidden = cancelled.length === 0;
    showProposals(data);
    var notice = document.getElementById("region-message");
    notice.textContent = data.message || "";
    notice.hidden = !data.message;
    document.getElementById("region-vue").hidden = false;
  }

  /* The proposals: each pending one with its decision form, posted with the
     region and the key the page holds (never in a URL). */
  function showProposals(data) {
    var box = document.getElementById("region-propositions");
    var template = document.getElementById("region-decision-modele");
    if (!box || !template) return;
    box.textContent = "";
    var coordination = document.getElementById("coordination");
    var pending = (data.proposals || []).filter(function (p) { return p.status === "pending"; });
    pending.forEach(function (p, n) {
      var item = el("article", { "class": "proposal", "aria-labelledby": "proposition-" + n });
      item.appendChild(el("h4", { id: "proposition-" + n }, p.title));
      var details = el("dl");
      var place = p.place.id ? (data.places.filter(function (x) { return x.id === p.place.id; })[0] || { name: p.place.id }).name
        : t("proposal_new_place_label") + " " + p.place.name + ", " + p.place.town + " (" + p.place.department + ")";
      [["proposal_by", p.name + " (" + p.email + ")"], ["proposal_belongs_label", p.belongs], ["proposal_place_label", place],
        ["proposal_when_label", p.when], ["proposal_capacity_label", String(p.capacity)],
        ["proposal_intentions_label", (p.intentions || []).join(" ; ")]].forEach(function (pair) {
        details.appendChild(el("dt", {}, t(pair[0])));
        details.appendChild(el("dd", {}, pair[1]));
      });
      item.appendChild(details);
      var form = template.content.firstElementChild.cloneNode(true);
      form.id = "decision-" + n;
      form.querySelectorAll("[id]").forEach(function (node) { node.id = node.id + "-" + n; });
      form.querySelectorAll("label[for]").forEach(function (node) { node.setAttribute("for", node.getAttribute("for") + "-" + n); });
      form.elements.region.value = coordination.elements.region.value;
      form.elements.key.value = coordination.elements.key.value;
      form.elements.proposal.value = p.id;
      form.elements.request.value = requestToken();
      form.elements.title.value = p.title;
      form.elements.start.value = p.start;
      form.elements.end.value = p.end;
      form.elements.capacity.value = String(p.capacity);
      var select = form.elements.place;
      select.appendChild(el("option", { value: "" }, ""));
      data.places.forEach(function (x) {
        var option = el("option", { value: x.id }, x.name);
        if (p.place.id === x.id) option.selected = true;
        select.appendChild(option);
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var choice = form.elements.decision;
        choice.value = event.submitter ? event.submitter.value : "accept";
        send(form, function (answer) {
          showRegion(answer);
          document.getElementById("region-message").focus();
        });
      });
      item.appendChild(form);
      box.appendChild(item);
    });
    document.getElementById("region-propositions-aucune").hidden = pending.length > 0;
    var decided = document.getElementById("region-propositions-traitees");
    decided.textContent = "";
    (data.proposals || []).filter(function (p) { return p.status !== "pending"; }).forEach(function (p) {
      decided.appendChild(el("li", {}, p.title + " (" + p.name + ") : " +
        (p.status === "accepted" ? t("proposal_accepted") + " (" + p.meetup + ")" : t("proposal_declined"))));
    });
  }

  function proposalSent(form, data) {
    var box = document.getElementById(form.id + "-resultat");
    box.textContent = "";
    var title = el("h2", { "class": "outcome__title", tabindex: "-1" }, t("proposal_sent"));
    box.appendChild(title);
    box.appendChild(el("p", {}, data.message || ""));
    box.hidden = false;
    form.hidden = true;
    title.focus();
  }

  /* ---- Attestation check (public page) --------------------------------- */

  function showVerified(form, data) {
    var box = document.getElementById(form.id + "-resultat");
    box.textContent = "";
    box.className = "form-result outcome";
    var title = el("h2", { "class": "outcome__title", tabindex: "-1" }, t("verify_valid"));
    box.appendChild(title);
    box.appendChild(el("p", {}, t("verify_valid_intro") + " " + data.network + "."));
    var list = el("dl");
    [["verify_name", data.name], ["verify_meetup", data.meetup], ["verify_date", data.date],
      ["verify_role", data.role], ["verify_network", data.network]].forEach(function (pair) {
      list.appendChild(el("dt", {}, t(pair[0])));
      list.appendChild(el("dd", {}, pair[1]));
    });
    box.appendChild(list);
    box.hidden = false;
    title.focus();
  }

  /* ---- Result pages (registration, waiting list, cancellation, report) -- */

  function showOutcome(box) {
    var query = new URLSearchParams(location.search);
    var fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
    var meetup = query.get("rencontre");
    var rank = query.get("rang");
    var token = fragment.get("jeton");
    var api = box.getAttribute("data-api") || "/api";
    var shown = false;
    if (rank && /^[1-9][0-9]{0,5}$/.test(rank)) {
      box.appendChild(el("p", { "class": "outcome__title" }, t("waiting_rank") + " " + rank + "."));
      shown = true;
    }
    if (meetup && ID.test(meetup)) {
      var p = el("p");
      p.appendChild(el("a", { href: meetupPath(meetup) }, t("back_to_meetup")));
      box.appendChild(p);
      shown = true;
    }
    if (token && /^[A-Za-z0-9._~-]{8,256}$/.test(token)) {
      var c = el("p", {}, t("cancel_intro") + " ");
      c.appendChild(el("a", { href: cancelUrl(api, token), "class": "cancel-link" }, t("cancel_link")));
      box.appendChild(c);
      box.appendChild(el("p", { "class": "hint" }, t("cancel_keep")));
      shown = true;
    }
    box.hidden = !shown;
  }

  /* ---- Wiring ---------------------------------------------------------- */

  document.querySelectorAll("form[data-form]").forEach(function (form) {
    var kind = form.getAttribute("data-form");
    form.noValidate = true;
    if (kind === "report" || kind === "registrants" || kind === "coordination") {
      fillFromFragment(form, false);
      // Another private link opened in this tab changes only the fragment.
      window.addEventListener("hashchange", function () {
        fillFromFragment(form, true);
        if (opensAtOnce()) send(form, done);
      });
    }
    // Names this sending: the form sent twice makes one proposal.
    if (kind === "proposal" && !form.elements.request.value) form.elements.request.value = requestToken();
    if (kind === "report") prefillIntentions(form);
    var done = function (data) {
      if (kind === "registration") registrationDone(form, data);
      else if (kind === "report") reportDone(form, data);
      else if (kind === "registrants") {
        showRegistrants(form, data);
        document.getElementById("inscrits-titre").focus();
      }
      else if (kind === "coordination") {
        showRegion(data);
        document.getElementById("region-vue-titre").focus();
      }
      else if (kind === "proposal") proposalSent(form, data);
      else if (kind === "attendance") attendanceSaved(data);
      else if (kind === "message") messageSent(form, data);
      else if (kind === "verification") showVerified(form, data);
    };
    form.addEventListener("submit", function (event) {
      // The CSV button posts the form as it is: the browser saves the file.
      if (event.submitter && event.submitter.name === "format") return;
      event.preventDefault();
      var previous = document.getElementById(form.id + "-resultat");
      if (kind === "verification" && previous) previous.hidden = true;
      send(form, done);
    });
    // The private pages open their view as soon as the link gave the key.
    function opensAtOnce() {
      var what = kind === "registrants" ? form.elements.meetup : kind === "coordination" ? form.elements.region : null;
      return Boolean(what && what.value && form.elements.key.value);
    }
    if (opensAtOnce()) send(form, done);
  });

  document.querySelectorAll("[data-outcome]").forEach(showOutcome);
})();
