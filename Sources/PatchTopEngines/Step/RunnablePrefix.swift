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
    var interpreter: Interpreter
    /// The first op the runtime cannot run, and its error.
    var stop: Int
    var reason: String

    /// `nil` when the whole model runs (or nothing does); else the longest runnable prefix.
    static func of(_ model: Model, failure: any Error) -> RunnablePrefix? {
        // Preparing is monotone in the prefix length: search for the first op that fails.
        var low = 0, high = model.operators.count  // ops 0..<low prepare; 0..<high do not
        var best: (Model, Interpreter)?
        while high - low > 1 {
            let mid = (low + high) / 2
            if let prefix = try? prefixModel(model, ops: mid), let interpreter = try? Interpreter(model: prefix) {
                low = mid
                best = (prefix, interpreter)
            } else {
                high = mid
            }
        }
        guard low > 0 else { return nil }
        if best == nil || best?.0.operators.count != low {
            guard let prefix = try? prefixModel(model, ops: low), let interpreter = try? Interpreter(model: prefix) else { return nil }
            best = (prefix, interpreter)
        }
        guard let (prefix, interpreter) = best else { return nil }
        let reason: String
        do {
            _ = try Interpreter(model: prefixModel(model, ops: low + 1))
            reason = "\(failure)"
        } catch {
            reason = "\(error)"
        }
        return RunnablePrefix(model: prefix, interpreter: interpreter, stop: low, reason: reason)
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
