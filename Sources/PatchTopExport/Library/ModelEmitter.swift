import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime

/// Prints one lowered program as `patchtop_model.h` / `patchtop_model.c`.
struct ModelEmitter {
    let program: ArenaProgram
    let lowered: LoweredProgram
    let streamedInput: Bool
    /// What the export did differently from what was asked, for the user.
    let notes: [String]
    var model: Model { program.prepared.model }
    /// Caller buffer of each external tensor: (PT_INPUT or PT_OUTPUT, number).
    let externals: [Int: (space: String, index: Int)]
    /// Tensors outside the arena in the library's own static buffers.
    let extras: [Int]
    /// Arena offset → the constant that names it.
    let offsetNames: [Int: String]
    /// A streamed export under `--int8-io`: the int8 image (an extra) →
    /// the caller's input it is quantized from, the QUANTIZE's op index and
    /// its step. Loads of that image quantize the input's region as they
    /// go; the QUANTIZE step does not run and the image has no buffer.
    let streamQuantized: [Int: (input: Int, op: Int, step: Int)]
    var stepCount: Int { lowered.instructions.count }

    init(program: ArenaProgram, lowered: LoweredProgram, streamedInput: Bool) throws(ExportError) {
        self.program = program
        self.lowered = lowered
        // A plan made with the stream-input memory option whose first stage
        // runs layer by layer keeps the input out of the arena but reads it
        // whole: the library reads it in place from the caller's buffer (as
        // `run` does), with no region callback to stream it through. The
        // int8 image of a float input under --int8-io would need a buffer the
        // plan does not have: that stays refused (check()).
        let readsInPlace = streamedInput && program.plan.options.streamInput && !Self.loadsInput(lowered)
            && program.plan.schedule.external.allSatisfy { t in lowered.inputs.contains { $0.tensor == t } || lowered.outputs.contains { $0.tensor == t } }
        self.streamedInput = streamedInput && !readsInPlace
        notes = readsInPlace
            ? ["the plan's first stage runs layer by layer, so the input is not streamed: the library reads it in place from the caller's buffer (pt_invoke), outside the arena"]
            : []
        var externals: [Int: (space: String, index: Int)] = [:]
        for (k, b) in lowered.inputs.enumerated() { externals[b.tensor] = ("PT_INPUT", k) }
        for (k, b) in lowered.outputs.enumerated() where externals[b.tensor] == nil { externals[b.tensor] = ("PT_OUTPUT", k) }
        // Tensors the plan keeps outside the arena that the caller does not
        // hand over (the int8 image under --int8-io with a streamed input).
        var extras: [Int] = []
        for tensor in program.plan.schedule.external.sorted() where externals[tensor] == nil {
            externals[tensor] = ("PT_EXTRA", extras.count)
            extras.append(tensor)
        }
        self.extras = extras
        self.externals = externals
        var names: [Int: String] = [:]
        let schedule = program.plan.schedule
        for placement in program.layout.placements.sorted(by: { $0.offset < $1.offset || ($0.offset == $1.offset && $0.buffer < $1.buffer) })
        where names[placement.offset] == nil {
            var label = "buf\(placement.buffer)"
            if placement.buffer < schedule.buffers.count, let kind = schedule.buffers[placement.buffer].residents.first?.kind {
                label = Self.label(kind)
            }
            names[placement.offset] = "PT_AT_\(names.count)_\(label)".uppercased()
        }
        offsetNames = names
        var quantized: [Int: (input: Int, op: Int, step: Int)] = [:]
        if streamedInput {
            for (i, s) in lowered.instructions.enumerated() {
                guard case .quantize = s.kernel, s.inputs.count == 1,
                      case .external(let source) = s.inputs[0].location, let from = externals[source], from.space == "PT_INPUT",
                      case .external(let image) = s.output.location, let to = externals[image], to.space == "PT_EXTRA" else { continue }
                quantized[image] = (from.index, s.op, i)
            }
        }
        streamQuantized = quantized
        try check()
    }

    static func label(_ kind: MemorySchedule.BufferKind) -> String {
        switch kind {
        case .tensor(let t): "t\(t)"
        case .patchRegion(let t): "t\(t)_patch"
        case .haloCache(let t, .row): "t\(t)_row_cache"
        case .haloCache(let t, .column): "t\(t)_column_cache"
        case .inplaceStaging(let op): "op\(op)_staging"
        case .residualScratch(let op): "op\(op)_scratch"
        @unknown default: "buffer"
        }
    }

    /// Whether the program reads its graph input patch by patch (loads from
    /// an input outside the arena) rather than whole.
    static func loadsInput(_ lowered: LoweredProgram) -> Bool {
        lowered.inputs.contains(where: { if case .external = $0.location { true } else { false } })
            && lowered.instructions.contains(where: { !$0.loads.isEmpty })
    }

    // MARK: - Refusals, before anything is written

    func check() throws(ExportError) {
        for instruction in lowered.instructions {
            let refuse = { (reason: String) -> ExportError in
                .unsupportedOp(index: instruction.op, kind: instruction.opName, reason: reason)
            }
            if case .unsupported(let reason) = instruction.kernel { throw refuse(reason) }
            if case .binary(_, let a, let b, let o) = instruction.kernel, a.count > 4 || b.count > 4 || o.count > 4 {
                throw refuse("a broadcast over more than 4 dimensions")
            }
            if case .pad(let shape, _, _, _) = instruction.kernel, shape.count > 4 { throw refuse("a PAD of more than 4 dimensions") }
            if instruction.staging != nil {
                var inPlace = false
                if case .depthwise(let p) = instruction.kernel, p.depthMultiplier == 1 { inPlace = true }
                if case .floatConv(let p) = instruction.kernel, p.isDepthwise, p.depthMultiplier == 1 { inPlace = true }
                guard inPlace else {
                    throw refuse("runs in place but is not a depthwise conv with one output channel per input channel")
                }
            }
            if case .floatBinary(_, _, let a, let b, let o) = instruction.kernel, a.count > 4 || b.count > 4 || o.count > 4 {
                throw refuse("a broadcast over more than 4 dimensions")
            }
            if instruction.fusion != nil {
                guard case .conv = instruction.kernel else { throw refuse("a fused residual ADD into something other than an int8 conv") }
            }
            for operand in instruction.inputs + [instruction.output] + (instruction.staging.map { [$0] } ?? []) {
                if case .external(let tensor) = operand.location, externals[tensor] == nil {
                    throw refuse("tensor \(tensor) lies outside the arena but is neither an input nor an output")
                }
            }
        }
        if streamedInput {
            guard Self.loadsInput(lowered) else {
                throw .streamedInputUnavailable(reason: program.plan.options.streamInput
                    ? "the plan's first stage runs layer by layer and reads the whole int8 image, which --int8-io with --stream-input keeps outside SRAM (patch the first stage, or drop one of the two options)"
                    : "the plan does not stream its input (a patched plan with the stream-input memory option does)")
            }
            for tensor in extras where streamQuantized[tensor] == nil {
                throw .streamedInputUnavailable(reason: "tensor \(tensor) is kept whole outside the arena and is not the quantized image of a streamed input")
            }
            let streamed = Set(lowered.inputs.compactMap { b -> Int? in
                if case .external(let t) = b.location { t } else { nil }
            })
            let skipped = Set(streamQuantized.values.map(\.step))
            for (i, instruction) in lowered.instructions.enumerated() where !skipped.contains(i) {
                for operand in instruction.inputs {
                    guard case .external(let t) = operand.location else { continue }
                    if streamed.contains(t) || streamQuantized[t] != nil {
                        throw .streamedInputUnavailable(reason: "op \(instruction.op) (\(instruction.opName)) reads the whole input, not patch by patch")
                    }
                }
                for load in instruction.loads {
                    guard case .external(let t) = load.from.location, streamQuantized[t] != nil else { continue }
                    guard load.pixelBytes >= 1, load.pixelBytes <= 16 else {
                        throw .streamedInputUnavailable(reason: "with --int8-io a streamed image of \(load.pixelBytes) channels (at most 16 are converted as they are read)")
                    }
                }
            }
        }
    }

    // MARK: - C text

    func operand(_ o: LoweredOperand) -> String {
        let space: String, offset: String
        switch o.location {
        case .arena(let at): space = "PT_ARENA"; offset = offsetNames[at] ?? "\(at)"
        case .constant(let at): space = "PT_CONST"; offset = "\(at)"
        case .external(let tensor):
            let e = externals[tensor] ?? ("PT_INPUT", 0)
            space = e.space; offset = "\(e.index)"
        }
        return "{ \(space), \(offset), \(o.bytes), \(o.region.y), \(o.region.x), \(o.region.height), \(o.region.width) }"
    }

    func copy(_ c: LoweredCopy, params: [Int: (kind: String, symbol: String)]) -> String {
        var from = operand(c.from), quantize = "NULL"
        if case .external(let image) = c.from.location, let q = streamQuantized[image] {
            // The streamed float input itself, quantized as it is read.
            from = "{ PT_INPUT, \(q.input), \(c.from.bytes * 4), \(c.from.region.y), \(c.from.region.x), \(c.from.region.height), \(c.from.region.width) }"
            quantize = params[q.op]?.symbol ?? "NULL"
        }
        return "{ \(from), \(operand(c.to)), \(c.rows.lowerBound), \(c.rows.upperBound), \(c.cols.lowerBound), \(c.cols.upperBound), \(c.pixelBytes), \(quantize) }"
    }

    /// The plan's stages in words: `ops 0-9 in 4x2 tiles; ops 10-21 layer by layer`.
    static func stages(_ plan: PatchPlan) -> String {
        guard !plan.fusedStages.isEmpty else { return "layer by layer" }
        func ops(_ a: Int, _ b: Int) -> String { a == b ? "op \(a)" : "ops \(a)-\(b)" }
        var parts: [String] = [], next = 0
        let count = plan.model.operators.count
        for stage in plan.fusedStages {
            if stage.firstOp > next { parts.append("\(ops(next, stage.firstOp - 1)) layer by layer") }
            parts.append("\(ops(stage.firstOp, stage.lastOp)) in \(stage.grid.rows)x\(stage.grid.cols) tiles")
            next = stage.lastOp + 1
        }
        if next < count { parts.append("\(ops(next, count - 1)) layer by layer") }
        return parts.joined(separator: "; ")
    }

    static func window(_ g: WindowGeometry) -> String {
        "{ \(g.inputSize), \(g.filterSize), \(g.stride), \(g.dilation), \(g.padBefore), \(g.padAfter), \(g.outputSize) }"
    }

    static func four(_ values: [Int], fill: Int) -> String {
        let v = [Int](repeating: fill, count: max(0, 4 - values.count)) + values
        return "{ \(v.map(String.init).joined(separator: ", ")) }"
    }

    func header() -> String {
        var w = CWriter()
        w.line("/* PatchTop firmware export of \(cComment(lowered.modelName)): the library's API. Generated; do not edit. */")
        w.line("#ifndef PATCHTOP_MODEL_H")
        w.line("#define PATCHTOP_MODEL_H")
        w.line()
        w.line("#include <stddef.h>")
        w.line("#include <stdint.h>")
        w.line()
        w.line("#define PT_ARENA_BYTES   \(lowered.arenaBytes)")
        w.line("#define PT_NUM_INPUTS    \(lowered.inputs.count)")
        w.line("#define PT_NUM_OUTPUTS   \(lowered.outputs.count)")
        w.line("#define PT_STREAMED_INPUT \(streamedInput ? 1 : 0)")
        w.line()
        w.line("extern const uint32_t pt_input_bytes[PT_NUM_INPUTS];   /* bytes the caller passes */")
        w.line("extern const uint32_t pt_output_bytes[PT_NUM_OUTPUTS];")
        w.line("extern const uint8_t  pt_input_is_float[PT_NUM_INPUTS]; /* 1: float32, 0: int8 */")
        w.line("extern const uint8_t  pt_output_is_float[PT_NUM_OUTPUTS];")
        w.line()
        w.line("int pt_init(void);                                       /* 0 on success */")
        w.line("int pt_invoke(const void *const inputs[], void *const outputs[]);   /* 0 on success */")
        w.line()
        w.line("/* With PT_STREAMED_INPUT: the library asks for each patch's input region instead of")
        w.line("   reading a whole image. dst receives rows x cols pixels, row-major, packed. */")
        w.line("typedef void (*pt_input_region_fn)(void *context, int input, int row, int col, int rows, int cols, void *dst);")
        w.line("#if PT_STREAMED_INPUT")
        w.line("int pt_invoke_streamed(pt_input_region_fn read, void *context, void *const outputs[]);")
        w.line("#endif")
        w.line()
        w.line("/* Profiling: compiled in with -DPT_PROFILE=1; the application supplies this.")
        w.line("   Called before (begin=1) and after (begin=0) every step with the TFLite op index. */")
        w.line("#if defined(PT_PROFILE) && PT_PROFILE")
        w.line("void pt_profile_step(int op, int begin);")
        w.line("#endif")
        w.line()
        w.line("#endif")
        return w.text
    }

    mutating func source(target: FirmwareTarget) -> String {
        var w = CWriter()
        let plan = program.plan
        w.line("/* PatchTop firmware export. Generated; do not edit.")
        w.line(" *")
        w.line(" * model:   \(cComment(lowered.modelName))")
        w.line(" * plan:    \(Self.stages(plan))")
        w.line(" * memory:  \(cComment(plan.options.summary))")
        w.line(" * halo:    \(plan.haloCaching.name)")
        w.line(" * target:  \(target.rawValue)\(streamedInput ? ", streamed input" : "")")
        w.line(" * arena:   \(lowered.arenaBytes) bytes (the plan's layout, exactly)")
        w.line(" * build:   C99; \(FirmwareLibrary.requiredCFlags.joined(separator: " ")) (float kernels must not fuse multiply-adds)")
        w.line(" *")
        w.line(" * Steps (index: op, kind, tile of the op's own stage or whole, rows x cols computed):")
        for (i, s) in lowered.instructions.enumerated() {
            let patch = s.patch.map { "tile \($0)" } ?? "whole"
            var extra: [String] = []
            if !s.loads.isEmpty { extra.append("\(s.loads.count) load") }
            if !s.cacheReads.isEmpty { extra.append("\(s.cacheReads.count) cache read") }
            if !s.cacheWrites.isEmpty { extra.append("\(s.cacheWrites.count) cache write") }
            if s.store != nil { extra.append("store") }
            if s.staging != nil { extra.append("in place") }
            if s.fusion != nil { extra.append("fused ADD") }
            if s.fusedAway { extra.append("done by its conv") }
            w.line(" *   \(i): op \(s.op) \(s.opName), \(patch), rows \(s.rows.lowerBound)..<\(s.rows.upperBound) cols \(s.cols.lowerBound)..<\(s.cols.upperBound)\(extra.isEmpty ? "" : " (" + extra.joined(separator: ", ") + ")")")
        }
        w.line(" */")
        w.line("#include <string.h>")
        w.line()
        w.line("#include \"patchtop_model.h\"")
        w.line("#include \"pt_runtime.h\"")
        w.line()
        w.line("#if defined(__GNUC__)")
        w.line("#define PT_ARENA_ATTR __attribute__((aligned(16), section(\".bss.pt_arena\")))")
        w.line("#define PT_ALIGN16 __attribute__((aligned(16)))")
        w.line("#else")
        w.line("#define PT_ARENA_ATTR")
        w.line("#define PT_ALIGN16")
        w.line("#endif")
        w.line()
        w.line("/* Arena offsets (the plan's layout; one name per offset, for the first buffer placed there). */")
        w.line("enum {")
        for (offset, name) in offsetNames.sorted(by: { $0.key < $1.key }) {
            w.line("    \(name) = \(offset),")
        }
        w.line("    PT_AT_END = \(lowered.arenaBytes)")
        w.line("};")
        w.line()
        w.line("static uint8_t pt_arena[PT_ARENA_BYTES > 0 ? PT_ARENA_BYTES : 1] PT_ARENA_ATTR;")
        w.line()
        w.line("const uint32_t pt_input_bytes[PT_NUM_INPUTS] = { \(lowered.inputs.map { "\($0.bytes)" }.joined(separator: ", ")) };")
        w.line("const uint32_t pt_output_bytes[PT_NUM_OUTPUTS] = { \(lowered.outputs.map { "\($0.bytes)" }.joined(separator: ", ")) };")
        w.line("const uint8_t pt_input_is_float[PT_NUM_INPUTS] = { \(lowered.inputs.map { $0.isFloat ? "1" : "0" }.joined(separator: ", ")) };")
        w.line("const uint8_t pt_output_is_float[PT_NUM_OUTPUTS] = { \(lowered.outputs.map { $0.isFloat ? "1" : "0" }.joined(separator: ", ")) };")
        w.line()
        w.line("/* Constant tensors read as data (not weights), end to end. */")
        w.raw("static const uint8_t pt_constants[\(max(lowered.constantPool.count, 1))] PT_ALIGN16 = ")
        w.list(lowered.constantPool.map { UInt8(bitPattern: $0) })
        w.line(";")
        w.line()
        var params: [Int: (kind: String, symbol: String)] = [:]
        var tables: [[Int8]: String] = [:]
        var lifts: [[Int32]: String] = [:]
        for instruction in lowered.instructions where params[instruction.op] == nil && !instruction.fusedAway {
            params[instruction.op] = emitParams(instruction, &w, &tables, &lifts)
        }
        w.line("/* The steps, in the order the runtime executes them. */")
        for (i, s) in lowered.instructions.enumerated() {
            if !s.inputs.isEmpty {
                w.line("static const pt_operand pt_s\(i)_in[\(s.inputs.count)] = { \(s.inputs.map(operand).joined(separator: ", ")) };")
            }
            if let staging = s.staging { w.line("static const pt_operand pt_s\(i)_staging = \(operand(staging));") }
            let before = s.loads + s.cacheReads
            if !before.isEmpty {
                w.line("static const pt_copy pt_s\(i)_before[\(before.count)] = {")
                for c in before { w.line("    \(copy(c, params: params)),") }
                w.line("};")
            }
            let after = s.cacheWrites + (s.store.map { [$0] } ?? [])
            if !after.isEmpty {
                w.line("static const pt_copy pt_s\(i)_after[\(after.count)] = {")
                for c in after { w.line("    \(copy(c, params: params)),") }
                w.line("};")
            }
        }
        w.line()
        w.line("#define PT_NUM_STEPS \(lowered.instructions.count)")
        w.line("static const pt_step pt_steps[PT_NUM_STEPS > 0 ? PT_NUM_STEPS : 1] = {")
        for (i, s) in lowered.instructions.enumerated() {
            let skipped = streamQuantized.values.contains { $0.step == i }
            let (kind, symbol) = s.fusedAway || skipped ? ("PT_NOP", "NULL") : (params[s.op] ?? ("PT_NOP", "NULL"))
            let before = s.loads.count + s.cacheReads.count
            let after = s.cacheWrites.count + (s.store == nil ? 0 : 1)
            w.line("    /* \(i): op \(s.op) \(s.opName)\(s.patch.map { ", tile \($0)" } ?? "")\(skipped ? " (runs in the streamed loads)" : "") */")
            w.line("    { \(kind), \(s.isWhole ? 1 : 0), \(s.op), \(s.rows.lowerBound), \(s.rows.upperBound), \(s.cols.lowerBound), \(s.cols.upperBound), \(s.outputElements), \(s.outputChannels),")
            w.line("      \(symbol), \(s.inputs.isEmpty ? "NULL" : "pt_s\(i)_in"), \(s.inputs.count), \(operand(s.output)), \(s.staging == nil ? "NULL" : "&pt_s\(i)_staging"),")
            w.line("      \(before == 0 ? "NULL" : "pt_s\(i)_before"), \(before), \(after == 0 ? "NULL" : "pt_s\(i)_after"), \(after) },")
        }
        if lowered.instructions.isEmpty { w.line("    { PT_NOP, 1, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, { 0, 0, 0, 0, 0, 0, 0 }, NULL, NULL, 0, NULL, 0 }") }
        w.line("};")
        w.line()
        emitEntryPoints(&w)
        return w.text
    }

    /// The op's parameters (once per op); returns its step kind and symbol.
    func emitParams(_ s: LoweredInstruction, _ w: inout CWriter, _ tables: inout [[Int8]: String],
                    _ lifts: inout [[Int32]: String]) -> (String, String) {
        let op = model.operators[s.op]
        let base = "op\(s.op)_\(cIdentifier(s.opName, limit: 24))"
        func tensorNote(_ index: Int) -> String {
            guard index >= 0, index < op.inputs.count, op.inputs[index] >= 0 else { return "" }
            return " /* tensor \(op.inputs[index]) \"\(cComment(model.tensors[op.inputs[index]].name))\" */"
        }
        func int8Array(_ name: String, _ values: [Int8], note: String = "") {
            w.raw("static const int8_t \(name)[\(max(values.count, 1))]\(note) = ")
            w.list(values)
            w.line(";")
        }
        func int32Array(_ name: String, _ values: [Int32], note: String = "") {
            w.raw("static const int32_t \(name)[\(max(values.count, 1))]\(note) = ")
            w.list(values, perLine: 8, int32: true)
            w.line(";")
        }
        func intArray(_ name: String, _ values: [Int]) {
            w.raw("static const int32_t \(name)[\(max(values.count, 1))] = ")
            w.list(values, perLine: 16)
            w.line(";")
        }
        func floatArray(_ name: String, _ values: [Float], note: String = "") {
            w.raw("static const float \(name)[\(max(values.count, 1))]\(note) = {")
            for (k, v) in values.enumerated() {
                w.raw(k == 0 ? "\n    " : (k % 8 == 0 ? ",\n    " : ", "))
                w.raw(cFloat(v))
            }
            if values.isEmpty { w.raw("0") }
            w.line("\n};")
        }
        func clamp(_ c: LoweredFloatClamp) -> String { "\(cFloat(c.lower)), \(cFloat(c.upper))" }
        func table(_ values: [Int8], _ name: String) -> String {
            if let existing = tables[values] { return existing }
            int8Array(name, values)
            tables[values] = name
            return name
        }
        /// A binary op's `pt_binary_fn` initializer; each lift table is
        /// written once however many ops share it.
        func binaryFunction(_ f: BinaryArithmeticInt8, _ name: String) -> String {
            func lift(_ values: [Int32], _ suffix: String) -> String {
                if let existing = lifts[values] { return existing }
                int32Array("\(name)_\(suffix)", values)
                lifts[values] = "\(name)_\(suffix)"
                return "\(name)_\(suffix)"
            }
            let a = lift(f.liftA, "lift_a"), b = lift(f.liftB, "lift_b")
            let fast = Self.fastBinaryRequantization(f)
            return "{ \(f.combine.rawValue), \(fast == nil ? 0 : 1), \(a), \(b), \(f.multiplier), \(f.shift), \(f.offset), \(fast ?? 0), \(-f.shift), \(f.min), \(f.max) }"
        }
        func weights(_ filter: [Int8], _ bias: [Int32]?, _ multipliers: [Int32], _ shifts: [Int32],
                     fullBias: [Int32]? = nil, rq: [Int32]? = nil) -> String {
            int8Array("\(base)_weights", filter, note: tensorNote(1))
            if let bias { int32Array("\(base)_bias", bias, note: tensorNote(2)) }
            if let fullBias {
                w.line("/* bias + input offset x the sum of each output channel's weights (wrapping): the start of a window inside the image */")
                int32Array("\(base)_full_bias", fullBias)
            }
            if let rq {
                w.line("/* {multiplier, 2^(e-1) + output offset * 2^e, e} per output channel (pt_requantize_fast, pt_fixedpoint.h) */")
                int32Array("\(base)_rq", rq)
            } else {
                int32Array("\(base)_multipliers", multipliers)
                int32Array("\(base)_shifts", shifts)
            }
            return bias == nil ? "NULL" : "\(base)_bias"
        }
        w.line("/* op \(s.op) \(s.opName) -> tensor \(op.output) \"\(cComment(model.tensors[op.output].name))\" */")
        switch s.kernel {
        case let .conv(p):
            let filter = p.filter, bias = p.bias
            let perChannel = filter.count / max(p.outputChannels, 1)
            let full = (0..<p.outputChannels).map { o -> Int32 in
                var sum: Int32 = 0
                for k in 0..<perChannel { sum &+= Int32(filter[o * perChannel + k]) }
                return (bias?[o] ?? 0) &+ p.inputOffset &* sum
            }
            let rq = fastRequantization(p, fullBias: full, perChannel: { o in (0..<perChannel).lazy.map { filter[o * perChannel + $0] } })
            let whole: Bool = perChannel == p.height.filterSize * p.width.filterSize * p.inputChannels && p.inputChannels > 0
            // A window of at most 64 bytes (a first conv on 1–7 channels)
            // is gathered whole per output pixel (im2col) and runs the
            // paired 1×1 loop: one filter row of the whole window.
            let im2col: Bool = rq != nil && whole && p.height.filterSize * p.width.filterSize > 1
                && (perChannel + 3) / 4 * 4 <= Self.im2colMaxBytes
            let run: Int = im2col ? perChannel : p.width.filterSize * p.inputChannels
            let rowBytes: Int = (run + 3) / 4 * 4
            let paired: Bool = im2col || (rq != nil && whole && (p.width.dilation == 1 || p.width.filterSize == 1))
            if im2col {
                w.line("/* im2col layout (pt_conv.c): each channel's whole window as one row padded with zeros to \(rowBytes) bytes; output channels 2k and 2k+1 interleaved a word each */")
            } else if paired {
                w.line("/* paired layout (pt_conv.c): each filter row padded with zeros to \(rowBytes) bytes; output channels 2k and 2k+1 interleaved a word (4 bytes of a row) each */")
            }
            let rows = im2col ? p.outputChannels : p.outputChannels * p.height.filterSize
            let pairedWeights = paired ? Self.pairedFilter(filter, rows: rows, run: run, rowBytes: rowBytes,
                                                           outputChannels: p.outputChannels) : filter
            let b = weights(pairedWeights, bias, p.multipliers, p.shifts, fullBias: full, rq: rq)
            // A 1×1 or im2col conv whose every weight serves many output
            // pixels also gets its channel pairs' weights sign-extended at
            // export (twice the bytes), sparing the loop its SXTB16s.
            let oneByOne = paired && !im2col && p.height.filterSize == 1 && p.width.filterSize == 1 && rowBytes == p.inputChannels
                && p.height.padBefore == 0 && p.width.padBefore == 0
            let wide = (oneByOne || im2col) && rowBytes <= Self.extendedMaxChannels && p.outputChannels >= 2
                && p.height.outputSize * p.width.outputSize >= Self.wideMinPixels
            if wide, let rq {
                w.line("/* per channel pair: twice each full bias, the weights sign-extended (per word of the paired layout, SXTB16 of it and of it rotated by 8), each channel's rq (pt_conv.c: pt_1x1_pairs_ext) */")
                int32Array("\(base)_wide", Self.wideRecords(pairedWeights, rowBytes: rowBytes, outputChannels: p.outputChannels,
                                                            fullBias: full, rq: rq))
            }
            w.line("static const pt_conv_params \(base) = { \(p.batches), \(p.inputChannels), \(p.outputChannels), \(Self.window(p.height)), \(Self.window(p.width)),")
            w.line("    \(p.inputOffset), \(p.outputOffset), \(p.activationMin), \(p.activationMax), \(rq == nil ? "\(base)_multipliers, \(base)_shifts" : "NULL, NULL"), \(base)_weights, \(b), \(base)_full_bias, \(rq == nil ? "NULL" : "\(base)_rq"), \(im2col ? 2 : (paired ? 1 : 0)), \(paired ? rowBytes : 0), \(wide ? "\(base)_wide" : "NULL") };")
            if let fusion = s.fusion {
                let add = binaryFunction(fusion.add, "op\(fusion.addOp)_add")
                w.line("static const pt_fused_params \(base)_fused = { &\(base), \(add), \(fusion.convOutputIsFirst ? 1 : 0), \(operand(fusion.skip)), \(operand(fusion.scratch)) };")
                return ("PT_CONV_FUSED", "&\(base)_fused")
            }
            return ("PT_CONV", "&\(base)")
        case let .depthwise(p):
            let filter = p.filter, bias = p.bias
            let channels = p.outputChannels, taps = filter.count / max(channels, 1)
            let full = (0..<channels).map { o -> Int32 in
                var sum: Int32 = 0
                for t in 0..<taps { sum &+= Int32(filter[t * channels + o]) }
                return (bias?[o] ?? 0) &+ p.inputOffset &* sum
            }
            let rq = fastRequantization(p, fullBias: full, perChannel: { o in (0..<taps).lazy.map { filter[$0 * channels + o] } })
            let b = weights(filter, bias, p.multipliers, p.shifts, fullBias: full, rq: rq)
            w.line("static const pt_depthwise_params \(base) = { \(p.batches), \(p.inputChannels), \(p.depthMultiplier), \(Self.window(p.height)), \(Self.window(p.width)),")
            w.line("    \(p.inputOffset), \(p.outputOffset), \(p.activationMin), \(p.activationMax), \(rq == nil ? "\(base)_multipliers, \(base)_shifts" : "NULL, NULL"), \(base)_weights, \(b), \(base)_full_bias, \(rq == nil ? "NULL" : "\(base)_rq") };")
            return (s.staging == nil ? "PT_DEPTHWISE" : "PT_DEPTHWISE_INPLACE", "&\(base)")
        case let .fullyConnected(p):
            let filter = p.filter, bias = p.bias
            let b = weights(filter, bias, p.multipliers, p.shifts)
            w.line("static const pt_fc_params \(base) = { \(p.batches), \(p.inputDepth), \(p.outputDepth), \(p.inputOffset), \(p.filterOffset), \(p.outputOffset),")
            w.line("    \(p.activationMin), \(p.activationMax), \(p.multipliers.count > 1 ? 1 : 0), \(base)_multipliers, \(base)_shifts, \(base)_weights, \(b) };")
            return ("PT_FC", "&\(base)")
        case let .pool(p):
            w.line("static const pt_pool_params \(base) = { \(p.average ? 1 : 0), \(p.batches), \(p.channels), \(Self.window(p.height)), \(Self.window(p.width)), \(p.activationMin), \(p.activationMax) };")
            return ("PT_POOL", "&\(base)")
        case let .binary(f, a, b, o):
            let fn = binaryFunction(f, base)
            w.line("static const pt_binary_params \(base) = { \(fn), \(Self.four(a, fill: 1)), \(Self.four(b, fill: 1)), \(Self.four(o, fill: 1)), \(a.count), \(b.count), \(o.count) };")
            return ("PT_BINARY", "&\(base)")
        case let .lookup(values):
            let t = table(values, "\(base)_table")
            w.line("static const pt_lookup_params \(base) = { \(t) };")
            return ("PT_LOOKUP", "&\(base)")
        case .copy:
            return ("PT_COPY", "NULL")
        case let .fill(values):
            int8Array("\(base)_bytes", values)
            w.line("static const pt_fill_params \(base) = { \(base)_bytes, \(values.count) };")
            return ("PT_FILL", "&\(base)")
        case let .quantize(scale, zeroPoint):
            w.line("static const pt_quant_params \(base) = { \(cFloat(scale)), \(zeroPoint) };")
            return ("PT_QUANTIZE", "&\(base)")
        case let .dequantize(scale, zeroPoint):
            w.line("static const pt_quant_params \(base) = { \(cFloat(scale)), \(zeroPoint) };")
            return ("PT_DEQUANTIZE", "&\(base)")
        case let .pad(shape, paddings, fill, elementBytes):
            w.line("static const pt_pad_params \(base) = { \(Self.four(shape, fill: 1)), \(Self.four(paddings.map(\.before), fill: 0)), \(Self.four(paddings.map(\.after), fill: 0)), \(fill), \(elementBytes) };")
            return ("PT_PAD", "&\(base)")
        case let .concatenation(shapes, axis, elementBytes):
            let outer = shapes.first.map { $0[..<min(axis, $0.count)].reduce(1, *) } ?? 0
            intArray("\(base)_chunks", shapes.map { $0[min(axis, $0.count)...].reduce(1, *) * elementBytes })
            intArray("\(base)_channels", shapes.map { ($0.last ?? 1) * elementBytes })
            w.line("static const pt_concat_params \(base) = { \(shapes.count), \(outer), \(base)_chunks, \(base)_channels };")
            return ("PT_CONCAT", "&\(base)")
        case let .mean(p):
            emitMean(p.loops, w: &w, name: base, quantized: (p.inputZeroPoint, p.outputZeroPoint, p.meanMultiplier, p.meanShift, p.multiplier, p.shift))
            return ("PT_MEAN", "&\(base)")
        case let .meanFloat(loops):
            emitMean(loops, w: &w, name: base, quantized: (0, 0, 0, 0, 0, 0))
            return ("PT_MEAN_FLOAT", "&\(base)")
        case let .softmax(p):
            w.line("static const pt_softmax_params \(base) = { \(p.rows), \(p.depth), \(p.inputMultiplier), \(p.inputLeftShift), \(p.diffMin) };")
            return ("PT_SOFTMAX", "&\(base)")
        case let .logSoftmax(p):
            w.line("static const pt_log_softmax_params \(base) = { \(p.rows), \(p.depth), \(p.inputMultiplier), \(p.inputLeftShift), \(p.reverseScalingDivisor), \(p.reverseScalingShift), \(p.diffMin) };")
            return ("PT_LOG_SOFTMAX", "&\(base)")
        case let .transpose(p):
            w.line("static const pt_transpose_params \(base) = { \(Self.four(p.outputShape, fill: 1)), \(Self.four(p.inputStrides, fill: 0)), \(p.elementBytes) };")
            return ("PT_TRANSPOSE", "&\(base)")
        case let .stridedSlice(p):
            w.line("static const pt_slice_params \(base) = { \(Self.four(p.start, fill: 0)), \(Self.four(p.step, fill: 1)), \(Self.four(p.count, fill: 1)), \(Self.four(p.inputStrides, fill: 0)), \(p.elementBytes) };")
            return ("PT_SLICE", "&\(base)")
        case let .resizeNearest(p):
            intArray("\(base)_rows", p.sourceRows)
            intArray("\(base)_cols", p.sourceCols)
            w.line("static const pt_resize_params \(base) = { \(p.batches), \(p.inputHeight), \(p.inputWidth), \(p.channels), \(p.sourceRows.count), \(p.sourceCols.count), \(base)_rows, \(base)_cols };")
            return ("PT_RESIZE_NEAREST", "&\(base)")
        case let .floatConv(p):
            floatArray("\(base)_weights", p.weights, note: " /* \(p.isDepthwise ? "[kh][kw][out]" : "[kh][kw][in][out]") */")
            floatArray("\(base)_bias", p.bias)
            w.line("static const pt_conv_f32_params \(base) = { \(p.isDepthwise ? 1 : 0), \(p.batches), \(p.inputChannels), \(p.outputChannels), \(p.depthMultiplier), \(Self.window(p.height)), \(Self.window(p.width)),")
            w.line("    \(clamp(p.clamp)), \(base)_weights, \(base)_bias };")
            return (s.staging == nil ? "PT_CONV_F32" : "PT_DEPTHWISE_INPLACE_F32", "&\(base)")
        case let .floatPool(p):
            w.line("static const pt_pool_f32_params \(base) = { \(p.average ? 1 : 0), \(p.batches), \(p.channels), \(Self.window(p.height)), \(Self.window(p.width)), \(clamp(p.clamp)) };")
            return ("PT_POOL_F32", "&\(base)")
        case let .floatFullyConnected(p):
            floatArray("\(base)_weights", p.weights, note: " /* [in][out] */")
            floatArray("\(base)_bias", p.bias)
            w.line("static const pt_fc_f32_params \(base) = { \(p.batches), \(p.inputDepth), \(p.outputDepth), \(clamp(p.clamp)), \(base)_weights, \(base)_bias };")
            return ("PT_FC_F32", "&\(base)")
        case let .floatUnary(u):
            let kind: String, alpha: Float
            switch u {
            case .relu: (kind, alpha) = ("PT_UNARY_RELU", 0)
            case .relu6: (kind, alpha) = ("PT_UNARY_RELU6", 0)
            case .reluN1To1: (kind, alpha) = ("PT_UNARY_RELU_N1_TO_1", 0)
            case .leakyRelu(let a): (kind, alpha) = ("PT_UNARY_LEAKY_RELU", a)
            case .hardSwish: (kind, alpha) = ("PT_UNARY_HARD_SWISH", 0)
            case .logistic: (kind, alpha) = ("PT_UNARY_LOGISTIC", 0)
            case .tanh: (kind, alpha) = ("PT_UNARY_TANH", 0)
            }
            w.line("static const pt_unary_f32_params \(base) = { \(kind), \(cFloat(alpha)) };")
            return ("PT_UNARY_F32", "&\(base)")
        case let .floatBinary(kind, c, a, b, o):
            let name = ["PT_BINARY_ADD", "PT_BINARY_SUB", "PT_BINARY_MUL", "PT_BINARY_MAXIMUM", "PT_BINARY_MINIMUM"][kind.rawValue]
            w.line("static const pt_binary_f32_params \(base) = { \(name), \(clamp(c)), \(Self.four(a, fill: 1)), \(Self.four(b, fill: 1)), \(Self.four(o, fill: 1)), \(a.count), \(b.count), \(o.count) };")
            return ("PT_BINARY_F32", "&\(base)")
        case let .softmaxFloat(beta, rows, depth):
            w.line("static const pt_softmax_f32_params \(base) = { \(rows), \(depth), \(cFloat(beta)) };")
            return ("PT_SOFTMAX_F32", "&\(base)")
        case let .logSoftmaxFloat(rows, depth):
            w.line("static const pt_softmax_f32_params \(base) = { \(rows), \(depth), 1.0f };")
            return ("PT_LOG_SOFTMAX_F32", "&\(base)")
        case .unsupported:
            return ("PT_NOP", "NULL")
        }
    }

    /// The largest window (bytes, padded to a word) the im2col layout
    /// takes: `PT_IM2COL_MAX` in pt_conv.c.
    static let im2colMaxBytes = 64

    /// Input channels (window bytes) up to which the paired 1×1 loop
    /// sign-extends a pixel pair once: `PT_1X1_EXT_MAX` in pt_conv.c.
    static let extendedMaxChannels = 512

    /// Output pixels from which a paired 1×1 or im2col conv's weights are
    /// also stored sign-extended: each weight then serves at least a 10×10
    /// map, its two extra bytes of flash saving a SXTB16 per 4 MACs at
    /// every pixel.
    static let wideMinPixels = 100

    /// The wide records of a paired filter (`rowBytes` a channel): per
    /// channel pair `{2·full_bias(o), 2·full_bias(o+1)}` (wrapping), its
    /// weights as `wideFilter`, then `rq` of o and of o+1.
    static func wideRecords(_ paired: [Int8], rowBytes: Int, outputChannels oc: Int, fullBias: [Int32], rq: [Int32]) -> [Int32] {
        let pairBytes = 2 * rowBytes
        let weights = wideFilter(paired, pairBytes: (oc / 2) * pairBytes)
        var out: [Int32] = []
        out.reserveCapacity((oc / 2) * (8 + pairBytes / 2))
        for k in 0..<(oc / 2) {
            out.append(fullBias[2 * k] &* 2)
            out.append(fullBias[2 * k + 1] &* 2)
            out.append(contentsOf: weights[(k * pairBytes / 2)..<((k + 1) * pairBytes / 2)])
            out.append(contentsOf: rq[(6 * k)..<(6 * k + 6)])
        }
        return out
    }

    /// The first `pairBytes` of a paired filter (its channel pairs, not an
    /// odd last channel) as int16 pairs: per 4-byte word w, SXTB16(w) then
    /// SXTB16(w ror 8): bytes (0, 2) and (1, 3) as the loop multiplies them.
    static func wideFilter(_ paired: [Int8], pairBytes: Int) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(pairBytes / 2)
        func half(_ lo: Int8, _ hi: Int8) -> Int32 {
            Int32(bitPattern: UInt32(UInt16(bitPattern: Int16(lo))) | (UInt32(UInt16(bitPattern: Int16(hi))) << 16))
        }
        for q in stride(from: 0, to: pairBytes, by: 4) {
            out.append(half(paired[q], paired[q + 2]))
            out.append(half(paired[q + 1], paired[q + 3]))
        }
        return out
    }

    /// A conv's `[out][kh][kw·in]` filter in the paired layout (pt_conv.c):
    /// each row of `run` bytes padded with zeros to `rowBytes` (a multiple
    /// of 4); output channels 2k and 2k+1 interleaved a word at a time
    /// within each row; an odd last channel's rows as they are (padded).
    static func pairedFilter(_ filter: [Int8], rows: Int, run: Int, rowBytes: Int, outputChannels oc: Int) -> [Int8] {
        let kh = rows / max(oc, 1)
        func row(_ o: Int, _ fy: Int) -> [Int8] {
            let start: Int = (o * kh + fy) * run
            return Array(filter[start..<(start + run)]) + [Int8](repeating: 0, count: rowBytes - run)
        }
        var out: [Int8] = []
        out.reserveCapacity(oc * kh * rowBytes)
        var o = 0
        while o + 2 <= oc {
            for fy in 0..<kh {
                let a = row(o, fy), b = row(o + 1, fy)
                for q in stride(from: 0, to: rowBytes, by: 4) {
                    out.append(contentsOf: a[q..<(q + 4)])
                    out.append(contentsOf: b[q..<(q + 4)])
                }
            }
            o += 2
        }
        if o < oc { for fy in 0..<kh { out.append(contentsOf: row(o, fy)) } }
        return out
    }

    /// `{multiplier, 2^(e−1) + output offset·2^e, e}` per output channel
    /// (e = −shift) when `pt_requantize_fast` is exact for every accumulator
    /// the op's kernels can form (pt_fixedpoint.h), else nil. B bounds them:
    /// the larger of |full_bias| + 128·Σ|f| (windows inside the image, raw
    /// bytes) and |bias| + 255·Σ|f| (taps inside the image at its edge, with
    /// the input offset). Each shift ≤ −1, each multiplier ≥ 0, B < 2^30 and
    /// the high word |base| + B + 2 < 2^31. A channel whose every result
    /// rounds to 0 (B < 2^(e−1), as |SRDHM| ≤ B) is written as the constant
    /// {0, 1 + 2·zp, 1}. The kernels then need no multipliers or shifts.
    /// The constant `base = 2^(e-1) + zp·2^e` of `pt_requantize_fast` for a
    /// multiplier `m` and shift `-e`, when it is proved equal to
    /// MultiplyByQuantizedMultiplier + zp for every accumulator within
    /// ±`bound` (pt_fixedpoint.h); nil where it is not.
    static func fastForm(multiplier m: Int32, shift: Int32, zeroPoint zp: Int64, bound: Int64) -> Int32? {
        let e = -Int64(shift)
        guard m >= 0, e >= 1, e <= 31, bound >= 0, bound < (1 << 30) else { return nil }
        let base: Int64 = (Int64(1) << (e - 1)) + zp * (Int64(1) << e)
        return abs(base) + bound + 2 < (Int64(1) << 31) ? Int32(base) : nil
    }

    /// `fastForm` for a binary op: its accumulator is the sum (product) of
    /// two lifts, bounded by the lifts' largest magnitudes.
    static func fastBinaryRequantization(_ f: BinaryArithmeticInt8) -> Int32? {
        func largest(_ lift: [Int32]) -> Int64 { lift.map { abs(Int64($0)) }.max() ?? 0 }
        let bound: Int64
        switch f.combine {
        case .add: bound = largest(f.liftA) + largest(f.liftB)
        case .multiply: bound = largest(f.liftA) * largest(f.liftB)
        case .maximum, .minimum: return nil
        }
        return fastForm(multiplier: f.multiplier, shift: f.shift, zeroPoint: Int64(f.offset), bound: bound)
    }

    func fastRequantization<S: Sequence<Int8>>(_ p: LoweredConv, fullBias: [Int32], perChannel: (Int) -> S) -> [Int32]? {
        guard p.multipliers.count == p.outputChannels, p.shifts.count == p.outputChannels else { return nil }
        let zp = Int64(p.outputOffset)
        var rq: [Int32] = []
        rq.reserveCapacity(3 * p.outputChannels)
        for o in 0..<p.outputChannels {
            let m = p.multipliers[o], e = -Int64(p.shifts[o])
            guard m >= 0, e >= 1 else { return nil }
            let weightSum: Int64 = perChannel(o).reduce(Int64(0)) { $0 + abs(Int64($1)) }
            // Inside the image: full_bias + Σ x·f over raw bytes; at its edge
            // (and in the in-place plane's border): bias + Σ (x + offset)·f
            // over the taps inside, |x + offset| ≤ 255.
            let bound: Int64 = max(abs(Int64(fullBias[o])) + 128 * weightSum, abs(Int64(p.bias?[o] ?? 0)) + 255 * weightSum)
            guard bound < (1 << 30) else { return nil }
            if let base = Self.fastForm(multiplier: m, shift: p.shifts[o], zeroPoint: zp, bound: bound) {
                rq += [m, base, Int32(e)]
                continue
            }
            guard e >= 62 || bound < (Int64(1) << (e - 1)) else { return nil }
            rq += [0, Int32(1 + 2 * zp), 1]
        }
        return rq
    }

    func emitMean(_ loops: LoweredReduction, w: inout CWriter, name: String,
                  quantized q: (Int32, Int32, Int32, Int32, Int32, Int32)) {
        w.line("static const pt_mean_params \(name) = { \(Self.four(loops.kept, fill: 1)), \(Self.four(loops.keptStrides, fill: 0)), \(Self.four(loops.reduced, fill: 1)), \(Self.four(loops.reducedStrides, fill: 0)),")
        w.line("    \(loops.count), \(loops.outputs), \(q.0), \(q.1), \(q.2), \(q.3), \(q.4), \(q.5) };")
    }

    func emitEntryPoints(_ w: inout CWriter) {
        w.line("/* Tensors kept outside the arena (not the caller's): static buffers. */")
        for tensor in extras where streamQuantized[tensor] == nil {
            w.line("static uint8_t pt_extra_t\(tensor)[\(max(model.tensors[tensor].byteCount, 1))] PT_ALIGN16;")
        }
        let extraNames = extras.map { streamQuantized[$0] == nil ? "pt_extra_t\($0)" : "NULL /* t\($0): quantized as the streamed loads read it */" }
        w.line("static uint8_t *const pt_extras[\(max(extras.count, 1))] = { \(extras.isEmpty ? "NULL" : extraNames.joined(separator: ", ")) };")
        w.line()
        w.line("int pt_init(void) { return 0; }")
        w.line()
        w.line("/* Copies the caller's inputs that live in the arena in, runs, copies the arena outputs out. */")
        w.line("static int pt_invoke_with(pt_context *ctx, const void *const inputs[], void *const outputs[]) {")
        w.line("    (void)inputs;")
        w.line("    (void)outputs;")
        for (k, b) in lowered.inputs.enumerated() {
            if case .arena(let offset) = b.location {
                w.line("    if (inputs == NULL || inputs[\(k)] == NULL) return 1;")
                w.line("    memcpy(pt_arena + \(offsetNames[offset] ?? "\(offset)"), inputs[\(k)], \(b.bytes));")
            }
        }
        w.line("    pt_run(ctx, pt_steps, PT_NUM_STEPS);")
        for (k, b) in lowered.outputs.enumerated() {
            switch b.location {
            case .arena(let offset): w.line("    memcpy(outputs[\(k)], pt_arena + \(offsetNames[offset] ?? "\(offset)"), \(b.bytes));")
            case .constant(let offset): w.line("    memcpy(outputs[\(k)], pt_constants + \(offset), \(b.bytes));")
            case .external(let tensor):
                if let e = externals[tensor], e.space == "PT_INPUT" {
                    w.line("    memcpy(outputs[\(k)], inputs[\(e.index)], \(b.bytes));")
                }
            }
        }
        w.line("    return 0;")
        w.line("}")
        w.line()
        w.line("int pt_invoke(const void *const inputs[], void *const outputs[]) {")
        w.line("    pt_context ctx;")
        w.line("    int k;")
        w.line("    if (inputs == NULL || outputs == NULL) return 1;")
        w.line("    for (k = 0; k < PT_NUM_INPUTS; k++) if (inputs[k] == NULL) return 1;")
        w.line("    for (k = 0; k < PT_NUM_OUTPUTS; k++) if (outputs[k] == NULL) return 1;")
        w.line("    ctx.arena = pt_arena; ctx.constants = pt_constants; ctx.inputs = inputs; ctx.outputs = outputs; ctx.extras = pt_extras;")
        w.line("    ctx.read = NULL; ctx.read_context = NULL;")
        w.line("    return pt_invoke_with(&ctx, inputs, outputs);")
        w.line("}")
        if streamedInput {
            w.line()
            w.line("int pt_invoke_streamed(pt_input_region_fn read, void *context, void *const outputs[]) {")
            w.line("    static const void *const none[PT_NUM_INPUTS] = { NULL };")
            w.line("    pt_context ctx;")
            w.line("    int k;")
            w.line("    if (read == NULL || outputs == NULL) return 1;")
            w.line("    for (k = 0; k < PT_NUM_OUTPUTS; k++) if (outputs[k] == NULL) return 1;")
            w.line("    ctx.arena = pt_arena; ctx.constants = pt_constants; ctx.inputs = none; ctx.outputs = outputs; ctx.extras = pt_extras;")
            w.line("    ctx.read = (pt_region_reader)read; ctx.read_context = context;")
            w.line("    return pt_invoke_with(&ctx, none, outputs);")
            w.line("}")
        }
    }
}
