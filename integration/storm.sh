# The reload storm of integration/pxe-boot: nodes.yaml is rewritten 50 times a second, valid and invalid
# versions alternating, by rename and in place (as editors do), while a node boots and two udhcpc clients
# renew and fetch their pxelinux config. Each valid version N puts N into three DHCP values the clients see
# (option 17 nfs:…/srv/beta/vN, option 15 vN.storm, option 51 7200+N) and into the node's generated config
# (storm=N); each invalid version adds a node with a broken MAC. Source it after lib.sh and nodes.sh; it uses
# $work, $ns, $root, $mac1, $mac2 and the bridge nrpxebr of pxe-boot; what it starts is ended by the exit stack.

storm_macs=(52:54:00:c0:ff:21 52:54:00:c0:ff:22)
storm_ips=(10.203.0.21 10.203.0.22)
storm_udhcpc=()

# storm_template: nodes.yaml with @N@ (the version) and @LEASE@ (7200 + N) to fill in.
storm_template() {
  cat <<YAML
server:
  interface: nrpxebr
  tftp_root: $root
  state_dir: $work/state
networks:
  provision: {subnet: 10.203.0.0/24, router: 10.203.0.1, domain: v@N@.storm, lease_time: @LEASE@, pool: 10.203.0.100-10.203.0.110}
images:
  alpha:
    kernel: alpha/vmlinuz
    initrd: alpha/initrd.gz
    root_path: nfs:10.203.0.1:/srv/alpha
    cmdline: root=dhcp console=ttyS0 quiet
  beta:
    kernel: beta/vmlinuz
    initrd: beta/initrd.gz
    root_path: nfs:10.203.0.1:/srv/beta/v@N@
    cmdline: root=dhcp console=ttyS0 quiet storm=@N@
nodes:
  node1: {mac: "$mac1", ip: 10.203.0.11, image: beta}
  node2: {mac: "$mac2", ip: 10.203.0.12, image: beta}
  storm1: {mac: "${storm_macs[0]}", ip: ${storm_ips[0]}, image: beta}
  storm2: {mac: "${storm_macs[1]}", ip: ${storm_ips[1]}, image: beta}
YAML
}

# storm_version N: writes version N of the storm's nodes.yaml by rename (N even: valid).
storm_version() {
  storm_template | sed -e "s/@N@/$1/g; s/@LEASE@/$((7200 + $1))/" >"$work/nodes.yaml.tmp"
  mv "$work/nodes.yaml.tmp" "$work/nodes.yaml"
}

# storm_clients_up: two client namespaces on the bridge, each with a udhcpc that records every lease it gets
# (and configures its address, so that it can renew by unicast).
storm_clients_up() {
  local i client
  cat >"$work/storm-lease.sh" <<'LEASE'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr replace "$ip/$mask" dev "$interface"
    echo "$1 $ip $rootpath $domain $lease" >>"$STORM_DIR/$interface.leases" ;;
esac
LEASE
  chmod +x "$work/storm-lease.sh"
  for i in 1 2; do
    client=${ns}c$i
    netns_add "$client"
    netns_veth "$ns" "nrpxes$i" "$client" "nrpxec$i" master=nrpxebr peer_mac="${storm_macs[i-1]}"
    : >"$work/nrpxec$i.leases"
    ip netns exec "$client" env STORM_DIR="$work" busybox udhcpc -i "nrpxec$i" -f -t 10 -T 1 \
      -s "$work/storm-lease.sh" -O rootpath >"$work/udhcpc$i.log" 2>&1 &
    storm_udhcpc+=($!)
    kill_on_exit $!
  done
  wait_until 10 test -s "$work/nrpxec1.leases" -a -s "$work/nrpxec2.leases"
}

# storm_renewer INDEX: until storm.renewers.stop exists, renews (SIGUSR1), then fetches the client's config by
# TFTP right after; records the lease, the config's storm=M, and the server's reload count before and after.
storm_renewer() {
  local i=$1 leases=$work/nrpxec$1.leases pid=${storm_udhcpc[$1-1]} count before after config
  local name="pxelinux.cfg/01-${storm_macs[$1-1]//:/-}"
  while [ ! -e "$work/storm.renewers.stop" ]; do
    before=$(grep -c "reloaded " "$work/server.log")
    count=$(wc -l <"$leases")
    kill -USR1 "$pid"
    if ! wait_until -i 0.025 2 grep_more "" "$leases" "$count"; then
      echo "no-renewal" >>"$work/storm$i.checks"; continue
    fi
    config=$(ip netns exec "${ns}c$i" curl -s --max-time 2 "tftp://10.203.0.1/$name")
    sleep 0.05 # a reload published during the fetch has logged its line by now
    after=$(grep -c "reloaded " "$work/server.log")
    echo "$(tail -1 "$leases") | $(grep -o 'storm=[0-9]*' <<<"$config" | head -1) $before $after" >>"$work/storm$i.checks"
    [ -n "$config" ] || echo "no config: $(ip netns exec "${ns}c$i" curl -sS --max-time 2 "tftp://10.203.0.1/$name" 2>&1 | head -c 200)" >>"$work/storm$i.errors"
    sleep 0.1
  done
}

# storm_write SECONDS: rewrites nodes.yaml 50 times a second for at least SECONDS, until storm.stop exists; then
# writes one last valid version and prints its number. Every third write is in place, the others by rename.
storm_write() {
  storm_template >"$work/storm.template"
  python3 - "$work/nodes.yaml" "$work/storm.template" "$1" "$work/storm.stop" "$work/storm.writes" <<'PY'
import os, sys, time
path, template_path, minimum, stop, log = sys.argv[1:6]
template = open(template_path).read()
def render(n):
    text = template.replace("@N@", str(n)).replace("@LEASE@", str(7200 + n))
    if n % 2:
        text += '  bad%d: {mac: "52:54:00:c0:ff:zz", ip: 10.203.0.30}\n' % n
    return text
def write(n, in_place):
    if in_place:
        with open(path, "w") as f: f.write(render(n))
    else:
        with open(path + ".storm", "w") as f: f.write(render(n))
        os.rename(path + ".storm", path)
n, count, start = 100, 0, time.monotonic()
with open(log, "w") as out:
    while time.monotonic() - start < float(minimum) or not os.path.exists(stop):
        in_place = count % 3 == 2
        write(n, in_place)
        out.write("%.3f %d %s\n" % (time.monotonic() - start, n, "in-place" if in_place else "rename"))
        n, count = n + 1, count + 1
        time.sleep(max(0.0, start + count * 0.02 - time.monotonic()))
    if n % 2: n += 1
    write(n, False)
    out.write("%.3f %d final\n" % (time.monotonic() - start, n))
print(n)
PY
}

# storm_checks FINAL FIRST-LOG-LINE: prints "PASS|…" or "FAIL|…" lines about the storm (see pxe-boot).
storm_checks() {
  python3 - "$work" "$1" "$2" "$(($(wc -l <"$work/storm.template") + 1))" 2>&1 <<'PY'
import re, sys, traceback
sys.excepthook = lambda *e: print("FAIL|the storm checks crashed: " + " ".join(traceback.format_exception(*e)).replace("\n", " "))
work, final, first_line, bad_line = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def check(ok, what): print(("PASS|" if ok else "FAIL|") + what)
writes = [line.split() for line in open(work + "/storm.writes")]
storm = [w for w in writes if w[2] != "final"]
seconds = float(storm[-1][0])
in_place = sum(1 for w in storm if w[2] == "in-place")
check(seconds >= 10 and len(storm) / seconds > 45,
      "nodes.yaml rewritten %d times in %.1f s (%.0f/s; %d in place, %d by rename; valid and invalid alternating)"
      % (len(storm), seconds, len(storm) / seconds, in_place, len(storm) - in_place))
log = open(work + "/server.log", errors="replace").read().splitlines()[first_line:]
reloaded = [l for l in log if "reloaded " in l]
took = [int(m.group(1)) for l in reloaded for m in [re.search(r"took (\d+) ms", l)] if m]
check(len(reloaded) >= 10 and len(took) == len(reloaded) and max(took) < 1000,
      "%d reloads took effect during the storm, the slowest in %s ms (none blocks for seconds)"
      % (len(reloaded), max(took) if took else "?"))
# Each refusal comes after its error lines; each must be the invalid version's own broken node, or an empty file:
# an in-place write read between its truncation and its write (refused, the last good version serving; the
# next write's event reloads the whole file, and no half-written file may be applied: checked below).
refusals, errors, bad, empty = 0, [], [], 0
for line in log:
    if "reload refused" in line:
        refusals += 1
        if errors and all("the inventory is empty" in e for e in errors):
            empty += 1
        elif not errors or not all(re.search(r"nodes\.yaml:%d:\d+: node bad(\d*[13579]): " % bad_line, e) for e in errors):
            bad.append(errors[:2] or [line])
        errors = []
    elif re.search(r"nodes\.yaml:\d+:\d+: ", line):
        errors.append(line)
check(refusals - empty >= 5 and not bad,
      "%d invalid versions refused, each with its own error at nodes.yaml:%d:COL (node badN, N odd); %d reads of a "
      "file emptied by an in-place write refused as empty%s"
      % (refusals - empty, bad_line, empty, "; wrong: %s" % bad[:3] if bad else ""))
# Every valid version has the same nodes: a half-written file taken as valid would add or remove some, and one
# cut inside server: would "need a restart".
torn = [l for l in reloaded if "added " in l or "removed " in l] + [l for l in log if "changed from" in l]
check(not torn, "no half-written file was ever applied (%d reads found the file changing under them and "
      "read it again)%s" % (sum(1 for l in log if "kept changing" in l), "; %s" % torn[:2] if torn else ""))
def version_of(rootpath, domain, lease):
    a = re.fullmatch(r"nfs:10\.203\.0\.1:/srv/beta/v(\d+)", rootpath)
    b = re.fullmatch(r"v(\d+)\.storm", domain)
    values = {int(a.group(1)) if a else -1, int(b.group(1)) if b else -2, int(lease) - 7200}
    return values.pop() if len(values) == 1 else None
for client in (1, 2):
    lines = [l.strip() for l in open("%s/storm%d.checks" % (work, client))]
    answered = [l for l in lines if l != "no-renewal"]
    mixed, invalid, configs, same, window = [], [], [], 0, 0
    for line in answered:
        parsed = re.fullmatch(r"\w+ [\d.]+ (\S*) (\S*) (\d+) \| +(?:storm=(\d+) +)?(\d+) (\d+)", line)
        if not parsed: mixed.append(line); continue
        rootpath, domain, lease, config, before, after = parsed.groups()
        n = version_of(rootpath, domain, lease)
        m = int(config) if config else None
        before, after = int(before), int(after)
        if n is None: mixed.append(line); continue
        if n % 2 or (m is not None and m % 2): invalid.append(line)
        if m is None or m < n: configs.append(line)
        if before == after:
            window += 1
            if m == n: same += 1
            else: configs.append(line)
    check(len(answered) >= 20 and not mixed,
          "udhcpc client %d: %d renewals answered, each reply's option 17, option 15 and option 51 from one version%s"
          % (client, len(answered), "; mixed: %s" % mixed[:2] if mixed else ""))
    check(not invalid, "udhcpc client %d: no reply or config came from an invalid version" % client)
    check(not configs,
          "udhcpc client %d: the config fetched right after each reply is its version or a newer one, and the "
          "same version in all %d fetches with no reload in between (%d)%s"
          % (client, window, same, "; wrong: %s" % configs[:2] if configs else ""))
PY
}
