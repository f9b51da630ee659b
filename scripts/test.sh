#!/usr/bin/env bash
# Runs every Latchkey test. Installs what the tests need first (Debian's PostgreSQL server
# binaries and redis-server: the tests start their own throwaway servers on free ports and stop
# them after; Debian's chromium and chromedriver for the browser tests), then runs the Maven
# build with all tests. Extra arguments go to Maven.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

as_root() {
  if [[ $(id -u) == 0 ]]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "test: need root (or sudo) to install: $*" >&2; exit 1
  fi
}

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver)
command -v redis-server >/dev/null 2>&1 || [[ -x /usr/bin/redis-server ]] || missing+=(redis-server)
if (( ${#missing[@]} )); then
  echo "test: installing ${missing[*]} from Debian's packages" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The throwaway test server runs as the postgres account (PostgreSQL refuses to run as root).
id postgres >/dev/null 2>&1 || as_root useradd --system --no-create-home --shell /usr/sbin/nologin postgres

JAVA_HOME=$("$root/latchkey" --print-java-home)
export JAVA_HOME
cd "$root"
exec ./mvnw -B -ntp verify "$@"
