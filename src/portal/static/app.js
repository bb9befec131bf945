// Progressive enhancement only: every screen works without this file.
(function () {
  "use strict";

  function once(el) {
    if (el.dataset.bound) return false;
    el.dataset.bound = "1";
    return true;
  }

  function uploadForm(form) {
    if (!once(form)) return;
    const input = form.querySelector('input[type="file"]');
    const nameBox = form.querySelector(".file-name");
    const errorBox = form.querySelector("#file-error");
    const progress = form.querySelector(".upload-progress");
    const allowed = (form.dataset.extensions || "").split(",");
    const max = Number(form.dataset.maxBytes);
    const inclusive = form.dataset.maxInclusive === "1";

    function problem() {
      const file = input && input.files[0];
      if (!file) return nameBox && nameBox.textContent.indexOf(form.dataset.msgNofile) === 0 ? form.dataset.msgNone : "";
      const ext = (file.name.split(".").pop() || "").toLowerCase();
      if (file.name.indexOf(".") < 0 || allowed.indexOf(ext) < 0) return form.dataset.msgType;
      if (file.size === 0) return form.dataset.msgEmpty;
      if (inclusive ? file.size > max : file.size >= max) return form.dataset.msgSize;
      return "";
    }
    function show(message) {
      errorBox.textContent = message;
      form.querySelector(".field:has(#file)")?.classList.toggle("has-error", !!message);
    }
    input?.addEventListener("change", function () {
      const file = input.files[0];
      nameBox.textContent = file ? file.name : form.dataset.msgNofile;
      show(problem());
    });
    form.querySelector("[data-clear-file]")?.addEventListener("click", function () {
      input.value = "";
      nameBox.textContent = form.dataset.msgNofile;
      show("");
      input.focus();
    });
    function guard(event) {
      const message = problem();
      if (message) { event.preventDefault(); show(message); input.focus(); }
    }
    form.addEventListener("htmx:beforeRequest", guard);
    form.addEventListener("submit", function (event) { if (!window.htmx) guard(event); });
    form.addEventListener("htmx:xhr:progress", function (event) {
      if (!progress || !event.detail.lengthComputable) return;
      progress.hidden = false;
      progress.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    });
  }

  function noPaste(field) {
    if (!once(field)) return;
    ["paste", "drop"].forEach(function (type) {
      field.addEventListener(type, function (event) { event.preventDefault(); });
    });
  }

  // `root` itself as well as what it holds: htmx:load hands over the swapped element, and an
  // upload form swapped in after a server-side refusal (hx-swap="outerHTML") is that element.
  function each(root, selector, fn) {
    if (root.matches && root.matches(selector)) fn(root);
    root.querySelectorAll(selector).forEach(fn);
  }

  function init(root) {
    each(root, "form[data-upload-check]", uploadForm);
    each(root, "[data-no-paste]", noPaste);
  }

  // The same query the CSS uses to hide the menu's toggle: wherever there is no toggle the
  // menu must be open (768 px matches both min- and max-width: 48rem; windows get wider).
  const wide = window.matchMedia("(min-width: 48rem)");
  function fitMenus() {
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (d) { d.open = wide.matches; });
  }

  // No failure is silent (DESIGN.md rule 16). The server answers a refused or 4xx htmx action
  // into the page's message region (HX-Retarget: #messages). What it cannot answer there (a
  // 5xx, an error page from a proxy, no connection) is said here, in the same region, in the
  // page's language: the texts come from base.html's data-msg-* attributes.
  function banner(key) {
    const region = document.getElementById("messages");
    if (!region) return;
    const message = document.createElement("p");
    message.className = "flash error";
    message.setAttribute("role", "alert");
    message.dataset.transient = "1";
    message.textContent = region.dataset[key] || region.dataset.msgOther || "";
    region.replaceChildren(message);
    region.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    banner(status >= 500 ? "msgServer" : "msgOther");
  });
  document.addEventListener("htmx:sendError", function () { banner("msgNetwork"); });
  document.addEventListener("htmx:timeout", function () { banner("msgNetwork"); });
  document.addEventListener("htmx:beforeSwap", function (event) {
    // A 4xx is swapped (htmx-config), for the forms a view re-renders with their errors; a
    // whole error page without HX-Retarget came from something in front of the app (a
    // proxy's 413): it must not land inside a table row.
    const xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && !xhr.getResponseHeader("HX-Retarget") &&
        /^\s*<!doctype/i.test(xhr.responseText || "")) {
      event.detail.shouldSwap = false;
      banner("msgOther");
    }
  });
  document.addEventListener("htmx:beforeSend", function () {
    // The previous action's failure is not this one's.
    document.querySelectorAll("#messages [data-transient]").forEach(function (el) { el.remove(); });
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "messages") {
      event.detail.target.scrollIntoView({ block: "nearest" });
    }
  });

  // Keyboard and screen-reader users after an action. An htmx swap removes the button that
  // was pressed, and focus falls to <body>: it goes to what the response marked
  // [data-swap-focus] (the row's result), whose text is read out through #live-status, a
  // live region already in the page (one inserted with its text is often not read). After a
  // form that reloads the page, focus goes to the page's message (data-focus-on-load).
  function announce(text) {
    const region = document.getElementById("live-status");
    if (!region) return;
    region.textContent = "";  // the same result twice in a row is read again
    window.setTimeout(function () { region.textContent = text; }, 100);
  }
  document.addEventListener("htmx:afterSettle", function () {
    const marked = document.querySelector("[data-swap-focus]");
    if (!marked) return;
    marked.removeAttribute("data-swap-focus");
    marked.focus();
    announce(marked.textContent.trim());
  });
  function focusMessage() {
    const message = document.querySelector("#messages [data-focus-on-load]");
    if (message) message.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    focusMessage();
    fitMenus();
    wide.addEventListener("change", fitMenus);
  });
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
})();
