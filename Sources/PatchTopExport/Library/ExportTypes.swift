import PatchTopModel
import PatchTopPlan
import PatchTopRuntime

/// The cores an export builds for; `host` is the machine's own `cc`.
public enum FirmwareTarget: String, CaseIterable, Sendable {
    case cortexM4 = "cortex-m4", cortexM7 = "cortex-m7", cortexM33 = "cortex-m33", cortexM55 = "cortex-m55", host
}

/// Why an export was refused. Each case names the op (index and kind) or
/// the path, and the problem; `description` is one line.
public enum ExportError: Error, Equatable, CustomStringConvertible, Sendable {
    /// An op of the program the C library cannot run.
    case unsupportedOp(index: Int, kind: String, reason: String)
    /// `--stream-input` asked of a program that does not stream its input.
    case streamedInputUnavailable(reason: String)
    /// The runtime could not lower its program.
    case program(String)
    /// A file could not be read or written.
    case file(path: String, problem: String)

    public var description: String {
        switch self {
        case let .unsupportedOp(index, kind, reason): "cannot export op \(index) (\(kind)): \(reason)"
        case let .streamedInputUnavailable(reason): "cannot export with --stream-input: \(reason)"
        case let .program(reason): "cannot export the program: \(reason)"
        case let .file(path, problem): "\(path): \(problem)"
        }
    }
}

/// What an export holds, written as `patchtop-export.json`.
public struct ExportManifest: Codable, Equatable, Sendable {
    public struct Plan: Codable, Equatable, Sendable {
        public var patches: Int
        public var patchLayers: Int
        /// The memory options, as `MemoryOptions.summary` names them.
        public var options: String
        public var inplaceDepthwise: Bool
        public var streamInput: Bool
        public var fuseResidual: Bool
        public var foldPad: Bool
        public var int8IO: Bool
        /// `none`, `all`, `auto`, `columns` or `rows`.
        public var haloCache: String
        /// The fused stages, each run tile by tile over its own grid (ops
        /// outside every stage run layer by layer); empty layer by layer.
        /// `patches`/`patchLayers` describe the stage at the head only.
        /// (Absent from the manifests of earlier exports: read as empty.)
        public var stages: [Stage]

        public init(patches: Int, patchLayers: Int, options: String, inplaceDepthwise: Bool, streamInput: Bool,
                    fuseResidual: Bool, foldPad: Bool, int8IO: Bool, haloCache: String, stages: [Stage]) {
            self.patches = patches
            self.patchLayers = patchLayers
            self.options = options
            self.inplaceDepthwise = inplaceDepthwise
            self.streamInput = streamInput
            self.fuseResidual = fuseResidual
            self.foldPad = foldPad
            self.int8IO = int8IO
            self.haloCache = haloCache
            self.stages = stages
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            patches = try c.decode(Int.self, forKey: .patches)
            patchLayers = try c.decode(Int.self, forKey: .patchLayers)
            options = try c.decode(String.self, forKey: .options)
            inplaceDepthwise = try c.decode(Bool.self, forKey: .inplaceDepthwise)
            streamInput = try c.decode(Bool.self, forKey: .streamInput)
            fuseResidual = try c.decode(Bool.self, forKey: .fuseResidual)
            foldPad = try c.decode(Bool.self, forKey: .foldPad)
            int8IO = try c.decode(Bool.self, forKey: .int8IO)
            haloCache = try c.decode(String.self, forKey: .haloCache)
            stages = try c.decodeIfPresent([Stage].self, forKey: .stages) ?? []
        }
    }

    /// One fused stage: ops `firstOp...lastOp` over `rows` × `cols` tiles.
    public struct Stage: Codable, Equatable, Sendable {
        public var firstOp: Int
        public var lastOp: Int
        public var rows: Int
        public var cols: Int
    }

    public struct Tensor: Codable, Equatable, Sendable {
        public var name: String
        public var shape: [Int]
        /// `int8` or `float32`.
        public var type: String
        public var bytes: Int
    }

    public var model: String
    public var target: String
    public var plan: Plan
    public var arenaBytes: Int
    public var steps: Int
    public var streamedInput: Bool
    public var inputs: [Tensor]
    public var outputs: [Tensor]
    /// Flags the library must be compiled with (the float kernels must not
    /// fuse a multiply and an add).
    public var requiredCFlags: [String]
    /// Ops whose float maths calls the C library's libm on the device
    /// (it may differ from the host's); empty when none does.
    public var libmOps: [String]
}
