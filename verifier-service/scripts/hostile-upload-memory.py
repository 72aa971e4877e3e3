#!/usr/bin/env python3
"""Peak memory of the service under concurrent hostile uploads (BENCHMARKS.md).

Starts the release binary in demo mode on a loopback port, uploads hostile pictures
several at a time, and samples the resident memory of the service and of its scan workers
every few milliseconds. Prints each answer's status and code, and the peaks.

    cargo build --release -p ikd-verifier-service
    python3 verifier-service/scripts/hostile-upload-memory.py [--rounds 3] [--parallel 6]

Only loopback traffic; the service is stopped at the end.
"""

import argparse
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.join(ROOT, "target", "release", "ikd-verifier-service")


def pdf_of(objects):
    out = bytearray(b"%PDF-1.5\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def object_stream_bomb(entries=20000, items=20000):
    """Every object-stream entry starts at one offset, where one large array lies."""
    header = "".join("%d 0 " % (i + 10) for i in range(entries))
    content = (header + "[" + "0 " * items + "]").encode()
    packed = zlib.compress(content, 9)
    stream = (
        b"<< /Type /ObjStm /N %d /First %d /Length %d /Filter /FlateDecode >>\nstream\n"
        % (entries, len(header), len(packed))
        + packed
        + b"\nendstream"
    )
    return pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
            stream,
        ]
    )


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_huge_icc(profile_bytes=200 * 1024 * 1024):
    """A 64x64 grey PNG whose colour profile inflates to 200 MiB."""
    ihdr = struct.pack(">IIBBBBB", 64, 64, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\0" + b"\xff" * 64 for _ in range(64)))
    profile = zlib.compress(b"\0" * profile_bytes, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"iCCP", b"icc\0\0" + profile)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


def jpeg_declaring(width=7000, height=7000):
    """A baseline JPEG header declaring width x height, with almost no image data."""
    quant = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes([1] * 64)
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    # One DC and one AC Huffman table with a single 1-bit code each.
    dht = b"\xff\xc4" + struct.pack(">H", 2 + 17 + 1) + b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00"
    dht += b"\xff\xc4" + struct.pack(">H", 2 + 17 + 1) + b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00" + b"\x00\x3f\x00"
    return b"\xff\xd8" + quant + sof + dht + sos + b"\x00" * 4096 + b"\xff\xd9"


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                # The parent's pid is the second field after the command's parenthesis.
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
        except (OSError, IndexError, ValueError):
            pass
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--parallel", type=int, default=6)
    args = parser.parse_args()
    if not os.path.exists(BINARY):
        sys.exit("build it first: cargo build --release -p ikd-verifier-service")

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data_dir = tempfile.mkdtemp(prefix="ikd-hostile-")
    service = subprocess.Popen(
        [BINARY, "--demo", "--listen", "127.0.0.1:%d" % port, "--data-dir", data_dir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, IKD_LOG="warn", IKD_REQUEST_TIMEOUT_MS="60000"),
    )
    base = "http://127.0.0.1:%d" % port
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        key = open(os.path.join(data_dir, "api-key.txt")).read().strip()
        pictures = [
            ("pdf object-stream bomb", "application/pdf", object_stream_bomb()),
            ("png 200 MiB colour profile", "image/png", png_with_huge_icc()),
            ("jpeg declaring 7000x7000", "image/jpeg", jpeg_declaring()),
        ]
        for name, _, body in pictures:
            print("%-28s %7d bytes" % (name, len(body)))

        peaks = {"service": 0, "worker": 0, "total": 0}
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                service_kib = rss_kib(service.pid)
                workers = [rss_kib(p) for p in children(service.pid)]
                peaks["service"] = max(peaks["service"], service_kib)
                peaks["worker"] = max([peaks["worker"]] + workers)
                peaks["total"] = max(peaks["total"], service_kib + sum(workers))
                time.sleep(0.001)

        answers = []

        def upload(name, media_type, body):
            request = urllib.request.Request(
                base + "/v1/verify?purpose=identity",
                data=body,
                headers={"Authorization": "Bearer " + key, "Content-Type": media_type},
            )
            started = time.time()
            try:
                with urllib.request.urlopen(request, timeout=120) as answer:
                    status, text = answer.status, answer.read()
            except urllib.error.HTTPError as error:
                status, text = error.code, error.read()
            code = json.loads(text).get("code") or json.loads(text).get("verdict")
            answers.append((name, status, code, time.time() - started))

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.time()
        for _ in range(args.rounds):
            threads = [
                threading.Thread(target=upload, args=pictures[i % len(pictures)])
                for i in range(args.parallel)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        took = time.time() - started
        stop.set()
        sampler.join()
        for name, status, code, seconds in sorted(answers):
            print("%-28s %d %-20s %6.2f s" % (name, status, code, seconds))
        print(
            "%d uploads, %d at a time, in %.1f s; peak RSS: service %.0f MiB, one worker "
            "%.0f MiB, service and workers together %.0f MiB"
            % (
                len(answers),
                args.parallel,
                took,
                peaks["service"] / 1024,
                peaks["worker"] / 1024,
                peaks["total"] / 1024,
            )
        )
        healthy = urllib.request.urlopen(base + "/healthz", timeout=5).status == 200
        print("service still answers /healthz:", healthy)
    finally:
        service.terminate()
        service.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
