// The workspace's only script: send the draft, show the rendered result, filter, move between findings, export.
// It keeps nothing: no storage, no cookies, no third-party requests; the draft lives in this page and one request.
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";
  var form = document.getElementById("analyse-form");
  var statusLine = document.getElementById("status");
  var slot = document.getElementById("results-slot");

  function say(message, isError) {
    if (!statusLine) return;
    statusLine.textContent = message;
    statusLine.className = isError ? "error" : "";
  }

  function errorMessage(response, body) {
    try {
      var parsed = JSON.parse(body);
      if (parsed && parsed.error && parsed.error.message) return parsed.error.message;
    } catch (e) { /* not JSON: fall through to the status line */ }
    return "The server answered " + response.status + ".";
  }

  function submit(event) {
    event.preventDefault();
    var fileInput = document.getElementById("file-input");
    var text = document.getElementById("draft-input").value;
    var kind = document.getElementById("doc-kind").value;
    // Only offered where the service has both tiers; otherwise the server's default answers.
    var tierInput = document.getElementById("tier");
    var tier = tierInput ? tierInput.value : "";
    var keyInput = document.getElementById("api-key");
    var headers = { "Accept": "text/html" };
    if (keyInput && keyInput.value) headers["X-API-Key"] = keyInput.value;
    var query = "?format=html" + (kind ? "&doc_kind=" + encodeURIComponent(kind) : "") +
      (tier ? "&tier=" + encodeURIComponent(tier) : "");
    var request;
    if (fileInput.files && fileInput.files.length) {
      var data = new FormData();
      data.append("file", fileInput.files[0]);
      request = fetch(root + "/v1/analyze/file" + query, { method: "POST", headers: headers, body: data });
    } else if (text.trim()) {
      headers["Content-Type"] = "application/json";
      var body = { text: text };
      if (kind) body.doc_kind = kind;
      request = fetch(root + "/v1/analyze" + query, { method: "POST", headers: headers, body: JSON.stringify(body) });
    } else {
      say("Paste a draft or choose a file first.", true);
      return;
    }
    say("Analysing…", false);
    document.getElementById("analyse").disabled = true;
    request.then(function (response) {
      return response.text().then(function (body) {
        if (!response.ok) throw new Error(errorMessage(response, body));
        var doc = new DOMParser().parseFromString(body, "text/html");
        var results = doc.getElementById("results");
        if (!results) throw new Error("The server's answer held no results.");
        slot.replaceChildren(document.importNode(results, true));
        form.hidden = true;
        say("", false);
        init(document.getElementById("results"));
        document.getElementById("results").focus();
      });
    }).catch(function (error) {
      say(error.message || "The request failed.", true);
    }).then(function () {
      document.getElementById("analyse").disabled = false;
    });
  }

  function setUpForm() {
    if (!form) return;
    form.addEventListener("submit", submit);
    var zone = document.getElementById("drop-zone");
    var fileInput = document.getElementById("file-input");
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) {
        fileInput.files = e.dataTransfer.files;
        say("Ready to analyse " + e.dataTransfer.files[0].name + ".", false);
      }
    });
  }

  // ---- results ----
  function visibleFindings(results) {
    return Array.prototype.filter.call(results.querySelectorAll("li.finding"), function (li) { return !li.hidden; });
  }

  function applyFilters(results) {
    var filters = results.querySelector("#filters");
    var themes = {}, severities = {};
    filters.querySelectorAll("input[name=theme]").forEach(function (box) { themes[box.value] = box.checked; });
    filters.querySelectorAll("input[name=severity]").forEach(function (box) { severities[box.value] = box.checked; });
    var all = results.querySelectorAll("li.finding");
    var shown = 0;
    all.forEach(function (li) {
      li.hidden = !(themes[li.getAttribute("data-theme")] && severities[li.getAttribute("data-severity")]);
      if (!li.hidden) shown += 1;
    });
    results.querySelectorAll("section.group").forEach(function (group) {
      group.hidden = !group.querySelector("li.finding:not([hidden])");
    });
    results.querySelectorAll("mark.hl").forEach(function (mark) {
      var ids = mark.getAttribute("data-findings").split(" ");
      var on = ids.some(function (id) { var li = document.getElementById(id); return li && !li.hidden; });
      mark.classList.toggle("off", !on);
    });
    results.querySelector("#shown").textContent = "Showing " + shown + " of " + all.length + " findings.";
  }

  function showSentence(results, targetId, focusMark) {
    var mark = document.getElementById(targetId);
    if (!mark) return;
    results.querySelectorAll("mark.hl.current").forEach(function (m) { m.classList.remove("current"); });
    mark.classList.add("current");
    mark.scrollIntoView({ block: "center" });
    if (focusMark) mark.focus({ preventScroll: true });
  }

  function moveTo(results, li) {
    results.querySelectorAll("li.finding.current").forEach(function (x) { x.classList.remove("current"); });
    li.classList.add("current");
    var link = li.querySelector("a.finding-link");
    link.focus({ preventScroll: true });
    li.scrollIntoView({ block: "nearest" });
    showSentence(results, li.getAttribute("data-target"), false);
  }

  function step(results, delta) {
    var items = visibleFindings(results);
    if (!items.length) return;
    var current = document.activeElement && document.activeElement.closest ? document.activeElement.closest("li.finding") : null;
    var index = current ? items.indexOf(current) : -1;
    var next = index < 0 ? (delta > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, index + delta));
    moveTo(results, items[next]);
  }

  function cell(value) {
    var text = value === null || value === undefined ? "" : String(value);
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function exported(results, format) {
    var data = JSON.parse(results.querySelector("#result-data").textContent);
    var shown = {};
    visibleFindings(results).forEach(function (li) { shown[li.id] = true; });
    var findings = data.findings.filter(function (f) { return shown[f.id]; });
    if (format === "json") {
      return JSON.stringify({ model: data.model, overview: data.overview, findings: findings }, null, 2);
    }
    if (format === "csv") {
      var columns = ["severity", "theme", "label", "title", "section", "page", "offset", "length", "score", "text",
        "message", "question"];
      return [columns.join(",")].concat(findings.map(function (f) {
        return columns.map(function (c) { return cell(f[c]); }).join(",");
      })).join("\r\n") + "\r\n";
    }
    var lines = ["# reviewlens findings", "", data.overview, ""];
    findings.forEach(function (f) {
      var where = (f.section || "") + (f.page ? ", p. " + f.page : "");
      lines.push("- [ ] **" + f.title + "** (" + f.severity + (where ? ", " + where : "") + "): “" +
        f.text.replace(/\s+/g, " ").trim() + "”  ");
      lines.push("  " + f.message + " *Question:* " + f.question);
    });
    return lines.join("\n") + "\n";
  }

  function download(results, format) {
    var types = { md: "text/markdown", csv: "text/csv", json: "application/json" };
    var blob = new Blob([exported(results, format)], { type: types[format] + ";charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "reviewlens-findings." + format;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
  }

  function init(results) {
    if (!results) return;
    var filters = results.querySelector("#filters");
    filters.addEventListener("change", function () { applyFilters(results); });
    filters.addEventListener("submit", function (e) { e.preventDefault(); });
    results.querySelectorAll("[data-export]").forEach(function (button) {
      button.addEventListener("click", function () { download(results, button.getAttribute("data-export")); });
    });
    results.querySelectorAll("a.evidence-link").forEach(function (link) {
      link.addEventListener("click", function (e) {
        e.preventDefault();
        showSentence(results, link.getAttribute("data-target"), true);
      });
    });
    results.querySelectorAll("a.finding-link").forEach(function (link) {
      link.addEventListener("click", function (e) {
        e.preventDefault();
        moveTo(results, link.closest("li.finding"));
      });
    });
    var again = results.querySelector("#new-draft");
    if (!form || location.protocol === "file:") {
      again.hidden = true;
    } else {
      again.addEventListener("click", function () {
        form.hidden = false;
        document.getElementById("draft-input").focus();
      });
    }
  }

  document.addEventListener("keydown", function (e) {
    var results = document.getElementById("results");
    if (!results || e.altKey || e.ctrlKey || e.metaKey) return;
    var target = e.target;
    var typing = target && (target.tagName === "TEXTAREA" || target.tagName === "SELECT" ||
      (target.tagName === "INPUT" && target.type !== "checkbox"));
    if (typing) return;
    var inPanel = target && target.closest && target.closest("#panel");
    if (e.key === "j" || (inPanel && e.key === "ArrowDown")) { e.preventDefault(); step(results, 1); }
    if (e.key === "k" || (inPanel && e.key === "ArrowUp")) { e.preventDefault(); step(results, -1); }
  });

  setUpForm();
  init(document.getElementById("results"));
}());
