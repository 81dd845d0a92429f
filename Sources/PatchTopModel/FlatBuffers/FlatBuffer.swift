/// A bounds-checked view of a FlatBuffer's bytes.
///
/// No FlatBuffers package is available to us, and TFLite needs only a small
/// part of the format: tables with vtables, vectors of scalars, tables and
/// strings. Every read checks its bounds and throws `ModelError` naming the
/// byte offset, so a truncated or corrupted file never traps.
struct FlatBuffer {
    let bytes: [UInt8]

    init(bytes: [UInt8]) { self.bytes = bytes }

    func require(_ offset: Int, _ length: Int) throws(ModelError) {
        guard offset >= 0, length >= 0, offset <= bytes.count, length <= bytes.count - offset else {
            throw .truncated(offset: offset, length: length, fileSize: bytes.count)
        }
    }

    func readUInt8(at offset: Int) throws(ModelError) -> UInt8 {
        try require(offset, 1)
        return bytes[offset]
    }

    func readUInt16(at offset: Int) throws(ModelError) -> UInt16 {
        try require(offset, 2)
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func readUInt32(at offset: Int) throws(ModelError) -> UInt32 {
        try require(offset, 4)
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[offset + i]) << (8 * i) }
        return value
    }

    func readUInt64(at offset: Int) throws(ModelError) -> UInt64 {
        try require(offset, 8)
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[offset + i]) << (8 * i) }
        return value
    }

    func readInt32(at offset: Int) throws(ModelError) -> Int32 { Int32(bitPattern: try readUInt32(at: offset)) }

    /// The table an unsigned offset at `offset` points to.
    func table(at offset: Int) throws(ModelError) -> Table {
        let target = offset + Int(try readUInt32(at: offset))
        return try Table(buffer: self, position: target)
    }

    /// The root table (the file's first four bytes point to it).
    func rootTable() throws(ModelError) -> Table { try table(at: 0) }
}

/// One FlatBuffer table: a position and its vtable of field offsets.
struct Table {
    let buffer: FlatBuffer
    let position: Int
    private let vtable: Int
    private let vtableSize: Int

    init(buffer: FlatBuffer, position: Int) throws(ModelError) {
        try buffer.require(position, 4)
        let vtable = position - Int(try buffer.readInt32(at: position))
        let vtableSize = Int(try buffer.readUInt16(at: vtable))
        guard vtableSize >= 4, vtableSize % 2 == 0 else {
            throw .malformed(reason: "vtable of size \(vtableSize)", offset: vtable)
        }
        try buffer.require(vtable, vtableSize)
        self.buffer = buffer
        self.position = position
        self.vtable = vtable
        self.vtableSize = vtableSize
    }

    /// Absolute offset of field `slot`, or `nil` when the field is absent.
    func fieldOffset(_ slot: Int) throws(ModelError) -> Int? {
        let entry = 4 + 2 * slot
        guard entry + 2 <= vtableSize else { return nil }
        let relative = Int(try buffer.readUInt16(at: vtable + entry))
        return relative == 0 ? nil : position + relative
    }

    func int32(_ slot: Int, default value: Int32 = 0) throws(ModelError) -> Int32 {
        guard let at = try fieldOffset(slot) else { return value }
        return try buffer.readInt32(at: at)
    }

    func uint32(_ slot: Int, default value: UInt32 = 0) throws(ModelError) -> UInt32 {
        guard let at = try fieldOffset(slot) else { return value }
        return try buffer.readUInt32(at: at)
    }

    func int8(_ slot: Int, default value: Int8 = 0) throws(ModelError) -> Int8 {
        guard let at = try fieldOffset(slot) else { return value }
        return Int8(bitPattern: try buffer.readUInt8(at: at))
    }

    func uint8(_ slot: Int, default value: UInt8 = 0) throws(ModelError) -> UInt8 {
        guard let at = try fieldOffset(slot) else { return value }
        return try buffer.readUInt8(at: at)
    }

    func bool(_ slot: Int, default value: Bool = false) throws(ModelError) -> Bool {
        guard let at = try fieldOffset(slot) else { return value }
        return try buffer.readUInt8(at: at) != 0
    }

    func float32(_ slot: Int, default value: Float = 0) throws(ModelError) -> Float {
        guard let at = try fieldOffset(slot) else { return value }
        return Float(bitPattern: try buffer.readUInt32(at: at))
    }

    func uint64(_ slot: Int, default value: UInt64 = 0) throws(ModelError) -> UInt64 {
        guard let at = try fieldOffset(slot) else { return value }
        return try buffer.readUInt64(at: at)
    }

    /// A sub-table, or `nil` when absent.
    func table(_ slot: Int) throws(ModelError) -> Table? {
        guard let at = try fieldOffset(slot) else { return nil }
        return try buffer.table(at: at)
    }

    /// Start and count of a vector field whose elements are `elementSize`
    /// bytes, checked to lie inside the file.
    func vector(_ slot: Int, elementSize: Int) throws(ModelError) -> (start: Int, count: Int)? {
        guard let at = try fieldOffset(slot) else { return nil }
        let vector = at + Int(try buffer.readUInt32(at: at))
        let count = Int(try buffer.readUInt32(at: vector))
        guard count <= (buffer.bytes.count - vector - 4) / max(elementSize, 1) else {
            throw .truncated(offset: vector + 4, length: count * elementSize, fileSize: buffer.bytes.count)
        }
        return (vector + 4, count)
    }

    func int32Vector(_ slot: Int) throws(ModelError) -> [Int32]? {
        guard let (start, count) = try vector(slot, elementSize: 4) else { return nil }
        var values: [Int32] = []
        values.reserveCapacity(count)
        for i in 0..<count { values.append(try buffer.readInt32(at: start + 4 * i)) }
        return values
    }

    func float32Vector(_ slot: Int) throws(ModelError) -> [Float]? {
        guard let (start, count) = try vector(slot, elementSize: 4) else { return nil }
        var values: [Float] = []
        values.reserveCapacity(count)
        for i in 0..<count { values.append(Float(bitPattern: try buffer.readUInt32(at: start + 4 * i))) }
        return values
    }

    func int64Vector(_ slot: Int) throws(ModelError) -> [Int64]? {
        guard let (start, count) = try vector(slot, elementSize: 8) else { return nil }
        var values: [Int64] = []
        values.reserveCapacity(count)
        for i in 0..<count { values.append(Int64(bitPattern: try buffer.readUInt64(at: start + 8 * i))) }
        return values
    }

    func byteVector(_ slot: Int) throws(ModelError) -> [UInt8]? {
        guard let (start, count) = try vector(slot, elementSize: 1) else { return nil }
        return Array(buffer.bytes[start..<start + count])
    }

    func string(_ slot: Int) throws(ModelError) -> String? {
        guard let bytes = try byteVector(slot) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A vector of tables.
    func tables(_ slot: Int) throws(ModelError) -> [Table] {
        guard let (start, count) = try vector(slot, elementSize: 4) else { return [] }
        var tables: [Table] = []
        tables.reserveCapacity(count)
        for i in 0..<count { tables.append(try buffer.table(at: start + 4 * i)) }
        return tables
    }
}
