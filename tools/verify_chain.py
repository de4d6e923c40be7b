#!/usr/bin/env python3
"""Recompute AssetTrack's event hash chain from its SQLite file.

    python3 tools/verify_chain.py DB [--anchor SEQ:HASH]... [--checkpoints FILE]

Standard library only: the independent second opinion on `assettrack
verify`'s chain check (byte layout in docs/hash-chain.md).  With
--checkpoints it also checks each signed checkpoint's head against the
chain, the links between its lines, and the newest one's state digest
against FILE.state (docs/checkpoints.md); the Ed25519 signatures need
libsodium, which `assettrack verify` checks.  Exit 0 and
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


def value(v):
    if v is None:
        return b"n" + RS
    if isinstance(v, int):
        return b"i" + str(v).encode() + RS
    if isinstance(v, bytes):
        return b"b" + v.hex().encode() + RS
    return b"s" + v.encode("utf-8") + RS


STATE_TABLES = (("cases", "id"), ("slots", "case_id, position"), ("holders", "id"),
                ("assets", "id"))


def state_digest(path):
    h, db = hashlib.sha256(), sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    for table, key in STATE_TABLES:
        h.update(b"T" + table.encode() + b"\x1d")
        for row in db.execute("SELECT * FROM %s ORDER BY %s" % (table, key)):
            h.update(b"".join(value(v) for v in row) + b"\x1d")
    return h.hexdigest()


def checkpoints(path, hashes, problems):
    """Each line's head against the chain, and its link to the line before."""
    prev, last = "0" * 64, None
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line:
                continue
            fields = dict(kv.split("=", 1) for kv in line.split(" ")[2:] if "=" in kv)
            if not line.startswith("assettrack-checkpoint v1 ") or len(fields) != 7:
                problems.append(("CHECKPOINT_MALFORMED", "line %d" % lineno))
            elif fields["prev"] != prev:
                problems.append(("CHECKPOINT_LINE_REMOVED", "line %d" % lineno))
            elif int(fields["seq"]) not in hashes:
                problems.append(("CHECKPOINT_BEYOND_CHAIN", "line %d" % lineno))
            elif hashes[int(fields["seq"])] != fields["head"]:
                problems.append(("CHECKPOINT_HASH_MISMATCH", "line %d" % lineno))
            else:
                last = fields
            prev = hashlib.sha256(line.encode("utf-8")).hexdigest()
    if last and state_digest(path + ".state") != last["state"]:
        problems.append(("CHECKPOINT_STATE_MISMATCH", "%s.state is not the state signed "
                         "at seq %s" % (path, last["seq"])))
    return 0 if last is None else 1


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, anchors, problems, ckfile, hashes = argv[1], {}, [], None, {}
    args = argv[2:]
    while args:
        if len(args) >= 2 and args[0] == "--checkpoints":
            ckfile = args[1]
        elif args[0] != "--anchor" or len(args) < 2 or ":" not in args[1]:
            print("usage: verify_chain.py DB [--anchor SEQ:HASH]... [--checkpoints FILE]",
                  file=sys.stderr)
            return 2
        else:
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
        if ckfile:
            hashes[seq] = h
    for seq in sorted(anchors):
        if seq > n:
            problems.append(("ANCHOR_BEYOND_CHAIN", "the anchor %d is beyond the log (%d events)"
                             % (seq, n)))
    nck = checkpoints(ckfile, hashes, problems) if ckfile else 0
    for code, message in problems:
        print("%s: %s" % (code, message))
    if problems:
        return 1
    print("OK: %d events, head %d:%s%s" % (n, n, head,
                                           ", newest checkpoint's state matches" if nck else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
