import PatchTopModel

extension ArenaLayout {
    /// The layer-by-layer arena of a model: one buffer per activation
    /// tensor (buffer id = tensor index), live over the ops of its lifetime.
    /// With in-place depthwise, an op's input and output share one buffer
    /// and its staging channel gets a buffer of its own
    /// (`stagingID(forOp:)`); a fused residual's output shares its skip's
    /// buffer and its conv gets a scratch row under the same kind of id.
    public init(memory: ActivationMemory) {
        let buffers = memory.lifetimes.map { Buffer(id: $0.tensor, bytes: $0.bytes, first: $0.firstOp, last: $0.lastOp) }
        let shared = Self.sharing(buffers, inplace: memory.inplaceOps.map { ($0, $0.input, $0.output) },
                                  fused: memory.fusedResiduals)
        self.init(buffers: shared.buffers, aliases: shared.aliases)
    }

    /// The id of the staging buffer of the in-place depthwise conv `op`.
    public static func stagingID(forOp op: Int) -> Int { -1 - op }

    /// The op whose staging buffer `id` is, if it is one.
    public static func stagingOp(ofID id: Int) -> Int? { id < 0 ? -1 - id : nil }

    /// Merges each in-place op's input and output buffers (`ids`) into one
    /// buffer that holds, step by step, whichever of them is live (both at
    /// the op itself: the larger), and adds its staging buffer. Chains of
    /// in-place ops merge into one buffer.
    static func sharing(_ buffers: [Buffer], inplace: [(op: InplaceDepthwise, input: Int, output: Int)],
                        fused: [FusedResidual] = []) -> (buffers: [Buffer], aliases: [Int: Int]) {
        guard !inplace.isEmpty || !fused.isEmpty else { return (buffers, [:]) }
        var byID = Dictionary(buffers.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var aliases: [Int: Int] = [:]
        var members: [Int: [Buffer]] = [:]
        var staging: [Buffer] = []
        /// Follows aliases to the buffer that is really placed.
        func root(_ id: Int) -> Int {
            var current = id, hops = 0
            while let next = aliases[current], next != current, hops < buffers.count { current = next; hops += 1 }
            return current
        }
        // A fused residual's output is its skip's buffer (whose lifetime the
        // liveness already extended); its conv needs a scratch row.
        for fusion in fused {
            aliases[fusion.output] = aliases[fusion.skip] ?? fusion.skip
            staging.append(Buffer(id: stagingID(forOp: fusion.conv), bytes: fusion.scratchBytes, first: fusion.conv, last: fusion.conv))
        }
        for (op, input, output) in inplace.sorted(by: { $0.op.op < $1.op.op }) {
            let base = root(input)
            guard let inBuffer = byID[base], let outBuffer = byID[output], base != output else { continue }
            members[base, default: [inBuffer]].append(outBuffer)
            aliases[output] = base
            staging.append(Buffer(id: stagingID(forOp: op.op), bytes: op.stagingBytes, first: op.op, last: op.op))
        }
        for (root, group) in members {
            let first = group.map(\.first).min() ?? 0, last = group.map(\.last).max() ?? 0
            let sizes = (first...last).map { step in group.map { $0.bytes(at: step) }.max() ?? 0 }
            byID[root] = Buffer(id: root, first: first, sizes: sizes)
        }
        for id in aliases.keys { byID[id] = nil }
        let resolved = Dictionary(uniqueKeysWithValues: aliases.keys.map { ($0, root($0)) })
        return (byID.values.sorted { $0.id < $1.id } + staging, resolved)
    }
}
