#!/usr/bin/env bash
# Sets up a fresh clone: npm packages (pinned by package-lock.json) and Verilator (Debian package, as root).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
if ! command -v verilator >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Verilator with apt-get ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq verilator >/dev/null
  else
    echo "error: Verilator is not installed. On Debian/Ubuntu run: sudo apt-get install -y verilator" >&2
    exit 1
  fi
fi
echo "setup done: node $(node --version), $(verilator --version)"
