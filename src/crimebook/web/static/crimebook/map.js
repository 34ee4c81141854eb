/* Crimebook map (workspace page and the small map of one incident).
 *
 * Reads its configuration from the JSON block #map-config (written by the server; no inline
 * script, the CSP forbids one). Draws the offline basemap shipped in our static files and,
 * only when the operator configured one, a tile layer. The workspace map asks /map/data/ for
 * what lies in view; the server returns points, or grid cells when there are too many.
 * Every text from the server is put into the page with textContent, never as HTML.
 */
(function () {
  "use strict";

  var COLOURS = {
    incidents: "#b3261e",
    detention: "#6a3d9a",
    cameras: "#1f5fa8",
    evidence: "#2e7d32",
    communications: "#b26a00"
  };

  function readConfig() {
    var block = document.getElementById("map-config");
    if (!block) { return null; }
    try { return JSON.parse(block.textContent); } catch (e) { return null; }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function metres(value, labels) {
    if (value === null || value === undefined) { return labels.unknown; }
    return value < 1000 ? labels.metres.replace("%(n)s", String(Math.round(value)))
      : labels.kilometres.replace("%(n)s", (value / 1000).toFixed(1));
  }

  function popupFor(props, labels) {
    var box = el("div", "map-popup");
    box.appendChild(el("p", "map-popup-kind", labels[props.layer] || props.layer));
    box.appendChild(el("strong", null, props.label || ("#" + props.id)));
    if (props.camera_id) { box.appendChild(el("p", null, props.camera_id)); }
    if (props.when) { box.appendChild(el("p", null, props.when)); }
    if (props.place) { box.appendChild(el("p", null, props.place)); }
    if (props.layer !== "detention") {
      var what = props.layer === "cameras" ? labels.fov
        : props.layer === "evidence" ? labels.accuracy
        : props.layer === "communications" ? labels.cellArea : labels.radius;
      box.appendChild(el("p", "map-popup-radius", what + ": " + metres(props.radius_m, labels)));
    }
    if (props.url) {
      var link = el("a", null, labels.open);
      link.href = props.url;
      box.appendChild(link);
    }
    return box;
  }

  function pointIcon(layer) {
    return L.divIcon({
      className: "map-point map-point-" + layer,
      iconSize: [14, 14],
      iconAnchor: [7, 7],
      popupAnchor: [0, -7]
    });
  }

  function clusterIcon(layer, count) {
    var size = count < 100 ? 30 : count < 10000 ? 38 : 46;
    return L.divIcon({
      className: "map-cell map-cell-" + layer,
      html: String(Number(count)),
      iconSize: [size, size]
    });
  }

  function drawBasemap(map, config) {
    var styles = {
      country: { color: "#555", weight: 2, fill: false, interactive: false },
      city: { color: "#8a8a8a", weight: 1, fillColor: "#eee", fillOpacity: 0.4, interactive: false },
      ring_road: { color: "#999", weight: 2, dashArray: "4 4", interactive: false },
      avenue: { color: "#b0b0b0", weight: 3, interactive: false },
      street: { color: "#c0c0c0", weight: 2, interactive: false },
      river: { color: "#6fa8dc", weight: 3, interactive: false }
    };
    [config.country, config.city].forEach(function (url) {
      if (!url) { return; }
      fetch(url, { credentials: "same-origin" }).then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (data) {
        if (!data) { return; }
        L.geoJSON(data, {
          style: function (feature) {
            return styles[feature.properties.kind] || styles.street;
          }
        }).addTo(map).bringToBack();
      }).catch(function () { /* the basemap is decoration; the data still shows */ });
    });
    if (config.tileUrl) {
      var attribution = String(config.tileAttribution || "")
        .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
      L.tileLayer(config.tileUrl, { attribution: attribution, maxZoom: 19 }).addTo(map);
    }
  }

  /* One layer: a cluster group of point markers plus the uncertainty circles of the
   * markers that are currently drawn on their own (not inside a client-side cluster). */
  function Layer(map, name, labels) {
    this.map = map;
    this.name = name;
    this.labels = labels;
    this.group = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 40,
      spiderfyOnMaxZoom: true,
      iconCreateFunction: function (cluster) {
        return clusterIcon(name, cluster.getChildCount());
      }
    }).addTo(map);
    this.cells = L.layerGroup().addTo(map);
    this.circles = L.layerGroup().addTo(map);
    this.markers = [];
    var self = this;
    this.group.on("animationend", function () { self.updateCircles(); });
    map.on("zoomend moveend", function () { self.updateCircles(); });
  }

  Layer.prototype.clear = function () {
    this.group.clearLayers();
    this.cells.clearLayers();
    this.circles.clearLayers();
    this.markers = [];
  };

  Layer.prototype.addPoint = function (feature) {
    var props = feature.properties;
    var latlng = L.latLng(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
    var marker = L.marker(latlng, {
      icon: pointIcon(this.name),
      title: (this.labels[this.name] || this.name) + ": " + (props.label || "#" + props.id),
      alt: props.label || "",
      keyboard: true
    });
    marker.bindPopup(popupFor(props, this.labels));
    if (props.radius_m) {
      marker._crimebookCircle = L.circle(latlng, {
        radius: props.radius_m,
        color: COLOURS[this.name],
        weight: 1,
        fillOpacity: 0.08,
        interactive: false
      });
    }
    this.markers.push(marker);
    this.group.addLayer(marker);
  };

  Layer.prototype.addCell = function (feature) {
    var props = feature.properties;
    var latlng = L.latLng(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
    var cell = props.cell;
    var label = this.labels.cluster.replace("%(count)s", String(props.count));
    var marker = L.marker(latlng, {
      icon: clusterIcon(this.name, props.count),
      title: (this.labels[this.name] || this.name) + ": " + label,
      keyboard: true
    });
    var map = this.map;
    marker.on("click", function () {
      map.fitBounds([[cell[1], cell[0]], [cell[3], cell[2]]]);
    });
    this.cells.addLayer(marker);
  };

  Layer.prototype.updateCircles = function () {
    var group = this.group;
    var circles = this.circles;
    circles.clearLayers();
    this.markers.forEach(function (marker) {
      if (marker._crimebookCircle && group.getVisibleParent(marker) === marker) {
        circles.addLayer(marker._crimebookCircle);
      }
    });
  };

  function sliderDay(slider, start) {
    var value = Number(slider.value);
    if (!value) { return ""; }
    var day = new Date(start + "T00:00:00Z");
    day.setUTCDate(day.getUTCDate() + value - 1);
    return day.toISOString().slice(0, 10);
  }

  function workspaceMap(node, config) {
    var labels = config.labels;
    var map = L.map(node, { keyboard: true, minZoom: 3, maxZoom: 18 }).setView([53.9, 27.56], 11);
    drawBasemap(map, config);
    var layers = {};
    Object.keys(COLOURS).forEach(function (name) { layers[name] = new Layer(map, name, labels); });
    var status = document.getElementById("map-status");
    var slider = document.getElementById("map-day");
    var sliderOutput = document.getElementById("map-day-value");
    var sliderBox = document.getElementById("map-slider");
    var controller = null;
    var timer = null;

    if (config.slider && slider) {
      slider.max = String(config.slider.days);
      sliderBox.hidden = false;
      var showDay = function () {
        sliderOutput.textContent = sliderDay(slider, config.slider.start) || labels.allDays;
      };
      showDay();
      slider.addEventListener("input", function () { showDay(); schedule(); });
      slider.addEventListener("change", function () { showDay(); schedule(); });
    }

    function url() {
      var b = map.getBounds();
      var clamp = function (v, lo, hi) { return Math.min(hi, Math.max(lo, v)).toFixed(5); };
      var bbox = [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
        clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)].join(",");
      var query = "bbox=" + encodeURIComponent(bbox);
      if (slider && config.slider) {
        var day = sliderDay(slider, config.slider.start);
        if (day) { query += "&day=" + day; }
      }
      return config.dataUrl + (config.dataUrl.indexOf("?") >= 0 ? "&" : "?") + query;
    }

    function show(data) {
      Object.keys(layers).forEach(function (name) { layers[name].clear(); });
      data.features.forEach(function (feature) {
        var layer = layers[feature.properties.layer];
        if (!layer) { return; }
        if (feature.properties.cluster) { layer.addCell(feature); } else { layer.addPoint(feature); }
      });
      Object.keys(layers).forEach(function (name) { layers[name].updateCircles(); });
      var parts = [];
      Object.keys(data.layers).forEach(function (name) {
        var info = data.layers[name];
        var text = labels.layerNames[name] + ": " + info.count.toLocaleString();
        if (info.aggregated) { text += " (" + labels.aggregated + ")"; }
        parts.push(text);
      });
      status.textContent = labels.inView + " — " + parts.join(" · ");
      node.setAttribute("data-loaded", String(data.features.length));
    }

    function load() {
      if (controller) { controller.abort(); }
      controller = new AbortController();
      status.textContent = labels.loading;
      fetch(url(), { credentials: "same-origin", signal: controller.signal,
        headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          if (!result.ok) {
            var reasons = [];
            var fields = result.body.fields || {};
            Object.keys(fields).forEach(function (k) { reasons.push(fields[k].join(" ")); });
            status.textContent = (result.body.error || labels.failed) + " " + reasons.join(" ");
            return;
          }
          show(result.body);
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") { return; }
          status.textContent = labels.failed;
        });
    }

    function schedule() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(load, 250);
    }

    map.on("moveend", schedule);
    load();
  }

  function incidentMap(node, config) {
    var labels = config.labels;
    var map = L.map(node, { keyboard: true, scrollWheelZoom: false, minZoom: 3, maxZoom: 18 });
    drawBasemap(map, config);
    var layers = {};
    Object.keys(COLOURS).forEach(function (name) { layers[name] = new Layer(map, name, labels); });
    var bounds = L.latLngBounds([]);
    config.features.forEach(function (feature) {
      var layer = layers[feature.properties.layer];
      if (!layer) { return; }
      layer.addPoint(feature);
      var c = feature.geometry.coordinates;
      var circle = L.latLng(c[1], c[0]).toBounds(2 * (feature.properties.radius_m || 50));
      bounds.extend(circle);
    });
    map.fitBounds(bounds, { maxZoom: 17, padding: [10, 10] });
    Object.keys(layers).forEach(function (name) { layers[name].updateCircles(); });
    node.setAttribute("data-loaded", String(config.features.length));
  }

  function start() {
    var node = document.querySelector("[data-map]");
    var config = readConfig();
    if (!node || !config || typeof L === "undefined") { return; }
    if (node.getAttribute("data-map") === "incident") {
      incidentMap(node, config);
    } else {
      workspaceMap(node, config);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
