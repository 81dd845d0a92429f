import PatchTopModel

/// A residual ADD fused into the CONV_2D that produces one of its inputs,
/// its result written over its other input (the skip tensor), as TinyEngine
/// does. The conv's own output is never held whole: the conv computes one
/// row of it at a time into a scratch row, adds the skip's row and writes
/// the sum back where the skip was. The ADD's output is the skip's buffer.
///
/// This is why the MCUNetV2 paper's MobileNetV2 peak after the patch stage
/// is 28²×224 bytes rather than 28²×256: the projection conv's 32-channel
/// output never exists beside the 32-channel skip.
public struct FusedResidual: Equatable, Hashable, Sendable {
    public var conv: Int
    public var add: Int
    /// The conv's output, never materialized.
    public var convOutput: Int
    /// The ADD's other input, overwritten with the sum.
    public var skip: Int
    /// The ADD's output, which lives in the skip's buffer.
    public var output: Int
    /// Whether the conv output is the ADD's first input (operand order
    /// matters to the ADD's arithmetic).
    public var convOutputIsFirst: Bool
    /// Bytes of the scratch row: one output row, all channels.
    public var scratchBytes: Int

    /// The ADDs of `model` that can be fused, considering convs and ADDs
    /// that `allowed` lets through (those outside fused stages).
    /// An ADD qualifies when one input comes from a CONV_2D
    /// and is read by nothing else, and the other (the skip) has the same
    /// shape and type as the output, is read by nothing at or after the conv
    /// except the ADD (so overwriting it early is safe), and is neither a
    /// graph input nor a graph output.
    static func candidates(in model: Model, allowed: (Int) -> Bool) -> [FusedResidual] {
        var found: [FusedResidual] = []
        var used = Set<Int>()
        for add in model.operators where add.kind == .add && add.inputs.count >= 2 {
            guard let a = add.input(0), let b = add.input(1) else { continue }
            for (x, s, first) in [(a, b, true), (b, a, false)] {
                guard let k = model.producer[x], allowed(k), allowed(add.index), k < add.index,
                      model.operators[k].kind == .conv2D,
                      model.consumers[x] == [add.index], !model.outputs.contains(x),
                      model.isActivation(s), !model.inputs.contains(s), !model.outputs.contains(s),
                      model.operators[k].input(0) != s,
                      model.consumers[s].allSatisfy({ $0 < k || $0 == add.index }),
                      model.consumers[s].last == add.index,
                      !used.contains(s), !used.contains(x)
                else { continue }
                let tx = model.tensors[x], ts = model.tensors[s], to = model.tensors[add.output]
                guard tx.shape.count == 4, tx.shape[0] == 1, tx.shape == ts.shape, ts.shape == to.shape,
                      tx.type == ts.type, ts.type == to.type, tx.type == .int8,   // the runtime fuses int8 ADDs only
                      let size = tx.type.byteSize else { continue }
                used.formUnion([x, s])
                found.append(FusedResidual(conv: k, add: add.index, convOutput: x, skip: s, output: add.output,
                                           convOutputIsFirst: first, scratchBytes: tx.shape[2] * tx.shape[3] * size))
                break
            }
        }
        return found
    }
}
