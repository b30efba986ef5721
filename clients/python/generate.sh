#!/usr/bin/env bash
# Generates the Python stubs from ../../protos with Debian's protoc and grpc_python_plugin
# (apt-get install protobuf-compiler protobuf-compiler-grpc). Output: grpctuner/v1/*_pb2*.py,
# or under $1 when given (the tests regenerate into a temp folder and compare).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
mkdir -p "$out/grpctuner/v1"
protoc -I "$here/../../protos" --python_out="$out" --grpc_python_out="$out" \
  --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" "$here"/../../protos/grpctuner/v1/*.proto
touch "$out/grpctuner/v1/__init__.py"
