"""The heap at massif's peak snapshot, by what it serves: each allocation goes to the first part
below (in this order) that any frame of its call stack names: TLS roots, the service clients
(made once per credential source and service), each account's credentials and identity cache,
SDK calls in flight, the HTTP pool, aws-config's loading, crossdeck's own state, ...
Usage: massif_breakdown.py MASSIF_OUT_FILE"""

import re
import sys

PARTS = [
    ("TLS (root certificates, rustls configuration)", r"rustls|webpki|pem::|native_certs"),
    ("SDK service clients, one per source and service (config, runtime plugins)",
     r"aws_sdk_\w+::client::Client::(from_conf|new)|aws_sdk_\w+::config::Builder::build"),
    ("each account's credentials and identity cache",
     r"clients::account_(config|credentials)|clients::Base::|as_account::"),
    ("SDK calls in flight (requests, responses, config bags)",
     r"aws_smithy_runtime::client::orchestrator|aws_sdk_\w+::operation::"),
    ("HTTP connections (hyper pool, h2)", r"hyper|h2::|tower::"),
    ("aws-config (profiles, credential and region providers)", r"aws_config::|aws_runtime::env_config|aws_types::"),
    ("crossdeck (snapshots, caches, the app)", r"crossdeck::(lab|app|ui|poller|backend::aws::(poll|targets|stacks|catalog|pipelines|sagemaker|s3)\b)"),
    ("SDK runtime, other", r"aws_smithy_|aws_sdk_\w+::"),
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


def leaves(n, path, out):
    """(bytes, frames from the allocation outwards) for each leaf and for bytes a node holds
    beyond its children."""
    size, frame, kids = n
    path = path + [frame]
    below = sum(k[0] for k in kids)
    for k in kids:
        leaves(k, path, out)
    if size > below:
        out.append((size - below, path))


def attribute(n, totals):
    out = []
    leaves(n, [], out)
    for size, path in out:
        label = "other"
        for name, pattern in PARTS:
            if any(re.search(pattern, f) for f in path):
                label = name
                break
        totals[label] = totals.get(label, 0) + size


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
