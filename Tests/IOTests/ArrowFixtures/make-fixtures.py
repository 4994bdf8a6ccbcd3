#!/usr/bin/env python3
"""Writes the Arrow IPC stream fixtures of ArrowStreamReaderTests with pyarrow.

Run from the repository root with a python that has pyarrow (scripts/spark-server's venv has):
    .venv-spark/bin/python Tests/IOTests/ArrowFixtures/make-fixtures.py
The files are committed; tests need no python.
"""
import datetime as dt
import decimal
import os
import pyarrow as pa

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, schema, batches, options=None):
    with open(os.path.join(HERE, name), "wb") as f:
        with pa.ipc.new_stream(f, schema, options=options) as w:
            for b in batches:
                w.write_batch(b)


# Every type segsh reads, 10 rows, nulls at rows 2 and 9 (0-based 1 and 8), so the validity
# bitmaps span two bytes.
N = 10
def with_nulls(values):
    return [None if i in (1, 8) else v for i, v in enumerate(values)]

ints = with_nulls([0, 1, -1, 7, 100, -100, 42, 5, 9, -9])
uints = with_nulls([0, 1, 2, 7, 100, 200, 42, 5, 9, 250])
cols = {
    "i8": pa.array(ints, pa.int8()),
    "i16": pa.array([None if v is None else v * 300 for v in ints], pa.int16()),
    "i32": pa.array([None if v is None else v * 70000 for v in ints], pa.int32()),
    "i64": pa.array([None if v is None else v * 10**12 for v in ints], pa.int64()),
    "u8": pa.array(uints, pa.uint8()),
    "u16": pa.array([None if v is None else v * 250 for v in uints], pa.uint16()),
    "u32": pa.array([None if v is None else v * 16000000 for v in uints], pa.uint32()),
    "u64": pa.array([None if v is None else v * 10**15 for v in uints], pa.uint64()),
    "f32": pa.array(with_nulls([0.5, 1.25, -2.5, 3.0, 0.0, 1e10, -0.125, 7.75, 8.5, 9.0]), pa.float32()),
    "f64": pa.array(with_nulls([0.1, 1.5, -2.25, 3.0, 1e300, -1e-300, 2.0 / 3.0, 7.0, 8.0, 9.0]), pa.float64()),
    "dec": pa.array(with_nulls([decimal.Decimal(s) for s in
                                ["0.00", "1.50", "-2.25", "1234567890.99", "0.01", "-0.01", "100.00", "7.00", "8.00", "9.99"]]),
                    pa.decimal128(12, 2)),
    "s": pa.array(with_nulls(["", "a", "华东", "Zürich", "tab\there", "x" * 40, "a", "😀", "b", "end"]), pa.utf8()),
    "ls": pa.array(with_nulls(["one", "two", "三", "four", "", "six", "seven", "eight", "nine", "十"]), pa.large_utf8()),
    "d32": pa.array(with_nulls([dt.date(2024, 1, 1), dt.date(1970, 1, 1), dt.date(1969, 12, 31), dt.date(2000, 2, 29),
                                dt.date(1900, 3, 1), dt.date(2099, 12, 31), dt.date(2024, 6, 30), dt.date(2024, 7, 1),
                                dt.date(2024, 7, 2), dt.date(2024, 7, 3)]), pa.date32()),
    "d64": pa.array(with_nulls([dt.date(2024, 1, 1), dt.date(1970, 1, 1), dt.date(1969, 12, 31), dt.date(2000, 2, 29),
                                dt.date(1900, 3, 1), dt.date(2099, 12, 31), dt.date(2024, 6, 30), dt.date(2024, 7, 1),
                                dt.date(2024, 7, 2), dt.date(2024, 7, 3)]), pa.date64()),
    # Midnights only: becomes a date column.
    "ts_midnight": pa.array(with_nulls([dt.datetime(2024, 1, 1), dt.datetime(1970, 1, 1), dt.datetime(1969, 12, 31),
                                        dt.datetime(2000, 2, 29), dt.datetime(1900, 3, 1), dt.datetime(2099, 12, 31),
                                        dt.datetime(2024, 6, 30), dt.datetime(2024, 7, 1), dt.datetime(2024, 7, 2),
                                        dt.datetime(2024, 7, 3)]), pa.timestamp("us", tz="UTC")),
    # Times of day: becomes text.
    "ts": pa.array(with_nulls([dt.datetime(2024, 1, 1, 13, 45, 6), dt.datetime(1970, 1, 1), dt.datetime(1969, 12, 31, 23, 59, 59),
                               dt.datetime(2000, 2, 29, 0, 0, 0, 500000), dt.datetime(1900, 3, 1, 1, 2, 3, 4),
                               dt.datetime(2099, 12, 31, 23, 59, 59, 999999), dt.datetime(2024, 6, 30, 12),
                               dt.datetime(2024, 7, 1), dt.datetime(2024, 7, 2), dt.datetime(2024, 7, 3, 0, 0, 1)]),
                   pa.timestamp("us")),
    "ts_s": pa.array(with_nulls([0, 1, 86400, 86401, -1, 3600, 0, 0, 0, 0]), pa.timestamp("s", tz="Asia/Shanghai")),
    "ts_ns": pa.array(with_nulls([0, 1, 1000, 86400 * 10**9, -1, 0, 0, 0, 0, 0]), pa.timestamp("ns")),
    "b": pa.array(with_nulls([True, False, True, True, False, False, True, False, True, True]), pa.bool_()),
    "n": pa.nulls(N, pa.null()),
}
table = pa.table(cols)
write("all-types.arrows", table.schema, table.to_batches())

# Several batches of different sizes (one empty), nulls in some.
schema = pa.schema([("id", pa.int64()), ("name", pa.utf8())])
batches = [
    pa.record_batch([pa.array([1, 2, 3, None, 5], pa.int64()), pa.array(["a", None, "c", "d", "e"])], schema=schema),
    pa.record_batch([pa.array([], pa.int64()), pa.array([], pa.utf8())], schema=schema),
    pa.record_batch([pa.array(list(range(6, 13)), pa.int64()), pa.array([f"n{i}" for i in range(6, 13)])], schema=schema),
]
write("several-batches.arrows", schema, batches)

# A schema and no batch; a schema and one empty batch.
write("empty-no-batch.arrows", schema, [])
write("empty-batch.arrows", schema, [batches[1]])

# Types segsh cannot read: each must be an error naming its column.
write("time.arrows", pa.schema([("id", pa.int64()), ("at", pa.time64("us"))]),
      [pa.record_batch([pa.array([1]), pa.array([dt.time(1, 2, 3)], pa.time64("us"))], names=["id", "at"])])
write("binary.arrows", pa.schema([("payload", pa.binary())]),
      [pa.record_batch([pa.array([b"\x00\x01"], pa.binary())], names=["payload"])])
write("list.arrows", pa.schema([("tags", pa.list_(pa.utf8()))]),
      [pa.record_batch([pa.array([["a", "b"]], pa.list_(pa.utf8()))], names=["tags"])])
dictionary = pa.array(["x", "y", "x"]).dictionary_encode()
write("dictionary.arrows", pa.schema([("region", dictionary.type)]),
      [pa.record_batch([dictionary], names=["region"])])
write("decimal256.arrows", pa.schema([("big", pa.decimal256(40, 2))]),
      [pa.record_batch([pa.array([decimal.Decimal("1.00")], pa.decimal256(40, 2))], names=["big"])])

# Values that do not fit: a decimal with 20 significant digits, a uint64 above 2^63-1.
write("decimal-inexact.arrows", pa.schema([("amount", pa.decimal128(38, 2))]),
      [pa.record_batch([pa.array([decimal.Decimal("1.00"), decimal.Decimal("123456789012345678.91")],
                                 pa.decimal128(38, 2))], names=["amount"])])
write("uint64-overflow.arrows", pa.schema([("n", pa.uint64())]),
      [pa.record_batch([pa.array([1, 2**63], pa.uint64())], names=["n"])])

# A compressed stream (LZ4 frames): an error saying so.
write("compressed.arrows", schema, [batches[0]], options=pa.ipc.IpcWriteOptions(compression="lz4"))
