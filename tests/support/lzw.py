"""A small compress(1) (`.Z`, LZW) writer, so tests can build archives like UCI's without the `compress` program.

Format: magic 1F 9D, a flags byte (0x80 block mode | 16 max bits), then LZW codes packed LSB-first,
9 bits wide at first and one bit wider each time the table outgrows the width. compress(1)'s quirk:
before the width grows, the codes written at the old width are padded to a multiple of that many
bytes (it wrote codes in groups of eight). The table is never cleared once full: valid, just less tight.
"""

MAX_BITS = 16
FIRST_FREE = 257  # 0-255 are bytes, 256 is the block-mode CLEAR code


def _codes(data: bytes) -> list[int]:
    """Plain LZW: the longest known string's code, then that string plus the next byte becomes known."""
    table = {}  # (prefix code, next byte) -> code
    codes, free, current = [], FIRST_FREE, data[0]
    for byte in data[1:]:
        if (current, byte) in table:
            current = table[current, byte]
            continue
        codes.append(current)
        if free < 1 << MAX_BITS:
            table[current, byte] = free
            free += 1
        current = byte
    codes.append(current)
    return codes


def compress(data: bytes) -> bytes:
    """`data` as compress(1) writes it (what `uncompress`, `gzip -d` and unlzw3 read)."""
    out = bytearray(b"\x1f\x9d" + bytes([0x80 | MAX_BITS]))
    if not data:
        return bytes(out)
    bits, buffer, filled, segment_start = 9, 0, 0, len(out)
    known = FIRST_FREE - 1  # the highest code a reader has in its table (it lags one code behind)
    for index, code in enumerate(_codes(data)):
        if index and known >= (1 << bits) - 1 and bits < MAX_BITS:
            if filled:  # flush the partial byte, then pad the segment to a multiple of `bits` bytes
                out.append(buffer)
                buffer = filled = 0
            out.extend(bytes(-(len(out) - segment_start) % bits))
            bits, segment_start = bits + 1, len(out)
        buffer |= code << filled
        filled += bits
        while filled >= 8:
            out.append(buffer & 0xFF)
            buffer >>= 8
            filled -= 8
        if index and known < (1 << MAX_BITS) - 1:
            known += 1
    if filled:
        out.append(buffer)
    return bytes(out)
