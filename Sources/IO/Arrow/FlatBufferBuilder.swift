/// A FlatBuffers value to be written: the Arrow IPC metadata segsh sends (Schema,
/// RecordBatch, Message) is a small tree of these.
indirect enum FlatBufferNode {
    /// A table; the field at index `i` has id `i` (nil: absent, takes its default).
    case table([FlatBufferField?])
    case string(String)
    case tables([FlatBufferNode])
    /// A vector of structs given as their little-endian bytes.
    case structs(count: Int, alignment: Int, bytes: [UInt8])
}

enum FlatBufferField {
    case uint8(UInt8)
    case int16(Int16)
    case int32(Int32)
    case int64(Int64)
    case node(FlatBufferNode)
}

/// Writes a `FlatBufferNode` tree front to back: each table's vtable right before it, each
/// child after its parent (FlatBuffers' offsets to children are unsigned, forward ones).
/// Scalars are aligned to their size relative to the buffer's start, which the IPC writer
/// places on an 8-byte boundary.
struct FlatBufferBuilder {
    private(set) var bytes: [UInt8] = []

    /// The bytes of a buffer whose root is `root`.
    static func build(_ root: FlatBufferNode) -> [UInt8] {
        var b = FlatBufferBuilder()
        b.append(UInt32(0))
        let start = b.write(root)
        b.patchOffset(at: 0, to: start)
        b.pad(to: 8)
        return b.bytes
    }

    private mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func set<T: FixedWidthInteger>(_ value: T, at position: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (i, byte) in raw.enumerated() { bytes[position + i] = byte }
        }
    }

    private mutating func patchOffset(at position: Int, to target: Int) {
        set(UInt32(target - position), at: position)
    }

    /// Writes `node`; returns where an offset to it must point.
    private mutating func write(_ node: FlatBufferNode) -> Int {
        switch node {
        case .string(let s):
            pad(to: 4)
            let start = bytes.count
            let utf8 = Array(s.utf8)
            append(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
            bytes.append(0)
            return start
        case .structs(let count, let alignment, let data):
            while (bytes.count + 4) % max(alignment, 4) != 0 { bytes.append(0) }
            let start = bytes.count
            append(UInt32(count))
            bytes.append(contentsOf: data)
            return start
        case .tables(let children):
            pad(to: 4)
            let start = bytes.count
            append(UInt32(children.count))
            for _ in children { append(UInt32(0)) }
            for (i, child) in children.enumerated() {
                let target = write(child)
                patchOffset(at: start + 4 + 4 * i, to: target)
            }
            return start
        case .table(let fields):
            pad(to: 2)
            let vtable = bytes.count
            append(UInt16(4 + 2 * fields.count))
            append(UInt16(0))
            for _ in fields { append(UInt16(0)) }
            pad(to: 8)
            let table = bytes.count
            append(Int32(table - vtable))
            var children: [(position: Int, node: FlatBufferNode)] = []
            for (id, field) in fields.enumerated() {
                guard let field else { continue }
                let size: Int
                switch field {
                case .uint8: size = 1
                case .int16: size = 2
                case .int32, .node: size = 4
                case .int64: size = 8
                }
                pad(to: size)
                set(UInt16(bytes.count - table), at: vtable + 4 + 2 * id)
                switch field {
                case .uint8(let v): append(v)
                case .int16(let v): append(v)
                case .int32(let v): append(v)
                case .int64(let v): append(v)
                case .node(let child):
                    children.append((bytes.count, child))
                    append(UInt32(0))
                }
            }
            set(UInt16(bytes.count - table), at: vtable + 2)
            for (position, child) in children {
                let target = write(child)
                patchOffset(at: position, to: target)
            }
            return table
        }
    }
}
