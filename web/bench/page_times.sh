#!/usr/bin/env bash
# Page render times of the web console and portal on the demo shop, through the real
# `ordo serve` (HTTP included): N requests per page, mean and worst in milliseconds.
#   web/bench/page_times.sh [path/to/ordo] [N]
# Uses a fresh demo store in a temporary directory; needs curl.
set -euo pipefail
ORDO=${1:-target/release/ordo}
N=${2:-50}
DATA=$(mktemp -d)
OUT=$(mktemp)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DATA" "$OUT"' EXIT
ORDO_BACKUP_EVERY_MINUTES=0 "$ORDO" --data "$DATA/shop" serve --demo --listen 127.0.0.1:0 >"$OUT" 2>/dev/null &
PID=$!
for _ in $(seq 1 600); do grep -q "listening on" "$OUT" && break; sleep 0.5; done
BASE=$(grep -o "listening on http://[0-9.:]*" "$OUT" | sed 's/listening on //')
ADMIN_PW=$(awk '$1 == "admin" && NF == 2 {print $2; exit}' "$OUT")
CUSTOMER=$(grep -o "Customer sign-in: [^ ]* / [^ ]*" "$OUT" | head -1)
CUSTOMER_LOGIN=$(echo "$CUSTOMER" | awk '{print $3}')
CUSTOMER_PW=$(echo "$CUSTOMER" | awk '{print $5}')
JAR=$DATA/jar
signin() { # $1 path, $2 login, $3 password
  local token
  token=$(curl -s -c "$JAR" -b "$JAR" "$BASE$1" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//; s/"//')
  curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf=$token" \
    --data-urlencode "login=$2" --data-urlencode "password=$3" "$BASE$1"
}
signin /console/signin admin "$ADMIN_PW"
signin /signin "$CUSTOMER_LOGIN" "$CUSTOMER_PW"
ORDER=$(curl -s -b "$JAR" "$BASE/console/orders" | grep -o '/console/orders/[0-9]*' | head -1)
printf '%-28s %8s %8s\n' page mean_ms max_ms
for page in /console /console/orders "$ORDER" /console/tickets / /orders /cart; do
  curl -s -o /dev/null -b "$JAR" "$BASE$page"  # warm up
  times=$(for _ in $(seq 1 "$N"); do curl -s -o /dev/null -b "$JAR" -w '%{time_total}\n' "$BASE$page"; done)
  echo "$times" | awk -v p="$page" '{s+=$1; if ($1>m) m=$1} END {printf "%-28s %8.1f %8.1f\n", p, s/NR*1000, m*1000}'
done
