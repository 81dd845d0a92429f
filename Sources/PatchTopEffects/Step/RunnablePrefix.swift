import PatchTopModel
import PatchTopRuntime

/// The part of a model the runtime can run, for step mode on a model with
/// an op the runtime lacks: ops `0..<stop` (the ops before the first one
/// it cannot prepare) as a model of their own, whose outputs are the
/// tensors those ops hand on to later ones. A patch stage that ends before
/// `stop` can then be stepped through and checked against layer by layer,
/// and step mode says where (and why) it stops.
struct RunnablePrefix {
    var model: Model
    var prepared: PreparedModel
    /// The first op the runtime cannot run, and its error.
    var stop: Int
    var reason: String

    /// `nil` when the whole model runs (or nothing does); else the longest
    /// runnable prefix: the runtime names the first op it cannot prepare.
    static func of(_ model: Model, failure: any Error) -> RunnablePrefix? {
        guard let keeping = try? PreparedModel(model: model, keepingUnsupportedOps: true),
              let (stop, error) = keeping.firstUnsupported, stop > 0,
              let prefix = try? prefixModel(model, ops: stop), let prepared = try? PreparedModel(model: prefix)
        else { return nil }
        return RunnablePrefix(model: prefix, prepared: prepared, stop: stop, reason: "\(error)")
    }

    /// Ops `0..<count` of `model`; its outputs are the tensors they produce that later ops (or the graph) read.
    static func prefixModel(_ model: Model, ops count: Int) throws -> Model {
        let kept = Array(model.operators.prefix(count))
        let produced = Set(kept.flatMap(\.outputs))
        let laterReads = Set(model.operators.dropFirst(count).flatMap(\.inputs)).union(model.outputs)
        let outputs = produced.filter { laterReads.contains($0) }.sorted()
        guard !outputs.isEmpty else { throw StepError("\(model.name): ops 0..<\(count) hand nothing on") }
        do {
            return try Model(name: model.name, description: model.description, tensors: model.tensors, operators: kept,
                             inputs: model.inputs, outputs: outputs)
        } catch {
            throw StepError("\(model.name): ops 0..<\(count) do not form a model: \(error)")
        }
    }
}
