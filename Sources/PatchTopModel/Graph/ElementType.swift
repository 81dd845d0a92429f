/// The element type of a tensor, as TFLite's `TensorType` names it.
///
/// PatchTop executes int8 models, but reads every type so that memory
/// analysis works on any model: an `int64` tensor still takes 8 bytes a
/// value in the arena.
public enum ElementType: Equatable, Hashable, Sendable {
    case float32, float16, float64
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64
    case bool
    case int4
    /// A type PatchTop has no size for (strings, complex numbers, resources).
    case unsupported(code: Int8)

    /// Maps TFLite's `TensorType` enum value.
    public init(tfliteCode code: Int8) {
        switch code {
        case 0: self = .float32
        case 1: self = .float16
        case 2: self = .int32
        case 3: self = .uint8
        case 4: self = .int64
        case 6: self = .bool
        case 7: self = .int16
        case 9: self = .int8
        case 10: self = .float64
        case 12: self = .uint64
        case 15: self = .uint32
        case 16: self = .uint16
        case 17: self = .int4
        default: self = .unsupported(code: code)
        }
    }

    /// Bytes one element takes in memory; `nil` where the type has no fixed
    /// size. INT4 is packed two to a byte in TFLite, but every runtime
    /// unpacks it to one byte an element, so it counts as 1 here.
    public var byteSize: Int? {
        switch self {
        case .int8, .uint8, .bool, .int4: 1
        case .int16, .uint16, .float16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64: 8
        case .unsupported: nil
        }
    }

    /// The name TFLite's schema gives the type, for messages and reports.
    public var name: String {
        switch self {
        case .float32: "float32"
        case .float16: "float16"
        case .float64: "float64"
        case .int8: "int8"
        case .uint8: "uint8"
        case .int16: "int16"
        case .uint16: "uint16"
        case .int32: "int32"
        case .uint32: "uint32"
        case .int64: "int64"
        case .uint64: "uint64"
        case .bool: "bool"
        case .int4: "int4"
        case .unsupported(let code): "type#\(code)"
        }
    }
}
