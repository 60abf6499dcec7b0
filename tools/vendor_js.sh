#!/usr/bin/env bash
# Fetch the third-party JavaScript the offline book serves (MathJax, the ipywidgets
# html-manager, RequireJS) from the npm registry, pinned by version, into _vendor/
# (git-ignored; listed in html_static_path, so Sphinx copies it into _build/html/_static/).
set -euo pipefail
cd "$(dirname "$0")/.."
MATHJAX=mathjax@3.2.2
HTML_MANAGER=@jupyter-widgets/html-manager@1.0.15
REQUIREJS=requirejs@2.3.8
stamp="_vendor/.versions"
want="$MATHJAX $HTML_MANAGER $REQUIREJS"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
command -v npm >/dev/null || { echo "npm is needed once to fetch MathJax and the widget JavaScript (apt-get install -y npm)" >&2; exit 1; }
rm -rf _vendor .cache/npm && mkdir -p _vendor/mathjax _vendor/widgets .cache/npm
(cd .cache/npm && npm pack --silent "$MATHJAX" "$HTML_MANAGER" "$REQUIREJS" >/dev/null)
tar -xzf .cache/npm/mathjax-3.2.2.tgz -C _vendor/mathjax --strip-components=2 package/es5
tar -xzf .cache/npm/jupyter-widgets-html-manager-1.0.15.tgz -C _vendor/widgets --strip-components=2 package/dist
tar -xzf .cache/npm/requirejs-2.3.8.tgz -C _vendor/widgets --strip-components=1 package/require.js
rm -f _vendor/widgets/*.map
echo "$want" > "$stamp"
echo "vendored: $want"
