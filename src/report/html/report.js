// lookout-doctor HTML report: the findings table. Inline and hashed in the page's
// Content-Security-Policy; it reads the findings from the page's JSON blocks (data,
// never markup: every value is written with textContent) and renders one page of
// rows at a time, so a report of 100,000 findings stays responsive. The filters live
// in the address (#rule=device-missing&severity=error) so a view can be shared.
(function () {
  "use strict";
  var root = document.documentElement;
  var errors = 0;
  window.addEventListener("error", function () {
    errors += 1;
    root.setAttribute("data-js-errors", String(errors));
  });
  document.addEventListener("securitypolicyviolation", function (e) {
    root.setAttribute("data-csp-violation", e.violatedDirective);
  });

  var PAGE = 100;
  var KEYS = ["rule", "severity", "cause", "status", "q", "sort", "dir", "page"];
  var COLUMNS = {
    severity: 0, rule: 1, cause: 2, subject: 4, name: 5, user: 6, status: 7, diagnosis: 8
  };
  var labels = JSON.parse(document.getElementById("ld-labels").textContent);

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) {
      return Object.prototype.hasOwnProperty.call(values, k) ? String(values[k]) : m;
    });
  }

  function readHash() {
    var state = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      if (!part) { return; }
      var at = part.indexOf("=");
      var key = at < 0 ? part : part.slice(0, at);
      var value = at < 0 ? "" : part.slice(at + 1);
      try {
        state[decodeURIComponent(key)] = decodeURIComponent(value.replace(/\+/g, " "));
      } catch (e) {
        // A malformed address is ignored, not an error.
      }
    });
    return state;
  }

  function writeHash(state) {
    var parts = [];
    KEYS.forEach(function (k) {
      if (state[k]) { parts.push(k + "=" + encodeURIComponent(state[k])); }
    });
    var url = location.pathname + location.search + (parts.length ? "#" + parts.join("&") : "");
    try {
      history.replaceState(null, "", url);
    } catch (e) {
      location.hash = parts.join("&");
    }
  }

  function cell(tr, text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) { td.className = className; }
    tr.appendChild(td);
    return td;
  }

  function line(td, text, className) {
    var div = document.createElement("div");
    div.textContent = text;
    if (className) { div.className = className; }
    td.appendChild(div);
  }

  function Table(section) {
    var data = JSON.parse(section.querySelector("script[type='application/json']").textContent);
    this.section = section;
    this.rows = data.rows;
    this.rules = data.rules;
    this.causes = data.causes;
    this.body = section.querySelector("tbody");
    this.count = section.querySelector(".count");
    this.controls = {};
    var self = this;
    ["rule", "severity", "cause", "status", "q"].forEach(function (k) {
      var input = section.querySelector("[data-filter='" + k + "']");
      self.controls[k] = input;
      input.addEventListener(k === "q" ? "input" : "change", function () {
        var state = readHash();
        state[k] = input.value;
        state.page = "";
        writeHash(state);
        renderAll();
      });
    });
    section.querySelector("[data-action='reset']").addEventListener("click", function () {
      writeHash({});
      renderAll();
    });
    section.querySelector("[data-action='prev']").addEventListener("click", function () {
      self.turn(-1);
    });
    section.querySelector("[data-action='next']").addEventListener("click", function () {
      self.turn(1);
    });
    Array.prototype.forEach.call(section.querySelectorAll("th button[data-sort]"), function (b) {
      b.addEventListener("click", function () {
        var state = readHash();
        var key = b.getAttribute("data-sort");
        state.dir = state.sort === key && state.dir !== "desc" ? "desc" : "asc";
        state.sort = key;
        state.page = "";
        writeHash(state);
        renderAll();
      });
    });
    this.countOptions();
  }

  // Each option says how many findings it selects, counted from the data.
  Table.prototype.countOptions = function () {
    var counts = { rule: {}, severity: {}, cause: {}, status: {} };
    var sev = labels.severityKeys;
    var status = labels.statusKeys;
    this.rows.forEach(function (r) {
      var keys = {
        rule: this.rules[r[1]],
        severity: sev[r[0]],
        cause: r[2] < 0 ? "" : this.causes[r[2]],
        status: status[r[7]]
      };
      Object.keys(keys).forEach(function (k) {
        counts[k][keys[k]] = (counts[k][keys[k]] || 0) + 1;
      });
    }, this);
    Object.keys(counts).forEach(function (k) {
      Array.prototype.forEach.call(this.controls[k].options, function (o) {
        if (!o.value) {
          o.setAttribute("data-count", String(this.rows.length));
          return;
        }
        var n = counts[k][o.value] || 0;
        o.setAttribute("data-count", String(n));
        o.textContent = o.getAttribute("data-label") + " (" + n + ")";
      }, this);
    }, this);
  };

  Table.prototype.matching = function (state) {
    var rule = state.rule ? this.rules.indexOf(state.rule) : -1;
    var sev = state.severity ? labels.severityKeys.indexOf(state.severity) : -1;
    var cause = state.cause ? this.causes.indexOf(state.cause) : -1;
    var status = state.status ? labels.statusKeys.indexOf(state.status) : -1;
    var q = (state.q || "").toLowerCase();
    var out = [];
    // A value the data does not hold matches nothing, rather than everything.
    if ((state.rule && rule < 0) || (state.severity && sev < 0) ||
        (state.cause && cause < 0) || (state.status && status < 0)) {
      return out;
    }
    for (var i = 0; i < this.rows.length; i += 1) {
      var r = this.rows[i];
      if ((rule >= 0 && r[1] !== rule) || (sev >= 0 && r[0] !== sev) ||
          (cause >= 0 && r[2] !== cause) || (status >= 0 && r[7] !== status)) {
        continue;
      }
      if (q && [r[4], r[5], r[6], r[8], this.rules[r[1]]].join("\n").toLowerCase().indexOf(q) < 0) {
        continue;
      }
      out.push(i);
    }
    var column = COLUMNS[state.sort];
    if (column !== undefined) {
      var rows = this.rows;
      var names = column === 1 ? this.rules : column === 2 ? this.causes : null;
      var sign = state.dir === "desc" ? -1 : 1;
      var key = function (i) {
        var v = rows[i][column];
        if (names) { return v < 0 ? "" : names[v]; }
        return v === null ? "" : v;
      };
      out.sort(function (a, b) {
        var x = key(a);
        var y = key(b);
        return x < y ? -sign : x > y ? sign : a - b;
      });
    }
    return out;
  };

  Table.prototype.render = function (state) {
    var self = this;
    ["rule", "severity", "cause", "status", "q"].forEach(function (k) {
      self.controls[k].value = state[k] || "";
    });
    Array.prototype.forEach.call(this.section.querySelectorAll("th button[data-sort]"), function (b) {
      if (b.getAttribute("data-sort") === state.sort) {
        b.setAttribute("data-dir", state.dir === "desc" ? "desc" : "asc");
      } else {
        b.removeAttribute("data-dir");
      }
    });
    var match = this.matching(state);
    var pages = Math.max(1, Math.ceil(match.length / PAGE));
    var page = Math.min(Math.max(1, parseInt(state.page, 10) || 1), pages);
    this.page = page;
    this.pages = pages;
    var from = (page - 1) * PAGE;
    var to = Math.min(match.length, from + PAGE);
    var body = document.createElement("tbody");
    for (var i = from; i < to; i += 1) {
      var r = this.rows[match[i]];
      var tr = document.createElement("tr");
      tr.setAttribute("data-row-rule", this.rules[r[1]]);
      if (labels.statusKeys[r[7]] === "suppressed") { tr.className = "suppressed"; }
      cell(tr, labels.severity[r[0]], "sev " + labels.severityKeys[r[0]]);
      cell(tr, this.rules[r[1]], "mono");
      cell(tr, r[2] < 0 ? labels.none : this.causes[r[2]], "mono");
      var subject = cell(tr, "", "subject");
      line(subject, r[3] + " " + r[4], "mono");
      if (r[5] !== null) { line(subject, r[5], ""); }
      if (r[6] !== null) { line(subject, r[6], "user"); }
      cell(tr, r[8], "diag");
      cell(tr, labels.status[r[7]]);
      body.appendChild(tr);
    }
    this.body.parentNode.replaceChild(body, this.body);
    this.body = body;
    this.count.setAttribute("data-count", String(match.length));
    this.count.setAttribute("data-shown", String(to - from));
    this.count.textContent = match.length === 0 ? labels.noMatch : fill(labels.showing, {
      from: from + 1, to: to, count: match.length, total: this.rows.length, page: page, pages: pages
    });
    this.section.querySelector("[data-action='prev']").disabled = page <= 1;
    this.section.querySelector("[data-action='next']").disabled = page >= pages;
  };

  Table.prototype.turn = function (by) {
    var state = readHash();
    state.page = String(Math.min(this.pages, Math.max(1, this.page + by)));
    writeHash(state);
    renderAll();
  };

  var tables = Array.prototype.map.call(document.querySelectorAll("section.findings"), function (s) {
    return new Table(s);
  });

  function renderAll() {
    var state = readHash();
    tables.forEach(function (t) { t.render(state); });
  }

  window.addEventListener("hashchange", renderAll);
  renderAll();
  // Milliseconds from the start of navigation to the first page of rows, for the
  // README's measurements (not part of the file: set on the live page only).
  root.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  root.setAttribute("data-ready", "1");
}());
