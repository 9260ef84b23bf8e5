#!/usr/bin/env python3
"""Boot storm load generator: plays N network-booting nodes at once, each doing what iPXE firmware does.

usage: storm.py --iface IF --server IP --nodes FILE --path http|tftp --files JSON [--spread S] [--json OUT]

FILE has one node a line, "MAC IP" (the address its reservation should give it). Every node:
  - DHCP like iPXE (src/net/udp/dhcp.c, config/dhcp.h): DISCOVER with option 77 "iPXE", 93 arch 0, 60
    "PXEClient:Arch:00000:UNDI:002001", 175, the broadcast flag; DISCOVER retransmitted after 1, 2, 4, 8 s and
    given up at 15 s; an OFFER without option 60 "PXEClient" (or 175.176 no-pxedhcp) makes it wait for
    ProxyDHCP offers until the first timer expiry after 2 s; REQUEST retransmitted after 0.25, 0.5, 1, 2, 4, 8 s.
  - http: the bootfile must be an http:// URL (its iPXE script); script, kernel and initrd over one kept-alive
    HTTP/1.1 connection from the node's leased address.
  - tftp: the bootfile must be pxelinux.0; pxelinux.0, ldlinux.c32, the config (pxelinux's search order:
    01-<mac>, the address in hex shortened a digit at a time, default), then the config's kernel and initrd,
    each by TFTP with blksize 1432 and tsize; a lost packet retransmitted after 1 s, doubling, the transfer
    given up after 5 retransmissions in a row (RFC 1123 4.2.3.2 asks for an adaptive, backing-off timer;
    RFC 1350 names no value, 1 s is the usual default and kinder to a busy server than pxelinux's 0.11 s).
All DHCP goes through one UDP socket on port 68 (the broadcast flag makes servers broadcast their replies, so
it hears every node); the transfers are bound to the node's leased address, which the caller must already
have put on the interface. JSON maps file path -> {"size": bytes, "crc": crc32}; every SAMPLE-th node's
files are checked byte for byte by CRC, every node's by size.
Prints one summary line and writes per-node results to --json.
"""
import argparse
import asyncio
import json
import os
import random
import resource
import socket
import struct
import sys
import time
import zlib
from urllib.parse import urlsplit

DHCP_MAGIC = b"\x63\x82\x53\x63"
BLKSIZE = 1432
TFTP_TIMEOUT, TFTP_RETRIES = 1.0, 5
HTTP_STALL = 60.0
HTTP_WINDOW = int(os.environ.get("STORM_HTTP_WINDOW", 256 << 10))
RECV_BUFFER = 1 << 20  # per node: fewer, larger reads keep the loop's rounds short


class NodeFailed(Exception):
    pass


def options_of(packet):
    """The DHCP options of a reply as {code: bytes} (pad/end handled; overload ignored)."""
    options, data, index = {}, packet[240:], 0
    while index < len(data) and data[index] != 255:
        if data[index] == 0:
            index += 1
            continue
        if index + 1 >= len(data):
            break
        code, length = data[index], data[index + 1]
        options[code] = options.get(code, b"") + bytes(data[index + 2:index + 2 + length])
        index += 2 + length
    return options


class Node:
    """One simulated machine: its MAC, the address it should get, what it did and when."""

    def __init__(self, index, mac_text, expected_ip, sample):
        self.index, self.mac_text, self.expected_ip = index, mac_text.lower(), expected_ip
        self.mac = bytes(int(part, 16) for part in mac_text.split(":"))
        self.xid = random.getrandbits(32)
        self.sample = sample
        self.inbox = asyncio.Queue()
        self.ip = None
        self.marks = {}
        self.files = []       # (path, bytes, crc or None)
        self.discovers = self.requests = self.proxy_waits = 0
        self.retransmits = 0  # TFTP packets sent again after a timeout
        self.error = None

    def mark(self, name, clock):
        self.marks[name] = round(clock() , 4)


class DHCPPort:
    """The one port-68 socket all nodes share; replies go to the node whose xid and chaddr they carry.

    Drained to empty on every readiness event (asyncio's datagram transport reads one datagram per event, and with
    a thousand HTTP streams in the same loop that starved DHCP to ~35 replies/s), each reply stamped on arrival.
    """

    def __init__(self, nodes, sock, loop, clock):
        self.by_xid = {node.xid: node for node in nodes}
        self.sock, self.clock = sock, clock
        self.stray = 0
        loop.add_reader(sock.fileno(), self.readable)

    def readable(self):
        while True:
            try:
                data = self.sock.recv(2048)
            except (BlockingIOError, InterruptedError):
                return
            if len(data) < 244 or data[0] != 2 or data[236:240] != DHCP_MAGIC:
                continue
            node = self.by_xid.get(struct.unpack_from("!I", data, 4)[0])
            if node is None or data[28:34] != node.mac:
                self.stray += 1
                continue
            node.inbox.put_nowait((self.clock(), data))

    def send(self, node, kind, extra=b""):
        header = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, node.xid, 0, 0x8000, bytes(4), bytes(4),
                             bytes(4), bytes(4), node.mac + bytes(10), bytes(64), bytes(128))
        vendor_class = b"PXEClient:Arch:00000:UNDI:002001"
        # iPXE's feature list (175): PXE ext, HTTP, DNS, TFTP, bzImage, Comboot... (values as iPXE sends them).
        ipxe_features = bytes([177, 5, 1, 0x80, 0x86, 0x10, 0x0e, 16, 1, 1, 19, 1, 1, 17, 1, 1, 24, 1, 1, 33, 1, 1,
                               34, 1, 1, 25, 1, 1, 235, 3, 1, 21, 1])
        options = (bytes([53, 1, kind, 57, 2, 0x05, 0xc0])
                   + bytes([93, 2, 0, 0, 94, 3, 1, 2, 1])
                   + bytes([60, len(vendor_class)]) + vendor_class
                   + bytes([77, 4]) + b"iPXE"
                   + bytes([175, len(ipxe_features)]) + ipxe_features
                   + bytes([61, 7, 1]) + node.mac
                   + bytes([97, 17, 0]) + node.mac + bytes(10)
                   + extra
                   + bytes([55, 23, 1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, 128, 129, 130, 131, 132, 133,
                            134, 135, 175, 203])
                   + b"\xff")
        self.sock.sendto(header + DHCP_MAGIC + options, ("255.255.255.255", 67))


async def dhcp(node, port, clock):
    """iPXE's DHCP session for one node: returns (yiaddr, siaddr, options) of the ACK or raises NodeFailed."""
    start = clock()
    # Discovery: timer 1 s doubling, failure once it would exceed 10 s (expiries at 1, 3, 7, 15 s).
    timeout, offer, proxy_ok = 1.0, None, False
    port.send(node, 1)
    node.discovers += 1
    expiry = start + timeout
    while True:
        arrival, packet = await receive(node, expiry, clock)
        now = arrival if packet is not None else clock()
        if packet is None:
            timeout *= 2
            if timeout > 10:
                raise NodeFailed(f"no DHCPOFFER after {node.discovers} DISCOVERs")
            if offer is not None and now - start > 2:
                node.proxy_waits += 1
                break
            port.send(node, 1)
            node.discovers += 1
            expiry = now + timeout
            continue
        options = options_of(packet)
        if options.get(53) != b"\x02" or packet[16:20] == bytes(4):
            continue
        offer = (bytes(packet[16:20]), options.get(54, bytes(4)))
        pxe_client = options.get(60, b"")[:9] == b"PXEClient"
        no_pxedhcp = b"\xb0\x01\x01" in options.get(175, b"")
        proxy_ok = proxy_ok or pxe_client or no_pxedhcp
        if proxy_ok or now - start > 2:
            break
    node.marks["offer"] = round(now, 4)
    # Request: timer 0.25 s doubling, failure once it would exceed 10 s.
    timeout = 0.25
    requested = bytes([50, 4]) + offer[0] + bytes([54, 4]) + offer[1]
    port.send(node, 3, requested)
    node.requests += 1
    expiry = clock() + timeout
    while True:
        arrival, packet = await receive(node, expiry, clock)
        if packet is None:
            timeout *= 2
            if timeout > 10:
                raise NodeFailed(f"no DHCPACK after {node.requests} REQUESTs")
            port.send(node, 3, requested)
            node.requests += 1
            expiry = clock() + timeout
            continue
        options = options_of(packet)
        if options.get(53) == b"\x05" and options.get(54, bytes(4)) == offer[1] and bytes(packet[16:20]) == offer[0]:
            node.marks["ack"] = round(arrival, 4)
            return socket.inet_ntoa(offer[0]), socket.inet_ntoa(bytes(packet[20:24])), options, bytes(packet)


async def receive(node, deadline, clock):
    """(arrival time, packet) of the next reply that arrived before the deadline, else (None, None)."""
    while True:
        if not node.inbox.empty():
            arrival, packet = node.inbox.get_nowait()
        else:
            remaining = deadline - clock()
            if remaining <= 0:
                return None, None
            try:
                arrival, packet = await asyncio.wait_for(node.inbox.get(), remaining)
            except asyncio.TimeoutError:
                return None, None
        # A loop late to run this coroutine must not count a reply that came in time as a timeout.
        if arrival <= deadline:
            return arrival, packet
        node.inbox.put_nowait((arrival, packet))
        return None, None


def bootfile_of(options, packet):
    name = options.get(67) or bytes(packet[108:236])
    return name.split(b"\0", 1)[0].decode(errors="replace")  # dnsmasq ends option 67 with a NUL


# --- HTTP ---------------------------------------------------------------------------------------------------
class HTTPConnection:
    """One kept-alive HTTP/1.1 connection from the node's address, as iPXE's connection pool keeps one."""

    def __init__(self, loop, node, host, port):
        self.loop, self.node, self.host, self.port = loop, node, host, port
        self.sock = None
        self.buffer = bytearray(RECV_BUFFER)
        self.view = memoryview(self.buffer)
        self.pending = b""  # bytes read past the previous response
        self.connections = 0

    async def connect(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        # A fixed receive window, as a node's own stack has: a thousand autotuned windows (up to tcp_rmem's 32 MB
        # each) in this one kernel pushed the host-wide TCP memory (tcp_mem) into pressure, zero windows and
        # stalled flows that a rack of separate machines would never see.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, HTTP_WINDOW)
        self.sock.bind((self.node.ip, 0))
        await asyncio.wait_for(self.loop.sock_connect(self.sock, (self.host, self.port)), 30)
        self.connections += 1

    async def recv(self):
        count = await asyncio.wait_for(self.loop.sock_recv_into(self.sock, self.buffer), HTTP_STALL)
        if count == 0:
            raise NodeFailed("the server closed the connection mid-response")
        return count

    async def get(self, path, want_body=False, crc=False):
        """(status, body length, body bytes if want_body, crc32 if crc)."""
        if self.sock is None:
            await self.connect()
        request = (f"GET {path} HTTP/1.1\r\nConnection: keep-alive\r\nHost: {self.host}:{self.port}\r\n"
                   f"User-Agent: iPXE/1.21.1+\r\n\r\n").encode()
        await self.loop.sock_sendall(self.sock, request)
        head = bytearray(self.pending)
        while b"\r\n\r\n" not in head:
            if len(head) > 65536:
                raise NodeFailed("response header too long")
            count = await self.recv()
            head += self.view[:count]
        end = head.index(b"\r\n\r\n") + 4
        lines = bytes(head[:end]).decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {line.split(":", 1)[0].strip().lower(): line.split(":", 1)[1].strip()
                   for line in lines[1:] if ":" in line}
        if "content-length" not in headers:
            raise NodeFailed(f"{path}: no Content-Length")
        length = int(headers["content-length"])
        body = head[end:end + length]
        self.pending = bytes(head[end + length:])
        received = len(body)
        checksum = zlib.crc32(body) if crc else None
        kept = bytearray(body) if want_body else None
        while received < length:
            count = await self.recv()
            take = min(count, length - received)
            if crc:
                checksum = zlib.crc32(self.view[:take], checksum)
            if want_body:
                kept += self.view[:take]
            if take < count:
                self.pending = bytes(self.view[take:count])
            received += take
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, received, kept, checksum

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None


async def http_boot(node, url, loop, clock, expected):
    parts = urlsplit(url)
    if parts.scheme != "http":
        raise NodeFailed(f"bootfile is not an http:// URL: {url!r}")
    connection = HTTPConnection(loop, node, parts.hostname, parts.port or 80)
    try:
        status, size, script, _ = await connection.get(parts.path, want_body=True)
        if status != 200:
            raise NodeFailed(f"script {parts.path}: HTTP {status}")
        node.files.append((parts.path, size, None))
        node.mark("script", clock)
        kernel = initrd = None
        for line in script.decode(errors="replace").splitlines():
            words = line.split()
            if words and words[0] in ("kernel", "chain", "imgexec") and kernel is None:
                kernel = words[1]
            elif words and words[0] in ("initrd", "module", "imgfetch") and initrd is None:
                initrd = words[1]
        if kernel is None:
            raise NodeFailed(f"script has no kernel line: {script[:200]!r}")
        for name, target in (("kernel", kernel), ("initrd", initrd)):
            if target is None:
                continue
            file_url = urlsplit(target)
            status, size, _, crc = await connection.get(file_url.path, crc=node.sample)
            if status != 200:
                raise NodeFailed(f"{name} {file_url.path}: HTTP {status}")
            check_file(node, file_url.path, size, crc, expected)
            node.mark(name, clock)
        node.marks["connections"] = connection.connections
    finally:
        connection.close()


def check_file(node, path, size, crc, expected):
    want = expected.get(path.lstrip("/"))
    if want is not None:
        if size != want["size"]:
            raise NodeFailed(f"{path}: {size} bytes, expected {want['size']}")
        if crc is not None and crc != want["crc"]:
            raise NodeFailed(f"{path}: CRC {crc:08x}, expected {want['crc']:08x}")
    node.files.append((path, size, crc))


# --- TFTP ---------------------------------------------------------------------------------------------------
class TFTPTransfer(asyncio.DatagramProtocol):
    """One RRQ from the node's address; lock-step DATA/ACK; timeouts driven by the shared sweeper."""

    def __init__(self, node, server, name, crc, clock):
        self.node, self.server, self.name, self.clock = node, server, name, clock
        self.crc = 0 if crc else None
        self.done = asyncio.get_running_loop().create_future()
        self.transport = None
        self.peer = None
        self.expected = 1
        self.size = 0
        self.tsize = None
        self.last = None   # (bytes, address) sent last, for retransmission
        self.timeout = TFTP_TIMEOUT
        self.deadline = 0.0
        self.tries = 0

    def connection_made(self, transport):
        self.transport = transport
        request = (b"\x00\x01" + self.name.encode() + b"\0octet\0blksize\0" + str(BLKSIZE).encode()
                   + b"\0tsize\x000\0")
        self.send(request, (self.server, 69))

    def send(self, data, address):
        self.last = (data, address)
        self.transport.sendto(data, address)
        self.deadline = self.clock() + self.timeout

    def finish(self, error=None):
        if not self.done.done():
            if error:
                self.done.set_exception(NodeFailed(f"{self.name}: {error}"))
            else:
                self.done.set_result(self.size)
        if self.transport is not None:
            self.transport.close()

    def datagram_received(self, data, addr):
        if self.done.done() or addr[0] != self.server or (self.peer is not None and addr != self.peer):
            return
        opcode = data[1] if len(data) >= 4 and data[0] == 0 else 0
        if opcode == 3:
            block = (data[2] << 8) | data[3]
            if self.peer is None:
                self.peer = addr
            if block == self.expected & 0xffff:
                payload = len(data) - 4
                self.size += payload
                if self.crc is not None:
                    self.crc = zlib.crc32(memoryview(data)[4:], self.crc)
                self.expected += 1
                self.timeout, self.tries = TFTP_TIMEOUT, 0
                self.send(b"\x00\x04" + data[2:4], addr)
                if payload < BLKSIZE:
                    self.finish()
            elif block == (self.expected - 1) & 0xffff:
                self.send(b"\x00\x04" + data[2:4], addr)  # our ACK was lost: say it again
        elif opcode == 6 and self.peer is None and self.expected == 1:
            self.peer = addr
            options = bytes(data[2:]).split(b"\0")
            for key, value in zip(options[::2], options[1::2]):
                if key.lower() == b"tsize":
                    self.tsize = int(value)
            self.send(b"\x00\x04\x00\x00", addr)
        elif opcode == 5:
            code = (data[2] << 8) | data[3]
            self.finish(f"TFTP error {code} {bytes(data[4:-1]).decode(errors='replace')}")

    def expire(self, now):
        """Called by the sweeper; retransmits the last packet or gives up."""
        if self.done.done() or now < self.deadline:
            return
        self.tries += 1
        if self.tries > TFTP_RETRIES:
            self.finish(f"timed out at block {self.expected} after {TFTP_RETRIES} retransmissions")
            return
        self.node.retransmits += 1
        self.timeout *= 2
        self.send(*self.last)


class Sweeper:
    """One periodic task that expires every active transfer's timer, instead of a timer per packet."""

    def __init__(self, clock):
        self.active, self.clock = set(), clock

    async def run(self):
        while True:
            await asyncio.sleep(0.05)
            now = self.clock()
            for transfer in list(self.active):
                transfer.expire(now)


async def tftp_get(node, loop, server, name, sweeper, clock, crc=False, missing_ok=False):
    """(size, crc), or None for a missing file when missing_ok (pxelinux's config search)."""
    _, transfer = await loop.create_datagram_endpoint(
        lambda: TFTPTransfer(node, server, name, crc, clock), local_addr=(node.ip, 0))
    sweeper.active.add(transfer)
    try:
        size = await transfer.done
    except NodeFailed as failure:
        if missing_ok and "TFTP error 1" in str(failure):
            return None
        raise
    finally:
        sweeper.active.discard(transfer)
        transfer.finish()
    if transfer.tsize is not None and transfer.tsize != size:
        raise NodeFailed(f"{name}: {size} bytes but tsize said {transfer.tsize}")
    return size, transfer.crc


def pxelinux_config_names(node):
    names = ["pxelinux.cfg/01-" + node.mac_text.replace(":", "-")]
    hexip = "".join(f"{int(part):02X}" for part in node.ip.split("."))
    names += ["pxelinux.cfg/" + hexip[:length] for length in range(8, 0, -1)]
    return names + ["pxelinux.cfg/default"]


async def tftp_boot(node, bootfile, server, loop, clock, sweeper, expected):
    if bootfile.lstrip("/") != "pxelinux.0":
        raise NodeFailed(f"bootfile is not pxelinux.0: {bootfile!r}")
    for name in (bootfile, "ldlinux.c32"):
        size, crc = await tftp_get(node, loop, server, name, sweeper, clock, crc=node.sample)
        check_file(node, name, size, crc, expected)
    node.mark("loader", clock)
    config = None
    for name in pxelinux_config_names(node):
        got = await tftp_get_text(node, loop, server, name, sweeper, clock)
        if got is not None:
            config = got
            node.files.append((name, len(got), None))
            break
    if config is None:
        raise NodeFailed("no pxelinux config found")
    node.mark("config", clock)
    kernel = initrd = None
    for line in config.splitlines():
        words = line.strip().split()
        if not words:
            continue
        keyword = words[0].lower()
        if keyword in ("kernel", "linux") and kernel is None and len(words) > 1:
            kernel = words[1]
        elif keyword == "initrd" and initrd is None and len(words) > 1:
            initrd = words[1]
        elif keyword == "append" and initrd is None:
            for word in words[1:]:
                if word.startswith("initrd="):
                    initrd = word[len("initrd="):].split(",")[0]
    if kernel is None:
        raise NodeFailed(f"config has no kernel: {config[:200]!r}")
    for name, target in (("kernel", kernel), ("initrd", initrd)):
        if target is None:
            continue
        size, crc = await tftp_get(node, loop, server, target, sweeper, clock, crc=node.sample)
        check_file(node, target, size, crc, expected)
        node.mark(name, clock)


async def tftp_get_text(node, loop, server, name, sweeper, clock):
    """A small file's text (the pxelinux config), or None when the server says it does not exist."""
    _, transfer = await loop.create_datagram_endpoint(
        lambda: TextTransfer(node, server, name, False, clock), local_addr=(node.ip, 0))
    sweeper.active.add(transfer)
    try:
        await transfer.done
    except NodeFailed as failure:
        if "TFTP error 1" in str(failure):
            return None
        raise
    finally:
        sweeper.active.discard(transfer)
        transfer.finish()
    return bytes(transfer.text).decode(errors="replace")


class TextTransfer(TFTPTransfer):
    """A transfer that keeps what it receives (only for small files)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.text = bytearray()

    def datagram_received(self, data, addr):
        if len(data) > 4 and data[1] == 3 and ((data[2] << 8) | data[3]) == self.expected & 0xffff \
                and addr[0] == self.server:
            self.text += data[4:]
        super().datagram_received(data, addr)


# --- the storm ----------------------------------------------------------------------------------------------
async def play(node, port, args, loop, clock, sweeper, expected, start_at):
    await asyncio.sleep(max(0.0, start_at - clock()))
    node.mark("start", clock)
    try:
        ip, siaddr, options, packet = await dhcp(node, port, clock)
        node.ip = ip
        if node.expected_ip and ip != node.expected_ip:
            raise NodeFailed(f"got {ip}, its reservation is {node.expected_ip}")
        bootfile = bootfile_of(options, packet)
        node.marks["bootfile"] = bootfile
        if args.path == "http":
            await http_boot(node, bootfile, loop, clock, expected)
        else:
            server = siaddr if siaddr != "0.0.0.0" else args.server
            if 66 in options:
                server = options[66].decode().strip("\0")
            await tftp_boot(node, bootfile, server, loop, clock, sweeper, expected)
        node.mark("done", clock)
    except NodeFailed as failure:
        node.error = str(failure)
    except (OSError, asyncio.TimeoutError) as failure:
        node.error = f"{type(failure).__name__}: {failure}"
    node.mark("end", clock)


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iface", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--nodes", required=True)
    parser.add_argument("--path", choices=("http", "tftp"), required=True)
    parser.add_argument("--files", required=True, help="JSON: path -> {size, crc}")
    parser.add_argument("--spread", type=float, default=0.0, help="power-on spread: node starts uniform in [0, S)")
    parser.add_argument("--sample", type=int, default=50, help="CRC-check every SAMPLE-th node's files")
    parser.add_argument("--label", default="storm")
    parser.add_argument("--json", help="write per-node results here")
    parser.add_argument("--limit", type=float, default=1800.0, help="give up on the whole storm after S seconds")
    args = parser.parse_args()

    with open(args.files) as handle:
        expected = json.load(handle)
    nodes = []
    with open(args.nodes) as handle:
        for index, line in enumerate(line for line in handle if line.strip()):
            mac, ip = line.split()[:2]
            nodes.append(Node(index, mac, ip, args.sample > 0 and index % args.sample == 0))

    loop = asyncio.get_running_loop()
    origin = time.monotonic()
    clock = lambda: time.monotonic() - origin  # noqa: E731 (seconds since the storm began)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, args.iface.encode())
    sock.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE: 1,000 nodes' OFFERs at once
    sock.bind(("0.0.0.0", 68))
    sock.setblocking(False)
    port = DHCPPort(nodes, sock, loop, clock)
    sweeper = Sweeper(clock)
    sweeping = asyncio.ensure_future(sweeper.run())
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    starts = [random.uniform(0, args.spread) if args.spread else 0.0 for _ in nodes]
    tasks = [asyncio.ensure_future(play(node, port, args, loop, clock, sweeper, expected, start))
             for node, start in zip(nodes, starts)]
    done, pending = await asyncio.wait(tasks, timeout=args.limit)
    for task in pending:
        task.cancel()
    for node in nodes:
        if "end" not in node.marks:
            node.error = node.error or f"still running after {args.limit} s"
    wall = clock()
    sweeping.cancel()
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    user = cpu_after.ru_utime - cpu_before.ru_utime

    complete = [node for node in nodes if node.error is None and "done" in node.marks]
    failed = [node for node in nodes if node not in complete]
    last = max((node.marks["done"] for node in complete), default=float("nan"))
    node_times = [node.marks["done"] - node.marks["start"] for node in complete]
    dhcp_times = [node.marks["ack"] - node.marks["start"] for node in nodes if "ack" in node.marks]
    moved = sum(size for node in nodes for _, size, _ in node.files)
    checked = sum(1 for node in nodes for _, _, crc in node.files if crc is not None)
    discovers = sum(node.discovers for node in nodes)
    requests = sum(node.requests for node in nodes)
    proxy_waits = sum(node.proxy_waits for node in nodes)
    retransmits = sum(node.retransmits for node in nodes)
    print(f"{args.label}: {len(complete)}/{len(nodes)} nodes complete, {len(failed)} failed; "
          f"last node done at {last:.2f} s (node median {percentile(node_times, 0.5):.2f} s, "
          f"p99 {percentile(node_times, 0.99):.2f} s); DHCP done by {max(dhcp_times, default=float('nan')):.2f} s "
          f"(median {percentile(dhcp_times, 0.5):.2f} s, {discovers} DISCOVERs, {requests} REQUESTs, "
          f"{proxy_waits} ProxyDHCP waits); {moved / 1e9:.2f} GB moved ({moved / 1e9 / wall:.2f} GB/s over "
          f"{wall:.1f} s); TFTP retransmissions {retransmits}; {checked} files CRC-checked; "
          f"generator CPU {cpu:.1f} s ({user:.1f} user; {100 * cpu / wall:.0f}% of one core)", flush=True)
    reasons = {}
    for node in failed:
        reasons.setdefault(node.error, []).append(node.mac_text)
    for reason, macs in sorted(reasons.items(), key=lambda item: -len(item[1]))[:8]:
        print(f"    {len(macs)} nodes: {reason} (e.g. {macs[0]})")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"label": args.label, "wall": wall, "cpu": cpu, "last": last,
                       "complete": len(complete), "failed": len(failed), "moved": moved,
                       "nodes": [{"mac": node.mac_text, "ip": node.ip, "error": node.error, "marks": node.marks,
                                  "discovers": node.discovers, "requests": node.requests,
                                  "retransmits": node.retransmits} for node in nodes]}, handle)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
