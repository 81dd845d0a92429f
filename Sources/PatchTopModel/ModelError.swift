/// Why a model could not be read or is not a valid graph.
///
/// Each case carries where the problem is (a byte offset, a tensor or an op
/// index) so that the one line a user reads points at it.
public enum ModelError: Error, Equatable, Sendable {
    case fileNotFound
    case unreadable(reason: String)
    /// The bytes are not a TFLite flatbuffer at all.
    case notTFLite(reason: String)
    /// A read past the end of the file.
    case truncated(offset: Int, length: Int, fileSize: Int)
    /// A flatbuffer structure that cannot be right (bad vtable, offsets
    /// pointing outside the file, absurd counts).
    case malformed(reason: String, offset: Int)
    case noSubgraph
    case invalidTensor(index: Int, reason: String)
    case invalidOperator(index: Int, op: String, reason: String)
    case invalidGraph(reason: String)
}

extension ModelError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .fileNotFound:
            "no such file"
        case .unreadable(let reason):
            "cannot be read: \(reason)"
        case .notTFLite(let reason):
            "not a TFLite model: \(reason)"
        case .truncated(let offset, let length, let fileSize):
            "truncated or corrupt model: needs bytes \(offset)..<\(offset + length) but the file has \(fileSize)"
        case .malformed(let reason, let offset):
            "corrupt model: \(reason) at byte \(offset)"
        case .noSubgraph:
            "corrupt model: it has no subgraph"
        case .invalidTensor(let index, let reason):
            "invalid model: tensor \(index) \(reason)"
        case .invalidOperator(let index, let op, let reason):
            "invalid model: op \(index) (\(op)) \(reason)"
        case .invalidGraph(let reason):
            "invalid model: \(reason)"
        }
    }
}

/// A `ModelError` with the file it came from: what the CLI and TUI print,
/// e.g. `bad.tflite: not a TFLite model: missing the "TFL3" identifier`.
public struct ModelLoadError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var error: ModelError

    public init(path: String, error: ModelError) {
        self.path = path
        self.error = error
    }

    public var description: String { "\(path): \(error)" }
}
