import PatchTopModel
import PatchTopPlan
import PatchTopRuntime
import PatchTopUI

/// A step-mode snapshot built from the planner's arena layout and a
/// layer-by-layer run: op 1 of patch 5 (index 4) just executed.
enum StepFixtures {
    static func snapshot(plan: PatchPlan) throws -> StepSnapshot {
        let model = plan.model
        let layout = ArenaLayout(plan: plan)
        let tensorCount = model.tensors.count
        let blocks = layout.live(at: 1).map { placement in
            let id = placement.buffer.id
            return ArenaBlock(tensor: id >= tensorCount ? id - tensorCount : id, perPatch: id >= tensorCount,
                              offset: placement.offset, bytes: placement.buffer.bytes)
        }
        let interpreter = try Interpreter(model: model)
        let input = SeededInput.bytes(for: model.tensors[model.inputs[0]])
        let tensors = try interpreter.allTensors(input: input)
        let output = model.operators[1].output
        let region = plan.opRegions[4][1]
        let shape = model.tensors[output].shape
        var data: [Int8] = []
        if let whole = tensors[output] {
            for row in region.rows { for col in region.cols {
                let start = (row * shape[2] + col) * shape[3]
                data += whole[start..<(start + shape[3])]
            } }
        }
        let values = TensorValues(tensor: output, rows: region.rows, cols: region.cols, channels: shape[3], data: data)
        let steps = plan.patchLayers * plan.patches * plan.patches + model.operators.count - plan.patchLayers
        return StepSnapshot(position: 4 * plan.patchLayers + 2, stepCount: steps, last: StepPoint(op: 1, patch: 4),
                            next: StepPoint(op: 2, patch: 4), blocks: blocks, arenaBytes: layout.arenaBytes,
                            values: values, isFinished: false)
    }
}
