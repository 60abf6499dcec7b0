// The ipywidgets html-manager loads its fonts from this path: serve them from this site
// (copied from the npm package by tools/vendor_js.sh), never from a CDN.
(function () {
  const widgets = new URL("widgets/", document.currentScript.src).href;
  window.__jupyter_widgets_assets_path__ = widgets;
  // embed-amd.js also defines @jupyter-widgets/base, /controls, ... as RequireJS modules, and
  // their stylesheets find the widget fonts (FontAwesome, used by Button, Dropdown, ...) next to
  // each module's RequireJS URL. Unmapped, that URL is <page folder>/@jupyter-widgets/...: a 404
  // on every page. A `require` object that exists before require.js loads is its configuration.
  const paths = { "@jupyter-widgets": widgets.replace(/\/$/, "") };
  if (typeof window.require === "undefined") {
    window.require = { paths: paths };
  } else if (typeof window.require.config === "function") {
    window.require.config({ paths: paths });
  }
})();
