#!/usr/bin/env python3
"""Recompute AssetTrack's event hash chain from its SQLite file.

    python3 tools/verify_chain.py DB [--anchor SEQ:HASH]...

Standard library only: the independent second opinion on `assettrack
verify`'s chain check (byte layout in docs/hash-chain.md).  Exit 0 and
"OK: N events, head SEQ:HASH", or each problem and exit 1.
"""
import hashlib
import sqlite3
import sys

RS = b"\x1e"


def text(v):
    return b"n" + RS if v is None else b"s" + v.encode("utf-8") + RS


def number(v):
    return b"n" + RS if v is None else b"i" + str(v).encode() + RS


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, anchors, problems = argv[1], {}, []
    args = argv[2:]
    while args:
        if args[0] != "--anchor" or len(args) < 2 or ":" not in args[1]:
            print("usage: verify_chain.py DB [--anchor SEQ:HASH]...", file=sys.stderr)
            return 2
        seq, h = args[1].split(":", 1)
        anchors[int(seq)] = h.lower()
        args = args[2:]
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    prev, n, head = "0" * 64, 0, "0" * 64
    for (seq, at, typ, tag, fcase, fpos, tcase, tpos, holder, actor, reason, batch,
         details, prev_hash, h) in db.execute(
            "SELECT seq, at, type, asset_tag, from_case, from_position, to_case, "
            "to_position, holder_id, actor, reason, batch_id, details, prev_hash, hash "
            "FROM events ORDER BY seq"):
        n += 1
        if seq != n:
            problems.append(("EVENT_SEQ_GAP", "event %d follows %d" % (seq, n - 1)))
            n = seq
        if prev_hash != prev:
            problems.append(("HASH_CHAIN_BROKEN", "event %d's prev_hash is not event %d's hash"
                             % (seq, seq - 1)))
        canon = (text(prev_hash) + number(seq) + text(at) + text(typ) + text(tag)
                 + text(fcase) + number(fpos if fcase is not None else None)
                 + text(tcase) + number(tpos if tcase is not None else None)
                 + number(holder or None) + text(actor) + text(reason) + text(batch)
                 + text(details if details is not None else "{}"))
        if hashlib.sha256(canon).hexdigest() != h:
            problems.append(("HASH_MISMATCH", "event %d's hash is not the hash of its fields"
                             % seq))
        if seq in anchors and anchors[seq] != h:
            problems.append(("ANCHOR_MISMATCH", "event %d has hash %s, not the anchored %s"
                             % (seq, h[:12], anchors[seq][:12])))
        prev, head = h, h
    for seq in sorted(anchors):
        if seq > n:
            problems.append(("ANCHOR_BEYOND_CHAIN", "the anchor %d is beyond the log (%d events)"
                             % (seq, n)))
    for code, message in problems:
        print("%s: %s" % (code, message))
    if problems:
        return 1
    print("OK: %d events, head %d:%s" % (n, n, head))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
