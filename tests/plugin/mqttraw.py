#!/usr/bin/env python3
"""mqttraw.py - MQTT 3.1.1 and 5 packets written by hand, for the flows no
client library lets a test choose: a DUP resend with a chosen packet id
after a dropped connection, a Will carrying a given frame.

Usage: mqttraw.py PORT SCRIPT... where each SCRIPT step is one word:
  v4|v5                        protocol of the next connect
  connect:ID[:clean=0|1][:will=TOPIC@FILE]  (v5: session expiry 300 s)
  pub:QOS:MID:TOPIC@FILE[:dup][:retain]   publish (QOS 1/2 waits for PUBACK/PUBREC)
  pubrel:MID                   sends PUBREL, waits for PUBCOMP
  drop                         closes the socket without DISCONNECT (Wills fire)
  disconnect                   clean DISCONNECT
Prints one line per acknowledgement: "connack SP RC", "puback MID RC",
"pubrec MID RC", "pubcomp MID RC" (RC 0 for MQTT 3.1.1)."""
import socket
import struct
import sys


def varint(n):
    out = b""
    while True:
        b = n % 128
        n //= 128
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def mstr(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">H", len(b)) + b


def packet(kind, flags, body):
    return bytes([(kind << 4) | flags]) + varint(len(body)) + body


class Conn:
    def __init__(self, port, version):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.v5 = version == 5
        self.version = version

    def props(self, raw=b""):
        return varint(len(raw)) + raw if self.v5 else b""

    def read(self):
        h = self.s.recv(1)
        if not h:
            raise EOFError("connection closed")
        n, mult = 0, 1
        while True:
            b = self.s.recv(1)[0]
            n += (b & 0x7F) * mult
            mult *= 128
            if not b & 0x80:
                break
        body = b""
        while len(body) < n:
            chunk = self.s.recv(n - len(body))
            if not chunk:
                raise EOFError("short packet")
            body += chunk
        return h[0] >> 4, body

    def expect(self, kind):
        while True:
            k, body = self.read()
            if k == kind:
                return body

    def connect(self, cid, clean, will):
        flags = 0x02 if clean else 0
        payload = mstr(cid)
        if will:
            topic, data = will
            flags |= 0x04 | (1 << 3)  # Will, QoS 1
            payload += self.props() + mstr(topic) + mstr(data)
        prop = b"\x11" + struct.pack(">I", 300) if self.v5 else b""
        body = mstr("MQTT") + bytes([self.version, flags]) + struct.pack(">H", 60) + \
            self.props(prop) + payload
        self.s.sendall(packet(1, 0, body))
        b = self.expect(2)
        print("connack %d %d" % (b[0] & 1, b[1]))

    def ack_rc(self, body):
        return body[2] if self.v5 and len(body) > 2 else 0

    def publish(self, qos, mid, topic, data, dup, retain):
        body = mstr(topic) + (struct.pack(">H", mid) if qos else b"") + self.props() + data
        flags = (0x08 if dup else 0) | (qos << 1) | (1 if retain else 0)
        self.s.sendall(packet(3, flags, body))
        if qos:
            b = self.expect(4 if qos == 1 else 5)
            print("%s %d %d" % ("puback" if qos == 1 else "pubrec",
                                struct.unpack(">H", b[:2])[0], self.ack_rc(b)))

    def pubrel(self, mid):
        body = struct.pack(">H", mid) + (b"\x00\x00" if self.v5 else b"")
        self.s.sendall(packet(6, 2, body))
        b = self.expect(7)
        print("pubcomp %d %d" % (struct.unpack(">H", b[:2])[0], self.ack_rc(b)))


def topic_file(arg):
    topic, path = arg.split("@", 1)
    with open(path, "rb") as f:
        return topic, f.read()


def main():
    port = int(sys.argv[1])
    version, c = 5, None
    for step in sys.argv[2:]:
        w = step.split(":")
        if w[0] in ("v4", "v5"):
            version = 4 if w[0] == "v4" else 5
        elif w[0] == "connect":
            opts = dict(x.split("=", 1) for x in w[2:])
            c = Conn(port, version)
            will = topic_file(opts["will"]) if "will" in opts else None
            c.connect(w[1], opts.get("clean", "1") == "1", will)
        elif w[0] == "pub":
            topic, data = topic_file(w[3])
            c.publish(int(w[1]), int(w[2]), topic, data, "dup" in w[4:], "retain" in w[4:])
        elif w[0] == "pubrel":
            c.pubrel(int(w[1]))
        elif w[0] == "drop":
            c.s.close()
        elif w[0] == "disconnect":
            c.s.sendall(packet(14, 0, b"\x00" if c.v5 else b""))
            c.s.close()
        sys.stdout.flush()


main()
