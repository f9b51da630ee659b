#!/usr/bin/env bash
# The benchmark behind ./latchkey bench: builds the server and the load generator when needed,
# then runs dev.latchkey.bench.CompareBench (Latchkey against the seed-style peer, in turns, and
# against Keycloak too with --keycloak; with --engines, the older BenchMain: ./latchkey serve on
# PostgreSQL and on SQLite), or ScaleBench with --scale. Both write docs/benchmarks.md. Options:
# ./latchkey bench --help.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAVA_HOME=${JAVA_HOME:-$("$root/latchkey" --print-java-home)}
export JAVA_HOME
jar="$root/latchkey-server/target/latchkey-server.jar"

# wrk (Debian's package) drives the verify scenario (see WrkRunner); without it the Java client does
if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk from Debian's packages" >&2
  if [ "$(id -u)" = 0 ]; then sudo=(); else sudo=(sudo -n); fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null 2>&1 \
    || { "${sudo[@]}" apt-get update -qq >/dev/null 2>&1 && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
         apt-get install -y -qq --no-install-recommends wrk >/dev/null 2>&1; } \
    || echo "bench: wrk could not be installed; verify runs on the Java load generator" >&2
fi
echo "bench: building the server and the load generator..." >&2
(cd "$root" && ./mvnw -B -q -DskipTests -pl latchkey-server,bench -am package) >&2
# Maven leaves an up-to-date jar untouched; touching it tells ./latchkey that the jar is as new
# as the sources Maven has just checked, so the measured starts run no build.
touch "$jar"

cp=$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")
# SerialGC and a modest heap keep the load generator's own CPU use low (it shares the CPUs).
main=dev.latchkey.bench.CompareBench
# --scale: the mixed scenario on one instance and on two behind round-robin (ScaleBench)
if [[ ${1:-} == --scale ]]; then main=dev.latchkey.bench.ScaleBench; fi
# --flood: verify and refresh alone, then during a wrong-password login flood (FloodBench)
if [[ ${1:-} == --flood ]]; then main=dev.latchkey.bench.FloodBench; fi
exec "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xms256m -Xmx256m -cp "$cp" "$main" --root "$root" "$@"
