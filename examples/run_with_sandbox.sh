#!/bin/sh
# Runs one example against a fresh local sandbox, the way ctest does (examples/CMakeLists.txt):
#   run_with_sandbox.sh MEDIAJOBS_BINARY SERVICE EXAMPLE_BINARY [ARGS...]
# Starts `mediajobs sandbox --port 0 --speed 50`, reads its first stdout line
# ("listening on http://127.0.0.1:PORT"), exports MEDIAJOBS_BASE_URL=<that URL>/SERVICE and
# MEDIAJOBS_API_KEY=sandbox-key (plus MEDIAJOBS_WEBHOOK_SECRET, the sandbox's webhook secret), runs
# the example with a time limit, stops the sandbox, and exits with the example's status.
# Env: EXAMPLE_TIMEOUT (seconds, default 60), SANDBOX_SPEED (default 50).
set -u

if [ $# -lt 3 ]; then
  echo "usage: $0 MEDIAJOBS_BINARY SERVICE EXAMPLE_BINARY [ARGS...]" >&2
  exit 2
fi
cli=$1 service=$2 example=$3
shift 3
[ -x "$cli" ] || { echo "run_with_sandbox: $cli is not an executable (build the mediajobs_cli target)" >&2; exit 2; }
[ -x "$example" ] || { echo "run_with_sandbox: $example is not an executable" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mj-example.XXXXXX") || exit 2
sandbox_pid=""
# shellcheck disable=SC2317  # called through the trap
cleanup() {
  if [ -n "$sandbox_pid" ]; then
    kill "$sandbox_pid" 2>/dev/null  # SIGTERM: the sandbox stops cleanly
    n=0
    while kill -0 "$sandbox_pid" 2>/dev/null && [ "$n" -lt 50 ]; do
      n=$((n + 1))
      sleep 0.1
    done
    kill -KILL "$sandbox_pid" 2>/dev/null  # still there after 5 s: it would hang the test
    wait "$sandbox_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$cli" sandbox --host 127.0.0.1 --port 0 --speed "${SANDBOX_SPEED:-50}" --api-key sandbox-key \
  >"$work/stdout" 2>"$work/stderr" &
sandbox_pid=$!

# Wait (at most about 15 s) for the first line; the sandbox prints it once it listens.
url=""
tries=0
while [ "$tries" -lt 150 ]; do
  line=$(head -n 1 "$work/stdout" 2>/dev/null)
  case "$line" in
    "listening on "*) url=${line#listening on }; break ;;
  esac
  if ! kill -0 "$sandbox_pid" 2>/dev/null; then
    echo "run_with_sandbox: the sandbox exited before listening:" >&2
    cat "$work/stderr" >&2
    sandbox_pid=""
    exit 1
  fi
  tries=$((tries + 1))
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "run_with_sandbox: no 'listening on' line from the sandbox within 15 s" >&2
  cat "$work/stderr" >&2
  exit 1
fi

MEDIAJOBS_BASE_URL="$url/$service"
MEDIAJOBS_API_KEY=sandbox-key
MEDIAJOBS_WEBHOOK_SECRET=${MEDIAJOBS_WEBHOOK_SECRET:-whsec_c2FuZGJveC13ZWJob29rLXNlY3JldA==}  # the Style sandbox default
export MEDIAJOBS_BASE_URL MEDIAJOBS_API_KEY MEDIAJOBS_WEBHOOK_SECRET
echo "run_with_sandbox: $(basename "$example") against $MEDIAJOBS_BASE_URL"

timeout --kill-after=5 "${EXAMPLE_TIMEOUT:-60}" "$example" "$@"
status=$?
if [ $status -eq 124 ]; then
  echo "run_with_sandbox: $(basename "$example") did not finish within ${EXAMPLE_TIMEOUT:-60} s" >&2
fi
if [ $status -ne 0 ]; then
  echo "run_with_sandbox: sandbox log:" >&2
  tail -n 40 "$work/stderr" >&2
fi
exit $status
