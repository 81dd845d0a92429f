import CPatchTopKernels
import Foundation

/// Which implementation of the heavy int8 kernels (CONV_2D, DEPTHWISE_CONV_2D)
/// runs, chosen once per process from the CPU's features.
///
/// Every path is bit-exact with the reference loops; they differ only in
/// speed. `vnni` runs CONV_2D through `vpdpbusd` (Intel since Ice Lake /
/// Alder Lake, AMD since Zen 4); `avx2` is the C target's `vpmaddwd`
/// kernels (any x86-64 CPU with AVX2: Intel since Haswell, AMD since
/// Excavator/Zen); `portable` is the Swift SIMD kernels, which run on any
/// CPU Swift targets. The binary itself is built for the baseline of its
/// architecture, so it starts everywhere.
public enum KernelPath: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// CONV_2D through VNNI's `vpdpbusd` (AVX-VNNI or AVX-512 VNNI), every
    /// other kernel as `avx2`.
    case vnni
    case avx2
    case portable

    /// The path new kernels use: the best this CPU supports, or the one
    /// `PATCHTOP_KERNELS` names (`avx2`, `portable`) when the CPU supports it.
    public static let active: KernelPath = {
        let available = Self.available
        if let name = ProcessInfo.processInfo.environment["PATCHTOP_KERNELS"],
           let asked = KernelPath(rawValue: name.lowercased()), available.contains(asked) {
            return asked
        }
        return available[0]
    }()

    /// Why `PATCHTOP_KERNELS` was not followed, or nil when it is unset or
    /// was: a name that is no kernel path, or a path this CPU lacks.
    public static var environmentNotice: String? {
        guard let name = ProcessInfo.processInfo.environment["PATCHTOP_KERNELS"], !name.isEmpty else { return nil }
        guard let asked = KernelPath(rawValue: name.lowercased()) else {
            let names = allCases.map(\.rawValue).joined(separator: ", ")
            return "PATCHTOP_KERNELS=\(name) is not a kernel path (\(names)); using \(active.rawValue)"
        }
        guard available.contains(asked) else {
            return "PATCHTOP_KERNELS=\(name): this CPU lacks \(asked.rawValue) (it has: \(CPUFeatures.current)); using \(active.rawValue)"
        }
        return nil
    }

    /// The paths this CPU can run, best first (`portable` is always last).
    static var available: [KernelPath] {
        let cpu = CPUFeatures.current
        guard cpu.contains(.avx2) else { return [.portable] }
        let vnni = cpu.contains(.avxVNNI) || cpu.contains(.avx512VNNI)
        return (vnni ? [.vnni] : []) + [.avx2, .portable]
    }

    /// Whether kernels other than the VNNI conv take their AVX2 form.
    var usesAVX2: Bool { self != .portable }

    public var description: String {
        switch self {
        case .vnni: "vnni (vpdpbusd u8×s8 quads for conv; avx2 for the rest)"
        case .avx2: "avx2 (vpmaddwd int16 pairs)"
        case .portable: "portable (Swift SIMD)"
        }
    }
}

/// The x86-64 vector features this CPU and OS provide (empty elsewhere).
public struct CPUFeatures: OptionSet, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    static let avx2 = CPUFeatures(rawValue: UInt32(PT_CPU_AVX2))
    static let avx512VNNI = CPUFeatures(rawValue: UInt32(PT_CPU_AVX512_VNNI))
    static let avxVNNI = CPUFeatures(rawValue: UInt32(PT_CPU_AVX_VNNI))

    public static let current = CPUFeatures(rawValue: pt_cpu_features())

    public var description: String {
        let names = [(Self.avx2, "avx2"), (.avx512VNNI, "avx512-vnni"), (.avxVNNI, "avx-vnni")]
            .filter { contains($0.0) }.map(\.1)
        return names.isEmpty ? "none" : names.joined(separator: " ")
    }
}
