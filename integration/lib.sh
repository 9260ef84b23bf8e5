# Shared plumbing for the integration scripts (source it first): the pass/fail tally, the exit stack, polling,
# network namespaces, and starting `netroot serve` until it says READY=1.

# --- the tally: pass/fail lines that say what was checked ---------------------------------------------------------
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
# expect DESCRIPTION COMMAND...: passes when the command succeeds.
expect() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
# summary NAME: the closing line, and the exit status.
summary() { echo "$1: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; }

# --- the exit stack -------------------------------------------------------------------------------------------------
# on_exit COMMAND...: COMMAND runs when the script ends, however it ends (its end, exit, a failure, Ctrl-C, SIGTERM):
# the commands in reverse order of registration, each whatever the others did. Scripts define no trap of their own
# (an EXIT trap set after sourcing this file would replace the stack's).
_exit_stack=()
on_exit() { _exit_stack+=("$(printf '%q ' "$@")"); }
_run_exit_stack() {
  local status=$? i
  trap '' INT TERM # the clean-up is not cut short by a second Ctrl-C
  trap - EXIT
  for ((i = ${#_exit_stack[@]} - 1; i >= 0; i--)); do eval "${_exit_stack[i]}" 2>/dev/null; done
  _exit_stack=()
  exit "$status"
}
trap _run_exit_stack EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# make_work: a scratch directory in $work, removed at exit (kept and named with KEEP_WORK=1).
make_work() {
  work=$(mktemp -d)
  on_exit _remove_work "$work"
}
_remove_work() { if [ -n "${KEEP_WORK:-}" ]; then echo "   kept $1"; else rm -rf "$1"; fi; }
# show_on_failure FILE...: at exit, if a check failed, the last 40 lines of each FILE (control bytes made visible):
# what a CI log needs to explain a failure nobody can rerun. Register it after make_work (it runs first).
show_on_failure() { on_exit _show_tails "$@"; }
_show_tails() {
  local file
  [ "$failed" -eq 0 ] && return
  for file in "$@"; do
    [ -s "$file" ] || continue
    echo "--- the last 40 lines of $file"
    tail -n 40 "$file" | cat -v | sed 's/^/   | /'
  done
}

# --- processes: ended at exit by PID, and only if the PID is still the process that was started ---------------------
# kill_on_exit PID...: SIGTERM at exit (SIGCONT too, for a stopped one), SIGKILL if it is still there 15 s later.
kill_on_exit() { local pid; for pid in "$@"; do _track "$pid" process; done; }
# kill_group_on_exit PID...: the same for the process group PID leads (a process started with setsid).
kill_group_on_exit() { local pid; for pid in "$@"; do _track "$pid" group; done; }
# kill_pidfile FILE: ends the process whose PID a process this script started wrote into FILE, if FILE exists.
kill_pidfile() { [ -s "$1" ] && kill "$(cat "$1")" 2>/dev/null; return 0; }
# The start time (clock ticks since boot) tells a PID still held by its process from a PID used again.
_start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  # shellcheck disable=SC2086 # the fields after the command name
  set -- $stat
  echo "${20}"
}
# _alive PID: the process runs (it exists and has not exited: a zombie has).
_alive() { local stat; stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; stat=${stat##*) }; [ "${stat%% *}" != Z ]; }
_track() {
  local started
  started=$(_start_time "$1") || return 0 # already gone
  on_exit _end_process "$1" "$started" "$2"
}
_end_process() { # PID START-TIME process|group
  local pid=$1 started=$2 i
  if [ "$3" = group ]; then
    # The group outlives its leader (Firefox restarts itself): end it if the leader is ours or gone.
    if [ "$(_start_time "$pid")" = "$started" ] || [ ! -e "/proc/$pid" ]; then
      kill -TERM -- -"$pid" 2>/dev/null; kill -CONT -- -"$pid" 2>/dev/null
    fi
  else
    [ "$(_start_time "$pid")" = "$started" ] || return 0
    kill -TERM "$pid" 2>/dev/null; kill -CONT "$pid" 2>/dev/null
  fi
  for ((i = 0; i < 150; i++)); do
    _alive "$pid" && [ "$(_start_time "$pid")" = "$started" ] || break
    sleep 0.1
  done
  [ "$i" -eq 150 ] && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

# --- polling ----------------------------------------------------------------------------------------------------------
# wait_until [-i INTERVAL] TIMEOUT COMMAND...: runs COMMAND every INTERVAL seconds (default 0.1) until it succeeds
# (status 0) or TIMEOUT seconds have passed (status 1). Seconds may have decimals. COMMAND is run as given, so a
# condition with $(…) in it goes in a function (its arguments are expanded once, at the call).
wait_until() {
  local interval=0.1 deadline now
  if [ "$1" = -i ]; then interval=$2; shift 2; fi
  deadline=$(($(_now_ms) + $(_to_ms "$1"))); shift
  while true; do
    "$@" && return 0
    now=${EPOCHREALTIME/[.,]/} # microseconds
    [ "${now:0:-3}" -lt "$deadline" ] || return 1
    sleep "$interval"
  done
}
_now_ms() { local now=${EPOCHREALTIME/[.,]/}; echo "${now:0:-3}"; }
_to_ms() { # SECONDS (decimals allowed) as milliseconds
  local whole=${1%%.*} fraction
  fraction=${1#"$whole"}; fraction=${fraction#.}000
  echo $((10#${whole:-0} * 1000 + 10#${fraction:0:3}))
}
# not COMMAND...: succeeds when COMMAND fails (for wait_until: wait_until 5 not pgrep -g GROUP).
not() { ! "$@"; }
# grep_more PATTERN FILE COUNT: FILE has more than COUNT lines matching PATTERN (a log line that came after COUNT).
grep_more() { [ "$(grep -c -- "$1" "$2" 2>/dev/null)" -gt "$3" ]; }

# --- network namespaces, bridges, veth pairs, taps ------------------------------------------------------------------
# Nothing here touches the host's interfaces: everything is made inside namespaces named nr*, and goes with them.
# netns_add NAME...: namespaces with their loopback up, deleted at exit (after what started later has been ended).
netns_add() {
  local name
  for name in "$@"; do
    [[ $name == nr* ]] || { echo "netns_add: $name: the tests' namespaces are named nr*" >&2; return 1; }
    ip netns add "$name" || return 1
    on_exit ip netns del "$name"
    ip -n "$name" link set lo up
  done
}
# netns_bridge NS BRIDGE [ADDRESS/PREFIX]: a bridge in NS (forward delay 0, STP off, its IPv6 link-local address
# usable at once: netroot sends router advertisements from it), with ADDRESS, up.
netns_bridge() {
  ip -n "$1" link add "$2" type bridge forward_delay 0 stp_state 0 || return 1
  ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.accept_dad=0"
  [ -z "${3:-}" ] || ip -n "$1" addr add "$3" dev "$2"
  ip -n "$1" link set "$2" up
}
# netns_veth NS IF PEER-NS PEER [master=BRIDGE] [addr=A/P] [mac=MAC] [peer_addr=A/P] [peer_mac=MAC]: a veth pair,
# IF in NS (a port of BRIDGE there) and PEER in PEER-NS, both up, IPv6 link-local addresses usable at once.
netns_veth() {
  local ns=$1 name=$2 peer_ns=$3 peer=$4 option master="" addr="" mac="" peer_addr="" peer_mac=""
  shift 4
  for option in "$@"; do
    case $option in
      master=* | addr=* | mac=* | peer_addr=* | peer_mac=*) printf -v "${option%%=*}" %s "${option#*=}" ;;
      *) echo "netns_veth: unknown option $option" >&2; return 1 ;;
    esac
  done
  ip -n "$ns" link add "$name" type veth peer name "$peer" netns "$peer_ns" || return 1
  [ -z "$master" ] || ip -n "$ns" link set "$name" master "$master"
  [ -z "$addr" ] || ip -n "$ns" addr add "$addr" dev "$name"
  [ -z "$mac" ] || ip -n "$ns" link set "$name" address "$mac"
  [ -z "$peer_addr" ] || ip -n "$peer_ns" addr add "$peer_addr" dev "$peer"
  [ -z "$peer_mac" ] || ip -n "$peer_ns" link set "$peer" address "$peer_mac"
  ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$name.accept_dad=0"
  ip netns exec "$peer_ns" sysctl -qw "net.ipv6.conf.$peer.accept_dad=0"
  ip -n "$ns" link set "$name" up
  ip -n "$peer_ns" link set "$peer" up
}
# netns_taps NS BRIDGE TAP...: taps for QEMU nodes (-netdev tap,ifname=TAP), ports of BRIDGE, up.
netns_taps() {
  local ns=$1 bridge=$2 tap
  shift 2
  for tap in "$@"; do
    ip -n "$ns" tuntap add "$tap" mode tap || return 1
    ip -n "$ns" link set "$tap" master "$bridge" up
  done
}

# --- netroot serve, started until it is ready -----------------------------------------------------------------------
# serve_start LOG COMMAND...: runs COMMAND (`ip netns exec NS netroot serve --config …`, any wrapper) in the
# background, its output appended to LOG, with NOTIFY_SOCKET at a datagram socket read by a listener started here,
# and waits for serve's sd_notify READY=1 (SERVE_TIMEOUT seconds, default 30). Sets server_pid, and
# server_notifications: the file of the messages serve sent, one a line (newlines inside one as spaces). The
# server's and the listener's ends are on the exit stack. If serve exits or stays unready, prints LOG's tail and
# returns 1.
server_pid="" server_notifications=""
serve_start() {
  local log=$1 dir deadline
  shift
  # Its own directory, which any user may pass through: serve may run as another user (setpriv).
  dir=$(mktemp -d /tmp/nrnotify.XXXXXX) && chmod 711 "$dir" || return 1
  on_exit rm -rf "$dir"
  python3 - "$dir/notify.sock" "$dir/notifications" <<'PY' &
import os, socket, sys
listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
listener.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(listener.recv(65536).decode(errors="replace").replace("\n", " ") + "\n")
PY
  kill_on_exit $!
  wait_until 10 test -e "$dir/notifications" ||
    { echo "serve_start: the notification listener did not start"; return 1; }
  server_notifications=$dir/notifications
  NOTIFY_SOCKET=$dir/notify.sock "$@" >>"$log" 2>&1 &
  server_pid=$!
  kill_on_exit "$server_pid"
  deadline=$(($(_now_ms) + $(_to_ms "${SERVE_TIMEOUT:-30}")))
  until grep -q '^READY=1' "$server_notifications"; do
    if ! _alive "$server_pid"; then
      echo "serve exited before it was ready; the end of $log:"; tail -n 15 "$log" | sed 's/^/  /'; return 1
    fi
    if [ "$(_now_ms)" -ge "$deadline" ]; then
      echo "serve not ready after ${SERVE_TIMEOUT:-30} s; the end of $log:"; tail -n 15 "$log" | sed 's/^/  /'; return 1
    fi
    sleep 0.05
  done
}

# --- capabilities ----------------------------------------------------------------------------------------------------
# show_capabilities PID: the process's Uid, Cap* and NoNewPrivs lines, and how many of its threads (each has its own
# sets) hold any capability.
show_capabilities() {
  grep -E '^(Uid|Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):' "/proc/$1/status" | tr -s '\t' ' ' | sed 's/^/   /'
  echo "   threads holding a capability: $(_privileged_threads "$1") of $(find "/proc/$1/task" -mindepth 1 -maxdepth 1 | wc -l)"
}
# holds_no_capabilities PID: no thread of PID has a permitted, effective, inheritable or ambient capability, and
# no_new_privs is set (no exec can gain any back).
holds_no_capabilities() {
  [ "$(_privileged_threads "$1")" -eq 0 ] && grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$1/status"
}
_privileged_threads() {
  local status count=0
  for status in /proc/"$1"/task/*/status; do
    grep -qE '^Cap(Inh|Prm|Eff|Amb):[[:space:]]*0*[1-9a-f]' "$status" && count=$((count + 1))
  done
  echo "$count"
}
