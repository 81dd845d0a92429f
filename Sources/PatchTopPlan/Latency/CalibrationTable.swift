import Foundation

/// The committed table of cost-model coefficients per core, fitted from
/// QEMU measurements of the firmware export by
/// `Scripts/calibrate_latency.py` (`Resources/latency-calibration.json`).
/// Tests and every command read this file; none runs the emulator.
public struct CalibrationTable: Codable, Equatable, Sendable {
    /// How well the fit reproduced the measurements it was made from.
    public struct Fit: Codable, Equatable, Sendable {
        public var plans: Int
        public var ops: Int
        /// |predicted − measured| / measured over whole plans.
        public var medianError: Double
        public var worstError: Double
    }

    public struct Core: Codable, Equatable, Sendable {
        public var board: String
        /// Instructions per inference outside every op.
        public var invoke: Double
        /// Instructions per step outside its op.
        public var betweenSteps: Double?
        /// Instructions per byte and per copy of `pt_invoke`'s copies (`InvokeCopies`).
        public var ioBytes: Double?
        public var ioCopies: Double?
        /// Per kernel class (`KernelClass` raw values), per `KernelFeature` name.
        public var kernels: [String: [String: Double]]
        /// For classes not measured.
        public var fallback: [String: Double]
        /// Per `MovementFeature` name.
        public var movement: [String: Double]
        public var fit: Fit?
    }

    public var format: Int
    /// Where the figures came from (script, toolchain, export commit).
    public var source: String
    public var cores: [String: Core]

    public init(format: Int = 1, source: String, cores: [String: Core]) {
        self.format = format
        self.source = source
        self.cores = cores
    }

    /// The cost model for `core`, or why there is none.
    public func model(for core: CortexCore) throws(LatencyError) -> CostModel {
        guard let entry = cores[core.rawValue] else {
            throw .notCalibrated(core: core, measured: cores.keys.compactMap(CortexCore.init(rawValue:)).sorted())
        }
        func vector<F: RawRepresentable & CaseIterable>(_ values: [String: Double], _: F.Type) throws(LatencyError) -> [Double] where F.RawValue == String {
            for key in values.keys where F(rawValue: key) == nil {
                throw .badTable(reason: "\(core.rawValue) has a coefficient \"\(key)\" the cost model does not know")
            }
            let vector = F.allCases.map { values[$0.rawValue] ?? 0 }
            guard vector.allSatisfy({ $0.isFinite }) else { throw .badTable(reason: "\(core.rawValue) has a coefficient that is not a finite number") }
            return vector
        }
        var kernels: [KernelClass: [Double]] = [:]
        for (name, values) in entry.kernels {
            guard let kernel = KernelClass(rawValue: name) else {
                throw .badTable(reason: "\(core.rawValue) has a kernel class \"\(name)\" the cost model does not know")
            }
            kernels[kernel] = try vector(values, KernelFeature.self)
        }
        guard entry.invoke.isFinite, (entry.betweenSteps ?? 0).isFinite, (entry.ioBytes ?? 0).isFinite, (entry.ioCopies ?? 0).isFinite else {
            throw .badTable(reason: "\(core.rawValue)'s invoke, betweenSteps, ioBytes or ioCopies is not a finite number")
        }
        return CostModel(core: core, invoke: entry.invoke, betweenSteps: entry.betweenSteps ?? 0, ioBytes: entry.ioBytes ?? 0,
                         ioCopies: entry.ioCopies ?? 0, kernels: kernels,
                         fallback: try vector(entry.fallback, KernelFeature.self),
                         movement: try vector(entry.movement, MovementFeature.self))
    }

    /// Reads a table from JSON bytes.
    public static func decode(_ data: Data, name: String) throws(LatencyError) -> CalibrationTable {
        let table: CalibrationTable
        do {
            table = try JSONDecoder().decode(CalibrationTable.self, from: data)
        } catch {
            throw .badTable(reason: "\(name) is not a calibration table: \(Self.describe(error, data: data))")
        }
        guard table.format == 1 else { throw .badTable(reason: "\(name) has format \(table.format); this PatchTop reads format 1") }
        return table
    }

    /// The table committed with PatchTop.
    public static func bundled() throws(LatencyError) -> CalibrationTable {
        guard let url = bundledURL, let data = try? Data(contentsOf: url) else {
            throw .badTable(reason: "the calibration table \(fileName) is missing from PatchTop's resources (reinstall, or build from source)")
        }
        return try decode(data, name: fileName)
    }

    static let fileName = "latency-calibration.json"

    /// Where the resource is: next to the executable (SwiftPM's resource
    /// bundle, looked up without `Bundle.module`, which traps when the
    /// bundle is missing), or in the source tree.
    static var bundledURL: URL? {
        let bundleNames = ["PatchTop_PatchTopPlan.resources", "PatchTop_PatchTopPlan.bundle"]
        var candidates: [URL] = []
        for base in [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent()].compactMap({ $0 }) {
            for bundle in bundleNames {
                candidates.append(base.appendingPathComponent(bundle).appendingPathComponent(fileName))
                candidates.append(base.appendingPathComponent(bundle).appendingPathComponent("Contents/Resources").appendingPathComponent(fileName))
            }
        }
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources").appendingPathComponent(fileName))
        return candidates.first { FileManager.default.isReadableFile(atPath: $0.path) }
    }

    static func describe(_ error: Error, data: Data) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "\"\(key.stringValue)\" is missing\(path(context))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "a value has the wrong type\(path(context))"
        case DecodingError.dataCorrupted(let context):
            guard context.codingPath.isEmpty else { return "a value is invalid\(path(context))" }
            // Foundation's decoder says "not valid JSON" also for a number too
            // large for its field; tell the two apart.
            return (try? JSONSerialization.jsonObject(with: data)) != nil
                ? "a number in it is out of range for its field" : "it is not valid JSON"
        default:
            return "it cannot be read"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.isEmpty ? "" : " at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
    }
}

/// Why a prediction cannot be made.
public enum LatencyError: Error, Equatable, Sendable, CustomStringConvertible {
    case notCalibrated(core: CortexCore, measured: [CortexCore])
    case badTable(reason: String)
    case badCalibration(reason: String)
    case badProfile(reason: String)

    public var description: String {
        switch self {
        case .notCalibrated(let core, let measured):
            let have = measured.isEmpty ? "no core has been measured yet" : "measured: \(measured.map(\.rawValue).joined(separator: ", "))"
            return "no instruction calibration for \(core.rawValue) (\(have)); run Scripts/calibrate_latency.py where the firmware export runs on it"
        case .badTable(let reason), .badCalibration(let reason), .badProfile(let reason):
            return reason
        }
    }
}
