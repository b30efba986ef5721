#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine with the .NET 10 SDK: installs what the
# tests need (redis-server), builds everything with warnings as errors, runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."

# Integration tests start real Redis servers on loopback; agent tests train on Fashion-MNIST and
# fine-tune the real MiniLM (NuGet, restored with the solution) on text from Debian's fortunes
# packages, and check our models against PyTorch references (python3-torch, numpy, OpenBLAS); the
# Python client's tests use Debian's grpcio, protobuf and pytest, and protoc to check the stubs, run
# Optuna-style programs against Debian's optuna 3.1 too, and install the package into a venv; the
# TypeScript client's use Node.js with packages from npm (pinned by its package-lock.json); the
# report and dashboard tests render pages in headless Chromium.
missing=()
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
command -v grpc_python_plugin >/dev/null 2>&1 || missing+=(protobuf-compiler protobuf-compiler-grpc)
/usr/bin/python3 -c "import grpc, google.protobuf, pytest" 2>/dev/null || missing+=(python3-grpcio python3-protobuf python3-pytest)
/usr/bin/python3 -c "import optuna, pandas" 2>/dev/null || missing+=(python3-optuna python3-pandas)
/usr/bin/python3 -c "import ensurepip, venv" 2>/dev/null || missing+=(python3-venv)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
[ -x /usr/bin/chromium ] || missing+=(chromium)
/usr/bin/python3 -c "import torch, numpy" 2>/dev/null || missing+=(python3-torch python3-numpy libopenblas0-pthread)
for p in fortunes fortunes-de fortunes-es fortunes-zh; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ -f /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 ] || missing+=(libjemalloc2)
if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/run.sh: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The dashboard's browser tests drive chromium with playwright-core, pinned by its package-lock.json.
(cd tests/GrpcTuner.Testing/Browser && npm ci --no-audit --no-fund --loglevel=error)
dotnet build GrpcTuner.sln -c Release -warnaserror -nologo -v quiet
log=$(mktemp)
status=0
dotnet test GrpcTuner.sln -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?
/usr/bin/python3 -m pytest clients/python/tests -q -p no:cacheprovider 2>&1 | tee -a "$log" || status=$?
(cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error && npm test) 2>&1 | tee -a "$log" || status=$?

# One closing line for the whole suite, summed over the .NET test assemblies, pytest and node:test.
sum() { grep -oE "$1" "$log" | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}' || true; }
passed=$(( $(sum 'Passed: +[0-9]+') + $(sum '^[0-9]+ passed') + $(sum '^# pass [0-9]+') ))
failed=$(( $(sum 'Failed: +[0-9]+') + $(sum '[0-9]+ failed') + $(sum '^# fail [0-9]+') ))
rm -f "$log"
echo "tests: $passed passed, $failed failed"
if [ "$passed" -eq 0 ]; then
  echo "tests/run.sh: no test ran" >&2
  exit 1
fi
exit "$status"
