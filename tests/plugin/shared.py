#!/usr/bin/env python3
"""shared.py - SUBSCRIBE results through python3-paho-mqtt, MQTT 3.1.1 or 5.

Usage: shared.py PORT 4|5 CLIENT_ID USERNAME FILTER...
Subscribes to each filter in its own SUBSCRIBE and prints one line per
filter: "FILTER granted" or "FILTER refused"."""
import sys
import threading

import paho.mqtt.client as mqtt

port, version, cid, user = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
proto = mqtt.MQTTv5 if version == "5" else mqtt.MQTTv311
c = mqtt.Client(client_id=cid, protocol=proto)
if user != "-":
    c.username_pw_set(user)
done = threading.Event()
results = {}


def on_connect(client, userdata, flags, rc, properties=None):
    done.set()


def on_subscribe(client, userdata, mid, granted, properties=None):
    g = granted[0]
    code = g.value if hasattr(g, "value") else g
    results[mid] = "refused" if code >= 0x80 else "granted"
    done.set()


c.on_connect = on_connect
c.on_subscribe = on_subscribe
c.connect("127.0.0.1", port)
c.loop_start()
if not done.wait(5):
    sys.exit("no CONNACK")
for f in sys.argv[5:]:
    done.clear()
    rc, mid = c.subscribe(f, qos=1)
    if not done.wait(5):
        sys.exit("no SUBACK for " + f)
    print(f, results[mid])
c.disconnect()
c.loop_stop()
