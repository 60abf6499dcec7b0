// The ipywidgets html-manager loads its fonts from this path: serve them from this site
// (copied from the npm package by tools/vendor_js.sh), never from a CDN.
window.__jupyter_widgets_assets_path__ = new URL("widgets/", document.currentScript.src).href;
