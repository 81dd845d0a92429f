import PatchTopModel

/// The per-patch buffers one patch needs while the stage runs.
///
/// A stage tensor lives in a per-patch buffer of its region (all channels)
/// from the op that writes it to the last stage op that reads it. A stage
/// output whose region is exactly its patch is written straight into its
/// whole buffer and needs none. A streamed graph input needs a per-patch
/// buffer of the region the patch reads; an unstreamed one is read in place
/// from its whole buffer.
struct PatchWorkingSet {
    /// Per-patch buffers by tensor.
    var buffers: [Int: PatchPlan.PatchBuffer]

    init(model: Model, patchLayers n: Int, stageOutputs: [Int], regions: [Int: Region], patch: Region, options: MemoryOptions) {
        var buffers: [Int: PatchPlan.PatchBuffer] = [:]
        for (tensor, region) in regions {
            let shape = model.tensors[tensor].shape
            guard shape.count == 4, model.isActivation(tensor) else { continue }
            let isInput = model.inputs.contains(tensor)
            if isInput && !options.streamInput { continue }
            if stageOutputs.contains(tensor) && region == patch { continue }
            let bytes = region.area * shape[3] * (model.tensors[tensor].type.byteSize ?? 1)
            let first = isInput ? 0 : (model.producer[tensor] ?? 0)
            let last = model.consumers[tensor].filter { $0 < n }.last ?? first
            buffers[tensor] = PatchPlan.PatchBuffer(tensor: tensor, bytes: bytes, firstOp: first, lastOp: max(first, last))
        }
        self.buffers = buffers
    }

    /// Live bytes at each stage op when every patch uses `buffers`, each
    /// sized for the largest patch: a statically planned arena gives every
    /// buffer one offset and one size for all patches, so this, not the
    /// working set of any single patch, is what the stage really needs.
    ///
    /// With in-place depthwise, a depthwise conv (one output channel per
    /// input channel) whose input dies at it shares its input's buffer and
    /// needs one staging channel of `inplaceStaging[op]` bytes (its largest
    /// input region over patches); those ops are returned with `live`.
    static func liveBytes(buffers: [PatchPlan.PatchBuffer], patchLayers n: Int, model: Model,
                          inplaceStaging: [Int: Int]?) -> (live: [Int], inplace: [InplaceDepthwise]) {
        var live = [Int](repeating: 0, count: n)
        var inplace: [InplaceDepthwise] = []
        for buffer in buffers {
            for op in buffer.firstOp...min(buffer.lastOp, n - 1) { live[op] += buffer.bytes }
        }
        guard let inplaceStaging else { return (live, inplace) }
        let byTensor = Dictionary(buffers.map { ($0.tensor, $0) }, uniquingKeysWith: { a, _ in a })
        for op in model.operators[0..<n] where op.kind == .depthwiseConv2D {
            guard let input = op.input(0), let inBuffer = byTensor[input], let outBuffer = byTensor[op.output],
                  inBuffer.lastOp == op.index, let staging = inplaceStaging[op.index],
                  model.tensors[input].shape.last == model.tensors[op.output].shape.last,
                  model.tensors[input].type == model.tensors[op.output].type else { continue }
            let saving = inBuffer.bytes + outBuffer.bytes - max(inBuffer.bytes, outBuffer.bytes) - staging
            if saving > 0 {
                live[op.index] -= saving
                inplace.append(InplaceDepthwise(op: op.index, input: input, output: op.output, stagingBytes: staging))
            }
        }
        return (live, inplace)
    }
}
