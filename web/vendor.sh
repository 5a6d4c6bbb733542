#!/usr/bin/env bash
# Refreshes web/vendor/ (committed) from the npm packages pinned in package-lock.json, so that
# `cargo build` embeds MapLibre GL JS without npm, a CDN or the internet: run this after
# changing the version in package.json (`npm install` then updates the lock file).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
src=node_modules/maplibre-gl
mkdir -p vendor
# The ES module build: the page imports maplibre-gl.mjs, which starts its workers from
# maplibre-gl-worker.mjs next to it.
cp "$src/dist/maplibre-gl.mjs" "$src/dist/maplibre-gl-worker.mjs" "$src/dist/maplibre-gl.css" vendor/
cp "$src/LICENSE.txt" vendor/maplibre-gl.LICENSE.txt
version=$(node -p "require('./$src/package.json').version")
echo "maplibre-gl $version (npm), dist/ files and LICENSE.txt, copied by web/vendor.sh" > vendor/README
echo "vendored maplibre-gl $version into web/vendor/"
