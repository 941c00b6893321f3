#!/usr/bin/env bash
# RnnDsl, ONNX Runtime and PyTorch side by side on the same weights (issue 12, part 6):
#   bash benchmarks/Peers/run.sh              # three rounds, about five minutes on 2 cores
#   bash benchmarks/Peers/run.sh --rounds 5
# Installs the peers it needs: Debian's python3-torch and python3-numpy, and OpenBLAS with OpenMP (without it torch
# falls back to a slow reference BLAS); ONNX Runtime comes from NuGet with the build. Writes the table into
# benchmarks/README.md between the peers markers.
set -euo pipefail
cd "$(dirname "$0")/../.."

packages=()
/usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || packages+=(python3-torch python3-numpy)
dpkg -s libopenblas0-openmp >/dev/null 2>&1 || packages+=(libopenblas0-openmp)
if [ ${#packages[@]} -gt 0 ]; then
  echo "Installing ${packages[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}"
fi

dotnet run -c Release --project benchmarks/Peers -- "$@"
