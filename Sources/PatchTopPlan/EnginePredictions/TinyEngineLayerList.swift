import PatchTopModel

/// A model as TinyEngine's converter turns it into layers (see
/// `TinyEngineLayer`), with the same rules its TFLite parser applies: the
/// rules decide which tensors exist, their sizes and names, and so what
/// TinyEngine's scheduler allocates.
public struct TinyEngineLayerList: Sendable {
    public let model: Model
    public let layers: [TinyEngineLayer]
    /// The int8 tensors TinyEngine hands back as outputs (a graph output, or
    /// the input of the DEQUANTIZE that makes it): held to the end on purpose.
    public let outputNames: Set<String>

    public init(model: Model) throws(TinyEngineUnavailable) {
        self.model = model
        var builder = Builder(model: model)
        layers = try builder.build()
        var names = Set<String>()
        for output in model.outputs {
            if let producer = model.producer[output], model.operators[producer].kind == .dequantize,
               let input = model.operators[producer].input(0) {
                names.insert(String(input))
            } else {
                names.insert(String(output))
            }
        }
        outputNames = names
    }

    /// The TFLite op index where layer `index` begins (its folded PAD, if any).
    public func firstOp(ofLayer index: Int) -> Int { layers[index].ops.first ?? 0 }
}

extension TinyEngineLayerList {
    /// Walks the TFLite ops in order as TinyEngine's converter does.
    private struct Builder {
        let model: Model
        var layers: [TinyEngineLayer] = []
        /// The last PAD seen and not yet folded: (op, input, output).
        var pendingPad: (op: Int, input: Int, output: Int)?
        /// A TRANSPOSE seen anywhere before: every later MEAN pair reads its input.
        var transpose: (op: Int, input: Int)?
        /// The first MEAN of a pair, waiting for the second.
        var firstMean: (op: Int, input: Int, dims: [Int])?

        init(model: Model) { self.model = model }

        mutating func build() throws(TinyEngineUnavailable) -> [TinyEngineLayer] {
            let ops = model.operators
            var index = 0
            while index < ops.count {
                // An ADD followed by two MULs is taken for a squeeze-excite block's
                // hard sigmoid and scale (TinyEngine looks for it only this far from the end).
                if index + 2 < ops.count - 2, ops[index].kind == .add, ops[index + 1].kind == .mul, ops[index + 2].kind == .mul {
                    layers.append(try seLayer(at: index))
                    index += 3
                    continue
                }
                try handle(ops[index])
                index += 1
            }
            return layers
        }

        private func shape(_ tensor: Int?, _ op: Operator, _ what: String) throws(TinyEngineUnavailable) -> [Int] {
            guard let tensor else {
                throw TinyEngineUnavailable("TinyEngine cannot convert op \(op.index) (\(op.kind.name)): it has no \(what)")
            }
            return model.tensors[tensor].shape
        }

        private func fourD(_ tensor: Int?, _ op: Operator, _ what: String) throws(TinyEngineUnavailable) -> [Int] {
            let s = try shape(tensor, op, what)
            guard s.count == 4 else {
                throw TinyEngineUnavailable("TinyEngine cannot convert op \(op.index) (\(op.kind.name)): its \(what) tensor has shape \(s), not 4-D")
            }
            return s
        }

        /// TinyEngine's `(n, h, w, c)` reading of a shape of any rank.
        private func nhwc(_ s: [Int]) -> (h: Int, w: Int, c: Int) {
            switch s.count {
            case 4: (s[1], s[2], s[3])
            case 3: (s[0], s[1], s[2])
            case 2: (1, s[0], s[1])
            case 1: (1, 1, s[0])
            default: (1, 1, 1)
            }
        }

        /// TinyEngine's MEAN reads shapes as NCHW; only the product matters.
        private func chwDims(_ s: [Int]) -> [Int] {
            switch s.count {
            case 4: [s[1], s[3], s[2]]
            case 3: [s[1], 1, s[2]]
            case 2: [s[1], 1, 1]
            default: [1, 1, 1]
            }
        }

        private func tensor(_ name: String, _ dims: [Int], _ op: Operator) throws(TinyEngineUnavailable) -> TinyEngineTensor {
            guard dims.allSatisfy({ $0 > 0 }) else {
                throw TinyEngineUnavailable("TinyEngine cannot convert op \(op.index) (\(op.kind.name)): a tensor has dimensions \(dims), not all positive")
            }
            return TinyEngineTensor(name: name, dims: dims)
        }

        private mutating func handle(_ op: Operator) throws(TinyEngineUnavailable) {
            switch op.kind {
            case .conv2D, .depthwiseConv2D:
                layers.append(try convLayer(op))
                pendingPad = nil
            case .fullyConnected:
                layers.append(try fullyConnectedLayer(op))
            case .add:
                let a = nhwc(try shape(op.input(0), op, "first input")), b = nhwc(try shape(op.input(1), op, "second input"))
                let o = nhwc(model.tensors[op.output].shape)
                guard a == b, b == o else {
                    throw TinyEngineUnavailable("TinyEngine cannot convert op \(op.index) (ADD): its inputs and output differ in shape (TinyEngine's ADD does not broadcast)")
                }
                layers.append(TinyEngineLayer(
                    kind: .add, ops: [op.index],
                    inputs: [try tensor(String(op.inputs[0]), [a.c, a.w, a.h], op), try tensor(String(op.inputs[1]), [b.c, b.w, b.h], op)],
                    output: try tensor(String(op.output), [o.c, o.w, o.h], op),
                    inputHeight: a.h, inputWidth: a.w, inputChannels: a.c, outputHeight: o.h, outputWidth: o.w, outputChannels: o.c))
            case .averagePool2D, .maxPool2D:
                let i = try fourD(op.input(0), op, "input"), o = try fourD(op.output, op, "output")
                var layer = TinyEngineLayer(
                    kind: op.kind == .averagePool2D ? .averagePool : .maxPool, ops: [op.index],
                    inputs: [try tensor(String(op.inputs[0]), [i[3], i[2], i[1]], op)],
                    output: try tensor(String(op.output), [o[3], o[2], o[1]], op),
                    inputHeight: i[1], inputWidth: i[2], inputChannels: i[3], outputHeight: o[1], outputWidth: o[2], outputChannels: o[3])
                if case .pool2D(let window, let fh, let fw, _) = op.options {
                    layer.kernelHeight = fh
                    layer.kernelWidth = fw
                    layer.strideHeight = window.strideHeight
                    layer.strideWidth = window.strideWidth
                }
                layers.append(layer)
            case .resizeNearestNeighbor:
                let i = nhwc(try shape(op.input(0), op, "input")), o = nhwc(model.tensors[op.output].shape)
                layers.append(TinyEngineLayer(
                    kind: .upsample, ops: [op.index],
                    inputs: [try tensor(String(op.inputs[0]), [i.h, i.w, i.c], op)],
                    output: try tensor(String(op.output), [o.h, o.w, o.c], op),
                    inputHeight: i.h, inputWidth: i.w, inputChannels: i.c, outputHeight: o.h, outputWidth: o.w, outputChannels: o.c))
            case .pad:
                guard let input = op.input(0) else {
                    throw TinyEngineUnavailable("TinyEngine cannot convert op \(op.index) (PAD): it has no input")
                }
                pendingPad = (op.index, input, op.output)
            case .mean:
                try mean(op)
            case .quantize, .dequantize, .reshape:
                break
            case let kind where kind.builtinCode == 39:  // TRANSPOSE
                guard let input = op.input(0) else {
                    throw TinyEngineUnavailable("TinyEngine cannot convert op \(op.index) (TRANSPOSE): it has no input")
                }
                transpose = (op.index, input)
            default:
                throw TinyEngineUnavailable("TinyEngine's code generator has no \(op.kind.name) (op \(op.index)); it converts CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, AVERAGE_POOL_2D, MAX_POOL_2D, RESIZE_NEAREST_NEIGHBOR, PAD, MEAN pairs, TRANSPOSE, SE blocks (ADD + MUL + MUL) and skips QUANTIZE, DEQUANTIZE, RESHAPE")
            }
        }

        private func convLayer(_ op: Operator) throws(TinyEngineUnavailable) -> TinyEngineLayer {
            let i = try fourD(op.input(0), op, "input"), w = try fourD(op.input(1), op, "filter"), o = try fourD(op.output, op, "output")
            let types = [op.inputs[0], op.inputs[1], op.output].map { model.tensors[$0].type }
            guard types[0] == types[1], types[1] == types[2], [ElementType.int8, .int32, .float32].contains(types[1]) else {
                throw TinyEngineUnavailable("TinyEngine cannot convert op \(op.index) (\(op.kind.name)): its input, filter and output are \(types.map(\.name).joined(separator: ", ")); it needs one type, int8 (or int32, float32)")
            }
            let (kh, kw) = (w[1], w[2])
            let outChannels = op.kind == .conv2D ? w[0] : w[3]
            var inputName = String(op.inputs[0])
            var (h, width) = (i[1], i[2])
            var ops = [op.index]
            // A PAD right before is folded in: the conv reads the unpadded
            // tensor, assumed padded by kernel/2 on each side.
            if let pad = pendingPad, pad.output == op.inputs[0] {
                inputName = String(pad.input)
                h -= kh / 2 * 2
                width -= kh / 2 * 2
                ops.insert(pad.op, at: 0)
            }
            var layer = TinyEngineLayer(
                kind: op.kind == .conv2D ? .conv : .depthwise, ops: ops,
                inputs: [try tensor(inputName, [i[3], width, h], op)],
                output: try tensor(String(op.output), [outChannels, o[2], o[1]], op),
                inputHeight: h, inputWidth: width, inputChannels: i[3], outputHeight: o[1], outputWidth: o[2], outputChannels: outChannels)
            layer.kernelHeight = kh
            layer.kernelWidth = kw
            layer.padding = kh / 2
            if let window = op.options.window {
                layer.strideHeight = window.strideHeight
                layer.strideWidth = window.strideWidth
            }
            return layer
        }

        private func fullyConnectedLayer(_ op: Operator) throws(TinyEngineUnavailable) -> TinyEngineLayer {
            let i = nhwc(try shape(op.input(0), op, "input"))
            let weight = nhwc(try shape(op.input(1), op, "weights"))
            let o = nhwc(model.tensors[op.output].shape)
            if let weights = op.input(1), ![ElementType.int8, .int32, .float32].contains(model.tensors[weights].type) {
                throw TinyEngineUnavailable("TinyEngine cannot convert op \(op.index) (FULLY_CONNECTED): its weights are \(model.tensors[weights].type.name); it reads int8 (or int32, float32)")
            }
            guard op.input(2) != nil else {
                throw TinyEngineUnavailable("TinyEngine cannot convert op \(op.index) (FULLY_CONNECTED): it needs a bias")
            }
            guard weight.c == i.c, o.c == weight.w else {
                throw TinyEngineUnavailable("TinyEngine cannot convert op \(op.index) (FULLY_CONNECTED): its channels do not match")
            }
            var layer = TinyEngineLayer(
                kind: .conv, ops: [op.index],
                inputs: [try tensor(String(op.inputs[0]), [i.c, i.w, i.h], op)],
                output: try tensor(String(op.output), [weight.w, 1, o.w], op),
                inputHeight: i.h, inputWidth: i.w, inputChannels: i.c, outputHeight: o.w, outputWidth: 1, outputChannels: weight.w)
            layer.isFullyConnected = true
            return layer
        }

        private mutating func mean(_ op: Operator) throws(TinyEngineUnavailable) {
            let input = try shape(op.input(0), op, "input")
            guard let first = firstMean else {
                firstMean = (op.index, op.inputs[0], chwDims(input))
                return
            }
            firstMean = nil
            let outDims = chwDims(model.tensors[op.output].shape)
            var ops = [first.op, op.index]
            var inputName = String(first.input)
            if let transpose {
                // Every MEAN pair after a TRANSPOSE reads the TRANSPOSE's input;
                // the TRANSPOSE is part of the pool only right before it.
                inputName = String(transpose.input)
                if transpose.op == first.op - 1 { ops.insert(transpose.op, at: 0) }
            }
            let inDims = first.dims
            layers.append(TinyEngineLayer(
                kind: .averagePool, ops: ops,
                inputs: [try tensor(inputName, inDims, op)], output: try tensor(String(op.output), outDims, op),
                inputHeight: inDims[2], inputWidth: inDims[1], inputChannels: inDims[0],
                outputHeight: outDims[2], outputWidth: outDims[1], outputChannels: outDims[0]))
        }

        /// ADD + MUL + MUL of a squeeze-excite block: the excitation (a 1-D
        /// tensor from the last conv) times the block's feature map.
        private func seLayer(at index: Int) throws(TinyEngineUnavailable) -> TinyEngineLayer {
            let add = model.operators[index], mul = model.operators[index + 2]
            let ops = [index, index + 1, index + 2]
            guard add.inputs.count == 2, let a = add.input(0), let b = add.input(1) else {
                throw TinyEngineUnavailable("TinyEngine cannot convert ops \(index)–\(index + 2) (ADD + MUL + MUL) as an SE block: its ADD does not have two inputs")
            }
            let (ra, rb) = (model.tensors[a].shape.count, model.tensors[b].shape.count)
            guard ra != rb else {
                throw TinyEngineUnavailable("TinyEngine cannot convert ops \(index)–\(index + 2) (ADD + MUL + MUL): it takes them for an SE block, but the ADD's inputs have equal ranks")
            }
            let excitation = ra > rb ? a : b
            guard let last = layers.last, last.output.name == String(excitation) else {
                throw TinyEngineUnavailable("TinyEngine cannot convert ops \(index)–\(index + 2) (ADD + MUL + MUL): it takes them for an SE block, but the ADD does not read the previous layer's output")
            }
            var feature: Int?
            for layer in layers {
                for input in mul.inputs where input >= 0 && layer.output.name == String(input) { feature = input }
                if feature != nil { break }
            }
            guard let feature else {
                throw TinyEngineUnavailable("TinyEngine cannot convert ops \(index)–\(index + 2) (ADD + MUL + MUL): it takes them for an SE block, but the last MUL reads no earlier layer's output")
            }
            let f = try fourD(feature, mul, "feature map"), e = try fourD(excitation, add, "excitation"), o = try fourD(mul.output, mul, "output")
            return TinyEngineLayer(
                kind: .seElementMult, ops: ops,
                inputs: [try tensor(String(feature), [f[3], f[2], f[1]], mul), try tensor(String(excitation), [e[3], e[2], e[1]], add)],
                output: try tensor(String(mul.output), [o[3], o[2], o[1]], mul),
                inputHeight: f[1], inputWidth: f[2], inputChannels: f[3], outputHeight: o[1], outputWidth: o[2], outputChannels: o[3])
        }
    }
}
