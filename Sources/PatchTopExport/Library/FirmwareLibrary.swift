import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime

/// The C library for one compiled program: `lib/patchtop_model.h`,
/// `lib/patchtop_model.c` (const weights, parameters and tables, the arena,
/// the step table) and the fixed executor and kernels (`Resources/lib`).
///
/// It prints the program's lowered form (`ArenaProgram.lowered()`), the
/// same instructions `run` executes: nothing about the plan is decided here.
/// A program with an op the C library cannot run is refused before any
/// text is made, naming the op and its index.
public struct FirmwareLibrary {
    /// Relative path under the export folder ("lib/…") → contents.
    public var files: [String: String]
    /// The plan's arena, exactly (`program.layout.arenaBytes`).
    public var arenaBytes: Int
    public var manifest: ExportManifest
    /// What the export did differently from what was asked (e.g. an input
    /// read in place because the plan does not stream it), one line each.
    public var notes: [String]

    /// Flags the library needs: no contraction of float multiply-adds.
    public static let requiredCFlags = ["-ffp-contract=off"]

    public init(program: ArenaProgram, target: FirmwareTarget, streamedInput: Bool) throws(ExportError) {
        let lowered: LoweredProgram
        do {
            lowered = try program.lowered()
        } catch {
            throw .program(error.description)
        }
        var emitter = try ModelEmitter(program: program, lowered: lowered, streamedInput: streamedInput)
        let source = emitter.source(target: target)
        var files = try Self.fixedSources()
        files["lib/patchtop_model.h"] = emitter.header()
        files["lib/patchtop_model.c"] = source
        self.files = files
        notes = emitter.notes
        arenaBytes = lowered.arenaBytes
        let plan = program.plan
        func tensor(_ b: LoweredProgram.Boundary) -> ExportManifest.Tensor {
            ExportManifest.Tensor(name: b.name, shape: b.shape, type: b.isFloat ? "float32" : "int8", bytes: b.bytes)
        }
        manifest = ExportManifest(
            model: lowered.modelName, target: target.rawValue,
            plan: ExportManifest.Plan(patches: plan.patches, patchLayers: plan.patchLayers, options: plan.options.summary,
                                      inplaceDepthwise: plan.options.inplaceDepthwise, streamInput: plan.options.streamInput,
                                      fuseResidual: plan.options.fuseResidual, foldPad: plan.options.foldPad,
                                      int8IO: plan.options.int8IO, haloCache: plan.haloCaching.name,
                                      stages: plan.fusedStages.map {
                                          ExportManifest.Stage(firstOp: $0.firstOp, lastOp: $0.lastOp, rows: $0.grid.rows, cols: $0.grid.cols)
                                      }),
            arenaBytes: lowered.arenaBytes, steps: emitter.stepCount, streamedInput: emitter.streamedInput,
            inputs: lowered.inputs.map(tensor), outputs: lowered.outputs.map(tensor),
            requiredCFlags: Self.requiredCFlags, libmOps: Self.libmOps(lowered))
    }

    /// "op 17 LOGISTIC" for every op whose float maths calls the C
    /// library's `expf`/`tanhf`/`logf`, once each, in program order.
    static func libmOps(_ lowered: LoweredProgram) -> [String] {
        var seen = Set<Int>(), names: [String] = []
        for s in lowered.instructions where s.kernel.callsLibm && seen.insert(s.op).inserted {
            names.append("op \(s.op) \(s.opName)")
        }
        return names
    }

    /// The fixed C sources, `lib/<name>` → text.
    static func fixedSources() throws(ExportError) -> [String: String] {
        // Bundle layouts differ between platforms: look where each puts it.
        let candidates = [
            Bundle.module.url(forResource: "lib", withExtension: nil, subdirectory: "Resources"),
            Bundle.module.resourceURL?.appendingPathComponent("Resources/lib"),
            Bundle.module.bundleURL.appendingPathComponent("Resources/lib"),
        ].compactMap { $0 }
        guard let folder = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("pt_runtime.h").path) }) else {
            throw .file(path: "Resources/lib", problem: "the export's C sources are missing from the bundle")
        }
        var files: [String: String] = [:]
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw .file(path: folder.path, problem: "cannot list the C sources (\(error.localizedDescription))")
        }
        for name in names.sorted() where name.hasSuffix(".c") || name.hasSuffix(".h") {
            let path = folder.appendingPathComponent(name).path
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .file(path: path, problem: "cannot read this C source")
            }
            files["lib/\(name)"] = String(decoding: data, as: UTF8.self)
        }
        guard files["lib/pt_runtime.h"] != nil else {
            throw .file(path: folder.path, problem: "pt_runtime.h is missing")
        }
        return files
    }
}
