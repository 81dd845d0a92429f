import Foundation

/// Reads a TFLite flatbuffer (schema version 3) into a validated `Model`.
///
/// Only subgraph 0 is read: the main graph, as every MCU runtime runs it.
/// Options of ops PatchTop does not execute are skipped, but their nodes and
/// tensors are kept so that memory analysis covers any model.
public enum TFLiteReader {
    /// Loads and validates the model at `path`; the error names the file.
    public static func load(path: String) throws(ModelLoadError) -> Model {
        let bytes: [UInt8]
        switch RegularFile.read(path) {
        case .success(let read): bytes = read
        case .failure(.notFound): throw ModelLoadError(path: path, error: .fileNotFound)
        case .failure(let error): throw ModelLoadError(path: path, error: .unreadable(reason: error.description))
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        do {
            return try read(bytes: bytes, name: name)
        } catch {
            throw ModelLoadError(path: path, error: error)
        }
    }

    /// Parses a model from its bytes.
    public static func read(bytes: [UInt8], name: String = "model") throws(ModelError) -> Model {
        guard bytes.count >= 8 else {
            throw .notTFLite(reason: "the file is only \(bytes.count) bytes long")
        }
        guard bytes[4..<8].elementsEqual("TFL3".utf8) else {
            throw .notTFLite(reason: "missing the \"TFL3\" file identifier at byte 4")
        }
        let buffer = FlatBuffer(bytes: bytes)
        let root = try buffer.rootTable()
        let version = try root.uint32(0)
        guard version == 3 else {
            throw .notTFLite(reason: "schema version \(version), PatchTop reads version 3")
        }
        let codes = try root.tables(1).map { (code: Table) throws(ModelError) -> OperatorKind in
            let deprecated = Int32(try code.int8(0))
            let extended = try code.int32(3)
            return OperatorKind(builtinCode: max(deprecated, extended), customName: try code.string(1))
        }
        let buffers = try root.tables(4)
        guard let subgraph = try root.tables(2).first else { throw .noSubgraph }

        let tensorTables = try subgraph.tables(0)
        var tensors: [Tensor] = []
        tensors.reserveCapacity(tensorTables.count)
        for (index, table) in tensorTables.enumerated() {
            tensors.append(try readTensor(table, index: index, buffers: buffers, file: buffer))
        }
        var operators: [Operator] = []
        for (index, table) in try subgraph.tables(3).enumerated() {
            let codeIndex = Int(try table.uint32(0))
            guard codeIndex < codes.count else {
                throw .invalidOperator(index: index, op: "?", reason: "uses operator code \(codeIndex), but the model has \(codes.count)")
            }
            let kind = codes[codeIndex]
            let options = try readOptions(of: table, kind: kind, index: index)
            operators.append(Operator(
                index: index, kind: kind, options: options,
                inputs: (try table.int32Vector(1) ?? []).map(Int.init),
                outputs: (try table.int32Vector(2) ?? []).map(Int.init)
            ))
        }
        var model = try Model(
            name: name, description: try root.string(3) ?? "", tensors: tensors, operators: operators,
            inputs: (try subgraph.int32Vector(1) ?? []).map(Int.init),
            outputs: (try subgraph.int32Vector(2) ?? []).map(Int.init)
        )
        model.fileFacts = try TFLiteFileFacts.read(root: root, subgraph: subgraph, buffers: buffers)
        return model
    }

    private static func readTensor(_ table: Table, index: Int, buffers: [Table], file: FlatBuffer) throws(ModelError) -> Tensor {
        let shape = (try table.int32Vector(0) ?? []).map(Int.init)
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw .invalidTensor(index: index, reason: "has a negative dimension in its shape \(shape)")
        }
        let type = ElementType(tfliteCode: try table.int8(1))
        let bufferIndex = Int(try table.uint32(2))
        var data: [UInt8]?
        if bufferIndex != 0 {
            guard bufferIndex < buffers.count else {
                throw .invalidTensor(index: index, reason: "uses buffer \(bufferIndex), but the model has \(buffers.count)")
            }
            let bufferTable = buffers[bufferIndex]
            if let bytes = try bufferTable.byteVector(0), !bytes.isEmpty {
                data = bytes
            } else {
                // Models over 2 GB keep buffers outside the flatbuffer.
                let offset = try bufferTable.uint64(1), size = try bufferTable.uint64(2)
                if offset > 1, size > 0 {
                    guard offset < UInt64(file.bytes.count), size <= UInt64(file.bytes.count) - offset else {
                        throw .truncated(offset: Int(clamping: offset), length: Int(clamping: size), fileSize: file.bytes.count)
                    }
                    data = Array(file.bytes[Int(offset)..<Int(offset + size)])
                }
            }
        }
        var quantization: Quantization?
        if let q = try table.table(4), let scales = try q.float32Vector(2), !scales.isEmpty {
            let zeroPoints = try q.int64Vector(3) ?? []
            quantization = Quantization(scales: scales, zeroPoints: zeroPoints.isEmpty ? [0] : zeroPoints,
                                        quantizedDimension: Int(try q.int32(6)))
        }
        return Tensor(index: index, name: try table.string(3) ?? "", shape: shape, type: type,
                      data: data, quantization: quantization, isVariable: try table.bool(5))
    }

    private static func readOptions(of op: Table, kind: OperatorKind, index: Int) throws(ModelError) -> OperatorOptions {
        let type = try op.uint8(3)
        guard let table = try op.table(4) else { return .none }
        func activation(_ slot: Int) throws(ModelError) -> Activation {
            let code = try table.int8(slot)
            guard let value = Activation(tfliteCode: code) else {
                throw .invalidOperator(index: index, op: kind.name, reason: "has an unknown fused activation \(code)")
            }
            return value
        }
        func padding() throws(ModelError) -> Padding {
            switch try table.int8(0) {
            case 0: return .same
            case 1: return .valid
            case let code: throw .invalidOperator(index: index, op: kind.name, reason: "has an unknown padding \(code)")
            }
        }
        switch type {
        case 1:
            return .conv2D(window: WindowOptions(
                padding: try padding(), strideHeight: Int(try table.int32(2)), strideWidth: Int(try table.int32(1)),
                dilationHeight: Int(try table.int32(5, default: 1)), dilationWidth: Int(try table.int32(4, default: 1))
            ), activation: try activation(3))
        case 2:
            return .depthwiseConv2D(window: WindowOptions(
                padding: try padding(), strideHeight: Int(try table.int32(2)), strideWidth: Int(try table.int32(1)),
                dilationHeight: Int(try table.int32(6, default: 1)), dilationWidth: Int(try table.int32(5, default: 1))
            ), depthMultiplier: Int(try table.int32(3)), activation: try activation(4))
        case 5:
            return .pool2D(window: WindowOptions(
                padding: try padding(), strideHeight: Int(try table.int32(2)), strideWidth: Int(try table.int32(1))
            ), filterHeight: Int(try table.int32(4)), filterWidth: Int(try table.int32(3)), activation: try activation(5))
        case 8:
            return .fullyConnected(activation: try activation(0), keepNumDims: try table.bool(2))
        case 9:
            return .softmax(beta: try table.float32(0))
        case 10:
            return .concatenation(axis: Int(try table.int32(0)), activation: try activation(1))
        case 11:
            return .add(activation: try activation(0))
        case 17:
            return .reshape(newShape: (try table.int32Vector(0))?.map(Int.init))
        case 21:
            return .mul(activation: try activation(0))
        case 23:
            return .gather(axis: Int(try table.int32(0)), batchDims: Int(try table.int32(1)))
        case 27:
            return .reducer(keepDims: try table.bool(0))
        case 32:
            return .stridedSlice(beginMask: Int(try table.int32(0)), endMask: Int(try table.int32(1)),
                                 ellipsisMask: Int(try table.int32(2)), newAxisMask: Int(try table.int32(3)),
                                 shrinkAxisMask: Int(try table.int32(4)), offset: try table.bool(5))
        case 59:
            return .pack(valuesCount: Int(try table.int32(0)), axis: Int(try table.int32(1)))
        case 28:
            return .sub(activation: try activation(0))
        case 74:
            return .resizeNearestNeighbor(alignCorners: try table.bool(0), halfPixelCenters: try table.bool(1))
        case 75:
            return .leakyRelu(alpha: try table.float32(0))
        default:
            return .none
        }
    }
}
