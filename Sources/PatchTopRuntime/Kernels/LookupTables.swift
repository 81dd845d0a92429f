/// Any int8 → int8 function is exactly a 256-entry table, and any function
/// of two int8 values a 65,536-entry one. The runtime tabulates RELU,
/// requantization, HARD_SWISH, ADD and MUL once at load time from their
/// exact fixed-point definitions, so running them is one load per byte and
/// the result cannot drift from the definition.
extension LookupTableInt8 {
    /// Tabulates `f` over every int8 value.
    init(_ f: (Int8) -> Int8) {
        var table = [Int8](repeating: 0, count: 256)
        for v in Int8.min...Int8.max { table[Int(UInt8(bitPattern: v))] = f(v) }
        self.init(table: table)
    }

    init(table: [Int8]) {
        precondition(table.count == 256)
        self.table = table
    }
}

/// A binary int8 op (ADD, MUL) tabulated over every pair of inputs:
/// `table[a·256 + b]` with `a`, `b` as unsigned bytes.
struct BinaryTableInt8: Sendable {
    let table: [Int8]
    /// What the table tabulates, for the export.
    let arithmetic: BinaryArithmeticInt8

    init(_ arithmetic: BinaryArithmeticInt8) {
        var table = [Int8](repeating: 0, count: 65_536)
        for a in Int8.min...Int8.max {
            let row = Int(UInt8(bitPattern: a)) << 8
            for b in Int8.min...Int8.max { table[row | Int(UInt8(bitPattern: b))] = arithmetic.apply(a, b) }
        }
        self.table = table
        self.arithmetic = arithmetic
    }

    @inlinable
    func apply(_ a: Int8, _ b: Int8) -> Int8 {
        table[Int(UInt8(bitPattern: a)) << 8 | Int(UInt8(bitPattern: b))]
    }
}
