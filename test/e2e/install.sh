#!/usr/bin/env bash
# Installs what the real-VS-Code tests need, outside the repository:
#   - Debian packages chromium, ripgrep, libkrb5-dev (apt-get; only when missing);
#   - code-server 4.100.3 (VS Code 1.100.3) into ${IRQTOPO_E2E_CACHE:-$HOME/.cache/irqtopo-e2e}.
# A second run only checks and returns (well under a second).
# Recipe and pitfalls: ../shared/guides/real-clients.md, section 3.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
CACHE="${IRQTOPO_E2E_CACHE:-$HOME/.cache/irqtopo-e2e}"
PREFIX="$CACHE/code-server-$CODE_SERVER_VERSION"
BIN="$PREFIX/node_modules/.bin/code-server"
STAMP="$PREFIX/.installed"

log() { printf '[e2e install] %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------------------------------
missing=()
for pkg in chromium ripgrep libkrb5-dev; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  SUDO=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then SUDO=(sudo); else
      log "need root (or sudo) to install: ${missing[*]}"; exit 1
    fi
  fi
  log "apt-get install ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
[ -x /usr/bin/chromium ] || { log "/usr/bin/chromium is missing after apt-get"; exit 1; }
[ -x /usr/bin/rg ] || { log "/usr/bin/rg is missing after apt-get"; exit 1; }

# --- code-server -----------------------------------------------------------------------------------
if [ -f "$STAMP" ] && [ -x "$BIN" ]; then
  log "code-server $CODE_SERVER_VERSION already in $PREFIX"
  echo "$BIN"
  exit 0
fi

log "installing code-server@$CODE_SERVER_VERSION into $PREFIX (about 90 s, 300 MB)"
start=$(date +%s)
mkdir -p "$PREFIX"
# The install must see the same TMPDIR (os.tmpdir()) as the ripgrep cache below.
TMPDIR="$(mktemp -d)"
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
# @vscode/ripgrep's postinstall downloads rg unless its cache in os.tmpdir() already holds it:
# hand it Debian's rg in the archive it expects.
mkdir -p "$TMPDIR/vscode-ripgrep-cache-1.15.11" "$TMPDIR/rgpkg"
cp /usr/bin/rg "$TMPDIR/rgpkg/rg"
tar czf "$TMPDIR/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" \
  -C "$TMPDIR/rgpkg" rg
# As root the postinstall needs unsafe_perm; a user npmrc with yes=false breaks node-pty's `npx node-gyp`.
npm_config_unsafe_perm=true npm_config_yes=true npm_config_fund=false npm_config_audit=false \
  npm install --prefix "$PREFIX" --no-save "code-server@$CODE_SERVER_VERSION" >&2
"$BIN" --version >&2
date -u +%FT%TZ >"$STAMP"
log "code-server installed in $(( $(date +%s) - start )) s"
echo "$BIN"
