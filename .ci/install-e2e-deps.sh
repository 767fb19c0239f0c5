#!/usr/bin/env bash
# System packages the in-editor tests (npm run test:e2e) need on Debian, installed only when
# missing: headless Chromium (drives code-server's workbench), kerberos headers, ripgrep and a
# C++ toolchain (code-server's native modules and its search binary build from them offline),
# unzip (lists the packaged .vsix).
# Idempotent and quiet; prints one line when it installs something.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -e /usr/include/gssapi/gssapi.h ] || command -v krb5-config >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
# Lists the files of the packaged .vsix.
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
# node-gyp builds code-server's native modules.
{ command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1; } || missing+=(build-essential)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-e2e-deps: missing ${missing[*]} and no apt-get here; install them by hand" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

echo "install-e2e-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
