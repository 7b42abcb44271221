#!/usr/bin/env bash
# Compares two checkouts of Payrail in one run: alternates `npm run bench` between them ROUNDS times (default 3),
# each run on its own fresh embedded PostgreSQL, and prints each run's payments/s, keyed payments/s, pgbench TPC-B
# and their ratio. The machine's speed drifts by about ±15% between runs, so alternating is what makes the two
# comparable. Each checkout needs its own `npm ci`.
#
#   bash bench/alternate.sh /path/to/before /path/to/after        (BENCH_SECONDS, ROUNDS, OUT as settings)
set -euo pipefail
before=$(cd "$1" && pwd); after=$(cd "$2" && pwd)
rounds=${ROUNDS:-3}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
echo "logs in $out"
for round in $(seq 1 "$rounds"); do
  for tree in "$before" "$after"; do
    log="$out/$(basename "$tree")-$round.log"
    (cd "$tree" && BENCH_SECONDS=${BENCH_SECONDS:-20} npm run bench > "$log" 2>&1)
    payments=$(grep -E '^payments/s' "$log" | awk '{print $2}')
    keyed=$(grep -E '^with Idempotency-Key' "$log" | awk '{print $3}')
    tpcb=$(grep -E '^TPC-B tx/s pgbench' "$log" | awk '{print $4}')
    ratio=$(grep -E '^ratio payments/TPC-B' "$log" | sed -E 's/.*, ([0-9.]+) \(pgbench\).*/\1/')
    echo "round $round $(basename "$tree"): payments/s $payments, keyed $keyed, pgbench TPC-B $tpcb, ratio $ratio"
  done
done
