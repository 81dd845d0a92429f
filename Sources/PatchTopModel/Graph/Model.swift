/// A validated graph: subgraph 0 of a TFLite model, in execution order.
///
/// Building one checks that every tensor index is in range, that every
/// tensor is written by at most one op, that no op reads a tensor before it
/// is written (so the file's order is a topological order), and that the
/// shapes of the ops PatchTop understands agree with their options. After
/// that, the planner and the runtime may index freely.
public struct Model: Sendable {
    /// What the user calls the model: the file name without `.tflite`.
    public var name: String
    public var description: String
    public let tensors: [Tensor]
    public let operators: [Operator]
    /// Graph input and output tensor indices.
    public let inputs: [Int]
    public let outputs: [Int]
    /// For each tensor, the op that writes it, or `nil` (constants, inputs).
    public let producer: [Int?]
    /// For each tensor, the ops that read it, ascending.
    public let consumers: [[Int]]
    /// `isActivation` of every tensor, worked out once (planners ask for
    /// every tensor of every plan they price).
    private let activationMask: [Bool]
    /// What memory options changed in the graph as the file has it
    /// (`rewritten(for:)`); empty for a model as read.
    public let rewrite: GraphRewrite
    /// What the file holds beyond subgraph 0 (set by `TFLiteReader`; `nil`
    /// for a graph built in code, which then stands for a one-subgraph file
    /// without metadata).
    public var fileFacts: TFLiteFileFacts?

    public init(
        name: String, description: String = "", tensors: [Tensor], operators: [Operator],
        inputs: [Int], outputs: [Int]
    ) throws(ModelError) {
        try self.init(name: name, description: description, tensors: tensors, operators: operators,
                      inputs: inputs, outputs: outputs, rewrite: GraphRewrite())
    }

    /// A graph with `rewrite` applied: detached ops neither read nor write
    /// tensors as far as the graph is concerned.
    init(name: String, description: String, tensors: [Tensor], operators: [Operator],
         inputs: [Int], outputs: [Int], rewrite: GraphRewrite) throws(ModelError) {
        self.name = name
        self.description = description
        self.tensors = tensors
        self.operators = operators
        self.inputs = inputs
        self.outputs = outputs
        self.rewrite = rewrite
        for tensor in tensors { try Self.validate(tensor) }
        (producer, consumers) = try Self.linkTensors(tensors: tensors, operators: operators.filter { !rewrite.isDetached($0.index) },
                                                     inputs: inputs, outputs: outputs)
        let (producer, inputs, outputs) = (self.producer, inputs, outputs)
        activationMask = tensors.indices.map { index in
            !tensors[index].isConstant && (inputs.contains(index) || outputs.contains(index) || producer[index] != nil)
        }
        for op in operators where !rewrite.isDetached(op.index) { try validateShapes(of: op) }
    }

    /// The graph inputs the caller hands over, in order: `inputs`, except
    /// that with `--int8-io` a float input converted by a detached QUANTIZE
    /// is still what the caller provides.
    public var callerInputs: [Int] { rewrite.callerInputs ?? inputs }

    /// The graph outputs the caller reads, in order (float outputs of
    /// detached DEQUANTIZEs under `--int8-io`).
    public var callerOutputs: [Int] { rewrite.callerOutputs ?? outputs }

    /// Total multiply-accumulates of the ops that have them.
    public var macs: Int {
        operators.reduce(0) { total, op in
            let (sum, overflow) = total.addingReportingOverflow(macs(of: op))
            return overflow ? Int.max : sum
        }
    }

    /// Bytes of constant data (weights, biases, quantization tables): what
    /// the model needs in flash.
    public var weightBytes: Int {
        tensors.reduce(0) { $0 + ($1.isConstant ? ($1.data?.count ?? 0) : 0) }
    }

    public subscript(tensor index: Int) -> Tensor { tensors[index] }

    /// Whether a tensor needs activation memory: a graph input, a graph
    /// output, or an op output without constant data.
    public func isActivation(_ index: Int) -> Bool { activationMask[index] }
}

extension Model {
    /// Resolves producers and consumers and rejects dangling or cyclic
    /// references: an op may only read constants, graph inputs, variables or
    /// tensors that an earlier op wrote.
    private static func linkTensors(
        tensors: [Tensor], operators: [Operator], inputs: [Int], outputs: [Int]
    ) throws(ModelError) -> ([Int?], [[Int]]) {
        var producer = [Int?](repeating: nil, count: tensors.count)
        var consumers = [[Int]](repeating: [], count: tensors.count)
        func check(_ index: Int, _ what: String) throws(ModelError) {
            guard index >= 0, index < tensors.count else {
                throw .invalidGraph(reason: "\(what) refers to tensor \(index), but there are \(tensors.count) tensors")
            }
        }
        for index in inputs { try check(index, "graph input") }
        for index in outputs { try check(index, "graph output") }
        // A graph input or output is memory the caller fills or reads; one
        // holding constant data has no place in the activation arena.
        for index in inputs + outputs where tensors[index].isConstant {
            throw .invalidGraph(reason: "graph \(inputs.contains(index) ? "input" : "output") tensor \(index) (\(tensors[index].name)) holds constant data")
        }
        for op in operators {
            guard !op.outputs.isEmpty else {
                throw .invalidOperator(index: op.index, op: op.kind.name, reason: "has no outputs")
            }
            for index in op.inputs where index != -1 {
                try check(index, "op \(op.index) (\(op.kind.name)) input")
                let tensor = tensors[index]
                let available = tensor.data != nil || tensor.isVariable || inputs.contains(index) || producer[index] != nil
                guard available else {
                    let writer = operators.first { $0.outputs.contains(index) }
                    let why = writer.map { "which op \($0.index) writes later (a cycle or out-of-order graph)" }
                        ?? "which no op writes and is not a graph input"
                    throw .invalidOperator(index: op.index, op: op.kind.name, reason: "reads tensor \(index) \(why)")
                }
                if consumers[index].last != op.index { consumers[index].append(op.index) }
            }
            for index in op.outputs {
                try check(index, "op \(op.index) (\(op.kind.name)) output")
                if let earlier = producer[index] {
                    throw .invalidOperator(index: op.index, op: op.kind.name, reason: "writes tensor \(index), already written by op \(earlier)")
                }
                if tensors[index].isConstant || inputs.contains(index) {
                    throw .invalidOperator(index: op.index, op: op.kind.name, reason: "writes tensor \(index), which is a constant or graph input")
                }
                producer[index] = op.index
            }
        }
        for index in outputs where producer[index] == nil && !inputs.contains(index) && !tensors[index].isConstant {
            throw .invalidGraph(reason: "graph output tensor \(index) is never written")
        }
        return (producer, consumers)
    }
}
