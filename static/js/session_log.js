// The session log keeps a copy of what is typed on this device as well as on the server (htmx
// drafts), so that typing on the training floor survives a dropped connection or an expired
// sign-in: the server's draft holds what reached it, this copy holds the rest until the page is
// opened again (after signing in again, too: the server keeps nothing for a signed-out browser).
(function () {
  "use strict";

  function fields(form) {
    return Array.from(form.elements).filter(function (element) {
      return element.name && element.name !== "csrfmiddlewaretoken" && element.type !== "submit";
    });
  }

  function snapshot(form) {
    var values = {};
    fields(form).forEach(function (element) {
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) {
        return;
      }
      (values[element.name] = values[element.name] || []).push(element.value);
    });
    return values;
  }

  function restore(form, values) {
    fields(form).forEach(function (element) {
      var typed = values[element.name];
      if (!typed || element.type === "hidden") {
        return;
      }
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = typed.indexOf(element.value) !== -1;
      } else {
        element.value = typed[typed.length - 1];
      }
    });
  }

  function start(form) {
    var key = form.dataset.localDraft;
    var status = document.getElementById(form.dataset.statusId);
    var say = function (text) {
      if (status) {
        status.textContent = text;
      }
    };
    var stored = null;
    try {
      stored = JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (error) {
      stored = null;
    }
    // Copies of earlier versions of this session's log are of no use once it has been saved.
    Object.keys(window.localStorage).forEach(function (name) {
      if (name.indexOf(form.dataset.localDraftPrefix) === 0 && name !== key) {
        window.localStorage.removeItem(name);
      }
    });
    var serverSaved = Date.parse(form.dataset.serverSaved || "") || 0;
    if (stored && stored.savedAt > serverSaved) {
      restore(form, stored.values);
      say(form.dataset.textRestored);
    }
    var keep = function () {
      window.localStorage.setItem(
        key,
        JSON.stringify({ savedAt: Date.now(), values: snapshot(form) })
      );
    };
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", keep);
    // A draft sent after the sign-in expired is answered with the sign-in page (the request was
    // redirected): keep it out of the status line and say what happens instead.
    form.addEventListener("htmx:beforeSwap", function (event) {
      var xhr = event.detail.xhr;
      var path = xhr && xhr.responseURL ? new URL(xhr.responseURL).pathname : "";
      if (path && !/\/log\/draft\/$/.test(path)) {
        event.detail.shouldSwap = false;
        say(form.dataset.textSignedOut);
      }
    });
    form.addEventListener("htmx:sendError", function () {
      say(form.dataset.textOffline);
    });
    form.addEventListener("htmx:responseError", function () {
      say(form.dataset.textOffline);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-local-draft]").forEach(start);
  });
})();
