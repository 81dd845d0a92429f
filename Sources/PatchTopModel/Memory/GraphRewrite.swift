/// What the graph-level memory options (`--fold-pad`, `--int8-io`) change
/// in a model: ops they take out of the graph and what they put in their
/// place.
///
/// A *detached* op keeps its index (op numbers never shift), but the graph
/// no longer sees it read or write anything, so no memory rule, receptive
/// field or stage boundary counts it:
/// - a folded PAD: the convs that read its output read its input instead,
///   with the PAD's rows and columns as window padding
///   (`WindowOptions.foldedPadding`); the padded tensor is never stored;
/// - a graph input's QUANTIZE (float32 → int8) and a graph output's
///   DEQUANTIZE (int8 → float32): the int8 tensors become the graph's
///   boundary in memory; the runtime converts as data crosses the arena's
///   edge.
public struct GraphRewrite: Equatable, Sendable {
    /// Why an op is detached.
    public enum Detachment: Equatable, Hashable, Sendable {
        /// A PAD folded into the ops that read it (`into`, ascending).
        case foldedPad(into: [Int])
        /// QUANTIZE of graph input `float` into `int8`, done before the arena.
        case inputConversion(float: Int, int8: Int)
        /// DEQUANTIZE of `int8` into graph output `float`, done after it.
        case outputConversion(int8: Int, float: Int)
    }

    /// A PAD that `--fold-pad` left stored, and why.
    public struct KeptPad: Equatable, Hashable, Sendable {
        public var op: Int
        public var reason: String
    }

    /// Detached ops by index.
    public var detached: [Int: Detachment] = [:]
    /// PADs that could not be folded, in op order.
    public var keptPads: [KeptPad] = []
    /// The inputs and outputs the caller exchanges with the model when they
    /// differ from the graph's (`--int8-io`).
    public var callerInputs: [Int]?
    public var callerOutputs: [Int]?

    public init() {}

    public func isDetached(_ op: Int) -> Bool { detached[op] != nil }

    /// The folded PADs, in op order.
    public var foldedPads: [Int] { detached.compactMap { if case .foldedPad = $0.value { $0.key } else { nil } }.sorted() }

    /// A few words per op the rewrite touched, for per-op tables:
    /// `folded into op 6`, `PAD kept: its output is a graph output`,
    /// `int8 boundary: runs outside SRAM`.
    public var notes: [Int: String] {
        var notes: [Int: String] = [:]
        for (op, detachment) in detached {
            switch detachment {
            case .foldedPad(let into): notes[op] = "folded into op \(into.map(String.init).joined(separator: ", "))"
            case .inputConversion, .outputConversion: notes[op] = "int8 boundary: runs outside SRAM"
            }
        }
        for kept in keptPads { notes[kept.op] = "not folded: \(kept.reason)" }
        return notes
    }

    /// The boundary conversions, in op order.
    public var conversions: [Int] {
        detached.compactMap { if case .foldedPad = $0.value { nil } else { $0.key } }.sorted()
    }
}

extension Model {
    /// This model as the graph-level options of `options` see it: PADs
    /// folded into their convs (`foldPad`), the int8 tensors as the graph's
    /// inputs and outputs (`int8IO`). Without either, the model itself.
    public func rewritten(for options: MemoryOptions) -> Model {
        guard options.foldPad || options.int8IO, rewrite == GraphRewrite() else { return self }
        var rewrite = GraphRewrite()
        var operators = self.operators
        var inputs = self.inputs, outputs = self.outputs
        if options.int8IO {
            for (slot, input) in inputs.enumerated() {
                guard tensors[input].type == .float32, consumers[input].count == 1,
                      case let q = consumers[input][0], operators[q].kind == .quantize, operators[q].outputs.count == 1,
                      tensors[operators[q].output].type == .int8,
                      !outputs.contains(operators[q].output), !outputs.contains(input)
                else { continue }
                rewrite.detached[operators[q].index] = .inputConversion(float: input, int8: operators[q].output)
                inputs[slot] = operators[q].output
            }
            for (slot, output) in outputs.enumerated() {
                guard tensors[output].type == .float32, let d = producer[output],
                      operators[d].kind == .dequantize, let source = operators[d].input(0),
                      tensors[source].type == .int8, isActivation(source), !self.inputs.contains(source),
                      consumers[output].isEmpty
                else { continue }
                rewrite.detached[d] = .outputConversion(int8: source, float: output)
                outputs[slot] = source
            }
            if inputs != self.inputs { rewrite.callerInputs = self.inputs }
            if outputs != self.outputs { rewrite.callerOutputs = self.outputs }
        }
        if options.foldPad {
            for op in operators where op.kind == .pad {
                switch foldablePad(op, outputs: outputs) {
                case .failure(let reason):
                    rewrite.keptPads.append(GraphRewrite.KeptPad(op: op.index, reason: reason.text))
                case .success(let fold):
                    rewrite.detached[op.index] = .foldedPad(into: consumers[op.output])
                    for reader in consumers[op.output] {
                        guard var window = operators[reader].options.window else { continue }
                        window.foldedPadding = fold.padding
                        operators[reader].options = operators[reader].options.replacingWindow(window)
                        operators[reader].inputs[0] = fold.input
                    }
                }
            }
        }
        guard !rewrite.detached.isEmpty || !rewrite.keptPads.isEmpty else { return self }
        do {
            return try Model(name: name, description: description, tensors: tensors, operators: operators,
                             inputs: inputs, outputs: outputs, rewrite: rewrite)
        } catch {
            // Every rule keeps the graph valid; should one not, the model as
            // read is still right, only without the saving.
            return self
        }
    }

    private struct Fold {
        var input: Int
        var padding: FoldedPadding
    }

    private struct Reason: Error {
        var text: String
    }

    /// Whether PAD `op` can be folded into every op that reads it, and how.
    private func foldablePad(_ op: Operator, outputs: [Int]) -> Result<Fold, Reason> {
        guard let input = op.input(0), let padded = op.outputs.first, op.inputs.count == 2 else {
            return .failure(Reason(text: "it has a constant pad value (PADV2-style input)"))
        }
        let x = tensors[input], y = tensors[padded]
        guard x.shape.count == 4, y.shape.count == 4, isActivation(input) else {
            return .failure(Reason(text: "it does not pad a 4-D feature map"))
        }
        guard let pads = padAmounts(of: op), pads.count == 8, pads.allSatisfy({ $0 >= 0 }) else {
            return .failure(Reason(text: "its paddings are not constant"))
        }
        guard pads[0] == 0, pads[1] == 0, pads[6] == 0, pads[7] == 0 else {
            return .failure(Reason(text: "it pads the batch or channel dimension"))
        }
        guard !outputs.contains(padded), !consumers[padded].isEmpty else {
            return .failure(Reason(text: "its output is a graph output"))
        }
        guard x.type == y.type, x.quantization?.scales == y.quantization?.scales,
              x.quantization?.zeroPoints == y.quantization?.zeroPoints else {
            return .failure(Reason(text: "its input and output are quantized differently"))
        }
        let padding = FoldedPadding(top: pads[2], bottom: pads[3], left: pads[4], right: pads[5])
        for reader in consumers[padded] {
            let consumer = operators[reader]
            guard consumer.input(0) == padded, !consumer.inputs.dropFirst().contains(padded) else {
                return .failure(Reason(text: "op \(reader) (\(consumer.kind.name)) reads it other than as its input"))
            }
            switch consumer.kind {
            case .conv2D, .depthwiseConv2D:
                break
            case .maxPool2D:
                // A max pool skips padded cells; the PAD's value changes
                // nothing only if it is the lowest value there is.
                guard y.type == .int8, y.quantization?.zeroPoints.first ?? 0 == -128 else {
                    return .failure(Reason(text: "op \(reader) (MAX_POOL_2D) would not see its pad value"))
                }
            case .averagePool2D:
                return .failure(Reason(text: "op \(reader) (AVERAGE_POOL_2D) counts padded cells differently"))
            default:
                return .failure(Reason(text: "op \(reader) (\(consumer.kind.name)) reads it, and only a conv or pool can pad"))
            }
            guard let window = consumer.options.window, window.foldedPadding == nil,
                  let (h, w) = windowGeometry(of: consumer) else {
                return .failure(Reason(text: "op \(reader) (\(consumer.kind.name)) has no window to pad"))
            }
            // Padding wider than the window reaches would leave outputs that
            // read nothing but padding; the stored PAD handles those plainly.
            guard max(padding.top, padding.bottom) < h.effectiveFilterSize,
                  max(padding.left, padding.right) < w.effectiveFilterSize else {
                return .failure(Reason(text: "it pads more than op \(reader)'s window reaches"))
            }
        }
        return .success(Fold(input: input, padding: padding))
    }

    /// A PAD's constant paddings, `[n0, n1, h0, h1, w0, w1, c0, c1]` for a
    /// 4-D input; `nil` where they are not constant int32/int64 data.
    public func padAmounts(of op: Operator) -> [Int]? {
        guard let paddings = op.input(1), let data = tensors[paddings].data else { return nil }
        let type = tensors[paddings].type
        guard type == .int32 || type == .int64 else { return nil }
        let size = type == .int64 ? 8 : 4
        let count = tensors[paddings].elementCount
        guard count > 0, data.count >= count * size else { return nil }
        return (0..<count).map { i in
            var v: UInt64 = 0
            for k in 0..<size { v |= UInt64(data[i * size + k]) << (8 * k) }
            return size == 8 ? Int(truncatingIfNeeded: Int64(bitPattern: v)) : Int(Int32(truncatingIfNeeded: v))
        }
    }
}
