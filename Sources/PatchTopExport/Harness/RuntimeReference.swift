import PatchTopModel
import PatchTopRuntime

/// What the firmware must read and produce, from PatchTop's runtime: the
/// bytes of each input the library takes and of each output it writes.
///
/// The library's boundary is the program's: with `--int8-io` a float
/// model's firmware takes the int8 tensor its QUANTIZE makes and gives the
/// int8 tensors its DEQUANTIZEs read. Those are read from the runtime's own
/// arena as it runs, so the conversion is the runtime's, not a copy of it.
struct RuntimeReference {
    var inputs: [[UInt8]]
    var outputs: [[UInt8]]
    /// The runtime's measured arena (its highest written byte, plus one).
    var measuredArenaBytes: Int

    init(program: ArenaProgram, input: [Int8], manifest: ExportManifest) throws(VerificationError) {
        let model = program.prepared.model
        let session: ArenaSession
        do { session = try ArenaSession(program: program, input: input) } catch {
            throw .runtime(error.description)
        }
        var boundaryIn: [Int: [Int8]] = [:], boundaryOut: [Int: [Int8]] = [:]
        do {
            while let step = session.next {
                if case .outputConversion(let int8, _) = model.rewrite.detached[step.op], let values = session.values(ofTensor: int8) {
                    boundaryOut[int8] = values.data
                }
                try session.step()
                if case .inputConversion(_, let int8) = model.rewrite.detached[step.op], let values = session.values(ofTensor: int8) {
                    boundaryIn[int8] = values.data
                }
            }
        } catch {
            throw .runtime(error.description)
        }
        let callerOutputs: [[Int8]]
        do { callerOutputs = try session.finalOutputs() } catch { throw .runtime(error.description) }
        measuredArenaBytes = session.highWaterMark()

        guard manifest.inputs.count == model.callerInputs.count, manifest.outputs.count == model.callerOutputs.count else {
            throw .mismatch("the library has \(manifest.inputs.count) inputs and \(manifest.outputs.count) outputs, the model \(model.callerInputs.count) and \(model.callerOutputs.count)")
        }
        func bytes(_ values: [Int8]) -> [UInt8] { values.map { UInt8(bitPattern: $0) } }
        var inputs: [[UInt8]] = []
        for (k, boundary) in manifest.inputs.enumerated() {
            let caller = model.callerInputs[k]
            if boundary.bytes == model.tensors[caller].byteCount, k == 0 {
                inputs.append(bytes(input))
            } else if k < model.inputs.count, let converted = boundaryIn[model.inputs[k]], converted.count == boundary.bytes {
                inputs.append(bytes(converted))
            } else {
                throw .mismatch("the library's input \(k) takes \(boundary.bytes) bytes, which is neither the model's input tensor \(caller) (\(model.tensors[caller].byteCount) bytes) nor its int8 boundary")
            }
        }
        var outputs: [[UInt8]] = []
        for (k, boundary) in manifest.outputs.enumerated() {
            let caller = model.callerOutputs[k]
            if boundary.bytes == callerOutputs[k].count {
                outputs.append(bytes(callerOutputs[k]))
            } else if k < model.outputs.count, let int8 = boundaryOut[model.outputs[k]], int8.count == boundary.bytes {
                outputs.append(bytes(int8))
            } else {
                throw .mismatch("the library's output \(k) gives \(boundary.bytes) bytes of \(boundary.type), which is neither the model's output tensor \(caller) nor its int8 boundary")
            }
        }
        self.inputs = inputs
        self.outputs = outputs
    }
}
