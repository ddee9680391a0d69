#!/usr/bin/env bash
# Refresh the vendored front-end assets in huiyin/static/vendor/ from the npm
# registry. The intranet has no CDN, so these files are served by Django.
#
# Usage (from anywhere):
#   huiyin/static/vendor/refresh.sh                 # refresh all packages at the pinned versions below
#   BOOTSTRAP_VERSION=5.3.10 huiyin/static/vendor/refresh.sh bootstrap
#   PACK_DIR=/tmp/vendor huiyin/static/vendor/refresh.sh   # reuse tarballs already in PACK_DIR
#
# For each package it: runs `npm pack <name>@<version>` in a temporary
# directory outside the repo (unless the tarball is already in PACK_DIR),
# checks the tarball's sha512 against `npm view <name>@<version> dist.integrity`,
# extracts it, replaces huiyin/static/vendor/<name>/ with only the built
# distribution files, and writes <name>/VERSION.
#
# Source maps are not vendored, so the trailing `sourceMappingURL` comment is
# removed from the copied .js/.css files. Without this, Django's
# ManifestStaticFilesStorage fails in `collectstatic` ("The file '....map'
# could not be found"), and browser dev tools log 404s for the missing maps.
# Nothing else in the files is changed.
#
# Needs: bash, npm, node, tar, openssl, base64, sed.
set -euo pipefail

BOOTSTRAP_VERSION="${BOOTSTRAP_VERSION:-5.3.9}"
BOOTSTRAP_ICONS_VERSION="${BOOTSTRAP_ICONS_VERSION:-1.13.2}"
HTMX_VERSION="${HTMX_VERSION:-2.0.11}"
ECHARTS_VERSION="${ECHARTS_VERSION:-6.1.0}"
AXE_CORE_VERSION="${AXE_CORE_VERSION:-4.14.1}"

VENDOR_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/huiyin-vendor.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
PACK_DIR="${PACK_DIR:-$WORK}"

# fetch <npm-name> <version>  -> sets PKG (extracted package dir) and INTEGRITY
fetch() {
    local name="$1" version="$2" tgz expected actual
    local base="${name#@}"                      # npm pack: @scope/name -> scope-name-<version>.tgz
    tgz="$PACK_DIR/${base//\//-}-$version.tgz"
    if [[ ! -f "$tgz" ]]; then
        (cd "$PACK_DIR" && npm pack --silent "$name@$version" >/dev/null)
    fi
    expected="$(npm view "$name@$version" dist.integrity 2>/dev/null)"
    actual="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 | tr -d '\n')"
    if [[ -z "$expected" || "$expected" != "$actual" ]]; then
        echo "integrity mismatch for $name@$version: registry '$expected', tarball '$actual'" >&2
        exit 1
    fi
    PKG="$WORK/x-$name-$version"
    rm -rf "$PKG" && mkdir -p "$PKG"
    tar -xzf "$tgz" -C "$PKG"
    PKG="$PKG/package"
    local got
    got="$(node -p "require('$PKG/package.json').version")"
    [[ "$got" == "$version" ]] || { echo "$name: package.json says $got, wanted $version" >&2; exit 1; }
    INTEGRITY="$expected"
}

# Test-only packages (axe-core) live with the browser tests, never among the served static files.
TEST_VENDOR_DIR="$(cd "$VENDOR_DIR/../../../tests/browser" && pwd)/vendor"

# start <folder> [<base dir>]: empty the package's vendor folder
start() {
    DEST="${2:-$VENDOR_DIR}/$1"
    MODIFIED=()
    rm -rf "$DEST"
    mkdir -p "$DEST"
}

# put <source relative to package> <destination relative to $DEST>
put() {
    mkdir -p "$(dirname "$DEST/$2")"
    cp "$PKG/$1" "$DEST/$2"
    case "$2" in
        *.js)  sed -i -E '/^\/\/# sourceMappingURL=[^ ]*\s*$/d' "$DEST/$2" ;;
        *.css) sed -i -E '/^\/\*# sourceMappingURL=[^ ]* \*\/\s*$/d' "$DEST/$2" ;;
    esac
    cmp -s "$PKG/$1" "$DEST/$2" || MODIFIED+=("$2 (sourceMappingURL comment removed)")
}

# finish <npm-name> <version> <licence>
finish() {
    local f
    {
        echo "package: $1"
        echo "version: $2"
        echo "license: $3"
        echo "integrity: $INTEGRITY"
        echo "source: npm pack $1@$2"
        if [[ ${#MODIFIED[@]} -eq 0 ]]; then
            echo "modified: none (files are byte-identical to the tarball)"
        else
            echo "modified: ${MODIFIED[*]}; everything else byte-identical to the tarball"
        fi
        echo "files (sha256):"
        (cd "$DEST" && find . -type f ! -name VERSION | sed 's|^\./||' | LC_ALL=C sort | while read -r f; do
            echo "  $(sha256sum "$f" | cut -d' ' -f1)  $f"
        done)
    } > "$DEST/VERSION"
    echo "vendored $1@$2 -> $DEST"
}

do_bootstrap() {
    fetch bootstrap "$BOOTSTRAP_VERSION"; start bootstrap
    put dist/css/bootstrap.min.css     bootstrap.min.css
    put dist/js/bootstrap.bundle.min.js bootstrap.bundle.min.js
    put LICENSE LICENSE
    finish bootstrap "$BOOTSTRAP_VERSION" MIT
}

do_bootstrap_icons() {
    fetch bootstrap-icons "$BOOTSTRAP_ICONS_VERSION"; start bootstrap-icons
    # the css refers to url("fonts/bootstrap-icons.woff2?..."): keep fonts/ beside it
    put font/bootstrap-icons.min.css          bootstrap-icons.min.css
    put font/fonts/bootstrap-icons.woff2      fonts/bootstrap-icons.woff2
    put font/fonts/bootstrap-icons.woff       fonts/bootstrap-icons.woff
    put LICENSE LICENSE
    finish bootstrap-icons "$BOOTSTRAP_ICONS_VERSION" MIT
}

do_htmx() {
    fetch htmx.org "$HTMX_VERSION"; start htmx.org
    put dist/htmx.min.js htmx.min.js
    put LICENSE LICENSE
    finish htmx.org "$HTMX_VERSION" 0BSD
}

do_echarts() {
    fetch echarts "$ECHARTS_VERSION"; start echarts
    put dist/echarts.min.js echarts.min.js
    put LICENSE LICENSE
    [[ -f "$PKG/NOTICE" ]] && put NOTICE NOTICE
    # LICENSE points to licenses/LICENSE-d3 for the d3 code bundled in dist
    [[ -f "$PKG/licenses/LICENSE-d3" ]] && put licenses/LICENSE-d3 LICENSE-d3
    finish echarts "$ECHARTS_VERSION" Apache-2.0
}

do_axe_core() {
    fetch axe-core "$AXE_CORE_VERSION"; start axe-core "$TEST_VENDOR_DIR"
    put axe.min.js axe.min.js
    put LICENSE LICENSE
    [[ -f "$PKG/LICENSE-3RD-PARTY.txt" ]] && put LICENSE-3RD-PARTY.txt LICENSE-3RD-PARTY.txt
    finish axe-core "$AXE_CORE_VERSION" MPL-2.0
}

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(bootstrap bootstrap-icons htmx.org echarts axe-core)
for t in "${targets[@]}"; do
    case "$t" in
        bootstrap)       do_bootstrap ;;
        bootstrap-icons) do_bootstrap_icons ;;
        htmx.org|htmx)   do_htmx ;;
        echarts)         do_echarts ;;
        axe-core)        do_axe_core ;;
        *) echo "unknown package: $t" >&2; exit 2 ;;
    esac
done

# Nothing vendored may make the browser fetch from another host at run time.
if grep -rnoE '@import[^;]*https?:|url\(["'"'"']?(https?:)?//' "$VENDOR_DIR" --include='*.css'; then
    echo "external URL found in vendored css (see above)" >&2
    exit 1
fi
