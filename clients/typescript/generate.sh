#!/usr/bin/env bash
# Generates the TypeScript messages and @grpc/grpc-js service stubs from ../../protos with
# Debian's protoc (apt-get install protobuf-compiler) and ts-proto (npm ci). Output: src/gen,
# or $1 when given (the tests regenerate into a temp folder and compare).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/src/gen}
mkdir -p "$out"
protoc -I "$here/../../protos" --plugin=protoc-gen-ts_proto="$here/node_modules/.bin/protoc-gen-ts_proto" \
  --ts_proto_out="$out" \
  --ts_proto_opt=outputServices=grpc-js,esModuleInterop=true,env=node,oneof=unions-value,useDate=true,useOptionals=messages,forceLong=bigint \
  "$here"/../../protos/grpctuner/v1/*.proto
