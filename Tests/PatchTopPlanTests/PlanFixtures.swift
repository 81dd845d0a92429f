import Foundation
import PatchTopModel

enum PlanFixtures {
    static let sampleModels: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        }
        return url.appendingPathComponent("SampleModels")
    }()

    static func sample(_ name: String) throws -> Model {
        try TFLiteReader.load(path: sampleModels.appendingPathComponent("\(name).tflite").path)
    }

    static func int8(_ index: Int, _ shape: [Int], constant: Bool = false) -> Tensor {
        Tensor(index: index, name: "t\(index)", shape: shape, type: .int8,
               data: constant ? [UInt8](repeating: 1, count: shape.reduce(1, *)) : nil,
               quantization: Quantization(scales: [0.1], zeroPoints: [0]))
    }

    /// input 8×8×1 → conv 3×3/1 SAME → 8×8×2 → conv 3×3/1 SAME → 8×8×2 (output)
    static func twoConvs() throws -> Model {
        let window = WindowOptions(padding: .same, strideHeight: 1, strideWidth: 1)
        return try Model(name: "two-convs", tensors: [
            int8(0, [1, 8, 8, 1]), int8(1, [2, 3, 3, 1], constant: true), int8(2, [1, 8, 8, 2]),
            int8(3, [2, 3, 3, 2], constant: true), int8(4, [1, 8, 8, 2]),
        ], operators: [
            Operator(index: 0, kind: .conv2D, options: .conv2D(window: window, activation: .none), inputs: [0, 1, -1], outputs: [2]),
            Operator(index: 1, kind: .conv2D, options: .conv2D(window: window, activation: .none), inputs: [2, 3, -1], outputs: [4]),
        ], inputs: [0], outputs: [4])
    }
}
