# Sourced by bin/demo, bin/test and bin/bench: make sure .venv exists with Huiyin installed.
# Sets REPO, VENV and PY; puts $VENV/bin first on PATH. Re-installs when pyproject.toml changes.
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${HUIYIN_VENV:-$REPO/.venv}"
PY="$VENV/bin/python"
if ! command -v python3.11 >/dev/null 2>&1; then
    echo "bin: python3.11 not found. On Debian: apt-get install -y python3.11 python3.11-venv" >&2
    exit 2
fi
if [ ! -x "$PY" ]; then
    echo "bin: creating $VENV (python3.11 -m venv)"
    python3.11 -m venv "$VENV" || exit 2
fi
_stamp="$VENV/.huiyin-installed"
_want="$(sha256sum "$REPO/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$_stamp" ] || [ "$(cat "$_stamp")" != "$_want" ]; then
    echo "bin: pip install -e '.[dev]' into $VENV"
    "$PY" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
    if ! "$PY" -m pip install -e "$REPO[dev]" >"$VENV/pip-install.log" 2>&1; then
        tail -40 "$VENV/pip-install.log" >&2
        echo "bin: pip install failed (full log: $VENV/pip-install.log)" >&2
        exit 2
    fi
    echo "$_want" > "$_stamp"
fi
export PATH="$VENV/bin:$PATH"
