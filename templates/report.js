/* losslens report: optional interactivity (sortable, filterable tables; chart tooltips).
   Allowed by its sha256 in the Content-Security-Policy. Never builds HTML from strings: data only
   ever reaches the page through textContent, so a hostile record stays text. */
(function () {
  'use strict';
  var doc = document;
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  each(doc.querySelectorAll('table.data'), function (table) {
    var body = table.tBodies[0];
    if (!body || body.rows.length < 2 || !table.tHead) return;
    each(table.tHead.rows[0].cells, function (th, col) {
      var btn = doc.createElement('button');
      btn.type = 'button';
      btn.className = 'sort';
      while (th.firstChild) btn.appendChild(th.firstChild);
      th.appendChild(btn);
      th.setAttribute('aria-sort', 'none');
      btn.addEventListener('click', function () { sortBy(table, col, th); });
    });
    if (body.rows.length > 8) addFilter(table);
  });

  function sortKey(cell, numeric) {
    var s = cell ? cell.getAttribute('data-sort') || '' : '';
    if (numeric) return s === '' ? NaN : Number(s);
    return (s || (cell ? cell.textContent : '')).toLowerCase();
  }

  function sortBy(table, col, th) {
    var dir = th.getAttribute('aria-sort') === 'descending' ? 'ascending' : 'descending';
    each(th.parentNode.cells, function (c) { c.setAttribute('aria-sort', 'none'); });
    th.setAttribute('aria-sort', dir);
    var numeric = th.getAttribute('data-type') === 'num';
    var sign = dir === 'ascending' ? 1 : -1;
    var body = table.tBodies[0];
    var rows = Array.prototype.map.call(body.rows, function (r, i) { return { r: r, i: i, k: sortKey(r.cells[col], numeric) }; });
    rows.sort(function (a, b) {
      var an = numeric && isNaN(a.k), bn = numeric && isNaN(b.k);
      if (an || bn) return an === bn ? a.i - b.i : an ? 1 : -1; // blanks last either way
      return (a.k < b.k ? -sign : a.k > b.k ? sign : 0) || a.i - b.i;
    });
    rows.forEach(function (x) { body.appendChild(x.r); });
  }

  function addFilter(table) {
    var rows = table.tBodies[0].rows;
    var box = doc.createElement('div');
    box.className = 'table-filter';
    var input = doc.createElement('input');
    input.type = 'search';
    input.placeholder = 'Filter rows';
    input.setAttribute('aria-label', 'Filter rows of: ' + (table.caption ? table.caption.textContent : 'table'));
    var status = doc.createElement('span');
    status.className = 'filter-status';
    status.setAttribute('aria-live', 'polite');
    box.appendChild(input);
    box.appendChild(status);
    table.parentNode.insertBefore(box, table);
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase();
      var shown = 0;
      each(rows, function (r) {
        var hit = !q || r.textContent.toLowerCase().indexOf(q) >= 0;
        r.hidden = !hit;
        if (hit) shown++;
      });
      status.textContent = q ? shown + ' of ' + rows.length + ' rows' : '';
    });
  }

  // Chart tooltips from the accessible labels vega writes on every mark.
  var tip = doc.createElement('div');
  tip.className = 'tooltip';
  tip.setAttribute('role', 'tooltip');
  tip.hidden = true;
  doc.body.appendChild(tip);
  doc.addEventListener('mousemove', function (e) {
    var t = e.target;
    var el = t && t.closest ? t.closest('figure.chart [role="graphics-symbol"][aria-label]:not(g)') : null;
    if (!el) { tip.hidden = true; return; }
    tip.textContent = el.getAttribute('aria-label').split('; ').join('\n');
    tip.hidden = false;
    var x = Math.min(e.pageX + 14, doc.documentElement.scrollWidth - tip.offsetWidth - 8);
    tip.style.left = Math.max(0, x) + 'px';
    tip.style.top = e.pageY + 14 + 'px';
  });
})();
