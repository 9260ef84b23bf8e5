# Shared helpers for integration scripts: a pass/fail tally that prints what was checked.
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
# expect DESCRIPTION COMMAND...: passes when the command succeeds.
expect() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
# summary NAME: the closing line, and the exit status.
summary() { echo "$1: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; }
