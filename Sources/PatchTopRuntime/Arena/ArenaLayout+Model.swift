import PatchTopModel

extension ArenaLayout {
    /// The layer-by-layer arena of a model: one buffer per activation
    /// tensor (buffer id = tensor index), live over the ops of its lifetime.
    public init(memory: ActivationMemory) {
        self.init(buffers: memory.lifetimes.map {
            Buffer(id: $0.tensor, bytes: $0.bytes, first: $0.firstOp, last: $0.lastOp)
        })
    }
}
