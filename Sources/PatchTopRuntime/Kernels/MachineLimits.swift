import CPatchTopKernels

/// The arithmetic limits of this core for the instructions the AVX2 kernels
/// are built on, measured (not looked up): independent chains of `vpmaddwd`
/// + `vpaddd` (16 exact int8 MACs per instruction, on int16 pairs) and of
/// `vmulps` + `vaddps` (8 float MACs, never fused, as the reference
/// rounds). `bench --per-op` reports each kernel against them.
///
/// `vpmaddubsw` would double the int8 figure but saturates its int16 pair
/// sums, so it cannot be bit-exact for every input; VNNI's `vpdpbusd`
/// (not on this path) would quadruple it.
public enum MachineLimits {
    /// Billions of int8 MACs per second, nil without AVX2.
    public static func int8GMACs() -> Double? {
        guard CPUFeatures.current.contains(.avx2) else { return nil }
        return rate(macsPerIteration: 192) { _ = pt_int8_throughput_avx2($0) }
    }

    /// Billions of float MACs (a multiply and an add) per second, nil without AVX2.
    public static func float32GMACs() -> Double? {
        guard CPUFeatures.current.contains(.avx2) else { return nil }
        return rate(macsPerIteration: 96) { _ = pt_f32_throughput_avx2($0) }
    }

    /// The best of five timings of `body(iterations)`, sized to take about
    /// 2 ms each, in billions of MACs per second.
    private static func rate(macsPerIteration: Double, _ body: (UInt64) -> Void) -> Double {
        let clock = ContinuousClock()
        let iterations: UInt64 = 1 << 20
        var best = Double.infinity
        body(iterations / 16)  // warm up (clock ramp, first touch)
        for _ in 0..<5 {
            let start = clock.now
            body(iterations)
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            best = min(best, seconds)
        }
        return Double(iterations) * macsPerIteration / max(best, 1e-12) / 1e9
    }
}
