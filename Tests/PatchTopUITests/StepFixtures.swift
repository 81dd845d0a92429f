import PatchTopEffects
import PatchTopModel
import PatchTopPlan
@testable import PatchTopRuntime
import PatchTopUI

/// Step mode on the real runtime session.
enum StepFixtures {
    /// The snapshot after the runtime has executed steps up to and
    /// including op 1 of patch 5 (index 4) of `plan`.
    static func snapshot(plan: PatchPlan) throws -> StepSnapshot {
        let request = RunRequest(generation: 0, patches: plan.patches, patchLayers: plan.patchLayers, options: plan.options)
        var driver = try RuntimeStepDriver(model: plan.model, request: request)
        var snapshot = driver.snapshot()
        while snapshot.last != StepPoint(op: 1, patch: 4), !snapshot.isFinished {
            snapshot = try driver.perform(.next)
        }
        return snapshot
    }
}
