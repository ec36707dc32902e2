#!/usr/bin/env bash
# Installs the peers of `npm run bench -- peers` into one folder (default /tmp/liaison-peers):
# Node 22 from the npm registry's Node binary package (both peers need Node 22 or later; Directus
# 12.4's sandbox, isolated-vm 5, does not build against Node 24's V8), Directus and NocoDB. They
# are not dependencies of Liaison and are never installed by `npm ci`. Native modules are built
# against that Node with its own headers (`nodedir`), since nodejs.org is not reachable here.
# NocoDB asks for SheetJS from the vendor's own server, which this machine cannot reach: the npm
# registry's last xlsx release stands in for it (NocoDB uses it only for spreadsheet imports); and
# its SDK's install script insists on pnpm, so NocoDB is installed without install scripts and
# its native modules are built after.
set -euo pipefail
dir="${1:-/tmp/liaison-peers}"
mkdir -p "$dir/node" "$dir/directus" "$dir/nocodb"
arch=$(node -p process.arch)
npm install --prefix "$dir/node" --no-save --no-audit --no-fund --loglevel=error "node-linux-$arch@22.23.5"
# The machine's npm, run by Node 22 (the Node binary package brings no npm of its own).
npm_cli="$(npm root -g)/npm/bin/npm-cli.js"
[ -f "$npm_cli" ] || { echo "npm's own script was not found at $npm_cli" >&2; exit 1; }
node22="$dir/node/node_modules/node-linux-$arch"
export PATH="$node22/bin:$PATH" npm_config_nodedir="$node22"
echo '{ "name": "directus-peer", "private": true }' > "$dir/directus/package.json"
(cd "$dir/directus" && node "$npm_cli" install --no-audit --no-fund --loglevel=error directus@12.4.0)
echo '{ "name": "nocodb-peer", "private": true, "overrides": { "xlsx": "0.18.5" } }' > "$dir/nocodb/package.json"
(cd "$dir/nocodb" && node "$npm_cli" install --ignore-scripts --no-audit --no-fund --loglevel=error nocodb@0.301.3)
# Without install scripts its native modules are not built: build the two it loads.
(cd "$dir/nocodb" && node "$npm_cli" rebuild --loglevel=error sqlite3 lz4)
echo "Peers installed in $dir (Node $(node --version))"
