"""Byte-level mutation of seed documents for the readers' fuzz tests (hypothesis draws each step)."""

from hypothesis import strategies as st


def mutate(seed: bytes, data, splices: list[bytes]) -> bytes:
    """Flip, cut and splice bytes of ``seed``; ``splices`` are the fragments worth inserting
    (the format's own delimiters and its dangerous constructs)."""
    buf = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 6))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        pos = data.draw(st.integers(0, max(0, len(buf) - 1)))
        if op == "flip" and buf:
            buf[pos] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del buf[pos : pos + data.draw(st.integers(1, 40))]
        else:
            buf[pos:pos] = data.draw(st.sampled_from(splices))
    return bytes(buf)
