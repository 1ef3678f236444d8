/* The map page: places from GeoJSON on a Leaflet map, clustered by
   Leaflet.markercluster (chunked loading keeps tens of thousands of points
   smooth), filtered by region, place type and "a meetup to come". The
   national file of places is loaded first; a region's places and meetups are
   loaded when that region is chosen. Under the markers, the outlines of
   regions (and of departments once zoomed in) that the build writes; the
   third-party tiles load only when the visitor asks. Without this script,
   the list under the map gives the same information. */
(function () {
  "use strict";

  var app = document.getElementById("carte-interactive");
  var configNode = document.getElementById("map-config");
  if (!app || !configNode) return;
  if (!window.L || !L.markerClusterGroup || !window.fetch) { app.hidden = true; return; }
  var cfg = JSON.parse(configNode.textContent);
  var s = cfg.strings || {};
  var typeLabels = cfg.type_labels || {};
  var form = document.getElementById("map-filters");
  var status = document.getElementById("map-status");
  var regionSelect = form.elements.region;
  var upcomingBox = form.elements.upcoming;
  var typeBoxes = Array.prototype.slice.call(form.querySelectorAll("input[name=type]"));

  app.hidden = false;
  // On a phone, the list of types would push the map below the fold.
  var typesBox = form.querySelector("details.map-types");
  if (typesBox && window.matchMedia && matchMedia("(max-width: 60rem)").matches) typesBox.open = false;

  var map = L.map("map", {
    center: cfg.center,
    zoom: cfg.zoom,
    maxZoom: cfg.max_zoom,
    zoomControl: false,
    keyboard: true
  });
  L.control.zoom({ zoomInTitle: s.zoom_in, zoomOutTitle: s.zoom_out }).addTo(map);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');

  /* ---- Basemap: the site's own outlines; tiles only on request ---------- */

  // Regions are drawn at once (filled: land on the sea's colour), the
  // departments from zoom 7, as when a region is framed. Both come from the
  // site: no third-party request.
  var DEPARTMENTS_ZOOM = 7;
  var regionsLayer = null;
  var departmentsLayer = null;
  var departmentsLoading = null;
  var tiles = null;

  function outlineStyle(kind) {
    return function () {
      return {
        className: "map-outline map-outline--" + kind,
        interactive: false,
        color: kind === "region" ? "#6f6a5f" : "#a39e92",
        weight: kind === "region" ? 1.2 : 0.7,
        fill: kind === "region",
        fillColor: "#fbfaf6",
        fillOpacity: tiles ? 0 : 1
      };
    };
  }

  function outlines(url, kind, attribution) {
    return getJSON(url).then(function (data) {
      return L.geoJSON(data, { style: outlineStyle(kind), attribution: attribution });
    });
  }

  // Without it, the markers still show, and the list too.
  var regionsReady = !cfg.region_outlines_url ? Promise.resolve() :
    outlines(cfg.region_outlines_url, "region", cfg.outlines_attribution).then(function (layer) {
      regionsLayer = layer.addTo(map);
      regionsLayer.bringToBack();
    }).catch(function () {});

  function regionOutline(code) {
    var found = null;
    if (regionsLayer) regionsLayer.eachLayer(function (l) { if (l.feature.properties.region === code) found = l; });
    return found;
  }

  function showDepartments() {
    if (!cfg.department_outlines_url) return;
    var wanted = map.getZoom() >= DEPARTMENTS_ZOOM;
    if (wanted && !departmentsLayer && !departmentsLoading) {
      departmentsLoading = outlines(cfg.department_outlines_url, "department").then(function (layer) {
        departmentsLayer = layer;
        showDepartments();
      }).catch(function () { departmentsLoading = null; });
    }
    if (!departmentsLayer) return;
    if (wanted && !map.hasLayer(departmentsLayer)) departmentsLayer.addTo(map);
    if (!wanted && map.hasLayer(departmentsLayer)) map.removeLayer(departmentsLayer);
  }
  map.on("zoomend", showDepartments);

  // Tiles come from a third party: off until the visitor turns them on.
  var tilesBox = document.getElementById("map-tiles");
  if (tilesBox && cfg.tiles_url) {
    tilesBox.checked = false;
    tilesBox.addEventListener("change", function () {
      if (tilesBox.checked) {
        tiles = L.tileLayer(cfg.tiles_url, { attribution: cfg.attribution, maxZoom: cfg.max_zoom }).addTo(map);
      } else if (tiles) {
        map.removeLayer(tiles);
        tiles = null;
      }
      // The land's fill would hide the tiles.
      if (regionsLayer) regionsLayer.setStyle(outlineStyle("region")());
    });
  }

  var cluster = L.markerClusterGroup({
    chunkedLoading: true,
    showCoverageOnHover: false,
    maxClusterRadius: 50,
    iconCreateFunction: function (group) {
      var n = group.getChildCount();
      var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
      return L.divIcon({
        html: "<div><span>" + n + '<span class="visually-hidden"> ' + s.cluster + "</span></span></div>",
        className: "marker-cluster marker-cluster-" + size,
        iconSize: L.point(40, 40)
      });
    }
  });
  map.addLayer(cluster);

  var icons = {
    place: L.divIcon({ className: "map-marker", iconSize: [24, 24] }),
    upcoming: L.divIcon({ className: "map-marker map-marker--upcoming", iconSize: [24, 24] })
  };

  // Popups are built from text nodes only: names come from data files.
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  var meetupsByPlace = {};

  function popup(props) {
    var box = el("div", { "class": "map-popup" });
    var title = el("h3");
    title.appendChild(el("a", { href: props.url }, props.name));
    box.appendChild(title);
    // Labels come once with the page, not in every feature.
    box.appendChild(el("p", {}, (typeLabels[props.type] || props.type) + " · " + props.commune));
    var meetups = meetupsByPlace[props.id];
    if (meetups && meetups.length) {
      box.appendChild(el("p", {}, s.upcoming + "\u202f:"));
      var list = el("ul");
      meetups.slice(0, 4).forEach(function (m) {
        var li = el("li");
        li.appendChild(el("a", { href: m.url }, m.date_label));
        li.appendChild(document.createTextNode(" · " + m.title));
        list.appendChild(li);
      });
      box.appendChild(list);
    } else if (props.next_meetup_url) {
      var p = el("p", {}, s.upcoming + "\u202f: ");
      p.appendChild(el("a", { href: props.next_meetup_url }, props.next_meetup_label || props.next_meetup));
      box.appendChild(p);
    } else {
      box.appendChild(el("p", {}, s.no_upcoming));
    }
    return box;
  }

  function markerOf(feature) {
    if (!feature._marker) {
      var c = feature.geometry.coordinates;
      var props = feature.properties;
      var m = L.marker([c[1], c[0]], {
        icon: props.has_upcoming ? icons.upcoming : icons.place,
        title: props.name,
        keyboard: true
      });
      m.bindPopup(function () { return popup(props); });
      feature._marker = m;
    }
    return feature._marker;
  }

  /* ---- Data: national places first, a region's files on demand --------- */

  var national = null;
  var regions = {};

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/geo+json, application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }

  function loadRegion(code) {
    if (!regions[code]) {
      var info = cfg.regions.filter(function (r) { return r.code === code; })[0];
      if (!info) return Promise.reject(new Error("unknown region " + code));
      regions[code] = Promise.all([getJSON(info.places_url), getJSON(info.meetups_url)]).then(function (both) {
        both[1].features.forEach(function (f) {
          var id = f.properties.place_id;
          (meetupsByPlace[id] = meetupsByPlace[id] || []).push(f.properties);
        });
        return both[0].features;
      });
    }
    return regions[code];
  }

  function loadNational() {
    if (!national) national = getJSON(cfg.places_url).then(function (fc) { return fc.features; });
    return national;
  }

  /* ---- Filters --------------------------------------------------------- */

  function say(text) { status.textContent = text; }

  var generation = 0;
  var firstView = true;
  // INSEE codes of the overseas regions: Guadeloupe, Martinique, Guyane, La Réunion, Mayotte.
  var OVERSEAS = { "01": true, "02": true, "03": true, "04": true, "06": true };

  function apply(fit) {
    var code = regionSelect.value;
    var types = {};
    typeBoxes.forEach(function (b) { if (b.checked) types[b.value] = true; });
    var onlyUpcoming = upcomingBox.checked;
    var mine = ++generation;
    say(s.loading);
    // A region waits for the outlines, to be framed whole; the national
    // view does not, so that drawing the outlines and the markers stay two
    // short tasks.
    (code ? Promise.all([loadRegion(code), regionsReady]).then(function (loaded) { return loaded[0]; }) : loadNational()).then(function (features) {
      if (mine !== generation) return;
      var shown = features.filter(function (f) {
        var p = f.properties;
        return types[p.type] && (!onlyUpcoming || p.has_upcoming);
      });
      var upcoming = shown.filter(function (f) { return f.properties.has_upcoming; }).length;
      // The view first, then the markers: they are clustered once, for it.
      if (fit && shown.length) {
        // A region: all its markers. All regions: the metropolitan ones
        // (overseas regions have their buttons under the map).
        var framed = code ? shown : shown.filter(function (f) { return !OVERSEAS[f.properties.region]; });
        if (!framed.length) framed = shown;
        var bounds = L.featureGroup(framed.map(markerOf)).getBounds();
        // Without tiles, a region is framed whole: its outline is all the
        // basemap shows, and closer in it has no detail.
        var outline = code && !tiles && regionOutline(code);
        if (outline) bounds.extend(outline.getBounds());
        // The first view is set at once: nothing moves as the page opens.
        map.fitBounds(bounds, { maxZoom: code ? 12 : 7, padding: [16, 16], animate: !firstView });
        firstView = false;
        showDepartments(); // a view at the zoom the map had sends no zoomend
      }
      cluster.clearLayers();
      cluster.addLayers(shown.map(markerOf));
      if (!shown.length) say(s.none);
      else say(shown.length + " " + (shown.length > 1 ? s.shown_many : s.shown_one) + ", " + upcoming + " " + s.with_upcoming + ".");
      app.setAttribute("data-shown", String(shown.length));
      remember();
    }).catch(function () {
      if (mine === generation) say(s.load_error);
    });
  }

  // The filters live in the address, so a filtered map can be shared.
  function remember() {
    var params = new URLSearchParams();
    if (regionSelect.value) params.set("region", regionSelect.value);
    if (upcomingBox.checked) params.set("a-venir", "1");
    var unchecked = typeBoxes.filter(function (b) { return !b.checked; });
    if (unchecked.length) typeBoxes.forEach(function (b) { if (b.checked) params.append("type", b.value); });
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
  }

  function restore() {
    var params = new URLSearchParams(location.search);
    var code = params.get("region");
    if (code && cfg.regions.some(function (r) { return r.code === code; })) regionSelect.value = code;
    upcomingBox.checked = params.get("a-venir") === "1";
    var wanted = params.getAll("type");
    if (wanted.length) typeBoxes.forEach(function (b) { b.checked = wanted.indexOf(b.value) >= 0; });
  }

  regionSelect.addEventListener("change", function () { apply(true); });
  app.querySelectorAll("button.map-inset").forEach(function (button) {
    button.addEventListener("click", function () {
      regionSelect.value = button.getAttribute("data-region");
      apply(true);
    });
  });
  upcomingBox.addEventListener("change", function () { apply(false); });
  typeBoxes.forEach(function (b) { b.addEventListener("change", function () { apply(false); }); });
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(true); });
  form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });

  // Leaflet's close button speaks English; say it in the page's language.
  map.on("popupopen", function (event) {
    var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
    if (close) close.setAttribute("aria-label", s.close);
  });

  restore();
  apply(true);
})();
