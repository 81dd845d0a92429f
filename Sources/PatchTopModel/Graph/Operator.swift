/// One node of the graph, in execution order.
public struct Operator: Sendable {
    /// Position in execution order (= the file's order in subgraph 0).
    public var index: Int
    public var kind: OperatorKind
    public var options: OperatorOptions
    /// Tensor indices; `-1` marks an omitted optional input (e.g. no bias).
    public var inputs: [Int]
    public var outputs: [Int]

    public init(index: Int, kind: OperatorKind, options: OperatorOptions = .none, inputs: [Int], outputs: [Int]) {
        self.index = index
        self.kind = kind
        self.options = options
        self.inputs = inputs
        self.outputs = outputs
    }

    /// The tensor index of input `slot`, or `nil` where it is absent or omitted.
    public func input(_ slot: Int) -> Int? {
        guard slot >= 0, slot < inputs.count, inputs[slot] >= 0 else { return nil }
        return inputs[slot]
    }

    /// The first output's tensor index (every op has at least one; the
    /// reader rejects models where one has none).
    public var output: Int { outputs[0] }
}
