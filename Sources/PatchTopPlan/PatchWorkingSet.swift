import PatchTopModel

/// The memory one patch needs while the stage runs, op by op.
///
/// A stage tensor lives in a per-patch buffer of its region (all channels)
/// from the op that writes it to the last stage op that reads it. A stage
/// output whose region is exactly its patch is written straight into its
/// whole buffer and needs none. A streamed graph input needs a per-patch
/// buffer of the region the patch reads; an unstreamed one is read in place
/// from its whole buffer.
struct PatchWorkingSet {
    var liveBytes: [Int]
    /// Per-patch buffers: tensor → (first op, last op, bytes).
    var lifetimes: [Int: (first: Int, last: Int, bytes: Int)]

    init(model: Model, patchLayers n: Int, stageOutputs: [Int], regions: [Int: Region], patch: Region, options: MemoryOptions) {
        var live = [Int](repeating: 0, count: n)
        var lifetimes: [Int: (first: Int, last: Int, bytes: Int)] = [:]
        for (tensor, region) in regions {
            let shape = model.tensors[tensor].shape
            guard shape.count == 4, model.isActivation(tensor) else { continue }
            let isInput = model.inputs.contains(tensor)
            if isInput && !options.streamInput { continue }
            // A stage output whose region is just its patch is written
            // straight into its whole buffer.
            if stageOutputs.contains(tensor) && region == patch { continue }
            let bytes = region.area * shape[3] * (model.tensors[tensor].type.byteSize ?? 1)
            let first = isInput ? 0 : (model.producer[tensor] ?? 0)
            let stageReaders = model.consumers[tensor].filter { $0 < n }
            let last = stageReaders.last ?? first
            lifetimes[tensor] = (first, max(first, last), bytes)
        }
        for lifetime in lifetimes.values {
            for op in lifetime.first...lifetime.last { live[op] += lifetime.bytes }
        }
        if options.inplaceDepthwise {
            for op in model.operators[0..<n] where op.kind == .depthwiseConv2D {
                guard let input = op.input(0), let inLife = lifetimes[input], let outLife = lifetimes[op.output],
                      inLife.last == op.index, let inRegion = regions[input] else { continue }
                let staging = inRegion.area * (model.tensors[input].type.byteSize ?? 1)
                let saving = inLife.bytes + outLife.bytes - max(inLife.bytes, outLife.bytes) - staging
                if saving > 0 { live[op.index] -= saving }
            }
        }
        liveBytes = live
        self.lifetimes = lifetimes
    }
}
