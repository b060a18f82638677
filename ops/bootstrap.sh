#!/usr/bin/env bash
# Installs what Tiffin needs on a fresh Debian 12 machine, idempotently:
# Debian packages, uv, both Python environments, and the Java jars from Maven Central.
# Every step checks first and does nothing when its result is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
step() { printf '\033[1m[setup %s]\033[0m %s\n' "$1" "$2" >&2; }

apt_missing=()
[[ -x /usr/lib/postgresql/15/bin/initdb ]] || apt_missing+=(postgresql-15 postgresql-contrib-15)
command -v pgbench >/dev/null || apt_missing+=(postgresql-contrib-15)
command -v redis-server >/dev/null || apt_missing+=(redis-server)
command -v kcat >/dev/null || apt_missing+=(kcat)
command -v wrk >/dev/null || apt_missing+=(wrk)  # bench.order_placement_vs_pgbench --wrk-seconds
command -v java >/dev/null || apt_missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || apt_missing+=(maven)
if ((${#apt_missing[@]})); then
  step 1/4 "Debian packages: installing ${apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${apt_missing[@]}"
  # The Debian package starts a cluster on 5432; the stack runs its own, so stop it.
  if command -v pg_ctlcluster >/dev/null; then pg_ctlcluster 15 main stop 2>/dev/null || true; fi
else
  step 1/4 "Debian packages: PostgreSQL 15, Redis, kcat, wrk, Java, Maven present"
fi

# uv may be installed but not on PATH (pyenv shims are rehashed lazily): `python3 -m uv` always works.
if command -v uv >/dev/null; then
  UV=(uv)
elif python3 -m uv --version >/dev/null 2>&1; then
  UV=(python3 -m uv)
else
  # A private venv: never touches the system Python (Debian's refuses pip, PEP 668).
  if [[ ! -x "$ROOT/.cache/uv/bin/uv" ]]; then
    step 2/4 "uv: installing from PyPI into .cache/uv"
    python3 -m venv "$ROOT/.cache/uv"
    "$ROOT/.cache/uv/bin/python" -m pip install --quiet --disable-pip-version-check uv
  fi
  UV=("$ROOT/.cache/uv/bin/uv")
fi
step 2/4 "uv: $("${UV[@]}" --version)"

step 3/4 "Python environments: main (.venv) and streaming (streaming/.venv)"
"${UV[@]}" sync --frozen
"${UV[@]}" sync --frozen --project streaming

fetch_jars() {  # pom dir, target dir, marker jar
  if [[ -f "$2/$3" ]]; then return; fi
  mkdir -p "$2"
  mvn -q -B -f "$1/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$2"
}
step 4/4 "Java jars from Maven Central: Kafka broker + tools, Flink Kafka connector"
fetch_jars ops/java/kafka "$ROOT/.cache/jars/kafka" kafka_2.13-4.1.1.jar
fetch_jars ops/java/flink "$ROOT/.cache/jars/flink" flink-sql-connector-kafka-5.0.0-2.2.jar
step done "setup complete"
