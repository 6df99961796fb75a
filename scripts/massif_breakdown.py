"""The heap at massif's peak snapshot, by what it serves: each allocation is put under the first
frame of its call stack, from the allocation upwards, that names a known part (TLS roots, the
HTTP pool, SDK service clients, aws-config's loading, crossdeck's own state, ...).
Usage: massif_breakdown.py MASSIF_OUT_FILE"""

import re
import sys

PARTS = [
    ("TLS (root certificates, rustls configuration)", r"rustls|webpki|pem::|native_certs"),
    ("HTTP connections (hyper pool, h2)", r"hyper|h2::|tower::"),
    ("SDK service clients (from_conf, config builders)", r"aws_sdk_\w+::(client::Client::from_conf|config::Builder::build)|aws_sdk_\w+::client::Client::new"),
    ("aws-config (profiles, credential and region providers)", r"aws_config::|aws_runtime::env_config|aws_types::"),
    ("SDK runtime (requests, identity cache, endpoints)", r"aws_smithy_|aws_sdk_\w+::"),
    ("crossdeck (snapshots, caches, the app)", r"crossdeck::"),
    ("logging", r"tracing|sharded_slab"),
    ("tokio runtime", r"tokio::"),
]
NODE = re.compile(r"^(\s*)n(\d+): (\d+) (.*)$")


def peak_tree(lines):
    """The lines of the peak snapshot's heap tree."""
    out, inside = [], False
    for i, line in enumerate(lines):
        if line.startswith("heap_tree="):
            inside = line.strip() == "heap_tree=peak"
            continue
        if line.startswith("snapshot="):
            if inside:
                break
            continue
        if inside:
            out.append(line.rstrip("\n"))
    return out


def parse(tree):
    """(bytes, frame, children) nodes."""
    pos = 0

    def node():
        nonlocal pos
        m = NODE.match(tree[pos])
        pos += 1
        kids = [node() for _ in range(int(m.group(2)))]
        return int(m.group(3)), m.group(4), kids

    return node()


def attribute(n, totals, label=None):
    size, frame, kids = n
    if label is None:
        for name, pattern in PARTS:
            if re.search(pattern, frame):
                label = name
                break
    if not kids or label is not None:
        totals[label or "other"] = totals.get(label or "other", 0) + size
        return
    below = sum(k[0] for k in kids)
    for k in kids:
        attribute(k, totals, label)
    if size > below:
        totals["other"] = totals.get("other", 0) + size - below


def main():
    lines = open(sys.argv[1]).read().splitlines()
    tree = peak_tree(lines)
    if not tree:
        sys.exit("no peak snapshot in " + sys.argv[1])
    root = parse(tree)
    totals = {}
    for kid in root[2]:
        attribute(kid, totals)
    print(f"  heap at peak: {root[0] / 1048576:.1f} MB")
    for name, size in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {size / 1048576:7.2f} MB  {100 * size / root[0]:5.1f}%  {name}")


if __name__ == "__main__":
    main()
