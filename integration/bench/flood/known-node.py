#!/usr/bin/env python3
"""A known node that does a full DORA every second until STOP_FILE exists.

usage: known-node.py INTERFACE MAC STOP_FILE
Broadcast flag set, so the replies reach this plain UDP socket without an address on the interface.
Prints one line per attempt: "ack ADDRESS SECONDS" or "miss offer|ack SECONDS", and a final
"attempts N acks M" line.
"""
import os
import random
import socket
import struct
import sys
import time

interface, mac_text, stop_file = sys.argv[1:4]
mac = bytes(int(part, 16) for part in mac_text.split(":"))
STEP_TIMEOUT = 2.0


def message(kind, xid, options=b""):
    header = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000,
                         bytes(4), bytes(4), bytes(4), bytes(4), mac + bytes(10), bytes(64), bytes(128))
    return header + b"\x63\x82\x53\x63" + bytes([53, 1, kind]) + options + bytes([55, 3, 1, 3, 17, 255])


def parse(packet, xid):
    """(message type, yiaddr, server id) of a reply to this xid, else None."""
    if len(packet) < 240 or packet[0] != 2 or struct.unpack("!I", packet[4:8])[0] != xid or packet[28:34] != mac:
        return None
    yiaddr, options, index, kind, server = packet[16:20], packet[240:], 0, None, None
    while index < len(options) and options[index] != 255:
        if options[index] == 0:
            index += 1
            continue
        code, length = options[index], options[index + 1]
        value = options[index + 2:index + 2 + length]
        if code == 53:
            kind = value[0]
        elif code == 54:
            server = value
        index += 2 + length
    return kind, yiaddr, server


def wait_for(sock, xid, kind, deadline):
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        sock.settimeout(remaining)
        try:
            packet = sock.recv(2048)
        except socket.timeout:
            return None
        reply = parse(packet, xid)
        if reply and reply[0] == kind:
            return reply


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
sock.bind(("0.0.0.0", 68))
attempts = acks = 0
next_start = time.monotonic()
while not os.path.exists(stop_file):
    attempts += 1
    xid = random.getrandbits(32)
    started = time.monotonic()
    sock.sendto(message(1, xid), ("255.255.255.255", 67))
    offer = wait_for(sock, xid, 2, started + STEP_TIMEOUT)
    if offer is None:
        print(f"miss offer {time.monotonic() - started:.3f}", flush=True)
    else:
        requested = bytes([50, 4]) + offer[1] + bytes([54, 4]) + (offer[2] or bytes(4))
        sent = time.monotonic()
        sock.sendto(message(3, xid, requested), ("255.255.255.255", 67))
        ack = wait_for(sock, xid, 5, sent + STEP_TIMEOUT)
        if ack is None:
            print(f"miss ack {time.monotonic() - started:.3f}", flush=True)
        else:
            acks += 1
            print(f"ack {socket.inet_ntoa(ack[1])} {time.monotonic() - started:.3f}", flush=True)
    next_start += 1
    time.sleep(max(0, next_start - time.monotonic()))
print(f"attempts {attempts} acks {acks}", flush=True)
