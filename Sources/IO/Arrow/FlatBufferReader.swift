/// A read-only view of one FlatBuffers table: the Arrow IPC metadata (Schema, RecordBatch,
/// Message) is stored this way. Every read is bounds-checked and throws `ArrowError` on
/// malformed input, so a corrupt or hostile stream cannot crash segsh.
///
/// Layout (FlatBuffers' own): a table starts with an `Int32` offset back to its vtable; the
/// vtable holds its own size, the table's size, then one `UInt16` offset per field (0: absent).
/// Offsets to strings, vectors and child tables are `UInt32`s relative to where they are stored.
struct FlatBufferTable {
    let buffer: UnsafeRawBufferPointer
    let position: Int
    private let vtable: Int
    private let vtableSize: Int

    /// The root table of a buffer: its offset is the buffer's first `UInt32`.
    init(root buffer: UnsafeRawBufferPointer) throws {
        let offset = try FlatBufferTable.load(UInt32.self, buffer, at: 0)
        try self.init(buffer, at: Int(offset))
    }

    init(_ buffer: UnsafeRawBufferPointer, at position: Int) throws {
        self.buffer = buffer
        self.position = position
        let back = try FlatBufferTable.load(Int32.self, buffer, at: position)
        let vt = position - Int(back)
        let size = Int(try FlatBufferTable.load(UInt16.self, buffer, at: vt))
        guard size >= 4, size % 2 == 0, vt + size <= buffer.count else {
            throw ArrowError("malformed Arrow metadata: a table's field list lies outside the message")
        }
        vtable = vt
        vtableSize = size
    }

    static func load<T: FixedWidthInteger>(_: T.Type, _ buffer: UnsafeRawBufferPointer, at offset: Int) throws -> T {
        guard offset >= 0, offset <= buffer.count - MemoryLayout<T>.size else {
            throw ArrowError("malformed Arrow metadata: a value at byte \(offset) lies outside the \(buffer.count)-byte message")
        }
        return T(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// Where field `index` is stored, or nil when it is absent (and takes its default).
    private func fieldPosition(_ index: Int) throws -> Int? {
        let entry = 4 + 2 * index
        guard entry + 2 <= vtableSize else { return nil }
        let offset = Int(try FlatBufferTable.load(UInt16.self, buffer, at: vtable + entry))
        return offset == 0 ? nil : position + offset
    }

    func scalar<T: FixedWidthInteger>(_ index: Int, default value: T) throws -> T {
        guard let p = try fieldPosition(index) else { return value }
        return try FlatBufferTable.load(T.self, buffer, at: p)
    }

    func bool(_ index: Int, default value: Bool = false) throws -> Bool {
        try scalar(index, default: UInt8(value ? 1 : 0)) != 0
    }

    /// Follows the `UInt32` offset stored at `p`.
    private func target(at p: Int) throws -> Int {
        let offset = try FlatBufferTable.load(UInt32.self, buffer, at: p)
        return p + Int(offset)
    }

    func table(_ index: Int) throws -> FlatBufferTable? {
        guard let p = try fieldPosition(index) else { return nil }
        return try FlatBufferTable(buffer, at: target(at: p))
    }

    func string(_ index: Int) throws -> String? {
        guard let p = try fieldPosition(index) else { return nil }
        let start = try target(at: p)
        let length = Int(try FlatBufferTable.load(UInt32.self, buffer, at: start))
        guard start + 4 + length <= buffer.count else {
            throw ArrowError("malformed Arrow metadata: a string runs past the end of the message")
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[(start + 4)..<(start + 4 + length)]), as: UTF8.self)
    }

    /// A vector field: where its elements start and how many there are (0 when absent).
    /// `elementSize` is checked against the buffer's end.
    func vector(_ index: Int, elementSize: Int) throws -> (start: Int, count: Int) {
        guard let p = try fieldPosition(index) else { return (0, 0) }
        let start = try target(at: p)
        let count = Int(try FlatBufferTable.load(UInt32.self, buffer, at: start))
        guard count <= (buffer.count - start - 4) / max(elementSize, 1) else {
            throw ArrowError("malformed Arrow metadata: a list of \(count) entries runs past the end of the message")
        }
        return (start + 4, count)
    }

    /// The tables of a vector-of-tables field.
    func tables(_ index: Int) throws -> [FlatBufferTable] {
        let (start, count) = try vector(index, elementSize: 4)
        return try (0..<count).map { try FlatBufferTable(buffer, at: target(at: start + 4 * $0)) }
    }
}
