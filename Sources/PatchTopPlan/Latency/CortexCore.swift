/// An Arm Cortex-M core the firmware export builds for, named as
/// `patchtop export --target` names it (`cortex-m4`, …). Predictions are
/// made per core: the same C compiles to different instruction streams on
/// each (DSP paths, M7's dual issue changes nothing in instruction counts,
/// but its compiler scheduling does).
public enum CortexCore: String, CaseIterable, Codable, Comparable, Sendable {
    case cortexM4 = "cortex-m4"
    case cortexM7 = "cortex-m7"
    case cortexM33 = "cortex-m33"
    case cortexM55 = "cortex-m55"

    /// `Cortex-M4`.
    public var displayName: String {
        switch self {
        case .cortexM4: "Cortex-M4"
        case .cortexM7: "Cortex-M7"
        case .cortexM33: "Cortex-M33"
        case .cortexM55: "Cortex-M55"
        }
    }

    /// The QEMU board the export's harness runs this core on (where the
    /// calibration was measured).
    public var qemuBoard: String {
        switch self {
        case .cortexM4: "mps2-an386"
        case .cortexM7: "mps2-an500"
        case .cortexM33: "mps2-an505"
        case .cortexM55: "mps3-an547"
        }
    }

    /// The core called `name` (`cortex-m4`, `m4`, `Cortex-M4`), ignoring case.
    public init?(name: String) {
        let lower = name.lowercased()
        let key = lower.hasPrefix("cortex-") ? lower : "cortex-" + lower
        guard let core = CortexCore(rawValue: key) else { return nil }
        self = core
    }

    public static func < (a: CortexCore, b: CortexCore) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// `cortex-m4, cortex-m7, cortex-m33, cortex-m55`.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
