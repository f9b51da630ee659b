#!/usr/bin/env bash
# JMH microbenchmarks of Latchkey's CPU-bound steps (RS256 sign and verify, argon2id and bcrypt-12
# password verification, the refresh decision), one thread. Writes bench/target/jmh-result.json and
# bench/target/jmh-ceilings.properties, which ./latchkey bench turns into per-scenario ceilings.
# Extra arguments go to JMH (e.g. bench/jmh.sh -f 1 -wi 1 -i 2 rs256).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAVA_HOME=${JAVA_HOME:-$("$root/latchkey" --print-java-home)}
export JAVA_HOME
(cd "$root" && ./mvnw -B -q -DskipTests -pl bench -am package) >&2
cp=$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")
out=$root/bench/target
"$JAVA_HOME/bin/java" -cp "$cp" org.openjdk.jmh.Main -rf json -rff "$out/jmh-result.json" "$@" 'dev.latchkey.bench.jmh.*'
# per-core figures for the ceilings (one thread = one core)
python3 - "$out/jmh-result.json" "$out/jmh-ceilings.properties" <<'PY'
import json, sys
rows = {r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"]["score"] for r in json.load(open(sys.argv[1]))}
names = {"rs256Sign": "rs256.sign.ops_per_s_per_core", "rs256Verify": "rs256.verify.ops_per_s_per_core",
         "argon2idVerify": "argon2id.verify.ms", "bcrypt12Verify": "bcrypt12.verify.ms",
         "refreshDecision": "refresh.decision.ops_per_s_per_core"}
with open(sys.argv[2], "w") as f:
    for k, v in rows.items():
        if k in names:
            f.write("%s=%.1f\n" % (names[k], v))
print(open(sys.argv[2]).read())
PY
