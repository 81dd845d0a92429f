import PatchTopModel
import PatchTopPlan

extension ArenaLayout {
    /// Steps are ops: the stage's ops once (every patch reuses the same
    /// per-patch offsets), then the rest of the model.
    ///
    /// Buffer ids: a tensor held whole has its tensor index; a per-patch
    /// buffer has `tensorCount + tensor index`; an in-place depthwise conv's
    /// staging buffer has `stagingID(forOp:)`, and its output shares its
    /// input's buffer (`aliases`).
    public init(plan: PatchPlan) {
        guard plan.isPatched else {
            self.init(memory: plan.layerByLayer)
            return
        }
        let model = plan.model
        let n = plan.patchLayers
        let perPatch = Set(plan.patchBuffers.map(\.tensor))
        var buffers: [Buffer] = []
        for lifetime in plan.restMemory.lifetimes {
            let tensor = lifetime.tensor
            let producedInStage = (model.producer[tensor] ?? Int.max) < n
            if producedInStage && !plan.stageOutputs.contains(tensor) { continue }
            if model.inputs.contains(tensor) && plan.options.streamInput { continue }
            // Stage outputs and unstreamed inputs stay whole from op 0.
            let first = (producedInStage || model.inputs.contains(tensor)) ? 0 : lifetime.firstOp
            var last = lifetime.lastOp
            if model.inputs.contains(tensor) { last = max(last, n - 1) }
            buffers.append(Buffer(id: tensor, bytes: lifetime.bytes, first: first, last: max(first, last)))
        }
        for buffer in plan.patchBuffers where perPatch.contains(buffer.tensor) {
            buffers.append(Buffer(id: model.tensors.count + buffer.tensor, bytes: buffer.bytes,
                                  first: buffer.firstOp, last: buffer.lastOp))
        }
        let inplace = plan.inplaceOps.map { op in
            op.op < n ? (op, model.tensors.count + op.input, model.tensors.count + op.output) : (op, op.input, op.output)
        }
        let shared = Self.sharing(buffers, inplace: inplace, fused: plan.restMemory.fusedResiduals)
        self.init(buffers: shared.buffers, aliases: shared.aliases)
    }
}
