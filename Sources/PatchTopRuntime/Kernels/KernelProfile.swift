import Foundation

/// Median time of each weight-carrying kernel (CONV_2D, DEPTHWISE_CONV_2D,
/// FULLY_CONNECTED) of a model run alone on its real input, for
/// `patchtop bench --per-op`: the kernels' own cost, free of the executor's
/// buffer management.
public struct KernelTiming: Sendable, Encodable {
    public var op: Int
    public var kind: String
    public var macs: Int
    public var milliseconds: Double
}

extension Interpreter {
    public func kernelTimings(input: [Int8], runs: Int) throws(RuntimeError) -> [KernelTiming] {
        let tensors = try allTensors(input: input)
        var result = [KernelTiming]()
        let clock = ContinuousClock()
        func time(_ body: () -> Void) -> Double {
            var samples = [Double]()
            for _ in 0..<max(1, runs) {
                let d = clock.measure(body)
                samples.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
            }
            return samples.sorted()[samples.count / 2]
        }
        for (position, step) in steps.enumerated() {
            let op = model.operators[position]
            switch step {
            case let .conv(kernel, input, output):
                let p = kernel.params
                guard let x = tensors[input] else { continue }
                var y = [Int8](repeating: 0, count: model.tensors[output].byteCount)
                let ms = x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in time {
                    kernel.run(input: xp, inputRegion: p.fullInput, output: yp, outputRegion: p.fullOutput,
                               outputRows: 0..<p.height.outputSize, outputCols: 0..<p.width.outputSize)
                } } }
                let macs = p.batches * p.height.outputSize * p.width.outputSize * p.outputChannels
                    * p.height.filterSize * p.width.filterSize * p.inputChannels
                result.append(KernelTiming(op: op.index, kind: "\(op.kind.name) \(p.height.filterSize)x\(p.width.filterSize)/\(p.height.stride) \(p.inputChannels)->\(p.outputChannels) @\(p.height.outputSize)x\(p.width.outputSize)", macs: macs, milliseconds: ms))
            case let .depthwise(kernel, input, output):
                let p = kernel.params
                guard let x = tensors[input] else { continue }
                var y = [Int8](repeating: 0, count: model.tensors[output].byteCount)
                let ms = x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in time {
                    kernel.run(input: xp, inputRegion: p.fullInput, output: yp, outputRegion: p.fullOutput,
                               outputRows: 0..<p.height.outputSize, outputCols: 0..<p.width.outputSize)
                } } }
                let macs = p.batches * p.height.outputSize * p.width.outputSize * p.outputChannels
                    * p.height.filterSize * p.width.filterSize
                result.append(KernelTiming(op: op.index, kind: "\(op.kind.name) \(p.height.filterSize)x\(p.width.filterSize)/\(p.height.stride) \(p.outputChannels) @\(p.height.outputSize)x\(p.width.outputSize)", macs: macs, milliseconds: ms))
            case let .fullyConnected(kernel, input, output):
                let p = kernel.params
                guard let x = tensors[input] else { continue }
                var y = [Int8](repeating: 0, count: model.tensors[output].byteCount)
                let ms = x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in time {
                    kernel.run(input: xp, output: yp)
                } } }
                result.append(KernelTiming(op: op.index, kind: "\(op.kind.name) \(p.inputDepth)->\(p.outputDepth)", macs: p.batches * p.inputDepth * p.outputDepth, milliseconds: ms))
            default:
                continue
            }
        }
        return result
    }
}
