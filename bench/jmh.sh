#!/usr/bin/env bash
# JMH microbenchmarks of Latchkey's CPU-bound steps (RS256 sign and verify, argon2id and bcrypt-12
# password verification, the refresh decision), one thread, and of the store's refresh rotation
# (the compare-and-set, on PostgreSQL and on SQLite). Writes bench/target/jmh-result.json and
# bench/target/jmh-ceilings.properties, which ./latchkey bench turns into per-scenario ceilings.
# Extra arguments go to JMH. A benchmark pattern among them (e.g. bench/jmh.sh -f 1 -wi 1 -i 2
# rs256, or ... Store) runs only the matching benchmarks, and only their keys are replaced in
# jmh-ceilings.properties (the others keep their earlier values); without one, every benchmark runs.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAVA_HOME=${JAVA_HOME:-$("$root/latchkey" --print-java-home)}
export JAVA_HOME
(cd "$root" && ./mvnw -B -q -DskipTests -pl bench -am package) >&2
cp=$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")
out=$root/bench/target
# JMH runs the benchmarks matching any pattern given: add the catch-all only when none is.
patterns=0
skip=0
for arg in "$@"; do
    if (( skip )); then skip=0; continue; fi
    case $arg in
        -h|-l|-lp|-lprof|-lrf) ;;
        -*=*) ;;
        -*) skip=1 ;;
        *) patterns=1 ;;
    esac
done
default=()
(( patterns )) || default=('dev.latchkey.bench.jmh.*')
"$JAVA_HOME/bin/java" -cp "$cp" org.openjdk.jmh.Main -rf json -rff "$out/jmh-result.json" "$@" "${default[@]}"
# per-core figures for the ceilings (one thread = one core)
python3 - "$out/jmh-result.json" "$out/jmh-ceilings.properties" <<'PY'
import json, os, sys
# rs256Sign/rs256Verify: the native provider the server uses (LATCHKEY_CRYPTO_PROVIDER=auto); *Jdk: the JDK's
names = {"rs256Sign": "rs256.sign.ops_per_s_per_core", "rs256Verify": "rs256.verify.ops_per_s_per_core",
         "rs256SignJdk": "rs256.sign.jdk.ops_per_s_per_core", "rs256VerifyJdk": "rs256.verify.jdk.ops_per_s_per_core",
         "rs256VerifyRemembered": "rs256.verify.remembered.ops_per_s_per_core",
         "argon2idVerify": "argon2id.verify.ms", "bcrypt12Verify": "bcrypt12.verify.ms",
         "refreshDecision": "refresh.decision.ops_per_s_per_core"}
# the store's rotation, per engine (throughput mode, one thread: the average time is its inverse)
store = {"rotate": "store.rotate.%s", "rotateStale": "store.rotate_stale.%s"}
measured = {}
for r in json.load(open(sys.argv[1])):
    name = r["benchmark"].rsplit(".", 1)[1]
    score = r["primaryMetric"]["score"]
    if name in names:
        measured[names[name]] = score
    elif name in store and r.get("params", {}).get("engine"):
        key = store[name] % r["params"]["engine"]
        measured[key + ".ops_per_s"] = score
        if name == "rotate" and score > 0:
            measured[key + ".us_per_op"] = 1e6 / score
# keys this run did not measure keep their earlier values
lines = []
if os.path.exists(sys.argv[2]):
    for line in open(sys.argv[2]):
        key = line.split("=", 1)[0].strip()
        if "=" in line and key not in measured:
            lines.append(line.rstrip("\n"))
lines += ["%s=%.1f" % (k, v) for k, v in measured.items()]
with open(sys.argv[2], "w") as f:
    f.write("".join(l + "\n" for l in lines))
print(open(sys.argv[2]).read())
PY
