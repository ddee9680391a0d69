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
    echo "bin: pip install -e '.[dev]' into $VENV (first time: a few minutes; full log $VENV/pip-install.log)"
    "$PY" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
    # Progress: one line per package as pip fetches it; the full output goes to the log.
    case $- in *e*) _had_e=1 ;; *) _had_e=0 ;; esac
    set +e
    "$PY" -m pip install --progress-bar off -e "$REPO[dev]" 2>&1 | tee "$VENV/pip-install.log" \
        | { grep --line-buffered -E "^(Collecting|Installing collected|Successfully installed)" \
            | sed -u -E 's/^Collecting ([^ ]+).*/  · \1/; s/^Installing collected packages.*/  正在安装……/; s/^Successfully installed.*/  安装完成/'; true; }
    _pip_status=${PIPESTATUS[0]}
    [ "$_had_e" = 1 ] && set -e
    if [ "$_pip_status" -ne 0 ]; then
        tail -40 "$VENV/pip-install.log" >&2
        echo "bin: pip install failed (full log: $VENV/pip-install.log)" >&2
        exit 2
    fi
    echo "$_want" > "$_stamp"
fi
export PATH="$VENV/bin:$PATH"
