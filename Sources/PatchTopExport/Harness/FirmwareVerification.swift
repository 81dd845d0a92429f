import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime

/// Builds an export for the host (cc) and for its target (arm-none-eabi-gcc),
/// runs the target build under qemu-system-arm, compares every output with
/// PatchTop's runtime byte for byte, and measures the firmware: flash,
/// static RAM (the arena apart), the stack's high-water mark and the
/// instructions one inference executes.
public struct FirmwareVerification {
    /// One output of the firmware against the runtime's.
    public struct OutputCheck: Encodable, Equatable, Sendable {
        public var index: Int
        public var bytes: Int
        /// The target build's output equals the runtime's (the host build's
        /// for `--target host`).
        public var identical: Bool
        /// The host build's output equals the runtime's.
        public var hostIdentical: Bool
        /// The first differing byte, when not identical.
        public var firstDifference: Int?
    }

    /// One op's share of the inference (a `-DPT_PROFILE=1` build).
    public struct OpFigure: Encodable, Equatable, Sendable {
        public var index: Int
        public var op: String
        public var macs: Int
        public var instructions: Int
    }

    public struct Report: Encodable, Equatable, Sendable {
        public var model: String
        public var target: String
        /// The QEMU board (nil for the host).
        public var board: String?
        public var outputs: [OutputCheck]
        /// Every output identical, on the host build and on the target.
        public var identical: Bool
        /// The arena the firmware links (`pt_arena`); the library's
        /// PT_ARENA_BYTES for a host-only verification.
        public var arenaBytes: Int
        /// The plan's arena layout.
        public var plannedArenaBytes: Int
        /// The library's flash: code, constants, initial data (target only).
        public var flashBytes: Int?
        /// The library's static RAM: the arena and the rest.
        public var staticRAMBytes: Int?
        public var staticRAMArenaBytes: Int?
        public var staticRAMRestBytes: Int?
        /// The whole firmware's (harness and C library included).
        public var firmwareFlashBytes: Int?
        public var firmwareStaticRAMBytes: Int?
        /// Bytes of stack the inference used (painted and scanned).
        public var stackBytes: Int?
        /// Instructions executed for one inference (QEMU -icount, counted
        /// with SysTick to the nearest tick: 40 instructions on mps2).
        public var instructions: Int?
        public var macs: Int
        public var instructionsPerMAC: Double?
        /// With `--per-op`: each op that ran.
        public var ops: [OpFigure]?
        /// Where the firmware's outputs were written (output<K>.bin).
        public var outputFiles: [String]
        /// The ELF that ran (target only).
        public var elf: String?
    }

    /// What is checked against: the library's inputs and the outputs it
    /// must produce, the plan's arena and each op's MACs and name.
    public struct Expectation: Sendable {
        public var model: String
        public var inputs: [[UInt8]]
        public var outputs: [[UInt8]]
        public var plannedArenaBytes: Int
        public var macsPerOp: [Int]
        public var opNames: [String]

        public init(model: String, inputs: [[UInt8]], outputs: [[UInt8]], plannedArenaBytes: Int, macsPerOp: [Int], opNames: [String]) {
            self.model = model
            self.inputs = inputs
            self.outputs = outputs
            self.plannedArenaBytes = plannedArenaBytes
            self.macsPerOp = macsPerOp
            self.opNames = opNames
        }

        /// From PatchTop's runtime: `program` run on `input` (the model's
        /// input bytes), at the library's boundary.
        public init(program: ArenaProgram, input: [Int8], manifest: ExportManifest) throws(VerificationError) {
            let reference = try RuntimeReference(program: program, input: input, manifest: manifest)
            let model = program.prepared.model
            self.init(model: model.name, inputs: reference.inputs, outputs: reference.outputs,
                      plannedArenaBytes: program.layout.arenaBytes, macsPerOp: program.plan.macsPerOp,
                      opNames: model.operators.map { FirmwareVerification.describe($0, in: model) })
        }
    }

    /// "CONV_2D 3x3/2 3->16 @48x48".
    static func describe(_ op: Operator, in model: Model) -> String {
        var text = op.kind.name
        if let (h, _) = model.windowGeometry(of: op) { text += " \(h.filterSize)x\(h.filterSize)/\(h.stride)" }
        if let input = op.input(0), model.tensors[input].shape.count == 4, model.tensors[op.output].shape.count == 4 {
            let i = model.tensors[input].shape, o = model.tensors[op.output].shape
            text += " \(i[3])->\(o[3]) @\(o[1])x\(o[2])"
        }
        return text
    }

    /// Verifies the export in `dir` (written by `FirmwareProject.write`)
    /// for `target`. `timeout` bounds each build and run, in seconds.
    public static func verify(dir: String, target: FirmwareTarget, arenaBytes: Int, expecting expected: Expectation,
                              perOp: Bool = false, timeout: Double = 600) throws(VerificationError) -> Report {
        let missing = FirmwareToolchain.missing(for: target)
        if !missing.isEmpty { throw .toolchainMissing(missing: missing) }
        let work = "build/verify"
        let workPath = (dir as NSString).appendingPathComponent(work)
        try? FileManager.default.removeItem(atPath: workPath)
        for sub in ["in", "host-out"] { try makeFolder((workPath as NSString).appendingPathComponent(sub)) }
        for (k, bytes) in expected.inputs.enumerated() {
            try writeFile((workPath as NSString).appendingPathComponent("in/input\(k).bin"), bytes)
        }

        // The host build: the library's C against the runtime, no emulator.
        try make(["host"], in: dir, log: "\(workPath)/make-host.log", timeout: timeout)
        let host = try ProcessRunner.run((dir as NSString).appendingPathComponent("build/host/patchtop_fw"),
                                         ["\(work)/in", "\(work)/host-out"], in: dir, log: "\(workPath)/host.log", timeout: timeout)
        try check(host, HarnessLines(host.output), what: "the host build (build/host/patchtop_fw)")
        let hostOutputs = try readOutputs("\(workPath)/host-out", count: expected.outputs.count)

        guard let board = FirmwareBoard(target: target) else {
            let checks = compare(hostOutputs, hostOutputs, expected.outputs)
            return Report(model: expected.model, target: target.rawValue, board: nil, outputs: checks,
                          identical: checks.allSatisfy { $0.identical }, arenaBytes: arenaBytes,
                          plannedArenaBytes: expected.plannedArenaBytes, macs: expected.macsPerOp.reduce(0, +),
                          outputFiles: outputFiles(dir, "\(work)/host-out", count: expected.outputs.count))
        }

        // The target: built, run under QEMU, measured.
        let outDir = "\(work)/\(board.machine)-out"
        try makeFolder((dir as NSString).appendingPathComponent(outDir))
        try make(["firmware", "BOARD=\(board.machine)"] + (perOp ? ["profile"] : []), in: dir,
                 log: "\(workPath)/make-\(board.machine).log", timeout: timeout)
        let elf = "build/\(board.machine)/patchtop_fw.elf"
        let run = try ProcessRunner.run("qemu-system-arm", board.qemuArguments(elf: elf, inputDir: "\(work)/in", outputDir: outDir),
                                        in: dir, log: "\(workPath)/\(board.machine).log", timeout: timeout)
        let lines = HarnessLines(run.output)
        try check(run, lines, what: "the firmware on \(board.machine)")
        let targetOutputs = try readOutputs((dir as NSString).appendingPathComponent(outDir), count: expected.outputs.count)
        let checks = compare(targetOutputs, hostOutputs, expected.outputs)

        let mapPath = (dir as NSString).appendingPathComponent("build/\(board.machine)/patchtop_fw.map")
        guard let mapData = FileManager.default.contents(atPath: mapPath), let mapText = String(data: mapData, encoding: .utf8) else {
            throw .file(mapPath, "the linker's map cannot be read")
        }
        let map = LinkMap(map: mapText)

        var ops: [OpFigure]?
        if perOp {
            try makeFolder((dir as NSString).appendingPathComponent(outDir + "-profile"))
            let profiled = try ProcessRunner.run("qemu-system-arm",
                                                 board.qemuArguments(elf: "build/\(board.machine)/patchtop_fw_profile.elf", inputDir: "\(work)/in", outputDir: outDir + "-profile"),
                                                 in: dir, log: "\(workPath)/\(board.machine)-profile.log", timeout: timeout)
            let profile = HarnessLines(profiled.output)
            try check(profiled, profile, what: "the profiling firmware on \(board.machine)")
            ops = profile.ops.keys.sorted().map { op in
                OpFigure(index: op, op: op < expected.opNames.count ? expected.opNames[op] : "op \(op)",
                         macs: op < expected.macsPerOp.count ? expected.macsPerOp[op] : 0, instructions: profile.ops[op] ?? 0)
            }
        }
        let macs = expected.macsPerOp.reduce(0, +)
        return Report(model: expected.model, target: target.rawValue, board: board.machine, outputs: checks,
                      identical: checks.allSatisfy { $0.identical && $0.hostIdentical }, arenaBytes: map.arena,
                      plannedArenaBytes: expected.plannedArenaBytes, flashBytes: map.library.flash,
                      staticRAMBytes: map.library.ram, staticRAMArenaBytes: map.arena, staticRAMRestBytes: map.library.ram - map.arena,
                      firmwareFlashBytes: map.everything.flash, firmwareStaticRAMBytes: map.everything.ram,
                      stackBytes: lines.stack, instructions: lines.instructions, macs: macs,
                      instructionsPerMAC: lines.instructions.flatMap { macs > 0 ? Double($0) / Double(macs) : nil },
                      ops: ops, outputFiles: outputFiles(dir, outDir, count: expected.outputs.count),
                      elf: (dir as NSString).appendingPathComponent(elf))
    }

    // MARK: - Steps

    static func make(_ arguments: [String], in dir: String, log: String, timeout: Double) throws(VerificationError) {
        let outcome = try ProcessRunner.run("make", ["-C", dir] + arguments, in: dir, log: log, timeout: timeout)
        guard outcome.status == 0, !outcome.timedOut else {
            if let overflow = overflow(outcome.output) { throw .doesNotFit(region: overflow.region, bytesOver: overflow.bytes, log: log) }
            throw .build(step: "make \(arguments.joined(separator: " "))", log: log, lastLines: lastLines(outcome.output, matching: "error"))
        }
    }

    /// The linker's "region `FLASH' overflowed by N bytes" (the largest
    /// overflow when several regions do), or the harness's RAM assertion.
    static func overflow(_ text: String) -> (region: String, bytes: Int?)? {
        var found: (region: String, bytes: Int?)?
        for line in text.split(whereSeparator: \.isNewline) {
            guard let r = line.range(of: "region `") else { continue }
            let rest = line[r.upperBound...]
            guard let end = rest.firstIndex(of: "'"), let by = rest.range(of: "' overflowed by ") else { continue }
            let bytes = Int(rest[by.upperBound...].prefix { $0.isNumber })
            if found == nil || (bytes ?? 0) > (found?.bytes ?? 0) { found = (String(rest[..<end]), bytes) }
        }
        if found == nil, text.contains("do not fit the board's RAM") { found = ("RAM", nil) }
        return found
    }

    static func check(_ outcome: ProcessRunner.Outcome, _ lines: HarnessLines, what: String) throws(VerificationError) {
        if outcome.timedOut { throw .run(what: what, problem: "did not finish in time and was stopped", lastLines: lastLines(outcome.output)) }
        if let fault = lines.fault { throw .run(what: what, problem: "faulted (exception \(fault))", lastLines: "") }
        if let status = lines.status, status != 0 { throw .run(what: what, problem: "returned \(status) from the library", lastLines: "") }
        if let error = lines.errors.first { throw .run(what: what, problem: "failed", lastLines: error) }
        guard outcome.status == 0, lines.status != nil else {
            throw .run(what: what, problem: "exited with status \(outcome.status)", lastLines: lastLines(outcome.output))
        }
    }

    /// The last lines of a log (those containing `matching` when some do), on one line.
    static func lastLines(_ text: String, matching: String? = nil) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let chosen = matching.map { word in lines.filter { $0.localizedCaseInsensitiveContains(word) } } ?? []
        return (chosen.isEmpty ? lines : chosen).suffix(3).joined(separator: " | ")
    }

    static func readOutputs(_ folder: String, count: Int) throws(VerificationError) -> [[UInt8]] {
        var outputs: [[UInt8]] = []
        for k in 0..<count {
            let path = (folder as NSString).appendingPathComponent("output\(k).bin")
            switch RegularFile.read(path, limit: 1 << 30) {
            case .success(let bytes): outputs.append(bytes)
            case .failure(let error): throw .file(path, "the firmware's output cannot be read: \(error)")
            }
        }
        return outputs
    }

    static func outputFiles(_ dir: String, _ folder: String, count: Int) -> [String] {
        (0..<count).map { ((dir as NSString).appendingPathComponent(folder) as NSString).appendingPathComponent("output\($0).bin") }
    }

    static func compare(_ outputs: [[UInt8]], _ host: [[UInt8]], _ expected: [[UInt8]]) -> [OutputCheck] {
        expected.indices.map { k in
            let got = outputs[k], want = expected[k]
            let first = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? (got.count == want.count ? nil : min(got.count, want.count))
            return OutputCheck(index: k, bytes: want.count, identical: got == want, hostIdentical: host[k] == want, firstDifference: first)
        }
    }

    static func makeFolder(_ path: String) throws(VerificationError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw .file(path, "cannot be created (\(error.localizedDescription))")
        }
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws(VerificationError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { throw .file(path, "cannot be written") }
    }
}
