import Foundation
import PatchTopExport
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime
import XCTest

/// Seeded random int8 graphs around DEPTHWISE_CONV_2D (windows 1–7,
/// non-square, strides 1–3, SAME/VALID, dilation 1–2, 1–24 channels,
/// depth multiplier 1–2, per-channel scales, fused clamps, maps 1×1 to
/// 20×20, an explicit PAD to fold now and then), a CONV_2D before and
/// after, under random plans (layer by layer, p×p and rows×cols grids over
/// n ops, two fused blocks; in-place depthwise or not; halo caches): the
/// exported C, built for the host or run on QEMU's Cortex-M4 (whose DSP
/// assembly the host never runs), gives the runtime's bytes.
final class DepthwiseExportFuzzTests: XCTestCase {
    /// SplitMix64, so that a failing case is reproducible from its seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The shape of one depthwise block, as drawn.
    struct DepthwiseSpec: CustomStringConvertible {
        var kernelH = 3, kernelW = 3, strideH = 1, strideW = 1, dilationH = 1, dilationW = 1
        var padding = Padding.same
        var multiplier = 1
        var activation = Activation.none
        /// An explicit PAD before the depthwise conv (then VALID), as (top, bottom, left, right).
        var pad: (Int, Int, Int, Int)?
        var description: String {
            var text = "dw \(kernelH)x\(kernelW)/\(strideH)x\(strideW) d\(dilationH)x\(dilationW) \(padding) m\(multiplier) \(activation)"
            if let pad { text += " pad\(pad)" }
            return text
        }
    }

    /// Builds the graph: input → CONV_2D (1×1 or 3×3) → [PAD] → DEPTHWISE
    /// → CONV_2D 1×1, then maybe a second [PAD] → DEPTHWISE → CONV_2D 1×1.
    struct GraphBuilder {
        var rng: Generator
        /// Draw what the Cortex-M assembly takes more often: groups of four
        /// channels, int8's full range, in place, whole tensors.
        var favourAssembly = false
        var tensors: [Tensor] = []
        var operators: [Operator] = []
        var text: [String] = []

        mutating func activation(_ shape: [Int], scale: Float, zeroPoint: Int64) -> Int {
            tensors.append(Tensor(index: tensors.count, name: "t\(tensors.count)", shape: shape, type: .int8,
                                  quantization: Quantization(scales: [scale], zeroPoints: [zeroPoint])))
            return tensors.count - 1
        }

        mutating func randomScale(_ low: Float, _ high: Float) -> Float {
            Float(exp(Double.random(in: log(Double(low))...log(Double(high)), using: &rng)))
        }

        mutating func randomZeroPoint() -> Int64 { [0, -128, Int64.random(in: -100...100, using: &rng)].randomElement(using: &rng)! }

        /// Per-channel int8 weights and int32 biases; returns (weights, bias).
        mutating func weights(shape: [Int], channelAxis: Int, inputScale: Float) -> (Int, Int) {
            let channels = shape[channelAxis]
            let count = shape.reduce(1, *)
            let bytes = (0..<count).map { _ in UInt8(bitPattern: Int8.random(in: -127...127, using: &rng)) }
            let perChannel = Bool.random(using: &rng) || channels == 1
            let common = randomScale(0.002, 0.05)
            let scales = (0..<channels).map { _ in perChannel ? randomScale(0.002, 0.05) : common }
            tensors.append(Tensor(index: tensors.count, name: "w\(tensors.count)", shape: shape, type: .int8, data: bytes,
                                  quantization: Quantization(scales: scales, zeroPoints: Array(repeating: 0, count: channels),
                                                             quantizedDimension: channelAxis)))
            let w = tensors.count - 1
            var biasBytes: [UInt8] = []
            for _ in 0..<channels {
                let value = Int32.random(in: -3000...3000, using: &rng)
                withUnsafeBytes(of: value.littleEndian) { biasBytes.append(contentsOf: $0) }
            }
            tensors.append(Tensor(index: tensors.count, name: "b\(tensors.count)", shape: [channels], type: .int32, data: biasBytes,
                                  quantization: Quantization(scales: scales.map { $0 * inputScale },
                                                             zeroPoints: Array(repeating: 0, count: channels))))
            return (w, tensors.count - 1)
        }

        mutating func activationKind() -> Activation {
            [.none, .none, .relu, .relu6, .relu6, .reluN1To1].randomElement(using: &rng)!
        }

        /// Appends a conv; returns its output tensor.
        mutating func conv(from input: Int, outChannels: Int, kernel: Int, stride: Int) -> Int {
            let shape = tensors[input].shape
            let (h, w, c) = (shape[1], shape[2], shape[3])
            let inScale = tensors[input].quantization!.scale
            let (weights, bias) = weights(shape: [outChannels, kernel, kernel, c], channelAxis: 0, inputScale: inScale)
            let outScale = inScale * 0.02 * Float((kernel * kernel * c)).squareRoot() * randomScale(0.5, 4)
            let out = activation([1, (h + stride - 1) / stride, (w + stride - 1) / stride, outChannels], scale: outScale,
                                 zeroPoint: randomZeroPoint())
            let act = activationKind()
            operators.append(Operator(index: operators.count, kind: .conv2D,
                                      options: .conv2D(window: WindowOptions(padding: .same, strideHeight: stride, strideWidth: stride),
                                                       activation: act),
                                      inputs: [input, weights, bias], outputs: [out]))
            text.append("conv \(kernel)x\(kernel)/\(stride) \(c)->\(outChannels) \(act)")
            return out
        }

        mutating func depthwise(from input: Int, _ spec: DepthwiseSpec) -> Int? {
            var source = input
            var padding = spec.padding
            if let (top, bottom, left, right) = spec.pad {
                let shape = tensors[input].shape
                var bytes: [UInt8] = []
                for value in [0, 0, top, bottom, left, right, 0, 0] {
                    withUnsafeBytes(of: Int32(value).littleEndian) { bytes.append(contentsOf: $0) }
                }
                tensors.append(Tensor(index: tensors.count, name: "pads", shape: [4, 2], type: .int32, data: bytes))
                let pads = tensors.count - 1
                let q = tensors[input].quantization!
                let padded = activation([1, shape[1] + top + bottom, shape[2] + left + right, shape[3]], scale: q.scale,
                                        zeroPoint: q.zeroPoints[0])
                operators.append(Operator(index: operators.count, kind: .pad, options: .none, inputs: [input, pads], outputs: [padded]))
                text.append("pad \(top),\(bottom),\(left),\(right)")
                source = padded
                padding = .valid
            }
            let shape = tensors[source].shape
            let (h, w, c) = (shape[1], shape[2], shape[3])
            let effectiveH = (spec.kernelH - 1) * spec.dilationH + 1, effectiveW = (spec.kernelW - 1) * spec.dilationW + 1
            let outH: Int, outW: Int
            if padding == .same {
                outH = (h + spec.strideH - 1) / spec.strideH
                outW = (w + spec.strideW - 1) / spec.strideW
            } else {
                guard h >= effectiveH, w >= effectiveW else { return nil }
                outH = (h - effectiveH) / spec.strideH + 1
                outW = (w - effectiveW) / spec.strideW + 1
            }
            let inScale = tensors[source].quantization!.scale
            let outChannels = c * spec.multiplier
            let (weights, bias) = weights(shape: [1, spec.kernelH, spec.kernelW, outChannels], channelAxis: 3, inputScale: inScale)
            let outScale = inScale * 0.02 * Float(spec.kernelH * spec.kernelW).squareRoot() * randomScale(0.5, 4)
            let out = activation([1, outH, outW, outChannels], scale: outScale, zeroPoint: randomZeroPoint())
            var window = WindowOptions(padding: padding, strideHeight: spec.strideH, strideWidth: spec.strideW,
                                       dilationHeight: spec.dilationH, dilationWidth: spec.dilationW)
            window.foldedPadding = nil
            operators.append(Operator(index: operators.count, kind: .depthwiseConv2D,
                                      options: .depthwiseConv2D(window: window, depthMultiplier: spec.multiplier, activation: spec.activation),
                                      inputs: [source, weights, bias], outputs: [out]))
            text.append("\(spec) \(h)x\(w)x\(c)->\(outH)x\(outW)x\(outChannels)")
            return out
        }

        mutating func randomSpec() -> DepthwiseSpec {
            var spec = DepthwiseSpec()
            // Mostly the shapes networks use, now and then anything.
            if Int.random(in: 0..<3, using: &rng) > 0 {
                let k = [3, 3, 5, 7, 1].randomElement(using: &rng)!
                spec.kernelH = k
                spec.kernelW = k
                spec.strideH = [1, 1, 2].randomElement(using: &rng)!
                spec.strideW = spec.strideH
            } else {
                spec.kernelH = Int.random(in: 1...7, using: &rng)
                spec.kernelW = Int.random(in: 1...7, using: &rng)
                spec.strideH = Int.random(in: 1...3, using: &rng)
                spec.strideW = Bool.random(using: &rng) ? spec.strideH : Int.random(in: 1...3, using: &rng)
            }
            if Int.random(in: 0..<5, using: &rng) == 0 {
                spec.dilationH = Int.random(in: 1...2, using: &rng)
                spec.dilationW = Int.random(in: 1...2, using: &rng)
            }
            spec.padding = Int.random(in: 0..<4, using: &rng) == 0 ? .valid : .same
            spec.multiplier = Int.random(in: 0..<(favourAssembly ? 8 : 5), using: &rng) == 0 ? 2 : 1
            // The assembly paths take int8's full range only: half the cases.
            spec.activation = Int.random(in: 0..<10, using: &rng) < (favourAssembly ? 7 : 5) ? .none : activationKind()
            if Int.random(in: 0..<5, using: &rng) == 0 {
                let ph = spec.kernelH / 2, pw = spec.kernelW / 2
                spec.pad = (ph, max(0, spec.kernelH - 1 - ph), pw, max(0, spec.kernelW - 1 - pw))
            }
            return spec
        }

        /// A random model, or nil when the drawn shapes do not fit.
        mutating func model(seed: UInt64) -> Model? {
            let height = Int.random(in: 1...20, using: &rng)
            let width = Bool.random(using: &rng) ? height : Int.random(in: 1...20, using: &rng)
            let inChannels = [1, 2, 3, 3, 4, 8].randomElement(using: &rng)!
            let input = activation([1, height, width, inChannels], scale: randomScale(0.005, 0.05), zeroPoint: randomZeroPoint())
            // (Channels not a multiple of four: in-place tiles through the staged region.)
            let anyChannels = Int.random(in: 0..<10, using: &rng) < (favourAssembly ? 4 : 5)
            let channels = anyChannels ? Int.random(in: 1...24, using: &rng) : [4, 8, 12, 16, 24].randomElement(using: &rng)!
            let firstKernel = Bool.random(using: &rng) ? 1 : 3
            let firstStride = height >= 8 && width >= 8 && Int.random(in: 0..<3, using: &rng) == 0 ? 2 : 1
            var x = conv(from: input, outChannels: channels, kernel: firstKernel, stride: firstStride)
            let blocks = Int.random(in: 0..<3, using: &rng) == 0 ? 2 : 1
            for _ in 0..<blocks {
                guard let y = depthwise(from: x, randomSpec()) else { return nil }
                let next = Int.random(in: 0..<10, using: &rng) < (favourAssembly ? 2 : 5) ? Int.random(in: 1...24, using: &rng)
                    : [4, 8, 16, tensors[y].shape[3]].randomElement(using: &rng)!
                x = conv(from: y, outChannels: next, kernel: 1, stride: 1)
            }
            return try? Model(name: "dw-fuzz-\(seed)", tensors: tensors, operators: operators, inputs: [input], outputs: [x])
        }
    }

    /// One drawn case: the model and its plan.
    struct Case {
        var seed: UInt64
        var model: Model
        var plan: PatchPlan
        var label: String
    }

    /// The plan drawn for `model`, or nil when the planner refuses it
    /// (skipped, not a failure).
    static func randomPlan(_ model: Model, favourAssembly: Bool, rng: inout Generator) -> (PatchPlan, String)? {
        var options = MemoryOptions(inplaceDepthwise: Int.random(in: 0..<(favourAssembly ? 8 : 3), using: &rng) > 0)
        options.foldPad = Bool.random(using: &rng)
        options.int8IO = Bool.random(using: &rng)
        options.streamInput = Int.random(in: 0..<4, using: &rng) == 0
        let caching: HaloCaching = favourAssembly && Bool.random(using: &rng) ? .none
            : [.none, .none, .all, .only(.row), .only(.column), .auto(budget: nil)].randomElement(using: &rng)!
        let kind = favourAssembly && Int.random(in: 0..<3, using: &rng) == 0 ? 0 : Int.random(in: 0..<6, using: &rng)
        do throws(PlanError) {
            switch kind {
            case 0:
                return (try PatchPlan(model: model, patches: 1, patchLayers: 0, options: options), "layer-by-layer \(options.summary)")
            case 1...3:
                let grid = kind == 1 ? TileGrid(rows: Int.random(in: 1...4, using: &rng), cols: Int.random(in: 1...4, using: &rng))
                    : TileGrid(Int.random(in: 2...4, using: &rng))
                let rewritten = model.rewritten(for: options).operators.count
                // In place on tiles needs the depthwise inside the stage, not its last op.
                let deep = favourAssembly || Bool.random(using: &rng)
                let n = Int.random(in: (deep ? min(3, rewritten) : 1)...rewritten, using: &rng)
                let plan = try PatchPlan(model: model, grid: grid, patchLayers: n, options: options, haloCaching: caching)
                return (plan, "\(grid) n\(n) \(caching.name) \(options.summary)")
            default:
                // Two fused blocks over the rewritten model's ops.
                let ops = model.rewritten(for: options).operators.count
                guard ops >= 3 else { return nil }
                let cut = Int.random(in: 1..<ops, using: &rng)
                let end = Int.random(in: cut..<ops, using: &rng)
                let first = StageSpec(firstOp: 0, lastOp: cut - 1, grid: TileGrid(rows: Int.random(in: 1...3, using: &rng),
                                                                                   cols: Int.random(in: 1...3, using: &rng)))
                let second = StageSpec(firstOp: cut, lastOp: end, grid: TileGrid(rows: Int.random(in: 1...3, using: &rng),
                                                                                 cols: Int.random(in: 1...3, using: &rng)),
                                       caching: caching)
                let plan = try PatchPlan(model: model, stages: [first, second], options: options)
                return (plan, "stages 0...\(cut - 1) \(first.grid), \(cut)...\(end) \(second.grid) \(caching.name) \(options.summary)")
            }
        } catch {
            return nil
        }
    }

    /// The first `count` cases from `seed`, skipping shapes that do not
    /// fit and plans the planner refuses.
    static func cases(seed: UInt64, count: Int, favourAssembly: Bool = false) -> (cases: [Case], skipped: Int) {
        var made: [Case] = []
        var skipped = 0
        var caseSeed = seed &* 1000
        while made.count < count {
            caseSeed += 1
            var builder = GraphBuilder(rng: Generator(state: caseSeed), favourAssembly: favourAssembly)
            guard let model = builder.model(seed: caseSeed),
                  let (plan, planText) = randomPlan(model, favourAssembly: favourAssembly, rng: &builder.rng) else {
                skipped += 1
                continue
            }
            made.append(Case(seed: caseSeed, model: model, plan: plan,
                             label: "seed \(caseSeed): \(builder.text.joined(separator: " | ")) / \(planText)"))
        }
        return (made, skipped)
    }

    /// What the cases ran, read from each export's step list, so that a
    /// test also proves it reached the paths it is for.
    struct Tally {
        var cases = 0, inPlaceTiles = 0, inPlaceWhole = 0, separateTiles = 0, separateWhole = 0
    }

    /// Runs `c` through the runtime and the export on `target`; fails with
    /// the case's label (its seed, graph and plan) when the bytes differ.
    func check(_ c: Case, target: FirmwareTarget, tally: inout Tally, file: StaticString = #filePath, line: UInt = #line) throws {
        let program: ArenaProgram
        do throws(RuntimeError) {
            program = try Pipeline(model: c.model, plan: c.plan).program
        } catch {
            return XCTFail("\(c.label): the runtime refused a plan the planner made: \(error)", file: file, line: line)
        }
        let input = seededInput(for: c.model, seed: c.seed)
        let reference = try XCTUnwrap(try program.run(input: input), c.label)
        let library: FirmwareLibrary
        do throws(ExportError) {
            // A plan that streams its input: the streamed API where the
            // plan allows it (the harness hands the image over by regions).
            if c.plan.options.streamInput, let streamed = try? FirmwareLibrary(program: program, target: target, streamedInput: true) {
                library = streamed
            } else {
                library = try FirmwareLibrary(program: program, target: target, streamedInput: false)
            }
        } catch {
            return XCTFail("\(c.label): export refused: \(error)", file: file, line: line)
        }
        tally.cases += 1
        let steps = library.files["lib/patchtop_model.c", default: ""].split(separator: "\n").filter {
            $0.hasPrefix(" *") && $0.contains("DEPTHWISE_CONV_2D, ")
        }
        if steps.contains(where: { $0.contains(", tile") && $0.contains("(in place)") }) { tally.inPlaceTiles += 1 }
        if steps.contains(where: { $0.contains(", whole") && $0.contains("(in place)") }) { tally.inPlaceWhole += 1 }
        if steps.contains(where: { $0.contains(", tile") && !$0.contains("(in place)") }) { tally.separateTiles += 1 }
        if steps.contains(where: { $0.contains(", whole") && !$0.contains("(in place)") }) { tally.separateWhole += 1 }
        let dir = XorFixture.temporaryFolder("dwfuzz")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FirmwareProject.write(library, to: dir, target: target)
        try PrebuiltLibrary.shared.prebuild(library, in: dir, target: target)
        let expectation = try FirmwareVerification.Expectation(program: program, input: input, manifest: library.manifest)
        let report: FirmwareVerification.Report
        do {
            report = try FirmwareVerification.verify(dir: dir, target: target, arenaBytes: library.arenaBytes, expecting: expectation)
        } catch {
            return XCTFail("\(c.label) [\(target.rawValue)]: \(error)", file: file, line: line)
        }
        if let keep = Self.environment["DWFUZZ_KEEP"] {
            // Kept for a coverage run by hand (QEMU's -d in_asm over a -g build).
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            try? FileManager.default.copyItem(atPath: dir, toPath: keep + "/case-\(c.seed)")
            try? c.label.write(toFile: keep + "/case-\(c.seed)/label.txt", atomically: false, encoding: .utf8)
        }
        if !report.identical {
            let first = report.outputs.compactMap(\.firstDifference).first ?? -1
            XCTFail("\(c.label) [\(target.rawValue)]: differs from the runtime (first at byte \(first) of \(reference.outputs[0].count))",
                    file: file, line: line)
        }
    }

    /// DWFUZZ_SEED and DWFUZZ_CASES override the seed and count (a longer hunt by hand).
    static let environment = ProcessInfo.processInfo.environment
    static let hostSeed: UInt64 = environment["DWFUZZ_SEED"].flatMap { UInt64($0) } ?? 20_261_204
    static let hostCases = environment["DWFUZZ_CASES"].flatMap { Int($0) } ?? 100
    static let m4Seed: UInt64 = environment["DWFUZZ_SEED"].flatMap { UInt64($0) } ?? 8800
    static let m4Cases = environment["DWFUZZ_CASES"].flatMap { Int($0) } ?? 32

    func testRandomDepthwiseGraphsOnTheHost() throws {
        guard toolExists("cc") else { throw XCTSkip("no C compiler (cc) on this machine") }
        let (cases, skipped) = Self.cases(seed: Self.hostSeed, count: Self.hostCases)
        XCTAssertLessThan(skipped, Self.hostCases * 3, "most drawn cases must be plannable")
        var tally = Tally()
        for c in cases { try check(c, target: .host, tally: &tally) }
        assertReached(tally)
    }

    /// Every kind of depthwise step ran in several cases.
    func assertReached(_ tally: Tally, file: StaticString = #filePath, line: UInt = #line) {
        if ProcessInfo.processInfo.environment["DWFUZZ_VERBOSE"] != nil { print("\(name): \(tally)") }
        let least = max(2, tally.cases / 12)
        XCTAssertTrue(tally.inPlaceTiles >= least && tally.inPlaceWhole >= least && tally.separateTiles >= least
                      && tally.separateWhole >= least, "too few of a kind of depthwise step: \(tally)", file: file, line: line)
    }

    /// The Cortex-M4's DSP assembly paths, which the host build never runs.
    func testRandomDepthwiseGraphsOnCortexM4() throws {
        if let reason = XorFixture.emulatorMissing { throw XCTSkip(reason) }
        let (cases, _) = Self.cases(seed: Self.m4Seed, count: Self.m4Cases, favourAssembly: true)
        var tally = Tally()
        for c in cases { try check(c, target: .cortexM4, tally: &tally) }
        assertReached(tally)
    }
}

/// Compiles the fixed C sources (lib/pt_*.c) once per process and target,
/// with the harness Makefile's own flags, and places the objects (and, for
/// the host, the linked program) in an export's build folder after it is
/// written, so that `make` finds them up to date and builds only the
/// generated model: many small exports a test, in seconds.
final class PrebuiltLibrary: @unchecked Sendable {
    static let shared = PrebuiltLibrary()
    private let lock = NSLock()
    private var objects: [String: [String: String]] = [:]
    private let work = NSTemporaryDirectory() + "patchtop-dwfuzz-objects-\(getpid())"

    struct Failure: Error, CustomStringConvertible { var description: String }

    static let common = ["-O2", "-ffp-contract=off", "-std=c99", "-Wall", "-Wextra", "-Ilib", "-Iharness"]
    static let m4 = ["-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard", "-mthumb"] + common
        + ["-ffunction-sections", "-fdata-sections", "-DPT_CPU_HZ=25000000"]
        + (ProcessInfo.processInfo.environment["DWFUZZ_KEEP"] != nil ? ["-g"] : [])

    /// `lib/pt_x.c` → object path, compiled from the fixed sources of `library`.
    private func fixedObjects(_ library: FirmwareLibrary, dir: String, target: FirmwareTarget) throws -> [String: String] {
        let fixed = library.files.keys.filter { $0.hasPrefix("lib/pt_") }.sorted()
        let key = target.rawValue + fixed.map { library.files[$0]! }.joined(separator: "\u{0}")
        lock.lock()
        defer { lock.unlock() }
        if let made = objects[key] { return made }
        let folder = work + "/\(target.rawValue)-\(objects.count)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var made: [String: String] = [:]
        for source in fixed where source.hasSuffix(".c") {
            let object = folder + "/" + (source as NSString).lastPathComponent + ".o"
            let arguments = target == .host ? ["cc"] + Self.common + ["-DPT_HARNESS_HOST=1"] : ["arm-none-eabi-gcc"] + Self.m4
            let result = try shell(arguments + ["-c", "-o", object, source], in: dir)
            guard result.status == 0 else { throw Failure(description: "compiling \(source): \(result.output.prefix(2000))") }
            made[source] = object
        }
        objects[key] = made
        return made
    }

    func prebuild(_ library: FirmwareLibrary, in dir: String, target: FirmwareTarget) throws {
        // `make host` runs for every target (its output is compared too).
        let host = try fixedObjects(library, dir: dir, target: .host)
        try FileManager.default.createDirectory(atPath: dir + "/build/host", withIntermediateDirectories: true)
        let result = try shell(["cc"] + Self.common + ["-DPT_HARNESS_HOST=1", "-o", "build/host/patchtop_fw"]
                               + host.keys.sorted().map { host[$0]! } + ["lib/patchtop_model.c", "harness/main.c", "-lm"], in: dir)
        guard result.status == 0 else { throw Failure(description: "linking: \(result.output.prefix(2000))") }
        if target == .cortexM4 {
            let made = try fixedObjects(library, dir: dir, target: target)
            let objectDir = dir + "/build/mps2-an386/obj/lib"
            try FileManager.default.createDirectory(atPath: objectDir, withIntermediateDirectories: true)
            for (source, object) in made {
                let destination = objectDir + "/" + ((source as NSString).lastPathComponent as NSString).deletingPathExtension + ".o"
                try FileManager.default.copyItem(atPath: object, toPath: destination)
                // Newer than the sources just written, whatever the copy kept.
                try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: destination)
            }
        }
    }
}
