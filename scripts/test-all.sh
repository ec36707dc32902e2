#!/usr/bin/env bash
# Runs the test suite (npm test) on both engines: the embedded PGlite, then a private
# PostgreSQL cluster started on a loopback port and stopped at the end. Ends with
# "N passed, N failed" summed over both runs.
set -uo pipefail
cd "$(dirname "$0")/.."
results=$(mktemp -d)
pgdir=$(mktemp -d /tmp/liaison-ci-pg.XXXXXX)
port=$(( 20000 + RANDOM % 20000 ))
cleanup() { bash scripts/pg-cluster.sh stop "$pgdir" >/dev/null 2>&1; rm -rf "$pgdir" "$results"; }
trap cleanup EXIT

echo "== Tests on the embedded engine (PGlite)"
LIAISON_TEST_DATABASE_URL= npm test -- --reporter=default --reporter=json --outputFile.json="$results/pglite.json"
pglite_status=$?

echo "== Tests on PostgreSQL (private cluster on 127.0.0.1:$port)"
if url=$(bash scripts/pg-cluster.sh start "$pgdir" "$port"); then
  LIAISON_TEST_DATABASE_URL="$url" npm test -- --reporter=default --reporter=json --outputFile.json="$results/postgres.json"
  postgres_status=$?
else
  echo "Could not start PostgreSQL:"; cat "$pgdir"/*.log 2>/dev/null | tail -20
  postgres_status=1
fi

node -e '
const fs = require("fs");
let passed = 0, failed = 0;
for (const engine of ["pglite", "postgres"]) {
  const file = process.argv[1] + "/" + engine + ".json";
  if (!fs.existsSync(file)) { console.log(engine + ": no results"); failed++; continue; }
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  console.log(`${engine}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
  passed += r.numPassedTests; failed += r.numFailedTests + (r.numFailedTestSuites || 0);
  // The names of what failed, again at the very end: CI keeps only the tail of its output.
  for (const file of r.testResults ?? []) {
    const where = file.name.replace(process.cwd() + "/", "");
    const tests = (file.assertionResults ?? []).filter((t) => t.status === "failed");
    for (const t of tests) console.log(`  ${engine} failed: ${where} > ${t.fullName}: ${String(t.failureMessages?.[0] ?? "").split("\n")[0].slice(0, 300)}`);
    if (file.status === "failed" && tests.length === 0) console.log(`  ${engine} failed: ${where}: ${String(file.message ?? "").split("\n")[0].slice(0, 300)}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
' "$results"
summary=$?
[ "$pglite_status" = 0 ] && [ "$postgres_status" = 0 ] && [ "$summary" = 0 ]
