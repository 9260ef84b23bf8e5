// netroot dashboard: tiles from /api/state, changes from /events (Server-Sent Events), a node's waterfall from
// /api/node/NAME. Updates are queued and applied at most once per animation frame, so a storm of hundreds of
// nodes costs one DOM pass per frame, not one per event. Text only goes in through textContent.
(function () {
  "use strict";
  var stages = [];            // [{name, colour}] from /api/state: the server names the stages and colours them
  var colours = new Map();    // stage name -> colour
  var token = new URLSearchParams(location.search).get("token");
  var nodes = new Map();      // name -> tile data
  var tiles = new Map();      // name -> button element
  var unknown = new Map();    // client -> data
  var pendingNodes = new Map(), pendingUnknown = new Map(), pendingRogues = null, scheduled = false;
  var skew = 0, silentAfter = 300, selected = null, detailDue = false, updates = 0, source = null;
  var rack = document.getElementById("rack");

  function url(path, params) {
    var query = new URLSearchParams(params || {});
    if (token) query.set("token", token);
    var text = query.toString();
    return path + (text ? "?" + text : "");
  }
  function el(tag, text, cls) {
    var element = document.createElement(tag);
    if (text !== undefined && text !== null) element.textContent = text;
    if (cls) element.className = cls;
    return element;
  }
  function serverNow() { return Date.now() / 1000 + skew; }
  function duration(seconds) {
    seconds = Math.max(0, seconds);
    if (seconds < 1) return Math.round(seconds * 1000) + " ms";
    if (seconds < 60) return seconds.toFixed(seconds < 10 ? 1 : 0) + " s";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min " + Math.floor(seconds % 60) + " s";
    return Math.floor(seconds / 3600) + " h " + Math.floor(seconds % 3600 / 60) + " min";
  }
  function size(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1048576) return (bytes / 1024).toFixed(1) + " KiB";
    return (bytes / 1048576).toFixed(1) + " MiB";
  }
  function clock(time) { return new Date(time * 1000).toLocaleTimeString(); }
  // The server says "silent" only when a step arrives; a node that stops sending goes silent here.
  function shownStage(data) {
    var stage = data.stage || "not seen";
    if (["booted", "failed", "not seen", "silent"].indexOf(stage) < 0 && data.lastTime &&
        serverNow() - data.lastTime > silentAfter) return "silent";
    return stage;
  }

  function renderTile(data) {
    var tile = tiles.get(data.name);
    if (!tile) {
      tile = el("button", null, "tile");
      tile.type = "button";
      tile.dataset.node = data.name;
      tile.appendChild(el("b", data.name));
      tile.appendChild(el("small"));
      tile.appendChild(el("small"));
      tile.addEventListener("click", function () { select(data.name); });
      tiles.set(data.name, tile);
      rack.appendChild(tile);
    }
    var stage = shownStage(data);
    if (tile.dataset.stage !== stage) {
      tile.dataset.stage = stage;
      paint(tile, stage);
    }
    var since = data.since ? " · " + duration(serverNow() - data.since) : "";
    setText(tile.children[1], stage + since);
    setText(tile.children[2], data.lastStep || data.ip);
    tile.title = data.name + "  " + data.mac + "  " + data.ip + (data.image ? "  image " + data.image : "") +
      (data.groups.length ? "  groups " + data.groups.join(", ") : "") + (data.lastStep ? "\nlast: " + data.lastStep : "");
  }
  function paint(element, stage) { element.style.setProperty("--c", colours.get(stage) || "#c9ced6"); }
  function setText(element, text) { if (element.textContent !== text) element.textContent = text; }

  function renderLegend() {
    var counts = {};
    nodes.forEach(function (data) { var s = shownStage(data); counts[s] = (counts[s] || 0) + 1; });
    var legend = document.getElementById("legend");
    legend.textContent = "";
    stages.forEach(function (entry) {
      var stage = entry.name;
      var item = el("span", stage + " " + (counts[stage] || 0));
      item.dataset.stage = stage;
      paint(item, stage);
      item.dataset.count = counts[stage] || 0;
      legend.appendChild(item);
    });
    setText(document.getElementById("node-count"), "(" + nodes.size + ")");
  }

  function renderRogues(rogues) {
    var banner = document.getElementById("rogues");
    banner.hidden = rogues.length === 0;
    banner.textContent = rogues.length ? "Another DHCP server on the provisioning network: " + rogues.map(function (r) {
      return r.ip + " (" + r.mac + ", " + r.replies + " replies, last " + clock(r.lastSeen) + ": " + r.lastReply + ")";
    }).join("; ") : "";
  }

  function renderUnknown() {
    var body = document.querySelector("#unknown tbody");
    body.textContent = "";
    unknown.forEach(function (data) {
      var row = el("tr");
      row.dataset.client = data.client;
      [data.mac || data.client, data.address || "", data.stage ? shownStage(data) : "", data.lastStep || "",
       data.firstSeen ? clock(data.firstSeen) : "", data.architecture != null ? String(data.architecture) : "",
       data.vendorClass || "", [data.relay, data.network].filter(Boolean).join(" / "), data.count != null ? String(data.count) : ""
      ].forEach(function (text) { row.appendChild(el("td", text)); });
      body.appendChild(row);
    });
    setText(document.getElementById("unknown-count"), "(" + unknown.size + ")");
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(flush);
  }
  function flush() {
    scheduled = false;
    pendingNodes.forEach(function (data, name) { nodes.set(name, data); renderTile(data); });
    var unknownChanged = pendingUnknown.size > 0;
    pendingUnknown.forEach(function (data, client) { unknown.set(client, data); });
    if (selected && pendingNodes.has(selected)) detailDue = true;
    pendingNodes.clear();
    pendingUnknown.clear();
    if (unknownChanged) renderUnknown();
    if (pendingRogues) { renderRogues(pendingRogues); pendingRogues = null; }
    renderLegend();
    document.body.dataset.updates = updates;
    if (detailDue) { detailDue = false; loadDetail(); }
  }

  function applyState(state) {
    skew = state.now - Date.now() / 1000;
    silentAfter = state.silentAfter;
    stages = state.stages;
    stages.forEach(function (entry) { colours.set(entry.name, entry.colour); });
    state.nodes.forEach(function (data) { pendingNodes.set(data.name, data); });
    state.unknown.forEach(function (data) { pendingUnknown.set(data.client, data); });
    pendingRogues = state.rogues;
    setText(document.getElementById("unknown-source"), state.discovery
      ? "Machines that asked for a PXE boot (remembered across restarts), and other clients seen since the server started."
      : "Clients seen in the boot timeline since the server started.");
    schedule();
  }

  function connect(version) {
    source = new EventSource(url("events", { since: version }));
    var status = document.getElementById("connection");
    source.onopen = function () { status.dataset.state = "live"; status.textContent = "live"; };
    source.onerror = function () { status.dataset.state = "lost"; status.textContent = "reconnecting…"; };
    source.addEventListener("update", function (event) {
      var update = JSON.parse(event.data);
      updates += 1;
      skew = update.now - Date.now() / 1000;
      update.nodes.forEach(function (data) { pendingNodes.set(data.name, data); });
      // Merged: discovery's facts (first seen, architecture) stay when an update brings only the timeline's.
      update.unknown.forEach(function (data) {
        pendingUnknown.set(data.client, Object.assign({}, unknown.get(data.client), pendingUnknown.get(data.client), data));
      });
      pendingRogues = update.rogues;
      schedule();
    });
  }

  function select(name) {
    if (selected && tiles.get(selected)) tiles.get(selected).classList.remove("selected");
    selected = name;
    if (tiles.get(name)) tiles.get(name).classList.add("selected");
    if (history.replaceState) history.replaceState(null, "", url("", { node: name }) || "?");
    loadDetail();
  }

  var detailLoading = false;
  function loadDetail() {
    if (!selected) return;
    if (detailLoading) { detailDue = true; return; }
    detailLoading = true;
    var name = selected;
    fetch(url("api/node/" + encodeURIComponent(name))).then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      return response.json();
    }).then(function (detail) {
      if (name === selected) renderDetail(detail);
    }).catch(function (error) {
      setText(document.getElementById("detail-facts"), "cannot load " + name + ": " + error.message);
    }).then(function () {
      detailLoading = false;
      if (detailDue) { detailDue = false; loadDetail(); }
    });
  }

  function renderDetail(detail) {
    var panel = document.getElementById("detail");
    panel.hidden = false;
    panel.dataset.node = detail.name;
    panel.dataset.stage = detail.stage;
    paint(panel, detail.stage);
    setText(document.getElementById("detail-title"), detail.name + " — " + detail.stage);
    setText(document.getElementById("detail-facts"), [detail.mac, detail.address, detail.image && "image " + detail.image]
      .filter(Boolean).join("  ·  "));
    var diagnosis = document.getElementById("diagnosis");
    diagnosis.textContent = "";
    detail.diagnosis.forEach(function (line) { diagnosis.appendChild(el("li", line)); });
    var box = document.getElementById("waterfall");
    box.textContent = "";
    if (!detail.bars.length) { box.appendChild(el("p", "no steps recorded")); return; }
    var start = detail.bars[0].start, end = start;
    detail.bars.forEach(function (bar) { start = Math.min(start, bar.start); end = Math.max(end, bar.end); });
    var span = Math.max(end - start, 0.001);
    var axis = el("div", null, "axis");
    axis.appendChild(el("span", "step"));
    var ticks = el("div", null, "ticks");
    for (var i = 0; i <= 4; i++) {
      var tick = el("span", "+" + duration(span * i / 4));
      tick.style.left = (i * 25) + "%";
      ticks.appendChild(tick);
    }
    axis.appendChild(ticks);
    axis.appendChild(el("span", "size · throughput · time"));
    box.appendChild(axis);
    detail.bars.forEach(function (bar) {
      var row = el("div", null, "row" + (bar.failed ? " failed" : ""));
      row.dataset.service = bar.service;
      row.dataset.step = bar.step;
      var label = el("div", null, "label");
      label.appendChild(el("i", bar.service));
      label.appendChild(document.createTextNode(bar.step));
      label.title = bar.step + (bar.detail ? "\n" + bar.detail : "");
      var track = el("div", null, "track");
      var fill = el("div", null, "bar");
      fill.style.left = ((bar.start - start) / span * 100) + "%";
      fill.style.width = ((bar.end - bar.start) / span * 100) + "%";
      fill.title = bar.detail;
      track.appendChild(fill);
      var figures = [];
      var took = bar.end - bar.start;
      if (bar.bytes != null) figures.push(size(bar.bytes));
      if (bar.bytes != null && took > 0) figures.push((bar.bytes / took / 1e6).toFixed(bar.bytes / took > 1e7 ? 0 : 2) + " MB/s");
      figures.push("+" + duration(bar.start - start) + (took > 0 ? ", " + duration(took) : ""));
      if (bar.failed) figures.unshift(bar.detail);
      row.appendChild(label);
      row.appendChild(track);
      row.appendChild(el("div", figures.join(" · "), "figures"));
      box.appendChild(row);
    });
  }

  // Time in stage and silence move with the clock, not only with events.
  setInterval(function () {
    nodes.forEach(renderTile);
    renderLegend();
  }, 2000);

  fetch(url("api/state")).then(function (response) {
    if (!response.ok) throw new Error(response.status + " " + response.statusText);
    return response.json();
  }).then(function (state) {
    applyState(state);
    connect(state.version);
    var wanted = new URLSearchParams(location.search).get("node");
    if (wanted) select(wanted);
  }).catch(function (error) {
    var status = document.getElementById("connection");
    status.dataset.state = "lost";
    status.textContent = "cannot load state: " + error.message;
  });
})();
