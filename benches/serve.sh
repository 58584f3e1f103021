#!/usr/bin/env bash
# The `refund serve` benchmark (BENCHMARKS.md): single-order evaluate over keep-alive
# connections with wrk, and the server's CPU per request, next to the in-process evaluate rate
# measured in the same run. Needs `wrk` (Debian: apt-get install -y wrk); not part of CI.
#
#   benches/serve.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-8}
policy=policies/tencent-cvm.policy
order=tests/data/orders/tencent-cvm/no-reason-first-return-day-3.json
port=18787

cargo build --release --locked --bin refund
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir "$work/policies"
cp "$policy" "$work/policies/"
./target/release/refund serve "$work/policies" --addr "127.0.0.1:$port" > "$work/out" 2> "$work/log" &
server=$!
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.05; done

cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local file = io.open("$order", "rb")
wrk.body = file:read("*a")
file:close()
LUA
url="http://127.0.0.1:$port/v1/policies/tencent_cvm/evaluate"
curl -sf -X POST --data-binary @"$order" "$url" > /dev/null  # one answer before measuring
wrk -t 1 -c "$connections" -d 2s -s "$work/post.lua" "$url" > /dev/null  # warm-up

# CPU time of the server process (user + system, in clock ticks) around the measured run.
ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
before=$(ticks)
wrk -t 1 -c "$connections" -d "${seconds}s" --latency -s "$work/post.lua" "$url" | tee "$work/wrk"
after=$(ticks)
requests=$(awk '/requests in/ {print $1}' "$work/wrk")
hz=$(getconf CLK_TCK)
echo
echo "server CPU: $(( (after - before) * 1000000 / hz / requests )) us per request ($((after - before)) ticks of 1/$hz s for $requests requests)"
echo
echo "in-process, same machine, same order (one thread):"
cargo bench --locked --bench serve_baseline -- "$policy" "$order"
