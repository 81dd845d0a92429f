import Foundation
import PatchTopModel
import PatchTopPlan

/// Why the runtime refused or failed to run a model.
///
/// Each case carries where the problem is (the op, the tensor, the value
/// from the file) so that the one line a user reads points at it, e.g.
/// `op 4 (SOFTMAX) cannot run: beta × input scale is 1e-12, too small for
/// the fixed-point arithmetic`.
public enum RuntimeError: Error, Equatable, Sendable {
    /// An op the runtime has no kernel (or no kernel variant) for.
    case unsupported(op: Int, kind: String, reason: String?)
    /// A value from the model (a scale ratio, a bound, a count) that the
    /// int8 arithmetic cannot represent: converting it would overflow.
    case unrepresentable(op: Int, kind: String, tensor: Int?, quantity: String, value: Double, limit: String)
    /// A stage op the patch executor cannot run region by region.
    case notPatchable(op: Int, kind: String, reason: String)
    /// The compiled program found no memory for a tensor it must touch:
    /// the plan and the runtime disagree about the model.
    case noMemory(tensor: Int, name: String, reason: String)
    /// The plan and the prepared steps disagree about an op (a fused ADD
    /// that is not one, an in-place op without its staging buffer).
    case inconsistentPlan(op: Int, kind: String, reason: String)
    /// The plan could not be made.
    case plan(PlanError)
    /// The plan belongs to another model.
    case planForOtherModel(plan: String, model: String)
    case noInputOrOutput(model: String)
    /// The caller's input does not have the input tensor's byte size.
    case inputSize(tensor: Int, bytes: Int, needed: Int)
    /// The arena is above the limit the caller set (`--max-arena`);
    /// refused before any of it is allocated.
    case arenaTooLarge(model: String, bytes: Int, limit: Int)
    case stopped
    case notFinished
    /// A step `PreparedModel` refused to prepare was reached by a run (the
    /// ops before it ran: step mode shows them).
    indirect case refusedStep(RuntimeError)

    /// The error for an op the runtime has no kernel (or no kernel variant) for.
    static func unsupported(_ op: Operator, _ detail: String? = nil) -> RuntimeError {
        .unsupported(op: op.index, kind: op.kind.name, reason: detail)
    }
}

extension RuntimeError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unsupported(let op, let kind, let reason):
            "op \(op) (\(kind)) is not supported by the runtime" + (reason.map { ": \($0)" } ?? "")
        case .unrepresentable(let op, let kind, let tensor, let quantity, let value, let limit):
            "op \(op) (\(kind)) cannot run: \(quantity)\(tensor.map { " of tensor \($0)" } ?? "") is \(Self.format(value)), \(limit)"
        case .notPatchable(let op, let kind, let reason):
            "op \(op) (\(kind)) cannot run patch by patch: \(reason)"
        case .noMemory(let tensor, let name, let reason):
            "tensor \(tensor) (\(name)) \(reason)"
        case .inconsistentPlan(let op, let kind, let reason):
            "op \(op) (\(kind)) \(reason)"
        case .plan(let error):
            error.description
        case .planForOtherModel(let plan, let model):
            "the plan was made for \(plan), not \(model)"
        case .noInputOrOutput(let model):
            "\(model) has no input or no output"
        case .inputSize(let tensor, let bytes, let needed):
            "input has \(bytes) bytes, tensor \(tensor) needs \(needed)"
        case .arenaTooLarge(_, let bytes, let limit):
            "the plan needs an arena of \(Self.bytes(bytes)), above the limit of \(Self.bytes(limit)) (raise it with --max-arena)"
        case .stopped:
            "the run was stopped"
        case .notFinished:
            "the run has not finished"
        case .refusedStep(let error):
            "the run stops here: \(error)"
        }
    }

    /// `1e-12`, `6.5`, `inf`, `nan`: a value as a user would write it.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%g", value)
    }

    /// `68,719,476,736 bytes (64.0 GiB)`, `311,040 bytes (303.8 KiB)`.
    static func bytes(_ count: Int) -> String {
        var digits = String(count), grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        guard let (unit, size) = units.first(where: { count >= $0.1 }) else { return "\(count) bytes" }
        return "\(digits + grouped) bytes (\(String(format: "%.1f", Double(count) / Double(size))) \(unit))"
    }
}
