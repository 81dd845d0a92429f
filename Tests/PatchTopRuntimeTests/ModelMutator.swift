import Foundation
import PatchTopModel

/// Seeded, structure-aware mutations of a valid model: the numbers a
/// careless converter or a corrupt file can carry, changed where they mean
/// something (a tensor's scale or zero point, softmax's beta, a fused
/// activation, LEAKY_RELU's alpha, a dimension) rather than at random bytes,
/// so that nearly every case reaches the runtime's arithmetic.
struct ModelMutator {
    var rng: SeededGenerator

    /// Scales from 1e-30 to 1e30, the ends of Float, and what is not a scale.
    static let scales: [Float] = [1e-30, 1e-20, 1e-12, 1e-9, 3e-9, 1e-6, 0.5, 1, 1e6, 1e12, 1e20, 1e30,
                                  .infinity, -.infinity, .nan, 0, -0.5, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
    /// Zero points at and just past the int8 limits, and absurd ones.
    static let zeroPoints: [Int64] = [-128, 127, -129, 128, 0, 255, -1, .max, .min]
    static let betas: [Float] = [0, 1, -1, 1e-9, 1e9, .infinity, -.infinity, .nan, 1e30]
    static let activations: [Activation] = [.none, .relu, .reluN1To1, .relu6, .tanh, .signBit]
    static let dimensions: [Int] = [0, 1, 2, 3, 7, 1000]

    /// One to three mutations of `model`, or the model error a mutation
    /// caused (a shape the graph no longer agrees with).
    mutating func mutate(_ model: Model) -> Result<Model, ModelError> {
        var tensors = model.tensors
        var operators = model.operators
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...3: mutateScale(&tensors)
            case 4, 5: mutateZeroPoint(&tensors)
            case 6: mutateOptions(&operators)
            case 7: mutateOptions(&operators)
            case 8: Bool.random(using: &rng) ? mutateDimension(&tensors) : toggleData(&tensors)
            default: dropQuantization(&tensors)
            }
        }
        do throws(ModelError) {
            return .success(try Model(name: model.name, description: model.description, tensors: tensors, operators: operators,
                                      inputs: model.inputs, outputs: model.outputs))
        } catch {
            return .failure(error)
        }
    }

    private mutating func quantized(_ tensors: [Tensor]) -> Int? {
        let indices = tensors.indices.filter { tensors[$0].quantization != nil }
        return indices.randomElement(using: &rng)
    }

    private mutating func mutateScale(_ tensors: inout [Tensor]) {
        guard let i = quantized(tensors), var q = tensors[i].quantization, !q.scales.isEmpty else { return }
        let value = Bool.random(using: &rng) ? Self.scales.randomElement(using: &rng)!
            : Float(pow(10, Double.random(in: -30...30, using: &rng)))
        if Bool.random(using: &rng) {
            q.scales[Int.random(in: 0..<q.scales.count, using: &rng)] = value
        } else {
            q.scales = q.scales.map { _ in value }
        }
        tensors[i].quantization = q
    }

    private mutating func mutateZeroPoint(_ tensors: inout [Tensor]) {
        guard let i = quantized(tensors), var q = tensors[i].quantization else { return }
        let value = Self.zeroPoints.randomElement(using: &rng)!
        q.zeroPoints = q.zeroPoints.isEmpty ? [value] : q.zeroPoints.map { _ in value }
        tensors[i].quantization = q
    }

    private mutating func dropQuantization(_ tensors: inout [Tensor]) {
        guard let i = quantized(tensors) else { return }
        tensors[i].quantization = Bool.random(using: &rng) ? nil : Quantization(scales: [], zeroPoints: [])
    }

    private mutating func mutateDimension(_ tensors: inout [Tensor]) {
        let candidates = tensors.indices.filter { !tensors[$0].shape.isEmpty }
        guard let i = candidates.randomElement(using: &rng) else { return }
        tensors[i].shape[Int.random(in: 0..<tensors[i].shape.count, using: &rng)] = Self.dimensions.randomElement(using: &rng)!
    }

    /// A constant becomes an activation or the other way round (zeros of
    /// the tensor's size).
    private mutating func toggleData(_ tensors: inout [Tensor]) {
        guard let i = tensors.indices.randomElement(using: &rng) else { return }
        let bytes = tensors[i].byteCount
        tensors[i].data = tensors[i].data == nil && bytes < 1 << 20 ? [UInt8](repeating: 0, count: bytes) : nil
    }

    private mutating func mutateOptions(_ operators: inout [Operator]) {
        guard !operators.isEmpty else { return }
        // Prefer the ops whose numbers matter most.
        let preferred = operators.indices.filter {
            [.softmax, .leakyRelu, .mean, .hardSwish, .relu6, .relu].contains(operators[$0].kind)
        }
        let i = (Bool.random(using: &rng) ? preferred.randomElement(using: &rng) : nil)
            ?? Int.random(in: 0..<operators.count, using: &rng)
        let a = Self.activations.randomElement(using: &rng)!
        switch operators[i].options {
        case .conv2D(let w, _): operators[i].options = .conv2D(window: w, activation: a)
        case .depthwiseConv2D(let w, let m, _): operators[i].options = .depthwiseConv2D(window: w, depthMultiplier: m, activation: a)
        case .pool2D(let w, let h, let fw, _): operators[i].options = .pool2D(window: w, filterHeight: h, filterWidth: fw, activation: a)
        case .fullyConnected(_, let k): operators[i].options = .fullyConnected(activation: a, keepNumDims: k)
        case .add: operators[i].options = .add(activation: a)
        case .mul: operators[i].options = .mul(activation: a)
        case .sub: operators[i].options = .sub(activation: a)
        case .concatenation(let axis, _): operators[i].options = .concatenation(axis: axis, activation: a)
        case .softmax: operators[i].options = .softmax(beta: Self.betas.randomElement(using: &rng)!)
        case .leakyRelu: operators[i].options = .leakyRelu(alpha: Self.betas.randomElement(using: &rng)!)
        default: break
        }
    }
}
