#!/usr/bin/env bash
# Renders the app's PNG icons (installable PWA, iOS home screen) from the
# same drawing as favicon.svg, with headless Chromium. Run it after changing
# the drawing; the PNGs are committed so a build needs no browser.
#   any:      icon-192.png, icon-512.png (the rounded tile, transparent corners)
#   maskable: icon-maskable-512.png (full-bleed background; the mark inside
#             the central 80% "safe zone" a launcher may crop to)
#   apple-touch-icon.png: 180 px, opaque (iOS draws its own corners)
set -euo pipefail
cd "$(dirname "$0")"
CHROMIUM="${CHROMIUM:-chromium}"
mark='<circle cx="11" cy="16" r="5" fill="#fff"/><circle cx="21" cy="16" r="5" fill="none" stroke="#fff" stroke-width="2.5"/>'
render() { # name size svg-body
  local html
  html=$(mktemp --suffix=.html)
  printf '<!doctype html><style>html,body{margin:0;background:transparent}svg{display:block}</style><svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 32 32">%s</svg>' "$2" "$2" "$3" > "$html"
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --default-background-color=00000000 \
    --window-size="$2,$2" --screenshot="$PWD/$1" "file://$html" 2>/dev/null
  rm -f "$html"
}
tile="<rect width=\"32\" height=\"32\" rx=\"7\" fill=\"#1d4ed8\"/>$mark"
full="<rect width=\"32\" height=\"32\" fill=\"#1d4ed8\"/><g transform=\"translate(3.2 3.2) scale(0.8)\">$mark</g>"
render icon-192.png 192 "$tile"
render icon-512.png 512 "$tile"
render icon-maskable-512.png 512 "$full"
render apple-touch-icon.png 180 "<rect width=\"32\" height=\"32\" fill=\"#1d4ed8\"/>$mark"
