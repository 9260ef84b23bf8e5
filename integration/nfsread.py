#!/usr/bin/env python3
"""nfsread.py SERVER EXPORT PATH: reads a file over NFSv3 in user space (rpcbind GETPORT, MOUNT, LOOKUP per
component, READ) as root (AUTH_SYS uid 0), so a test needs no NFS client in its kernel. Prints the first 64 KiB
of the file; exits non-zero with what was refused ("MNT ...: status 13" is MNT3ERR_ACCES)."""
import socket, struct, sys, random

def pack_string(b):
    return struct.pack(">I", len(b)) + b + b"\0" * ((4 - len(b) % 4) % 4)

class Reader:
    def __init__(self, data): self.d, self.o = data, 0
    def u32(self): v = struct.unpack_from(">I", self.d, self.o)[0]; self.o += 4; return v
    def u64(self): v = struct.unpack_from(">Q", self.d, self.o)[0]; self.o += 8; return v
    def opaque(self):
        n = self.u32(); v = self.d[self.o:self.o + n]; self.o += n + (4 - n % 4) % 4; return v
    def post_op_attr(self):
        if self.u32(): self.o += 84

def call(host, port, prog, vers, proc, args):
    cred = struct.pack(">I", 0) + pack_string(b"nrsd") + struct.pack(">III", 0, 0, 0)  # stamp, name, uid, gid, no gids
    xid = random.getrandbits(32)
    msg = struct.pack(">IIIIII", xid, 0, 2, prog, vers, proc) + struct.pack(">I", 1) + pack_string(cred) \
        + struct.pack(">II", 0, 0) + args
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(struct.pack(">I", 0x80000000 | len(msg)) + msg)
    data = b""
    while True:
        header = s.recv(4, socket.MSG_WAITALL)
        mark = struct.unpack(">I", header)[0]
        n = mark & 0x7fffffff
        chunk = b""
        while len(chunk) < n: chunk += s.recv(n - len(chunk))
        data += chunk
        if mark & 0x80000000: break
    s.close()
    r = Reader(data)
    assert r.u32() == xid and r.u32() == 1, "not a reply"
    assert r.u32() == 0, "RPC denied"
    r.u32(); r.opaque()  # verifier
    stat = r.u32()
    assert stat == 0, f"RPC accept_stat {stat}"
    return r

def main():
    host, export, path = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
    r = call(host, 111, 100000, 2, 3, struct.pack(">IIII", 100005, 3, 6, 0))
    mountd = r.u32()
    r = call(host, mountd, 100005, 3, 1, pack_string(export))
    status = r.u32()
    if status: sys.exit(f"MNT {export!r}: status {status}")
    fh = r.opaque()
    for name in [p for p in path.split("/") if p]:
        r = call(host, 2049, 100003, 3, 3, pack_string(fh) + pack_string(name.encode()))
        status = r.u32()
        if status: sys.exit(f"LOOKUP {name}: NFS status {status}")
        fh = r.opaque()
    r = call(host, 2049, 100003, 3, 6, pack_string(fh) + struct.pack(">QI", 0, 65536))
    status = r.u32()
    if status: sys.exit(f"READ: NFS status {status}")
    r.post_op_attr(); r.u32(); r.u32()
    sys.stdout.buffer.write(r.opaque())

main()
