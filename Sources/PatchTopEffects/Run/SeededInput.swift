import PatchTopModel

/// The input every TUI run uses: reproducible bytes for the model's input
/// tensor, so that two runs of one plan see the same data.
///
/// int8 bytes uniformly over −128…127, float32 uniformly in [−1, 1), from a
/// SplitMix64 stream: the same bytes as `patchtop run --seed`.
public enum SeededInput {
    public static func bytes(for tensor: Tensor, seed: UInt64 = 0) -> [Int8] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        if tensor.type == .float32 {
            var bytes: [Int8] = []
            bytes.reserveCapacity(tensor.elementCount * 4)
            for _ in 0..<tensor.elementCount {
                let value = Float(Double(next() >> 11) / Double(1 << 53) * 2 - 1)
                withUnsafeBytes(of: value.bitPattern.littleEndian) { raw in
                    for byte in raw { bytes.append(Int8(bitPattern: byte)) }
                }
            }
            return bytes
        }
        return (0..<tensor.byteCount).map { _ in Int8(truncatingIfNeeded: next()) }
    }
}
