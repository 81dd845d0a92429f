import PatchTopModel
import PatchTopPlan

/// One buffer live at the plan's peak op, as the `w` panel lists it.
public struct LiveBuffer: Equatable, Sendable {
    /// `tensor`, `patch region`, `in-place staging`, `residual scratch`.
    public var kind: String
    public var tensor: Int?
    /// The tensor's shape (`56×56×24`) or, for a per-patch buffer, its largest region (`19×19×24`).
    public var extent: String
    public var bytes: Int
    public var firstOp: Int
    public var lastOp: Int

    public init(kind: String, tensor: Int?, extent: String, bytes: Int, firstOp: Int, lastOp: Int) {
        self.kind = kind
        self.tensor = tensor
        self.extent = extent
        self.bytes = bytes
        self.firstOp = firstOp
        self.lastOp = lastOp
    }

    /// The buffers live at `plan.peakOp`, largest first.
    public static func atPeak(of plan: PatchPlan) -> [LiveBuffer] {
        let model = plan.model
        let op = plan.peakOp
        func shape(_ tensor: Int) -> String {
            guard model.tensors.indices.contains(tensor) else { return "" }
            let dims = model.tensors[tensor].shape
            return (dims.count > 1 && dims[0] == 1 ? Array(dims.dropFirst()) : dims).map(String.init).joined(separator: "×")
        }
        func region(_ tensor: Int) -> String {
            let largest = plan.tensorRegions.compactMap { $0[tensor] }.max { $0.area < $1.area }
            guard let largest, model.tensors.indices.contains(tensor) else { return shape(tensor) }
            let dims = model.tensors[tensor].shape
            return "\(largest.height)×\(largest.width)" + (dims.count == 4 ? "×\(dims[3])" : "")
        }
        var out: [LiveBuffer] = []
        let inStage = plan.isPatched && op < plan.patchLayers
        if inStage {
            for buffer in plan.patchBuffers where op >= buffer.firstOp && op <= buffer.lastOp {
                out.append(LiveBuffer(kind: "patch region", tensor: buffer.tensor, extent: region(buffer.tensor), bytes: buffer.bytes, firstOp: buffer.firstOp, lastOp: buffer.lastOp))
            }
        }
        let memory = plan.isPatched ? plan.restMemory : plan.layerByLayer
        for life in memory.lifetimes where life.isLive(at: op) && life.bytes > 0 {
            if inStage, out.contains(where: { $0.tensor == life.tensor }) { continue }
            out.append(LiveBuffer(kind: "tensor", tensor: life.tensor, extent: shape(life.tensor), bytes: life.bytes, firstOp: life.firstOp, lastOp: life.lastOp))
        }
        return out.sorted { ($0.bytes, -($0.tensor ?? -1)) > ($1.bytes, -($1.tensor ?? -1)) }
    }
}
