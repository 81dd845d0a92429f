import PatchTopModel
import PatchTopPlan

/// TFLite Micro's arena in words, for `analyze` and `report`.
///
/// Example (person_detect):
///
///     TFLite Micro arena      83.3 KiB (85,264 bytes) = head 54.0 KiB (55,296) + tail 29.3 KiB (29,968)
///       head                  activations as its greedy planner lays them out (no kernel scratch buffers), equal to the liveness peak
///       tail                  per-channel quantization 21,920 · kernel op data 2,352 · …
///       measured on           tflite-micro …'s Python interpreter, 64-bit host (Scripts/measure_tflm_arena.py)
public enum TFLiteMicroText {
    /// The lines `analyze` prints under its summary; `livenessPeak` (the
    /// model's peak without memory options) explains the head against it.
    public static func lines(_ prediction: Result<TFLiteMicroArena, TFLiteMicroUnavailable>, livenessPeak: Int? = nil) -> [String] {
        let arena: TFLiteMicroArena
        switch prediction {
        case .failure(let unavailable): return ["TFLite Micro arena      unavailable: \(unavailable.reason)"]
        case .success(let value): arena = value
        }
        var out = [
            "TFLite Micro arena      \(formatBytes(arena.arenaBytes)) (\(formatCount(arena.arenaBytes)) bytes) = "
                + "head \(formatBytes(arena.headBytes)) (\(formatCount(arena.headBytes))) + tail \(formatBytes(arena.tailBytes)) (\(formatCount(arena.tailBytes)))"
                + (arena.planningBytes > 0 ? " + \(formatCount(arena.planningBytes)) needed only while it prepares the model" : ""),
        ]
        let scratch = switch arena.scratchBufferCount {
        case 0: "no kernel scratch buffers"
        case 1: "1 kernel scratch buffer"
        case let count: "\(count) kernel scratch buffers"
        }
        var head = "  head                  activations as its greedy planner lays them out (\(scratch))"
        if let peak = livenessPeak {
            let added = arena.headLiveBytes - peak, gaps = arena.headBytes - arena.headLiveBytes
            head += added == 0 && gaps == 0 ? ", equal to the liveness peak"
                : ": liveness peak \(formatCount(peak)) + \(formatCount(added)) from 16-byte rounding and scratch buffers"
                    + " + \(formatCount(gaps)) lost to the planner's gaps"
        }
        out.append(head)
        let kinds = arena.tail.filter { $0.value > 0 }.sorted { ($0.value, $1.key.rawValue) > ($1.value, $0.key.rawValue) }
        out.append("  tail                  " + kinds.map { "\($0.key.label) \(formatCount($0.value))" }.joined(separator: " · "))
        out.append("  measured on           \(TFLiteMicroArena.basis) (Scripts/measure_tflm_arena.py)")
        return out
    }

    /// The `report` header's value: "83.3 KiB (85,264 B) (layer by layer)".
    public static func headerValue(_ prediction: Result<TFLiteMicroArena, TFLiteMicroUnavailable>) -> String {
        switch prediction {
        case .success(let arena): "TFLite Micro arena \(formatBytes(arena.arenaBytes)) (\(formatCount(arena.arenaBytes)) B) (layer by layer)"
        case .failure(let unavailable): "TFLite Micro arena unavailable (\(unavailable.reason))"
        }
    }
}
