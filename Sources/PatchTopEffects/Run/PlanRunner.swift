import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime
import PatchTopUI

/// Runs one plan of one model and sums it up. The background runner calls
/// it off the input loop; tests call it directly.
public protocol PlanRunner: Sendable {
    /// The summary of `request`, or `nil` when `shouldStop` said so before
    /// the run finished (a newer request superseded it).
    func run(_ request: RunRequest, shouldStop: @escaping @Sendable () -> Bool) throws(RuntimeError) -> RunSummary?
}

/// The real runner: the plan compiled into the runtime's arena program and
/// run on a seeded input (checking `shouldStop` between steps), against the
/// layer-by-layer run's output for the same input; the arena it
/// measured (the highest byte written) beside the one laid out.
///
/// The layer-by-layer output does not depend on the plan, so it is
/// computed once, on the first run, and reused.
public final class ArenaPlanRunner: PlanRunner, @unchecked Sendable {
    public let model: Model
    private let prepared: Result<PreparedModel, RuntimeError>
    private let seed: UInt64
    /// The seeded input, made once the first program has fitted the arena
    /// limit (a model's input can be larger than any arena it may have).
    private var input: [Int8]?
    private let lock = NSLock()
    /// Every output of the layer-by-layer run (a detector has several).
    private var reference: [[Int8]]?
    /// The largest arena a run may allocate (`--max-arena`).
    public let arenaLimit: Int

    public init(model: Model, seed: UInt64 = 0, arenaLimit: Int = ArenaProgram.defaultArenaLimit) {
        self.model = model
        self.arenaLimit = arenaLimit
        do throws(RuntimeError) { prepared = .success(try PreparedModel(model: model)) } catch { prepared = .failure(error) }
        self.seed = seed
    }

    private func layerByLayerOutput(_ prepared: PreparedModel) throws(RuntimeError) -> [[Int8]] {
        lock.lock()
        let cached = reference
        lock.unlock()
        if let cached { return cached }
        let program = try Pipeline(prepared: prepared, arenaLimit: arenaLimit).program
        guard let output = try program.run(input: seededInput())?.outputs else {
            throw .stopped
        }
        lock.lock()
        reference = output
        lock.unlock()
        return output
    }

    /// The input of every run, made on first use: only after a program
    /// compiled within `arenaLimit`, so an absurd input is refused by the
    /// limit before its bytes are allocated.
    private func seededInput() -> [Int8] {
        lock.lock()
        defer { lock.unlock() }
        if let input { return input }
        let made = model.inputs.first.map { SeededInput.bytes(for: model.tensors[$0], seed: seed) } ?? []
        input = made
        return made
    }

    public func run(_ request: RunRequest, shouldStop: @escaping @Sendable () -> Bool) throws(RuntimeError) -> RunSummary? {
        let prepared = try prepared.get()
        let requested: PatchPlan
        do {
            requested = try request.plan(for: prepared.model)
        } catch {
            throw .plan(error)
        }
        let pipeline = try Pipeline(prepared: prepared, plan: requested, arenaLimit: arenaLimit)
        if shouldStop() { return nil }
        let reference = try layerByLayerOutput(prepared)
        if shouldStop() { return nil }
        let plan = pipeline.plan, program = pipeline.program
        let clock = ContinuousClock()
        let start = clock.now
        guard let result = try program.run(input: seededInput(), shouldStop: shouldStop) else { return nil }
        let elapsed = clock.now - start
        var summary = RunSummary(
            request: request, peakBytes: plan.peakBytes, layerByLayerPeakBytes: plan.layerByLayerPeakBytes,
            macOverhead: plan.macOverhead, measuredArenaBytes: result.measuredArenaBytes,
            plannedArenaBytes: result.plannedArenaBytes, milliseconds: elapsed.milliseconds,
            identical: result.outputs == reference
        )
        summary.cacheMacsSaved = plan.cacheMacsSaved
        return summary
    }
}
