#!/usr/bin/env bash
# Sets up a fresh clone: npm packages (pinned by package-lock.json) and the system tools the tests run, as Debian
# packages (as root): Verilator (lint and co-simulation), g++ and make (Verilator builds its C++ models with them),
# python3 (the PyTorch baseline's energy-accounting tests; no torch needed).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
missing=()
command -v verilator >/dev/null 2>&1 || missing+=(verilator)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]} with apt-get ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "error: missing ${missing[*]}. On Debian/Ubuntu run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
echo "setup done: node $(node --version), $(verilator --version), $(g++ --version | head -1), $(python3 --version)"
