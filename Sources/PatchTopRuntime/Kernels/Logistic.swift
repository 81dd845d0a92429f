import Foundation

/// int8 LOGISTIC as a 256-entry lookup table, exactly as TFLite's
/// `PopulateLookupTable` builds it: dequantize in float, `1/(1+e^−x)` in
/// float, `round(y / s_out) + zp_out`, clamp. With one byte in and one byte
/// out, a table is both the fastest and the most faithful form.
struct LookupTableInt8: Sendable {
    var table: [Int8]

    init(inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32,
                transform: (Float) -> Float) {
        let inverseScale = 1 / outputScale
        var table = [Int8](repeating: 0, count: 256)
        for v in Int32(-128)...127 {
            let x = inputScale * Float(v - inputZeroPoint)
            let y = transform(x)
            let r = (y * inverseScale).rounded(.toNearestOrAwayFromZero)
            let q = Int32(max(min(r + Float(outputZeroPoint), 1e6), -1e6))
            table[Int(UInt8(bitPattern: Int8(v)))] = Int8(min(max(q, -128), 127))
        }
        self.table = table
    }

    static func logistic(inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32) -> LookupTableInt8 {
        LookupTableInt8(inputScale: inputScale, inputZeroPoint: inputZeroPoint, outputScale: outputScale,
                        outputZeroPoint: outputZeroPoint) { 1 / (1 + expf(-$0)) }
    }

    @inlinable
    func apply(_ x: Int8) -> Int8 { table[Int(UInt8(bitPattern: x))] }
}
