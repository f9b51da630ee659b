#!/usr/bin/env bash
# The benchmark behind ./latchkey bench: builds the server and the load generator when needed,
# then runs dev.latchkey.bench.BenchMain, which starts ./latchkey serve on a throwaway
# PostgreSQL and on the embedded SQLite, drives it, and writes docs/benchmarks.md.
# Options go to BenchMain (./latchkey bench --help).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAVA_HOME=${JAVA_HOME:-$("$root/latchkey" --print-java-home)}
export JAVA_HOME
jar="$root/latchkey-server/target/latchkey-server.jar"

echo "bench: building the server and the load generator..." >&2
(cd "$root" && ./mvnw -B -q -DskipTests -pl latchkey-server,bench -am package) >&2
# Maven leaves an up-to-date jar untouched, while ./latchkey rebuilds whenever any src/main file
# (bench's and the testkit's included) is newer than the jar: without this, every measured
# start would run a Maven build first. Maven has just checked the jar against the sources.
if [[ -n $(find "$root" -path "$root/.git" -prune -o \( -path '*/src/main/*' -o -name pom.xml \) -newer "$jar" -print -quit) ]]; then
  touch "$jar"
fi

cp=$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")
# SerialGC and a modest heap keep the load generator's own CPU use low (it shares the CPUs).
exec "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xms256m -Xmx256m -cp "$cp" dev.latchkey.bench.BenchMain --root "$root" "$@"
