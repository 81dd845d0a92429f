// INTERIM — delete this file when the `firmware` branch lands in main.
//
// The types the `firmware` branch owns under FIRMWARE-INTERFACE.md
// (`FirmwareTarget`, `FirmwareLibrary`, `ExportManifest`, `ExportError`),
// declared here with the contract's names so the harness builds and is
// tested before the real emitter exists. Nothing here emits C: a library
// is made from given files (the tests' hand-written fixture).
import PatchTopModel
import PatchTopRuntime

public enum FirmwareTarget: String, CaseIterable, Sendable {
    case cortexM4 = "cortex-m4", cortexM7 = "cortex-m7", cortexM33 = "cortex-m33", cortexM55 = "cortex-m55", host
}

/// What an export holds, as the library describes it.
public struct ExportManifest: Codable, Equatable, Sendable {
    public struct Boundary: Codable, Equatable, Sendable {
        public var tensor: Int
        public var shape: [Int]
        public var type: String
        public var bytes: Int
        public init(tensor: Int, shape: [Int], type: String, bytes: Int) {
            self.tensor = tensor
            self.shape = shape
            self.type = type
            self.bytes = bytes
        }
    }
    public var model: String
    public var operators: Int
    public var inputs: [Boundary]
    public var outputs: [Boundary]
    public var streamedInput: Bool
    public init(model: String, operators: Int, inputs: [Boundary], outputs: [Boundary], streamedInput: Bool) {
        self.model = model
        self.operators = operators
        self.inputs = inputs
        self.outputs = outputs
        self.streamedInput = streamedInput
    }
}

public enum ExportError: Error, Equatable, Sendable, CustomStringConvertible {
    case unsupported(op: Int, kind: String, reason: String)
    case file(path: String, problem: String)

    public var description: String {
        switch self {
        case .unsupported(let op, let kind, let reason): "op \(op) (\(kind)) cannot be exported: \(reason)"
        case .file(let path, let problem): "\(path): \(problem)"
        }
    }
}

public struct FirmwareLibrary: Sendable {
    public var files: [String: String]
    public var arenaBytes: Int
    public var manifest: ExportManifest

    /// A library from its files (the tests' fixture).
    public init(files: [String: String], arenaBytes: Int, manifest: ExportManifest) {
        self.files = files
        self.arenaBytes = arenaBytes
        self.manifest = manifest
    }
}

extension FirmwareLibrary {
    /// The emitter is the `firmware` branch's; until it lands an export of
    /// a model is refused with this one line.
    public init(program: ArenaProgram, target: FirmwareTarget, streamedInput: Bool) throws(ExportError) {
        throw .unsupported(op: 0, kind: program.prepared.model.operators.first?.kind.name ?? "model",
                           reason: "this build has no C emitter yet (it comes with the firmware branch)")
    }
}
