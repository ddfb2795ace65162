# Shared by the topology script tests: find the CLI, make a temp state dir, small assertions.
set -euo pipefail
: "${DECNET_BINARY_DIR:?}" "${DECNET_SOURCE_DIR:?}"
if [[ -x "$DECNET_BINARY_DIR/bin/decnet" ]] && "$DECNET_BINARY_DIR/bin/decnet" topology --help >/dev/null 2>&1; then
  DECNET="$DECNET_BINARY_DIR/bin/decnet"
else
  DECNET="$DECNET_BINARY_DIR/tests/topology/topology_cli"
fi
WORK=$(mktemp -d /tmp/decnet-topology-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export DECNET_STATE_DIR="$WORK/state"
# These tests drive the docker runtime (a stub or a real dockerd); as root the default would be netns.
export DECNET_RUNTIME="${DECNET_RUNTIME:-docker}"
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() {  # expect_rc RC cmd...
  local want=$1; shift
  set +e; "$@" >"$WORK/out" 2>"$WORK/err"; local got=$?; set -e
  [[ $got == "$want" ]] || { cat "$WORK/out" "$WORK/err" >&2; fail "'$*' exited $got, want $want"; }
}
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
