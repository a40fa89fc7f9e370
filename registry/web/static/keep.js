/* Keeps what a user typed in a form until it is saved.
 *
 * A form marked data-keep="KEY" stores its visible fields in sessionStorage when it is sent.
 * When the same page opens again with the key still stored (the session had expired and the
 * user signed in again, or the save was refused), the fields are filled back in and a notice
 * says so. A page that confirms a save carries data-forget="KEY" on an element: the stored
 * text is then dropped. Static file: the pages' CSP allows scripts from 'self' only.
 */
(function () {
  "use strict";
  var PREFIX = "cadre-keep:";
  var SKIP = { hidden: 1, password: 1, submit: 1, button: 1, file: 1 };

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.type] && el.name !== "csrf";
    });
  }

  function save(form) {
    var data = {};
    fields(form).forEach(function (el) {
      data[el.name] = el.type === "checkbox" ? (el.checked ? "1" : "") : el.value;
    });
    try { sessionStorage.setItem(PREFIX + form.dataset.keep, JSON.stringify(data)); } catch (e) {}
  }

  function restore(form) {
    var raw = null;
    try { raw = sessionStorage.getItem(PREFIX + form.dataset.keep); } catch (e) {}
    if (!raw) { return; }
    var data;
    try { data = JSON.parse(raw); } catch (e) { return; }
    var filled = false;
    fields(form).forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(data, el.name)) { return; }
      if (el.type === "checkbox") { el.checked = data[el.name] === "1"; }
      else if (el.value !== data[el.name]) { el.value = data[el.name]; filled = true; }
    });
    var note = form.querySelector(".restored");
    if (filled && note) { note.hidden = false; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-forget]").forEach(function (el) {
      try { sessionStorage.removeItem(PREFIX + el.dataset.forget); } catch (e) {}
    });
    document.querySelectorAll("form[data-keep]").forEach(function (form) {
      restore(form);
      form.addEventListener("submit", function () { save(form); });
    });
  });
})();
